//! Docker Engine API v1.44 for Rust.
//!
//! The types, server and client that `cargo xtask codegen` generates from
//! the repository's `swagger.yaml` (`src/types.rs`, `src/server.rs`,
//! `src/client.rs`: never edit them by hand; change the spec or the
//! generator and regenerate), on top of the hand-written, spec-independent
//! runtime [`engine_api_rt`] (re-exported as [`rt`]: transports, stream
//! codecs, version rules, errors). Features: `client`, `tls` (the client's
//! TLS) and `server`, on by default, and `ssh`.
//!
//! The crate's README follows: connecting, examples, MSRV.
#![doc = ""]
#![doc = include_str!("../README.md")]
// Every public item has rustdoc; the generator derives docs for what the
// spec leaves undescribed, and CI's `clippy -D warnings` keeps it so.
#![warn(missing_docs)]

/// The runtime the generated code calls: errors, versions, query and
/// filters, hosts, stream codecs, client transports, server listener.
pub use engine_api_rt as rt;

pub use rt::error::{ApiError, ErrorKind};
pub use rt::query::Filters;
pub use rt::version::ApiVersion;

/// The client: one method of [`Client`] per operation (generated).
#[rustfmt::skip]
#[cfg(feature = "client")]
#[path = "generated/client.rs"]
pub mod client;

#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder};
#[cfg(feature = "client")]
pub use rt::client::{ClientError, LogOutput};

#[rustfmt::skip]
#[path = "generated/types.rs"]
pub mod types;

/// The server: a typed request and reply per operation, a handler trait
/// per tag, and the [`server::Router`] that serves them (generated).
#[rustfmt::skip]
#[cfg(feature = "server")]
#[path = "generated/server.rs"]
pub mod server;

#[cfg(feature = "server")]
pub use rt::server::{serve, Listener, ServerInfo};
