//! Decoding one request for the generated router: path parameters (already
//! percent-decoded by the router), query parameters by Docker's conventions,
//! headers (`X-Registry-Auth` included), and bodies (JSON with a size
//! limit, text, or a stream of bytes). Every failure is an [`ApiError`]
//! with status 400 (413 for an oversized body) whose message names the
//! parameter, never a panic and never a Rust type name.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderMap, CONTENT_LENGTH};
use serde::de::DeserializeOwned;

use super::auth;
pub use super::json::{decode_json, JsonError};
use super::reply::Reply;
use super::unread::Unread;
use crate::error::ApiError;
use crate::query::{Filters, Query, QueryError};
use crate::version::ApiVersion;

/// The largest JSON (or text) request body the router reads: 10 MiB.
pub const BODY_LIMIT: usize = 10 << 20;

/// How much of an oversized body is read (and dropped) so that the client,
/// still sending, gets the 413 rather than a broken connection; beyond
/// this the connection is closed with the answer.
const DRAIN_LIMIT: usize = 64 << 20;

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        bad_request(e.to_string())
    }
}

/// A 400 error with `message`.
pub fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        message: message.into(),
    }
}

/// The 501 answer of an operation no handler implements.
pub fn not_implemented(operation: &str) -> ApiError {
    ApiError {
        status: 501,
        message: format!("{operation} is not implemented by this server"),
    }
}

/// `value`, or a 400 saying that the `what` (e.g. "query parameter `t`")
/// is required.
pub fn required<T>(value: Option<T>, what: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| bad_request(format!("missing required {what}")))
}

/// A path parameter of a non-text type (e.g. a number).
pub fn parse_path<T: FromStr>(raw: String, name: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        bad_request(format!(
            "invalid value for path parameter `{name}`: `{raw}`"
        ))
    })
}

/// A request as the router hands it to the generated decoding code.
pub struct Ctx {
    /// The API version of the request's `/v1.NN` prefix (the newest without one).
    pub version: ApiVersion,
    params: Vec<String>,
    query: Query,
    headers: HeaderMap,
    body: Option<Incoming>,
    reply: Option<Reply>,
    /// Where the body goes when it is dropped unread.
    unread: Unread,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        if let Some(body) = self.body.take() {
            self.unread.put_back(body);
        }
    }
}

impl Ctx {
    pub(super) fn new(
        version: ApiVersion,
        params: Vec<String>,
        query: Query,
        headers: HeaderMap,
        body: Incoming,
        reply: Reply,
        unread: Unread,
    ) -> Ctx {
        Ctx {
            version,
            params,
            query,
            headers,
            body: Some(body),
            reply: Some(reply),
            unread,
        }
    }

    /// How to answer this request (taken once, before the body is read).
    pub fn reply(&mut self) -> Reply {
        self.reply
            .take()
            .unwrap_or_else(|| Reply::plain(self.version))
    }

