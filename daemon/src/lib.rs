//! engined: a small Docker-compatible engine.
//!
//! Its modules (runtimes, containers, images, volumes) and the `engined`
//! binary land issue by issue; this crate holds only what works:
//!
//! - [`cli`]: dockerd's flags, for what engined supports.
//! - [`config`]: `daemon.json` parsed strictly, merged with the flags by
//!   dockerd's rules, and reloaded on SIGHUP.
//! - [`logging`]: the daemon's log on stderr, its level changeable at runtime.
//! - [`runtimes`]: the OCI runtimes a container can run on, their wrapper
//!   scripts, and the snapshot of them that a config reload swaps atomically.
//! - [`images`]: the image store (content-addressed layers, tags, one
//!   unpacked rootfs per image), import, save/load archives.
//! - [`volumes`]: local-driver volumes.
//! - [`listen`]: the API's sockets (bound, or passed by socket activation).
//! - [`gojson`]: Go's `null`s and times where typed bodies would differ.
//! - [`pattern`]: the filters' regular expressions and globs, in linear time.
//! - [`time`]: the one reader of client-given times (`since`, `until`).

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
