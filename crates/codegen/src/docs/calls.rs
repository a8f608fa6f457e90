//! Each operation's call through our client and the same request as a curl
//! line, both from the IR: the method name and argument order come from
//! the client emitter's [`call_outline`], so the page shows exactly the
//! signature the generated `Client` has.
//!
//! Values are samples: a parameter's spec example when it has one, an
//! enum's default (or first) variant, otherwise a placeholder spelled
//! after the wire name (`"ID"`). The request body of the curl line is the
//! example the page already shows, on one line. Optional parameters go in
//! the `…Params` struct; the call sets one of them (the first optional
//! query parameter with an example, else the first one) so the reader sees
//! how, and the curl line sends the same one.

use serde::Serialize;

use crate::emit::client::{call_outline, BodyKind, CallArg, CallOutline};
use crate::ir::payload::{self, Payload};
use crate::ir::{
    Api, Body, Operation, Param, ParamEncoding, ParamLocation, Scalar, Text, TypeKind, TypeRef,
};

/// Where the daemon listens by default, as the curl line names it.
const SOCKET: &str = "/var/run/docker.sock";

/// One operation's two ways of being called.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Call {
    /// The Rust call, e.g. `client.container_list(&ContainerListParams { .. }).await?`.
    pub rust: String,
    /// The equivalent curl command line.
    pub curl: String,
}

/// What the page knows about an operation beyond the IR: the examples of
/// its parameters and of its request body.
pub struct Samples<'p> {
    /// A parameter's example (compact JSON), by location and wire name.
    pub param_example: &'p dyn Fn(ParamLocation, &str) -> Option<String>,
    /// The request body's example as the page shows it.
    pub body_example: Option<&'p str>,
}

/// The call and curl line of `op`; `base_path` is the spec's (`/v1.44`).
pub fn call_of(api: &Api, op: &Operation, base_path: &str, samples: &Samples) -> Call {
    let outline = call_outline(op);
    let values = Values { api, samples };
    Call {
        rust: rust_call(&values, &outline),
        curl: curl_line(&values, op, &outline, base_path),
    }
}

struct Values<'a, 'p> {
    api: &'a Api,
    samples: &'a Samples<'p>,
}

/// A sample value of a parameter with a text form.
enum Sample {
    /// A string (placeholder or example).
    Str(String),
    /// A Rust literal and its wire text (`true` / `1`, `10` / `10`).
    Lit { rust: String, wire: String },
    /// An enum variant: `Type::Variant` and its wire text.
    Variant { rust: String, wire: String },
}

impl Sample {
    fn wire(&self) -> &str {
        match self {
            Sample::Str(s) => s,
            Sample::Lit { wire, .. } | Sample::Variant { wire, .. } => wire,
        }
    }
}

impl Values<'_, '_> {
    /// The spec's example of `p`, as JSON.
    fn example(&self, p: &Param) -> Option<serde_json::Value> {
        let text = (self.samples.param_example)(p.location, &p.wire)?;
        serde_json::from_str(&text).ok()
    }

