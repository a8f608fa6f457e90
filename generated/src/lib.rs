//! Docker Engine API v1.44 for Rust.
//!
//! The types, server and client that `cargo xtask codegen` generates from
//! the repository's `swagger.yaml` (`src/types.rs`, `src/server.rs`,
//! `src/client.rs`: never edit them by hand; change the spec or the
//! generator and regenerate), beside a small hand-written, spec-independent
//! support layer (`support`: transports, stream codecs, version rules,
//! errors). Features: `client` and `server`, both on by default.

// Every public item has rustdoc; the generator derives docs for what the
// spec leaves undescribed, and CI's `clippy -D warnings` keeps it so.
#![warn(missing_docs)]

pub mod support;

/// The client: one method of [`Client`] per operation (generated).
#[rustfmt::skip]
#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "client")]
pub use support::client::{Client, ClientBuilder, ClientError};

#[rustfmt::skip]
pub mod types;

/// The server: a typed request and reply per operation, a handler trait
/// per tag, and the [`server::Router`] that serves them (generated).
#[rustfmt::skip]
#[cfg(feature = "server")]
pub mod server;
