//! engined: a Docker-compatible daemon on the generated server, over the
//! HTTP-free engine in `engined-core`.
//!
//! - [`api`]: the generated server's handler traits, implemented as thin
//!   adapters from a typed request to one call into `engined_core` and
//!   back.
//! - the daemon's own plumbing: [`cli`] (dockerd's flags), [`config`]
//!   (`daemon.json`, merged with the flags and reloaded on SIGHUP, over
//!   the core's configuration model), [`sighup`] (what a reload does to
//!   the running engine), [`listen`] (the API sockets, also by socket
//!   activation), [`logging`].

pub mod api;
pub mod cli;
pub mod config;
pub mod listen;
pub mod logging;
pub mod sighup;
