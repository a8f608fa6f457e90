//! The patterns of list filters, on the `regex` crate's linear-time
//! engine so that no pattern, however crafted, makes one request run for
//! long: Docker's `Match` (a value equal to the text, or an RE2 regular
//! expression found in it: `docker ps --filter name=`, `docker volume ls
//! --filter name=`) and Go's `path.Match` globs (`docker images
//! --filter reference=`), translated to anchored regular expressions.

use regex::{Regex, RegexBuilder};

/// The most memory one compiled pattern may take; a bigger one is refused
/// (a glob) or only matched exactly (a `Match` value), never built.
const SIZE_LIMIT: usize = 1 << 20;

/// Why a glob cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Malformed as Go's `path.Match` sees it (an unclosed or empty
    /// class, a dangling `\`, a `-` or `]` where a class member belongs).
    #[error("syntax error in pattern")]
    Syntax,
    /// Valid, but its compiled form would exceed [`SIZE_LIMIT`].
    #[error("pattern too large")]
    TooLarge,
}

fn build(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .build()
}

/// One value of a `Match` filter key: it matches a text equal to it, or
/// one it finds as a regular expression (a value that is no valid
/// expression matches only exactly, as in Docker).
#[derive(Debug, Clone)]
pub struct MatchValue {
    text: String,
    regex: Option<Regex>,
}

impl MatchValue {
    pub fn new(text: &str) -> MatchValue {
        MatchValue {
            text: text.to_string(),
            regex: build(text).ok(),
        }
    }

    pub fn matches(&self, source: &str) -> bool {
        self.text == source || self.regex.as_ref().is_some_and(|r| r.is_match(source))
    }
}

/// Compiles a Go `path.Match` glob: `*` is any run of characters but `/`,
/// `?` one character but `/`, `[...]` a class of characters and ranges
/// (`[^...]` its complement), `\` makes the next character literal. The
/// result matches whole texts only.
pub fn glob(pattern: &str) -> Result<Regex, PatternError> {
    let mut out = String::from("^(?s:");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '\\' => push_literal(&mut out, chars.next().ok_or(PatternError::Syntax)?),
            '[' => {
                let negated = chars.next_if_eq(&'^').is_some();
                let mut ranges: Vec<(char, char)> = Vec::new();
                let mut closed = false;
                loop {
                    if !ranges.is_empty() && chars.next_if_eq(&']').is_some() {
                        closed = true;
                        break;
                    }
                    let lo = class_char(&mut chars)?;
                    let hi = if chars.next_if_eq(&'-').is_some() {
                        class_char(&mut chars)?
                    } else {
                        lo
                    };
                    ranges.push((lo, hi));
                    if chars.peek().is_none() {
                        break;
                    }
                }
                if !closed {
                    return Err(PatternError::Syntax);
                }
                push_class(&mut out, negated, &ranges);
            }
            other => push_literal(&mut out, other),
        }
    }
    out.push_str(")$");
    build(&out).map_err(|e| match e {
        regex::Error::CompiledTooBig(_) => PatternError::TooLarge,
        _ => PatternError::Syntax,
    })
}

/// One member of a class: any character but `-` and `]`, or `\` and the
/// character it makes literal.
fn class_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<char, PatternError> {
    match chars.next() {
        None | Some('-') | Some(']') => Err(PatternError::Syntax),
        Some('\\') => chars.next().ok_or(PatternError::Syntax),
        Some(c) => Ok(c),
    }
}

fn push_literal(out: &mut String, c: char) {
    out.push_str(&regex::escape(c.encode_utf8(&mut [0u8; 4])));
}

fn push_class(out: &mut String, negated: bool, ranges: &[(char, char)]) {
    let members: Vec<String> = ranges
        .iter()
        .filter(|(lo, hi)| lo <= hi)
        .map(|&(lo, hi)| format!("\\x{{{:x}}}-\\x{{{:x}}}", lo as u32, hi as u32))
        .collect();
    match (members.is_empty(), negated) {
        // Only reversed ranges: nothing, or (negated) any character.
        (true, false) => out.push_str("[^\\x{0}-\\x{10ffff}]"),
        (true, true) => out.push_str("(?s:.)"),
        (false, _) => {
            out.push('[');
            if negated {
                out.push('^');
            }
            out.push_str(&members.concat());
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn g(pattern: &str, text: &str) -> bool {
        glob(pattern).unwrap().is_match(text)
    }

    #[test]
    fn globs_like_go_path_match() {
        assert!(g("mini", "mini"));
        assert!(!g("mini", "mini2"));
        assert!(!g("mini", "xmini"));
        assert!(g("mi*", "mini:latest"));
        assert!(g("*:v?", "mini:v2"));
        assert!(!g("*", "team/app"));
        assert!(g("*/*", "team/app"));
        assert!(!g("?", "/"));
        assert!(g("m[a-j]ni", "mini"));
        assert!(!g("m[^i]ni", "mini"));
        assert!(g("m[^x]ni", "mini"));
        // `!` is no negation for Go, just a member.
        assert!(g("m[!i]ni", "mini"));
        assert!(g("a\\*b", "a*b"));
        assert!(!g("a\\*b", "axb"));
        assert!(g("[\\]]", "]"));
        assert!(g("a.b", "a.b"));
        assert!(!g("a.b", "axb"));
        // A reversed range is legal and holds nothing.
        assert!(!g("x[b-a]y", "xay"));
        assert!(g("x[^b-a]y", "xay"));
        assert!(g("é?", "éé"));
    }

    #[test]
    fn malformed_globs_are_refused() {
        for bad in ["[", "[]", "[a", "[a-", "[-a]", "a\\", "[^]", "[a-]"] {
            assert_eq!(glob(bad).unwrap_err(), PatternError::Syntax, "{bad}");
        }
    }

    #[test]
    fn no_backtracking_blow_up() {
        let text = format!("{}:{}", "a".repeat(200), "a".repeat(120));
        let start = Instant::now();
        assert!(!g("*a*a*a*a*a*a*a*a*a*a*a*a*b", &text));
        assert!(!MatchValue::new("(a+)+$b").matches(&text));
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn match_values_are_exact_or_regular_expressions() {
        assert!(MatchValue::new("we").matches("/web"));
        assert!(MatchValue::new("^/job$").matches("/job"));
        assert!(!MatchValue::new("^/jo$").matches("/job"));
        // Not a valid expression: only the same text matches.
        assert!(MatchValue::new("a(").matches("a("));
        assert!(!MatchValue::new("a(").matches("xa(x"));
    }
}
