//! The one place where a failure becomes an HTTP answer: every domain
//! error of `engined_core` reports its [`ErrorKind`], and [`status`] gives
//! dockerd's status code for it; the message is the error's `Display`,
//! which already has Docker's wording. Handlers that fail on their own
//! (a bad parameter, an operation refused outright) use the constructors
//! below instead of writing a status.

use std::fmt::Display;

use engine_api::rt::error::ApiError;
use engined_core::builder::commit::CommitError;
use engined_core::builder::prune::PruneFilterError;
use engined_core::builder::BuildError;
use engined_core::containers::archive::ArchiveError;
use engined_core::containers::update::UpdateError;
use engined_core::containers::ContainerError;
use engined_core::filters::FilterError;
use engined_core::images::{ImageError, ImageFilterError};
use engined_core::networks::{NetworkError, NetworkFilterError};
use engined_core::volumes::VolumeError;
use engined_core::ErrorKind;

/// dockerd's status code for a kind of failure.
pub fn status(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::InvalidParameter => 400,
        ErrorKind::Forbidden => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::Conflict => 409,
        ErrorKind::NotImplemented => 501,
        ErrorKind::Unavailable => 503,
        ErrorKind::Server | ErrorKind::Other => 500,
    }
}

/// A domain error that knows its kind.
pub trait Kinded: Display {
    fn kind(&self) -> ErrorKind;
}

macro_rules! kinded {
    ($($error:ty),* $(,)?) => {
        $(impl Kinded for $error {
            fn kind(&self) -> ErrorKind {
                <$error>::kind(self)
            }
        })*
    };
}

kinded!(
    ContainerError,
    ArchiveError,
    UpdateError,
    ImageError,
    ImageFilterError,
    CommitError,
    BuildError,
    PruneFilterError,
    NetworkError,
    NetworkFilterError,
    VolumeError,
    FilterError
);

/// The answer for a domain error: its kind's status, its message.
pub fn api_error(e: impl Kinded) -> ApiError {
    failure(e.kind(), e.to_string())
}

/// An answer of `kind` with `message`.
pub fn failure(kind: ErrorKind, message: impl Into<String>) -> ApiError {
    ApiError {
        status: status(kind),
        message: message.into(),
    }
}

/// The request itself is wrong (400).
pub fn bad_request(message: impl Into<String>) -> ApiError {
    failure(ErrorKind::InvalidParameter, message)
}

/// No such object (404).
pub fn not_found(message: impl Into<String>) -> ApiError {
    failure(ErrorKind::NotFound, message)
}

/// The object's state forbids the operation (409).
pub fn conflict(message: impl Into<String>) -> ApiError {
    failure(ErrorKind::Conflict, message)
}

/// engined does not do this (501).
pub fn not_implemented(message: impl Into<String>) -> ApiError {
    failure(ErrorKind::NotImplemented, message)
}

/// The daemon cannot serve this now (503: no swarm here).
pub fn unavailable(message: impl Into<String>) -> ApiError {
    failure(ErrorKind::Unavailable, message)
}

/// The daemon failed on its own side (500): `what` failed because of `e`.
pub fn internal(what: &str, e: impl Display) -> ApiError {
    failure(ErrorKind::Server, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_dockerds_status() {
        let cases = [
            (ErrorKind::InvalidParameter, 400),
            (ErrorKind::Forbidden, 403),
            (ErrorKind::NotFound, 404),
            (ErrorKind::Conflict, 409),
            (ErrorKind::NotImplemented, 501),
            (ErrorKind::Unavailable, 503),
            (ErrorKind::Server, 500),
            (ErrorKind::Other, 500),
        ];
        for (kind, code) in cases {
            assert_eq!(status(kind), code, "{kind:?}");
            // The client reads the same class back from the status.
            if kind != ErrorKind::Other {
                assert_eq!(ErrorKind::from_status(code), kind);
            }
        }
    }

    #[test]
    fn domain_errors_keep_their_message() {
        let e = api_error(ContainerError::NotFound("abc".into()));
        assert_eq!(
            (e.status, e.message.as_str()),
            (404, "No such container: abc")
        );
        let e = api_error(VolumeError::InUse {
            name: "v".into(),
            container: "c1".into(),
        });
        assert_eq!(e.status, 409);
        assert!(e.message.contains("volume is in use"), "{}", e.message);
    }
}
