//! Routing for the generated router: the `/v1.NN` prefix, matching a path
//! against the spec's templates (segments percent-decoded; a parameter may
//! span several segments, as dockerd's `{name:.*}` does for image names
//! like `registry:5000/a/b`), 404 and 405 answers, turning a handler's
//! error into Docker's JSON error body, containing panics, and the common
//! headers on every answer.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use super::reply::Reply;
use super::request::Ctx;
use super::respond::{self, CommonHeaders};
use super::unread::Unread;
use super::{version_prefix, ServerInfo};
use crate::body::Body;
use crate::error::ApiError;
use crate::query::{percent_decode, Query};

/// One operation's method and path template (`/images/{name}/json`).
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// The upper-case HTTP method (`GET`).
    pub method: &'static str,
    /// The spec's path template, parameters in braces, without the
    /// `/v1.NN` prefix.
    pub path: &'static str,
}

/// What an operation's successful answer carries, as the generated
/// client reads it: a proxy or a middleware uses it to relay each kind
/// its own way without a list of operation names of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// No body.
    Empty,
    /// One JSON value.
    Json,
    /// JSON values one after another (progress, events, stats).
    JsonStream,
    /// Plain text (`/_ping`).
    Text,
    /// Raw bytes, possibly streamed (tar archives, exports).
    Bytes,
    /// A container's output: stdout/stderr frames, raw with a TTY, read
    /// to its end.
    Output,
    /// The connection is taken over (attach, exec start).
    Hijack,
    /// The connection becomes a WebSocket.
    WebSocket,
}

/// The outcome of matching a request against the routes.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The index of the route and its decoded path parameters.
    Route(usize, Vec<String>),
    /// Some template matches the path, none with this method.
    WrongMethod,
    /// No template matches the path.
    NotFound,
}

/// The route table, indexed once by each template's first segment so that
/// a request is matched against the few templates that can fit it rather
/// than against all of them.
#[derive(Debug)]
pub struct RouteTable {
    routes: &'static [Route],
    /// Route indexes by literal first segment (`containers`, `_ping`...).
    by_first: HashMap<&'static str, Vec<usize>>,
    /// Routes whose first segment is a parameter: candidates for any path.
    any_first: Vec<usize>,
}

impl RouteTable {
    /// Indexes `routes`; a match reports a position in this slice.
    pub fn new(routes: &'static [Route]) -> RouteTable {
        let mut by_first: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut any_first = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            let first = route.path.split('/').nth(1).unwrap_or("");
            if first.starts_with('{') {
                any_first.push(i);
            } else {
                by_first.entry(first).or_default().push(i);
            }
        }
        RouteTable {
            routes,
            by_first,
            any_first,
        }
    }

    /// Matches `method` and `path` (without the version prefix). A match
    /// where every parameter is one segment wins over one where a
    /// parameter spans several; among equals the first route wins. A HEAD
    /// request without a HEAD route is served by the GET route (the body
    /// is not sent).
    pub fn find(&self, method: &str, path: &str) -> Found {
        // The path's segments, on the stack for any path a route can match.
        let mut stack = [""; 16];
        let heap: Vec<&str>;
        let count = path.split('/').skip(1).count();
        let segments: &[&str] = if count <= stack.len() {
            for (slot, segment) in stack.iter_mut().zip(path.split('/').skip(1)) {
                *slot = segment;
            }
            &stack[..count]
        } else {
            heap = path.split('/').skip(1).collect();
            &heap
        };
        let first = segments.first().copied().unwrap_or("");
        let literal = self.by_first.get(first).map_or(&[][..], Vec::as_slice);
        let mut best: Option<(bool, usize, Vec<String>)> = None;
        let mut fallback: Option<(bool, usize, Vec<String>)> = None;
        let mut any = false;
        // Candidates in table order, so that "the first route wins" holds.
        let mut candidates = merge(literal, &self.any_first);
        for i in &mut candidates {
            let Some(route) = self.routes.get(i) else {
                continue;
            };
            let Some((greedy, params)) = match_template(route.path, segments) else {
                continue;
            };
            any = true;
            let slot = if route.method == method {
                &mut best
            } else if method == "HEAD" && route.method == "GET" {
                &mut fallback
            } else {
                continue;
            };
            if slot.as_ref().is_none_or(|(g, _, _)| *g && !greedy) {
                *slot = Some((greedy, i, params));
            }
        }
        match best.or(fallback) {
            Some((_, i, params)) => Found::Route(i, params),
            None if any => Found::WrongMethod,
            None => Found::NotFound,
        }
    }
}

