//! Schemas as the page shows them: a type label whose named types link to
//! their definitions, and a tree of property rows (inline objects nested,
//! named types linked rather than repeated, `allOf` parts merged).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::load::Node;

use super::anchors::Anchors;
use super::example::Json;
use super::markdown::{self, Headings};
use super::spec::{flag, ref_of, strings, text, Spec};

/// How deep nested property tables go; deeper levels show the type only.
const MAX_DEPTH: usize = 10;

/// One piece of a type label; `href` set when it names a definition.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TypePart {
    pub text: String,
    pub href: Option<String>,
}

/// A schema as a table: its type, facts about it, and its properties.
#[derive(Clone, Debug, Serialize, Default)]
pub struct SchemaView {
    pub type_label: Vec<TypePart>,
    pub nullable: bool,
    pub enum_values: Vec<String>,
    pub default: Option<String>,
    pub constraints: Vec<String>,
    pub rows: Vec<Row>,
}

/// One property, with the rows of its inline object (if any) as children.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub name: String,
    pub type_label: Vec<TypePart>,
    pub required: bool,
    pub read_only: bool,
    pub nullable: bool,
    pub deprecated: bool,
    pub description_html: String,
    pub default: Option<String>,
    pub enum_values: Vec<String>,
    pub constraints: Vec<String>,
    pub example: Option<String>,
    pub children: Vec<Row>,
}

/// Builds labels and rows; `id_prefix` names the place for heading ids
/// inside property descriptions.
pub struct SchemaBuilder<'s, 'a> {
    pub spec: &'s Spec<'a>,
    pub anchors: &'s mut Anchors,
    pub id_prefix: String,
}

impl<'a> SchemaBuilder<'_, 'a> {
    /// The view of a schema. With `expand_refs`, a schema that is (an array
    /// of) a named definition also lists that definition's properties.
    pub fn view(&mut self, schema: &'a Node, expand_refs: bool) -> SchemaView {
        // The rows of an array are its items' properties.
        let mut target = Some(schema);
        if text(schema, "type") == Some("array") {
            target = schema.get("items");
        }
        if let Some(reference) = target.and_then(ref_of) {
            target = if expand_refs {
                self.spec.follow(reference)
            } else {
                None
            };
        }
        let mut inlined = Vec::new();
        let rows = match target {
            Some(target) => self.rows(target, 0, &mut inlined),
            None => Vec::new(),
        };
        SchemaView {
            type_label: type_label(self.spec, schema),
            nullable: is_nullable(schema),
            enum_values: enum_values(self.spec.deref(schema)),
            default: self
                .spec
                .deref(schema)
                .get("default")
                .map(|d| Json::from_node(d).compact()),
            constraints: constraints(self.spec.deref(schema)),
            rows,
        }
    }

    /// The property rows of an object schema (merging `allOf` parts; a part
    /// that is a `$ref` contributes its properties, once per chain).
    fn rows(&mut self, schema: &'a Node, depth: usize, inlined: &mut Vec<&'a str>) -> Vec<Row> {
        let mut props: Vec<(&'a str, &'a Node)> = Vec::new();
        let mut required: BTreeSet<&'a str> = BTreeSet::new();
        self.collect(schema, &mut props, &mut required, inlined, 0);
        let mut rows = Vec::with_capacity(props.len());
        for (name, prop) in props {
            rows.push(self.row(name, prop, required.contains(name), depth, inlined));
        }
        rows
    }

    fn collect(
        &mut self,
        schema: &'a Node,
        props: &mut Vec<(&'a str, &'a Node)>,
        required: &mut BTreeSet<&'a str>,
        inlined: &mut Vec<&'a str>,
        hops: usize,
    ) {
        if hops > MAX_DEPTH {
            return;
        }
        if let Some(reference) = ref_of(schema) {
            if inlined.contains(&reference) {
                return;
            }
            if let Some(target) = self.spec.follow(reference) {
                inlined.push(reference);
                self.collect(target, props, required, inlined, hops + 1);
                inlined.pop();
            }
            return;
        }
        for part in schema
            .get("allOf")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            self.collect(part, props, required, inlined, hops + 1);
        }
        required.extend(strings(schema, "required"));
        for entry in schema
            .get("properties")
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            match props.iter_mut().find(|(name, _)| *name == entry.key) {
                // A later allOf part restates a property: the last word wins.
                Some(slot) => slot.1 = &entry.value,
                None => props.push((entry.key.as_str(), &entry.value)),
            }
        }
    }

    fn row(
        &mut self,
        name: &str,
        prop: &'a Node,
        required: bool,
        depth: usize,
        inlined: &mut Vec<&'a str>,
    ) -> Row {
        // Description and facts come from the property, or from a single
        // `allOf: [$ref]` wrapper's target when the property has none.
        let facts = self.spec.deref(prop);
        let description = text(prop, "description")
            .or_else(|| text(facts, "description"))
            .unwrap_or("");
        let prefix = self.id_prefix.clone();
        let description_html = markdown::render(
            description,
            Headings {
                id_prefix: &prefix,
                top_level: 6,
            },
            self.anchors,
        );
        let children = match inline_object(prop) {
            Some(inner) if depth < MAX_DEPTH => self.rows(inner, depth + 1, inlined),
            _ => Vec::new(),
        };
        let own_facts = if ref_of(prop).is_some() { facts } else { prop };
        Row {
            name: name.to_string(),
            type_label: type_label(self.spec, prop),
            required,
            read_only: flag(prop, "readOnly") || flag(facts, "readOnly"),
            nullable: is_nullable(prop),
            deprecated: flag(prop, "deprecated"),
            description_html,
            default: own_facts
                .get("default")
                .map(|d| Json::from_node(d).compact()),
            enum_values: enum_values(own_facts),
            constraints: constraints(own_facts),
            example: prop.get("example").map(|e| Json::from_node(e).compact()),
            children,
        }
    }
}

