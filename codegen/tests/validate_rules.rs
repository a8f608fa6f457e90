//! One small spec per validator rule, each with exactly one defect: the
//! test asserts the rule code and the line it is reported on, and that the
//! defect-free base spec is clean.

use codegen::validate::{validate_str, Diagnostic, Outcome, Severity};

/// A valid Swagger 2.0 spec; cases edit it to introduce one defect.
const BASE: &str = r##"swagger: "2.0"
info:
  title: "Things API"
  version: "1.0"
basePath: "/v1"
paths:
  /things/{id}:
    get:
      operationId: "ThingGet"
      parameters:
        - name: "id"
          in: "path"
          required: true
          type: "string"
        - name: "all"
          in: "query"
          type: "boolean"
          default: false
      responses:
        200:
          description: "the thing"
          schema:
            $ref: "#/definitions/Thing"
definitions:
  Thing:
    type: "object"
    required:
      - "Name"
    properties:
      Name:
        type: "string"
        example: "box"
      Size:
        type: "integer"
        format: "int32"
      Tags:
        type: "array"
        items:
          type: "string"
"##;

fn diagnostics(name: &str, text: &str) -> Vec<Diagnostic> {
    match validate_str(name, text) {
        Outcome::Checked(diags) => diags,
        Outcome::Unreadable(err) => panic!("{name}: unreadable: {err}"),
    }
}

/// Replaces `from` (which must occur) in the base spec.
fn edit(from: &str, to: &str) -> String {
    assert!(
        BASE.contains(from),
        "case edits text that is not in BASE: {from:?}"
    );
    BASE.replacen(from, to, 1)
}

#[track_caller]
fn expect(text: &str, code: &str, line: u32) {
    let diags = diagnostics("case.yaml", text);
    assert!(
        diags.iter().any(|d| d.code == code && d.pos.line == line),
        "expected {code} at line {line}; got:\n{}",
        diags.iter().map(|d| format!("  {d}\n")).collect::<String>()
    );
}

#[test]
fn base_spec_is_clean() {
    let diags = diagnostics("base.yaml", BASE);
    assert!(diags.is_empty(), "{diags:#?}");
}

// ---- YAML level ----

#[test]
fn trailing_spaces() {
    expect(
        &edit("title: \"Things API\"", "title: \"Things API\"  "),
        "yaml-trailing-spaces",
        3,
    );
}

#[test]
fn tab_in_indentation() {
    // libyaml refuses the tab too; both the lint and the syntax error are reported.
    expect(
        &edit("  version: \"1.0\"", "\tversion: \"1.0\""),
        "yaml-tabs",
        4,
    );
}

#[test]
fn missing_newline_at_end() {
    expect(BASE.trim_end(), "yaml-new-line-at-end-of-file", 39);
}

#[test]
fn crlf_line_endings() {
    expect(&BASE.replace('\n', "\r\n"), "yaml-new-lines", 1);
}

#[test]
fn too_many_blank_lines() {
    expect(&edit("basePath:", "\n\n\nbasePath:"), "yaml-empty-lines", 7);
}

#[test]
fn blank_lines_at_start() {
    expect(&format!("\n{BASE}"), "yaml-empty-lines", 1);
}

#[test]
fn blank_lines_at_end() {
    expect(&format!("{BASE}\n"), "yaml-empty-lines", 40);
}

#[test]
fn duplicate_key() {
    expect(
        &edit(
            "  version: \"1.0\"\n",
            "  version: \"1.0\"\n  title: \"Again\"\n",
        ),
        "yaml-key-duplicates",
        5,
    );
}

#[test]
fn truthy_value() {
    expect(
        &edit(
            "required: true\n          type",
            "required: yes\n          type",
        ),
        "yaml-truthy",
        13,
    );
}

#[test]
fn inconsistent_indentation() {
    let text = edit(
        "      Tags:\n        type: \"array\"\n        items:\n          type: \"string\"",
        "      Tags:\n          type: \"array\"\n          items:\n            type: \"string\"",
    );
    expect(&text, "yaml-indentation", 37);
}

