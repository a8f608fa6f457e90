//! End-to-end tests across the workspace: the generator on real specs, the generated client and server against each other and against dockerd, the docs, the conformance tool, the module-cycle check.
//!
//! One binary for all of them (faster to link than one per file);
//! run one group with `cargo test -p test-support --test suite GROUP::`.

mod all_operations;
mod attach_websocket;
mod client_contexts;
mod client_examples;
mod client_generated_dockerd;
mod client_generated_requests;
mod client_generated_surface;
mod client_inmemory;
mod client_podman;
mod client_quality;
mod client_ssh;
mod client_transport;
mod codegen_compile;
mod codegen_errors;
mod codegen_fresh;
mod codegen_fuzz;
mod codegen_types;
mod compat_matrix;
mod conformance;
mod docs;
mod modules_check;
mod server_generated;
mod server_transport;
mod spec_diff;
mod types_roundtrip;
