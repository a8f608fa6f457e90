//! From a spec file to the IR: load, validate (a spec with errors is not
//! generated from), convert, lower.

use std::path::{Path, PathBuf};

use crate::convert::{self, ConvertError};
use crate::ir::{self, Api, IrError};
use crate::load::{self, LoadError};
use crate::threads::join;
use crate::validate::{self, Diagnostic, Outcome, Severity};

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{}: {source}", path.display())]
    Load { path: PathBuf, source: LoadError },
    #[error("{}: the spec has {} error(s); nothing was generated", path.display(), errors(diagnostics))]
    Invalid {
        path: PathBuf,
        /// Every diagnostic of the validator, warnings included.
        diagnostics: Vec<Diagnostic>,
    },
    #[error("{}:{source}", path.display())]
    Convert { path: PathBuf, source: ConvertError },
    #[error("{}:{source}", path.display())]
    Ir { path: PathBuf, source: IrError },
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// Loads, validates, converts and lowers the spec at `path`.
///
/// The token lint, which scans the text on its own, runs while the text is
/// parsed; the conversion and the lowering, the longer chain, start as
/// soon as the tree is built, beside the rest of the validation: a core is
/// not left idle while another reads the spec.
pub fn load_api(path: &Path) -> Result<Api, GenerateError> {
    let load_error = |source| GenerateError::Load {
        path: path.to_path_buf(),
        source,
    };
    let text = load::read_file(path).map_err(load_error)?;
    std::thread::scope(|s| {
        let tokens = s.spawn(|| validate::token_findings(path, &text));
        let root = match load::parse_file_text(path, &text) {
            Ok(root) => root,
            Err(err) => {
                // The lint's findings (or its panic) are not needed.
                let _ = tokens.join();
                return Err(match err {
                    // The validator reports a syntax error with the lint
                    // findings.
                    LoadError::Syntax { .. } => match validate::validate_file(path) {
                        Outcome::Checked(diagnostics) => GenerateError::Invalid {
                            path: path.to_path_buf(),
                            diagnostics,
                        },
                        Outcome::Unreadable(source) => load_error(source),
                    },
                    source => load_error(source),
                });
            }
        };
        // The document owns a copy of the text the lint may still be
        // reading (the copy costs far less than waiting for the lint).
        let doc = load::Document {
            path: path.to_path_buf(),
            text: text.clone(),
            root,
        };
        let (diagnostics, api) = std::thread::scope(|inner| {
            let api = inner.spawn(|| convert_and_lower(&doc));
            let found = join(tokens);
            (validate::validate_document_with(&doc, found), api.join())
        });
        checked(&doc.path, diagnostics, api)
    })
}

/// Validates, converts and lowers a loaded spec (a spec with errors is not
/// lowered): what [`load_api`] does after reading the file, for a document
/// that came from elsewhere (a string, a fuzzer).
pub fn api_from_document(doc: &load::Document) -> Result<Api, GenerateError> {
    lower(doc, None)
}

/// [`api_from_document`], with the token lint's findings when they are
/// already known.
fn lower(doc: &load::Document, tokens: Option<Vec<Diagnostic>>) -> Result<Api, GenerateError> {
    // Validating, converting and lowering only read the document: the
    // conversion and the lowering run beside the validator.
    let (diagnostics, api) = std::thread::scope(|s| {
        let api = s.spawn(|| convert_and_lower(doc));
        let diagnostics = match tokens {
            Some(found) => validate::validate_document_with(doc, found),
            None => validate::validate_document(doc),
        };
        (diagnostics, api.join())
    });
    checked(&doc.path, diagnostics, api)
}

/// The API, unless the validator found errors: then the conversion's
/// result, even a panic, is dropped (the errors are what the user needs to
/// see). A panic of the converter or the lowering on a spec without errors
/// is a bug of ours, raised again here.
fn checked(
    path: &Path,
    diagnostics: Vec<Diagnostic>,
    api: std::thread::Result<Result<Api, GenerateError>>,
) -> Result<Api, GenerateError> {
    if errors(&diagnostics) > 0 {
        return Err(GenerateError::Invalid {
            path: path.to_path_buf(),
            diagnostics,
        });
    }
    api.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Converts and lowers a loaded spec (whether it is valid is not asked).
fn convert_and_lower(doc: &load::Document) -> Result<Api, GenerateError> {
    let path = &doc.path;
    let converted = convert::convert(doc).map_err(|source| GenerateError::Convert {
        path: path.clone(),
        source,
    })?;
    ir::build(&converted, &doc.root).map_err(|source| GenerateError::Ir {
        path: path.clone(),
        source,
    })
}
