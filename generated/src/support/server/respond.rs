//! Building responses the way Docker servers send them: JSON with its
//! content type, `{"message": ...}` errors, streams fed by a channel, the
//! common headers, and the 101 answer that hands a connection over.

use std::io;
use std::sync::OnceLock;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_TYPE, UPGRADE};
use hyper::{Response, StatusCode};

use super::ServerInfo;
use crate::support::body::{self, Body};
use crate::support::error::ErrorBody;
use crate::support::version::ApiVersion;

/// Content type of multiplexed stdout/stderr streams.
pub const RAW_STREAM: &str = "application/vnd.docker.raw-stream";
/// Content type of multiplexed streams (API 1.42+ clients ask for it).
pub const MULTIPLEXED_STREAM: &str = "application/vnd.docker.multiplexed-stream";

fn with_type(status: StatusCode, content_type: &'static str, body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// The initial buffer of a JSON answer.
const JSON_CAPACITY: usize = 1024;

/// A JSON answer. Serialisation of our own types cannot fail in practice;
/// if it does, the client gets a 500 with the reason, never a panic.
pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    // Most answers are a few hundred bytes: start big enough for them
    // rather than growing the buffer several times.
    let mut bytes = Vec::with_capacity(JSON_CAPACITY);
    match serde_json::to_writer(&mut bytes, value) {
        Ok(()) => {
            bytes.push(b'\n');
            with_type(status, "application/json", body::bytes(bytes))
        }
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot encode the response: {e}"),
        ),
    }
}

/// Docker's error shape: `{"message": "..."}`.
pub fn error(status: StatusCode, message: &str) -> Response<Body> {
    let body = serde_json::to_vec(&ErrorBody {
        message: message.to_string(),
    })
    .unwrap_or_else(|_| b"{\"message\":\"error\"}".to_vec());
    with_type(status, "application/json", body::bytes(body))
}

/// Plain text (`/_ping`'s `OK`).
pub fn text(status: StatusCode, text: &'static str) -> Response<Body> {
    with_type(
        status,
        "text/plain; charset=utf-8",
        body::bytes(Bytes::from_static(text.as_bytes())),
    )
}

/// No body at all (204, 304).
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(body::empty());
    *resp.status_mut() = status;
    resp
}

/// A streamed answer: whatever the handler sends on the returned channel
/// is written out as it comes; dropping the sender ends the body.
pub fn channel(
    status: StatusCode,
    content_type: &'static str,
) -> (tokio::sync::mpsc::Sender<io::Result<Bytes>>, Response<Body>) {
    let (tx, rx) = tokio::sync::mpsc::channel(32);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (tx, with_type(status, content_type, body::stream(stream)))
}

/// The 101 answer to an attach / exec start that asked to upgrade.
pub fn switching_protocols(content_type: &'static str) -> Response<Body> {
    let mut resp = with_type(StatusCode::SWITCHING_PROTOCOLS, content_type, body::empty());
    let h = resp.headers_mut();
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(UPGRADE, HeaderValue::from_static("tcp"));
    resp
}

/// The names of the headers every Docker server sends.
pub(super) const API_VERSION: HeaderName = HeaderName::from_static("api-version");
pub(super) const OSTYPE: HeaderName = HeaderName::from_static("ostype");
pub(super) const DOCKER_EXPERIMENTAL: HeaderName = HeaderName::from_static("docker-experimental");

/// `Api-Version`'s value: the newest version this server speaks.
fn api_version() -> HeaderValue {
    static VALUE: OnceLock<HeaderValue> = OnceLock::new();
    VALUE
        .get_or_init(|| {
            HeaderValue::from_str(&ApiVersion::CURRENT.to_string())
                .unwrap_or(HeaderValue::from_static("1.44"))
        })
        .clone()
}

/// The common header `name` with its value, for [`add_common_headers`]
/// and for adding only the ones a handler did not set.
pub(super) fn common_header(name: &HeaderName, info: &ServerInfo) -> Option<HeaderValue> {
    if name == API_VERSION {
        Some(api_version())
    } else if name == hyper::header::SERVER {
        HeaderValue::from_str(&info.server).ok()
    } else if name == OSTYPE {
        HeaderValue::from_str(&info.os_type).ok()
    } else if name == DOCKER_EXPERIMENTAL {
        Some(HeaderValue::from_static(if info.experimental {
            "true"
        } else {
            "false"
        }))
    } else {
        None
    }
}

/// The names of the headers every Docker server sends, in their order.
pub(super) const COMMON: [HeaderName; 4] = [
    API_VERSION,
    hyper::header::SERVER,
    OSTYPE,
    DOCKER_EXPERIMENTAL,
];

/// Adds the headers every Docker server sends.
pub fn add_common_headers(resp: &mut Response<Body>, info: &ServerInfo) {
    let h = resp.headers_mut();
    for name in COMMON {
        if let Some(value) = common_header(&name, info) {
            h.insert(name, value);
        }
    }
}
