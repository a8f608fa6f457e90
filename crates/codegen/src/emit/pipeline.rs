//! From a spec file to the IR: load, validate (a spec with errors is not
//! generated from), convert, lower.

use std::path::{Path, PathBuf};

use crate::convert::{self, ConvertError};
use crate::ir::{self, Api, IrError};
use crate::load::{self, LoadError};
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
pub fn load_api(path: &Path) -> Result<Api, GenerateError> {
    let doc = match load::load_file(path) {
        Ok(doc) => doc,
        Err(LoadError::Syntax { .. }) => {
            // The validator reports a syntax error with the lint findings.
            let diagnostics = match validate::validate_file(path) {
                Outcome::Checked(d) => d,
                Outcome::Unreadable(source) => {
                    return Err(GenerateError::Load {
                        path: path.to_path_buf(),
                        source,
                    })
                }
            };
            return Err(GenerateError::Invalid {
                path: path.to_path_buf(),
                diagnostics,
            });
        }
        Err(source) => {
            return Err(GenerateError::Load {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    api_from_document(&doc)
}

/// Validates, converts and lowers a loaded spec (a spec with errors is not
/// lowered): what [`load_api`] does after reading the file, for a document
/// that came from elsewhere (a string, a fuzzer).
pub fn api_from_document(doc: &load::Document) -> Result<Api, GenerateError> {
    let path = &doc.path;
    // Validating and converting both only read the document: the
    // conversion runs beside the validator and is dropped when the spec
    // has errors (those are what the user needs to see).
    let (diagnostics, converted) = std::thread::scope(|s| {
        let converted = s.spawn(|| convert::convert(doc));
        (validate::validate_document(doc), converted.join())
    });
    if errors(&diagnostics) > 0 {
        return Err(GenerateError::Invalid {
            path: path.clone(),
            diagnostics,
        });
    }
    // A panic of the converter on a spec without errors is a bug of ours.
    let converted = converted.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let converted = converted.map_err(|source| GenerateError::Convert {
        path: path.clone(),
        source,
    })?;
    ir::build(&converted, &doc.root).map_err(|source| GenerateError::Ir {
        path: path.clone(),
        source,
    })
}
