//! Runtime names: which keys of `runtimes` are acceptable.
//!
//! A name ends up in a file name (`<data-root>/runtimes/<name>.<digest>`), in
//! logs and in commands, so the rule is an allow-list: ASCII letters, digits,
//! `.`, `_`, `+`, `-`, not starting with `.` or `-`, at most
//! [`MAX_NAME_LEN`] bytes. Everything else is refused with the reason (a path
//! separator, whitespace, a shell metacharacter...). dockerd itself accepts any
//! string here; this is stricter on purpose.

use super::error::{NameProblem, RuntimeError};

/// The longest accepted runtime name, in bytes (the script file name adds a
/// `.` and 64 hex digits, well under the usual 255-byte file name limit).
pub const MAX_NAME_LEN: usize = 128;

/// Characters a POSIX shell gives a meaning to (besides whitespace).
const SHELL_METACHARACTERS: &str = "|&;<>()$`\"'*?[]#~=%!{}^,";

/// Checks that `name` is an acceptable runtime name.
pub fn validate_name(name: &str) -> Result<(), RuntimeError> {
    check(name).map_err(|problem| RuntimeError::InvalidName {
        name: name.to_owned(),
        problem,
    })
}

fn check(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameProblem::TooLong(name.len()));
    }
    if name.starts_with('.') {
        return Err(NameProblem::LeadingDot);
    }
    if name.starts_with('-') {
        return Err(NameProblem::LeadingDash);
    }
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-') {
            continue;
        }
        return Err(if c == '/' || c == '\\' {
            NameProblem::PathSeparator(c)
        } else if c.is_whitespace() {
            NameProblem::Whitespace(c)
        } else if c.is_control() {
            NameProblem::Control(c)
        } else if SHELL_METACHARACTERS.contains(c) {
            NameProblem::ShellMetacharacter(c)
        } else {
            NameProblem::Disallowed(c)
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(name: &str) -> NameProblem {
        match validate_name(name) {
            Err(RuntimeError::InvalidName { name: n, problem }) => {
                assert_eq!(n, name);
                problem
            }
            other => panic!("{name:?}: expected InvalidName, got {other:?}"),
        }
    }

    #[test]
    fn accepts_ordinary_names() {
        for name in [
            "crun",
            "runsc-debug",
            "kata_fc",
            "io.containerd.kata.v2",
            "nvidia+1",
            "a",
            "R2",
        ] {
            validate_name(name).unwrap();
        }
        validate_name(&"a".repeat(MAX_NAME_LEN)).unwrap();
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(problem(""), NameProblem::Empty);
    }

    #[test]
    fn rejects_too_long() {
        assert_eq!(
            problem(&"a".repeat(MAX_NAME_LEN + 1)),
            NameProblem::TooLong(MAX_NAME_LEN + 1)
        );
    }

    #[test]
    fn rejects_leading_dot_and_dash() {
        assert_eq!(problem("."), NameProblem::LeadingDot);
        assert_eq!(problem(".."), NameProblem::LeadingDot);
        assert_eq!(problem(".hidden"), NameProblem::LeadingDot);
        assert_eq!(problem("-v"), NameProblem::LeadingDash);
    }

    #[test]
    fn rejects_path_separators() {
        assert_eq!(problem("a/b"), NameProblem::PathSeparator('/'));
        assert_eq!(problem("../x"), NameProblem::LeadingDot);
        assert_eq!(problem("x/.."), NameProblem::PathSeparator('/'));
        assert_eq!(problem("a\\b"), NameProblem::PathSeparator('\\'));
    }

    #[test]
    fn rejects_whitespace() {
        for (name, c) in [
            ("a b", ' '),
            ("a\tb", '\t'),
            ("a\nb", '\n'),
            ("a\u{a0}b", '\u{a0}'),
        ] {
            assert_eq!(problem(name), NameProblem::Whitespace(c));
        }
    }

    #[test]
    fn rejects_control_characters() {
        assert_eq!(problem("a\0b"), NameProblem::Control('\0'));
        assert_eq!(problem("a\u{1b}b"), NameProblem::Control('\u{1b}'));
    }

    #[test]
    fn rejects_shell_metacharacters() {
        for c in SHELL_METACHARACTERS.chars() {
            let name = format!("a{c}b");
            assert_eq!(
                problem(&name),
                NameProblem::ShellMetacharacter(c),
                "{name:?}"
            );
        }
    }

    #[test]
    fn rejects_other_characters() {
        assert_eq!(problem("a:b"), NameProblem::Disallowed(':'));
        assert_eq!(problem("é"), NameProblem::Disallowed('é'));
    }

    #[test]
    fn message_names_the_runtime() {
        let text = validate_name("my rt").unwrap_err().to_string();
        assert_eq!(
            text,
            "runtimes: invalid runtime name \"my rt\": the name contains whitespace ' '"
        );
    }
}
