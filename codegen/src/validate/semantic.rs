//! Rules the object model cannot express: references resolve, operationIds
//! are unique, path templates and path parameters agree, bodies are not
//! doubled, response codes are real, values fit their schemas, `required`
//! names real properties, arrays say what they hold, no path is declared
//! twice, and every definition is used.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::fit::fits;
use super::refs::{Resolver, Target};
use super::{Diagnostic, SpecVersion};
use crate::load::{Node, Pos, Value};
use crate::pointer::join;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub fn check(version: SpecVersion, root: &Node, base: &Path, out: &mut Vec<Diagnostic>) {
    let mut refs = Resolver::new(root, base);
    let mut used_refs = HashSet::new();
    check_refs(root, "", &mut refs, &mut used_refs, out);
    check_operations(version, root, &refs, out);
    check_duplicate_paths(root, out);
    check_values(root, "", false, &refs, out);
    check_unused(version, root, &used_refs, out);
}

/// Every `$ref` (outside example values) resolves.
fn check_refs(
    node: &Node,
    ptr: &str,
    refs: &mut Resolver,
    used: &mut HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                let p = join(ptr, &e.key);
                if is_literal_key(&e.key) {
                    continue;
                }
                if e.key == "$ref" {
                    if let Some(target) = e.value.as_str() {
                        used.insert(target.to_string());
                        match refs.resolve(target) {
                            Target::Found | Target::Remote => {}
                            Target::Missing(why) => out.push(Diagnostic::error(
                                e.value.pos,
                                "ref-unresolved",
                                format!("`$ref: {target}` does not resolve: {why}"),
                                &p,
                            )),
                        }
                    }
                    continue;
                }
                check_refs(&e.value, &p, refs, used, out);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                check_refs(item, &join(ptr, &i.to_string()), refs, used, out);
            }
        }
        _ => {}
    }
}

/// Keys whose values are literal data, not spec objects.
fn is_literal_key(key: &str) -> bool {
    matches!(
        key,
        "example" | "examples" | "default" | "enum" | "x-example"
    ) || key.starts_with("x-")
}

/// A parameter after following its `$ref`, with where it was written.
struct Param<'a> {
    node: &'a Node,
    ptr: String,
    name: String,
    location: String,
}

fn params<'a>(list: Option<&'a Node>, ptr: &str, refs: &Resolver<'a>) -> Vec<Param<'a>> {
    let Some(items) = list.and_then(Node::items) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let node = match item.get("$ref").and_then(Node::as_str) {
            Some(r) => match refs.local(r) {
                Some(target) => target,
                None => continue,
            },
            None => item,
        };
        let name = node
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let location = node
            .get("in")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        out.push(Param {
            node,
            ptr: join(ptr, &i.to_string()),
            name,
            location,
        });
    }
    out
}

fn template_params(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    names
}

