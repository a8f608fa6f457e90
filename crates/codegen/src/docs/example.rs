//! Example JSON for requests and responses: taken from the spec's own
//! examples where it has one, otherwise assembled from the schema (each
//! property's `example`, else its default or first enum value, else a
//! placeholder of its type), printed in spec order with two-space indent.

use std::collections::BTreeSet;

use crate::load::{Node, Value};

use super::spec::{flag, ref_of, text, Spec};

/// How deep an assembled example goes before it stops at `{}` / `[]`.
const MAX_DEPTH: usize = 12;

/// A JSON value in the order the spec wrote it.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number, already as JSON text.
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The node as JSON (duplicate keys: the first wins).
    pub fn from_node(node: &Node) -> Json {
        match &node.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::Number(i.to_string()),
            Value::UInt(u) => Json::Number(u.to_string()),
            Value::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Json::Number(n.to_string()),
                None => Json::Null,
            },
            Value::Str(s) => Json::Str(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Json::from_node).collect()),
            Value::Map(entries) => {
                let mut seen = BTreeSet::new();
                Json::Object(
                    entries
                        .iter()
                        .filter(|e| seen.insert(e.key.as_str()))
                        .map(|e| (e.key.clone(), Json::from_node(&e.value)))
                        .collect(),
                )
            }
        }
    }

    /// One-line JSON (for defaults and enum values).
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Indented JSON (for example blocks).
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(2), 0);
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, level: usize) {
        let newline = |out: &mut String, level: usize| {
            if let Some(width) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', width * level));
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Str(s) => write_string(out, s),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        if indent.is_none() {
                            out.push(' ');
                        }
                    }
                    newline(out, level + 1);
                    item.write(out, indent, level + 1);
                }
                newline(out, level);
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        if indent.is_none() {
                            out.push(' ');
                        }
                    }
                    newline(out, level + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, indent, level + 1);
                }
                newline(out, level);
                out.push('}');
            }
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    // serde_json's string escaping is the reference for valid JSON text.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// Which way an example is used: request samples leave out read-only
/// properties (the daemon sets those), response samples keep them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// The schema's own `example`, following `$ref`s and single-part `allOf`s.
pub fn spec_example<'a>(spec: &Spec<'a>, schema: &'a Node) -> Option<Json> {
    let mut node = schema;
    for _ in 0..8 {
        if let Some(example) = node.get("example") {
            return Some(Json::from_node(example));
        }
        if let Some(target) = ref_of(node).and_then(|r| spec.follow(r)) {
            node = target;
            continue;
        }
        match node.get("allOf").and_then(Node::items) {
            Some([only]) => node = only,
            _ => return None,
        }
    }
    None
}

/// An example assembled from the schema.
pub fn synthesize<'a>(spec: &Spec<'a>, schema: &'a Node, direction: Direction) -> Json {
    let mut stack = Vec::new();
    build(spec, schema, direction, &mut stack, 0)
}

fn build<'a>(
    spec: &Spec<'a>,
    schema: &'a Node,
    direction: Direction,
    stack: &mut Vec<&'a str>,
    depth: usize,
) -> Json {
    if let Some(example) = schema.get("example") {
        return Json::from_node(example);
    }
    if depth > MAX_DEPTH {
        return Json::Null;
    }
    if let Some(reference) = ref_of(schema) {
        if stack.contains(&reference) {
            return Json::Null;
        }
        let Some(target) = spec.follow(reference) else {
            return Json::Null;
        };
        stack.push(reference);
        let value = build(spec, target, direction, stack, depth + 1);
        stack.pop();
        return value;
    }
    if let Some(parts) = schema.get("allOf").and_then(Node::items) {
        let mut fields: Vec<(String, Json)> = Vec::new();
        let mut other = None;
        for part in parts {
            match build(spec, part, direction, stack, depth + 1) {
                Json::Object(more) => {
                    for (k, v) in more {
                        match fields.iter_mut().find(|(key, _)| *key == k) {
                            Some(slot) => slot.1 = v,
                            None => fields.push((k, v)),
                        }
                    }
                }
                value => other = other.or(Some(value)),
            }
        }
        if fields.is_empty() {
            if let Some(value) = other {
                return value;
            }
        }
        if schema.get("properties").is_none() {
            return Json::Object(fields);
        }
        let Json::Object(own) = object(spec, schema, direction, stack, depth) else {
            return Json::Object(fields);
        };
        for (k, v) in own {
            match fields.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => fields.push((k, v)),
            }
        }
        return Json::Object(fields);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(Node::items).and_then(<[_]>::first) {
            return build(spec, first, direction, stack, depth + 1);
        }
    }
    if let Some(default) = schema.get("default") {
        return Json::from_node(default);
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Node::items)
        .and_then(<[_]>::first)
    {
        return Json::from_node(first);
    }
    match text(schema, "type") {
        Some("array") => match schema.get("items") {
            Some(items) => Json::Array(vec![build(spec, items, direction, stack, depth + 1)]),
            None => Json::Array(Vec::new()),
        },
        Some("string") => Json::Str(string_placeholder(text(schema, "format")).to_string()),
        Some("integer") => Json::Number("0".into()),
        Some("number") => Json::Number("0".into()),
        Some("boolean") => Json::Bool(true),
        Some("null") => Json::Null,
        Some("object") => object(spec, schema, direction, stack, depth),
        _ if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() => {
            object(spec, schema, direction, stack, depth)
        }
        _ => Json::Null,
    }
}

