//! The loaded document tree: every node knows where it came from.

use std::fmt;

/// A 1-based line and column in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// How a scalar or collection was written, as far as later checks care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// An unquoted scalar: its type was resolved from its text.
    Plain,
    /// A quoted or block scalar: always a string.
    Quoted,
    /// A `{...}` or `[...]` collection.
    Flow,
    /// An indented collection.
    Block,
}

/// One key/value pair of a mapping, in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as text (`200:` gives "200"), used for lookups and pointers.
    pub key: String,
    /// The key node itself, for its position and resolved type.
    pub key_node: Node,
    pub value: Node,
}

/// A node's content. Mappings keep every entry, duplicates included, so
/// that the validator can report them; lookups see the first.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` (up to `u64::MAX`), as serde_json keeps it.
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A value with its position and, for plain scalars that resolved to a
/// non-string, the text that was written (`yes`, `0x1F`, `~`).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    pub style: Style,
    pub raw: Option<Box<str>>,
}

impl Node {
    pub fn new(value: Value, pos: Pos, style: Style) -> Self {
        Node {
            value,
            pos,
            style,
            raw: None,
        }
    }

    /// The value under `key` when this node is a mapping (first match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages ("a string", "a mapping").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }

    /// The scalar as text (what a key or a message would show).
    pub fn scalar_text(&self) -> Option<String> {
        if let Some(raw) = &self.raw {
            return Some(raw.to_string());
        }
        match &self.value {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::UInt(u) => Some(u.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The node as plain JSON (positions dropped; duplicate keys: first wins).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = serde_json::Map::new();
                for e in entries {
                    if !map.contains_key(&e.key) {
                        map.insert(e.key.clone(), e.value.to_json());
                    }
                }
                J::Object(map)
            }
        }
    }
}
