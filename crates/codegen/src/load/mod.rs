//! Reading a spec file into a positioned [`Node`] tree.
//!
//! The bytes are checked first (size, binary content, UTF-8), then parsed by
//! the YAML reader (`.yaml`, `.yml` and anything else) or the JSON reader
//! (`.json`). Both enforce the same limits on nesting depth and on the number
//! of nodes, so that no input can exhaust the stack or memory.

mod json;
mod node;
mod scalar;
mod yaml;

use std::path::{Path, PathBuf};

pub use node::{Entry, Node, Pos, Style, Value};
pub(crate) use yaml::{guarded as guarded_yaml, libyaml_input};

/// Largest spec file we read. Docker's is under 0.5 MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Deepest nesting of collections we accept (Docker's spec needs about 20).
pub const MAX_DEPTH: usize = 256;
/// Most nodes a document may expand to, aliases included ("billion laughs").
pub const MAX_NODES: usize = 4_000_000;

/// A loaded spec: its source text and its tree.
#[derive(Debug)]
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub root: Node,
}

/// Why a file could not be loaded. Positions are 1-based.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("is a directory, not a spec file")]
    Directory,
    #[error("is {size} bytes; specs larger than {max} bytes are refused")]
    TooLarge { size: u64, max: u64 },
    #[error("is empty; a spec needs at least `swagger: \"2.0\"` or `openapi: 3.0.x`")]
    Empty,
    #[error("looks binary (a NUL byte at {pos}); a spec is YAML or JSON text")]
    Binary { pos: Pos },
    #[error("is not valid UTF-8 at {pos}")]
    NotUtf8 { pos: Pos },
    #[error("{pos}: {message}")]
    Syntax { pos: Pos, message: String },
    #[error("{pos}: nesting deeper than {max} levels")]
    TooDeep { pos: Pos, max: usize },
    #[error("{pos}: the document expands to more than {max} nodes (aliases that multiply?)")]
    TooManyNodes { pos: Pos, max: usize },
}

impl LoadError {
    /// Where in the file the problem is, when the error has a place.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            LoadError::Binary { pos }
            | LoadError::NotUtf8 { pos }
            | LoadError::Syntax { pos, .. }
            | LoadError::TooDeep { pos, .. }
            | LoadError::TooManyNodes { pos, .. } => Some(*pos),
            _ => None,
        }
    }
}

/// Reads and parses the file at `path`.
pub fn load_file(path: &Path) -> Result<Document, LoadError> {
    let text = read_file(path)?;
    let root = parse_file_text(path, &text)?;
    Ok(Document {
        path: path.to_path_buf(),
        text,
        root,
    })
}

/// The text of the spec file at `path`, checked (size, binary content,
/// UTF-8, not empty) but not parsed: what [`parse_file_text`] reads, so
/// that rules needing only the text can run while it parses.
pub fn read_file(path: &Path) -> Result<String, LoadError> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(LoadError::Directory);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            size: meta.len(),
            max: MAX_FILE_BYTES,
        });
    }
    checked_text(std::fs::read(path)?)
}

/// The tree of `text`, the [`read_file`] text of the file at `path`: JSON
/// for a `.json` file, YAML otherwise.
pub fn parse_file_text(path: &Path, text: &str) -> Result<Node, LoadError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    parse_text(text, is_json)
}

/// Parses YAML (or JSON, a subset the YAML reader also accepts) from a string.
pub fn load_str(name: &str, text: &str) -> Result<Document, LoadError> {
    let is_json = name.ends_with(".json");
    let text = checked_text(text.as_bytes().to_vec())?;
    let root = parse_text(&text, is_json)?;
    Ok(Document {
        path: PathBuf::from(name),
        text,
        root,
    })
}

/// `bytes` as text, unless too large, binary, not UTF-8 or without content.
fn checked_text(bytes: Vec<u8>) -> Result<String, LoadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            size: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(LoadError::Binary {
            pos: pos_of_offset(&bytes, at),
        });
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(LoadError::NotUtf8 {
                pos: pos_of_offset(e.as_bytes(), at),
            });
        }
    };
    if body(&text).lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    }) {
        return Err(LoadError::Empty);
    }
    Ok(text)
}

/// The text without its byte order mark.
fn body(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The tree of checked text.
fn parse_text(text: &str, is_json: bool) -> Result<Node, LoadError> {
    if is_json {
        json::parse(body(text))
    } else {
        yaml::parse(body(text))
    }
}

/// The 1-based line and column of a byte offset (columns count characters).
pub fn pos_of_offset(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos {
        line: line as u32,
        col: col as u32,
    }
}

/// Counts nodes and tracks depth while a tree is built, for the limits above.
pub(crate) struct Budget {
    nodes: usize,
}

impl Budget {
    pub(crate) fn new() -> Self {
        Budget { nodes: 0 }
    }

    pub(crate) fn add(&mut self, count: usize, pos: Pos) -> Result<(), LoadError> {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes > MAX_NODES {
            return Err(LoadError::TooManyNodes {
                pos,
                max: MAX_NODES,
            });
        }
        Ok(())
    }

    pub(crate) fn depth(depth: usize, pos: Pos) -> Result<(), LoadError> {
        if depth > MAX_DEPTH {
            return Err(LoadError::TooDeep {
                pos,
                max: MAX_DEPTH,
            });
        }
        Ok(())
    }
}
