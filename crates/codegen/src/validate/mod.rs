//! Spec validation: every problem in a document, each with its position.
//!
//! Three families of rules run over one loaded document:
//! - `lint`: the YAML text itself (yamllint's default rules as Docker keeps
//!   them: document-start and line-length off);
//! - `structure`: the Swagger 2.0 / OpenAPI 3.0 object model (required
//!   fields, allowed keys, value types);
//! - `semantic`: what the object model cannot say ($ref targets, unique
//!   operationIds, path parameters, value/type fit, ...).
//!
//! Every finding is made from a [`Rule`] of the catalog (`catalog`), which
//! fixes its code and severity. Diagnostics come back sorted by position;
//! none stops the others.

mod catalog;
mod diagnostic;
mod fit;
mod lint;
mod refs;
mod semantic;
mod structure;

use std::path::Path;

pub use catalog::{
    markdown_table, render_readme, Family, ReadmeError, Rule, RuleInfo, README_BEGIN, README_END,
};
pub use diagnostic::{Diagnostic, Severity};

use crate::load::{self, Document, LoadError};

/// Which specification a document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecVersion {
    Swagger2,
    OpenApi3,
}

impl SpecVersion {
    /// Detects the version from the root's `swagger` / `openapi` field.
    pub fn of(root: &load::Node) -> Option<SpecVersion> {
        if root.get("swagger").is_some() {
            Some(SpecVersion::Swagger2)
        } else if root.get("openapi").is_some() {
            Some(SpecVersion::OpenApi3)
        } else {
            None
        }
    }
}

/// The outcome of validating one file.
#[derive(Debug)]
pub enum Outcome {
    /// The file was read; here is everything found in it (maybe nothing).
    Checked(Vec<Diagnostic>),
    /// The file could not be read as text at all (missing, binary, too big...).
    Unreadable(LoadError),
}

/// Loads and validates the file at `path`.
pub fn validate_file(path: &Path) -> Outcome {
    match load::load_file(path) {
        Ok(doc) => Outcome::Checked(validate_document(&doc)),
        Err(err @ LoadError::Syntax { .. }) => {
            // A YAML syntax error still leaves text to lint: report both.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            Outcome::Checked(syntax_diagnostics(path, &text, &err))
        }
        Err(err) => Outcome::Unreadable(err),
    }
}

/// Validates source text as if it were the file `name` (used by tests).
pub fn validate_str(name: &str, text: &str) -> Outcome {
    match load::load_str(name, text) {
        Ok(doc) => Outcome::Checked(validate_document(&doc)),
        Err(err @ LoadError::Syntax { .. }) => {
            Outcome::Checked(syntax_diagnostics(Path::new(name), text, &err))
        }
        Err(err) => Outcome::Unreadable(err),
    }
}

fn syntax_diagnostics(path: &Path, text: &str, err: &LoadError) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !is_json(path) {
        lint::check_text(text, &mut out);
    }
    let message = match err {
        LoadError::Syntax { message, .. } => message.clone(),
        other => other.to_string(),
    };
    out.push(Diagnostic::new(
        Rule::YamlSyntax,
        err.pos().unwrap_or_default(),
        message,
        "",
    ));
    finish(path, out)
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Runs every rule on a loaded document.
pub fn validate_document(doc: &Document) -> Vec<Diagnostic> {
    // The token lint re-scans the text; it runs beside the tree rules.
    let (out, tokens) = std::thread::scope(|scope| {
        let tokens = scope.spawn(|| token_findings(&doc.path, &doc.text));
        let mut out = Vec::new();
        check_tree_rules(doc, &mut out);
        let tokens = tokens
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (out, tokens)
    });
    validated(doc, out, tokens)
}

/// What the token lint finds in the text of the file `path` (nothing for
/// JSON): it re-scans the text on its own, so it can run while the text is
/// parsed, the longest rule beside the longest stage. Given to
/// [`validate_document_with`], which runs the other rules.
pub fn token_findings(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !is_json(path) {
        lint::check_tokens(text, &mut out);
    }
    out
}

/// [`validate_document`] for a document whose [`token_findings`] are known.
pub fn validate_document_with(doc: &Document, tokens: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_tree_rules(doc, &mut out);
    validated(doc, out, tokens)
}

/// The tree rules' findings and then the token lint's, sorted by
/// [`finish`].
fn validated(doc: &Document, mut out: Vec<Diagnostic>, tokens: Vec<Diagnostic>) -> Vec<Diagnostic> {
    out.extend(tokens);
    finish(&doc.path, out)
}

fn check_tree_rules(doc: &Document, out: &mut Vec<Diagnostic>) {
    if !is_json(&doc.path) {
        lint::check_text(&doc.text, out);
        lint::check_tree(&doc.root, out);
    }
    match SpecVersion::of(&doc.root) {
        None => out.push(Diagnostic::new(
            Rule::SpecVersion,
            doc.root.pos,
            "neither `swagger: \"2.0\"` nor `openapi: 3.0.x` at the top level; \
             this is not a Swagger or OpenAPI document"
                .into(),
            "",
        )),
        Some(version) => {
            structure::check(version, &doc.root, out);
            let base = doc.path.parent().unwrap_or(Path::new("."));
            semantic::check(version, &doc.root, base, out);
        }
    }
}

fn finish(path: &Path, mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for d in &mut out {
        d.file = path.to_path_buf();
    }
    out.sort_by(|a, b| {
        (a.pos, a.code, &a.message, &a.pointer).cmp(&(b.pos, b.code, &b.message, &b.pointer))
    });
    out.dedup_by(|a, b| a.pos == b.pos && a.code == b.code && a.message == b.message);
    out
}
