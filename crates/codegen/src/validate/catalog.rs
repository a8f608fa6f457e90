//! The rule catalog: every finding the validator can report, with its code,
//! family, severity and a one-line summary, in one table.
//!
//! Diagnostics are made from a [`Rule`] only, so a code, its severity and
//! its place in the README's rule table cannot drift apart. Severity
//! follows the standards: an error is what Swagger 2.0, OpenAPI 3.0 or
//! JSON Schema forbid, or what makes generation impossible; what is legal
//! but suspicious, and all YAML style, is a warning.

use std::fmt;

use serde::Serialize;

use super::Severity;

/// Which part of the validator a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// The file could not be read as a document at all.
    Input,
    /// The YAML text (yamllint's default rules as Docker keeps them).
    Yaml,
    /// The Swagger 2.0 / OpenAPI 3.0.x object model.
    Structure,
    /// What the object model cannot express.
    Semantic,
}

impl Family {
    /// Every family, in the README's order.
    pub const ALL: &'static [Family] = &[
        Family::Input,
        Family::Yaml,
        Family::Structure,
        Family::Semantic,
    ];

    /// How the README names the family.
    pub fn title(self) -> &'static str {
        match self {
            Family::Input => "input",
            Family::Yaml => "YAML",
            Family::Structure => "structure",
            Family::Semantic => "semantics",
        }
    }
}

/// One catalog row.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub family: Family,
    pub severity: Severity,
    pub summary: &'static str,
}

/// Declares the [`Rule`] enum and its table together, so that neither can
/// have an entry the other lacks.
macro_rules! catalog {
    ($($rule:ident: $code:literal, $family:ident, $severity:ident, $summary:literal;)*) => {
        /// A validator rule; its code, family and severity come from the catalog.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($rule,)*
        }

        impl Rule {
            /// Every rule, in catalog order.
            pub const ALL: &'static [Rule] = &[$(Rule::$rule,)*];

            /// The rule's catalog row.
            pub fn info(self) -> RuleInfo {
                match self {
                    $(Rule::$rule => RuleInfo {
                        code: $code,
                        family: Family::$family,
                        severity: Severity::$severity,
                        summary: $summary,
                    },)*
                }
            }
        }
    };
}

catalog! {
    Unreadable: "unreadable", Input, Error,
        "the file cannot be read as a document (missing, a directory, binary, not UTF-8, empty, too big, too deep, an alias bomb); exit 2";
    YamlSyntax: "yaml-syntax", Yaml, Error,
        "the text is not well-formed YAML (or JSON)";
    YamlKeyDuplicates: "yaml-key-duplicates", Yaml, Error,
        "a mapping repeats a key: YAML forbids it and readers disagree on which one wins";
    YamlTrailingSpaces: "yaml-trailing-spaces", Yaml, Warning,
        "spaces or tabs at the end of a line";
    YamlTabs: "yaml-tabs", Yaml, Warning,
        "a tab in a line's indentation";
    YamlNewLines: "yaml-new-lines", Yaml, Warning,
        "`\\r\\n` line ends instead of `\\n`";
    YamlNewLineAtEndOfFile: "yaml-new-line-at-end-of-file", Yaml, Warning,
        "the last line has no new line character";
    YamlEmptyLines: "yaml-empty-lines", Yaml, Warning,
        "more than 2 blank lines in a row, or blank lines at the start or end of the file";
    YamlTruthy: "yaml-truthy", Yaml, Warning,
        "a YAML 1.1 boolean spelling (`yes`, `on`, `True`...) where `true` or `false` is meant";
    YamlIndentation: "yaml-indentation", Yaml, Warning,
        "a block not indented by the file's one indentation unit, or a sequence not indented under its key";
    YamlColons: "yaml-colons", Yaml, Warning,
        "spaces before a colon, or more than one after it";
    YamlHyphens: "yaml-hyphens", Yaml, Warning,
        "more than one space after a sequence's hyphen";
    YamlCommas: "yaml-commas", Yaml, Warning,
        "spaces before a comma, or not exactly one after it";
    YamlBraces: "yaml-braces", Yaml, Warning,
        "spaces just inside `{ }`";
    YamlBrackets: "yaml-brackets", Yaml, Warning,
        "spaces just inside `[ ]`";
    YamlComments: "yaml-comments", Yaml, Warning,
        "a comment without a space after `#`, or fewer than 2 spaces before an inline comment";
    YamlCommentsIndentation: "yaml-comments-indentation", Yaml, Warning,
        "a comment on its own line not indented like the content around it";
    SpecVersion: "spec-version", Structure, Error,
        "neither `swagger: \"2.0\"` nor `openapi: 3.0.x` at the top level";
    SchemaRequired: "schema-required", Structure, Error,
        "an object lacks a field its specification requires";
    SchemaUnknownKey: "schema-unknown-key", Structure, Error,
        "a key the object does not have (`x-` extensions are allowed where the specifications allow them)";
    SchemaType: "schema-type", Structure, Error,
        "a field's value has the wrong type";
    SchemaEnum: "schema-enum", Structure, Error,
        "a field's value is not one of the values its specification allows";
    SchemaValue: "schema-value", Structure, Error,
        "a field's value has the right type but a form the specification does not allow";
    SchemaPathKey: "schema-path-key", Structure, Error,
        "a path that does not start with `/`";
    RefUnresolved: "ref-unresolved", Semantic, Error,
        "a `$ref` (local or to a relative file) that points at nothing";
    OperationIdDuplicate: "operation-id-duplicate", Semantic, Error,
        "two operations share an operationId";
    PathParamUndeclared: "path-param-undeclared", Semantic, Error,
        "a `{placeholder}` of the path without an `in: path` parameter";
    PathParamUnused: "path-param-unused", Semantic, Error,
        "an `in: path` parameter without a `{placeholder}` in the path";
    PathParamNotRequired: "path-param-not-required", Semantic, Error,
        "an `in: path` parameter without `required: true`";
    BodyMultiple: "body-multiple", Semantic, Error,
        "an operation with more than one body parameter (Swagger 2.0)";
    BodyAndFormdata: "body-and-formdata", Semantic, Error,
        "an operation with both a body and formData parameters (Swagger 2.0)";
    ParamDuplicate: "param-duplicate", Semantic, Error,
        "a parameter declared twice with the same name and location";
    ParamFileLocation: "param-file-location", Semantic, Error,
        "a `type: file` parameter that is not `in: formData` (Swagger 2.0)";
    ParamCollectionFormat: "param-collection-format", Semantic, Error,
        "`collectionFormat: multi` outside query and formData (Swagger 2.0)";
    ResponseCode: "response-code", Semantic, Error,
        "a response key that is neither a 3-digit HTTP status nor `default`";
    DefaultType: "default-type", Semantic, Error,
        "a `default` that does not fit its schema (type, format range, enum)";
    EnumType: "enum-type", Semantic, Error,
        "an `enum` value that does not fit its schema's type";
    ExampleType: "example-type", Semantic, Warning,
        "an example that does not fit its schema";
    RequiredUnknownProperty: "required-unknown-property", Semantic, Warning,
        "a `required` name that no property declares (own properties or `allOf` branches); generation ignores it";
    ArrayItems: "array-items", Semantic, Error,
        "`type: array` without `items`";
    PathDuplicate: "path-duplicate", Semantic, Error,
        "two paths that differ only in their parameter names";
    DefinitionUnused: "definition-unused", Semantic, Warning,
        "a definition nothing refers to";
}