fn check_operations(version: SpecVersion, root: &Node, refs: &Resolver, out: &mut Vec<Diagnostic>) {
    let Some(paths) = root.get("paths").and_then(Node::entries) else {
        return;
    };
    let mut ids: HashMap<String, Pos> = HashMap::new();
    for path in paths {
        if !path.key.starts_with('/') {
            continue;
        }
        let path_ptr = join("/paths", &path.key);
        let placeholders = template_params(&path.key);
        let shared = params(
            path.value.get("parameters"),
            &join(&path_ptr, "parameters"),
            refs,
        );
        duplicate_params(&shared, out);
        let Some(entries) = path.value.entries() else {
            continue;
        };
        for op in entries.iter().filter(|e| METHODS.contains(&e.key.as_str())) {
            let op_ptr = join(&path_ptr, &op.key);
            if let Some(id_node) = op.value.get("operationId") {
                if let Some(id) = id_node.as_str() {
                    if let Some(first) = ids.get(id) {
                        out.push(Diagnostic::error(
                            id_node.pos,
                            "operation-id-duplicate",
                            format!("operationId `{id}` is already used at line {}", first.line),
                            &join(&op_ptr, "operationId"),
                        ));
                    } else {
                        ids.insert(id.to_string(), id_node.pos);
                    }
                }
            }
            let own = params(
                op.value.get("parameters"),
                &join(&op_ptr, "parameters"),
                refs,
            );
            duplicate_params(&own, out);
            // Operation parameters override path-level ones of the same name and place.
            let mut effective: Vec<&Param> = own.iter().collect();
            for p in &shared {
                if !own
                    .iter()
                    .any(|o| o.name == p.name && o.location == p.location)
                {
                    effective.push(p);
                }
            }
            for name in &placeholders {
                if !effective
                    .iter()
                    .any(|p| p.location == "path" && &p.name == name)
                {
                    out.push(Diagnostic::error(
                        op.key_node.pos,
                        "path-param-undeclared",
                        format!(
                            "`{{{name}}}` in path `{}` has no `in: path` parameter in {} {}",
                            path.key,
                            op.key.to_uppercase(),
                            path.key
                        ),
                        &op_ptr,
                    ));
                }
            }
            for p in effective.iter().filter(|p| p.location == "path") {
                if !placeholders.contains(&p.name) {
                    out.push(Diagnostic::error(
                        p.node.pos,
                        "path-param-unused",
                        format!(
                            "path parameter `{}` has no `{{{}}}` in `{}`",
                            p.name, p.name, path.key
                        ),
                        &p.ptr,
                    ));
                }
                if p.node.get("required").and_then(Node::as_bool) != Some(true) {
                    out.push(Diagnostic::error(
                        p.node.pos,
                        "path-param-not-required",
                        format!("path parameter `{}` must have `required: true`", p.name),
                        &p.ptr,
                    ));
                }
            }
            if version == SpecVersion::Swagger2 {
                let bodies: Vec<&&Param> =
                    effective.iter().filter(|p| p.location == "body").collect();
                if bodies.len() > 1 {
                    out.push(Diagnostic::error(
                        bodies[1].node.pos,
                        "body-multiple",
                        format!(
                            "{} {} has {} body parameters; at most one is allowed",
                            op.key.to_uppercase(),
                            path.key,
                            bodies.len()
                        ),
                        &bodies[1].ptr,
                    ));
                }
                if let (Some(body), true) = (
                    bodies.first(),
                    effective.iter().any(|p| p.location == "formData"),
                ) {
                    out.push(Diagnostic::error(
                        body.node.pos,
                        "body-and-formdata",
                        format!(
                            "{} {} has both a body and formData parameters",
                            op.key.to_uppercase(),
                            path.key
                        ),
                        &body.ptr,
                    ));
                }
                for p in &effective {
                    let ty = p.node.get("type").and_then(Node::as_str);
                    if ty == Some("file") && p.location != "formData" {
                        out.push(Diagnostic::error(
                            p.node.pos,
                            "param-file-location",
                            format!("parameter `{}` of type file must be `in: formData`", p.name),
                            &p.ptr,
                        ));
                    }
                    if p.node.get("collectionFormat").and_then(Node::as_str) == Some("multi")
                        && !matches!(p.location.as_str(), "query" | "formData")
                    {
                        out.push(Diagnostic::error(
                            p.node.pos,
                            "param-collection-format",
                            format!("parameter `{}`: collectionFormat multi is only valid in query or formData", p.name),
                            &p.ptr,
                        ));
                    }
                }
            }
            if let Some(responses) = op.value.get("responses").and_then(Node::entries) {
                for r in responses {
                    if !valid_code(version, &r.key) && !r.key.starts_with("x-") {
                        out.push(Diagnostic::error(
                            r.key_node.pos,
                            "response-code",
                            format!(
                                "response code `{}` is neither a 3-digit HTTP status nor `default`",
                                r.key
                            ),
                            &join(&join(&op_ptr, "responses"), &r.key),
                        ));
                    }
                }
            }
        }
    }
}

fn valid_code(version: SpecVersion, code: &str) -> bool {
    if code == "default" {
        return true;
    }
    let b = code.as_bytes();
    if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
        return false;
    }
    let digits = b[1].is_ascii_digit() && b[2].is_ascii_digit();
    let range = version == SpecVersion::OpenApi3 && &b[1..] == b"XX";
    digits || range
}

fn duplicate_params(list: &[Param], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str), Pos> = HashMap::new();
    for p in list {
        if let Some(first) = seen.get(&(p.name.as_str(), p.location.as_str())) {
            out.push(Diagnostic::error(
                p.node.pos,
                "param-duplicate",
                format!(
                    "parameter `{}` in {} is declared twice (first at line {})",
                    p.name, p.location, first.line
                ),
                &p.ptr,
            ));
        } else {
            seen.insert((&p.name, &p.location), p.node.pos);
        }
    }
}

/// `/a/{id}` and `/a/{name}` are the same route.
fn check_duplicate_paths(root: &Node, out: &mut Vec<Diagnostic>) {
    let Some(paths) = root.get("paths").and_then(Node::entries) else {
        return;
    };
    let mut seen: BTreeMap<String, (&str, Pos)> = BTreeMap::new();
    for p in paths.iter().filter(|p| p.key.starts_with('/')) {
        let mut shape = String::new();
        let mut in_param = false;
        for c in p.key.chars() {
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
        if let Some((first, pos)) = seen.get(&shape) {
            if *first != p.key {
                out.push(Diagnostic::error(
                    p.key_node.pos,
                    "path-duplicate",
                    format!("path `{}` is the same route as `{first}` (line {}); only parameter names differ", p.key, pos.line),
                    &join("/paths", &p.key),
                ));
            }
        } else {
            seen.insert(shape, (&p.key, p.key_node.pos));
        }
    }
}

/// Keys whose mapping values are named children, not keyword objects.
fn is_named_map(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "definitions"
            | "paths"
            | "responses"
            | "headers"
            | "securityDefinitions"
            | "schemas"
            | "requestBodies"
            | "securitySchemes"
            | "links"
            | "callbacks"
            | "content"
            | "encoding"
            | "variables"
            | "scopes"
            | "patternProperties"
    )
}

