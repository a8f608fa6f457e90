//! Integers beyond i64 in a YAML spec stay numbers (as serde_json holds
//! them: u64 up to u64::MAX, f64 beyond), through loading, JSON conversion
//! and the validator's range checks.

use codegen::load::{load_str, Value};
use codegen::validate::{validate_str, Outcome, Rule};

const SPEC: &str = r##"swagger: "2.0"
info:
  title: "Limits"
  version: "1"
paths:
  /limits:
    get:
      responses:
        200:
          description: "the limits"
          schema:
            $ref: "#/definitions/Limits"
definitions:
  Limits:
    type: "object"
    properties:
      Max:
        type: "integer"
        format: "uint64"
        default: 18446744073709551615
      Huge:
        type: "number"
        example: 1000000000000000000000000000000
      Low:
        type: "integer"
        format: "int64"
        default: -9223372036854775808
"##;

#[test]
fn yaml_integers_beyond_i64_load_as_numbers() {
    let doc = load_str("limits.yaml", SPEC).unwrap();
    let props = &doc.root.to_json()["definitions"]["Limits"]["properties"];
    assert_eq!(props["Max"]["default"].as_u64(), Some(u64::MAX));
    assert_eq!(props["Huge"]["example"].as_f64(), Some(1e30));
    assert_eq!(props["Low"]["default"].as_i64(), Some(i64::MIN));
    // The same document written as JSON reads the same with serde_json.
    let theirs: serde_json::Value = serde_json::from_str(
        r#"{"Max": 18446744073709551615, "Huge": 1000000000000000000000000000000}"#,
    )
    .unwrap();
    assert_eq!(props["Max"]["default"], theirs["Max"]);
    assert_eq!(props["Huge"]["example"], theirs["Huge"]);
    let max = doc
        .root
        .get("definitions")
        .and_then(|d| d.get("Limits"))
        .and_then(|d| d.get("properties"))
        .and_then(|d| d.get("Max"))
        .and_then(|d| d.get("default"))
        .unwrap();
    assert_eq!(max.value, Value::UInt(u64::MAX));
}

#[test]
fn big_integers_are_range_checked_not_rejected_as_strings() {
    let diags = match validate_str("limits.yaml", SPEC) {
        Outcome::Checked(d) => d,
        Outcome::Unreadable(err) => panic!("{err}"),
    };
    assert!(diags.is_empty(), "{diags:#?}");
    // One above i64::MAX does not fit int64: an error about the range.
    let over = SPEC.replace("-9223372036854775808", "9223372036854775808");
    let diags = match validate_str("limits.yaml", &over) {
        Outcome::Checked(d) => d,
        Outcome::Unreadable(err) => panic!("{err}"),
    };
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].rule, Rule::DefaultType);
    assert!(
        diags[0].message.contains("out of range for format int64"),
        "{}",
        diags[0]
    );
}
