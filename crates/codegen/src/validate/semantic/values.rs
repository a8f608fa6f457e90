//! Rules about schema keywords: `default`, `enum` and `example` values fit
//! their schema, `required` names declared properties, arrays say what
//! they hold.

use std::collections::HashSet;

use super::context::{Context, Keywords};
use crate::load::Node;
use crate::pointer::join;
use crate::validate::fit::fits;
use crate::validate::{Diagnostic, Rule};

/// How deep `$ref` / `allOf` chains are followed (cycles end there).
const MAX_DEPTH: usize = 32;

/// Whether an object says what type its values have (so they can be checked).
fn typed(obj: &Node) -> bool {
    obj.get("type").is_some() || obj.get("$ref").is_some() || obj.get("properties").is_some()
}

/// A `default` fits its schema (type, format range, enum).
pub fn default_type(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for Keywords { node, ptr, .. } in ctx.objects.iter().filter(|o| typed(o.node)) {
        if let Some(d) = node.get("default") {
            if let Err(why) = fits(node, d, true, &ctx.refs) {
                out.push(Diagnostic::new(
                    Rule::DefaultType,
                    d.pos,
                    format!("default value does not fit its schema: {why}"),
                    &join(ptr, "default"),
                ));
            }
        }
    }
}

/// Each `enum` value fits its schema's type.
pub fn enum_type(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for Keywords { node, ptr, .. } in ctx.objects.iter().filter(|o| typed(o.node)) {
        let Some(values) = node.get("enum").and_then(Node::items) else {
            continue;
        };
        for (i, v) in values.iter().enumerate() {
            if let Err(why) = fits(node, v, false, &ctx.refs) {
                out.push(Diagnostic::new(
                    Rule::EnumType,
                    v.pos,
                    format!("enum value does not fit its schema: {why}"),
                    &join(&join(ptr, "enum"), &i.to_string()),
                ));
            }
        }
    }
}

/// An `example` fits its schema; so do a response's JSON `examples`.
pub fn example_type(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for Keywords { node, ptr, .. } in &ctx.objects {
        if let (true, Some(ex)) = (typed(node), node.get("example")) {
            if let Err(why) = fits(node, ex, true, &ctx.refs) {
                out.push(Diagnostic::new(
                    Rule::ExampleType,
                    ex.pos,
                    format!("example does not fit its schema: {why}"),
                    &join(ptr, "example"),
                ));
            }
        }
        // A response's examples, keyed by media type, against its schema.
        let (Some(schema), Some(examples)) = (
            node.get("schema"),
            node.get("examples").and_then(Node::entries),
        ) else {
            continue;
        };
        for e in examples.iter().filter(|e| e.key.contains("json")) {
            if let Err(why) = fits(schema, &e.value, true, &ctx.refs) {
                out.push(Diagnostic::new(
                    Rule::ExampleType,
                    e.value.pos,
                    format!(
                        "example for {} does not fit the response schema: {why}",
                        e.key
                    ),
                    &join(&join(ptr, "examples"), &e.key),
                ));
            }
        }
    }
}

/// Property names an object can be seen to declare.
#[derive(Default)]
struct Declared<'a> {
    names: HashSet<&'a str>,
    /// Some schema declared `properties` (so a missing name means something).
    any: bool,
    /// A part could not be followed (a remote or dangling `$ref`, a cycle):
    /// the set may be incomplete, so nothing is reported.
    open: bool,
}

impl<'a> Declared<'a> {
    /// Adds what `schema` declares: its properties and those of its `allOf`
    /// branches, following local `$ref`s.
    fn add(&mut self, schema: &'a Node, ctx: &Context<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            self.open = true;
            return;
        }
        if let Some(target) = schema.get("$ref").and_then(Node::as_str) {
            match ctx.refs.local(target) {
                Some(t) => self.add(t, ctx, depth + 1),
                None => self.open = true,
            }
        }
        if let Some(props) = schema.get("properties").and_then(Node::entries) {
            self.any = true;
            self.names.extend(props.iter().map(|e| e.key.as_str()));
        }
        for branch in schema
            .get("allOf")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            self.add(branch, ctx, depth + 1);
        }
    }
}

/// A `required` name is declared as a property: by the object itself, by
/// its `allOf` branches, or (for an `allOf` branch) by the object that
/// holds the `allOf` and its other branches. Legal in Swagger 2.0 and JSON
/// Schema (Docker's own spec has one), so a warning; generation ignores it.
pub fn required_unknown_property(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for obj in &ctx.objects {
        let Some(required) = obj.node.get("required").and_then(Node::items) else {
            continue;
        };
        let mut declared = Declared::default();
        declared.add(obj.node, ctx, 0);
        let mut owner = obj.all_of_owner;
        let mut hops = 0;
        while let Some(index) = owner {
            let Some(holder) = ctx.objects.get(index) else {
                break;
            };
            declared.add(holder.node, ctx, 0);
            owner = holder.all_of_owner;
            hops += 1;
            if hops > MAX_DEPTH {
                declared.open = true;
                break;
            }
        }
        if declared.open || !declared.any {
            continue;
        }
        for (i, name) in required.iter().enumerate() {
            let Some(n) = name.as_str() else {
                continue;
            };
            if !declared.names.contains(n) {
                out.push(Diagnostic::new(
                    Rule::RequiredUnknownProperty,
                    name.pos,
                    format!("`{n}` is required but no property declares it; generation ignores it"),
                    &join(&join(&obj.ptr, "required"), &i.to_string()),
                ));
            }
        }
    }
}

/// `type: array` says what its items are.
pub fn array_items(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for Keywords { node, ptr, .. } in &ctx.objects {
        if node.get("type").and_then(Node::as_str) == Some("array") && node.get("items").is_none() {
            out.push(Diagnostic::new(
                Rule::ArrayItems,
                node.pos,
                "`type: array` without `items`: say what the array holds".into(),
                ptr,
            ));
        }
    }
}
