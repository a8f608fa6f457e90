//! The per-container supervisor ("shim") and how the daemon talks to it:
//!
//! - [`protocol`]: the config file, the socket's requests and replies,
//!   the exit record;
//! - [`shim`]: the supervisor itself (the `engined-shim` binary's body);
//! - [`stdin`]: the bounded stdin buffer between attach clients and the
//!   container;
//! - [`exec_wait`]: the waiter of an exec with a TTY (another mode of
//!   the same binary);
//! - [`client`]: the daemon's side (spawn, start, attach, wait);
//! - [`sys`]: the raw system calls both need.

pub mod client;
pub mod exec_wait;
pub mod protocol;
pub mod shim;
pub mod stdin;
pub mod sys;

pub use protocol::{Exit, Reply, Request, ShimConfig};
