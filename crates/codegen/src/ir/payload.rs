//! What travels in a request or response body, beyond its schema: a JSON
//! value, a stream of JSON values, raw bytes (tar, binary), plain text,
//! Docker's multiplexed stdout/stderr frames, or nothing because the
//! connection is taken over (attach, exec start) or becomes a WebSocket
//! (attach over WebSocket).
//!
//! Content types decide most cases. The rest is Engine API knowledge the
//! spec cannot express (which JSON answers are streams, which operations
//! hijack the connection, the item type of untyped progress streams): that
//! lives in [`OVERRIDES`], one sorted table.

use super::model::{Operation, Response, ResponseHeader, Scalar, TypeRef};

/// The shape of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// No body.
    Empty,
    /// One JSON value of this type.
    Json(TypeRef),
    /// JSON values one after another (progress, events, stats).
    JsonStream(TypeRef),
    /// Plain text.
    Text,
    /// Raw bytes, possibly streamed (tar archives, exports).
    Bytes,
    /// Docker's 8-byte-header stdout/stderr frames (raw bytes with a TTY).
    Multiplexed,
    /// The connection is upgraded and handed to both sides.
    Hijack,
    /// The connection becomes a WebSocket (RFC 6455) whose messages carry
    /// the raw bytes both ways: a hijack with message framing.
    WebSocket,
}

/// Engine API facts the spec does not state, by operationId (sorted).
struct Override {
    operation: &'static str,
    response: Payload2,
}

/// `Payload` without the type (the table is static).
#[derive(Clone, Copy)]
enum Payload2 {
    /// A JSON stream of the named type.
    JsonStreamOf(&'static str),
    /// A JSON stream of untyped values.
    JsonStreamAny,
    /// A JSON stream of the response's own schema.
    JsonStream,
    /// Raw bytes (the spec names no content type for these tar answers).
    Bytes,
    Hijack,
    WebSocket,
}

static OVERRIDES: &[Override] = &[
    Override {
        operation: "ContainerArchive",
        response: Payload2::Bytes,
    },
    Override {
        operation: "ContainerAttach",
        response: Payload2::Hijack,
    },
    Override {
        operation: "ContainerAttachWebsocket",
        response: Payload2::WebSocket,
    },
    Override {
        operation: "ContainerExport",
        response: Payload2::Bytes,
    },
    Override {
        operation: "ContainerStats",
        response: Payload2::JsonStream,
    },
    Override {
        operation: "ExecStart",
        response: Payload2::Hijack,
    },
    Override {
        operation: "ImageBuild",
        response: Payload2::JsonStreamOf("BuildInfo"),
    },
    Override {
        operation: "ImageCreate",
        response: Payload2::JsonStreamOf("CreateImageInfo"),
    },
    Override {
        operation: "ImageLoad",
        response: Payload2::JsonStreamAny,
    },
    Override {
        operation: "ImagePush",
        response: Payload2::JsonStreamOf("PushImageInfo"),
    },
    Override {
        operation: "PluginPull",
        response: Payload2::JsonStreamAny,
    },
    Override {
        operation: "PluginUpgrade",
        response: Payload2::JsonStreamAny,
    },
    Override {
        operation: "Session",
        response: Payload2::Hijack,
    },
    Override {
        operation: "SystemEvents",
        response: Payload2::JsonStream,
    },
];

/// Query parameters the spec calls comma-separated but dockerd reads as
/// repeated keys (`?changes=CMD%20x&changes=ENV%20a%3Db`), by operationId
/// and parameter name (sorted).
static REPEATED_QUERY: &[(&str, &str)] = &[("ImageCreate", "changes"), ("ImageGetAll", "names")];

/// Whether the operation's query parameter `name` goes out as repeated keys
/// whatever the spec's `collectionFormat` says.
pub fn repeated_query(operation_id: &str, name: &str) -> bool {
    REPEATED_QUERY
        .binary_search_by(|(op, param)| (*op, *param).cmp(&(operation_id, name)))
        .is_ok()
}

/// Operations whose success answer sends its status line and headers as
/// soon as the request is accepted and its JSON body later (sorted): the
/// docker CLI waits for the headers of `POST /containers/{id}/wait`
/// before it starts the container in `docker run`. The server hands such
/// a body to the handler as a future; the client reads it as plain JSON.
static HEADERS_FIRST: &[&str] = &["ContainerWait"];

/// Whether the operation's success answer has its headers sent first.
pub fn headers_first(operation_id: &str) -> bool {
    HEADERS_FIRST.binary_search(&operation_id).is_ok()
}

/// Response headers dockerd sends that the spec does not declare, by
/// operationId, status and header name (sorted): the archive download
/// carries the same path stat as its HEAD variant, and the docker CLI
/// refuses `docker cp` out of a container without it.
static UNDECLARED_HEADERS: &[(&str, &str, &str, &str)] = &[(
    "ContainerArchive",
    "200",
    "X-Docker-Container-Path-Stat",
    "The stat of `path` (base64-encoded JSON, as the `HEAD` variant sends it); \
     clients read it to know how to unpack the archive.",
)];

/// Adds to `response` of `operation_id` the headers dockerd sends without
/// the spec declaring them (as text), unless the spec has them already.
pub fn add_undeclared_headers(operation_id: &str, response: &mut Response) {
    for (op, status, name, doc) in UNDECLARED_HEADERS {
        let declared = response
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name));
        if *op == operation_id && *status == response.status && !declared {
            response.headers.push(ResponseHeader {
                name: name.to_string(),
                ty: TypeRef::Scalar(Scalar::String),
                doc: Some(doc.to_string()),
            });
        }
    }
}

