//! The Dockerfile: parsed into instructions, each with the line it
//! starts on (every error names it), its `--flag=value` options and its
//! arguments in the exec (JSON array) or shell form. [`lines`] joins
//! continuation lines and reads the parser directives (`# escape=`);
//! [`expand`] substitutes `$VAR`, `${VAR}`, `${VAR:-word}` and
//! `${VAR:+word}` from the build's ARG and ENV values.

pub mod expand;
pub mod lines;

/// A Dockerfile larger than this is refused before it is parsed.
pub const MAX_BYTES: usize = 1024 * 1024;
/// More instructions than this are refused.
pub const MAX_INSTRUCTIONS: usize = 2000;

/// The instructions the classic builder knows.
pub const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// `["a", "b"]`.
    Exec(Vec<String>),
    /// Anything else, as written (continuations joined).
    Shell(String),
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The line it starts on (1-based).
    pub line: usize,
    /// Upper case (`RUN`).
    pub keyword: String,
    /// `--name=value` options before the arguments, in order.
    pub flags: Vec<(String, String)>,
    /// The arguments after the flags, as written.
    pub rest: String,
    pub args: Args,
}

impl Instruction {
    /// The value of flag `name`, if given.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The instruction as the build output and history print it.
    pub fn text(&self) -> String {
        let mut out = self.keyword.clone();
        for (name, value) in &self.flags {
            out.push_str(&format!(" --{name}={value}"));
        }
        if !self.rest.is_empty() {
            out.push(' ');
            out.push_str(&self.rest);
        }
        out
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub escape: char,
    pub instructions: Vec<Instruction>,
}

/// Why a Dockerfile cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("dockerfile parse error on line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("the Dockerfile is {0} bytes, more than the {MAX_BYTES} allowed")]
    TooLarge(usize),
    /// The instruction on `line` is one more than the builder takes.
    #[error("dockerfile parse error on line {line}: more than {MAX_INSTRUCTIONS} instructions; split the build into several images")]
    TooMany { line: usize },
    #[error("the Dockerfile (or Dockerfile name) cannot be empty")]
    Empty,
}

fn line_error(line: usize, why: impl Into<String>) -> ParseError {
    ParseError::Line {
        line,
        why: why.into(),
    }
}

/// Parses `text`.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    if text.len() > MAX_BYTES {
        return Err(ParseError::TooLarge(text.len()));
    }
    let logical = lines::logical_lines(text)?;
    let mut instructions = Vec::new();
    for l in logical.lines {
        if instructions.len() >= MAX_INSTRUCTIONS {
            return Err(ParseError::TooMany { line: l.number });
        }
        instructions.push(instruction(l.number, &l.text)?);
    }
    if instructions.is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(Dockerfile {
        escape: logical.escape,
        instructions,
    })
}

/// One logical line as an instruction.
fn instruction(line: usize, text: &str) -> Result<Instruction, ParseError> {
    let text = text.trim();
    let (word, mut rest) = match text.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim_start()),
        None => (text, ""),
    };
    let keyword = word.to_ascii_uppercase();
    if !KNOWN.contains(&keyword.as_str()) {
        return Err(line_error(
            line,
            format!("unknown instruction: {}", word.to_ascii_uppercase()),
        ));
    }
    if rest.contains("<<") && matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
        let heredoc = rest
            .split_whitespace()
            .any(|w| w.starts_with("<<") && w.len() > 2 && !w.starts_with("<<<"));
        if heredoc {
            return Err(line_error(
                line,
                "heredocs (<<EOF) need BuildKit; the classic builder does not support them",
            ));
        }
    }
    let mut flags = Vec::new();
    if keyword != "RUN" || rest.starts_with("--") {
        while let Some(after) = rest.strip_prefix("--") {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            let flag = &after[..end];
            let (name, value) = flag.split_once('=').unwrap_or((flag, "true"));
            if name.is_empty() {
                break;
            }
            flags.push((name.to_string(), value.to_string()));
            rest = after[end..].trim_start();
        }
    }
    let args = match json_array(rest) {
        Some(list) => Args::Exec(list),
        None => Args::Shell(rest.to_string()),
    };
    Ok(Instruction {
        line,
        keyword,
        flags,
        rest: rest.to_string(),
        args,
    })
}

/// The exec form, when `rest` is a JSON array of strings.
fn json_array(rest: &str) -> Option<Vec<String>> {
    if !rest.starts_with('[') {
        return None;
    }
    serde_json::from_str(rest).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_flags_and_forms() {
        let d = parse(
            "# a comment\nFROM mini AS base\nrun echo a \\\n  b\nCOPY --from=base --chown=1:1 a /b\nCMD [\"sh\", \"-c\", \"x\"]\n",
        )
        .unwrap();
        let k: Vec<_> = d
            .instructions
            .iter()
            .map(|i| (i.line, i.keyword.as_str()))
            .collect();
        assert_eq!(k, [(2, "FROM"), (3, "RUN"), (5, "COPY"), (6, "CMD")]);
        assert_eq!(d.instructions[1].args, Args::Shell("echo a b".into()));
        assert_eq!(d.instructions[2].flag("from"), Some("base"));
        assert_eq!(d.instructions[2].flag("chown"), Some("1:1"));
        assert_eq!(d.instructions[2].rest, "a /b");
        assert_eq!(
            d.instructions[3].args,
            Args::Exec(vec!["sh".into(), "-c".into(), "x".into()])
        );
    }

    #[test]
    fn bad_input_names_the_line() {
        let e = parse("FROM mini\n\nFROB x\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "dockerfile parse error on line 3: unknown instruction: FROB"
        );
        let e = parse("FROM mini\nRUN <<EOF\necho\nEOF\n").unwrap_err();
        assert!(e.to_string().contains("line 2: heredocs"), "{e}");
        let big = "RUN x\n".repeat(MAX_INSTRUCTIONS + 1);
        assert_eq!(
            parse(&big).unwrap_err(),
            ParseError::TooMany {
                line: MAX_INSTRUCTIONS + 1
            }
        );
        let huge = "#".repeat(MAX_BYTES + 1);
        assert!(matches!(parse(&huge), Err(ParseError::TooLarge(_))));
        assert_eq!(parse("# only\n").unwrap_err(), ParseError::Empty);
    }
}
