//! engined-core: the engine behind engined, without HTTP. The daemon binary
//! (`crates/engined`) turns each typed request into one call here and the
//! answer or the error's kind into a reply; nothing here knows a status
//! code or a socket.
//!
//! The layers, top down (a module only uses the ones below it):
//!
//! - [`engine`]: the daemon as a whole, which every handler reaches: the
//!   container verbs' services plus the engine's identity, the build
//!   cache and the operations that read everything at once (`/info`).
//! - the domains: [`containers`] (create and the other verbs, which take
//!   only `containers::Services`: the stores, events and snapshot, so
//!   they are unit-tested without the daemon; the OCI
//!   bundle and sandbox in `containers::spec`, cgroups, the per-container
//!   supervisor's client, log reading, archives; the supervisor itself,
//!   cgroups and the log writer are the `engined-shim` crate's), [`images`] (content store,
//!   unpacked layers, import, save/load, commit), [`builder`] (`docker
//!   build`, the classic builder), [`volumes`], [`networks`], [`events`],
//!   [`runtimes`] (the OCI runtimes and their content-addressed wrapper
//!   scripts), [`system`] (host facts, /info, /version, df).
//! - [`config`]: the configuration model the domains read (what
//!   `daemon.json` and the flags can set, each key checked on its own).
//! - shared helpers: [`filters`] (the one reader of `filters`
//!   parameters), [`scoped`] (every path inside a container or image
//!   root, resolved by the kernel inside that root), [`pattern`] (filters' globs and regular
//!   expressions in linear time), [`sync`] (locks that survive a
//!   panic), [`time`] (the one reader of client-given
//!   times), [`gojson`] (Go's `null`s and times where dockerd's bodies have
//!   them).
//!
//! Every domain error answers `kind()` with an [`ErrorKind`] (not found,
//! invalid parameter, conflict, ...); the daemon turns the kind into a
//! status code in one place.

pub mod builder;
pub mod config;
pub mod containers;
pub mod engine;
pub mod events;
pub mod filters;
pub mod gojson;
pub mod images;
pub mod networks;
pub mod pattern;
pub mod runtimes;
pub mod scoped;
pub mod sync;
pub mod system;
pub mod time;
pub mod volumes;

/// The class of a failure, which each domain error reports with `kind()`.
pub use engine_api::rt::error::ErrorKind;
