//! Docker Engine API v1.44 for Rust.
//!
//! This crate will hold the types, server and client that `cargo xtask
//! codegen` generates from the repository's `swagger.yaml`, beside a small
//! hand-written support layer. The types are generated into `types`
//! (`src/types.rs`: never edit it by hand; change the spec and regenerate).

pub mod support;

#[rustfmt::skip]
pub mod types;