/// Two ascending lists of indexes as one ascending sequence.
fn merge<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y < x => b.next().copied(),
        (Some(_), _) => a.next().copied(),
        (None, _) => b.next().copied(),
    })
}

/// What the generated router keeps to serve requests: its route table and
/// the headers every answer carries.
#[derive(Debug)]
pub struct Routing {
    table: RouteTable,
    headers: CommonHeaders,
}

impl Routing {
    /// The routing of `routes`, answering with the headers `info` gives.
    pub fn new(routes: &'static [Route], info: &ServerInfo) -> Routing {
        Routing {
            table: RouteTable::new(routes),
            headers: CommonHeaders::new(info),
        }
    }
}

/// Matches one template; `Some((spans_segments, params))`.
///
/// [`RouteTable::find`] only asks templates whose first segment is the
/// path's (or a parameter), so that is not checked again here.
fn match_template(template: &str, segments: &[&str]) -> Option<(bool, Vec<String>)> {
    // A template without parameters matches only its own segments.
    if !template.contains('{') {
        let same = template.split('/').skip(1).eq(segments.iter().copied());
        return same.then(|| (false, Vec::new()));
    }
    let parts: Vec<&str> = template.split('/').skip(1).collect();
    let mut params = Vec::new();
    let mut greedy = false;
    let mut at = 0;
    for (k, part) in parts.iter().enumerate() {
        if part.starts_with('{') && part.ends_with('}') {
            // What the template still needs after this parameter.
            let rest = parts.len() - k - 1;
            let remaining = segments.len().checked_sub(at + rest)?;
            if remaining == 0 {
                return None;
            }
            // One segment unless the next parameter is literal-only: then
            // take all but what the rest of the template needs.
            let take = if parts[k + 1..].iter().any(|p| p.starts_with('{')) {
                1
            } else {
                remaining
            };
            greedy |= take > 1;
            let decoded: Vec<String> = segments[at..at + take]
                .iter()
                .map(|s| percent_decode(s))
                .collect();
            let value = decoded.join("/");
            if value.is_empty() {
                return None;
            }
            params.push(value);
            at += take;
        } else {
            if segments.get(at) != Some(part) {
                return None;
            }
            at += 1;
        }
    }
    (at == segments.len()).then_some((greedy, params))
}

