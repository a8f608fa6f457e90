//! Everything a generated crate's `server` module names, in one
//! place, so the generated code refers to `rt::X` and never collides with
//! the spec's type names.

pub use super::reply::{header, ByteStream, FrameStream, Hijack, JsonStream, LogStream, Reply};
pub use super::request::{bad_request, not_implemented, parse_path, required, BodyStream, Ctx};
pub use super::route::{handle, Answer, Route, Routing};
pub use super::{Deferred, Prepared};
pub use super::{HttpService, ServerInfo};
pub use crate::error::ApiError;
pub use crate::query::Filters;
pub use crate::version::ApiVersion;

/// What the router receives.
pub type HttpRequest = hyper::Request<hyper::body::Incoming>;
/// What the router answers.
pub type HttpResponse = hyper::Response<crate::body::Body>;
