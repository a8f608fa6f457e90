//! The policy file's YAML read into a JSON value plus the line and column
//! of every node (by JSON pointer), so that a decoding or validation
//! error says where in the file it is. Only what a policy needs: block
//! and flow collections, plain scalars resolved as YAML 1.2's core schema
//! (booleans, null, integers), quoted scalars as strings; no aliases.

use std::collections::HashMap;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// A line and column, both from 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub col: u64,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A YAML document as a value, with where each node starts.
#[derive(Debug)]
pub struct Located {
    pub value: Value,
    positions: HashMap<String, Pos>,
    /// Where the keys of mappings are, by the pointer of their value.
    keys: HashMap<String, Pos>,
}

impl Located {
    /// Where the key of the node at `pointer` is (its own start when it is
    /// no mapping value).
    pub fn key_pos(&self, pointer: &str) -> Pos {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.pos(pointer))
    }

    /// Where the node at `pointer` starts; else its nearest ancestor's.
    pub fn pos(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Pos { line: 1, col: 1 },
            }
        }
    }
}

/// Why the text is not YAML a policy can be.
#[derive(Debug, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

fn pos(mark: Mark) -> Pos {
    Pos {
        line: mark.line + 1,
        col: mark.column + 1,
    }
}

/// An open collection: its pointer, what it holds, a pending map key.
struct Open {
    pointer: String,
    value: Value,
    key: Option<String>,
}

/// Reads `text` (one document).
pub fn parse(text: &str) -> Result<Located, YamlError> {
    // libyaml-safer 0.3 wants the last line ended.
    let owned;
    let text = if text.ends_with('\n') {
        text
    } else {
        owned = format!("{text}\n");
        &owned
    };
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut positions = HashMap::new();
    let mut keys = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    let mut last = Pos { line: 1, col: 1 };
    loop {
        // The library may still panic on some malformed input: contain it.
        let event = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse()))
            .map_err(|_| YamlError {
                pos: last,
                message: "the YAML reader cannot read what follows".into(),
            })?
            .map_err(|e| YamlError {
                pos: pos(e.problem_mark().or(e.context_mark()).unwrap_or_default()),
                message: e.problem().to_string(),
            })?;
        let at = pos(event.start_mark);
        last = at;
        // The pointer the next node of the innermost collection gets.
        let child = |stack: &[Open]| -> Option<String> {
            let open = stack.last()?;
            Some(match &open.value {
                Value::Array(items) => format!("{}/{}", open.pointer, items.len()),
                _ => format!(
                    "{}/{}",
                    open.pointer,
                    open.key
                        .as_deref()
                        .unwrap_or("")
                        .replace('~', "~0")
                        .replace('/', "~1")
                ),
            })
        };
        let done = match event.data {
            EventData::StreamEnd => break,
            EventData::Alias { .. } => {
                return Err(YamlError {
                    pos: at,
                    message: "aliases are not supported in a policy".into(),
                })
            }
            EventData::Scalar { value, style, .. } => {
                let is_key =
                    matches!(stack.last(), Some(o) if o.value.is_object() && o.key.is_none());
                if is_key {
                    if let Some(open) = stack.last_mut() {
                        open.key = Some(value);
                    }
                    if let Some(p) = child(&stack) {
                        keys.insert(p, at);
                    }
                    continue;
                }
                let v = if style == ScalarStyle::Plain {
                    plain(&value)
                } else {
                    Value::String(value)
                };
                Some(v)
            }
            EventData::SequenceStart { .. } | EventData::MappingStart { .. } => {
                let pointer = child(&stack).unwrap_or_default();
                positions.insert(pointer.clone(), at);
                let value = if matches!(event.data, EventData::SequenceStart { .. }) {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                };
                stack.push(Open {
                    pointer,
                    value,
                    key: None,
                });
                None
            }
            EventData::SequenceEnd | EventData::MappingEnd => stack.pop().map(|o| o.value),
            _ => None,
        };
        let Some(v) = done else { continue };
        if let Some(p) = child(&stack) {
            positions.entry(p).or_insert(at);
        }
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return Err(YamlError {
                        pos: at,
                        message: "a policy is one YAML document".into(),
                    });
                }
                root = Some(v);
            }
            Some(open) => match &mut open.value {
                Value::Array(items) => items.push(v),
                Value::Object(map) => {
                    let key = open.key.take().unwrap_or_default();
                    if map.contains_key(&key) {
                        return Err(YamlError {
                            pos: at,
                            message: format!("key `{key}` is given twice"),
                        });
                    }
                    map.insert(key, v);
                }
                _ => {}
            },
        }
    }
    Ok(Located {
        value: root.unwrap_or(Value::Null),
        positions,
        keys,
    })
}

/// A plain scalar by YAML 1.2's core schema.
fn plain(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => match text.parse::<i64>() {
            Ok(n) => Value::Number(Number::from(n)),
            Err(_) => Value::String(text.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_positions() {
        let doc = parse("default: deny\nrules:\n  - name: a\n    methods: [GET, HEAD]\n    n: 3\n")
            .unwrap();
        assert_eq!(
            doc.value,
            serde_json::json!({"default":"deny","rules":[{"name":"a","methods":["GET","HEAD"],"n":3}]})
        );
        assert_eq!(doc.pos("/rules/0/methods/1"), Pos { line: 4, col: 20 });
        assert_eq!(doc.pos("/rules/0/name"), Pos { line: 3, col: 11 });
        assert_eq!(doc.pos("/rules/0/nothing"), Pos { line: 3, col: 5 });
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = parse("rules:\n  - name: [a\n").unwrap_err();
        assert!(e.pos.line >= 2, "{e}");
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, col: 4 });
    }
}