/// The object whose properties nest under a row: the property itself when
/// it is an inline object, or the inline object inside an array or map.
fn inline_object(prop: &Node) -> Option<&Node> {
    if ref_of(prop).is_some() {
        return None;
    }
    if has_own_properties(prop) {
        return Some(prop);
    }
    let inner = match text(prop, "type") {
        Some("array") => prop.get("items"),
        _ => prop.get("additionalProperties"),
    }?;
    if ref_of(inner).is_none() && has_own_properties(inner) {
        Some(inner)
    } else {
        None
    }
}

fn has_own_properties(schema: &Node) -> bool {
    if schema
        .get("properties")
        .and_then(Node::entries)
        .is_some_and(|e| !e.is_empty())
    {
        return true;
    }
    match schema.get("allOf").and_then(Node::items) {
        // `allOf: [$ref]` only wraps a named type: it links, not nests.
        Some([only]) => ref_of(only).is_none() && has_own_properties(only),
        Some(parts) => parts
            .iter()
            .any(|p| ref_of(p).is_some() || has_own_properties(p)),
        None => false,
    }
}

fn is_nullable(schema: &Node) -> bool {
    flag(schema, "x-nullable") || flag(schema, "nullable")
}

fn enum_values(schema: &Node) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|v| Json::from_node(v).compact())
        .collect()
}

/// Validation facts worth telling a reader (pattern, bounds, lengths).
pub fn constraints(schema: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let num = |key: &str| schema.get(key).map(|v| Json::from_node(v).compact());
    if let Some(pattern) = text(schema, "pattern") {
        out.push(format!("pattern: {pattern}"));
    }
    let exclusive_min = flag(schema, "exclusiveMinimum");
    let exclusive_max = flag(schema, "exclusiveMaximum");
    if let Some(v) = num("minimum") {
        out.push(format!("{} {v}", if exclusive_min { ">" } else { ">=" }));
    }
    if let Some(v) = num("maximum") {
        out.push(format!("{} {v}", if exclusive_max { "<" } else { "<=" }));
    }
    for (key, label) in [
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
    ] {
        if let Some(v) = num(key) {
            out.push(format!("{label}: {v}"));
        }
    }
    if flag(schema, "uniqueItems") {
        out.push("unique items".to_string());
    }
    out
}

/// The type of a schema as label parts: `string (date-time)`,
/// `array of [Mount]`, `map of string`, `[ContainerConfig] & object`.
pub fn type_label(spec: &Spec<'_>, schema: &Node) -> Vec<TypePart> {
    let mut parts = Vec::new();
    label_into(spec, schema, &mut parts, 0);
    merge_text(parts)
}

fn push(parts: &mut Vec<TypePart>, text: &str) {
    parts.push(TypePart {
        text: text.to_string(),
        href: None,
    });
}

fn label_into(spec: &Spec<'_>, schema: &Node, parts: &mut Vec<TypePart>, depth: usize) {
    if depth > MAX_DEPTH {
        push(parts, "…");
        return;
    }
    if let Some(reference) = ref_of(schema) {
        match spec.definition_of(reference) {
            Some(name) => parts.push(TypePart {
                text: name.to_string(),
                href: spec.definition_ids.get(name).map(|id| format!("#{id}")),
            }),
            None => match spec.follow(reference) {
                Some(target) if target.get("$ref").is_none() => {
                    label_into(spec, target, parts, depth + 1)
                }
                _ => push(parts, reference.rsplit('/').next().unwrap_or(reference)),
            },
        }
        return;
    }
    for (key, joiner) in [("allOf", " & "), ("oneOf", " | "), ("anyOf", " | ")] {
        if let Some(items) = schema.get(key).and_then(Node::items) {
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        push(parts, joiner);
                    }
                    label_into(spec, item, parts, depth + 1);
                }
                return;
            }
        }
    }
    let format = text(schema, "format");
    match text(schema, "type") {
        Some("array") => {
            push(parts, "array of ");
            match schema.get("items") {
                Some(items) => label_into(spec, items, parts, depth + 1),
                None => push(parts, "any"),
            }
        }
        Some("object") | None
            if schema.get("properties").is_none()
                && schema
                    .get("additionalProperties")
                    .is_some_and(|a| a.entries().is_some()) =>
        {
            push(parts, "map of ");
            if let Some(values) = schema.get("additionalProperties") {
                label_into(spec, values, parts, depth + 1);
            }
        }
        Some("file") => push(parts, "file"),
        Some(kind) => {
            push(parts, kind);
            if let Some(format) = format {
                push(parts, &format!(" ({format})"));
            }
        }
        None if schema.get("properties").is_some() => push(parts, "object"),
        None => push(parts, "any"),
    }
}

