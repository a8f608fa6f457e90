//! Answers rendered once and sent many times. A handler whose answer does
//! not change between requests (a daemon's version, a fixed ping) keeps a
//! [`Prepared`] reply and returns clones of it: the router then copies the
//! status, headers and already encoded body instead of encoding the typed
//! value again on every request.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use futures_util::FutureExt;
use http_body_util::BodyExt;
use hyper::header::HeaderMap;
use hyper::{Response, StatusCode};

use super::respond;
use crate::body::{self, Body};

/// The encoded form of one reply of type `R` (a generated `...Reply` enum
/// whose answers all have a complete body: JSON, text or nothing). Built
/// with that enum's `prepare` method; cheap to clone (the body is shared).
pub struct Prepared<R> {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    reply: PhantomData<fn() -> R>,
}

impl<R> Clone for Prepared<R> {
    fn clone(&self) -> Self {
        Prepared {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            reply: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Prepared<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl<R> Prepared<R> {
    /// Keeps an encoded answer. Only the generated `prepare` methods call
    /// this, with answers whose body is complete at once; a body that is
    /// still pending (a stream) becomes a 500 that says so rather than an
    /// answer cut short.
    #[doc(hidden)]
    pub fn from_response(resp: Response<Body>) -> Prepared<R> {
        split(resp).unwrap_or_else(|message| {
            let error = respond::error(StatusCode::INTERNAL_SERVER_ERROR, &message);
            // An error answer's body is a buffer, complete at once.
            split(error).unwrap_or_else(|_| Prepared {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                headers: HeaderMap::new(),
                body: Bytes::new(),
                reply: PhantomData,
            })
        })
    }

    /// The status this answer is sent with.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The encoded body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The answer to send: a copy of the headers, the body shared.
    #[doc(hidden)]
    pub fn response(&self) -> Response<Body> {
        let mut resp = Response::new(body::bytes(self.body.clone()));
        *resp.status_mut() = self.status;
        *resp.headers_mut() = self.headers.clone();
        resp
    }
}

/// The parts of an answer whose body is already complete.
fn split<R>(resp: Response<Body>) -> Result<Prepared<R>, String> {
    let (parts, body) = resp.into_parts();
    match body.collect().now_or_never() {
        Some(Ok(collected)) => Ok(Prepared {
            status: parts.status,
            headers: parts.headers,
            body: collected.to_bytes(),
            reply: PhantomData,
        }),
        Some(Err(e)) => Err(format!("cannot prepare the answer: {e}")),
        None => Err("cannot prepare a streamed answer".to_string()),
    }
}
