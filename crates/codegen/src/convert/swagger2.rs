//! Swagger 2.0 to OpenAPI 3.0, as a rewrite of one JSON tree into another.
//!
//! What moves where:
//! - `definitions`, `parameters`, `responses`, `securityDefinitions` go under
//!   `components` (body parameters become `components/requestBodies`), and
//!   every `$ref` follows them;
//! - a `body` parameter becomes the operation's `requestBody`, with one
//!   content entry per type the operation consumes; `formData` parameters
//!   become the properties of one object schema under `multipart/form-data`
//!   (any `file` among them) or `application/x-www-form-urlencoded`;
//! - a response `schema` becomes one content entry per type produced, its
//!   `examples` join the matching entries, its `headers` get a `schema`;
//! - non-body parameters get a `schema`; `collectionFormat` becomes
//!   `style`/`explode`;
//! - `type: file` becomes `type: string, format: binary`; `x-nullable: true`
//!   also sets `nullable: true`; a `$ref` with siblings becomes an `allOf`
//!   of that one reference, so the siblings (x-nullable, description) count.
//!
//! Every `x-` extension stays where it was. Each converted node's source is
//! recorded in a [`SourceMap`].

use serde_json::{Map, Value as J};

use super::source_map::SourceMap;
use crate::pointer::join;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Keys of a Swagger parameter or header that describe its value; they go
/// into the OpenAPI 3.0 `schema`.
const VALUE_KEYS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// Converts a Swagger 2.0 document (as JSON) into OpenAPI 3.0.3 JSON.
pub(crate) fn convert(root: &J) -> (J, SourceMap) {
    let mut conv = Converter {
        root,
        map: SourceMap::new(),
        consumes: strings(root.get("consumes")),
        produces: strings(root.get("produces")),
    };
    let out = conv.document();
    (out, conv.map)
}

struct Converter<'a> {
    root: &'a J,
    map: SourceMap,
    consumes: Vec<String>,
    produces: Vec<String>,
}