/// Walks every object that may carry `default`, `enum`, `example`,
/// `required` or `type: array`, and checks those.
fn check_values(node: &Node, ptr: &str, named: bool, refs: &Resolver, out: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Map(entries) if named => {
            for e in entries {
                if !e.key.starts_with("x-") {
                    check_values(&e.value, &join(ptr, &e.key), false, refs, out);
                }
            }
        }
        Value::Map(entries) => {
            keyword_checks(node, ptr, refs, out);
            for e in entries {
                if is_literal_key(&e.key) {
                    continue;
                }
                let p = join(ptr, &e.key);
                let named_child = (is_named_map(&e.key)
                    || (e.key == "parameters" && e.value.entries().is_some()))
                    && e.value.entries().is_some();
                check_values(&e.value, &p, named_child, refs, out);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                check_values(item, &join(ptr, &i.to_string()), false, refs, out);
            }
        }
        _ => {}
    }
}

fn keyword_checks(obj: &Node, ptr: &str, refs: &Resolver, out: &mut Vec<Diagnostic>) {
    let typed =
        obj.get("type").is_some() || obj.get("$ref").is_some() || obj.get("properties").is_some();
    if typed {
        if let Some(d) = obj.get("default") {
            if let Err(why) = fits(obj, d, true, refs) {
                out.push(Diagnostic::error(
                    d.pos,
                    "default-type",
                    format!("default value does not fit its schema: {why}"),
                    &join(ptr, "default"),
                ));
            }
        }
        if let Some(values) = obj.get("enum").and_then(Node::items) {
            for (i, v) in values.iter().enumerate() {
                if let Err(why) = fits(obj, v, false, refs) {
                    out.push(Diagnostic::error(
                        v.pos,
                        "enum-type",
                        format!("enum value does not fit its schema: {why}"),
                        &join(&join(ptr, "enum"), &i.to_string()),
                    ));
                }
            }
        }
        if let Some(ex) = obj.get("example") {
            if let Err(why) = fits(obj, ex, true, refs) {
                out.push(Diagnostic::warning(
                    ex.pos,
                    "example-type",
                    format!("example does not fit its schema: {why}"),
                    &join(ptr, "example"),
                ));
            }
        }
    }
    // A response's examples, keyed by media type, against its schema.
    if let (Some(schema), Some(examples)) = (
        obj.get("schema"),
        obj.get("examples").and_then(Node::entries),
    ) {
        for e in examples.iter().filter(|e| e.key.contains("json")) {
            if let Err(why) = fits(schema, &e.value, true, refs) {
                out.push(Diagnostic::warning(
                    e.value.pos,
                    "example-type",
                    format!(
                        "example for {} does not fit the response schema: {why}",
                        e.key
                    ),
                    &join(&join(ptr, "examples"), &e.key),
                ));
            }
        }
    }
    if let (Some(required), Some(props)) = (
        obj.get("required").and_then(Node::items),
        obj.get("properties"),
    ) {
        for (i, name) in required.iter().enumerate() {
            if let Some(n) = name.as_str() {
                // Legal in Swagger 2.0 and JSON Schema (Docker's own spec
                // has one): a warning, and generation ignores the name.
                if props.get(n).is_none() {
                    out.push(Diagnostic::warning(
                        name.pos,
                        "required-unknown-property",
                        format!("`{n}` is required but is not among the properties; generation ignores it"),
                        &join(&join(ptr, "required"), &i.to_string()),
                    ));
                }
            }
        }
    }
    if obj.get("type").and_then(Node::as_str) == Some("array") && obj.get("items").is_none() {
        out.push(Diagnostic::error(
            obj.pos,
            "array-items",
            "`type: array` without `items`: say what the array holds".into(),
            ptr,
        ));
    }
}

/// Definitions nothing refers to (warnings).
fn check_unused(
    version: SpecVersion,
    root: &Node,
    used: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let (container, prefix) = match version {
        SpecVersion::Swagger2 => (root.get("definitions"), "#/definitions/"),
        SpecVersion::OpenApi3 => (
            root.get("components").and_then(|c| c.get("schemas")),
            "#/components/schemas/",
        ),
    };
    let Some(entries) = container.and_then(Node::entries) else {
        return;
    };
    for e in entries {
        let target = format!("{prefix}{}", crate::pointer::escape(&e.key));
        if !used.contains(&target) {
            let base = match version {
                SpecVersion::Swagger2 => "/definitions",
                SpecVersion::OpenApi3 => "/components/schemas",
            };
            out.push(Diagnostic::warning(
                e.key_node.pos,
                "definition-unused",
                format!("definition `{}` is never referenced", e.key),
                &join(base, &e.key),
            ));
        }
    }
}
