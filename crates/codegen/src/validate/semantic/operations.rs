//! Rules about operations: unique operationIds, path templates and path
//! parameters that agree, parameters that are not doubled, Swagger 2.0's
//! body / formData / file / collectionFormat constraints, and response codes.

use std::collections::HashMap;

use super::context::{Context, Param};
use crate::load::{Node, Pos};
use crate::pointer::join;
use crate::validate::{Diagnostic, Rule, SpecVersion};

/// operationIds are unique across the document.
pub fn operation_id_duplicate(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, Pos> = HashMap::new();
    for (_, op) in ctx.operations() {
        let Some(id_node) = op.entry.value.get("operationId") else {
            continue;
        };
        let Some(id) = id_node.as_str() else {
            continue;
        };
        match ids.get(id) {
            Some(first) => out.push(Diagnostic::new(
                Rule::OperationIdDuplicate,
                id_node.pos,
                format!("operationId `{id}` is already used at line {}", first.line),
                &join(&op.ptr, "operationId"),
            )),
            None => {
                ids.insert(id, id_node.pos);
            }
        }
    }
}

/// Every `{placeholder}` of the path has an `in: path` parameter.
pub fn path_param_undeclared(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (path, op) in ctx.operations() {
        for name in &path.placeholders {
            let declared = op
                .effective
                .iter()
                .any(|p| p.location == "path" && p.name == name);
            if !declared {
                out.push(Diagnostic::new(
                    Rule::PathParamUndeclared,
                    op.entry.key_node.pos,
                    format!(
                        "`{{{name}}}` in path `{}` has no `in: path` parameter in {}",
                        path.entry.key,
                        op.title(path)
                    ),
                    &op.ptr,
                ));
            }
        }
    }
}

/// Every `in: path` parameter has its `{placeholder}` in the path.
pub fn path_param_unused(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (path, op) in ctx.operations() {
        for p in path_params(&op.effective) {
            if !path.placeholders.iter().any(|n| n == p.name) {
                out.push(Diagnostic::new(
                    Rule::PathParamUnused,
                    p.node.pos,
                    format!(
                        "path parameter `{}` has no `{{{}}}` in `{}`",
                        p.name, p.name, path.entry.key
                    ),
                    &p.ptr,
                ));
            }
        }
    }
}

/// Every `in: path` parameter says `required: true`.
pub fn path_param_not_required(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (_, op) in ctx.operations() {
        for p in path_params(&op.effective) {
            if p.node.get("required").and_then(Node::as_bool) != Some(true) {
                out.push(Diagnostic::new(
                    Rule::PathParamNotRequired,
                    p.node.pos,
                    format!("path parameter `{}` must have `required: true`", p.name),
                    &p.ptr,
                ));
            }
        }
    }
}

fn path_params<'p, 'a>(list: &'p [Param<'a>]) -> impl Iterator<Item = &'p Param<'a>> {
    list.iter().filter(|p| p.location == "path")
}

/// Swagger 2.0: at most one body parameter.
pub fn body_multiple(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.version != SpecVersion::Swagger2 {
        return;
    }
    for (path, op) in ctx.operations() {
        let bodies: Vec<&Param> = op
            .effective
            .iter()
            .filter(|p| p.location == "body")
            .collect();
        if let [_, second, ..] = bodies.as_slice() {
            out.push(Diagnostic::new(
                Rule::BodyMultiple,
                second.node.pos,
                format!(
                    "{} has {} body parameters; at most one is allowed",
                    op.title(path),
                    bodies.len()
                ),
                &second.ptr,
            ));
        }
    }
}

/// Swagger 2.0: a body parameter and formData parameters exclude each other.
pub fn body_and_formdata(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.version != SpecVersion::Swagger2 {
        return;
    }
    for (path, op) in ctx.operations() {
        let body = op.effective.iter().find(|p| p.location == "body");
        let form = op.effective.iter().any(|p| p.location == "formData");
        if let (Some(body), true) = (body, form) {
            out.push(Diagnostic::new(
                Rule::BodyAndFormdata,
                body.node.pos,
                format!("{} has both a body and formData parameters", op.title(path)),
                &body.ptr,
            ));
        }
    }
}

/// Swagger 2.0: a `type: file` parameter is `in: formData`.
pub fn param_file_location(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.version != SpecVersion::Swagger2 {
        return;
    }
    for (_, op) in ctx.operations() {
        for p in &op.effective {
            let file = p.node.get("type").and_then(Node::as_str) == Some("file");
            if file && p.location != "formData" {
                out.push(Diagnostic::new(
                    Rule::ParamFileLocation,
                    p.node.pos,
                    format!("parameter `{}` of type file must be `in: formData`", p.name),
                    &p.ptr,
                ));
            }
        }
    }
}

/// Swagger 2.0: `collectionFormat: multi` only in query and formData.
pub fn param_collection_format(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.version != SpecVersion::Swagger2 {
        return;
    }
    for (_, op) in ctx.operations() {
        for p in &op.effective {
            let multi = p.node.get("collectionFormat").and_then(Node::as_str) == Some("multi");
            if multi && !matches!(p.location, "query" | "formData") {
                out.push(Diagnostic::new(
                    Rule::ParamCollectionFormat,
                    p.node.pos,
                    format!(
                        "parameter `{}`: collectionFormat multi is only valid in query or formData",
                        p.name
                    ),
                    &p.ptr,
                ));
            }
        }
    }
}

/// No parameter list names the same (name, location) twice.
pub fn param_duplicate(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for path in &ctx.paths {
        duplicates(&path.shared, out);
        for op in &path.operations {
            duplicates(&op.own, out);
        }
    }
}

fn duplicates(list: &[Param], out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str), Pos> = HashMap::new();
    for p in list {
        match seen.get(&(p.name, p.location)) {
            Some(first) => out.push(Diagnostic::new(
                Rule::ParamDuplicate,
                p.node.pos,
                format!(
                    "parameter `{}` in {} is declared twice (first at line {})",
                    p.name, p.location, first.line
                ),
                &p.ptr,
            )),
            None => {
                seen.insert((p.name, p.location), p.node.pos);
            }
        }
    }
}

/// Response keys are 3-digit statuses (or `1XX`-style ranges in OpenAPI 3)
/// or `default`.
pub fn response_code(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (_, op) in ctx.operations() {
        let Some(responses) = op.entry.value.get("responses").and_then(Node::entries) else {
            continue;
        };
        for r in responses {
            if !valid_code(ctx.version, &r.key) && !r.key.starts_with("x-") {
                out.push(Diagnostic::new(
                    Rule::ResponseCode,
                    r.key_node.pos,
                    format!(
                        "response code `{}` is neither a 3-digit HTTP status nor `default`",
                        r.key
                    ),
                    &join(&join(&op.ptr, "responses"), &r.key),
                ));
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
