//! Shared helpers for the end-to-end tests in `tests/tests/`.

pub mod backend;
pub mod certs;
pub mod dockerd;
pub mod engined;
