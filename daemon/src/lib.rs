//! engined: a small Docker-compatible engine.
//!
//! Its modules (runtimes, containers, images, volumes) and the `engined`
//! binary land issue by issue; this crate holds only what works:
//!
//! - [`config`]: `daemon.json`, parsed strictly (the keys implemented so far).
//! - [`runtimes`]: the OCI runtimes a container can run on, their wrapper
//!   scripts, and the snapshot of them that a config reload swaps atomically.

pub mod config;
pub mod runtimes;
