//! HTTP bodies shared by client and server: one boxed type that is empty,
//! a buffer, or a stream of chunks (tar archives, logs, events).

use std::io;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http_body_util::{combinators::BoxBody, BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;

/// A request or response body.
pub type Body = BoxBody<Bytes, io::Error>;

/// A body with no bytes (requests without a payload, 204 answers).
pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// A body sent in one piece from a buffer (JSON, text).
pub fn bytes(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A body that sends each chunk of `stream` as it comes.
pub fn stream<S>(stream: S) -> Body
where
    S: Stream<Item = io::Result<Bytes>> + Send + Sync + 'static,
{
    BodyExt::boxed(StreamBody::new(stream.map_ok(Frame::data)))
}
