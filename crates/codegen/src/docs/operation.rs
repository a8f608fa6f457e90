//! One operation as the page shows it: method and path, parameters by
//! location, the request body, every response with its headers and schema,
//! and example request/response JSON (the spec's own examples first,
//! otherwise assembled from the schema). Swagger 2.0 and OpenAPI 3.0 forms
//! are both read.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::load::Node;

use super::anchors;
use super::builder::Builder;
use super::calls::Call;
use super::example::{self, Direction, Json};
use super::markdown;
use super::schema::{constraints, type_label, SchemaView, TypePart};
use super::spec::{flag, strings, text};

#[derive(Debug, Serialize)]
pub struct Operation {
    pub id: String,
    /// Further ids of the section (ReDoc's `tag/<Tag>/operation/<id>`).
    pub aliases: Vec<String>,
    pub operation_id: Option<String>,
    pub method: String,
    pub path: String,
    pub nav_title: String,
    pub summary_html: String,
    pub description_html: String,
    pub deprecated: bool,
    pub consumes: Vec<String>,
    pub produces: Vec<String>,
    pub param_groups: Vec<ParamGroup>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The call through our client and the curl line (from the IR; `None`
    /// when the spec could not be lowered or lacks the operationId).
    pub call: Option<Call>,
}

#[derive(Debug, Serialize)]
pub struct ParamGroup {
    pub location: String,
    pub title: String,
    pub params: Vec<Param>,
}

#[derive(Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub location: String,
    pub type_label: Vec<TypePart>,
    pub required: bool,
    pub deprecated: bool,
    pub default: Option<String>,
    pub enum_values: Vec<String>,
    pub constraints: Vec<String>,
    pub example: Option<String>,
    pub description_html: String,
}

#[derive(Debug, Serialize)]
pub struct Body {
    pub name: String,
    pub required: bool,
    pub description_html: String,
    pub content_types: Vec<String>,
    pub schema: Option<SchemaView>,
    pub example: Option<Example>,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub status: String,
    /// `info`, `success`, `redirect`, `client`, `server` or `default`.
    pub kind: String,
    pub description_html: String,
    pub headers: Vec<Header>,
    pub schema: Option<SchemaView>,
    pub example: Option<Example>,
}

#[derive(Debug, Serialize)]
pub struct Header {
    pub name: String,
    pub type_label: Vec<TypePart>,
    pub description_html: String,
}

#[derive(Debug, Serialize)]
pub struct Example {
    /// `spec` when the spec gives the example, `derived` when it was
    /// assembled from the schema's property examples and types.
    pub source: String,
    pub media_type: String,
    pub text: String,
}