fn override_for(operation_id: &str) -> Option<Payload2> {
    OVERRIDES
        .binary_search_by(|o| o.operation.cmp(operation_id))
        .ok()
        .map(|i| OVERRIDES[i].response)
}

/// The payload of one body from its content types and schema type.
pub fn from_content(content_types: &[String], ty: Option<&TypeRef>) -> Payload {
    let has = |needle: &str| content_types.iter().any(|c| c.starts_with(needle));
    if has("application/vnd.docker.raw-stream") || has("application/vnd.docker.multiplexed-stream")
    {
        return Payload::Multiplexed;
    }
    if has("application/x-tar") || has("application/octet-stream") {
        // A JSON alternative with a schema wins (ContainerCreate accepts both).
        if let (true, Some(ty)) = (has("application/json"), ty) {
            return Payload::Json(ty.clone());
        }
        return Payload::Bytes;
    }
    match ty {
        Some(TypeRef::Scalar(Scalar::String)) if has("text/plain") => Payload::Text,
        Some(ty) => Payload::Json(ty.clone()),
        None if has("text/plain") && !has("application/json") => Payload::Text,
        None => Payload::Empty,
    }
}

/// The payload of the operation's request body.
pub fn request(op: &Operation) -> Payload {
    match &op.body {
        None => Payload::Empty,
        Some(body) => from_content(&body.content_types, body.ty.as_ref()),
    }
}

/// The payload of the operation's successful answers (2xx, or 101 for
/// hijacking and WebSocket operations).
pub fn success(op: &Operation) -> Payload {
    let ok = op
        .responses
        .iter()
        .find(|r| r.status.starts_with('2'))
        .or_else(|| op.responses.iter().find(|r| r.status == "101"));
    let natural = ok.map_or(Payload::Empty, |r| {
        from_content(&r.content_types, r.ty.as_ref())
    });
    match override_for(&op.operation_id) {
        None => natural,
        Some(Payload2::Hijack) => Payload::Hijack,
        Some(Payload2::WebSocket) => Payload::WebSocket,
        Some(Payload2::Bytes) => Payload::Bytes,
        Some(Payload2::JsonStreamAny) => Payload::JsonStream(TypeRef::Scalar(Scalar::Any)),
        Some(Payload2::JsonStreamOf(name)) => Payload::JsonStream(TypeRef::Named(name.to_string())),
        Some(Payload2::JsonStream) => match natural {
            Payload::Json(ty) => Payload::JsonStream(ty),
            _ => Payload::JsonStream(TypeRef::Scalar(Scalar::Any)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_table_is_sorted() {
        let names: Vec<_> = OVERRIDES.iter().map(|o| o.operation).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn attach_over_websocket_is_its_own_kind() {
        assert!(matches!(
            override_for("ContainerAttachWebsocket"),
            Some(Payload2::WebSocket)
        ));
        assert!(matches!(
            override_for("ContainerAttach"),
            Some(Payload2::Hijack)
        ));
    }

    #[test]
    fn repeated_query_table_is_sorted_and_found() {
        let mut sorted = REPEATED_QUERY.to_vec();
        sorted.sort();
        assert_eq!(sorted, REPEATED_QUERY);
        assert!(repeated_query("ImageGetAll", "names"));
        assert!(!repeated_query("ImageGetAll", "other"));
    }

    #[test]
    fn undeclared_headers_are_added_once() {
        let mut sorted = UNDECLARED_HEADERS.to_vec();
        sorted.sort();
        assert_eq!(sorted, UNDECLARED_HEADERS);
        let mut r = Response {
            status: "200".into(),
            doc: String::new(),
            content_types: Vec::new(),
            ty: None,
            headers: Vec::new(),
        };
        add_undeclared_headers("ContainerArchive", &mut r);
        add_undeclared_headers("ContainerArchive", &mut r);
        assert_eq!(r.headers.len(), 1);
        assert_eq!(r.headers[0].name, "X-Docker-Container-Path-Stat");
        let mut other = Response {
            status: "404".into(),
            ..r.clone()
        };
        other.headers.clear();
        add_undeclared_headers("ContainerArchive", &mut other);
        add_undeclared_headers("ContainerExport", &mut r);
        assert!(other.headers.is_empty());
        assert_eq!(r.headers.len(), 1);
    }

    #[test]
    fn headers_first_table_is_sorted_and_found() {
        let mut sorted = HEADERS_FIRST.to_vec();
        sorted.sort();
        assert_eq!(sorted, HEADERS_FIRST);
        assert!(headers_first("ContainerWait"));
        assert!(!headers_first("ContainerStart"));
    }

    #[test]
    fn content_types_decide_the_common_cases() {
        let ct = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let named = TypeRef::Named("X".into());
        assert_eq!(
            from_content(&ct(&["application/vnd.docker.raw-stream"]), None),
            Payload::Multiplexed
        );
        assert_eq!(
            from_content(&ct(&["application/x-tar"]), None),
            Payload::Bytes
        );
        assert_eq!(
            from_content(
                &ct(&["application/json", "application/octet-stream"]),
                Some(&named)
            ),
            Payload::Json(named.clone())
        );
        assert_eq!(
            from_content(&ct(&["text/plain"]), Some(&TypeRef::Scalar(Scalar::String))),
            Payload::Text
        );
        assert_eq!(
            from_content(&ct(&["application/json"]), None),
            Payload::Empty
        );
    }
}
