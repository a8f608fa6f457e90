//! Building responses the way Docker servers send them: JSON with its
//! content type, `{"message": ...}` errors, streams fed by a channel, the
//! common headers, and the 101 answer that hands a connection over.

use std::io;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_TYPE, UPGRADE};
use hyper::{Response, StatusCode};

use super::ServerInfo;
use crate::body::{self, Body};
use crate::error::ErrorBody;
use crate::version::ApiVersion;

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

/// The headers every Docker server sends, with their values worked out
/// once per server rather than on every answer.
#[derive(Clone, Debug)]
pub struct CommonHeaders {
    values: Vec<(HeaderName, HeaderValue)>,
}

impl CommonHeaders {
    /// `Api-Version` (the newest version this server speaks), `Server`,
    /// `Ostype` and `Docker-Experimental`, from `info`. A value that is not
    /// a valid header value (a control character in `info.server`) is left
    /// out rather than sent broken.
    pub fn new(info: &ServerInfo) -> CommonHeaders {
        let experimental = if info.experimental { "true" } else { "false" };
        let values = [
            (API_VERSION, ApiVersion::CURRENT.to_string()),
            (hyper::header::SERVER, info.server.clone()),
            (OSTYPE, info.os_type.clone()),
            (DOCKER_EXPERIMENTAL, experimental.to_string()),
        ]
        .into_iter()
        .filter_map(|(name, value)| HeaderValue::try_from(value).ok().map(|v| (name, v)))
        .collect();
        CommonHeaders { values }
    }

    /// Adds them to `resp`, leaving alone any the handler set itself
    /// (documented ones such as /_ping's `API-Version` win).
    pub fn add_missing(&self, resp: &mut Response<Body>) {
        let headers = resp.headers_mut();
        for (name, value) in &self.values {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Adds the headers every Docker server sends (for answers built outside
/// the generated router).
pub fn add_common_headers(resp: &mut Response<Body>, info: &ServerInfo) {
    CommonHeaders::new(info).add_missing(resp);
}