#[test]
fn unindented_sequence() {
    expect(
        &edit(
            "    required:\n      - \"Name\"",
            "    required:\n    - \"Name\"",
        ),
        "yaml-indentation",
        28,
    );
}

#[test]
fn space_before_colon() {
    expect(
        &edit("basePath: \"/v1\"", "basePath : \"/v1\""),
        "yaml-colons",
        5,
    );
}

#[test]
fn spaces_after_colon() {
    expect(
        &edit("basePath: \"/v1\"", "basePath:   \"/v1\""),
        "yaml-colons",
        5,
    );
}

#[test]
fn spaces_after_hyphen() {
    expect(
        &edit("      - \"Name\"", "      -   \"Name\""),
        "yaml-hyphens",
        28,
    );
}

#[test]
fn comma_spacing() {
    expect(
        &edit("      - \"Name\"", "      - \"Name\"\n    x-list: [1 , 2]"),
        "yaml-commas",
        29,
    );
}

#[test]
fn bracket_spacing() {
    expect(
        &edit("      - \"Name\"", "      - \"Name\"\n    x-list: [ 1, 2 ]"),
        "yaml-brackets",
        29,
    );
}

#[test]
fn brace_spacing() {
    expect(
        &edit("      - \"Name\"", "      - \"Name\"\n    x-map: { a: 1 }"),
        "yaml-braces",
        29,
    );
}

#[test]
fn comment_without_space() {
    expect(
        &edit("basePath: \"/v1\"", "#a comment\nbasePath: \"/v1\""),
        "yaml-comments",
        5,
    );
}

#[test]
fn inline_comment_too_close() {
    expect(
        &edit("basePath: \"/v1\"", "basePath: \"/v1\" # note"),
        "yaml-comments",
        5,
    );
}

#[test]
fn comment_badly_indented() {
    expect(
        &edit("  version: \"1.0\"", "      # stray\n  version: \"1.0\""),
        "yaml-comments-indentation",
        4,
    );
}

#[test]
fn yaml_syntax_error() {
    expect(
        &edit("  version: \"1.0\"", "  version: \"1.0\" x"),
        "yaml-syntax",
        4,
    );
}

// ---- structure ----

#[test]
fn not_a_spec() {
    expect("title: \"hello\"\n", "spec-version", 1);
}

#[test]
fn missing_required_field() {
    expect(&edit("  version: \"1.0\"\n", ""), "schema-required", 3);
}

#[test]
fn unknown_key() {
    expect(&edit("basePath:", "basepath:"), "schema-unknown-key", 5);
}