    fn sample(&self, p: &Param, text: &Text) -> Sample {
        let example = self.example(p);
        let example_text = example.as_ref().map(|e| match e {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        match text {
            Text::Bool => {
                let on = example.as_ref().and_then(serde_json::Value::as_bool);
                let on = on.unwrap_or_else(|| p.default != Some(serde_json::Value::Bool(true)));
                Sample::Lit {
                    rust: on.to_string(),
                    wire: if on { "1" } else { "0" }.to_string(),
                }
            }
            Text::Number(_) => {
                let n = example
                    .as_ref()
                    .filter(|e| e.is_number())
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "10".to_string());
                Sample::Lit {
                    rust: n.clone(),
                    wire: n,
                }
            }
            Text::String => Sample::Str(example_text.unwrap_or_else(|| placeholder(&p.wire))),
            Text::StringEnum(name) | Text::IntEnum { name, .. } => {
                let wanted = example_text.or_else(|| {
                    p.default.as_ref().map(|d| match d {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                });
                self.variant(name, wanted.as_deref())
                    .unwrap_or_else(|| Sample::Str(placeholder(&p.wire)))
            }
        }
    }

    /// The variant of enum `name` whose wire value is `wanted`, else the
    /// enum's default, else its first.
    fn variant(&self, name: &str, wanted: Option<&str>) -> Option<Sample> {
        let def = self.api.type_named(name)?;
        let (rust, wire) = match &def.kind {
            TypeKind::StringEnum(e) => {
                let found = wanted
                    .and_then(|w| e.variants.iter().find(|v| v.value == w))
                    .or_else(|| e.default.and_then(|i| e.variants.get(i)))
                    .or_else(|| e.variants.first())?;
                (found.name.clone(), found.value.clone())
            }
            TypeKind::IntEnum(e) => {
                let found = wanted
                    .and_then(|w| e.variants.iter().find(|v| v.value.to_string() == w))
                    .or_else(|| e.default.and_then(|i| e.variants.get(i)))
                    .or_else(|| e.variants.first())?;
                (found.name.clone(), found.value.to_string())
            }
            _ => return None,
        };
        Some(Sample::Variant {
            rust: format!("{}::{rust}", def.name),
            wire,
        })
    }

    /// A required argument's expression, typed as the emitter types it.
    fn argument(&self, p: &Param) -> String {
        let by_ref = |value: String| format!("&{value}");
        match &p.encoding {
            e if e.is_list() => {
                let item = match e.text() {
                    Some(t) => self.sample(p, t),
                    None => Sample::Str(placeholder(&p.wire)),
                };
                format!("&[{}]", rust_of(&item))
            }
            ParamEncoding::QueryFilters => "&rt::Filters::default()".to_string(),
            ParamEncoding::HeaderAuth => {
                by_ref(self.default_of(&TypeRef::Named("AuthConfig".to_string())))
            }
            ParamEncoding::QueryJson => by_ref(self.default_of(&p.ty)),
            e => match e.text() {
                Some(t) => {
                    let sample = self.sample(p, t);
                    match (&sample, t.is_copy()) {
                        (Sample::Str(_), _) | (_, true) => rust_of(&sample),
                        _ => by_ref(rust_of(&sample)),
                    }
                }
                None => by_ref(self.default_of(&p.ty)),
            },
        }
    }

    /// An optional parameter's field value (`Some(..)` of the owned type).
    fn field(&self, p: &Param) -> Option<String> {
        let ParamEncoding::Query(t) = &p.encoding else {
            return None;
        };
        Some(match self.sample(p, t) {
            Sample::Str(s) => format!("Some({}.into())", rust_str(&s)),
            other => format!("Some({})", rust_of(&other)),
        })
    }

    /// An empty value of a type, as its generated code allows.
    fn default_of(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(name) => match self.api.type_named(name) {
                Some(def) if def.default && matches!(def.kind, TypeKind::Struct(_)) => {
                    format!("{} {{ ..Default::default() }}", def.name)
                }
                Some(def) if def.default => format!("{}::default()", def.name),
                _ => "body".to_string(),
            },
            TypeRef::List(_) => "vec![]".to_string(),
            TypeRef::Scalar(Scalar::Any) => "serde_json::json!({})".to_string(),
            _ => "Default::default()".to_string(),
        }
    }

    /// The optional parameter the examples set, if any.
    fn chosen<'o>(&self, outline: &CallOutline<'o>) -> Option<&'o Param> {
        let fields = &outline.params.as_ref()?.fields;
        let settable = || {
            fields
                .iter()
                .copied()
                .filter(|p| matches!(p.encoding, ParamEncoding::Query(_)))
        };
        settable()
            .find(|p| self.example(p).is_some())
            .or_else(|| settable().next())
    }
}

fn rust_of(sample: &Sample) -> String {
    match sample {
        Sample::Str(s) => rust_str(s),
        Sample::Lit { rust, .. } | Sample::Variant { rust, .. } => rust.clone(),
    }
}

/// A Rust string literal.
fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

