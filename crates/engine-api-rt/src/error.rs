//! The Engine API's error body (`{"message": "..."}`) and the client's
//! typed error: the HTTP status, Docker's message, and kind helpers in the
//! spirit of moby's errdefs classes.

use serde::{Deserialize, Serialize};

/// The JSON body every Engine API error response carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, in the daemon's words.
    pub message: String,
}

/// What class of failure a status code stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request was malformed or a parameter was invalid.
    InvalidParameter,
    /// 401 / 403: not allowed.
    Forbidden,
    /// 404: no such object.
    NotFound,
    /// 409: the object is in a state that forbids the operation.
    Conflict,
    /// 501: the daemon does not implement the operation.
    NotImplemented,
    /// 503: the daemon (or swarm) cannot serve the request now.
    Unavailable,
    /// Any other 5xx.
    Server,
    /// Any other status.
    Other,
}

impl ErrorKind {
    /// The class of an HTTP status code (anything unlisted is `Server`
    /// for a 5xx, else `Other`).
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::InvalidParameter,
            401 | 403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            501 => ErrorKind::NotImplemented,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }
}

/// An error response from a daemon: its status and its message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (HTTP {status})")]
pub struct ApiError {
    /// The HTTP status code of the response.
    pub status: u16,
    /// Docker's message (the body's `message`, or the body as text).
    pub message: String,
}

impl ApiError {
    /// Builds the error from a response's status and body. A body that is
    /// not Docker's JSON shape is kept as text, so nothing is lost.
    pub fn from_response(status: u16, body: &[u8]) -> ApiError {
        let message = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => b.message,
            Err(_) => {
                let text = String::from_utf8_lossy(body).trim().to_string();
                if text.is_empty() {
                    format!("the daemon answered HTTP {status} with no message")
                } else {
                    text
                }
            }
        };
        ApiError { status, message }
    }

    /// The class of failure this error's status stands for.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_status(self.status)
    }

    /// A 404: the container, image, network... does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// A 409: the object's state forbids the operation (a name in use, a
    /// running container that must be stopped first...).
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// A 400: the request itself was wrong; retrying it as is won't help.
    pub fn is_invalid_parameter(&self) -> bool {
        self.kind() == ErrorKind::InvalidParameter
    }

    /// A 401: the daemon (or the registry behind it) wants credentials,
    /// or did not accept the ones sent.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    /// A 401 or 403: the daemon refused the request.
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }

    /// A 501: the daemon does not implement this operation (`engined`
    /// answers so for handlers nobody wrote).
    pub fn is_not_implemented(&self) -> bool {
        self.kind() == ErrorKind::NotImplemented
    }

    /// A 503: the daemon (or its swarm) cannot serve the request now; it
    /// may succeed later.
    pub fn is_unavailable(&self) -> bool {
        self.kind() == ErrorKind::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_docker_bodies_and_keeps_others() {
        let e = ApiError::from_response(404, br#"{"message":"No such container: web"}"#);
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "No such container: web (HTTP 404)");
        let e = ApiError::from_response(502, b"bad gateway\n");
        assert_eq!(e.message, "bad gateway");
        assert_eq!(e.kind(), ErrorKind::Server);
        let e = ApiError::from_response(409, b"");
        assert!(e.is_conflict());
        assert!(!e.is_unauthorized());
        assert!(e.message.contains("409"));
        let e = ApiError::from_response(401, br#"{"message":"unauthorized"}"#);
        assert!(e.is_unauthorized() && e.is_forbidden());
    }
}
