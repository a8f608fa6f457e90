//! engined-shim: the per-container supervisor engined starts for every run
//! of a container, and what the daemon and the supervisor share. Plain
//! threads and system calls, no async runtime: the supervisor outlives the
//! daemon and must stay small.
//!
//! - [`shim`]: the supervisor itself (the `engined-shim` binary's body:
//!   runs the OCI runtime, relays stdio, writes the log, records the exit);
//! - [`protocol`]: its config file, the socket's requests and replies, the
//!   exit record;
//! - [`stdin`]: the bounded stdin buffer between attach clients and the
//!   container;
//! - [`exec_wait`]: the waiter of an exec with a TTY (another mode of the
//!   same binary);
//! - [`sys`]: the raw system calls the supervisor and the daemon both need;
//! - [`cgroups`]: a container's cgroup and its figures (v1 and v2), which
//!   the supervisor samples and the daemon's stats read;
//! - [`logs`]: the json-file log format, written here, read by the daemon;
//! - [`atomic`]: files written whole or not at all.
//!
//! The `engined-shim` executable is a target of the `engined` package, so
//! that it is built next to `engined`, where the daemon looks for it.

pub mod atomic;
pub mod cgroups;
pub mod exec_wait;
pub mod logs;
pub mod protocol;
pub mod shim;
pub mod stdin;
pub mod sys;
