//! Golden files: for each small fixture spec of ours under `tests/golden/
//! <name>/spec.yaml`, the generated types, server and client are committed
//! beside it and must equal what the generator makes now. A deliberate
//! change is accepted with `UPDATE_GOLDEN=1 cargo test -p codegen --test
//! golden`, and the diff is then reviewed like any other. (That each golden
//! set compiles is checked by `tests/tests/codegen_compile.rs`.)

use std::path::{Path, PathBuf};

use codegen::emit::{self, client, server, write_generated, Mode};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every fixture directory, sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("spec.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The generated files of one fixture, by file name.
fn generate(dir: &Path) -> Vec<(&'static str, String)> {
    let api = emit::load_api(&dir.join("spec.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let name = dir.file_name().unwrap().to_string_lossy();
    let source = format!("crates/codegen/tests/golden/{name}/spec.yaml");
    vec![
        ("types.rs", emit::types_file(&api, &source).unwrap()),
        ("server.rs", server::server_file(&api, &source).unwrap()),
        ("client.rs", client::client_file(&api, &source).unwrap()),
    ]
}

#[test]
fn generated_code_matches_the_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0");
    let mode = if update {
        Mode::Write
    } else {
        Mode::Check {
            command: "UPDATE_GOLDEN=1 cargo test -p codegen --test suite golden::".into(),
        }
    };
    let dirs = fixtures();
    assert!(dirs.len() >= 3, "the golden fixtures are missing");
    let mut stale = Vec::new();
    for dir in &dirs {
        for (file, text) in generate(dir) {
            if let Err(e) = write_generated(&dir.join(file), &text, &mode) {
                stale.push(e.to_string());
            }
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn each_fixture_covers_what_it_is_for() {
    let text = |name: &str, file: &str| {
        std::fs::read_to_string(golden_dir().join(name).join(file)).unwrap()
    };
    // Parameters: every wire encoding is exercised on both sides.
    let client = text("params", "client.rs");
    let server = text("params", "server.rs");
    for needle in [
        "call.query_bool(\"all\", value);",
        "call.query_filters(\"filters\", value);",
        "call.query_list(\"names\", value.iter(), true);",
        "call.query_list(\"fields\", value.iter(), false);",
        "call.header_auth(\"X-Registry-Auth\", x_registry_auth)?;",
    ] {
        assert!(client.contains(needle), "client lacks {needle}");
    }
    for needle in [
        "cx.bool(\"all\")?",
        "cx.filters(\"filters\")?",
        "cx.strings(\"names\")",
        ".flat_map(|v| v.split(','))",
        "cx.registry_auth::<AuthConfig>(\"X-Registry-Auth\")?",
        "rt::parse_path::<i32>(",
    ] {
        assert!(server.contains(needle), "server lacks {needle}");
    }
    // Streams: one answer kind per operation.
    let client = text("streams", "client.rs");
    for needle in [
        "rt::JsonStream<EventMessage>",
        "rt::ByteStream",
        "rt::LogStream",
        "self.hijack(call).await",
        "self.websocket(call).await",
    ] {
        assert!(client.contains(needle), "client lacks {needle}");
    }
    // Shapes: recursion is boxed, enums keep unknown values.
    let types = text("shapes", "types.rs");
    assert!(types.contains("Box<Node>"), "recursion is not boxed");
    assert!(types.contains("Other(String)"), "no fallback variant");
}