/// Joins neighbouring plain-text parts so the template emits fewer nodes.
fn merge_text(parts: Vec<TypePart>) -> Vec<TypePart> {
    let mut out: Vec<TypePart> = Vec::with_capacity(parts.len());
    for part in parts {
        match out.last_mut() {
            Some(last) if last.href.is_none() && part.href.is_none() => {
                last.text.push_str(&part.text)
            }
            _ => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    const SPEC: &str = r##"
definitions:
  Mount:
    type: object
    properties:
      Target: {type: string}
  Config:
    type: object
    required: [Image]
    properties:
      Image:
        type: string
        description: "The **image**."
      Mounts:
        type: array
        items: {$ref: "#/definitions/Mount"}
      Labels:
        type: object
        additionalProperties: {type: string}
      Healthcheck:
        type: object
        properties:
          Test: {type: array, items: {type: string}}
          Interval: {type: integer, format: int64, default: 0, minimum: 0}
      Mode:
        type: string
        enum: [a, b]
        x-nullable: true
  Create:
    allOf:
      - $ref: "#/definitions/Config"
      - type: object
        properties:
          Extra: {$ref: "#/definitions/Mount"}
"##;

    fn labels(spec: &Spec<'_>, name: &str) -> Vec<(String, String)> {
        let node = spec.definitions.iter().find(|d| d.0 == name).unwrap().1;
        node.get("properties")
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let label = type_label(spec, &e.value);
                let text = label.iter().map(|p| match &p.href {
                    Some(h) => format!("[{}]({h})", p.text),
                    None => p.text.clone(),
                });
                (e.key.clone(), text.collect())
            })
            .collect()
    }

    #[test]
    fn labels_link_named_types() {
        let doc = load_str("t.yaml", SPEC).unwrap();
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let got = labels(&spec, "Config");
        let want = [
            ("Image", "string"),
            ("Mounts", "array of [Mount](#schema/Mount)"),
            ("Labels", "map of string"),
            ("Healthcheck", "object"),
            ("Mode", "string"),
        ];
        for ((name, label), (wname, wlabel)) in got.iter().zip(want) {
            assert_eq!((name.as_str(), label.as_str()), (wname, wlabel));
        }
        let create = spec.definitions[2].1;
        let label = type_label(&spec, create);
        assert_eq!(label[0].href.as_deref(), Some("#schema/Config"));
        assert_eq!(label[1].text, " & object");
    }

    #[test]
    fn rows_nest_inline_objects_and_merge_all_of() {
        let doc = load_str("t.yaml", SPEC).unwrap();
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let create = spec.definitions[2].1;
        let mut builder = SchemaBuilder {
            spec: &spec,
            anchors: &mut anchors,
            id_prefix: "schema/Create/section/".into(),
        };
        let view = builder.view(create, false);
        let names: Vec<&str> = view.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Image", "Mounts", "Labels", "Healthcheck", "Mode", "Extra"]
        );
        assert!(view.rows[0].required);
        assert_eq!(
            view.rows[0].description_html,
            "<p>The <strong>image</strong>.</p>\n"
        );
        let health = &view.rows[3];
        assert_eq!(health.children.len(), 2);
        assert_eq!(health.children[1].default.as_deref(), Some("0"));
        assert_eq!(health.children[1].constraints, [">= 0"]);
        assert_eq!(view.rows[4].enum_values, ["\"a\"", "\"b\""]);
        assert!(view.rows[4].nullable);
        // Mounts links to Mount instead of repeating its fields.
        assert!(view.rows[1].children.is_empty());
    }

    #[test]
    fn expanding_a_ref_lists_its_properties() {
        let doc = load_str(
            "t.yaml",
            "definitions:\n  A:\n    type: object\n    properties:\n      x: {type: string}\n  L:\n    type: array\n    items: {$ref: '#/definitions/A'}\n",
        )
        .unwrap();
        let mut anchors = Anchors::new();
        let spec = Spec::new(&doc.root, &mut anchors);
        let node = load_str("r.yaml", "type: array\nitems: {$ref: '#/definitions/A'}\n").unwrap();
        let mut builder = SchemaBuilder {
            spec: &spec,
            anchors: &mut anchors,
            id_prefix: "x/".into(),
        };
        let view = builder.view(&node.root, true);
        assert_eq!(view.rows.len(), 1);
        assert_eq!(view.type_label[0].text, "array of ");
        let view = builder.view(&node.root, false);
        assert!(view.rows.is_empty());
    }
}
