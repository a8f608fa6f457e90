//! Every rule of the catalog, positive and negative: one small spec per
//! case with exactly one defect (the rule is reported on the expected line
//! with its catalog severity) and a near miss that must not trigger it.
//! A catalog entry without a case fails `every_rule_has_a_case`.

use codegen::validate::{validate_str, Diagnostic, Outcome, Rule, Severity};

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

/// A valid OpenAPI 3.0 spec.
const O3: &str = "openapi: \"3.0.3\"\ninfo:\n  title: \"T\"\n  version: \"1\"\npaths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: \"ok\"\n          content:\n            application/json:\n              schema:\n                type: \"object\"\n                nullable: true\n";

fn diagnostics(name: &str, text: &str) -> Vec<Diagnostic> {
    match validate_str(name, text) {
        Outcome::Checked(diags) => diags,
        Outcome::Unreadable(err) => panic!("{name}: unreadable: {err}"),
    }
}

/// Replaces `from` (which must occur) in the base spec.
fn edit(from: &str, to: &str) -> String {
    edit_in(BASE, from, to)
}

fn edit_in(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "case edits text that is not there: {from:?}"
    );
    text.replacen(from, to, 1)
}

/// The base spec with its definitions replaced by `defs`.
fn with_definitions(defs: &str) -> String {
    let cut = BASE.find("definitions:\n").unwrap();
    format!("{}definitions:\n{defs}", &BASE[..cut])
}

/// One positive case (`bad` triggers `rule` at `line`) and its negative
/// (`good` is a near miss that must not trigger it).
struct Case {
    rule: Rule,
    what: &'static str,
    bad: String,
    line: u32,
    good: String,
}

fn case(rule: Rule, what: &'static str, bad: String, line: u32, good: String) -> Case {
    Case {
        rule,
        what,
        bad,
        line,
        good,
    }
}

/// A body parameter `name` of the base spec's GET, before `all`.
fn body_param(name: &str) -> String {
    format!("        - name: \"{name}\"\n          in: \"body\"\n          schema:\n            type: \"object\"\n")
}

