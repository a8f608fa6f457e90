//! The checker: one answer of one operation against what the spec's IR
//! documents for it. The status must be documented; a success answer must
//! carry `Api-Version`, a `Content-Type` the spec lists for a body, and the
//! headers the response declares; a JSON body (or every value of a JSON
//! stream) must fit the response schema: required fields present and not
//! null (unless nullable), JSON types, enum values, integer ranges. Fields
//! the spec does not name are tolerated, and an optional field sent as
//! `null` counts as absent (Go daemons send nil slices and pointers so).
//! Multiplexed container output must be well-formed frames.
//! Every deviation carries a JSON pointer into the part it concerns.
//! Attach, exec start and session answer an upgrade request with 101 even
//! where the spec documents only 200: the IR knows these take the
//! connection over, and the checker accepts it.

use codegen::ir::payload::{self, Payload};
use codegen::ir::{Api, Operation, Presence, Response, Scalar, TypeKind, TypeRef};
use codegen::pointer;
use engine_api::rt::mux;
use serde_json::Value;

use super::outcome::Deviation;

/// One answer as the tool saw it.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    /// The headers (name, value) of a success answer; `None` when the
    /// client kept only the status and message (error answers).
    pub headers: Option<Vec<(String, String)>>,
    /// The body bytes read; `None` when not read (error answers, upgrades).
    pub body: Option<Vec<u8>>,
    /// Whether the body was read to its end (streams are cut short).
    pub complete: bool,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .as_ref()?
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The documented response a status falls under: its own code, an `NXX`
/// range, or `default`.
pub fn documented(op: &Operation, status: u16) -> Option<&Response> {
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    op.responses
        .iter()
        .find(|r| r.status == code)
        .or_else(|| {
            op.responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case(&range))
        })
        .or_else(|| op.responses.iter().find(|r| r.status == "default"))
}

/// Every deviation of `answer` from what `op` documents.
pub fn check_answer(api: &Api, op: &Operation, answer: &Answer) -> Vec<Deviation> {
    let mut out = Vec::new();
    let upgraded = answer.status == 101 && takes_over(op);
    let Some(response) = documented(op, answer.status).or_else(|| {
        // An operation the IR knows to take the connection over answers a
        // client that asked for it with 101, documented or not; its
        // success response stands for it.
        upgraded.then(|| op.responses.iter().find(|r| r.status.starts_with('2')))?
    }) else {
        let listed: Vec<&str> = op.responses.iter().map(|r| r.status.as_str()).collect();
        out.push(Deviation::new(
            "status",
            "",
            format!(
                "HTTP {} is not documented (the spec lists {})",
                answer.status,
                listed.join(", ")
            ),
        ));
        return out;
    };
    let success = (200..300).contains(&answer.status) || answer.status == 101;
    if answer.headers.is_some() {
        check_headers(api, op, response, answer, &mut out);
    }
    let shape = if success {
        payload::success(op)
    } else {
        payload::from_content(&response.content_types, response.ty.as_ref())
    };
    if let Some(body) = &answer.body {
        check_body(api, &shape, answer, body, &mut out);
    }
    out
}

/// Whether the operation hijacks the connection or makes it a WebSocket.
fn takes_over(op: &Operation) -> bool {
    matches!(payload::success(op), Payload::Hijack | Payload::WebSocket)
}