#[test]
fn extension_keys_are_allowed() {
    let diags = diagnostics("x.yaml", &edit("basePath:", "x-anything: 1\nbasePath:"));
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn wrong_value_type() {
    expect(
        &edit("      operationId: \"ThingGet\"", "      operationId: 42"),
        "schema-type",
        9,
    );
}

#[test]
fn bad_parameter_location() {
    expect(&edit("in: \"query\"", "in: \"cookie\""), "schema-enum", 16);
}

#[test]
fn body_parameter_without_schema() {
    expect(
        &edit(
            "in: \"query\"\n          type: \"boolean\"",
            "in: \"body\"\n          type: \"boolean\"",
        ),
        "schema-unknown-key",
        17,
    );
    expect(
        &edit(
            "in: \"query\"\n          type: \"boolean\"",
            "in: \"body\"\n          type: \"boolean\"",
        ),
        "schema-required",
        15,
    );
}

#[test]
fn response_without_description() {
    expect(
        &edit("          description: \"the thing\"\n", ""),
        "schema-required",
        21,
    );
}

#[test]
fn empty_responses() {
    expect(&edit("      responses:\n        200:\n          description: \"the thing\"\n          schema:\n            $ref: \"#/definitions/Thing\"\n", "      responses: {}\n"), "schema-required", 19);
}

#[test]
fn path_without_slash() {
    expect(
        &edit("  /things/{id}:", "  things/{id}:"),
        "schema-path-key",
        7,
    );
}

#[test]
fn unknown_schema_type() {
    expect(
        &edit("        format: \"int32\"", "        type: \"int\""),
        "yaml-key-duplicates",
        35,
    );
    expect(
        &edit(
            "Size:\n        type: \"integer\"",
            "Size:\n        type: \"int\"",
        ),
        "schema-enum",
        34,
    );
}

#[test]
fn openapi3_structure() {
    let spec = "openapi: \"3.0.3\"\ninfo:\n  title: \"T\"\n  version: \"1\"\npaths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: \"ok\"\n          content:\n            application/json:\n              schema:\n                type: \"object\"\n                nullable: 1\n";
    expect(spec, "schema-type", 15);
    let bad_version = spec.replace("\"3.0.3\"", "\"3.1.0\"");
    expect(&bad_version, "schema-value", 1);
}

// ---- semantics ----

#[test]
fn unresolved_ref() {
    expect(
        &edit(
            "$ref: \"#/definitions/Thing\"",
            "$ref: \"#/definitions/Thingy\"",
        ),
        "ref-unresolved",
        23,
    );
}

#[test]
fn unresolved_file_ref() {
    expect(
        &edit(
            "$ref: \"#/definitions/Thing\"",
            "$ref: \"missing.yaml#/Thing\"",
        ),
        "ref-unresolved",
        23,
    );
}

#[test]
fn duplicate_operation_id() {
    let text = edit(
        "definitions:",
        "  /others:\n    get:\n      operationId: \"ThingGet\"\n      responses:\n        200:\n          description: \"ok\"\ndefinitions:",
    );
    expect(&text, "operation-id-duplicate", 26);
}

#[test]
fn path_placeholder_undeclared() {
    expect(
        &edit("  /things/{id}:", "  /things/{id}/{part}:"),
        "path-param-undeclared",
        8,
    );
}

#[test]
fn path_parameter_unused() {
    expect(
        &edit("  /things/{id}:", "  /things/{key}:"),
        "path-param-unused",
        11,
    );
}

#[test]
fn path_parameter_not_required() {
    expect(
        &edit(
            "          required: true\n          type: \"string\"",
            "          type: \"string\"",
        ),
        "path-param-not-required",
        11,
    );
}

#[test]
fn two_body_parameters() {
    let text = edit(
        "        - name: \"all\"",
        "        - name: \"a\"\n          in: \"body\"\n          schema:\n            type: \"object\"\n        - name: \"b\"\n          in: \"body\"\n          schema:\n            type: \"object\"\n        - name: \"all\"",
    );
    expect(&text, "body-multiple", 19);
}

#[test]
fn body_with_form_data() {
    let text = edit(
        "        - name: \"all\"",
        "        - name: \"a\"\n          in: \"body\"\n          schema:\n            type: \"object\"\n        - name: \"f\"\n          in: \"formData\"\n          type: \"string\"\n        - name: \"all\"",
    );
    expect(&text, "body-and-formdata", 15);
}

#[test]
fn duplicate_parameter() {
    let text = edit("        - name: \"all\"", "        - name: \"all\"\n          in: \"query\"\n          type: \"string\"\n        - name: \"all\"");
    expect(&text, "param-duplicate", 18);
}

#[test]
fn file_parameter_outside_form_data() {
    expect(
        &edit(
            "in: \"query\"\n          type: \"boolean\"\n          default: false",
            "in: \"query\"\n          type: \"file\"",
        ),
        "param-file-location",
        15,
    );
}

#[test]
fn multi_collection_in_header() {
    let text = edit(
        "in: \"query\"\n          type: \"boolean\"\n          default: false",
        "in: \"header\"\n          type: \"array\"\n          collectionFormat: \"multi\"\n          items:\n            type: \"string\"",
    );
    expect(&text, "param-collection-format", 15);
}

#[test]
fn bad_response_code() {
    expect(&edit("        200:", "        20:"), "response-code", 20);
}

#[test]
fn default_of_wrong_type() {
    expect(
        &edit("default: false", "default: \"no\""),
        "default-type",
        18,
    );
}

#[test]
fn default_outside_enum() {
    let text = edit("type: \"boolean\"\n          default: false", "type: \"string\"\n          enum:\n            - \"a\"\n            - \"b\"\n          default: \"c\"");
    expect(&text, "default-type", 21);
}

#[test]
fn enum_value_of_wrong_type() {
    let text = edit(
        "type: \"boolean\"\n          default: false",
        "type: \"integer\"\n          enum:\n            - 1\n            - \"two\"",
    );
    expect(&text, "enum-type", 20);
}

#[test]
fn integer_out_of_format_range() {
    let text = edit(
        "        format: \"int32\"",
        "        format: \"int32\"\n        default: 3000000000",
    );
    expect(&text, "default-type", 36);
}

#[test]
fn example_of_wrong_type_is_a_warning() {
    let text = edit("example: \"box\"", "example: 12");
    expect(&text, "example-type", 32);
    let diags = diagnostics("w.yaml", &text);
    assert!(
        diags.iter().all(|d| d.severity == Severity::Warning),
        "{diags:#?}"
    );
}

#[test]
fn response_example_checked_against_schema() {
    let text = edit(
        "            $ref: \"#/definitions/Thing\"\n",
        "            $ref: \"#/definitions/Thing\"\n          examples:\n            application/json:\n              Name: 7\n",
    );
    expect(&text, "example-type", 26);
}

#[test]
fn required_names_missing_property_is_a_warning() {
    // Swagger 2.0 allows a `required` name without a property (Docker's
    // v1.50 spec has one): reported, but never an error.
    let text = edit("      - \"Name\"", "      - \"Label\"");
    expect(&text, "required-unknown-property", 28);
    let diags = diagnostics("case.yaml", &text);
    assert!(
        diags.iter().all(|d| d.severity == Severity::Warning),
        "{diags:#?}"
    );
}

#[test]
fn array_without_items() {
    expect(
        &edit("        items:\n          type: \"string\"\n", ""),
        "array-items",
        37,
    );
}

#[test]
fn duplicate_path_shapes() {
    let text = edit(
        "definitions:",
        "  /things/{name}:\n    get:\n      operationId: \"ThingByName\"\n      parameters:\n        - name: \"name\"\n          in: \"path\"\n          required: true\n          type: \"string\"\n      responses:\n        200:\n          description: \"ok\"\ndefinitions:",
    );
    expect(&text, "path-duplicate", 24);
}

#[test]
fn unused_definition_is_a_warning() {
    let text = edit(
        "definitions:\n",
        "definitions:\n  Orphan:\n    type: \"string\"\n",
    );
    expect(&text, "definition-unused", 25);
}

#[test]
fn every_diagnostic_is_reported_sorted() {
    // Three independent defects in one file: all are reported, in line order.
    let text = edit("basePath:", "basepath:")
        .replacen("default: false", "default: \"no\"", 1)
        .replacen("      - \"Name\"", "      - \"Label\"", 1);
    let diags = diagnostics("many.yaml", &text);
    let codes: Vec<(&str, u32)> = diags.iter().map(|d| (d.code, d.pos.line)).collect();
    assert_eq!(
        codes,
        vec![
            ("schema-unknown-key", 5),
            ("default-type", 18),
            ("required-unknown-property", 28)
        ]
    );
    let shown = diags[0].to_string();
    assert_eq!(
        shown,
        "many.yaml:5:1: error[schema-unknown-key]: `basepath` is not a field of the root object (at /basepath)"
    );
}

#[test]
fn json_specs_validate_with_positions() {
    let json = "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"T\"},\n  \"paths\": {}\n}\n";
    expect(json, "schema-required", 3);
    let diags = diagnostics("spec.json", json);
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

/// Regression (found by the fuzz test): a block scalar ending the file
/// without a newline panicked the YAML scanner; now it is linted.
#[test]
fn block_scalar_at_end_of_file_without_newline() {
    let text = format!("{}  X:\n    description: |\n      text", BASE);
    let diags = diagnostics("case.yaml", &text);
    assert!(
        diags
            .iter()
            .any(|d| d.code == "yaml-new-line-at-end-of-file"),
        "{diags:#?}"
    );
}
