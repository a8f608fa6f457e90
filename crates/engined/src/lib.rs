//! engined: a Docker-compatible daemon on the generated server.
//!
//! The layers, top down (a module only uses the ones below it):
//!
//! - [`api`]: the generated server's handler traits, implemented as thin
//!   adapters from a typed request to the engine and back.
//! - [`engine`]: the one shared state every handler reaches (config
//!   snapshot, stores, events), and the operations that span domains.
//! - the domains: [`containers`] (create and the other verbs, the OCI
//!   bundle and sandbox in `containers::spec`, cgroups, the per-container
//!   `engined-shim` supervisor, logs, archives), [`images`] (content store,
//!   unpacked layers, import, save/load), [`volumes`], [`events`],
//!   [`runtimes`] (the OCI runtimes and their content-addressed wrapper
//!   scripts), [`system`] (host facts, /info, /version, df).
//! - the daemon's own plumbing: [`cli`] (dockerd's flags), [`config`]
//!   (`daemon.json`, merged with the flags and reloaded on SIGHUP),
//!   [`listen`] (the API sockets, also by socket activation), [`logging`].
//! - shared helpers: [`scoped`] (every path inside a container or image
//!   root, resolved by the kernel inside that root), [`atomic`] (files
//!   written whole or not at all), [`pattern`] (filters' globs and regular
//!   expressions in linear time), [`time`] (the one reader of client-given
//!   times), [`gojson`] (Go's `null`s and times where dockerd's bodies have
//!   them).
//!
//! Issue 14 moves the HTTP-free part into a crate of its own
//! (`engined-core`); until then the rule above is kept by review.

pub mod api;
pub mod atomic;
pub mod cli;
pub mod config;
pub mod containers;
pub mod engine;
pub mod events;
pub mod gojson;
pub mod images;
pub mod listen;
pub mod logging;
pub mod pattern;
pub mod runtimes;
pub mod scoped;
pub mod system;
pub mod time;
pub mod volumes;