fn cases() -> Vec<Case> {
    let all_param = "        - name: \"all\"";
    let block_all = "in: \"query\"\n          type: \"boolean\"\n          default: false";
    let others = "  /others:\n    get:\n      operationId: \"ThingGet\"\n      responses:\n        200:\n          description: \"ok\"\ndefinitions:";
    let by_name = "  /things/{name}:\n    get:\n      operationId: \"ThingByName\"\n      parameters:\n        - name: \"name\"\n          in: \"path\"\n          required: true\n          type: \"string\"\n      responses:\n        200:\n          description: \"ok\"\ndefinitions:";
    let all_of = |required: &str| {
        with_definitions(&format!(
            "  Thing:\n    allOf:\n      - $ref: \"#/definitions/Base\"\n      - type: \"object\"\n        required:\n          - \"{required}\"\n        properties:\n          Extra:\n            type: \"string\"\n  Base:\n    type: \"object\"\n    properties:\n      Name:\n        type: \"string\"\n"
        ))
    };
    vec![
        // ---- input ----
        case(Rule::Unreadable, "an empty file", String::new(), 0, BASE.into()),
        // ---- YAML ----
        case(
            Rule::YamlSyntax,
            "text after a quoted scalar",
            edit("  version: \"1.0\"", "  version: \"1.0\" x"),
            4,
            edit("  version: \"1.0\"", "  version: \"1.0 x\""),
        ),
        case(
            Rule::YamlKeyDuplicates,
            "a key twice in one mapping",
            edit("  version: \"1.0\"\n", "  version: \"1.0\"\n  title: \"Again\"\n"),
            5,
            edit("  version: \"1.0\"\n", "  version: \"1.0\"\n  x-title: \"Again\"\n"),
        ),
        case(
            Rule::YamlTrailingSpaces,
            "spaces after a value",
            edit("title: \"Things API\"", "title: \"Things API\"  "),
            3,
            edit("title: \"Things API\"", "title: \"Things API  \""),
        ),
        case(
            Rule::YamlTabs,
            "a tab indenting a key",
            edit("  version: \"1.0\"", "\tversion: \"1.0\""),
            4,
            edit("  version: \"1.0\"", "  version: \"1.0\t\""),
        ),
        case(
            Rule::YamlNewLines,
            "CRLF line ends",
            BASE.replace('\n', "\r\n"),
            1,
            edit("Things API", "Things\\r\\nAPI"),
        ),
        case(
            Rule::YamlNewLineAtEndOfFile,
            "no final new line",
            BASE.trim_end().into(),
            39,
            BASE.into(),
        ),
        case(
            Rule::YamlEmptyLines,
            "three blank lines",
            edit("basePath:", "\n\n\nbasePath:"),
            7,
            edit("basePath:", "\n\nbasePath:"),
        ),
        case(
            Rule::YamlEmptyLines,
            "a blank line at the start",
            format!("\n{BASE}"),
            1,
            BASE.into(),
        ),
        case(
            Rule::YamlEmptyLines,
            "a blank line at the end",
            format!("{BASE}\n"),
            40,
            BASE.into(),
        ),
        case(
            Rule::YamlTruthy,
            "`yes` for true",
            edit("required: true\n          type", "required: yes\n          type"),
            13,
            edit("basePath:", "x-answer: \"yes\"\nbasePath:"),
        ),
        case(
            Rule::YamlIndentation,
            "a block indented by 4 in a 2-space file",
            edit(
                "      Tags:\n        type: \"array\"\n        items:\n          type: \"string\"",
                "      Tags:\n          type: \"array\"\n          items:\n            type: \"string\"",
            ),
            37,
            BASE.into(),
        ),
        case(
            Rule::YamlIndentation,
            "a sequence not indented under its key",
            edit("    required:\n      - \"Name\"", "    required:\n    - \"Name\""),
            28,
            edit("    required:\n      - \"Name\"", "    required: [\"Name\"]"),
        ),
        case(
            Rule::YamlColons,
            "a space before a colon",
            edit("basePath: \"/v1\"", "basePath : \"/v1\""),
            5,
            edit("basePath: \"/v1\"", "basePath: \"/v1 : x\""),
        ),
        case(
            Rule::YamlColons,
            "spaces after a colon",
            edit("basePath: \"/v1\"", "basePath:   \"/v1\""),
            5,
            edit("basePath: \"/v1\"", "basePath: \"   /v1\""),
        ),
        case(
            Rule::YamlHyphens,
            "spaces after a hyphen",
            edit("      - \"Name\"", "      -   \"Name\""),
            28,
            edit("title: \"Things API\"", "title: \"Things -   API\""),
        ),
        case(
            Rule::YamlCommas,
            "a space before a comma",
            edit("      - \"Name\"", "      - \"Name\"\n    x-list: [1 , 2]"),
            29,
            edit("      - \"Name\"", "      - \"Name\"\n    x-list: [1, 2]"),
        ),
        case(
            Rule::YamlBraces,
            "spaces inside braces",
            edit("      - \"Name\"", "      - \"Name\"\n    x-map: { a: 1 }"),
            29,
            edit("      - \"Name\"", "      - \"Name\"\n    x-map: {a: 1}"),
        ),
        case(
            Rule::YamlBrackets,
            "spaces inside brackets",
            edit("      - \"Name\"", "      - \"Name\"\n    x-list: [ 1, 2 ]"),
            29,
            edit("      - \"Name\"", "      - \"Name\"\n    x-list: []"),
        ),
        case(
            Rule::YamlComments,
            "no space after #",
            edit("basePath: \"/v1\"", "#a comment\nbasePath: \"/v1\""),
            5,
            edit("basePath: \"/v1\"", "# a comment\nbasePath: \"/v1\""),
        ),
        case(
            Rule::YamlComments,
            "one space before an inline comment",
            edit("basePath: \"/v1\"", "basePath: \"/v1\" # note"),
            5,
            edit("basePath: \"/v1\"", "basePath: \"/v1\"  # note"),
        ),
        case(
            Rule::YamlCommentsIndentation,
            "a comment indented past its content",
            edit("  version: \"1.0\"", "      # stray\n  version: \"1.0\""),
            4,
            edit("  version: \"1.0\"", "  # placed\n  version: \"1.0\""),
        ),
        // ---- structure ----
        case(
            Rule::SpecVersion,
            "no swagger or openapi field",
            "title: \"hello\"\n".into(),
            1,
            O3.into(),
        ),
        case(
            Rule::SchemaRequired,
            "info without version",
            edit("  version: \"1.0\"\n", ""),
            3,
            BASE.into(),
        ),
        case(
            Rule::SchemaRequired,
            "a body parameter without schema",
            edit(
                "in: \"query\"\n          type: \"boolean\"",
                "in: \"body\"\n          type: \"boolean\"",
            ),
            15,
            edit(
                "in: \"query\"\n          type: \"boolean\"\n          default: false",
                "in: \"body\"\n          schema:\n            type: \"boolean\"",
            ),
        ),
        case(
            Rule::SchemaRequired,
            "a response without description",
            edit("          description: \"the thing\"\n", ""),
            21,
            edit("          description: \"the thing\"\n", "          description: \"\"\n"),
        ),
        case(
            Rule::SchemaRequired,
            "empty responses",
            edit(
                "      responses:\n        200:\n          description: \"the thing\"\n          schema:\n            $ref: \"#/definitions/Thing\"\n",
                "      responses: {}\n",
            ),
            19,
            BASE.into(),
        ),
        case(
            Rule::SchemaUnknownKey,
            "a misspelt root field",
            edit("basePath:", "basepath:"),
            5,
            edit("basePath:", "x-anything: 1\nbasePath:"),
        ),
        case(
            Rule::SchemaUnknownKey,
            "a type on a body parameter",
            edit(
                "in: \"query\"\n          type: \"boolean\"",
                "in: \"body\"\n          type: \"boolean\"",
            ),
            17,
            BASE.into(),
        ),
        case(
            Rule::SchemaType,
            "a number for operationId",
            edit("      operationId: \"ThingGet\"", "      operationId: 42"),
            9,
            edit("      operationId: \"ThingGet\"", "      operationId: \"42\""),
        ),
        case(
            Rule::SchemaType,
            "nullable that is not a boolean (OpenAPI 3)",
            edit_in(O3, "nullable: true", "nullable: 1"),
            15,
            O3.into(),
        ),
        case(
            Rule::SchemaEnum,
            "a parameter in a cookie (Swagger 2.0)",
            edit("in: \"query\"", "in: \"cookie\""),
            16,
            edit("in: \"query\"", "in: \"header\""),
        ),
        case(
            Rule::SchemaEnum,
            "an unknown schema type",
            edit("Size:\n        type: \"integer\"", "Size:\n        type: \"int\""),
            34,
            edit("Size:\n        type: \"integer\"", "Size:\n        type: \"number\""),
        ),
        case(
            Rule::SchemaValue,
            "openapi 3.1",
            edit_in(O3, "\"3.0.3\"", "\"3.1.0\""),
            1,
            edit_in(O3, "\"3.0.3\"", "\"3.0.0\""),
        ),
        case(
            Rule::SchemaPathKey,
            "a path without /",
            edit("  /things/{id}:", "  things/{id}:"),
            7,
            edit("definitions:", "  x-things: {}\ndefinitions:"),
        ),
        // ---- semantics ----
        case(
            Rule::RefUnresolved,
            "a missing definition",
            edit("$ref: \"#/definitions/Thing\"", "$ref: \"#/definitions/Thingy\""),
            23,
            BASE.into(),
        ),
        case(
            Rule::RefUnresolved,
            "a missing file",
            edit("$ref: \"#/definitions/Thing\"", "$ref: \"missing.yaml#/Thing\""),
            23,
            // A remote URL is not fetched, so not reported.
            edit(
                "$ref: \"#/definitions/Thing\"",
                "$ref: \"https://example.invalid/t.yaml#/Thing\"",
            ),
        ),
        case(
            Rule::OperationIdDuplicate,
            "an operationId twice",
            edit("definitions:", others),
            26,
            edit("definitions:", &others.replace("ThingGet", "OtherGet")),
        ),
        case(
            Rule::PathParamUndeclared,
            "a placeholder without a parameter",
            edit("  /things/{id}:", "  /things/{id}/{part}:"),
            8,
            edit(
                "  /things/{id}:\n    get:",
                "  /things/{id}/{part}:\n    parameters:\n      - name: \"part\"\n        in: \"path\"\n        required: true\n        type: \"string\"\n    get:",
            ),
        ),
        case(
            Rule::PathParamUnused,
            "a path parameter without a placeholder",
            edit("  /things/{id}:", "  /things/{key}:"),
            11,
            BASE.into(),
        ),
        case(
            Rule::PathParamNotRequired,
            "a path parameter that is optional",
            edit(
                "          required: true\n          type: \"string\"",
                "          type: \"string\"",
            ),
            11,
            BASE.into(),
        ),
        case(
            Rule::BodyMultiple,
            "two body parameters",
            edit(all_param, &format!("{}{}{all_param}", body_param("a"), body_param("b"))),
            19,
            edit(all_param, &format!("{}{all_param}", body_param("a"))),
        ),
        case(
            Rule::BodyAndFormdata,
            "a body and a formData parameter",
            edit(
                all_param,
                &format!(
                    "{}        - name: \"f\"\n          in: \"formData\"\n          type: \"string\"\n{all_param}",
                    body_param("a")
                ),
            ),
            15,
            edit(
                all_param,
                &format!(
                    "        - name: \"f\"\n          in: \"formData\"\n          type: \"string\"\n{all_param}"
                ),
            ),
        ),
        case(
            Rule::ParamDuplicate,
            "a query parameter twice",
            edit(
                all_param,
                &format!("{all_param}\n          in: \"query\"\n          type: \"string\"\n{all_param}"),
            ),
            18,
            edit(
                all_param,
                &format!("{all_param}\n          in: \"header\"\n          type: \"string\"\n{all_param}"),
            ),
        ),
        case(
            Rule::ParamFileLocation,
            "a file in the query",
            edit(block_all, "in: \"query\"\n          type: \"file\""),
            15,
            edit(block_all, "in: \"formData\"\n          type: \"file\""),
        ),
        case(
            Rule::ParamCollectionFormat,
            "multi in a header",
            edit(
                block_all,
                "in: \"header\"\n          type: \"array\"\n          collectionFormat: \"multi\"\n          items:\n            type: \"string\"",
            ),
            15,
            edit(
                block_all,
                "in: \"query\"\n          type: \"array\"\n          collectionFormat: \"multi\"\n          items:\n            type: \"string\"",
            ),
        ),
        case(
            Rule::ResponseCode,
            "a 2-digit status",
            edit("        200:", "        20:"),
            20,
            edit("        200:", "        default:"),
        ),
        case(
            Rule::DefaultType,
            "a string default for a boolean",
            edit("default: false", "default: \"no\""),
            18,
            edit("default: false", "default: true"),
        ),
        case(
            Rule::DefaultType,
            "a default outside the enum",
            edit(
                "type: \"boolean\"\n          default: false",
                "type: \"string\"\n          enum:\n            - \"a\"\n            - \"b\"\n          default: \"c\"",
            ),
            21,
            edit(
                "type: \"boolean\"\n          default: false",
                "type: \"string\"\n          enum:\n            - \"a\"\n            - \"b\"\n          default: \"b\"",
            ),
        ),
        case(
            Rule::DefaultType,
            "an int32 default out of range",
            edit("        format: \"int32\"", "        format: \"int32\"\n        default: 3000000000"),
            36,
            edit("        format: \"int32\"", "        format: \"int64\"\n        default: 3000000000"),
        ),
        case(
            Rule::EnumType,
            "a string among integers",
            edit(
                "type: \"boolean\"\n          default: false",
                "type: \"integer\"\n          enum:\n            - 1\n            - \"two\"",
            ),
            20,
            edit(
                "type: \"boolean\"\n          default: false",
                "type: \"integer\"\n          enum:\n            - 1\n            - 2",
            ),
        ),
        case(
            Rule::ExampleType,
            "a number as a string's example",
            edit("example: \"box\"", "example: 12"),
            32,
            edit("example: \"box\"", "example: \"12\""),
        ),
        case(
            Rule::ExampleType,
            "a response example that does not fit",
            edit(
                "            $ref: \"#/definitions/Thing\"\n",
                "            $ref: \"#/definitions/Thing\"\n          examples:\n            application/json:\n              Name: 7\n",
            ),
            26,
            edit(
                "            $ref: \"#/definitions/Thing\"\n",
                "            $ref: \"#/definitions/Thing\"\n          examples:\n            application/json:\n              Name: \"7\"\n",
            ),
        ),
        case(
            Rule::RequiredUnknownProperty,
            "a required name without a property",
            edit("      - \"Name\"", "      - \"Label\""),
            28,
            edit("      - \"Name\"", "      - \"Size\""),
        ),
        case(
            Rule::RequiredUnknownProperty,
            "an allOf branch requiring what no branch declares",
            all_of("Label"),
            30,
            // The sibling branch (through its $ref) declares `Name`.
            all_of("Name"),
        ),
        case(
            Rule::ArrayItems,
            "an array without items",
            edit("        items:\n          type: \"string\"\n", ""),
            37,
            BASE.into(),
        ),
        case(
            Rule::PathDuplicate,
            "two paths that differ in a parameter name",
            edit("definitions:", by_name),
            24,
            edit("definitions:", &by_name.replace("/things/{name}:", "/things/{name}/parts:")),
        ),
        case(
            Rule::DefinitionUnused,
            "a definition nothing refers to",
            edit("definitions:\n", "definitions:\n  Orphan:\n    type: \"string\"\n"),
            25,
            edit(
                "definitions:\n",
                "definitions:\n  Orphan:\n    type: \"string\"\n",
            )
            .replacen("      Tags:", "      Kind:\n        $ref: \"#/definitions/Orphan\"\n      Tags:", 1),
        ),
    ]
}

