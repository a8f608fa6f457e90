//! From text to logical lines: the parser directives at the very top
//! (`# escape=\` or `` # escape=` ``; `# syntax=` is read and ignored),
//! comments (`#` first on a line) dropped, and a line ending in the
//! escape character joined with the next one (comment and empty lines
//! inside a continued instruction are skipped, as Docker does).

use super::{line_error, ParseError};

/// One logical line and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
}

/// The logical lines and the escape character in force.
#[derive(Debug, Clone)]
pub struct Logical {
    pub escape: char,
    pub lines: Vec<Line>,
}

/// A directive line (`# name=value`), if this is one.
fn directive(line: &str) -> Option<(String, String)> {
    let body = line.trim().strip_prefix('#')?.trim();
    let (name, value) = body.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some((name.to_ascii_lowercase(), value.trim().to_string()))
}

pub fn logical_lines(text: &str) -> Result<Logical, ParseError> {
    let mut escape = '\\';
    let mut in_directives = true;
    let mut lines = Vec::new();
    let mut current: Option<Line> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        if in_directives {
            match directive(raw) {
                Some((name, value)) if name == "escape" => {
                    escape = match value.as_str() {
                        "\\" => '\\',
                        "`" => '`',
                        other => {
                            return Err(line_error(
                                number,
                                format!("invalid escape token '{other}' does not match ` or \\"),
                            ))
                        }
                    };
                    continue;
                }
                Some(_) => continue,
                None => in_directives = false,
            }
        }
        let trimmed = raw.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            if current.is_none() {
                continue;
            }
            continue;
        }
        let (body, continued) = match trimmed.strip_suffix(escape) {
            Some(body) => (body, true),
            None => (raw.trim_start(), false),
        };
        match current.as_mut() {
            Some(line) => line.text.push_str(body),
            None => {
                current = Some(Line {
                    number,
                    text: body.to_string(),
                })
            }
        }
        if !continued {
            if let Some(line) = current.take() {
                lines.push(line);
            }
        }
    }
    if let Some(line) = current.take() {
        lines.push(line);
    }
    Ok(Logical { escape, lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_the_escape_directive() {
        let l = logical_lines("# escape=`\nFROM x\nRUN a `\n# inside\n\n  b\nRUN c\\\n").unwrap();
        assert_eq!(l.escape, '`');
        let texts: Vec<_> = l
            .lines
            .iter()
            .map(|l| (l.number, l.text.as_str()))
            .collect();
        assert_eq!(texts, [(2, "FROM x"), (3, "RUN a b"), (7, "RUN c\\")]);
        let e = logical_lines("# escape=x\nFROM y\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