fn object<'a>(
    spec: &Spec<'a>,
    schema: &'a Node,
    direction: Direction,
    stack: &mut Vec<&'a str>,
    depth: usize,
) -> Json {
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    let props = schema
        .get("properties")
        .and_then(Node::entries)
        .unwrap_or_default();
    for entry in props {
        if !seen.insert(entry.key.as_str()) {
            continue;
        }
        let prop = spec.deref(&entry.value);
        if direction == Direction::Request && flag(prop, "readOnly") {
            continue;
        }
        fields.push((
            entry.key.clone(),
            build(spec, &entry.value, direction, stack, depth + 1),
        ));
    }
    if fields.is_empty() {
        if let Some(extra) = schema.get("additionalProperties") {
            if extra.entries().is_some() {
                let value = build(spec, extra, direction, stack, depth + 1);
                fields.push(("property1".to_string(), value));
            }
        }
    }
    Json::Object(fields)
}

fn string_placeholder(format: Option<&str>) -> &'static str {
    match format {
        Some("date-time") | Some("dateTime") => "2024-01-01T00:00:00Z",
        Some("date") => "2024-01-01",
        Some("uri") | Some("url") => "https://example.org/",
        Some("uuid") => "00000000-0000-0000-0000-000000000000",
        Some("binary") => "<bytes>",
        Some("byte") => "U3dhZ2dlciByb2Nrcw==",
        Some("ip") | Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        _ => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::anchors::Anchors;
    use crate::load::load_str;

    fn spec_of(yaml: &str) -> crate::load::Document {
        load_str("t.yaml", yaml).unwrap()
    }

    #[test]
    fn prints_in_spec_order() {
        let doc = spec_of("b: 1\na: [x, {c: 1.5}]\nd: {}\ne: []\nf: \"q\\\"\"\n");
        let json = Json::from_node(&doc.root);
        assert_eq!(
            json.pretty(),
            "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    {\n      \"c\": 1.5\n    }\n  ],\n  \"d\": {},\n  \"e\": [],\n  \"f\": \"q\\\"\"\n}"
        );
        assert_eq!(
            json.compact(),
            "{\"b\": 1, \"a\": [\"x\", {\"c\": 1.5}], \"d\": {}, \"e\": [], \"f\": \"q\\\"\"}"
        );
    }

    #[test]
    fn assembles_from_property_examples_and_types() {
        let doc = spec_of(
            r##"
definitions:
  Node:
    type: object
    properties:
      Name: {type: string, example: "n1"}
      Id: {type: string, readOnly: true}
      Size: {type: integer}
      Kind: {type: string, enum: [a, b]}
      Child: {$ref: "#/definitions/Node"}
      Labels: {type: object, additionalProperties: {type: string}}
      Tags: {type: array, items: {type: string}}
"##,
        );
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let node = spec.definitions[0].1;
        let req = synthesize(&spec, node, Direction::Request).compact();
        assert_eq!(
            req,
            "{\"Name\": \"n1\", \"Size\": 0, \"Kind\": \"a\", \"Child\": {\"Name\": \"n1\", \"Size\": 0, \"Kind\": \"a\", \"Child\": null, \"Labels\": {\"property1\": \"string\"}, \"Tags\": [\"string\"]}, \"Labels\": {\"property1\": \"string\"}, \"Tags\": [\"string\"]}"
        );
        let resp = synthesize(&spec, node, Direction::Response).compact();
        assert!(
            resp.starts_with("{\"Name\": \"n1\", \"Id\": \"string\""),
            "{resp}"
        );
    }

    #[test]
    fn finds_the_spec_example_through_refs() {
        let doc = spec_of(
            "definitions:\n  A:\n    allOf:\n      - $ref: '#/definitions/B'\n  B:\n    type: object\n    example: {x: 1}\n",
        );
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let ex = spec_example(&spec, spec.definitions[0].1).map(|j| j.compact());
        assert_eq!(ex.as_deref(), Some("{\"x\": 1}"));
    }
}
