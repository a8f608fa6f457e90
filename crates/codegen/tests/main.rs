//! The spec pipeline's tests from outside the crate: the JSON reader, every validator rule, the README's rule table, style-only specs, big integers, golden files.
//!
//! One binary for all of them (faster to link than one per file);
//! run one group with `cargo test -p codegen --test suite GROUP::`.

mod big_integers;
mod golden;
mod json_reader;
mod readme_rules;
mod style_only;
mod validate_rules;
