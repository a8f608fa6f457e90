//! Rust written as text, laid out the way prettyplease lays it out: the
//! types emitter's trait impls (see `serde_impls` for why text).

use std::fmt::Write as _;

/// Lines longer than this are broken, as prettyplease breaks its lines.
const WIDTH: usize = 89;

/// A line of code that may have to be broken.
pub(super) enum Line {
    Plain(String),
    /// A call `head arg, arg... tail`, on one line when it fits, else as the
    /// head, one argument a line (indented once more) and the tail.
    Call {
        head: String,
        args: Vec<String>,
        tail: &'static str,
    },
    /// A match arm `pattern => body,`, in a block when too long (`body;`
    /// in it when `statement`).
    Arm {
        pattern: String,
        body: String,
        statement: bool,
    },
}

impl Line {
    /// An arm whose body is an expression of type `()`.
    pub(super) fn statement_arm(pattern: String, body: String) -> Line {
        Line::Arm {
            pattern,
            body,
            statement: true,
        }
    }

    /// An arm whose body is the value of the match.
    pub(super) fn value_arm(pattern: String, body: String) -> Line {
        Line::Arm {
            pattern,
            body,
            statement: false,
        }
    }
}

pub(super) fn plain(text: String) -> Line {
    Line::Plain(text)
}

pub(super) fn call(head: String, args: &[&str], tail: &'static str) -> Line {
    Line::Call {
        head,
        args: args.iter().map(|a| a.to_string()).collect(),
        tail,
    }
}

/// Indented lines into a string.
pub(super) struct Writer<'a> {
    out: &'a mut String,
    pub(super) depth: usize,
}

impl<'a> Writer<'a> {
    pub(super) fn new(out: &'a mut String) -> Self {
        Writer { out, depth: 0 }
    }

    pub(super) fn line(&mut self, text: &str) {
        if !text.is_empty() {
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
        }
        // Writing to a String cannot fail.
        let _ = writeln!(self.out, "{text}");
    }

    pub(super) fn print(&mut self, line: &Line) {
        let indent = self.depth * 4;
        match line {
            Line::Plain(text) => self.line(text),
            Line::Call { head, args, tail } => {
                let joined = args.join(", ");
                if indent + head.len() + joined.len() + tail.len() <= WIDTH {
                    self.line(&format!("{head}{joined}{tail}"));
                } else {
                    self.open(head);
                    for a in args {
                        self.line(&format!("{a},"));
                    }
                    self.close(tail);
                }
            }
            Line::Arm {
                pattern,
                body,
                statement,
            } => {
                if indent + pattern.len() + body.len() + 5 <= WIDTH {
                    self.line(&format!("{pattern} => {body},"));
                } else {
                    self.open(&format!("{pattern} => {{"));
                    self.line(&if *statement {
                        format!("{body};")
                    } else {
                        body.clone()
                    });
                    self.close("}");
                }
            }
        }
    }

    /// A line that opens a block: what follows is indented once more.
    pub(super) fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
    }

    /// A line that closes a block.
    pub(super) fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(text);
    }
}
