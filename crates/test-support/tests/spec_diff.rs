//! `spec-diff` against Docker's reference spec: our swagger.yaml must have
//! the same wire contract (but for the one intended difference below), and a one-enum change to a copy of the reference
//! must be found, exactly. Skipped (with a notice) when ../shared is absent.

use std::path::{Path, PathBuf};

use codegen::spec_diff::diff_files;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// The reference spec, or `None` (after a notice) when ../shared is absent.
fn reference() -> Option<PathBuf> {
    let path = repo_root().join("../shared/reference/engine-api-v1.44.yaml");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} is absent (the reference spec lives in ../shared)",
            path.display()
        );
        None
    }
}

/// Writes `text` to a fresh file under Cargo's per-test temporary directory.
fn temp_copy(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("spec-diff-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write the temporary spec");
    path
}

#[test]
fn swagger_yaml_matches_the_reference_wire_contract() {
    let Some(reference) = reference() else {
        return;
    };
    let report = diff_files(&repo_root().join("swagger.yaml"), &reference).expect("both load");
    // The intended differences: `since`/`until` of the container logs
    // are strings, as the docker CLI sends `seconds.nanos` there (the
    // reference declares integers, dockerd reads fractions); `Isolation`
    // may be empty, as every Linux dockerd sends it (API 1.50's spec
    // lists "" too); the stats sample is described (Docker's API 1.50 spec
    // has such definitions too) so that the client decodes it typed: the
    // definitions are new, the answer's schema and the wire stay as they are;
    // `t` of POST /build and `changes` of POST /commit are repeated keys
    // (`collectionFormat: multi`), which is what the docker CLI sends and
    // dockerd reads: one value on the wire is unchanged, several are now typed.
    let intended = [
        "/definitions/ContainerBlkioStatEntry",
        "/definitions/ContainerBlkioStats",
        "/definitions/ContainerCPUStats",
        "/definitions/ContainerCPUUsage",
        "/definitions/ContainerMemoryStats",
        "/definitions/ContainerNetworkStats",
        "/definitions/ContainerPidsStats",
        "/definitions/ContainerStatsResponse",
        "/definitions/ContainerStorageStats",
        "/definitions/ContainerThrottlingData",
        "/definitions/HostConfig/allOf/1/properties/Isolation/enum",
        "/definitions/SystemInfo/properties/Isolation/enum",
        "/paths/~1build/post/parameters/2/collectionFormat",
        "/paths/~1build/post/parameters/2/items",
        "/paths/~1build/post/parameters/2/type",
        "/paths/~1commit/post/parameters/7/collectionFormat",
        "/paths/~1commit/post/parameters/7/items",
        "/paths/~1commit/post/parameters/7/type",
        "/paths/~1containers~1{id}~1logs/get/parameters/4/default",
        "/paths/~1containers~1{id}~1logs/get/parameters/4/type",
        "/paths/~1containers~1{id}~1logs/get/parameters/5/default",
        "/paths/~1containers~1{id}~1logs/get/parameters/5/type",
    ];
    let pointers: Vec<&str> = report
        .differences
        .iter()
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(
        pointers,
        intended,
        "swagger.yaml differs from the reference:\n{report}{}",
        report.summary()
    );
}

#[test]
fn a_changed_enum_in_a_copy_is_the_only_difference() {
    let Some(reference) = reference() else {
        return;
    };
    let text = std::fs::read_to_string(&reference).expect("read the reference");
    let original = r#"enum: ["tcp", "udp", "sctp"]"#;
    assert_eq!(text.matches(original).count(), 1, "the Port enum moved");
    let line = text
        .lines()
        .position(|l| l.contains(original))
        .expect("found above") as u32
        + 1;
    // One wire change (an enum value dropped) and one prose change.
    assert!(text.contains(r#"description: ""#));
    let perturbed = text.replace(original, r#"enum: ["tcp", "udp"]"#).replacen(
        r#"description: ""#,
        r#"description: "Reworded. "#,
        1,
    );
    let copy = temp_copy("enum.yaml", &perturbed);
    let report = diff_files(&reference, &copy).expect("both load");
    std::fs::remove_file(&copy).ok();

    assert_eq!(report.differences.len(), 1, "{report}");
    let d = &report.differences[0];
    assert_eq!(d.pointer, "/definitions/Port/properties/Type/enum");
    let shown = |v: &Option<_>| v.as_ref().map(ToString::to_string);
    assert_eq!(
        shown(&d.ours.value).as_deref(),
        Some(r#"["tcp","udp","sctp"]"#)
    );
    assert_eq!(shown(&d.theirs.value).as_deref(), Some(r#"["tcp","udp"]"#));
    assert_eq!((d.ours.line, d.theirs.line), (line, line));
    assert_eq!(report.summary(), "1 difference(s)");
}
