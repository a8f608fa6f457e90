//! The YAML reader: libyaml-safer's events folded into a [`Node`] tree.
//!
//! This is the only module that knows the YAML library, so it can be
//! swapped. The tree is built with an explicit stack (no recursion), aliases
//! are expanded by copying the anchored node within the node budget, and
//! depth is bounded.

use std::borrow::Cow;
use std::collections::HashMap;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};

use super::node::{Entry, Node, Pos, Style, Value};
use super::scalar::resolve_plain;
use super::{Budget, LoadError};

/// A collection being filled, with the anchor to register when it closes.
struct Open {
    node: Node,
    anchor: Option<String>,
    /// Subtree size, for charging alias copies against the budget.
    size: usize,
    /// A mapping's key waiting for its value.
    pending_key: Option<Node>,
}

fn pos(mark: Mark) -> Pos {
    Pos {
        line: mark.line as u32 + 1,
        col: mark.column as u32 + 1,
    }
}

fn syntax(err: &libyaml_safer::Error) -> LoadError {
    let mark = err
        .problem_mark()
        .or(err.context_mark())
        .unwrap_or_default();
    let message = match err.context() {
        Some(context) => format!("{}, {}", context, err.problem()),
        None => err.problem().to_string(),
    };
    LoadError::Syntax {
        pos: pos(mark),
        message,
    }
}

/// The text as libyaml-safer may be given it. Version 0.3 panics on a
/// block scalar (`|`, `>`) whose last line ends the input without a line
/// break, so the text always ends with one (positions are unchanged; the
/// lint still reports the missing newline). The parser and the lint's
/// scanner both read through this.
pub(crate) fn libyaml_input(text: &str) -> Cow<'_, str> {
    if text.ends_with('\n') {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{text}\n"))
    }
}

/// Runs one step of libyaml-safer, containing a panic of the library:
/// version 0.3 still panics on some malformed input (a tag directly before
/// `,` in a flow collection: `[!x,]`). `None` when it panicked.
pub(crate) fn guarded<T>(step: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).ok()
}

/// The syntax error for input the YAML library could not read, placed at
/// the last event it did read.
fn library_failure(last: Pos) -> LoadError {
    LoadError::Syntax {
        pos: last,
        message: "the YAML reader cannot read what follows (a tag directly before `,`? \
                  put a space after the tag)"
            .into(),
    }
}

pub(crate) fn parse(text: &str) -> Result<Node, LoadError> {
    let text = libyaml_input(text);
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);

    let mut budget = Budget::new();
    let mut anchors: HashMap<String, (Node, usize)> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;

    let mut last = Pos { line: 1, col: 1 };
    loop {
        let event = guarded(|| parser.parse())
            .ok_or_else(|| library_failure(last))?
            .map_err(|e| syntax(&e))?;
        let at = pos(event.start_mark);
        last = at;
        // A finished node (scalar, alias copy or closed collection) and its size.
        let done: Option<(Node, usize, Option<String>)> = match event.data {
            EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => None,
            EventData::DocumentStart { .. } => {
                if root.is_some() {
                    return Err(LoadError::Syntax {
                        pos: at,
                        message: "a second YAML document; a spec is one document".into(),
                    });
                }
                None
            }
            EventData::StreamEnd => break,
            EventData::Alias { anchor } => {
                let Some((node, size)) = anchors.get(&anchor) else {
                    return Err(LoadError::Syntax {
                        pos: at,
                        message: format!("alias *{anchor} names no anchor defined before it"),
                    });
                };
                budget.add(*size, at)?;
                let mut copy = node.clone();
                copy.pos = at;
                Some((copy, *size, None))
            }
            EventData::Scalar {
                anchor,
                value,
                style,
                tag,
                ..
            } => {
                budget.add(1, at)?;
                let node = if style == ScalarStyle::Plain && tag.is_none() {
                    let resolved = resolve_plain(&value);
                    let mut node = Node::new(resolved, at, Style::Plain);
                    if !matches!(node.value, Value::Str(_)) {
                        node.raw = Some(value.into_boxed_str());
                    }
                    node
                } else {
                    Node::new(Value::Str(value), at, Style::Quoted)
                };
                Some((node, 1, anchor))
            }
            EventData::SequenceStart { anchor, style, .. } => {
                budget.add(1, at)?;
                Budget::depth(stack.len() + 1, at)?;
                let style = match style {
                    libyaml_safer::SequenceStyle::Flow => Style::Flow,
                    _ => Style::Block,
                };
                stack.push(Open {
                    node: Node::new(Value::Seq(Vec::new()), at, style),
                    anchor,
                    size: 1,
                    pending_key: None,
                });
                None
            }
            EventData::MappingStart { anchor, style, .. } => {
                budget.add(1, at)?;
                Budget::depth(stack.len() + 1, at)?;
                let style = match style {
                    libyaml_safer::MappingStyle::Flow => Style::Flow,
                    _ => Style::Block,
                };
                stack.push(Open {
                    node: Node::new(Value::Map(Vec::new()), at, style),
                    anchor,
                    size: 1,
                    pending_key: None,
                });
                None
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                stack.pop().map(|open| (open.node, open.size, open.anchor))
            }
        };

        let Some((node, size, anchor)) = done else {
            continue;
        };
        if let Some(name) = anchor {
            anchors.insert(name, (node.clone(), size));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(parent) => {
                parent.size = parent.size.saturating_add(size);
                match &mut parent.node.value {
                    Value::Seq(items) => items.push(node),
                    Value::Map(entries) => match parent.pending_key.take() {
                        None => parent.pending_key = Some(node),
                        Some(key_node) => {
                            let key = key_node.scalar_text().unwrap_or_else(|| {
                                // A collection used as a key: keep a readable stand-in.
                                format!("<{} key>", key_node.kind())
                            });
                            entries.push(Entry {
                                key,
                                key_node,
                                value: node,
                            });
                        }
                    },
                    _ => {}
                }
            }
        }
    }
    root.ok_or(LoadError::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_integer_keys() {
        let root = parse("a:\n  200:\n    b: \"x\"\n").unwrap();
        let inner = root.get("a").unwrap().get("200").unwrap();
        assert_eq!(inner.pos, Pos { line: 3, col: 5 });
        assert_eq!(inner.get("b").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn refuses_alias_bombs() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(matches!(parse(&text), Err(LoadError::TooManyNodes { .. })));
    }

    /// Regression (found by the fuzz test): a block scalar whose last
    /// line ends the input panicked inside libyaml-safer.
    #[test]
    fn block_scalar_at_end_of_input_without_newline() {
        for text in ["a: |\n  x", "|\n  - ", "a: >-\n  x\n  y", "a: |+\n  x"] {
            assert!(parse(text).is_ok(), "{text:?}");
        }
        let root = parse("a: |\n  x").unwrap();
        assert!(root.get("a").unwrap().as_str().unwrap().starts_with('x'));
    }

    /// Regression (found by cargo-fuzz): a tag right before `,` in a flow
    /// collection panics inside libyaml-safer; it is a syntax error here.
    #[test]
    fn tag_before_comma_in_flow_is_a_syntax_error() {
        for text in ["a: [!x,]\n", "{\"a\": \"x\"!,\n}", "[!,]"] {
            assert!(
                matches!(parse(text), Err(LoadError::Syntax { .. })),
                "{text:?}"
            );
        }
    }

    #[test]
    fn refuses_deep_nesting() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(parse(&text), Err(LoadError::TooDeep { .. })));
    }
}
