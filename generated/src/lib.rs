//! Docker Engine API v1.44 for Rust.
//!
//! This crate will hold the types, server and client that `cargo xtask
//! codegen` generates from the repository's `swagger.yaml`, beside a small
//! hand-written support layer. The types are generated into `types`
//! (`src/types.rs`: never edit it by hand; change the spec and regenerate).

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
