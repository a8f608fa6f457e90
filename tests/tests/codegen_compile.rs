//! The generator works on any valid spec: for our swagger.yaml, Docker's
//! reference specs (v1.41, v1.44, v1.50) and the small fixture specs (every schema shape), it
//! writes a standalone crate under `target/codegen-tests/`, and each crate
//! must pass `cargo clippy --all-targets -- -D warnings`. The shapes crate
//! also runs a behaviour test against its generated types. The golden
//! files of `codegen/tests/golden/` (types, server and client of each
//! fixture) are built into a crate each, on the runtime's support layer.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::emit::{self, standalone, write_generated, Mode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn work_dir() -> PathBuf {
    root().join("target").join("codegen-tests")
}

/// Generates the standalone crate of `spec` into `target/codegen-tests/<name>`.
fn generate(spec: &Path, name: &str) -> PathBuf {
    let api = emit::load_api(spec).unwrap_or_else(|e| panic!("{e}"));
    let dir = work_dir().join(name);
    let source = spec.file_name().unwrap().to_string_lossy().into_owned();
    let files = standalone::standalone_crate(&api, &standalone::crate_name_for(&dir), &source)
        .unwrap_or_else(|e| panic!("{e}"));
    for file in files {
        write_generated(&dir.join(&file.path), &file.text, &Mode::Write).unwrap();
    }
    // The workspace's lock file pins the same serde the workspace builds.
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// Runs `cargo <args>` in `dir` with a target directory shared by all the
/// generated crates; panics with cargo's output when it fails.
fn cargo(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", work_dir().join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "`cargo {}` failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn clippy(dir: &Path) {
    cargo(
        dir,
        &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
    );
}

fn fixture(name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/specs")
        .join(format!("{name}.yaml"))
}

#[test]
fn swagger_yaml_types_compile_without_warnings() {
    clippy(&generate(&root().join("swagger.yaml"), "swagger"));
}

/// Generates and clippy-checks the crate of Docker's reference spec of
/// API `version`, when the shared folder beside the checkout has it.
fn reference_compiles(version: &str, name: &str) {
    let spec = root().join(format!("../shared/reference/engine-api-v{version}.yaml"));
    if !spec.exists() {
        eprintln!("skipped: {} is absent", spec.display());
        return;
    }
    clippy(&generate(&spec, name));
}

#[test]
fn reference_spec_types_compile_without_warnings() {
    reference_compiles("1.44", "reference");
}

#[test]
fn older_reference_spec_v1_41_compiles_without_warnings() {
    reference_compiles("1.41", "reference-v1-41");
}

/// v1.50 has a `required` name without a property
/// (`ImageManifestSummary.ImageData`): a warning, and it still generates.
#[test]
fn newer_reference_spec_v1_50_compiles_without_warnings() {
    reference_compiles("1.50", "reference-v1-50");
}

#[test]
fn fixture_specs_compile_without_warnings() {
    for name in ["operations", "openapi3"] {
        clippy(&generate(&fixture(name), name));
    }
}

/// Written beside the generated shapes crate (not by the generator): what
/// the generated types do with JSON.
const SHAPES_BEHAVIOUR: &str = r#"//! Behaviour of the types generated from tests/fixtures/specs/shapes.yaml.

use serde_json::json;
use shapes::*;

#[test]
fn unknown_enum_values_are_kept() {
    let s: Status = serde_json::from_value(json!("paused-by-newer-daemon")).unwrap();
    assert_eq!(s, Status::Other("paused-by-newer-daemon".into()));
    assert_eq!(serde_json::to_value(&s).unwrap(), json!("paused-by-newer-daemon"));
    assert_eq!(Status::from("other"), Status::OtherValue);
    assert_eq!(Status::from(""), Status::Empty);
    assert_eq!(Status::default(), Status::Unknown);
    assert_eq!(Status::MobyPluginsHttpV1.to_string(), "moby.plugins.http/v1");
    let l: Level = serde_json::from_value(json!(7)).unwrap();
    assert_eq!((l, l.value()), (Level::Other(7), 7));
    assert_eq!(serde_json::to_value(Level::V2).unwrap(), json!(2));
}

#[test]
fn optional_fields_are_skipped_and_null_arrays_read() {
    let h: Holder = serde_json::from_value(json!({"Status": "running", "Level": 1, "Items": null})).unwrap();
    assert_eq!(h.items, None);
    assert_eq!(h.mode, None);
    assert_eq!(
        serde_json::to_value(&h).unwrap(),
        json!({"Status": "running", "Level": 1, "Items": null})
    );
    let e: Holder = serde_json::from_value(json!({
        "Status": "", "Level": 0, "Items": ["a"], "Extras": {"k": null, "l": ["x"]}
    })).unwrap();
    let extras = e.extras.unwrap();
    assert_eq!(extras["k"], None);
    assert_eq!(extras["l"], Some(vec!["x".to_string()]));
}

#[test]
fn merged_recursive_and_keyword_types_round_trip() {
    let ext = json!({"Id": "a", "Size": 18446744073709551615u64, "Nested": {"Deeper": {"Flag": true}}});
    let e: Extended = serde_json::from_value(ext.clone()).unwrap();
    assert_eq!(e.size, u64::MAX);
    assert_eq!(serde_json::to_value(&e).unwrap(), ext);

    let tree = json!({"Name": "root", "Children": [{"Name": "kid"}], "Parent": {"Name": "up"},
                      "Partner": {"Node": {"Name": "p"}}});
    let t: TreeNode = serde_json::from_value(tree.clone()).unwrap();
    assert_eq!(t.parent.as_ref().unwrap().name.as_deref(), Some("up"));
    assert_eq!(serde_json::to_value(&t).unwrap(), tree);

    let kw = json!({"type": "t", "self": "s", "fn": true, "match": 3, "ID": "a", "Id": "b",
                    "com.example.label": "c", "2fa": false});
    let k: Keywords = serde_json::from_value(kw.clone()).unwrap();
    assert_eq!((k.r#type.as_deref(), k.id.as_deref(), k.id2.as_deref()), (Some("t"), Some("a"), Some("b")));
    assert_eq!(serde_json::to_value(&k).unwrap(), kw);

    let w: WithExtra = serde_json::from_value(json!({"Known": "k", "a": 1, "b": 2})).unwrap();
    assert_eq!(w.additional_properties.len(), 2);
    assert_eq!(serde_json::to_value(&w).unwrap(), json!({"Known": "k", "a": 1, "b": 2}));

    let m: Matrix = serde_json::from_value(json!({"Rows": [[1.5, 2.0], []], "Cells": {"a": {"Value": "v"}}})).unwrap();
    assert_eq!(m.rows.unwrap()[0], vec![1.5, 2.0]);
    let _: OptionType = OptionType::default();
}
"#;

#[test]
fn shapes_fixture_compiles_and_behaves() {
    let dir = generate(&fixture("shapes"), "shapes");
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::write(tests.join("behaviour.rs"), SHAPES_BEHAVIOUR).unwrap();
    clippy(&dir);
    cargo(&dir, &["test", "--quiet"]);
}

/// The runtime's `[features]` and `[dependencies]` (generated/Cargo.toml),
/// with the workspace's versions written in, for a crate that compiles the
/// support layer as one of its modules.
fn runtime_manifest_tables() -> String {
    let manifest = std::fs::read_to_string(root().join("generated/Cargo.toml")).unwrap();
    let start = manifest
        .find("[features]")
        .expect("the runtime has features");
    let end = manifest[start..]
        .find("[dev-dependencies]")
        .map_or(manifest.len(), |i| start + i);
    manifest[start..end]
        .replace(
            "serde.workspace = true",
            r#"serde = { version = "1", features = ["derive"] }"#,
        )
        .replace("serde_json.workspace = true", r#"serde_json = "1""#)
        .replace("thiserror.workspace = true", r#"thiserror = "2""#)
}

/// A crate of one golden set (`codegen/tests/golden/<name>/`): its three
/// files as modules beside the runtime's support layer, compiled as a
/// module of the crate (`crate::support`, where the generated code and
/// the client's inherent methods expect it).
fn golden_crate(golden: &Path) -> PathBuf {
    let name = golden.file_name().unwrap().to_string_lossy().into_owned();
    let dir = work_dir().join(format!("golden-{name}"));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let manifest = format!(
        "[package]\nname = \"golden-{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{}\n\
         [workspace]\n",
        runtime_manifest_tables(),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let support = root().join("generated/src/support/mod.rs");
    std::fs::write(
        src.join("lib.rs"),
        format!(
            "//! The golden files of one fixture spec, compiled.\n\n\
             #[path = {support:?}]\npub mod support;\n\n\
             #[rustfmt::skip]\npub mod types;\n#[rustfmt::skip]\npub mod server;\n\
             #[rustfmt::skip]\npub mod client;\n",
            support = support.display().to_string(),
        ),
    )
    .unwrap();
    for file in ["types.rs", "server.rs", "client.rs"] {
        std::fs::copy(golden.join(file), src.join(file)).unwrap();
    }
    // `default_handlers!` as a dependent crate uses it: a server of
    // nothing but 501 defaults is a whole `Api`.
    let krate = format!("golden_{name}");
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(
        dir.join("tests/defaults.rs"),
        format!(
            "//! The generated `default_handlers!`, used from outside.\n\n\
             struct Defaults;\n\n{krate}::default_handlers!(Defaults);\n\n\
             #[test]\nfn a_server_of_defaults_is_an_api() {{\n    \
             fn serves<A: {krate}::server::Api>() {{}}\n    serves::<Defaults>();\n}}\n"
        ),
    )
    .unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

#[test]
fn golden_files_compile_without_warnings() {
    let goldens = root().join("codegen/tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&goldens)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("spec.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 3,
        "no golden sets under {}",
        goldens.display()
    );
    for golden in dirs {
        clippy(&golden_crate(&golden));
    }
}
