//! `cargo xtask validate-swagger` as a user runs it: exit codes, output
//! format, and the bad inputs that must give one clear line and exit 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("validate-swagger")
        .args(args)
        .output()
        .expect("run xtask")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("validate_cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs the validator on `bytes` written to `name`; expects exactly one
/// error line naming the file, exit code 2, and no panic.
#[track_caller]
fn expect_unreadable(name: &str, bytes: &[u8], needle: &str) {
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    expect_unreadable_path(&path, needle);
}

#[track_caller]
fn expect_unreadable_path(path: &Path, needle: &str) {
    let out = xtask(&[path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].contains(&*path.to_string_lossy()), "{stderr}");
    assert!(lines[0].contains(needle), "expected {needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn empty_file() {
    expect_unreadable("empty.yaml", b"", "is empty");
    expect_unreadable("comments.yaml", b"# nothing here\n\n", "is empty");
}

#[test]
fn binary_file() {
    expect_unreadable(
        "binary.yaml",
        &[0x7f, b'E', b'L', b'F', 0, 1, 2, 3],
        "looks binary",
    );
}

#[test]
fn invalid_utf8() {
    expect_unreadable(
        "latin1.yaml",
        b"swagger: \"2.0\"\ninfo: \xe9t\xe9\n",
        "not valid UTF-8 at 2:7",
    );
}

#[test]
fn alias_bomb() {
    let mut text = String::from("swagger: \"2.0\"\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    expect_unreadable("laughs.yaml", text.as_bytes(), "expands to more than");
}

#[test]
fn deep_nesting() {
    let text = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    expect_unreadable("deep.yaml", text.as_bytes(), "nesting deeper than");
    let mut block = String::new();
    for depth in 0..1_000 {
        block.push_str(&" ".repeat(depth));
        block.push_str("k:\n");
    }
    expect_unreadable("deep-block.yaml", block.as_bytes(), "nesting deeper than");
}

#[test]
fn huge_file() {
    let path = scratch("huge.yaml");
    let mut f = std::fs::File::create(&path).unwrap();
    let line = "# padding padding padding padding padding padding padding padding\n";
    let chunk = line.repeat(16_384);
    while f.metadata().unwrap().len() < 100 * 1024 * 1024 {
        f.write_all(chunk.as_bytes()).unwrap();
    }
    drop(f);
    expect_unreadable_path(&path, "larger than");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn missing_file() {
    expect_unreadable_path(&scratch("does-not-exist.yaml"), "cannot read");
}

#[test]
fn directory() {
    let dir = scratch("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    expect_unreadable_path(&dir, "is a directory");
}

#[test]
fn errors_exit_1_with_positions_and_json_format() {
    let path = scratch("bad.yaml");
    std::fs::write(
        &path,
        "swagger: \"2.0\"\ninfo:\n  title: \"T\"\npaths: {}\n",
    )
    .unwrap();
    let out = xtask(&[path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "{}:3:3: error[schema-required]: the Info object is missing its required field `version` (at /info)",
            path.display()
        )
    );
    let out = xtask(&["--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["code"], "schema-required");
    assert_eq!(report[0]["line"], 3);
    assert_eq!(report[0]["column"], 3);
    assert_eq!(report[0]["pointer"], "/info");
}

#[test]
fn project_spec_is_valid() {
    let out = xtask(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// What hack/validate-swagger (CI) runs: our spec is clean under --strict,
/// style included, with only the two documented warning rules allowed.
#[test]
fn project_spec_is_strict_clean() {
    let hack = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../hack/validate-swagger"),
    )
    .unwrap();
    assert!(hack.contains("--strict"), "{hack}");
    let out = xtask(&[
        "--strict",
        "--allow",
        "definition-unused",
        "--allow",
        "example-type",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn reference_specs_have_no_errors() {
    // v1.50 has a `required` name without a property: a warning only.
    for version in ["1.41", "1.44", "1.50"] {
        let reference = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../shared/reference/engine-api-v{version}.yaml"));
        if !reference.exists() {
            eprintln!(
                "skipped: {} is absent (../shared is only beside CI and dev checkouts)",
                reference.display()
            );
            continue;
        }
        let out = xtask(&[reference.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "v{version}: {stdout}");
        assert!(!stdout.contains(": error["), "v{version}: {stdout}");
    }
}

/// Regression: a `%` right before a multi-byte character in a `$ref`
/// fragment panicked the validator (exit 101); it is an unresolved ref.
#[test]
fn ref_with_percent_before_a_multibyte_character_is_an_error_not_a_panic() {
    let path = scratch("percent-ref.yaml");
    std::fs::write(
        &path,
        "swagger: \"2.0\"\ninfo:\n  title: \"T\"\n  version: \"1\"\npaths: {}\n\
         definitions:\n  A:\n    $ref: \"#/definitions/%a\u{e9}\"\n",
    )
    .unwrap();
    let out = xtask(&[path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("error[ref-unresolved]"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Regressions (found by fuzzing): input that panics inside libyaml-safer
/// (a block scalar ending the file without a newline; a tag right before
/// `,` in a flow collection) gives diagnostics and exit 1, never 101.
#[test]
fn yaml_library_panics_are_syntax_errors() {
    for (name, text) in [
        ("block-scalar-at-eof.yaml", "a: |\n  x"),
        ("tag-before-comma.yaml", "a: [!x,]\n"),
    ] {
        let path = scratch(name);
        std::fs::write(&path, text).unwrap();
        let out = xtask(&[path.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
        assert!(stdout.contains(": error["), "{name}: {stdout}");
    }
}

/// Style findings are warnings: exit 0, unless `--strict` makes them fail.
#[test]
fn strict_makes_warnings_fail() {
    let path = scratch("style-only.yaml");
    std::fs::write(
        &path,
        "swagger: \"2.0\"\ninfo:\n  title:   \"T\"  \n  version: \"1\"\npaths: {}\n",
    )
    .unwrap();
    let out = xtask(&[path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("warning[yaml-trailing-spaces]"), "{stdout}");
    assert!(stdout.contains("warning[yaml-colons]"), "{stdout}");
    assert!(!stdout.contains("error["), "{stdout}");
    let out = xtask(&["--strict", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--strict: 2 warning(s) fail"), "{stderr}");
}

/// `--allow RULE` keeps a warning rule from failing `--strict`; it is
/// still printed. Errors and unknown codes are usage errors.
#[test]
fn allow_exempts_a_warning_rule_from_strict() {
    let path = scratch("unused.yaml");
    std::fs::write(
        &path,
        "swagger: \"2.0\"\ninfo:\n  title: \"T\"\n  version: \"1\"\npaths: {}\n\
         definitions:\n  Orphan:\n    type: \"string\"\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    assert_eq!(xtask(&["--strict", file]).status.code(), Some(1));
    let out = xtask(&["--strict", "--allow", "definition-unused", file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("warning[definition-unused]"), "{stdout}");
    for bad in ["ref-unresolved", "no-such-rule"] {
        let out = xtask(&["--allow", bad, file]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad),
            "{bad}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn readme_rule_table_check_passes() {
    let out = xtask(&["--rules-markdown", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
