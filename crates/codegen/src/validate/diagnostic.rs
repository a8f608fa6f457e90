//! One finding of the validator and how it is printed.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::catalog::Rule;
use crate::load::Pos;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// `FILE:LINE:COL: error|warning[CODE]: message (at POINTER)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub file: PathBuf,
    #[serde(flatten)]
    pub pos: Pos,
    pub severity: Severity,
    /// The catalog rule that made this finding.
    #[serde(skip)]
    pub rule: Rule,
    /// The rule's code (`rule.code()`), kept as a field for the JSON report.
    pub code: &'static str,
    pub message: String,
    /// JSON pointer of the node concerned; empty for text-level findings.
    pub pointer: String,
}

impl Serialize for Pos {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Pos", 2)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("column", &self.col)?;
        st.end()
    }
}

impl Diagnostic {
    /// A finding of `rule`, with the rule's catalog severity.
    pub fn new(rule: Rule, pos: Pos, message: String, pointer: &str) -> Self {
        Diagnostic {
            file: PathBuf::new(),
            pos,
            severity: rule.severity(),
            rule,
            code: rule.code(),
            message,
            pointer: pointer.to_string(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file.display(),
            self.pos.line,
            self.pos.col,
            level,
            self.code,
            self.message
        )?;
        if !self.pointer.is_empty() {
            write!(f, " (at {})", self.pointer)?;
        }
        Ok(())
    }
}
