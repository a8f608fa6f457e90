//! Build facts `GET /version` reports where dockerd reports its Go
//! toolchain and commit: the rustc that compiled engined (`GoVersion`) and
//! the git commit of the source (`GitCommit`), when git knows it.

use std::process::Command;

/// The first line `program args...` prints, trimmed; empty when it fails.
fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.lines().next().map(|l| l.trim().to_owned()))
        .unwrap_or_default()
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    // "rustc 1.84.0 (9fc6b4312 2025-01-07)" -> "rustc1.84.0", shaped like Go's "go1.19.8".
    let version = first_line(&rustc, &["--version"]);
    let toolchain = version
        .split_whitespace()
        .nth(1)
        .map(|v| format!("rustc{v}"))
        .unwrap_or_default();
    println!("cargo:rustc-env=ENGINED_TOOLCHAIN={toolchain}");
    let commit = first_line("git", &["rev-parse", "--short=7", "HEAD"]);
    println!("cargo:rustc-env=ENGINED_GIT_COMMIT={commit}");
}
