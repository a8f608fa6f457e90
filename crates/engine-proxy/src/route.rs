//! Which operation of the spec a request is: the version prefix checked by
//! the runtime's rules (a version above the spec's is refused with
//! Docker's 400), then the path matched against the generated route
//! table. A request the spec has no route for is refused here, so nothing
//! reaches the upstream that the policy could not name.

use engine_api::server::{ANSWERS, OPERATIONS, ROUTES};
use engine_api_rt::error::ApiError;
use engine_api_rt::server::route::{Answer, Found, RouteTable};
use engine_api_rt::server::version_prefix;
use engine_api_rt::version::ApiVersion;

/// One request identified as an operation of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The spec's operationId (`ContainerCreate`).
    pub id: &'static str,
    /// Its first tag (`Container`).
    pub tag: &'static str,
    /// The route's method (`POST`; `GET` for a HEAD served by a GET route).
    pub method: &'static str,
    /// The route's template (`/containers/{id}/start`).
    pub template: &'static str,
    /// The path parameters, percent-decoded, in the template's order.
    pub params: Vec<String>,
    /// The version the client asked for (the newest without a prefix).
    pub version: ApiVersion,
    /// What its successful answer carries (how it is relayed).
    pub answer: Answer,
}

/// The spec's routes, indexed once.
#[derive(Debug)]
pub struct Routes {
    table: RouteTable,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    /// The generated route table of `engine-api`.
    pub fn new() -> Routes {
        Routes {
            table: RouteTable::new(ROUTES),
        }
    }

    /// The operation `method path` is, or the error Docker answers for a
    /// path it does not serve (404 `page not found`), a method the path
    /// does not take (405) or a refused version prefix (400).
    pub fn identify(&self, method: &str, path: &str) -> Result<Operation, ApiError> {
        let (version, rest) = version_prefix::split(path).map_err(|e| ApiError {
            status: 400,
            message: e.to_string(),
        })?;
        match self.table.find(method, rest) {
            Found::Route(i, params) => {
                let (Some(route), Some((id, tag)), Some(answer)) =
                    (ROUTES.get(i), OPERATIONS.get(i), ANSWERS.get(i))
                else {
                    return Err(not_found());
                };
                Ok(Operation {
                    id,
                    tag,
                    method: route.method,
                    template: route.path,
                    params,
                    version,
                    answer: *answer,
                })
            }
            Found::WrongMethod => Err(ApiError {
                status: 405,
                message: format!("method {method} is not allowed on {rest}"),
            }),
            Found::NotFound => Err(not_found()),
        }
    }
}

fn not_found() -> ApiError {
    ApiError {
        status: 404,
        message: "page not found".into(),
    }
}

/// Whether `id` is an operationId of the spec.
pub fn is_operation(id: &str) -> bool {
    OPERATIONS.iter().any(|(op, _)| *op == id)
}

/// Whether `tag` is a tag of the spec (`Container`, `Image`...).
pub fn is_tag(tag: &str) -> bool {
    OPERATIONS.iter().any(|(_, t)| *t == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_operations_and_refuses_the_rest() {
        let routes = Routes::new();
        let op = routes
            .identify("POST", "/v1.41/containers/abc/start")
            .unwrap();
        assert_eq!((op.id, op.tag), ("ContainerStart", "Container"));
        assert_eq!(op.params, ["abc"]);
        assert_eq!(op.version, ApiVersion::new(1, 41));
        let op = routes.identify("GET", "/images/a/b:1/json").unwrap();
        assert_eq!(
            (op.id, op.params.as_slice()),
            ("ImageInspect", &["a/b:1".to_string()][..])
        );
        assert_eq!(
            routes.identify("HEAD", "/_ping").unwrap().id,
            "SystemPingHead"
        );
        let e = routes.identify("GET", "/v1.41/nothing/here").unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (404, "page not found"));
        let e = routes.identify("GET", "/v1.99/info").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("too new"), "{}", e.message);
        assert_eq!(routes.identify("PUT", "/info").unwrap_err().status, 405);
    }

    #[test]
    fn each_operation_knows_what_its_answer_carries() {
        let routes = Routes::new();
        let answer = |method, path| routes.identify(method, path).unwrap().answer;
        assert_eq!(answer("GET", "/containers/json"), Answer::Json);
        assert_eq!(answer("GET", "/containers/a/logs"), Answer::Output);
        assert_eq!(answer("GET", "/services/a/logs"), Answer::Output);
        assert_eq!(answer("GET", "/events"), Answer::JsonStream);
        assert_eq!(answer("POST", "/containers/a/attach"), Answer::Hijack);
        assert_eq!(answer("GET", "/containers/a/attach/ws"), Answer::WebSocket);
        assert_eq!(answer("GET", "/containers/a/export"), Answer::Bytes);
        assert_eq!(answer("POST", "/containers/a/start"), Answer::Empty);
        assert_eq!(answer("GET", "/_ping"), Answer::Text);
    }

    #[test]
    fn every_route_has_an_operation() {
        assert_eq!(ROUTES.len(), OPERATIONS.len());
        assert_eq!(ROUTES.len(), ANSWERS.len());
        assert!(is_operation("ContainerCreate") && !is_operation("ContainerMake"));
        assert!(is_tag("Volume") && !is_tag("Volumes"));
    }
}
