//! The daemon's side of the per-container supervisor ("shim"): [`client`]
//! spawns it, starts the container through it, attaches and waits. The
//! supervisor itself, its protocol and the raw system calls both sides
//! need live in the `engined-shim` crate (no tokio there), re-exported
//! here as [`protocol`], [`sys`] and [`exec_wait`].

pub mod client;

pub use engined_shim::protocol::{self, Exit, Reply, Request, ShimConfig};
pub use engined_shim::{exec_wait, sys};
