//! Docker Engine API v1.44 for Rust.
//!
//! This crate will hold the types, server and client that `cargo xtask
//! codegen` generates from the repository's `swagger.yaml`, beside a small
//! hand-written support layer. Nothing is generated into it yet.

pub mod support;
