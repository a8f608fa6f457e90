//! The proxy's HTTP service: each request is identified as an operation
//! of the spec (anything else is refused), its typed parts decoded, the
//! policy asked, the decision audited, and an allowed request sent to the
//! upstream through the runtime's client transport. Answers come back as
//! they are sent: status, end-to-end headers and a body streamed chunk by
//! chunk (JSON streams, raw and multiplexed logs, tar archives alike);
//! an upgraded connection is spliced both ways.
//!
//! - [`coalesce`]: answer bodies passed on in larger pieces;
//! - [`headers`]: which headers cross;
//! - [`hijack`]: splicing upgraded connections;
//! - [`pump`]: streamed request bodies, drained when the upstream answers early;
//! - [`shared`]: identical reads in flight at once answered by one call
//!   (`--share-reads`).
//!
//! With owner scoping ([`crate::owner`]) creations are stamped, sets
//! filtered and objects checked before the request goes on.

pub mod coalesce;
pub mod headers;
pub mod hijack;
pub mod pump;
pub mod shared;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};

use engine_api_rt::body::{self, Body};
use engine_api_rt::client::{AnswerBody, ClientError};
use engine_api_rt::error::ApiError;
use engine_api_rt::server::respond;
use engine_api_rt::server::route::Answer;
use engine_api_rt::server::{HttpService, Peer, BODY_LIMIT};

use crate::audit::{Audit, Entry};
use crate::identity::Identity;
use crate::owner::{self, Owner, TaskScope};
use crate::reload::SharedPolicy;
use crate::route::{Operation, Routes};
use crate::typed;
use shared::{MakeCall, Outcome, SharedReads, Whole, SHARE_LIMIT};

/// How long the upstream may take to start its answer: long, since a
/// build answers after reading its whole context, but not forever.
const UPSTREAM_HEAD_TIMEOUT: Duration = Duration::from_secs(3600);

/// The proxy in front of one upstream, for the clients of one listener.
pub struct Proxy {
    routes: Routes,
    policy: SharedPolicy,
    upstream: engine_api::Client,
    audit: Arc<Audit>,
    /// The listener's address: who its anonymous clients are in the audit log.
    address: String,
    /// The listener's name (`-H URL#name`): its clients' identity.
    name: Option<String>,
    /// Identical reads in flight answered together, when asked for.
    shared: Option<Arc<SharedReads>>,
}

impl Proxy {
    /// A proxy deciding with `policy` and sending to `upstream`, for the
    /// clients of the listener `address`, who are `name` when given (else
    /// each TLS client is its certificate's CN).
    pub fn new(
        policy: SharedPolicy,
        upstream: engine_api::Client,
        audit: Arc<Audit>,
        address: String,
        name: Option<String>,
    ) -> Proxy {
        Proxy {
            routes: Routes::new(),
            policy,
            upstream,
            audit,
            address,
            name,
            shared: None,
        }
    }

    /// The same proxy, answering identical reads in flight at once with
    /// one upstream call ([`shared`]); listeners may share one table.
    pub fn share_reads(mut self, shared: Arc<SharedReads>) -> Proxy {
        self.shared = Some(shared);
        self
    }

    async fn handle(&self, req: Request<Incoming>) -> Response<Body> {
        match self.checked(req).await {
            Ok(resp) => resp,
            Err(e) => respond::error(
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &e.message,
            ),
        }
    }