/// `id` -> `ID`, `X-Registry-Auth` -> `X_REGISTRY_AUTH`.
fn placeholder(wire: &str) -> String {
    wire.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn rust_call(values: &Values, outline: &CallOutline) -> String {
    let mut args = Vec::new();
    for arg in &outline.args {
        args.push(match arg {
            CallArg::Param(p) => values.argument(p),
            CallArg::Body {
                body,
                kind,
                required,
            } => {
                let value = match kind {
                    BodyKind::Json(TypeRef::List(_)) => "&[]".to_string(),
                    BodyKind::Json(t) => format!("&{}", values.default_of(t)),
                    BodyKind::Text => rust_str("TEXT"),
                    BodyKind::Raw { content_type } if is_tar(content_type, body) => {
                        "rt::body::bytes(tar)".to_string()
                    }
                    BodyKind::Raw { .. } => "rt::body::bytes(data)".to_string(),
                };
                if *required {
                    value
                } else {
                    format!("Some({value})")
                }
            }
            CallArg::Params => {
                let name = outline.params.as_ref().map_or("", |s| s.name.as_str());
                match values
                    .chosen(outline)
                    .and_then(|p| Some((p, values.field(p)?)))
                {
                    Some((p, value)) => {
                        format!("&{name} {{ {}: {value}, ..Default::default() }}", p.name)
                    }
                    None => format!("&{name}::default()"),
                }
            }
        });
    }
    format!("client.{}({}).await?", outline.method, args.join(", "))
}

fn curl_line(values: &Values, op: &Operation, outline: &CallOutline, base_path: &str) -> String {
    let mut words = vec![format!("curl --unix-socket {SOCKET}")];
    if matches!(
        payload::success(op),
        Payload::JsonStream(_) | Payload::Multiplexed
    ) {
        words.push("-N".to_string());
    }
    match op.method.to_ascii_uppercase().as_str() {
        "GET" => {}
        "HEAD" => words.push("-I".to_string()),
        m => words.push(format!("-X {m}")),
    }
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    let mut body = Vec::new();
    let mut path = op.path.clone();
    let mut put = |p: &Param, wire_value: String| match p.location {
        ParamLocation::Path => {
            path = path.replace(&format!("{{{}}}", p.wire), &percent(&wire_value));
        }
        ParamLocation::Query => {
            query.push(format!("{}={}", percent(&p.wire), percent(&wire_value)))
        }
        ParamLocation::Header => headers.push(format!("{}: {wire_value}", p.wire)),
        ParamLocation::Cookie => cookies.push(format!("{}={wire_value}", p.wire)),
    };
    for arg in &outline.args {
        match arg {
            CallArg::Param(p) => put(p, wire_value(values, p)),
            CallArg::Body { body: b, kind, .. } => match kind {
                BodyKind::Json(t) => {
                    let empty = if matches!(t, TypeRef::List(_)) {
                        "[]"
                    } else {
                        "{}"
                    };
                    let json = values
                        .samples
                        .body_example
                        .map(one_line)
                        .unwrap_or_else(|| empty.to_string());
                    body.push("-H 'Content-Type: application/json'".to_string());
                    body.push(format!("-d {}", shell(&json)));
                }
                BodyKind::Text => {
                    body.push("-H 'Content-Type: text/plain'".to_string());
                    body.push("-d TEXT".to_string());
                }
                BodyKind::Raw { content_type } => {
                    let file = if is_tar(content_type, b) {
                        "archive.tar"
                    } else {
                        "data.bin"
                    };
                    body.push(format!("--data-binary @{file}"));
                    body.push(format!(
                        "-H {}",
                        shell(&format!("Content-Type: {content_type}"))
                    ));
                }
            },
            CallArg::Params => {
                if let Some(p) = values.chosen(outline) {
                    if let ParamEncoding::Query(t) = &p.encoding {
                        let v = values.sample(p, t).wire().to_string();
                        put(p, v);
                    }
                }
            }
        }
    }
    // Path parameters are all arguments, so none is left in the template.
    let prefix = if outline.unversioned { "" } else { base_path };
    let mut url = format!("http://localhost{prefix}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    words.push(shell(&url));
    words.extend(headers.iter().map(|h| format!("-H {}", shell(h))));
    if !cookies.is_empty() {
        words.push(format!("-b {}", shell(&cookies.join("; "))));
    }
    words.extend(body);
    words.join(" ")
}

/// Whether a raw body is a tar archive: by its content type, or by its
/// description (the build context is sent as `application/octet-stream`).
fn is_tar(content_type: &str, body: &Body) -> bool {
    content_type.contains("tar")
        || body.doc.as_deref().is_some_and(|d| {
            d.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case("tar"))
        })
}

/// A required parameter's value as it goes on the wire.
fn wire_value(values: &Values, p: &Param) -> String {
    match &p.encoding {
        ParamEncoding::QueryFilters | ParamEncoding::QueryJson => "{}".to_string(),
        // base64url of `{}`: an empty AuthConfig, as the client sends one.
        ParamEncoding::HeaderAuth => "e30=".to_string(),
        e => match e.text() {
            Some(t) => values.sample(p, t).wire().to_string(),
            None => placeholder(&p.wire),
        },
    }
}

/// JSON text on one line (the page's examples are indented); text that
/// is not JSON stays as it is.
fn one_line(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => value.to_string(),
        Err(_) => text.to_string(),
    }
}

