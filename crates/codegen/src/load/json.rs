//! The JSON reader: a small parser that records each value's position.
//!
//! serde_json gives positions only for errors, and the validator needs them
//! for every node. Iterative, with the same depth and node limits as YAML.

use super::node::{Entry, Node, Pos, Style, Value};
use super::{Budget, LoadError};

struct Reader<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    col: u32,
    budget: Budget,
}

enum Frame {
    Seq(Node),
    Map(Node, Option<(String, Node)>),
}

pub(crate) fn parse(text: &str) -> Result<Node, LoadError> {
    let mut r = Reader {
        text,
        at: 0,
        line: 1,
        col: 1,
        budget: Budget::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    let root;
    'value: loop {
        r.skip_ws();
        let start = r.pos();
        // Parse one value; containers push a frame and parse their first child.
        let mut node = match r.peek() {
            Some('{') => {
                r.bump();
                r.budget.add(1, start)?;
                Budget::depth(stack.len() + 1, start)?;
                let map = Node::new(Value::Map(Vec::new()), start, Style::Flow);
                r.skip_ws();
                if r.peek() == Some('}') {
                    r.bump();
                    map
                } else {
                    let key = r.key()?;
                    stack.push(Frame::Map(map, Some(key)));
                    continue 'value;
                }
            }
            Some('[') => {
                r.bump();
                r.budget.add(1, start)?;
                Budget::depth(stack.len() + 1, start)?;
                let seq = Node::new(Value::Seq(Vec::new()), start, Style::Flow);
                r.skip_ws();
                if r.peek() == Some(']') {
                    r.bump();
                    seq
                } else {
                    stack.push(Frame::Seq(seq));
                    continue 'value;
                }
            }
            _ => {
                r.budget.add(1, start)?;
                r.scalar()?
            }
        };
        // Attach the finished value; close every container it completes.
        loop {
            match stack.pop() {
                None => {
                    r.skip_ws();
                    if r.peek().is_some() {
                        return Err(r.error("unexpected text after the JSON value"));
                    }
                    root = node;
                    break 'value;
                }
                Some(Frame::Seq(mut seq)) => {
                    if let Value::Seq(items) = &mut seq.value {
                        items.push(node);
                    }
                    r.skip_ws();
                    match r.bump() {
                        Some(',') => {
                            stack.push(Frame::Seq(seq));
                            continue 'value;
                        }
                        Some(']') => node = seq,
                        _ => return Err(r.error("expected `,` or `]` in an array")),
                    }
                }
                Some(Frame::Map(mut map, pending)) => {
                    if let (Value::Map(entries), Some((key, key_node))) = (&mut map.value, pending)
                    {
                        entries.push(Entry {
                            key,
                            key_node,
                            value: node,
                        });
                    }
                    r.skip_ws();
                    match r.bump() {
                        Some(',') => {
                            let key = r.key()?;
                            stack.push(Frame::Map(map, Some(key)));
                            continue 'value;
                        }
                        Some('}') => node = map,
                        _ => return Err(r.error("expected `,` or `}` in an object")),
                    }
                }
            }
        }
    }
    Ok(root)
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn error(&self, message: &str) -> LoadError {
        LoadError::Syntax {
            pos: self.pos(),
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    /// `"name" :` inside an object.
    fn key(&mut self) -> Result<(String, Node), LoadError> {
        self.skip_ws();
        let start = self.pos();
        if self.peek() != Some('"') {
            return Err(self.error("expected a string key in an object"));
        }
        let key = self.string()?;
        self.skip_ws();
        if self.bump() != Some(':') {
            return Err(self.error("expected `:` after an object key"));
        }
        let node = Node::new(Value::Str(key.clone()), start, Style::Quoted);
        Ok((key, node))
    }

    fn scalar(&mut self) -> Result<Node, LoadError> {
        let start = self.pos();
        match self.peek() {
            Some('"') => Ok(Node::new(Value::Str(self.string()?), start, Style::Quoted)),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let value = self.number().map_err(|why| LoadError::Syntax {
                    pos: start,
                    message: why,
                })?;
                Ok(Node::new(value, start, Style::Plain))
            }
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.text[self.at..].starts_with(word) {
                        for _ in 0..word.len() {
                            self.bump();
                        }
                        return Ok(Node::new(value, start, Style::Plain));
                    }
                }
                Err(self.error("expected a JSON value"))
            }
        }
    }

    fn string(&mut self) -> Result<String, LoadError> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('/') => out.push('/'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        let hi = self.hex4()?;
                        let c = if (0xD800..0xDC00).contains(&hi) {
                            if self.bump() != Some('\\') || self.bump() != Some('u') {
                                return Err(self.error("unpaired surrogate in \\u escape"));
                            }
                            let lo = self.hex4()?;
                            if !(0xDC00..0xE000).contains(&lo) {
                                return Err(self.error("unpaired surrogate in \\u escape"));
                            }
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        } else {
                            char::from_u32(hi)
                        };
                        out.push(c.ok_or_else(|| self.error("invalid \\u escape"))?);
                    }
                    _ => return Err(self.error("invalid escape in string")),
                },
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.error("control character in string"))
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// A number by RFC 8259's grammar: `-`? (`0` | `[1-9][0-9]*`)
    /// (`.` digits)? (`[eE]` `[+-]`? digits)?. An integer that fits `i64`
    /// is an `Int`, a larger one that fits `u64` a `UInt`; any other is a
    /// `Float`, refused when it overflows `f64`
    /// (as serde_json refuses it).
    fn number(&mut self) -> Result<Value, String> {
        let begin = self.at;
        let bad = |r: &Self, what: &str| {
            let end = r.text[r.at..]
                .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                .map_or(r.text.len(), |n| r.at + n);
            format!("`{}` is not a JSON number: {what}", &r.text[begin..end])
        };
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                self.bump();
                if matches!(self.peek(), Some('0'..='9')) {
                    return Err(bad(self, "leading zeros are not allowed"));
                }
            }
            Some('1'..='9') => self.digits(),
            _ => return Err(bad(self, "a digit must follow `-`")),
        }
        let mut integer = true;
        if self.peek() == Some('.') {
            self.bump();
            integer = false;
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(bad(self, "a digit must follow `.`"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            integer = false;
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(bad(self, "the exponent needs a digit"));
            }
            self.digits();
        }
        let text = &self.text[begin..self.at];
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Value::UInt(u));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(format!("`{text}` is out of range for a JSON number")),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some('0'..='9')) {
            self.bump();
        }
    }

    fn hex4(&mut self) -> Result<u32, LoadError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("expected 4 hex digits in \\u escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_positions() {
        let root = parse("{\n  \"a\": [1, 2.5, \"x\\u00e9\"],\n  \"b\": {\"c\": null}\n}").unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(a.pos, Pos { line: 2, col: 8 });
        assert_eq!(a.items().unwrap()[2].as_str(), Some("xé"));
        assert_eq!(root.get("b").unwrap().get("c").unwrap().value, Value::Null);
    }

    #[test]
    fn reports_errors_with_positions() {
        let err = parse("{\"a\": [1,,]}").unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::Syntax {
                    pos: Pos { line: 1, col: 10 },
                    ..
                }
            ),
            "{err}"
        );
        assert!(matches!(
            parse(&"[".repeat(10_000)),
            Err(LoadError::TooDeep { .. })
        ));
    }
}
