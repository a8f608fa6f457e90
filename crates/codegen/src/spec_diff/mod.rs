//! Comparing two specs' wire contracts (`cargo xtask spec-diff`).
//!
//! Prose (`description`, `summary`, `example(s)`, `externalDocs`,
//! `x-displayName`, `x-logo`, the documentary parts of `info`) is ignored;
//! everything that changes what a client sends or receives is compared:
//! paths, operations, parameters, responses, schemas, types, formats, enums,
//! defaults, `required`, extensions such as `x-nullable`. A local `$ref` and
//! an inline schema of the same shape are equal. Each difference is a JSON
//! pointer with both values and their lines.
//!
//! - `normalize`: the role of each node, which keys are prose, ref following;
//! - `compare`: the side-by-side walk;
//! - `report`: the differences and their text form.

mod compare;
mod normalize;
mod report;

use std::path::{Path, PathBuf};

pub use report::{Difference, Report, Side};

use crate::load::{self, Document, LoadError};

/// A spec that could not be loaded for comparison.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct SpecDiffError {
    pub path: PathBuf,
    pub source: LoadError,
}

/// Compares two loaded specs: `ours` is the one pointers refer to.
pub fn diff_documents(ours: &Document, theirs: &Document) -> Report {
    Report {
        ours: ours.path.clone(),
        theirs: theirs.path.clone(),
        differences: compare::compare(&ours.root, &theirs.root),
    }
}