    async fn checked(&self, mut req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
        let path = req.uri().path().to_string();
        let identity = Identity::of(self.name.as_deref(), req.extensions().get::<Peer>());
        let who = match &identity {
            Identity::Named(name) => name.as_str(),
            Identity::Anonymous | Identity::Nameless => self.address.as_str(),
        };
        let policy = self.policy.load();
        // An identity the policy does not know is refused whatever it asks
        // (its version probe included, so the CLI shows why).
        if let Some(reason) = policy.refuses(&identity) {
            let message = format!("denied by the policy's identities: {reason}");
            self.audit
                .write(&Entry::refused(who, req.method().as_str(), &path, &message));
            return Err(ApiError {
                status: 403,
                message,
            });
        }
        let op = match self.routes.identify(req.method().as_str(), &path) {
            Ok(op) => op,
            Err(e) => {
                self.audit.write(&Entry::refused(
                    who,
                    req.method().as_str(),
                    &path,
                    &e.message,
                ));
                return Err(e);
            }
        };
        let query = req.uri().query().unwrap_or("").to_string();
        let upgrade = req.headers().get(UPGRADE).cloned();
        let on_client = upgrade.as_ref().map(|_| hyper::upgrade::on(&mut req));
        let (parts, incoming) = req.into_parts();
        // Owner scoping applies to a client with an identity under a
        // policy that names the owner label.
        let owner = match (policy.owner_label(), identity.name()) {
            (Some(label), Some(name)) => Some(Owner {
                label: label.to_string(),
                identity: name.to_string(),
            }),
            _ => None,
        };
        // The body the upstream gets: the typed value (stamped with its
        // owner) re-encoded when the policy read it, else the client's
        // bytes as they stream in.
        let needs_body = typed::needs_body(op.id);
        let (typed, source) = if needs_body {
            let bytes = read_body(incoming).await?;
            (typed::decode(op.id, &query, &bytes)?, Source::Read(bytes))
        } else {
            (typed::decode(op.id, &query, b"")?, Source::Stream(incoming))
        };
        let mut typed = typed;
        if let Some(owner) = &owner {
            owner.stamp(&mut typed);
        }
        let decision = policy.decide(&op, &typed);
        self.audit
            .write(&Entry::decided(who, &op, &path, &decision));
        if !decision.allowed {
            return Err(ApiError {
                status: 403,
                message: decision.message(&op),
            });
        }
        let body = match source {
            Source::Read(bytes) => body::bytes(typed::encode(&typed)?.unwrap_or(bytes)),
            Source::Stream(incoming) => pump::pumped(incoming),
        };
        let (mut path, mut query) = (path, query);
        if let Some(owner) = &owner {
            if let Some(scoped) = owner.scope_query(&op, &query)? {
                query = scoped;
            }
            match owner.scope_tasks(&self.upstream, &op, &query).await? {
                Some(TaskScope::Query(scoped)) => query = scoped,
                Some(TaskScope::Empty) => {
                    return Ok(respond::json(StatusCode::OK, &serde_json::json!([])))
                }
                None => {}
            }
            owner.check_references(&self.upstream, &typed).await?;
            if let Some(id) = owner.check(&self.upstream, &op).await? {
                path = owner::path_with(&path, &op, &id);
            }
        }
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        if let Some(shared) = &self.shared {
            if shareable(&op, &parts, upgrade.is_some()) {
                let make = self.whole_call(&parts.headers, &target);
                match shared.answer(&target, make).await {
                    Outcome::Answer(whole) => return Ok(whole_response(&whole)),
                    Outcome::Error(e) => return Err(e),
                    Outcome::Unshared => {}
                }
            }
        }
        let sent = Sent {
            reencoded: needs_body,
            streamed: op.answer == Answer::Output,
        };
        self.forward(sent, parts, &target, body, upgrade, on_client)
            .await
    }

    /// Sends the request to `target` (path and query) upstream and turns
    /// the answer into the client's.
    async fn forward(
        &self,
        sent: Sent,
        parts: hyper::http::request::Parts,
        target: &str,
        body: Body,
        upgrade: Option<hyper::header::HeaderValue>,
        on_client: Option<hyper::upgrade::OnUpgrade>,
    ) -> Result<Response<Body>, ApiError> {
        let transport = self.upstream.transport();
        let keep_length = !sent.reencoded;
        let mut builder = transport
            .request(parts.method.clone(), target, None)
            .map_err(upstream_error)?;
        if let Some(h) = builder.headers_mut() {
            *h = headers::end_to_end(&parts.headers, keep_length, upgrade.as_ref());
        }
        let req = builder.body(body).map_err(|e| ApiError {
            status: 500,
            message: format!("cannot build the upstream request: {e}"),
        })?;
        // A container's output is relayed by the client connection's task
        // driving the upstream connection too, not by two tasks handing
        // each chunk from one thread to the other.
        let mut resp = if sent.streamed {
            transport
                .send_streamed_within(req, UPSTREAM_HEAD_TIMEOUT)
                .await
        } else {
            transport.send_within(req, UPSTREAM_HEAD_TIMEOUT).await
        }
        .map_err(upstream_error)?;
        let status = resp.status();
        let switched = status == StatusCode::SWITCHING_PROTOCOLS;
        let on_upstream = switched.then(|| hyper::upgrade::on(&mut resp));
        let answer_headers = std::mem::take(resp.headers_mut());
        let upgrade_back = answer_headers.get(UPGRADE).cloned();
        let mut out = Response::new(if switched {
            body::empty()
        } else {
            coalesce::Joined::new(AnswerBody::new(resp)).boxed()
        });
        *out.status_mut() = status;
        *out.headers_mut() = headers::end_to_end(&answer_headers, true, upgrade_back.as_ref());
        if let (Some(client), Some(upstream)) = (on_client, on_upstream) {
            hijack::splice(client, upstream);
        }
        Ok(out)
    }
}