    /// The `i`-th path parameter of the route's template, percent-decoded.
    pub fn path(&mut self, i: usize) -> String {
        self.params
            .get_mut(i)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The whole query string, for parameters the spec does not list.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of query parameter `name`, as sent.
    pub fn string(&self, name: &'static str) -> Option<String> {
        self.query.string(name)
    }

    /// Every value of a repeated key (`changes=a&changes=b`).
    pub fn strings(&self, name: &'static str) -> Vec<String> {
        self.query
            .all(name)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Query parameter `name` as a boolean, Docker's way (`1`/`0`,
    /// `true`/`false`); anything else is a 400 naming the parameter.
    pub fn bool(&self, name: &'static str) -> Result<Option<bool>, ApiError> {
        Ok(self.query.bool(name)?)
    }

    /// An integer or float; empty counts as absent.
    pub fn number<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, ApiError> {
        match self.query.first(name) {
            None | Some("") => Ok(None),
            Some(raw) => raw.trim().parse().map(Some).map_err(|_| {
                bad_request(format!(
                    "invalid value for query parameter `{name}`: `{raw}` is not a number in range"
                ))
            }),
        }
    }

    /// `filters` as Docker sends it (a JSON object of string lists).
    pub fn filters(&self, name: &'static str) -> Result<Option<Filters>, ApiError> {
        Ok(self.query.filters(name)?)
    }

    /// A query value holding JSON (for parameters of object type).
    pub fn json_query<T: DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, ApiError> {
        match self.query.first(name) {
            None | Some("") => Ok(None),
            Some(raw) => decode_json(raw.as_bytes()).map(Some).map_err(|e| {
                bad_request(format!("invalid value for query parameter `{name}`: {e}"))
            }),
        }
    }

    /// A header as text; a value that is not text is a 400.
    pub fn header(&self, name: &'static str) -> Result<Option<String>, ApiError> {
        match self.headers.get(name) {
            None => Ok(None),
            Some(v) => v.to_str().map(|s| Some(s.to_string())).map_err(|_| {
                bad_request(format!("invalid value for header `{name}`: not valid text"))
            }),
        }
    }

    /// `X-Registry-Auth`: base64url (or standard base64) of a JSON object.
    /// An empty header counts as absent, as dockerd does.
    pub fn registry_auth<T: DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, ApiError> {
        match self.header(name)? {
            None => Ok(None),
            Some(raw) if raw.trim().is_empty() => Ok(None),
            Some(raw) => auth::decode(&raw)
                .map(Some)
                .map_err(|why| bad_request(format!("invalid value for header `{name}`: {why}"))),
        }
    }

    /// The JSON body, `None` when the body is empty. Bodies over
    /// [`BODY_LIMIT`] are refused with 413.
    pub async fn json<T: DeserializeOwned>(&mut self) -> Result<Option<T>, ApiError> {
        let bytes = self.read_all().await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        decode_json(&bytes)
            .map(Some)
            .map_err(|e| bad_request(format!("invalid JSON in the request body: {e}")))
    }

    /// The body as text (at most [`BODY_LIMIT`] bytes).
    pub async fn text(&mut self) -> Result<String, ApiError> {
        let bytes = self.read_all().await?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| bad_request("the request body is not valid UTF-8 text"))
    }

    /// The body as a stream of chunks (tar archives, imports).
    pub fn body_stream(&mut self) -> BodyStream {
        BodyStream {
            inner: self.body.take(),
            unread: Some(self.unread.clone()),
        }
    }

    async fn read_all(&mut self) -> Result<Bytes, ApiError> {
        let Some(body) = self.body.take() else {
            return Ok(Bytes::new());
        };
        let declared = self
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
            return Err(too_large());
        }
        let mut out = BytesMut::new();
        let mut body = body;
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|e| bad_request(format!("cannot read the request body: {e}")))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            seen += data.len();
            if seen > DRAIN_LIMIT {
                break;
            }
            if seen <= BODY_LIMIT {
                out.extend_from_slice(&data);
            }
        }
        if seen > BODY_LIMIT {
            return Err(too_large());
        }
        Ok(out.freeze())
    }
}

fn too_large() -> ApiError {
    ApiError {
        status: 413,
        message: format!("the request body is larger than {BODY_LIMIT} bytes"),
    }
}

/// A request body as it arrives: a stream of byte chunks.
pub struct BodyStream {
    inner: Option<Incoming>,
    /// Where the rest goes when the stream is dropped before its end.
    unread: Option<Unread>,
}

impl Drop for BodyStream {
    fn drop(&mut self) {
        if let (Some(body), Some(unread)) = (self.inner.take(), &self.unread) {
            unread.put_back(body);
        }
    }
}

impl BodyStream {
    /// A body with nothing in it.
    pub fn empty() -> BodyStream {
        BodyStream {
            inner: None,
            unread: None,
        }
    }

    /// Reads the whole body into memory (at most `limit` bytes).
    pub async fn collect(mut self, limit: usize) -> io::Result<Bytes> {
        let Some(body) = self.inner.take() else {
            return Ok(Bytes::new());
        };
        Limited::new(body, limit)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .map_err(io::Error::other)
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyStream")
    }
}

impl Stream for BodyStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let Some(body) = self.inner.as_mut() else {
                return Poll::Ready(None);
            };
            let frame = match Pin::new(body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(frame) => frame,
            };
            match frame {
                None => {
                    self.inner = None;
                    return Poll::Ready(None);
                }
                Some(Err(e)) => {
                    self.inner = None;
                    return Poll::Ready(Some(Err(io::Error::other(e))));
                }
                // Trailers carry no data: skip them.
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        }
    }
}