/// Percent-encodes everything but unreserved characters and `/` and `:`
/// (legal in a query value and easier to read).
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A shell word: single-quoted, each `'` written as `'\\''`.
fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Every call of swagger.yaml's page by operationId, or `None` (with a
    /// notice) when the spec is not beside the crate.
    fn project_calls() -> Option<BTreeMap<String, Call>> {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../swagger.yaml");
        if !spec.exists() {
            eprintln!("skipped: no swagger.yaml");
            return None;
        }
        let doc = crate::load::load_file(&spec).unwrap();
        let api = crate::emit::api_from_document(&doc).unwrap();
        let (mut page, _) = crate::docs::page(&doc.root);
        assert_eq!(
            crate::docs::attach_calls(&mut page, &api),
            api.operations.len()
        );
        let mut calls = BTreeMap::new();
        for op in page.tags.iter().flat_map(|t| &t.operations) {
            if let (Some(id), Some(call)) = (&op.operation_id, &op.call) {
                calls.insert(id.clone(), call.clone());
            }
        }
        Some(calls)
    }

    #[test]
    fn container_list_sets_an_optional_param_through_its_struct() {
        let Some(calls) = project_calls() else { return };
        let call = &calls["ContainerList"];
        assert_eq!(
            call.rust,
            "client.container_list(&ContainerListParams { all: Some(true), ..Default::default() }).await?"
        );
        assert_eq!(
            call.curl,
            "curl --unix-socket /var/run/docker.sock 'http://localhost/v1.44/containers/json?all=1'"
        );
    }

    #[test]
    fn container_create_sends_the_json_body_and_the_name() {
        let Some(calls) = project_calls() else { return };
        let call = &calls["ContainerCreate"];
        println!("{call:#?}");
        assert!(call.rust.starts_with(
            "client.container_create(&ContainerCreateBody { ..Default::default() }, &ContainerCreateParams { name: Some("
        ), "{}", call.rust);
        assert!(call
            .rust
            .ends_with(".into()), ..Default::default() }).await?"));
        assert!(call.curl.starts_with(
            "curl --unix-socket /var/run/docker.sock -X POST 'http://localhost/v1.44/containers/create?name="
        ), "{}", call.curl);
        // The page's example body, on one line and quoted for the shell.
        assert!(
            call.curl
                .contains(" -H 'Content-Type: application/json' -d '{\""),
            "{}",
            call.curl
        );
        assert!(
            call.curl.contains("\"Hostname\":\"api-1\""),
            "{}",
            call.curl
        );
        assert!(!call.curl.contains('\n'));
    }

    #[test]
    fn image_build_sends_a_raw_tar() {
        let Some(calls) = project_calls() else { return };
        let call = &calls["ImageBuild"];
        println!("{call:#?}");
        assert!(
            call.rust
                .starts_with("client.image_build(Some(rt::body::bytes(tar)), &ImageBuildParams {"),
            "{}",
            call.rust
        );
        assert!(
            call.curl.contains(" -X POST 'http://localhost/v1.44/build"),
            "{}",
            call.curl
        );
        // The client's content type, and the file a tar.
        assert!(
            call.curl.ends_with(
                " --data-binary @archive.tar -H 'Content-Type: application/octet-stream'"
            ),
            "{}",
            call.curl
        );
        assert!(
            call.curl.contains(" -N "),
            "a progress stream: {}",
            call.curl
        );
    }

    #[test]
    fn container_archive_takes_its_required_query_param_as_an_argument() {
        let Some(calls) = project_calls() else { return };
        let call = &calls["ContainerArchive"];
        assert_eq!(
            call.rust,
            "client.container_archive(\"ID\", \"PATH\").await?"
        );
        assert_eq!(
            call.curl,
            "curl --unix-socket /var/run/docker.sock 'http://localhost/v1.44/containers/ID/archive?path=PATH'"
        );
    }

    #[test]
    fn the_ping_is_unversioned_and_head_asks_for_headers() {
        let Some(calls) = project_calls() else { return };
        assert_eq!(calls["SystemPing"].rust, "client.system_ping().await?");
        assert_eq!(
            calls["SystemPingHead"].curl,
            "curl --unix-socket /var/run/docker.sock -I 'http://localhost/_ping'"
        );
    }

    #[test]
    fn shell_words_survive_single_quotes() {
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(percent("a b&c/d:e"), "a%20b%26c/d:e");
        assert_eq!(placeholder("X-Registry-Auth"), "X_REGISTRY_AUTH");
    }

    #[test]
    fn required_values_follow_the_generated_signature() {
        let Some(calls) = project_calls() else { return };
        // A required integer by value, an enum variant, a required header.
        assert!(calls["ServiceUpdate"]
            .rust
            .starts_with("client.service_update(\"ID\", 10, &ServiceSpec"));
        assert!(
            calls["ContainerWait"]
                .rust
                .contains("ContainerWaitCondition::"),
            "{}",
            calls["ContainerWait"].rust
        );
        assert!(calls["ImagePush"]
            .rust
            .contains(", &AuthConfig { ..Default::default() }, "));
        assert!(calls["ImagePush"]
            .curl
            .contains(" -H 'X-Registry-Auth: e30='"));
        for (id, call) in &calls {
            assert!(
                !call.rust.contains("&body") && !call.rust.contains("(body"),
                "{id}: a body without a default: {}",
                call.rust
            );
        }
    }
}