/// Loads and compares two spec files.
pub fn diff_files(ours: &Path, theirs: &Path) -> Result<Report, SpecDiffError> {
    let load = |path: &Path| {
        load::load_file(path).map_err(|source| SpecDiffError {
            path: path.to_path_buf(),
            source,
        })
    };
    let (ours, theirs) = (load(ours)?, load(theirs)?);
    Ok(diff_documents(&ours, &theirs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    const BASE: &str = r##"swagger: "2.0"
info:
  title: Ours
  version: "1.44"
  description: An API.
tags:
  - name: Container
    description: Containers.
produces: [application/json, text/plain]
paths:
  /containers/{id}/json:
    get:
      summary: Inspect
      operationId: ContainerInspect
      tags: [Container]
      parameters:
        - name: id
          in: path
          required: true
          type: string
          description: The id.
        - name: size
          in: query
          type: boolean
          default: false
      responses:
        200:
          description: ok
          schema:
            $ref: "#/definitions/Port"
definitions:
  Port:
    type: object
    description: A port.
    required: [PrivatePort, Type]
    properties:
      PrivatePort:
        type: integer
        format: uint16
        example: 8080
      Type:
        type: string
        enum: ["tcp", "udp"]
      description:
        type: string
        description: A property named description.
  Node:
    type: object
    properties:
      Child:
        $ref: "#/definitions/Node"
"##;

    /// The 1-based line of the first line of `text` containing `needle`.
    fn line_of(text: &str, needle: &str) -> u32 {
        text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
    }

    fn diff(ours: &str, theirs: &str) -> Vec<Difference> {
        let a = load_str("ours.yaml", ours).unwrap();
        let b = load_str("theirs.yaml", theirs).unwrap();
        diff_documents(&a, &b).differences
    }

    fn pointers(ours: &str, theirs: &str) -> Vec<String> {
        diff(ours, theirs).into_iter().map(|d| d.pointer).collect()
    }

    #[test]
    fn identical_specs_have_no_difference() {
        assert!(diff(BASE, BASE).is_empty());
    }

    #[test]
    fn prose_only_changes_are_ignored() {
        let theirs = BASE
            .replace("title: Ours", "title: Theirs")
            .replace("description: The id.", "description: Which container.")
            .replace("summary: Inspect", "summary: Look inside")
            .replace("description: A port.", "externalDocs: {url: 'https://x'}")
            .replace("example: 8080", "example: 80")
            .replace(
                "    description: Containers.\n",
                "    x-displayName: Boxes\n",
            );
        assert!(diff(BASE, &theirs).is_empty(), "{:?}", diff(BASE, &theirs));
    }

    #[test]
    fn a_property_named_description_is_not_prose() {
        let theirs = BASE.replace(
            "      description:\n        type: string\n",
            "      description:\n        type: integer\n",
        );
        assert_eq!(
            pointers(BASE, &theirs),
            ["/definitions/Port/properties/description/type"]
        );
    }

    #[test]
    fn changed_type_enum_and_required_are_reported() {
        let theirs = BASE
            .replace("format: uint16", "format: int64")
            .replace(r#"enum: ["tcp", "udp"]"#, r#"enum: ["tcp", "udp", "sctp"]"#)
            .replace("required: [PrivatePort, Type]", "required: [PrivatePort]");
        let found = diff(BASE, &theirs);
        let ptrs: Vec<&str> = found.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            ptrs,
            [
                "/definitions/Port/properties/PrivatePort/format",
                "/definitions/Port/properties/Type/enum",
                "/definitions/Port/required",
            ]
        );
        let e = &found[1];
        assert_eq!(e.ours.value, Some(serde_json::json!(["tcp", "udp"])));
        assert_eq!(
            e.theirs.value,
            Some(serde_json::json!(["tcp", "udp", "sctp"]))
        );
        assert_eq!(e.ours.line, line_of(BASE, "enum: [\"tcp\""));
        assert_eq!(e.theirs.line, line_of(&theirs, "enum: [\"tcp\""));
    }

    #[test]
    fn enum_order_matters_but_set_order_does_not() {
        let theirs = BASE
            .replace(r#"enum: ["tcp", "udp"]"#, r#"enum: ["udp", "tcp"]"#)
            .replace(
                "required: [PrivatePort, Type]",
                "required: [Type, PrivatePort]",
            )
            .replace(
                "[application/json, text/plain]",
                "[text/plain, application/json]",
            );
        assert_eq!(
            pointers(BASE, &theirs),
            ["/definitions/Port/properties/Type/enum"]
        );
    }

    #[test]
    fn inline_schema_equals_an_identical_ref() {
        let inline = r#"            type: object
            required: [Type, PrivatePort]
            properties:
              Type: {type: string, enum: [tcp, udp]}
              PrivatePort: {type: integer, format: uint16, description: inline}
              description: {type: string}
"#;
        let theirs = BASE.replace("            $ref: \"#/definitions/Port\"\n", inline);
        assert!(diff(BASE, &theirs).is_empty(), "{:?}", diff(BASE, &theirs));
        // ... and a differing inline schema is reported at the use site.
        let theirs = theirs.replace("format: uint16, description", "format: int32, description");
        assert_eq!(
            pointers(BASE, &theirs),
            ["/paths/~1containers~1{id}~1json/get/responses/200/schema/properties/PrivatePort/format"]
        );
    }

    #[test]
    fn refs_to_differently_named_identical_definitions_are_equal() {
        let theirs = BASE.replace(
            "definitions:\n",
            "definitions:\n  PortCopy:\n    type: object\n    required: [Type, PrivatePort]\n    properties:\n      PrivatePort: {type: integer, format: uint16}\n      Type: {type: string, enum: [tcp, udp]}\n      description: {type: string}\n",
        );
        let theirs = theirs.replace(
            "$ref: \"#/definitions/Port\"",
            "$ref: \"#/definitions/PortCopy\"",
        );
        // Only the extra definition itself differs.
        assert_eq!(pointers(BASE, &theirs), ["/definitions/PortCopy"]);
    }

    #[test]
    fn recursive_schemas_terminate() {
        let inline = "  Node:\n    type: object\n    properties:\n      Child:\n        type: object\n        properties:\n          Child:\n            $ref: \"#/definitions/Node\"\n";
        let theirs = BASE.replace(
            "  Node:\n    type: object\n    properties:\n      Child:\n        $ref: \"#/definitions/Node\"\n",
            inline,
        );
        assert!(diff(BASE, &theirs).is_empty(), "{:?}", diff(BASE, &theirs));
        // Two mutually recursive definitions against a self-recursive one.
        let pair = BASE.replace(
            "definitions:\n",
            "definitions:\n  A:\n    type: object\n    properties:\n      Child: {$ref: '#/definitions/B'}\n  B:\n    type: object\n    properties:\n      Child: {$ref: '#/definitions/A'}\n",
        );
        let ours = pair.replace("$ref: \"#/definitions/Port\"", "$ref: '#/definitions/A'");
        let theirs = pair.replace("$ref: \"#/definitions/Port\"", "$ref: '#/definitions/Node'");
        assert!(
            diff(&ours, &theirs).is_empty(),
            "{:?}",
            diff(&ours, &theirs)
        );
    }

    #[test]
    fn parameter_order_is_ignored() {
        let ours = BASE;
        let swapped = BASE.replace(
            "        - name: id\n          in: path\n          required: true\n          type: string\n          description: The id.\n        - name: size\n          in: query\n          type: boolean\n          default: false\n",
            "        - name: size\n          in: query\n          type: boolean\n          default: false\n        - name: id\n          in: path\n          required: true\n          type: string\n",
        );
        assert_ne!(swapped, BASE);
        assert!(
            diff(ours, &swapped).is_empty(),
            "{:?}",
            diff(ours, &swapped)
        );
        // A changed parameter is reported at our index.
        let changed = swapped.replace("default: false", "default: true");
        let found = diff(ours, &changed);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].pointer,
            "/paths/~1containers~1{id}~1json/get/parameters/1/default"
        );
    }

    #[test]
    fn renamed_parameter_is_reported() {
        let theirs = BASE.replace("- name: size", "- name: sizes");
        let found = diff(BASE, &theirs);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found
            .iter()
            .all(|d| d.pointer == "/paths/~1containers~1{id}~1json/get/parameters/1"));
        assert!(found.iter().any(|d| d.theirs.value.is_none()
            && d.ours.value.as_ref().and_then(|v| v.get("name"))
                == Some(&serde_json::json!("size"))));
        assert!(found.iter().any(|d| d.ours.value.is_none()
            && d.theirs.value.as_ref().and_then(|v| v.get("name"))
                == Some(&serde_json::json!("sizes"))));
    }

    #[test]
    fn scalars_compare_after_yaml_resolution() {
        // `200` and `"200"` are the same response key.
        let quoted = BASE.replace("        200:\n", "        \"200\":\n");
        assert!(diff(BASE, &quoted).is_empty());
        // `"1.44"` and `1.44` are different values.
        let number = BASE.replace("version: \"1.44\"", "version: 1.44");
        assert_eq!(pointers(BASE, &number), ["/info/version"]);
    }

    #[test]
    fn missing_and_extra_keys_are_reported_with_positions() {
        let theirs = BASE.replace("        format: uint16\n", "        minimum: 0\n");
        let found = diff(BASE, &theirs);
        let ptrs: Vec<&str> = found.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            ptrs,
            [
                "/definitions/Port/properties/PrivatePort/format",
                "/definitions/Port/properties/PrivatePort/minimum",
            ]
        );
        assert_eq!(found[0].theirs.value, None);
        assert_eq!(found[0].ours.line, line_of(BASE, "format: uint16"));
        // Absent in theirs: the line of the mapping that lacks it.
        assert_eq!(found[0].theirs.line, line_of(&theirs, "PrivatePort:"));
        assert_eq!(found[1].ours.value, None);
        assert_eq!(found[1].theirs.value, Some(serde_json::json!(0)));
    }

    #[test]
    fn load_errors_name_the_file() {
        let err = diff_files(Path::new("/nonexistent/a.yaml"), Path::new("b.yaml")).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/a.yaml: "),
            "{err}"
        );
    }
}