fn strings(v: Option<&J>) -> Vec<String> {
    v.and_then(J::as_array)
        .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn is_ext(key: &str) -> bool {
    key.starts_with("x-")
}

/// Rewrites a local `$ref` to its OpenAPI 3.0 home; other references stay.
pub(crate) fn rewrite_ref(reference: &str) -> String {
    for (from, to) in [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ] {
        if let Some(rest) = reference.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    reference.to_string()
}

impl<'a> Converter<'a> {
    fn document(&mut self) -> J {
        let root = self.root;
        let mut out = Map::new();
        out.insert("openapi".into(), J::from("3.0.3"));
        if let Some(info) = root.get("info") {
            out.insert("info".into(), info.clone());
        }
        let servers = servers(root);
        if !servers.is_empty() {
            out.insert("servers".into(), J::Array(servers));
        }
        out.insert("paths".into(), self.paths());
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), J::Object(components));
        }
        for key in ["security", "tags", "externalDocs"] {
            if let Some(v) = root.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        if let Some(m) = root.as_object() {
            for (k, v) in m.iter().filter(|(k, _)| is_ext(k)) {
                out.insert(k.clone(), v.clone());
            }
        }
        J::Object(out)
    }

    fn components(&mut self) -> Map<String, J> {
        let root = self.root;
        let mut out = Map::new();
        if let Some(defs) = root.get("definitions").and_then(J::as_object) {
            let mut schemas = Map::new();
            for (name, schema) in defs {
                let src = join("/definitions", name);
                let dst = join("/components/schemas", name);
                schemas.insert(name.clone(), self.schema(schema, &src, &dst));
            }
            out.insert("schemas".into(), J::Object(schemas));
        }
        if let Some(params) = root.get("parameters").and_then(J::as_object) {
            let mut plain = Map::new();
            let mut bodies = Map::new();
            for (name, p) in params {
                let src = join("/parameters", name);
                match p.get("in").and_then(J::as_str) {
                    Some("body") => {
                        let dst = join("/components/requestBodies", name);
                        let body = self.body(p, &src, &dst, &self.consumes.clone());
                        bodies.insert(name.clone(), body);
                    }
                    // A lone form field has no OpenAPI 3.0 component; the
                    // operations that use it inline it into their form.
                    Some("formData") => {}
                    _ => {
                        let dst = join("/components/parameters", name);
                        plain.insert(name.clone(), self.parameter(p, &src, &dst));
                    }
                }
            }
            if !plain.is_empty() {
                out.insert("parameters".into(), J::Object(plain));
            }
            if !bodies.is_empty() {
                out.insert("requestBodies".into(), J::Object(bodies));
            }
        }
        if let Some(responses) = root.get("responses").and_then(J::as_object) {
            let mut conv = Map::new();
            let produces = self.produces.clone();
            for (name, r) in responses {
                let src = join("/responses", name);
                let dst = join("/components/responses", name);
                conv.insert(name.clone(), self.response(r, &src, &dst, &produces));
            }
            out.insert("responses".into(), J::Object(conv));
        }
        if let Some(defs) = root.get("securityDefinitions").and_then(J::as_object) {
            let mut schemes = Map::new();
            for (name, d) in defs {
                schemes.insert(name.clone(), security_scheme(d));
            }
            out.insert("securitySchemes".into(), J::Object(schemes));
        }
        out
    }

    fn paths(&mut self) -> J {
        let mut out = Map::new();
        let root = self.root;
        let Some(paths) = root.get("paths").and_then(J::as_object) else {
            return J::Object(out);
        };
        for (path, item) in paths {
            if is_ext(path) {
                out.insert(path.clone(), item.clone());
                continue;
            }
            let src = join("/paths", path);
            let dst = src.clone();
            self.map.record(&dst, &src);
            out.insert(path.clone(), self.path_item(item, &src));
        }
        J::Object(out)
    }

    fn path_item(&mut self, item: &'a J, src: &str) -> J {
        let Some(m) = item.as_object() else {
            return item.clone();
        };
        let mut out = Map::new();
        let shared: Vec<(String, &'a J)> = m
            .get("parameters")
            .and_then(J::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, p)| (join(&join(src, "parameters"), &i.to_string()), p))
                    .collect()
            })
            .unwrap_or_default();
        for (k, v) in m {
            if k == "$ref" {
                out.insert(
                    k.clone(),
                    J::from(rewrite_ref(v.as_str().unwrap_or_default())),
                );
            } else if METHODS.contains(&k.as_str()) {
                let op_src = join(src, k);
                out.insert(k.clone(), self.operation(v, &op_src, &shared));
            } else if k == "parameters" {
                // Shared non-body parameters stay on the path item; bodies
                // and form fields are merged into each operation instead.
                let mut params = Vec::new();
                for (psrc, p) in &shared {
                    let (resolved, _) = self.deref_param_src(p, psrc);
                    if matches!(param_in(resolved), Some("body" | "formData")) {
                        continue;
                    }
                    let pdst = join(&join(src, "parameters"), &params.len().to_string());
                    params.push(self.parameter_or_ref(p, psrc, &pdst));
                }
                if !params.is_empty() {
                    out.insert(k.clone(), J::Array(params));
                }
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
        J::Object(out)
    }

    fn operation(&mut self, op: &'a J, src: &str, shared: &[(String, &'a J)]) -> J {
        let Some(m) = op.as_object() else {
            return op.clone();
        };
        self.map.record(src, src);
        let consumes = match m.get("consumes") {
            Some(v) => strings(Some(v)),
            None => self.consumes.clone(),
        };
        let produces = match m.get("produces") {
            Some(v) => strings(Some(v)),
            None => self.produces.clone(),
        };

        // Operation parameters override shared ones with the same name and
        // location.
        let own: Vec<(String, &'a J)> = m
            .get("parameters")
            .and_then(J::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, p)| (join(&join(src, "parameters"), &i.to_string()), p))
                    .collect()
            })
            .unwrap_or_default();
        let key = |p: &J| -> (String, String) {
            let target = self.deref_param(p);
            (
                target
                    .get("name")
                    .and_then(J::as_str)
                    .unwrap_or_default()
                    .to_string(),
                param_in(target).unwrap_or_default().to_string(),
            )
        };
        let own_keys: Vec<(String, String)> = own.iter().map(|(_, p)| key(p)).collect();
        let mut all: Vec<(String, &'a J, bool)> = Vec::new();
        for (s, p) in shared {
            if !own_keys.contains(&key(p)) {
                all.push((s.clone(), p, true));
            }
        }
        all.extend(own.iter().map(|(s, p)| (s.clone(), *p, false)));

        let mut out = Map::new();
        let mut params = Vec::new();
        let mut form: Vec<(String, J)> = Vec::new();
        let mut body = None;
        for (psrc, p, from_path) in &all {
            let (target, target_src) = self.deref_param_src(p, psrc);
            match param_in(target) {
                Some("body") => {
                    let dst = join(src, "requestBody");
                    body = Some(self.body(target, &target_src, &dst, &consumes));
                }
                Some("formData") => form.push((target_src, target.clone())),
                _ if *from_path => {}
                _ => {
                    let pdst = join(&join(src, "parameters"), &params.len().to_string());
                    params.push(self.parameter_or_ref(p, psrc, &pdst));
                }
            }
        }
        if body.is_none() && !form.is_empty() {
            body = Some(self.form(&form, &join(src, "requestBody"), &consumes));
        }

        for (k, v) in m {
            match k.as_str() {
                "parameters" | "consumes" | "produces" | "schemes" => {}
                "responses" => {
                    let mut responses = Map::new();
                    if let Some(rs) = v.as_object() {
                        for (code, r) in rs {
                            if is_ext(code) {
                                responses.insert(code.clone(), r.clone());
                                continue;
                            }
                            let rsrc = join(&join(src, "responses"), code);
                            let r = self.response(r, &rsrc, &rsrc, &produces);
                            responses.insert(code.clone(), r);
                        }
                    }
                    out.insert(k.clone(), J::Object(responses));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        if !params.is_empty() {
            out.insert("parameters".into(), J::Array(params));
        }
        if let Some(body) = body {
            out.insert("requestBody".into(), body);
        }
        J::Object(out)
    }

    fn deref_param<'p>(&self, p: &'p J) -> &'p J
    where
        'a: 'p,
    {
        self.deref_param_src(p, "").0
    }

    /// Follows a parameter `$ref` into the root's `parameters`.
    fn deref_param_src<'p>(&self, p: &'p J, src: &str) -> (&'p J, String)
    where
        'a: 'p,
    {
        if let Some(name) = p
            .get("$ref")
            .and_then(J::as_str)
            .and_then(|r| r.strip_prefix("#/parameters/"))
        {
            let name = name.replace("~1", "/").replace("~0", "~");
            if let Some(target) = self.root.get("parameters").and_then(|ps| ps.get(&name)) {
                return (target, join("/parameters", &name));
            }
        }
        (p, src.to_string())
    }

    fn parameter_or_ref(&mut self, p: &J, src: &str, dst: &str) -> J {
        match p.get("$ref").and_then(J::as_str) {
            Some(r) => {
                self.map.record(dst, src);
                let mut m = Map::new();
                m.insert("$ref".into(), J::from(rewrite_ref(r)));
                J::Object(m)
            }
            None => self.parameter(p, src, dst),
        }
    }

    /// A query, path, header or cookie parameter.
    fn parameter(&mut self, p: &J, src: &str, dst: &str) -> J {
        self.map.record(dst, src);
        let Some(m) = p.as_object() else {
            return p.clone();
        };
        let location = param_in(p).unwrap_or_default();
        let mut out = Map::new();
        for (k, v) in m {
            match k.as_str() {
                "name" | "in" | "description" | "required" => {
                    out.insert(k.clone(), v.clone());
                }
                "allowEmptyValue" if location == "query" => {
                    out.insert(k.clone(), v.clone());
                }
                "collectionFormat" => {
                    out.insert("x-collectionFormat".into(), v.clone());
                }
                k if is_ext(k) => {
                    out.insert(k.to_string(), v.clone());
                }
                _ => {}
            }
        }
        if location == "path" {
            out.insert("required".into(), J::Bool(true));
        }
        let schema_dst = join(dst, "schema");
        self.map.record(&schema_dst, src);
        out.insert("schema".into(), value_schema(m));
        if m.get("type").and_then(J::as_str) == Some("array") {
            let format = m
                .get("collectionFormat")
                .and_then(J::as_str)
                .unwrap_or("csv");
            let (style, explode) = match (location, format) {
                ("query" | "cookie", "multi") => ("form", true),
                ("query", "ssv") => ("spaceDelimited", false),
                ("query", "pipes") => ("pipeDelimited", false),
                ("query" | "cookie", _) => ("form", false),
                _ => ("simple", false),
            };
            out.insert("style".into(), J::from(style));
            out.insert("explode".into(), J::Bool(explode));
        }
        J::Object(out)
    }

    /// A `body` parameter as a request body.
    fn body(&mut self, p: &J, src: &str, dst: &str, consumes: &[String]) -> J {
        self.map.record(dst, src);
        let mut out = Map::new();
        if let Some(d) = p.get("description") {
            out.insert("description".into(), d.clone());
        }
        let schema = p.get("schema").cloned().unwrap_or(J::Object(Map::new()));
        let mut content = Map::new();
        for ct in content_types(consumes) {
            let sdst = join(&join(&join(dst, "content"), &ct), "schema");
            let s = self.schema(&schema, &join(src, "schema"), &sdst);
            let mut media = Map::new();
            media.insert("schema".into(), s);
            content.insert(ct, J::Object(media));
        }
        out.insert("content".into(), J::Object(content));
        if let Some(r) = p.get("required") {
            out.insert("required".into(), r.clone());
        }
        if let Some(name) = p.get("name") {
            out.insert("x-codegen-request-body-name".into(), name.clone());
        }
        if let Some(m) = p.as_object() {
            for (k, v) in m.iter().filter(|(k, _)| is_ext(k)) {
                out.insert(k.clone(), v.clone());
            }
        }
        J::Object(out)
    }

    /// `formData` parameters as one object schema.
    fn form(&mut self, fields: &[(String, J)], dst: &str, consumes: &[String]) -> J {
        let multipart = fields
            .iter()
            .any(|(_, p)| p.get("type").and_then(J::as_str) == Some("file"))
            || consumes.iter().any(|c| c == "multipart/form-data");
        let ct = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let sdst = join(&join(&join(dst, "content"), ct), "schema");
        let mut props = Map::new();
        let mut required = Vec::new();
        for (src, p) in fields {
            let Some(m) = p.as_object() else { continue };
            let name = m
                .get("name")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_string();
            let pdst = join(&join(&sdst, "properties"), &name);
            self.map.record(&pdst, src);
            let mut s = value_schema(m);
            if let (Some(d), J::Object(sm)) = (m.get("description"), &mut s) {
                sm.insert("description".into(), d.clone());
            }
            if m.get("required").and_then(J::as_bool) == Some(true) {
                required.push(J::from(name.clone()));
            }
            props.insert(name, s);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), J::from("object"));
        schema.insert("properties".into(), J::Object(props));
        if !required.is_empty() {
            schema.insert("required".into(), J::Array(required.clone()));
        }
        let mut media = Map::new();
        media.insert("schema".into(), J::Object(schema));
        let mut content = Map::new();
        content.insert(ct.to_string(), J::Object(media));
        let mut out = Map::new();
        out.insert("content".into(), J::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), J::Bool(true));
        }
        J::Object(out)
    }

    fn response(&mut self, r: &J, src: &str, dst: &str, produces: &[String]) -> J {
        self.map.record(dst, src);
        let Some(m) = r.as_object() else {
            return r.clone();
        };
        if let Some(reference) = m.get("$ref").and_then(J::as_str) {
            let mut out = Map::new();
            out.insert("$ref".into(), J::from(rewrite_ref(reference)));
            return J::Object(out);
        }
        let mut out = Map::new();
        out.insert(
            "description".into(),
            m.get("description").cloned().unwrap_or(J::from("")),
        );
        if let Some(headers) = m.get("headers").and_then(J::as_object) {
            let mut conv = Map::new();
            for (name, h) in headers {
                let hsrc = join(&join(src, "headers"), name);
                let hdst = join(&join(dst, "headers"), name);
                self.map.record(&hdst, &hsrc);
                self.map.record(&join(&hdst, "schema"), &hsrc);
                let Some(hm) = h.as_object() else { continue };
                let mut header = Map::new();
                if let Some(d) = hm.get("description") {
                    header.insert("description".into(), d.clone());
                }
                header.insert("schema".into(), value_schema(hm));
                for (k, v) in hm.iter().filter(|(k, _)| is_ext(k)) {
                    header.insert(k.clone(), v.clone());
                }
                conv.insert(name.clone(), J::Object(header));
            }
            out.insert("headers".into(), J::Object(conv));
        }
        if let Some(schema) = m.get("schema") {
            let examples = m.get("examples").and_then(J::as_object);
            let mut content = Map::new();
            for ct in content_types(produces) {
                let sdst = join(&join(&join(dst, "content"), &ct), "schema");
                let mut media = Map::new();
                media.insert(
                    "schema".into(),
                    self.schema(schema, &join(src, "schema"), &sdst),
                );
                if let Some(example) = examples.and_then(|e| e.get(&ct)) {
                    media.insert("example".into(), example.clone());
                }
                content.insert(ct, J::Object(media));
            }
            out.insert("content".into(), J::Object(content));
        }
        for (k, v) in m.iter().filter(|(k, _)| is_ext(k)) {
            out.insert(k.clone(), v.clone());
        }
        J::Object(out)
    }

    /// A schema object (definitions, body and response schemas).
    fn schema(&mut self, s: &J, src: &str, dst: &str) -> J {
        self.map.record(dst, src);
        let Some(m) = s.as_object() else {
            return s.clone();
        };
        let mut out = Map::new();
        if let Some(reference) = m.get("$ref").and_then(J::as_str) {
            let mut r = Map::new();
            r.insert("$ref".into(), J::from(rewrite_ref(reference)));
            if m.len() == 1 {
                return J::Object(r);
            }
            // Siblings of a $ref (x-nullable, description) would be ignored
            // next to it; wrapped in allOf they keep their meaning.
            self.map.record(&join(&join(dst, "allOf"), "0"), src);
            out.insert("allOf".into(), J::Array(vec![J::Object(r)]));
        }
        for (k, v) in m {
            match k.as_str() {
                "$ref" => {}
                "properties" => {
                    let mut props = Map::new();
                    if let Some(pm) = v.as_object() {
                        for (name, p) in pm {
                            let psrc = join(&join(src, "properties"), name);
                            let pdst = join(&join(dst, "properties"), name);
                            props.insert(name.clone(), self.schema(p, &psrc, &pdst));
                        }
                    }
                    out.insert(k.clone(), J::Object(props));
                }
                "items" | "additionalProperties" if v.is_object() => {
                    let s = self.schema(v, &join(src, k), &join(dst, k));
                    out.insert(k.clone(), s);
                }
                "allOf" => {
                    let mut parts = Vec::new();
                    for (i, p) in v.as_array().into_iter().flatten().enumerate() {
                        let i = i.to_string();
                        parts.push(self.schema(
                            p,
                            &join(&join(src, k), &i),
                            &join(&join(dst, k), &i),
                        ));
                    }
                    out.insert(k.clone(), J::Array(parts));
                }
                "type" if v.as_str() == Some("file") => {
                    out.insert("type".into(), J::from("string"));
                    out.entry("format").or_insert(J::from("binary"));
                }
                "discriminator" if v.is_string() => {
                    let mut d = Map::new();
                    d.insert("propertyName".into(), v.clone());
                    out.insert(k.clone(), J::Object(d));
                }
                "x-nullable" => {
                    out.insert(k.clone(), v.clone());
                    if v.as_bool() == Some(true) {
                        out.insert("nullable".into(), J::Bool(true));
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        J::Object(out)
    }
}

fn param_in(p: &J) -> Option<&str> {
    p.get("in").and_then(J::as_str)
}

fn content_types(list: &[String]) -> Vec<String> {
    if list.is_empty() {
        vec!["application/json".to_string()]
    } else {
        list.to_vec()
    }
}

/// The schema of a non-body parameter, header or `items` object.
fn value_schema(m: &Map<String, J>) -> J {
    let mut out = Map::new();
    for key in VALUE_KEYS {
        let Some(v) = m.get(key) else { continue };
        match key {
            "items" => {
                let items = v.as_object().map(value_schema).unwrap_or_else(|| v.clone());
                out.insert(key.into(), items);
            }
            "type" if v.as_str() == Some("file") => {
                out.insert("type".into(), J::from("string"));
                out.insert("format".into(), J::from("binary"));
            }
            "x-nullable" => {
                out.insert(key.into(), v.clone());
                if v.as_bool() == Some(true) {
                    out.insert("nullable".into(), J::Bool(true));
                }
            }
            _ => {
                out.entry(key).or_insert_with(|| v.clone());
            }
        }
    }
    J::Object(out)
}

fn servers(root: &J) -> Vec<J> {
    let base = root.get("basePath").and_then(J::as_str).unwrap_or("");
    let mut out = Vec::new();
    match root.get("host").and_then(J::as_str) {
        Some(host) => {
            let schemes = strings(root.get("schemes"));
            let schemes = if schemes.is_empty() {
                vec!["http".to_string()]
            } else {
                schemes
            };
            for scheme in schemes {
                let mut s = Map::new();
                s.insert("url".into(), J::from(format!("{scheme}://{host}{base}")));
                out.push(J::Object(s));
            }
        }
        None if !base.is_empty() => {
            let mut s = Map::new();
            s.insert("url".into(), J::from(base));
            out.push(J::Object(s));
        }
        None => {}
    }
    out
}

fn security_scheme(d: &J) -> J {
    let Some(m) = d.as_object() else {
        return d.clone();
    };
    let mut out = Map::new();
    match m.get("type").and_then(J::as_str) {
        Some("basic") => {
            out.insert("type".into(), J::from("http"));
            out.insert("scheme".into(), J::from("basic"));
        }
        Some("oauth2") => {
            out.insert("type".into(), J::from("oauth2"));
            let (flow, urls): (&str, &[&str]) = match m.get("flow").and_then(J::as_str) {
                Some("implicit") => ("implicit", &["authorizationUrl"]),
                Some("password") => ("password", &["tokenUrl"]),
                Some("application") => ("clientCredentials", &["tokenUrl"]),
                _ => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            };
            let mut f = Map::new();
            for url in urls {
                f.insert((*url).into(), m.get(*url).cloned().unwrap_or(J::from("")));
            }
            f.insert(
                "scopes".into(),
                m.get("scopes").cloned().unwrap_or(J::Object(Map::new())),
            );
            let mut flows = Map::new();
            flows.insert(flow.into(), J::Object(f));
            out.insert("flows".into(), J::Object(flows));
        }
        _ => {
            for key in ["type", "name", "in"] {
                if let Some(v) = m.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
        }
    }
    for (k, v) in m {
        if k == "description" || is_ext(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    J::Object(out)
}