impl Proxy {
    /// The upstream call of a shared read: `target` with the client's
    /// end-to-end `headers`, its answer read whole.
    fn whole_call(&self, headers: &HeaderMap, target: &str) -> MakeCall {
        let upstream = self.upstream.clone();
        let headers = headers::end_to_end(headers, true, None);
        let target = target.to_string();
        Box::new(move || Box::pin(async move { fetch_whole(&upstream, headers, &target).await }))
    }
}

/// Whether the request is a plain read whose answer may serve others
/// asking the same at the same time: a GET of one JSON value, without a
/// body, an upgrade or credentials of its own.
fn shareable(op: &Operation, parts: &hyper::http::request::Parts, upgrade: bool) -> bool {
    let h = &parts.headers;
    op.answer == Answer::Json
        && parts.method == Method::GET
        && !upgrade
        && !h.contains_key("x-registry-auth")
        && !h.contains_key(AUTHORIZATION)
        && !h.contains_key(TRANSFER_ENCODING)
        && h.get(CONTENT_LENGTH).is_none_or(|v| v.as_bytes() == b"0")
}

/// `GET target` upstream, its answer read whole (within [`SHARE_LIMIT`]).
async fn fetch_whole(upstream: &engine_api::Client, sent: HeaderMap, target: &str) -> Outcome {
    let transport = upstream.transport();
    let mut builder = match transport.request(Method::GET, target, None) {
        Ok(builder) => builder,
        Err(e) => return Outcome::Error(upstream_error(e)),
    };
    if let Some(h) = builder.headers_mut() {
        *h = sent;
    }
    let req = match builder.body(body::empty()) {
        Ok(req) => req,
        Err(e) => {
            return Outcome::Error(ApiError {
                status: 500,
                message: format!("cannot build the upstream request: {e}"),
            })
        }
    };
    let resp = match transport.send_within(req, UPSTREAM_HEAD_TIMEOUT).await {
        Ok(resp) => resp,
        Err(e) => return Outcome::Error(upstream_error(e)),
    };
    let status = resp.status();
    let headers = headers::end_to_end(resp.headers(), true, None);
    match Limited::new(resp.into_body(), SHARE_LIMIT).collect().await {
        Ok(collected) => Outcome::Answer(Arc::new(Whole {
            status,
            headers,
            body: collected.to_bytes(),
        })),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Outcome::Unshared,
        Err(e) => Outcome::Error(ApiError {
            status: 502,
            message: format!("upstream: reading the answer: {e}"),
        }),
    }
}

/// A shared answer, as this client gets it.
fn whole_response(whole: &Whole) -> Response<Body> {
    let mut out = Response::new(body::bytes(whole.body.clone()));
    *out.status_mut() = whole.status;
    *out.headers_mut() = whole.headers.clone();
    out
}

impl HttpService for Proxy {
    fn call(
        &self,
        req: Request<Incoming>,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
        Box::pin(self.handle(req))
    }
}

/// How a request goes upstream.
#[derive(Clone, Copy)]
struct Sent {
    /// Its body is the policy's re-encoding (its length is new).
    reencoded: bool,
    /// Its answer is a container's output, read to its end.
    streamed: bool,
}

/// A request's body: read whole for the policy, or still streaming in.
enum Source {
    Read(Bytes),
    Stream(Incoming),
}

/// The whole body of a request whose JSON the policy reads, within the
/// runtime's limit (413 beyond it, as the generated server answers).
async fn read_body(incoming: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(incoming, BODY_LIMIT).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError {
            status: 413,
            message: format!("the request body is larger than {BODY_LIMIT} bytes"),
        }),
        Err(e) => Err(ApiError {
            status: 400,
            message: format!("cannot read the request body: {e}"),
        }),
    }
}

/// The upstream's own error answer as it gave it (status and message);
/// failing to reach it at all is a 502.
fn upstream_error(e: ClientError) -> ApiError {
    match e {
        ClientError::Api(api) => api,
        other => ApiError {
            status: 502,
            message: format!("upstream: {other}"),
        },
    }
}
