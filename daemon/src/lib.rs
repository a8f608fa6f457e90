//! engined: a small Docker-compatible engine.
//!
//! Its modules (runtimes, containers, images, volumes) and the `engined`
//! binary land issue by issue; this crate holds only what works.
