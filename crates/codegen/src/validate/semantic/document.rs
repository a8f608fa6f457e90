//! Rules about the document as a whole: references resolve, no two paths
//! are the same route, every definition is used.

use std::collections::{BTreeMap, HashSet};

use super::context::Context;
use crate::load::{Node, Pos};
use crate::pointer::join;
use crate::validate::refs::Target;
use crate::validate::{Diagnostic, Rule, SpecVersion};

/// Every `$ref` (outside literal values) resolves; remote URLs are not fetched.
pub fn ref_unresolved(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for site in &ctx.ref_sites {
        if let Target::Missing(why) = ctx.refs.resolve(site.target) {
            out.push(Diagnostic::new(
                Rule::RefUnresolved,
                site.node.pos,
                format!("`$ref: {}` does not resolve: {why}", site.target),
                &site.ptr,
            ));
        }
    }
}

/// `/a/{id}` and `/a/{name}` are the same route.
pub fn path_duplicate(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, (&str, Pos)> = BTreeMap::new();
    for path in &ctx.paths {
        let key = path.entry.key.as_str();
        let shape = route_shape(key);
        match seen.get(&shape) {
            Some((first, pos)) if *first != key => out.push(Diagnostic::new(
                Rule::PathDuplicate,
                path.entry.key_node.pos,
                format!(
                    "path `{key}` is the same route as `{first}` (line {}); only parameter names differ",
                    pos.line
                ),
                &path.ptr,
            )),
            Some(_) => {}
            None => {
                seen.insert(shape, (key, path.entry.key_node.pos));
            }
        }
    }
}

/// The path with every `{name}` reduced to `{}`.
fn route_shape(path: &str) -> String {
    let mut shape = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                shape.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => shape.push(c),
        }
    }
    shape
}

/// Definitions (OpenAPI 3: component schemas) nothing refers to.
pub fn definition_unused(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (container, base) = match ctx.version {
        SpecVersion::Swagger2 => (ctx.root.get("definitions"), "/definitions"),
        SpecVersion::OpenApi3 => (
            ctx.root.get("components").and_then(|c| c.get("schemas")),
            "/components/schemas",
        ),
    };
    let Some(entries) = container.and_then(Node::entries) else {
        return;
    };
    let used: HashSet<&str> = ctx.ref_sites.iter().map(|s| s.target).collect();
    for e in entries {
        let target = format!("#{base}/{}", crate::pointer::escape(&e.key));
        if !used.contains(target.as_str()) {
            out.push(Diagnostic::new(
                Rule::DefinitionUnused,
                e.key_node.pos,
                format!("definition `{}` is never referenced", e.key),
                &join(base, &e.key),
            ));
        }
    }
}
