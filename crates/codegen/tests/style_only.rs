//! A spec with only style findings is generated from: YAML style is a
//! warning, never a refusal. The fixtures are ours, written to have what
//! hand-kept public specs commonly have: a petstore-expanded-like API with
//! odd indentation and trailing spaces, and a registry API with the kind
//! of findings yamllint reports on Harbor's spec (flush sequences, truthy
//! spellings, comment spacing, colons, brackets, blank lines, no final new
//! line).

use std::path::PathBuf;

use codegen::emit::{self, standalone};
use codegen::validate::{validate_file, Family, Outcome, Rule, Severity};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Validates `name`, asserts every finding is a YAML-style warning and
/// that each of `expected` is among them, then generates a crate from it.
#[track_caller]
fn generates_despite_style(name: &str, expected: &[Rule]) {
    let path = fixture(name);
    let diags = match validate_file(&path) {
        Outcome::Checked(d) => d,
        Outcome::Unreadable(err) => panic!("{name}: {err}"),
    };
    for d in &diags {
        assert_eq!(d.severity, Severity::Warning, "{d}");
        assert_eq!(d.rule.family(), Family::Yaml, "{d}");
    }
    for rule in expected {
        assert!(
            diags.iter().any(|d| d.rule == *rule),
            "{name}: expected a {rule} finding; got {diags:#?}"
        );
    }
    let api = emit::load_api(&path).unwrap_or_else(|err| panic!("{name}: refused: {err}"));
    let runtime = standalone::Runtime::Version("0.1".into());
    let files = standalone::standalone_crate(&api, "style-only", name, &runtime)
        .unwrap_or_else(|err| panic!("{name}: not emitted: {err}"));
    assert!(!files.is_empty());
}

#[test]
fn petstore_expanded_like_spec_is_generated_from() {
    generates_despite_style(
        "bookshelf-expanded.yaml",
        &[Rule::YamlTrailingSpaces, Rule::YamlIndentation],
    );
}

#[test]
fn registry_spec_with_lint_findings_is_generated_from() {
    generates_despite_style(
        "registry-lint.yaml",
        &[
            Rule::YamlIndentation,
            Rule::YamlTruthy,
            Rule::YamlComments,
            Rule::YamlColons,
            Rule::YamlBrackets,
            Rule::YamlEmptyLines,
            Rule::YamlNewLineAtEndOfFile,
        ],
    );
}

#[test]
fn a_real_error_is_still_refused() {
    // The same registry spec with one path parameter left optional: an
    // error by the Swagger 2.0 specification, so nothing is generated.
    let text = std::fs::read_to_string(fixture("registry-lint.yaml")).unwrap();
    let broken = text.replacen(
        "        in: path\n        type: string\n        required: true",
        "        in: path\n        type: string\n        required: false",
        1,
    );
    assert_ne!(broken, text);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("style_only");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("registry-broken.yaml");
    std::fs::write(&path, broken).unwrap();
    let result = emit::load_api(&path);
    std::fs::remove_file(&path).unwrap();
    match result {
        Err(emit::GenerateError::Invalid { diagnostics, .. }) => {
            let errors: Vec<_> = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert_eq!(errors[0].rule, Rule::PathParamNotRequired);
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}
