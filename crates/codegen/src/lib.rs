//! The spec pipeline of the Engine API toolkit: `load` reads a Swagger 2.0
//! or OpenAPI 3.0 document (YAML or JSON) into a tree that remembers the
//! line and column of every node; `validate` checks it against the rule
//! catalog (`validate::catalog`: errors for what the standards forbid,
//! warnings for the legal but suspicious and for YAML style) and reports
//! each finding with its position and JSON pointer; `convert` turns
//! Swagger 2.0 into OpenAPI 3; `ir` resolves one model of types and
//! operations (each parameter's wire encoding decided once); `emit` writes
//! the types, server and client (and standalone crates for other specs);
//! `docs` renders the HTML reference; `spec_diff` compares two specs on the
//! wire.

pub mod convert;
pub mod docs;
pub mod emit;
pub mod ir;
pub mod load;
pub mod pointer;
pub mod spec_diff;
mod threads;
pub mod validate;