fn check_headers(
    api: &Api,
    op: &Operation,
    response: &Response,
    answer: &Answer,
    out: &mut Vec<Deviation>,
) {
    // A 101's head is written by the code that takes the connection over,
    // not by the API's router: only ordinary answers must name the version.
    if answer.status != 101 && answer.header("Api-Version").is_none() {
        out.push(Deviation::new("header Api-Version", "", "missing"));
    }
    let has_body = answer.body.as_ref().is_some_and(|b| !b.is_empty());
    let method_has_body = op.method != "HEAD" && answer.status != 101;
    if has_body && method_has_body && !response.content_types.is_empty() {
        match answer.header("Content-Type") {
            None => out.push(Deviation::new(
                "header Content-Type",
                "",
                format!(
                    "missing (the spec lists {})",
                    response.content_types.join(", ")
                ),
            )),
            Some(value) => {
                let media = value
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                let listed = response.content_types.iter().any(|c| {
                    c.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .eq_ignore_ascii_case(&media)
                });
                if !listed {
                    out.push(Deviation::new(
                        "header Content-Type",
                        "",
                        format!(
                            "`{value}` is not one the spec lists ({})",
                            response.content_types.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    // Swagger 2.0 response headers are never required: a declared one is
    // checked when it is there.
    for declared in &response.headers {
        if let Some(value) = answer.header(&declared.name) {
            if let Some(what) = header_type_error(api, &declared.ty, value) {
                out.push(Deviation::new(
                    format!("header {}", declared.name),
                    "",
                    what,
                ));
            }
        }
    }
}

fn header_type_error(api: &Api, ty: &TypeRef, value: &str) -> Option<String> {
    let v = value.trim();
    if let TypeRef::Named(name) = ty {
        return match api.type_named(name).map(|d| &d.kind) {
            Some(TypeKind::StringEnum(e)) if !e.variants.iter().any(|x| x.value == v) => {
                let listed: Vec<&str> = e.variants.iter().map(|x| x.value.as_str()).collect();
                Some(format!(
                    "`{value}` is not one of the enum's values ({})",
                    quoted(&listed)
                ))
            }
            Some(TypeKind::Alias(inner)) => header_type_error(api, inner, value),
            _ => None,
        };
    }
    let ok = match ty {
        TypeRef::Scalar(Scalar::Bool) => v == "true" || v == "false",
        TypeRef::Scalar(s) if is_integer(*s) => v.parse::<i128>().is_ok(),
        TypeRef::Scalar(Scalar::F32 | Scalar::F64) => v.parse::<f64>().is_ok(),
        _ => true,
    };
    (!ok).then(|| format!("`{value}` is not {}", scalar_word(ty)))
}

fn check_body(api: &Api, shape: &Payload, answer: &Answer, body: &[u8], out: &mut Vec<Deviation>) {
    match shape {
        Payload::Json(ty) => {
            if body.iter().all(u8::is_ascii_whitespace) {
                if answer.status != 204 && answer.status != 304 {
                    out.push(Deviation::new(
                        "body",
                        "",
                        "empty; the spec documents a JSON value",
                    ));
                }
                return;
            }
            if !answer.complete {
                return;
            }
            match serde_json::from_slice::<Value>(body) {
                Ok(value) => check_value(api, ty, &value, "", "body", out),
                Err(e) => out.push(Deviation::new("body", "", format!("not JSON: {e}"))),
            }
        }
        Payload::JsonStream(ty) => {
            let stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
            for (i, item) in stream.enumerate() {
                match item {
                    Ok(value) => check_value(api, ty, &value, "", &format!("message {i}"), out),
                    Err(e) if e.is_eof() && !answer.complete => break,
                    Err(e) => {
                        out.push(Deviation::new(
                            format!("message {i}"),
                            "",
                            format!("not JSON: {e}"),
                        ));
                        break;
                    }
                }
            }
        }
        Payload::Multiplexed if answer.header("Content-Type").is_some_and(is_multiplexed) => {
            check_frames(body, answer.complete, out)
        }
        // Raw bytes, text, a TTY's raw stream and upgraded connections
        // have no structure to check.
        _ => {}
    }
}

fn is_multiplexed(content_type: &str) -> bool {
    content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("application/vnd.docker.multiplexed-stream")
}

/// Docker's stdout/stderr frames, decoded as the client does: every frame
/// names a known stream, and a complete body does not end inside one.
fn check_frames(body: &[u8], complete: bool, out: &mut Vec<Deviation>) {
    let mut buf = bytes::BytesMut::from(body);
    loop {
        let offset = body.len() - buf.len();
        match mux::decode(&mut buf) {
            Ok(Some(_)) => {}
            Ok(None) => {
                if complete && !buf.is_empty() {
                    out.push(Deviation::new(
                        "body",
                        "",
                        format!("the stream ends inside the frame at byte {offset}"),
                    ));
                }
                return;
            }
            Err(bad) => {
                out.push(Deviation::new(
                    "body",
                    "",
                    format!(
                        "the frame at byte {offset} names stream {}, not 0, 1 or 2",
                        bad.0
                    ),
                ));
                return;
            }
        }
    }
}

/// Checks `value` (found at `at` inside `place`) against the type `ty`.
pub fn check_value(
    api: &Api,
    ty: &TypeRef,
    value: &Value,
    at: &str,
    place: &str,
    out: &mut Vec<Deviation>,
) {
    match ty {
        TypeRef::Scalar(s) => {
            if let Some(what) = scalar_error(*s, value) {
                out.push(Deviation::new(place, at, what));
            }
        }
        TypeRef::Nullable(inner) => {
            if !value.is_null() {
                check_value(api, inner, value, at, place, out);
            }
        }
        TypeRef::List(item) => match value {
            // A Go nil slice; the generated client reads it as empty too.
            Value::Null => {}
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    check_value(api, item, v, &pointer::join(at, &i.to_string()), place, out);
                }
            }
            other => out.push(Deviation::new(
                place,
                at,
                format!("{} where an array is expected", kind(other)),
            )),
        },
        TypeRef::Map(item) => match value {
            Value::Null => {}
            Value::Object(map) => {
                for (k, v) in map {
                    check_value(api, item, v, &pointer::join(at, k), place, out);
                }
            }
            other => out.push(Deviation::new(
                place,
                at,
                format!("{} where an object is expected", kind(other)),
            )),
        },
        TypeRef::Named(name) => {
            // A name the IR does not know has nothing to check against.
            if let Some(def) = api.type_named(name) {
                check_kind(api, &def.kind, value, at, place, out);
            }
        }
    }
}

fn check_kind(
    api: &Api,
    kind_: &TypeKind,
    value: &Value,
    at: &str,
    place: &str,
    out: &mut Vec<Deviation>,
) {
    match kind_ {
        TypeKind::Alias(ty) => check_value(api, ty, value, at, place, out),
        TypeKind::StringEnum(e) => match value.as_str() {
            Some(s) if e.variants.iter().any(|v| v.value == s) => {}
            Some(s) => {
                let listed: Vec<&str> = e.variants.iter().map(|v| v.value.as_str()).collect();
                out.push(Deviation::new(
                    place,
                    at,
                    format!(
                        "`{s}` is not one of the enum's values ({})",
                        quoted(&listed)
                    ),
                ));
            }
            None => out.push(Deviation::new(
                place,
                at,
                format!("{} where a string is expected", kind(value)),
            )),
        },
        TypeKind::IntEnum(e) => match value.as_i64() {
            Some(n) if e.variants.iter().any(|v| v.value == n) => {}
            Some(n) => {
                let listed: Vec<String> = e.variants.iter().map(|v| v.value.to_string()).collect();
                out.push(Deviation::new(
                    place,
                    at,
                    format!(
                        "{n} is not one of the enum's values ({})",
                        listed.join(", ")
                    ),
                ));
            }
            None => out.push(Deviation::new(
                place,
                at,
                format!("{} where an integer is expected", kind(value)),
            )),
        },
        TypeKind::Struct(st) => {
            let Some(map) = value.as_object() else {
                out.push(Deviation::new(
                    place,
                    at,
                    format!("{} where an object is expected", kind(value)),
                ));
                return;
            };
            for field in &st.fields {
                let here = pointer::join(at, &field.wire);
                match (map.get(&field.wire), field.presence) {
                    (None, Presence::Required | Presence::RequiredNullable) => {
                        out.push(Deviation::new(place, here, "required field is missing"))
                    }
                    (None, Presence::Optional) => {}
                    (Some(Value::Null), Presence::Required) => {
                        out.push(Deviation::new(place, here, "required field is null"))
                    }
                    (Some(Value::Null), _) => {}
                    (Some(v), _) => check_value(api, &field.ty, v, &here, place, out),
                }
            }
            if let Some(extra) = &st.extra {
                for (k, v) in map {
                    if !st.fields.iter().any(|f| &f.wire == k) {
                        check_value(api, &extra.value, v, &pointer::join(at, k), place, out);
                    }
                }
            }
        }
        // A union's value conforms when one of its branches takes it.
        TypeKind::Union(u) => {
            let fits = u.variants.iter().any(|v| {
                let mut found = Vec::new();
                check_value(api, &v.ty, value, at, place, &mut found);
                found.is_empty()
            });
            if !fits {
                out.push(Deviation::new(
                    place,
                    at,
                    format!("{} that matches no branch of the union", kind(value)),
                ));
            }
        }
    }
}

fn is_integer(s: Scalar) -> bool {
    matches!(
        s,
        Scalar::I8
            | Scalar::I16
            | Scalar::I32
            | Scalar::I64
            | Scalar::U8
            | Scalar::U16
            | Scalar::U32
            | Scalar::U64
    )
}

fn integer_range(s: Scalar) -> (i128, i128) {
    match s {
        Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
        Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
        Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
        Scalar::U8 => (0, u8::MAX.into()),
        Scalar::U16 => (0, u16::MAX.into()),
        Scalar::U32 => (0, u32::MAX.into()),
        Scalar::U64 => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

fn scalar_error(s: Scalar, value: &Value) -> Option<String> {
    let ok = match s {
        Scalar::Any => true,
        Scalar::Bool => value.is_boolean(),
        Scalar::String | Scalar::Bytes => value.is_string(),
        Scalar::F32 | Scalar::F64 => value.is_number(),
        s => {
            let n = value
                .as_i64()
                .map(i128::from)
                .or_else(|| value.as_u64().map(i128::from));
            match n {
                Some(n) => {
                    let (lo, hi) = integer_range(s);
                    if n < lo || n > hi {
                        return Some(format!("{n} is out of the range of {s:?} ({lo}..={hi})"));
                    }
                    true
                }
                None => false,
            }
        }
    };
    (!ok).then(|| {
        format!(
            "{} where {} is expected",
            kind(value),
            scalar_word(&TypeRef::Scalar(s))
        )
    })
}

fn scalar_word(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::Scalar(Scalar::Bool) => "a boolean",
        TypeRef::Scalar(s) if is_integer(*s) => "an integer",
        TypeRef::Scalar(Scalar::F32 | Scalar::F64) => "a number",
        TypeRef::Scalar(Scalar::String | Scalar::Bytes) => "a string",
        _ => "a value",
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