#[test]
fn every_rule_has_a_case() {
    let cases = cases();
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|rule| !cases.iter().any(|c| c.rule == **rule))
        .map(|rule| rule.code())
        .collect();
    assert!(
        missing.is_empty(),
        "catalog rules without a case: {missing:?}"
    );
}

#[test]
fn each_case_reports_its_rule_with_the_catalog_severity() {
    let mut failures = Vec::new();
    for c in cases() {
        if c.rule == Rule::Unreadable {
            if !matches!(validate_str("case.yaml", &c.bad), Outcome::Unreadable(_)) {
                failures.push(format!("{} ({}): not unreadable", c.rule, c.what));
            }
            continue;
        }
        let diags = diagnostics("case.yaml", &c.bad);
        let hit = diags
            .iter()
            .find(|d| d.rule == c.rule && d.pos.line == c.line);
        match hit {
            Some(d) if d.severity == c.rule.severity() && d.code == c.rule.code() => {}
            _ => failures.push(format!(
                "{} ({}): expected at line {}; got:\n{}",
                c.rule,
                c.what,
                c.line,
                diags.iter().map(|d| format!("  {d}\n")).collect::<String>()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_near_miss_does_not_report_the_rule() {
    let mut failures = Vec::new();
    for c in cases() {
        let diags = diagnostics("case.yaml", &c.good);
        let wrong: Vec<String> = diags
            .iter()
            .filter(|d| d.rule == c.rule)
            .map(ToString::to_string)
            .collect();
        if !wrong.is_empty() {
            failures.push(format!("{} ({}): {wrong:#?}", c.rule, c.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn base_specs_are_clean() {
    for (name, text) in [("base.yaml", BASE), ("o3.yaml", O3)] {
        let diags = diagnostics(name, text);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
    }
}

#[test]
fn required_sees_properties_declared_around_an_all_of() {
    // The object holding the allOf declares the name a branch requires.
    let holder = with_definitions(
        "  Thing:\n    type: \"object\"\n    properties:\n      Name:\n        type: \"string\"\n    allOf:\n      - required:\n          - \"Name\"\n",
    );
    // An object requires what its own allOf branch declares.
    let own_branch = with_definitions(
        "  Thing:\n    required:\n      - \"Name\"\n    allOf:\n      - $ref: \"#/definitions/Base\"\n  Base:\n    type: \"object\"\n    properties:\n      Name:\n        type: \"string\"\n",
    );
    for text in [holder, own_branch] {
        let diags = diagnostics("all-of.yaml", &text);
        assert!(
            !diags
                .iter()
                .any(|d| d.rule == Rule::RequiredUnknownProperty),
            "{diags:#?}"
        );
    }
}

#[test]
fn style_alone_never_makes_an_error() {
    // Many style findings at once: all warnings, so generation is not refused.
    let text = edit("title: \"Things API\"", "title:   \"Things API\"   ")
        .replacen("basePath: \"/v1\"", "basePath: \"/v1\" #note", 1)
        .replacen(
            "      - \"Name\"",
            "      -  \"Name\"\n    x-list: [ 1 ,2 ]",
            1,
        )
        .replace('\n', "\r\n");
    let diags = diagnostics("style.yaml", &text);
    assert!(diags.len() >= 6, "{diags:#?}");
    assert!(
        diags.iter().all(|d| d.severity == Severity::Warning),
        "{diags:#?}"
    );
}

#[test]
fn every_diagnostic_is_reported_sorted() {
    // Three independent defects in one file: all are reported, in line order.
    let text = edit("basePath:", "basepath:")
        .replacen("default: false", "default: \"no\"", 1)
        .replacen("      - \"Name\"", "      - \"Label\"", 1);
    let diags = diagnostics("many.yaml", &text);
    let found: Vec<(Rule, u32)> = diags.iter().map(|d| (d.rule, d.pos.line)).collect();
    assert_eq!(
        found,
        vec![
            (Rule::SchemaUnknownKey, 5),
            (Rule::DefaultType, 18),
            (Rule::RequiredUnknownProperty, 28)
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
    let diags = diagnostics("spec.json", json);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        (diags[0].rule, diags[0].pos.line),
        (Rule::SchemaRequired, 3)
    );
}

/// Regression (found by the fuzz test): a block scalar ending the file
/// without a newline panicked the YAML scanner; now it is linted.
#[test]
fn block_scalar_at_end_of_file_without_newline() {
    let text = format!("{}  X:\n    description: |\n      text", BASE);
    let diags = diagnostics("case.yaml", &text);
    assert!(
        diags.iter().any(|d| d.rule == Rule::YamlNewLineAtEndOfFile),
        "{diags:#?}"
    );
}

/// The token lint run apart (beside the parser, as `emit::load_api` runs
/// it) and its findings handed over give what validating the document in
/// one call gives, for every case, and `load_api` refuses a bad case with
/// the diagnostics of validating its file.
#[test]
fn token_findings_handed_over_validate_as_one_call() {
    use codegen::validate::{token_findings, validate_document, validate_document_with};
    let dir = std::env::temp_dir().join(format!("codegen-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, case) in cases().iter().enumerate() {
        for text in [&case.bad, &case.good] {
            let Ok(doc) = codegen::load::load_str("case.yaml", text) else {
                continue;
            };
            let whole = validate_document(&doc);
            let tokens = token_findings(&doc.path, &doc.text);
            assert_eq!(
                validate_document_with(&doc, tokens),
                whole,
                "{:?}: {}",
                case.rule,
                case.what
            );
            if !whole.iter().any(|d| d.severity == Severity::Error) {
                continue;
            }
            let path = dir.join(format!("case{i}.yaml"));
            std::fs::write(&path, text).unwrap();
            match codegen::emit::load_api(&path) {
                Err(codegen::emit::GenerateError::Invalid { diagnostics, .. }) => {
                    // The file's own validation ($refs resolve from its
                    // folder, so not the in-memory document's).
                    let Outcome::Checked(expected) = codegen::validate::validate_file(&path) else {
                        panic!("{}: unreadable", path.display());
                    };
                    assert_eq!(diagnostics, expected, "{:?}: {}", case.rule, case.what);
                }
                other => panic!("{:?}: {}: {other:?}", case.rule, case.what),
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
