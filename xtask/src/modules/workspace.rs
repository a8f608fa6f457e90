//! The targets to check: every lib, proc-macro and bin target of the
//! workspace members, from `cargo metadata --no-deps` (no network, no
//! dependency resolution).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::ModulesError;

/// One crate to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `engined` for a package's lib, `engined/bin/engined-shim` for a bin.
    pub label: String,
    /// Its root file (`src/lib.rs`, `src/main.rs`, ...).
    pub root: PathBuf,
}

/// The workspace root and its targets, in package then target order.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub targets: Vec<Target>,
}

/// Runs `cargo metadata` on `manifest`.
pub fn load(manifest: &Path) -> Result<Workspace, ModulesError> {
    let fail = |message: String| ModulesError::Metadata {
        manifest: manifest.to_path_buf(),
        message,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| fail(format!("cannot run cargo: {e}")))?;
    if !out.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let meta: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| fail(format!("unreadable output: {e}")))?;
    parse(&meta).ok_or_else(|| fail("output without workspace_root or packages".into()))
}

/// The targets in `cargo metadata`'s JSON.
pub fn parse(meta: &Value) -> Option<Workspace> {
    let root = PathBuf::from(meta.get("workspace_root")?.as_str()?);
    let mut targets = Vec::new();
    for package in meta.get("packages")?.as_array()? {
        let name = package.get("name")?.as_str()?;
        for target in package.get("targets")?.as_array()? {
            let kinds: Vec<&str> = target
                .get("kind")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let label = if kinds.contains(&"bin") {
                format!("{name}/bin/{}", target.get("name")?.as_str()?)
            } else if kinds.iter().any(|k| {
                matches!(
                    *k,
                    "lib" | "rlib" | "proc-macro" | "dylib" | "cdylib" | "staticlib"
                )
            }) {
                name.to_string()
            } else {
                continue;
            };
            let root_file = PathBuf::from(target.get("src_path")?.as_str()?);
            targets.push(Target {
                label,
                root: root_file,
            });
        }
    }
    Some(Workspace { root, targets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libs_and_bins_are_targets_tests_and_examples_are_not() {
        let meta = serde_json::json!({
            "workspace_root": "/w",
            "packages": [{
                "name": "engined",
                "targets": [
                    {"name": "engined", "kind": ["lib"], "src_path": "/w/crates/engined/src/lib.rs"},
                    {"name": "engined-shim", "kind": ["bin"], "src_path": "/w/crates/engined/src/bin/engined-shim.rs"},
                    {"name": "suite", "kind": ["test"], "src_path": "/w/crates/engined/tests/main.rs"},
                    {"name": "demo", "kind": ["example"], "src_path": "/w/crates/engined/examples/demo.rs"}
                ]
            }]
        });
        let ws = parse(&meta).unwrap();
        assert_eq!(ws.root, PathBuf::from("/w"));
        let labels: Vec<&str> = ws.targets.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["engined", "engined/bin/engined-shim"]);
    }
}
