//! The one way generated files reach the disk: newlines normalised, a file
//! written only when its content changes, and a check mode that writes
//! nothing and says which command brings a stale file up to date.

use std::path::{Path, PathBuf};

/// What to do with a generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write the file when its content differs.
    Write,
    /// Write nothing; a differing file is an error naming `command`.
    Check { command: String },
}

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Written,
}

/// How a stale file differs from what the generator makes now: the lines
/// between the common beginning and the common end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffSummary {
    /// 1-based line of the first difference.
    pub first_line: usize,
    /// Lines only in the file on disk.
    pub removed: usize,
    /// Lines only in the generated text.
    pub added: usize,
    pub missing: bool,
}

impl std::fmt::Display for DiffSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.missing {
            return write!(f, "missing ({} lines to write)", self.added);
        }
        write!(
            f,
            "differs from line {} (-{} +{} lines)",
            self.first_line, self.removed, self.added
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: stale generated file, {diff}; run `{command}` to update it")]
    Stale {
        path: PathBuf,
        diff: DiffSummary,
        command: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `\r\n` and lone `\r` as `\n`, and exactly one newline at the end.
pub fn normalize(text: &str) -> String {
    let mut out = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    };
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Writes (or checks) one generated file.
pub fn write_generated(path: &Path, text: &str, mode: &Mode) -> Result<Change, WriteError> {
    let text = normalize(text);
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Compared as bytes: a file that is not UTF-8 differs anyway, and only
    // a stale one is read as text (to say where it differs).
    let old = match std::fs::read(path) {
        Ok(old) => Some(old),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    if old.as_deref() == Some(text.as_bytes()) {
        return Ok(Change::Unchanged);
    }
    match mode {
        Mode::Check { command } => Err(WriteError::Stale {
            path: path.to_path_buf(),
            diff: summarize(
                old.as_deref().map(String::from_utf8_lossy).as_deref(),
                &text,
            ),
            command: command.clone(),
        }),
        Mode::Write => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            // Write beside the target, then rename: a reader never sees half
            // a file.
            let mut tmp = path.as_os_str().to_owned();
            tmp.push(".tmp");
            let tmp = PathBuf::from(tmp);
            std::fs::write(&tmp, &text).map_err(io)?;
            std::fs::rename(&tmp, path).map_err(io)?;
            Ok(Change::Written)
        }
    }
}

/// Where `old` and `new` differ, by common prefix and suffix of lines.
pub fn summarize(old: Option<&str>, new: &str) -> DiffSummary {
    let new_lines: Vec<&str> = new.lines().collect();
    let Some(old) = old else {
        return DiffSummary {
            first_line: 1,
            removed: 0,
            added: new_lines.len(),
            missing: true,
        };
    };
    let old_lines: Vec<&str> = old.lines().collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    DiffSummary {
        first_line: prefix + 1,
        removed: old_lines.len() - prefix - suffix,
        added: new_lines.len() - prefix - suffix,
        missing: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("codegen-write-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("sub").join("f.rs")
    }

    #[test]
    fn writes_only_on_change_and_normalises_newlines() {
        let path = scratch("change");
        assert_eq!(
            write_generated(&path, "a\r\nb", &Mode::Write).unwrap(),
            Change::Written
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\n");
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert_eq!(
            write_generated(&path, "a\nb\n\n", &Mode::Write).unwrap(),
            Change::Unchanged
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }

    #[test]
    fn check_mode_writes_nothing_and_names_the_command() {
        let path = scratch("check");
        let mode = Mode::Check {
            command: "cargo xtask codegen".into(),
        };
        let err = write_generated(&path, "x\n", &mode).unwrap_err();
        assert!(!path.exists());
        assert!(err.to_string().contains("missing"), "{err}");
        write_generated(&path, "a\nb\nc\nd\n", &Mode::Write).unwrap();
        let err = write_generated(&path, "a\nB\nB2\nc\nd\n", &mode).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("differs from line 2 (-1 +2 lines)"), "{text}");
        assert!(
            text.ends_with("run `cargo xtask codegen` to update it"),
            "{text}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\nc\nd\n");
        assert_eq!(
            write_generated(&path, "a\nb\nc\nd", &mode).unwrap(),
            Change::Unchanged
        );
    }
}