impl Rule {
    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    pub fn family(self) -> Family {
        self.info().family
    }

    /// The rule with this code, if any.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// The line that opens the README's generated rule table.
pub const README_BEGIN: &str =
    "<!-- rule table: generated by `cargo xtask validate-swagger --rules-markdown`; do not edit -->";
/// The line that closes it.
pub const README_END: &str = "<!-- end of rule table -->";

/// The rule table as Markdown: one row per rule, grouped by family.
pub fn markdown_table() -> String {
    let mut out = String::from("| rule | family | severity | what it finds |\n|---|---|---|---|\n");
    for family in Family::ALL {
        for rule in Rule::ALL.iter().filter(|r| r.family() == *family) {
            let info = rule.info();
            let severity = match info.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                info.code,
                family.title(),
                severity,
                info.summary.replace('|', "\\|")
            ));
        }
    }
    out
}

/// Why a README's rule table cannot be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum ReadmeError {
    #[error("the README has no line `{0}` to mark where the rule table goes")]
    MissingMarker(&'static str),
}

/// `readme` with the text between [`README_BEGIN`] and [`README_END`]
/// replaced by [`markdown_table`].
pub fn render_readme(readme: &str) -> Result<String, ReadmeError> {
    let begin = readme
        .find(README_BEGIN)
        .ok_or(ReadmeError::MissingMarker(README_BEGIN))?;
    let body_start = begin + README_BEGIN.len();
    let end = readme[body_start..]
        .find(README_END)
        .map(|i| body_start + i)
        .ok_or(ReadmeError::MissingMarker(README_END))?;
    Ok(format!(
        "{}\n\n{}\n{}",
        &readme[..body_start],
        markdown_table(),
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            assert!(seen.insert(rule.code()), "{rule} twice");
            assert_eq!(Rule::from_code(rule.code()), Some(*rule));
        }
        assert_eq!(Rule::from_code("no-such-rule"), None);
    }

    #[test]
    fn style_is_never_an_error() {
        // Only what changes a document's meaning is an error at the YAML level.
        for rule in Rule::ALL.iter().filter(|r| r.family() == Family::Yaml) {
            let meaning = matches!(rule, Rule::YamlSyntax | Rule::YamlKeyDuplicates);
            assert_eq!(
                rule.severity() == Severity::Error,
                meaning,
                "{rule} has the wrong severity"
            );
        }
    }

    #[test]
    fn readme_table_is_replaced_between_markers() {
        let readme = format!("intro\n{README_BEGIN}\nSTALE-TABLE\n{README_END}\nrest\n");
        let out = render_readme(&readme).unwrap();
        assert!(out.starts_with(&format!("intro\n{README_BEGIN}\n\n| rule |")));
        assert!(out.ends_with(&format!("|\n\n{README_END}\nrest\n")));
        assert!(!out.contains("STALE-TABLE"));
        assert_eq!(render_readme(&out).unwrap(), out);
        assert!(render_readme("no markers").is_err());
    }
}