impl<'a> Builder<'_, 'a> {
    pub(super) fn operation(
        &mut self,
        tag_id: &str,
        path: &str,
        method: &str,
        item: &'a Node,
        op: &'a Node,
    ) -> Operation {
        let root = self.spec.root;
        let operation_id = text(op, "operationId").map(str::to_string);
        let id = self.anchors.claim(&anchors::operation_id(
            operation_id.as_deref(),
            tag_id,
            path,
            method,
        ));
        let summary = text(op, "summary").unwrap_or("");
        let nav_title = if !summary.trim().is_empty() {
            markdown::plain_text(summary)
        } else if let Some(op_id) = &operation_id {
            op_id.clone()
        } else {
            format!("{} {path}", method.to_uppercase())
        };
        let description_html = self.md(
            text(op, "description").unwrap_or(""),
            &format!("{id}/section/"),
            4,
        );
        let list = |key: &str| {
            let own = strings(op, key);
            if op.get(key).is_some() {
                own
            } else {
                strings(root, key)
            }
        };
        let consumes: Vec<String> = list("consumes").into_iter().map(str::to_string).collect();
        let produces: Vec<String> = list("produces").into_iter().map(str::to_string).collect();

        // Path-level parameters apply unless the operation restates them.
        let mut params: Vec<&'a Node> = Vec::new();
        let key_of = |p: &Node| {
            (
                text(p, "name").unwrap_or("").to_string(),
                text(p, "in").unwrap_or("").to_string(),
            )
        };
        let own: Vec<&'a Node> = op
            .get("parameters")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|p| self.spec.deref(p))
            .collect();
        for p in item
            .get("parameters")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            let p = self.spec.deref(p);
            if !own.iter().any(|o| key_of(o) == key_of(p)) {
                params.push(p);
            }
        }
        params.extend(own);

        let mut groups: Vec<ParamGroup> = Vec::new();
        let mut body = None;
        for p in params {
            let location = text(p, "in").unwrap_or("");
            if location == "body" {
                if body.is_none() {
                    body = Some(self.swagger_body(&id, p, &consumes));
                }
                continue;
            }
            let param = self.param(&id, p);
            let order = ["path", "query", "header", "cookie", "formData"];
            match groups.iter_mut().find(|g| g.location == location) {
                Some(group) => group.params.push(param),
                None => {
                    groups.push(ParamGroup {
                        location: location.to_string(),
                        title: match location {
                            "path" => "Path parameters",
                            "query" => "Query parameters",
                            "header" => "Header parameters",
                            "cookie" => "Cookie parameters",
                            "formData" => "Form parameters",
                            _ => "Other parameters",
                        }
                        .to_string(),
                        params: vec![param],
                    });
                    groups.sort_by_key(|g| {
                        order
                            .iter()
                            .position(|o| *o == g.location)
                            .unwrap_or(order.len())
                    });
                }
            }
        }
        if body.is_none() {
            if let Some(request) = op.get("requestBody") {
                body = Some(self.oas3_body(&id, self.spec.deref(request)));
            }
        }

        let mut responses = Vec::new();
        let mut seen = BTreeSet::new();
        for entry in op
            .get("responses")
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            if entry.key.starts_with("x-") || !seen.insert(entry.key.as_str()) {
                continue;
            }
            responses.push(self.response(
                &id,
                &entry.key,
                self.spec.deref(&entry.value),
                &produces,
            ));
        }

        Operation {
            id,
            aliases: Vec::new(),
            operation_id,
            method: method.to_uppercase(),
            path: path.to_string(),
            nav_title,
            summary_html: markdown::render_inline(summary),
            description_html,
            deprecated: flag(op, "deprecated"),
            consumes,
            produces,
            param_groups: groups,
            body,
            responses,
            call: None,
        }
    }

    fn param(&mut self, op_id: &str, p: &'a Node) -> Param {
        // Swagger 2.0 puts the type on the parameter, OAS 3 in `schema`.
        let typed = match p.get("schema") {
            Some(schema) if p.get("type").is_none() => self.spec.deref(schema),
            _ => p,
        };
        let mut type_label = type_label(
            self.spec,
            match p.get("schema") {
                Some(schema) if p.get("type").is_none() => schema,
                _ => p,
            },
        );
        if let Some(format) = text(p, "collectionFormat") {
            type_label.push(TypePart {
                text: format!(" ({format})"),
                href: None,
            });
        }
        let location = text(p, "in").unwrap_or("").to_string();
        Param {
            name: text(p, "name").unwrap_or("").to_string(),
            required: flag(p, "required") || location == "path",
            location,
            type_label,
            deprecated: flag(p, "deprecated"),
            default: typed.get("default").map(|d| Json::from_node(d).compact()),
            enum_values: typed
                .get("enum")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|v| Json::from_node(v).compact())
                .collect(),
            constraints: constraints(typed),
            example: p
                .get("example")
                .or_else(|| p.get("x-example"))
                .map(|e| Json::from_node(e).compact()),
            description_html: self.md(
                text(p, "description").unwrap_or(""),
                &format!("{op_id}/section/"),
                6,
            ),
        }
    }

    fn swagger_body(&mut self, op_id: &str, p: &'a Node, consumes: &[String]) -> Body {
        let schema = p.get("schema");
        let json_type = pick_json(consumes);
        let example = schema.and_then(|s| self.request_example(s, &json_type));
        Body {
            name: text(p, "name").unwrap_or("body").to_string(),
            required: flag(p, "required"),
            description_html: self.md(
                text(p, "description").unwrap_or(""),
                &format!("{op_id}/section/"),
                5,
            ),
            content_types: consumes.to_vec(),
            schema: schema.map(|s| self.schema_view(s, op_id, true)),
            example,
        }
    }

    fn oas3_body(&mut self, op_id: &str, request: &'a Node) -> Body {
        let content = request
            .get("content")
            .and_then(Node::entries)
            .unwrap_or_default();
        let content_types: Vec<String> = content.iter().map(|e| e.key.clone()).collect();
        let chosen = content
            .iter()
            .find(|e| is_json(&e.key))
            .or_else(|| content.first());
        let schema = chosen.and_then(|e| e.value.get("schema"));
        let media_type = chosen.map_or_else(|| "application/json".to_string(), |e| e.key.clone());
        let example = chosen
            .and_then(|e| media_example(&e.value))
            .map(|json| example_of("spec", &media_type, &json))
            .or_else(|| schema.and_then(|s| self.request_example(s, &media_type)));
        Body {
            name: "body".to_string(),
            required: flag(request, "required"),
            description_html: self.md(
                text(request, "description").unwrap_or(""),
                &format!("{op_id}/section/"),
                5,
            ),
            content_types,
            schema: schema.map(|s| self.schema_view(s, op_id, true)),
            example,
        }
    }

    fn request_example(&self, schema: &'a Node, media_type: &str) -> Option<Example> {
        if let Some(json) = example::spec_example(self.spec, schema) {
            return Some(example_of("spec", media_type, &json));
        }
        if !is_json(media_type) || !self.is_structured(schema) {
            return None;
        }
        let json = example::synthesize(self.spec, schema, Direction::Request);
        Some(example_of("derived", media_type, &json))
    }

    fn response(
        &mut self,
        op_id: &str,
        status: &str,
        r: &'a Node,
        produces: &[String],
    ) -> Response {
        let kind = match status.as_bytes().first() {
            Some(b'1') => "info",
            Some(b'2') => "success",
            Some(b'3') => "redirect",
            Some(b'4') => "client",
            Some(b'5') => "server",
            _ => "default",
        };
        let description_html = self.md(
            text(r, "description").unwrap_or(""),
            &format!("{op_id}/section/"),
            6,
        );
        let mut headers = Vec::new();
        for entry in r.get("headers").and_then(Node::entries).unwrap_or_default() {
            let h = self.spec.deref(&entry.value);
            let typed = match h.get("schema") {
                Some(schema) if h.get("type").is_none() => schema,
                _ => h,
            };
            headers.push(Header {
                name: entry.key.clone(),
                type_label: type_label(self.spec, typed),
                description_html: self.md(
                    text(h, "description").unwrap_or(""),
                    &format!("{op_id}/section/"),
                    6,
                ),
            });
        }
        // Swagger 2.0: `schema` + `examples` by media type; OAS 3: `content`.
        let (schema, spec_example, media_type) = match r.get("content").and_then(Node::entries) {
            Some(content) => {
                let chosen = content
                    .iter()
                    .find(|e| is_json(&e.key))
                    .or_else(|| content.first());
                (
                    chosen.and_then(|e| e.value.get("schema")),
                    chosen.and_then(|e| media_example(&e.value)),
                    chosen.map_or_else(|| pick_json(produces), |e| e.key.clone()),
                )
            }
            None => {
                let examples = r
                    .get("examples")
                    .and_then(Node::entries)
                    .unwrap_or_default();
                let chosen = examples
                    .iter()
                    .find(|e| is_json(&e.key))
                    .or_else(|| examples.first());
                (
                    r.get("schema"),
                    chosen.map(|e| Json::from_node(&e.value)),
                    chosen.map_or_else(|| pick_json(produces), |e| e.key.clone()),
                )
            }
        };
        let expand = matches!(kind, "success" | "info" | "redirect" | "default");
        let example = spec_example
            .map(|json| example_of("spec", &media_type, &json))
            .or_else(|| {
                let schema = schema?;
                if let Some(json) = example::spec_example(self.spec, schema) {
                    return Some(example_of("spec", &media_type, &json));
                }
                if !expand || !is_json(&media_type) || !self.is_structured(schema) {
                    return None;
                }
                let json = example::synthesize(self.spec, schema, Direction::Response);
                Some(example_of("derived", &media_type, &json))
            });
        Response {
            status: status.to_string(),
            kind: kind.to_string(),
            description_html,
            headers,
            schema: schema.map(|s| self.schema_view(s, op_id, expand)),
            example,
        }
    }

    /// Whether a schema is an object or array (worth an assembled example).
    fn is_structured(&self, schema: &'a Node) -> bool {
        let s = self.spec.deref(schema);
        matches!(text(s, "type"), Some("object") | Some("array"))
            || s.get("properties").is_some()
            || s.get("allOf").is_some()
    }
}

fn is_json(media_type: &str) -> bool {
    let base = media_type.split(';').next().unwrap_or("").trim();
    base == "application/json" || base.ends_with("+json") || base == "*/*"
}

/// The JSON media type of a list when it has one, else its first entry.
fn pick_json(types: &[String]) -> String {
    types
        .iter()
        .find(|t| is_json(t))
        .or_else(|| types.first())
        .cloned()
        .unwrap_or_else(|| "application/json".to_string())
}

/// OAS 3 media type object: `example`, or the first of `examples`.
fn media_example(media: &Node) -> Option<Json> {
    if let Some(example) = media.get("example") {
        return Some(Json::from_node(example));
    }
    let first = media.get("examples")?.entries()?.first()?;
    first.value.get("value").map(Json::from_node)
}

pub(super) fn example_of(source: &str, media_type: &str, json: &Json) -> Example {
    let text = match json {
        // A plain-text example (`text/plain: "OK"`) is shown as written.
        Json::Str(s) if !is_json(media_type) => s.clone(),
        other => other.pretty(),
    };
    Example {
        source: source.to_string(),
        media_type: media_type.to_string(),
        text,
    }
}
