//! Variable substitution in instruction arguments, the way the classic
//! builder does it: `$NAME`, `${NAME}`, `${NAME:-word}` (word when unset
//! or empty), `${NAME:+word}` (word when set and not empty), and the
//! same without the colon (`-`: when unset, `+`: when set). Nothing is
//! substituted inside single quotes or after the escape character; the
//! quotes and escapes stay in the text for the instruction to read.

use std::collections::BTreeMap;

/// Why a substitution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    #[error("missing '}}' in substitution: {0}")]
    Unclosed(String),
    #[error("unsupported modifier ({0}) in substitution: {1}")]
    Modifier(char, String),
    /// Substitution grew the text past [`MAX_EXPANDED`] (`ARG A=$A$A`
    /// repeated doubles it every line).
    #[error("substituting variables makes the text longer than {MAX_EXPANDED} bytes")]
    TooLong,
}

/// Nested `${a:-${b:-...}}` deeper than this is refused.
const MAX_DEPTH: usize = 16;

/// The longest text one substitution may produce.
pub const MAX_EXPANDED: usize = 1024 * 1024;

/// `text` with its variables replaced from `vars`.
pub fn expand(
    text: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
) -> Result<String, ExpandError> {
    expand_at(text, vars, escape, 0)
}

fn expand_at(
    text: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
    depth: usize,
) -> Result<String, ExpandError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut single = false;
    let mut double = false;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && !single {
            out.push(c);
            if let Some(&next) = chars.get(i + 1) {
                out.push(next);
            }
            i += 2;
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' if !single => {
                let (value, used) = variable(&chars[i + 1..], vars, escape, depth)?;
                if used > 0 {
                    if out.len() + value.len() > MAX_EXPANDED {
                        return Err(ExpandError::TooLong);
                    }
                    out.push_str(&value);
                    i += 1 + used;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

/// The value of the variable reference right after a `$`, and how many
/// characters it took (0: not a reference, the `$` stays).
fn variable(
    rest: &[char],
    vars: &BTreeMap<String, String>,
    escape: char,
    depth: usize,
) -> Result<(String, usize), ExpandError> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if rest.first() == Some(&'{') {
        // Find the matching brace.
        let mut level = 0;
        let mut end = None;
        for (k, &c) in rest.iter().enumerate() {
            match c {
                '{' => level += 1,
                '}' => {
                    level -= 1;
                    if level == 0 {
                        end = Some(k);
                        break;
                    }
                }
                _ => {}
            }
        }
        let whole: String = rest.iter().collect();
        let end = end.ok_or_else(|| ExpandError::Unclosed(format!("${whole}")))?;
        let inner: String = rest[1..end].iter().collect();
        let name_len = inner.chars().take_while(|&c| is_name(c)).count();
        let name = &inner[..name_len];
        let modifier = &inner[name_len..];
        let value = vars.get(name);
        let result = if modifier.is_empty() {
            value.cloned().unwrap_or_default()
        } else {
            let (colon, op, word) = match modifier.strip_prefix(':') {
                Some(m) => (true, m.chars().next(), m.get(1..).unwrap_or("")),
                None => (
                    false,
                    modifier.chars().next(),
                    modifier.get(1..).unwrap_or(""),
                ),
            };
            let set = match (colon, value) {
                (true, Some(v)) => !v.is_empty(),
                (false, Some(_)) => true,
                (_, None) => false,
            };
            if depth >= MAX_DEPTH {
                return Err(ExpandError::Unclosed(format!("${{{inner}}}")));
            }
            match op {
                Some('-') if set => value.cloned().unwrap_or_default(),
                Some('-') => expand_at(word, vars, escape, depth + 1)?,
                Some('+') if set => expand_at(word, vars, escape, depth + 1)?,
                Some('+') => String::new(),
                Some(other) => return Err(ExpandError::Modifier(other, format!("${{{inner}}}"))),
                None => value.cloned().unwrap_or_default(),
            }
        };
        return Ok((result, end + 1));
    }
    let len = rest.iter().take_while(|&&c| is_name(c)).count();
    if len == 0 {
        return Ok((String::new(), 0));
    }
    let name: String = rest[..len].iter().collect();
    Ok((vars.get(&name).cloned().unwrap_or_default(), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("A", "1"), ("EMPTY", ""), ("P", "/srv")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_and_quotes() {
        let e = |t: &str| expand(t, &vars(), '\\').unwrap();
        assert_eq!(e("$A ${A} x$Ay"), "1 1 x");
        assert_eq!(e("${NOPE:-def} ${EMPTY:-d2} ${A:-no}"), "def d2 1");
        assert_eq!(e("${A:+yes} ${EMPTY:+no} ${NOPE:+no}."), "yes  .");
        assert_eq!(e("${EMPTY-unset} ${NOPE-unset}"), " unset");
        assert_eq!(e("${NOPE:-${P}/app}"), "/srv/app");
        assert_eq!(e("'$A' \"$A\" \\$A $"), "'$A' \"1\" \\$A $");
        assert!(expand("${A", &vars(), '\\').is_err());
        assert!(expand("${A:?x}", &vars(), '\\').is_err());
    }

    #[test]
    fn doubling_stops_at_the_limit() {
        let mut vars = BTreeMap::new();
        vars.insert("A".to_string(), "x".repeat(1024));
        let mut steps = 0;
        loop {
            match expand("$A$A", &vars, '\\') {
                Ok(v) => vars.insert("A".into(), v),
                Err(e) => {
                    assert_eq!(e, ExpandError::TooLong);
                    break;
                }
            };
            steps += 1;
            assert!(steps < 20, "never refused");
        }
        assert!(vars["A"].len() <= MAX_EXPANDED);
    }
}
