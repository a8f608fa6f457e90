//! Successful answers as the generated client returns them: one JSON value,
//! nothing, text, a header's value, or streams (JSON values, raw bytes,
//! container output).

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use hyper::body::{Body as _, Incoming};
use hyper::{Response, StatusCode};

use super::driven;
use super::logs::{decode_output, Framing, LogStream};
use super::ClientError;
use crate::version::ApiVersion;

/// A stream of typed JSON values (events, pull progress, stats).
pub type JsonStream<T> = Pin<Box<dyn Stream<Item = Result<T, ClientError>> + Send>>;

/// A stream of raw bytes (tar archives, exports).
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, ClientError>> + Send>>;

/// How much of a `content-length` is reserved up front when joining a
/// body's chunks: the daemon's figure is a hint, not a promise to allocate.
const RESERVE_LIMIT: usize = 16 << 20;

/// The whole body. One chunk (most answers) is returned as hyper read it;
/// more are joined into one buffer sized by `content-length` (up to
/// [`RESERVE_LIMIT`]), without a list of chunks on the way.
async fn collect(resp: Response<Incoming>) -> Result<Bytes, ClientError> {
    read_body(resp.into_body(), None).await
}

/// The whole body as [`collect`] reads it, refused as soon as it passes
/// `limit` bytes when there is one.
pub(crate) async fn read_body(body: Incoming, limit: Option<usize>) -> Result<Bytes, ClientError> {
    let within = |len: usize| match limit {
        Some(limit) if len > limit => Err(ClientError::Stream(format!(
            "answer larger than {limit} bytes"
        ))),
        _ => Ok(()),
    };
    let expected = body.size_hint().exact();
    let mut chunks = BodyChunks(body);
    let Some(first) = chunks.next().await.transpose()? else {
        return Ok(Bytes::new());
    };
    within(first.len())?;
    let Some(second) = chunks.next().await.transpose()? else {
        return Ok(first);
    };
    within(first.len() + second.len())?;
    let hint = expected
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(limit.unwrap_or(RESERVE_LIMIT).min(RESERVE_LIMIT));
    let mut joined = Vec::with_capacity(hint.max(first.len() + second.len()));
    joined.extend_from_slice(&first);
    joined.extend_from_slice(&second);
    while let Some(chunk) = chunks.next().await.transpose()? {
        within(joined.len() + chunk.len())?;
        joined.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(joined))
}

/// One JSON value of type `T` (`operation` names the call in errors).
pub async fn json<T: serde::de::DeserializeOwned>(
    resp: Response<Incoming>,
    operation: &str,
) -> Result<T, ClientError> {
    let bytes = collect(resp).await?;
    crate::json_text::from_bytes(&bytes).map_err(|source| ClientError::Decode {
        what: operation.to_string(),
        source,
    })
}

/// A JSON array of `T`. A daemon written in Go sends `null` for an empty
/// (nil) list, e.g. `GET /containers/{id}/changes` of an unchanged
/// container: that is an empty `Vec`, not an error.
pub async fn json_list<T: serde::de::DeserializeOwned>(
    resp: Response<Incoming>,
    operation: &str,
) -> Result<Vec<T>, ClientError> {
    json::<Option<Vec<T>>>(resp, operation)
        .await
        .map(Option::unwrap_or_default)
}

/// A JSON value, or `None` for an answer documented without a body (204).
pub async fn json_or_none<T: serde::de::DeserializeOwned>(
    resp: Response<Incoming>,
    operation: &str,
) -> Result<Option<T>, ClientError> {
    if resp.status() == StatusCode::NO_CONTENT {
        return Ok(None);
    }
    let bytes = collect(resp).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    crate::json_text::from_bytes(&bytes)
        .map(Some)
        .map_err(|source| ClientError::Decode {
            what: operation.to_string(),
            source,
        })
}

/// No body worth keeping: read it to the end so the connection is reused.
pub async fn empty(resp: Response<Incoming>) -> Result<(), ClientError> {
    collect(resp).await.map(|_| ())
}

/// Text. A JSON string answer (`application/json`, as `POST /swarm/init`
/// sends its node ID) is unquoted.
pub async fn text(resp: Response<Incoming>, operation: &str) -> Result<String, ClientError> {
    let is_json = content_type(&resp).is_some_and(|ct| ct.starts_with("application/json"));
    let bytes = collect(resp).await?;
    if is_json {
        return crate::json_text::from_bytes(&bytes).map_err(|source| ClientError::Decode {
            what: operation.to_string(),
            source,
        });
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A response header parsed as `T`; `None` when absent or unparsable.
pub fn header<T: std::str::FromStr>(resp: &Response<Incoming>, name: &str) -> Option<T> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// A response header holding JSON; `None` when absent or not that JSON.
pub fn header_json<T: serde::de::DeserializeOwned>(
    resp: &Response<Incoming>,
    name: &str,
) -> Option<T> {
    resp.headers()
        .get(name)
        .and_then(|v| serde_json::from_slice(v.as_bytes()).ok())
}

pub(crate) fn content_type(resp: &Response<Incoming>) -> Option<&str> {
    resp.headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// JSON values one after another.
pub fn json_stream<T>(resp: Response<Incoming>) -> JsonStream<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    super::json_stream(resp)
}

/// The body as it comes.
pub fn bytes(resp: Response<Incoming>) -> ByteStream {
    super::byte_stream(resp)
}

/// Container output, demultiplexed when framed (see [`Framing`]).
pub fn output(resp: Response<Incoming>, version: Option<ApiVersion>) -> LogStream {
    let framing = Framing::from_content_type(content_type(&resp), version);
    decode_output(BodyChunks(driven::AnswerBody::new(resp)), framing)
}

/// The data of a body as a stream of chunks, as hyper hands them over
/// (trailers skipped): polled directly, no future per chunk.
pub(crate) struct BodyChunks<B = Incoming>(pub(crate) B);

impl<B> Stream for BodyChunks<B>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    type Item = Result<Bytes, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match ready!(Pin::new(&mut self.0).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(ClientError::Stream(e.to_string())))),
                None => return Poll::Ready(None),
            }
        }
    }
}
