//! The library half of `cargo xtask`: what end-to-end tests call in-process
//! (the conformance tool, the module-cycle check) and what every subcommand shares.

pub mod conformance;
pub mod modules;

/// The repository root (the xtask crate's parent), so commands work from
/// any directory.
pub fn project_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
