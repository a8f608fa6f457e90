//! The differences found and how they are shown: one line per difference,
//! `POINTER: ours (FILE:LINE) VALUE vs theirs (FILE:LINE) VALUE`, or JSON.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::normalize::{wire_json, Role};
use crate::load::{Node, Pos};

/// Longest value text shown in a line; longer values are cut with `…`.
const MAX_SHOWN: usize = 200;

/// One side of a difference: where it is and its value (prose removed), or
/// `None` when the key or item is absent on this side (then the position is
/// that of the parent that lacks it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    pub line: u32,
    pub col: u32,
    pub value: Option<serde_json::Value>,
}

impl Side {
    pub(crate) fn present(pos: Pos, node: &Node, role: Role) -> Self {
        Side {
            line: pos.line,
            col: pos.col,
            value: Some(wire_json(node, role)),
        }
    }

    pub(crate) fn absent(parent: Pos) -> Self {
        Side {
            line: parent.line,
            col: parent.col,
            value: None,
        }
    }

    fn shown(&self) -> String {
        let Some(value) = &self.value else {
            return "absent".to_string();
        };
        let text = value.to_string();
        match text.char_indices().nth(MAX_SHOWN) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }
}

/// A place where the two specs' wire contracts differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// JSON pointer into our spec (for items matched by identity, such as
    /// parameters, the index is ours; for items only in theirs, theirs).
    pub pointer: String,
    pub ours: Side,
    pub theirs: Side,
}

impl Difference {
    /// The one-line text form, naming the files as given.
    pub fn render(&self, ours_file: &str, theirs_file: &str) -> String {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        format!(
            "{pointer}: ours ({ours_file}:{}) {} vs theirs ({theirs_file}:{}) {}",
            self.ours.line,
            self.ours.shown(),
            self.theirs.line,
            self.theirs.shown()
        )
    }
}

/// The result of comparing two specs.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub ours: PathBuf,
    pub theirs: PathBuf,
    /// Sorted by pointer (numeric tokens in numeric order).
    pub differences: Vec<Difference>,
}

impl Report {
    /// Whether the wire contracts are the same.
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// The closing line: `N difference(s)`.
    pub fn summary(&self) -> String {
        format!("{} difference(s)", self.differences.len())
    }
}

fn short(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// One line per difference, without the summary.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ours, theirs) = (short(&self.ours), short(&self.theirs));
        for d in &self.differences {
            writeln!(f, "{}", d.render(&ours, &theirs))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_sides_and_absence() {
        let d = Difference {
            pointer: "/definitions/Port/properties/Type/enum".into(),
            ours: Side {
                line: 212,
                col: 9,
                value: Some(serde_json::json!(["tcp", "udp"])),
            },
            theirs: Side {
                line: 190,
                col: 9,
                value: None,
            },
        };
        assert_eq!(
            d.render("swagger.yaml", "ref.yaml"),
            "/definitions/Port/properties/Type/enum: ours (swagger.yaml:212) [\"tcp\",\"udp\"] vs theirs (ref.yaml:190) absent"
        );
        let long = Side {
            line: 1,
            col: 1,
            value: Some(serde_json::json!("x".repeat(500))),
        };
        assert_eq!(long.shown().chars().count(), MAX_SHOWN + 1);
    }
}
