//! [`ClientError`]: everything a call can fail with, and the kind helpers
//! (`is_not_found()`, `is_conflict()`, `is_unauthorized()`...) that let a
//! caller branch on the class of failure without matching variants, in the
//! spirit of moby's errdefs classes. The enum is `#[non_exhaustive]`: new
//! transports or checks may add variants without breaking callers.

use std::time::Duration;

use crate::error::{ApiError, ErrorKind};
use crate::json_stream::StreamError;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The daemon answered with an error status and message.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The daemon reported a failure inside a stream that had begun with a
    /// success status (a pull, push, build or load progress line carrying
    /// `errorDetail`).
    #[error(transparent)]
    Reported(#[from] StreamError),
    /// The client is misconfigured (bad DOCKER_HOST, unreadable certificates...).
    #[error("client configuration: {0}")]
    Config(String),
    /// The connection failed or broke. The message has the whole chain of
    /// causes (hyper's, then the socket's or ssh's own words).
    #[error("cannot reach the daemon at {host}: {}", chain(.source.as_ref()))]
    Connect {
        /// The daemon's address, as configured.
        host: String,
        /// What the connection (or the TLS handshake) failed with.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No response head within the call's timeout.
    #[error("no answer from the daemon within {0:?}")]
    Timeout(Duration),
    /// The body did not decode into the documented type.
    #[error("cannot decode the daemon's answer to {what}: {source}")]
    Decode {
        /// What was being decoded (the operation's answer, a request body).
        what: String,
        /// Where and why the JSON did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// A stream broke off or carried bad framing.
    #[error("stream: {0}")]
    Stream(String),
    /// The daemon did not switch protocols for attach / exec start.
    #[error("the daemon did not upgrade the connection (HTTP {0})")]
    NoUpgrade(u16),
    /// The daemon's answer to a WebSocket handshake was not a valid one.
    #[error("WebSocket handshake: {0}")]
    WebSocket(String),
}

/// An error and its causes, `outer: inner: innermost`, each said once.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        next = cause.source();
    }
    text
}

impl ClientError {
    /// The daemon's error, when there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// The class of the daemon's error answer; `None` when the daemon did
    /// not answer with an error status (a connection failure, a timeout, a
    /// failure reported inside a stream...).
    pub fn kind(&self) -> Option<ErrorKind> {
        self.api().map(ApiError::kind)
    }

    /// The daemon's own words: the message of its error answer, or of the
    /// error line of a stream.
    pub fn message(&self) -> Option<&str> {
        match self {
            ClientError::Api(e) => Some(&e.message),
            ClientError::Reported(e) => Some(&e.message),
            _ => None,
        }
    }

    /// The daemon answered 404: the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_found)
    }

    /// The daemon answered 409: the object's state forbids the operation.
    pub fn is_conflict(&self) -> bool {
        self.api().is_some_and(ApiError::is_conflict)
    }

    /// The daemon answered 400: the request itself was wrong.
    pub fn is_invalid_parameter(&self) -> bool {
        self.api().is_some_and(ApiError::is_invalid_parameter)
    }

    /// Credentials were wanted or refused: a 401 answer, or a stream's
    /// error line with code 401 (a push or pull the registry refused).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            ClientError::Api(e) => e.is_unauthorized(),
            ClientError::Reported(e) => e.code == Some(401),
            _ => false,
        }
    }

    /// The daemon answered 401 or 403: it refused the request.
    pub fn is_forbidden(&self) -> bool {
        self.api().is_some_and(ApiError::is_forbidden)
    }

    /// The daemon answered 501: it does not implement the operation.
    pub fn is_not_implemented(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_implemented)
    }

    /// The daemon answered 503: it cannot serve the request now.
    pub fn is_unavailable(&self) -> bool {
        self.api().is_some_and(ApiError::is_unavailable)
    }

    /// No answer arrived within the call's timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Timeout(_))
    }

    /// The daemon could not be reached (or the connection broke before an
    /// answer): worth retrying once it is up.
    pub fn is_connect(&self) -> bool {
        matches!(self, ClientError::Connect { .. })
    }

    /// A failure the daemon reported inside a stream after a success
    /// status (see [`ClientError::Reported`]).
    pub fn is_reported(&self) -> bool {
        matches!(self, ClientError::Reported(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_status_or_the_stream_code() {
        let e = ClientError::from(ApiError::from_response(404, br#"{"message":"gone"}"#));
        assert!(e.is_not_found() && !e.is_conflict() && !e.is_timeout());
        assert_eq!(e.kind(), Some(ErrorKind::NotFound));
        assert_eq!(e.message(), Some("gone"));
        let e = ClientError::from(ApiError::from_response(401, b""));
        assert!(e.is_unauthorized() && e.is_forbidden());
        let e = ClientError::from(StreamError {
            message: "denied".into(),
            code: Some(401),
        });
        assert!(e.is_unauthorized() && e.is_reported() && !e.is_forbidden());
        assert_eq!(e.kind(), None);
        assert_eq!(e.to_string(), "denied");
        let e = ClientError::Timeout(Duration::from_secs(1));
        assert!(e.is_timeout() && e.message().is_none());
    }
}
