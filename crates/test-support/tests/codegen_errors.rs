//! Bad input: a spec the validator rejects is not generated from (the
//! diagnostics come back), and a construct the generator does not support
//! is an error naming its JSON pointer and line, never a panic.

use std::path::PathBuf;

use codegen::emit::{self, GenerateError};
use codegen::validate::Severity;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/specs")
        .join(name)
}

#[test]
fn an_invalid_spec_is_refused_with_the_validator_diagnostics() {
    match emit::load_api(&fixture("invalid.yaml")) {
        Err(GenerateError::Invalid { diagnostics, .. }) => {
            let errors: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(ToString::to_string)
                .collect();
            assert_eq!(errors.len(), 2, "{errors:#?}");
            assert!(
                errors.iter().any(|e| e.contains("invalid.yaml:12:19")),
                "{errors:#?}"
            );
        }
        other => panic!("expected the validator's refusal, got {other:?}"),
    }
}

#[test]
fn an_unsupported_construct_names_pointer_and_line() {
    let err = emit::load_api(&fixture("unsupported.yaml")).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GenerateError::Ir { .. }), "{text}");
    assert!(
        text.contains("unsupported.yaml:10:9 (/components/schemas/Shape/not)"),
        "{text}"
    );
}

#[test]
fn a_missing_spec_is_a_load_error() {
    let err = emit::load_api(&fixture("no-such-spec.yaml")).unwrap_err();
    assert!(matches!(err, GenerateError::Load { .. }), "{err}");
}
