//! The build time benchmark: how long a release build of a crate that
//! depends on ours (engine-api with only the `client` feature: the types
//! and the client over unix sockets and tcp, without the `tls` and
//! `websocket` features, as bollard's defaults have neither) takes, from nothing, against one that depends on
//! bollard with its default features. Each is a one-line library in a
//! fresh directory with a fresh target dir, built offline with this
//! benchmark's lock file (so shared dependencies have the same versions),
//! one after the other; the directories are removed afterwards.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Wall-clock seconds of a cold `cargo build --release` of a library that
/// depends on `dependency` (a Cargo.toml dependency line).
fn cold_build(dir: &Path, name: &str, dependency: &str) -> Result<f64, String> {
    let krate = dir.join(name);
    let io = |e: std::io::Error| format!("{}: {e}", krate.display());
    std::fs::create_dir_all(krate.join("src")).map_err(io)?;
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[workspace]\n\n[dependencies]\n{dependency}\n"
        ),
    )
    .map_err(io)?;
    std::fs::write(
        krate.join("src/lib.rs"),
        "//! Only its dependency is built.\n",
    )
    .map_err(io)?;
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    std::fs::copy(&lock, krate.join("Cargo.lock")).map_err(io)?;
    let start = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--offline", "--quiet"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    let secs = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&krate);
    if !out.status.success() {
        return Err(format!(
            "the release build of {name} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(secs)
}

/// Seconds for ours and for bollard, built one after the other in `dir`.
pub fn measure(dir: &Path) -> Result<(f64, f64), String> {
    let engine_api = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/engine-api");
    let ours = cold_build(
        dir,
        "build-ours",
        &format!(
            "engine-api = {{ path = \"{}\", default-features = false, features = [\"client\"] }}",
            engine_api.display()
        ),
    )?;
    let theirs = cold_build(dir, "build-bollard", "bollard = \"0.21\"")?;
    Ok((ours, theirs))
}