/// Serves one request: version prefix, route, `dispatch(route index,
/// request)`, errors as `{"message"}`, a panic as a bare 500, and the
/// headers every Docker server sends.
pub async fn handle<F, Fut>(
    mut req: Request<Incoming>,
    routing: &Routing,
    dispatch: F,
) -> Response<Body>
where
    F: FnOnce(usize, Ctx) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let result = match version_prefix::split(req.uri().path()) {
        Err(e) => Err(super::request::bad_request(e.to_string())),
        Ok((version, path)) => match routing.table.find(req.method().as_str(), path) {
            Found::NotFound => Err(ApiError {
                status: 404,
                message: "page not found".into(),
            }),
            Found::WrongMethod => Err(ApiError {
                status: 405,
                message: format!("method {} is not allowed on {path}", req.method()),
            }),
            Found::Route(i, params) => {
                let reply = Reply::new(version, &mut req);
                let query = Query::parse(req.uri().query().unwrap_or(""));
                let (parts, body) = req.into_parts();
                let unread = Unread::default();
                let cx = Ctx::new(
                    version,
                    params,
                    query,
                    parts.headers,
                    body,
                    reply,
                    unread.clone(),
                );
                let result = match AssertUnwindSafe(dispatch(i, cx)).catch_unwind().await {
                    Ok(result) => result,
                    Err(_) => {
                        tracing::error!("a handler panicked");
                        Err(ApiError {
                            status: 500,
                            message: "internal server error".into(),
                        })
                    }
                };
                // A body the handler did not read to its end: read the
                // rest (bounded) so the client can finish sending it and
                // read the answer.
                unread.drain().await;
                result
            }
        },
    };
    let mut resp = match result {
        Ok(resp) => resp,
        Err(e) => respond::error(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &e.message,
        ),
    };
    routing.headers.add_missing(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route] = &[
        Route {
            method: "GET",
            path: "/images/json",
        },
        Route {
            method: "GET",
            path: "/images/{name}/json",
        },
        Route {
            method: "DELETE",
            path: "/images/{name}",
        },
        Route {
            method: "GET",
            path: "/containers/{id}/json",
        },
        Route {
            method: "POST",
            path: "/containers/{id}/attach",
        },
        Route {
            method: "GET",
            path: "/containers/{id}/attach/ws",
        },
        Route {
            method: "GET",
            path: "/_ping",
        },
        Route {
            method: "HEAD",
            path: "/_ping",
        },
        Route {
            method: "GET",
            path: "/version",
        },
    ];

    fn table() -> RouteTable {
        RouteTable::new(ROUTES)
    }

    fn hit(i: usize, params: &[&str]) -> Found {
        Found::Route(i, params.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn literal_and_parameter_routes() {
        assert_eq!(table().find("GET", "/images/json"), hit(0, &[]));
        assert_eq!(
            table().find("GET", "/images/busybox/json"),
            hit(1, &["busybox"])
        );
        assert_eq!(
            table().find("GET", "/images/registry%3A5000%2Fa%2Fb/json"),
            hit(1, &["registry:5000/a/b"])
        );
        // Unencoded slashes: the parameter spans segments, as dockerd's {name:.*}.
        assert_eq!(
            table().find("GET", "/images/registry:5000/a/b/json"),
            hit(1, &["registry:5000/a/b"])
        );
        assert_eq!(table().find("DELETE", "/images/a/b"), hit(2, &["a/b"]));
        assert_eq!(
            table().find("GET", "/containers/web/attach/ws"),
            hit(5, &["web"])
        );
        assert_eq!(
            table().find("POST", "/containers/web/attach"),
            hit(4, &["web"])
        );
    }

    #[test]
    fn head_wrong_method_and_unknown() {
        assert_eq!(table().find("HEAD", "/_ping"), hit(7, &[]));
        assert_eq!(table().find("HEAD", "/version"), hit(8, &[]));
        assert_eq!(table().find("POST", "/version"), Found::WrongMethod);
        assert_eq!(table().find("GET", "/nope"), Found::NotFound);
        assert_eq!(table().find("GET", "/images//json"), Found::WrongMethod);
        assert_eq!(table().find("GET", "/"), Found::NotFound);
    }

    #[test]
    fn parameter_first_templates_are_candidates_for_every_path() {
        const MIXED: &[Route] = &[
            Route {
                method: "GET",
                path: "/a/list",
            },
            Route {
                method: "GET",
                path: "/{name}/info",
            },
            Route {
                method: "POST",
                path: "/a/info",
            },
            Route {
                method: "GET",
                path: "/a/info",
            },
        ];
        let table = RouteTable::new(MIXED);
        // Both templates fit; the one listed first wins.
        assert_eq!(table.find("GET", "/a/info"), hit(1, &["a"]));
        assert_eq!(table.find("POST", "/a/info"), hit(2, &[]));
        assert_eq!(table.find("GET", "/b/info"), hit(1, &["b"]));
        assert_eq!(table.find("GET", "/a/list"), hit(0, &[]));
        assert_eq!(table.find("DELETE", "/b/info"), Found::WrongMethod);
        assert_eq!(table.find("GET", "/b/list"), Found::NotFound);
    }

    #[test]
    fn percent_decoding_keeps_plus_and_bad_escapes() {
        assert_eq!(percent_decode("a%2Fb+c"), "a/b+c");
        assert_eq!(percent_decode("%zz%2"), "%zz%2");
        assert_eq!(percent_decode("%41"), "A");
    }
}
