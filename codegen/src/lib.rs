//! The spec pipeline of the Engine API toolkit.
//!
//! `load` reads a Swagger 2.0 or OpenAPI 3.0 document (YAML or JSON) into a
//! tree that remembers the line and column of every node; `validate` checks
//! it and reports every problem with its position. Later stages (convert, IR,
//! emit) build on the same tree.

pub mod convert;
pub mod docs;
pub mod emit;
pub mod ir;
pub mod load;
pub mod pointer;
pub mod spec_diff;
pub mod validate;
