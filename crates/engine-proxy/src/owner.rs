//! Owner scoping: on a listener with an identity (`-H URL#alice`) and a
//! policy naming an `owner_label`, a client sees and touches only the
//! containers, volumes, networks and Swarm services carrying that label
//! with its identity (a service's in its spec's `Labels`). What it creates is stamped with the label; lists, prunes and
//! events get the label as one more filter, so the upstream answers with
//! the client's objects only (nothing is buffered to filter it); an
//! operation on one object first asks the upstream (through the generated
//! client) whose the object is, answers Docker's 404 for another owner's,
//! and is sent on with the object's full ID, so a rename in between
//! cannot redirect it.

use std::collections::BTreeMap;

use engine_api::client::{ContainerInspectParams, NetworkInspectParams, ServiceInspectParams};
use engine_api_rt::client::ClientError;
use engine_api_rt::error::ApiError;
use engine_api_rt::query::{decode, encode, Query};

use crate::route::Operation;
use crate::typed::Typed;

/// One listener's owner: the label key and its value.
#[derive(Clone, Debug)]
pub struct Owner {
    pub label: String,
    pub identity: String,
}

/// What one operation's object is, for the ownership check.
enum Object {
    Container,
    Volume,
    Network,
    Exec,
    Service,
}

fn object_of(op: &Operation) -> Option<Object> {
    if op.params.is_empty() {
        return None;
    }
    Some(match (op.tag, op.id) {
        ("Container", _) | ("Exec", "ContainerExec") => Object::Container,
        ("Exec", _) => Object::Exec,
        ("Volume", _) => Object::Volume,
        ("Network", _) => Object::Network,
        ("Service", _) => Object::Service,
        _ => return None,
    })
}

/// The operations whose answer is a set of objects, scoped by a filter.
fn is_scoped_set(id: &str) -> bool {
    matches!(
        id,
        "ContainerList"
            | "ContainerPrune"
            | "VolumeList"
            | "VolumePrune"
            | "NetworkList"
            | "NetworkPrune"
            | "ServiceList"
            | "SystemEvents"
    )
}

impl Owner {
    fn owns(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        labels.and_then(|l| l.get(&self.label)) == Some(&self.identity)
    }

    /// Sets the owner label on what `typed` creates, and on a service's
    /// new spec (an update replaces the labels with the spec's).
    pub fn stamp(&self, typed: &mut Typed) {
        let labels = match typed {
            Typed::ContainerCreate(b) => &mut b.labels,
            Typed::VolumeCreate(b) => &mut b.labels,
            Typed::NetworkCreate(b) => &mut b.labels,
            Typed::Service(spec) => &mut spec.labels,
            _ => return,
        };
        labels
            .get_or_insert_with(BTreeMap::new)
            .insert(self.label.clone(), self.identity.clone());
    }

    /// The query to send for a list, prune or events: the client's, with
    /// the owner's label added to its `filters` (every other `filters`
    /// key, however spelled, dropped). `None` for other operations.
    pub fn scope_query(&self, op: &Operation, query: &str) -> Result<Option<String>, ApiError> {
        if !is_scoped_set(op.id) {
            return Ok(None);
        }
        if query.contains(';') {
            return Err(ApiError {
                status: 400,
                message: "invalid query: `;` is not a separator".into(),
            });
        }
        let filters = Query::parse(query)
            .filters("filters")
            .map_err(|e| ApiError {
                status: 400,
                message: e.to_string(),
            })?
            .unwrap_or_default()
            .with("label", &format!("{}={}", self.label, self.identity));
        let mut out = format!("filters={}", encode(&filters.to_json()));
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let key = decode(pair.split('=').next().unwrap_or(""));
            if key != "filters" {
                out.push('&');
                out.push_str(pair);
            }
        }
        Ok(Some(out))
    }

    /// For an operation on one object: `Ok(Some(full id))` of an object of
    /// this owner, Docker's 404 for anyone else's (or none), `Ok(None)` for
    /// an operation on no object.
    pub async fn check(
        &self,
        client: &engine_api::Client,
        op: &Operation,
    ) -> Result<Option<String>, ApiError> {
        let Some(object) = object_of(op) else {
            return Ok(None);
        };
        let name = op.params.first().map(String::as_str).unwrap_or("");
        match object {
            Object::Container => self.container(client, name).await.map(Some),
            Object::Exec => {
                let exec = client
                    .exec_inspect(name)
                    .await
                    .map_err(|e| hide(e, || format!("No such exec instance: {name}")))?;
                let container = exec.container_id.unwrap_or_default();
                self.container(client, &container)
                    .await
                    .map_err(|_| not_found(format!("No such exec instance: {name}")))?;
                Ok(Some(exec.id.unwrap_or_else(|| name.to_string())))
            }
            Object::Volume => {
                let v = client
                    .volume_inspect(name)
                    .await
                    .map_err(|e| hide(e, || format!("get {name}: no such volume")))?;
                if !self.owns(v.labels.as_ref()) {
                    return Err(not_found(format!("get {name}: no such volume")));
                }
                Ok(Some(v.name))
            }
            Object::Network => {
                let n = client
                    .network_inspect(name, &NetworkInspectParams::default())
                    .await
                    .map_err(|e| hide(e, || format!("network {name} not found")))?;
                if !self.owns(n.labels.as_ref()) {
                    return Err(not_found(format!("network {name} not found")));
                }
                Ok(Some(n.id.unwrap_or_else(|| name.to_string())))
            }
            Object::Service => {
                let message = || format!("service {name} not found");
                let svc = client
                    .service_inspect(name, &ServiceInspectParams::default())
                    .await
                    .map_err(|e| hide(e, message))?;
                if !self.owns(svc.spec.as_ref().and_then(|s| s.labels.as_ref())) {
                    return Err(not_found(message()));
                }
                Ok(Some(svc.id.unwrap_or_else(|| name.to_string())))
            }
        }
    }

    /// The objects a request's body names besides its own: containers
    /// whose volumes or namespaces a new container joins, the volumes it
    /// mounts by name, the networks it joins, the container a network
    /// connect or disconnect names. Each must be this owner's, else the
    /// request is denied (403, naming the field: a 404 would make the
    /// docker CLI take it for a missing image and try to pull). A missing
    /// object is denied alike, so nothing tells it from another's.
    pub async fn check_references(
        &self,
        client: &engine_api::Client,
        typed: &Typed,
    ) -> Result<(), ApiError> {
        for (field, name, object) in references(typed) {
            let owned = match object {
                Object::Volume => client
                    .volume_inspect(&name)
                    .await
                    .map(|v| self.owns(v.labels.as_ref())),
                Object::Network => client
                    .network_inspect(&name, &NetworkInspectParams::default())
                    .await
                    .map(|n| self.owns(n.labels.as_ref())),
                Object::Service => client
                    .service_inspect(&name, &ServiceInspectParams::default())
                    .await
                    .map(|s| self.owns(s.spec.as_ref().and_then(|s| s.labels.as_ref()))),
                Object::Container | Object::Exec => client
                    .container_inspect(&name, &ContainerInspectParams::default())
                    .await
                    .map(|c| self.owns(c.config.as_ref().and_then(|c| c.labels.as_ref()))),
            };
            let owned = match owned {
                Ok(owned) => owned,
                Err(ClientError::Api(api)) if api.status == 404 => false,
                Err(e) => return Err(hide(e, String::new)),
            };
            if !owned {
                return Err(ApiError {
                    status: 403,
                    message: format!(
                        "denied by owner scoping: {field} names {name}, which is not yours"
                    ),
                });
            }
        }
        Ok(())
    }

    async fn container(&self, client: &engine_api::Client, name: &str) -> Result<String, ApiError> {
        let message = || format!("No such container: {name}");
        let c = client
            .container_inspect(name, &ContainerInspectParams::default())
            .await
            .map_err(|e| hide(e, message))?;
        let labels = c.config.as_ref().and_then(|c| c.labels.as_ref());
        if !self.owns(labels) {
            return Err(not_found(message()));
        }
        Ok(c.id.unwrap_or_else(|| name.to_string()))
    }
}

/// The objects `typed` names in its body: (field, name, kind).
fn references(typed: &Typed) -> Vec<(String, String, Object)> {
    let mut out = Vec::new();
    match typed {
        Typed::ContainerCreate(b) => {
            if let Some(hc) = &b.host_config {
                for from in hc.volumes_from.iter().flatten() {
                    let name = from.split(':').next().unwrap_or("");
                    out.push((
                        "HostConfig.VolumesFrom".into(),
                        name.into(),
                        Object::Container,
                    ));
                }
                let modes = [
                    ("HostConfig.NetworkMode", &hc.network_mode),
                    ("HostConfig.PidMode", &hc.pid_mode),
                    ("HostConfig.IpcMode", &hc.ipc_mode),
                ];
                for (field, mode) in modes {
                    let Some(mode) = mode.as_deref() else {
                        continue;
                    };
                    if let Some(c) = mode.strip_prefix("container:") {
                        out.push((field.into(), c.into(), Object::Container));
                    } else if field == "HostConfig.NetworkMode" && !is_builtin_network(mode) {
                        out.push((field.into(), mode.into(), Object::Network));
                    }
                }
                for (i, bind) in hc.binds.iter().flatten().enumerate() {
                    let source = bind.split(':').next().unwrap_or("");
                    if !source.is_empty() && !source.starts_with('/') {
                        out.push((
                            format!("HostConfig.Binds[{i}]"),
                            source.into(),
                            Object::Volume,
                        ));
                    }
                }
                for (i, m) in hc.mounts.iter().flatten().enumerate() {
                    let named = m.r#type == Some(engine_api::types::MountType::Volume);
                    let source = m.source.as_deref().unwrap_or("");
                    if named && !source.is_empty() {
                        out.push((
                            format!("HostConfig.Mounts[{i}]"),
                            source.into(),
                            Object::Volume,
                        ));
                    }
                }
            }
            let endpoints = b
                .networking_config
                .as_ref()
                .and_then(|n| n.endpoints_config.as_ref());
            for net in endpoints.into_iter().flat_map(|e| e.keys()) {
                if !is_builtin_network(net) {
                    out.push((
                        "NetworkingConfig.EndpointsConfig".into(),
                        net.clone(),
                        Object::Network,
                    ));
                }
            }
        }
        Typed::NetworkConnect(b) => out.extend(
            b.container
                .clone()
                .map(|c| ("Container".into(), c, Object::Container)),
        ),
        Typed::NetworkDisconnect(b) => out.extend(
            b.container
                .clone()
                .map(|c| ("Container".into(), c, Object::Container)),
        ),
        _ => {}
    }
    out
}

/// The networks every daemon has, which no one owns.
fn is_builtin_network(name: &str) -> bool {
    matches!(name, "" | "default" | "bridge" | "host" | "none")
}

fn not_found(message: String) -> ApiError {
    ApiError {
        status: 404,
        message,
    }
}

/// The upstream's answer to an ownership question, as the client may see
/// it: not found in Docker's words; a failure to ask is a 502.
fn hide(e: ClientError, message: impl FnOnce() -> String) -> ApiError {
    match e {
        ClientError::Api(api) if api.status == 404 => not_found(message()),
        ClientError::Api(api) => api,
        other => ApiError {
            status: 502,
            message: format!("upstream: {other}"),
        },
    }
}

/// The request's path with its one object parameter replaced by `id`
/// (the version prefix kept as the client sent it).
pub fn path_with(path: &str, op: &Operation, id: &str) -> String {
    let rest = engine_api_rt::server::version_prefix::split(path)
        .map(|(_, rest)| rest.len())
        .unwrap_or(path.len());
    let prefix = &path[..path.len() - rest.min(path.len())];
    let param = op.template.find('{').and_then(|start| {
        op.template[start..]
            .find('}')
            .map(|end| (start, start + end + 1))
    });
    match param {
        Some((start, end)) => format!(
            "{prefix}{}{}{}",
            &op.template[..start],
            encode(id),
            &op.template[end..]
        ),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Routes;

    fn owner() -> Owner {
        Owner {
            label: "owner".into(),
            identity: "alice".into(),
        }
    }

    #[test]
    fn lists_get_the_owner_filter_and_lose_any_other() {
        let op = Routes::new()
            .identify("GET", "/v1.41/containers/json")
            .unwrap();
        let q = owner()
            .scope_query(
                &op,
                "all=1&%66ilters=%7B%7D&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D",
            )
            .unwrap()
            .unwrap();
        let parsed = Query::parse(&q);
        let f = parsed.filters("filters").unwrap().unwrap();
        assert_eq!(f.get("label"), ["owner=alice"]);
        assert!(f.get("status").is_empty() || f.get("status") == ["exited"]);
        assert_eq!(parsed.all("filters").len(), 1);
        assert_eq!(parsed.string("all").as_deref(), Some("1"));
        let inspect = Routes::new().identify("GET", "/containers/x/json").unwrap();
        assert_eq!(owner().scope_query(&inspect, "").unwrap(), None);
        assert_eq!(owner().scope_query(&op, "a=1;b=2").unwrap_err().status, 400);
    }

    #[test]
    fn object_paths_take_the_resolved_id() {
        let op = Routes::new()
            .identify("POST", "/v1.41/containers/web/start")
            .unwrap();
        assert_eq!(
            path_with("/v1.41/containers/web/start", &op, "abc"),
            "/v1.41/containers/abc/start"
        );
        let op = Routes::new().identify("DELETE", "/volumes/a").unwrap();
        assert_eq!(path_with("/volumes/a", &op, "a b"), "/volumes/a%20b");
    }

    /// A fake upstream on a unix socket answering with recorded bodies:
    /// `/_ping`, and `GET /services/{name}` for two services, alice's
    /// `web` and bob's `db`; anything else is dockerd's 404.
    async fn recorded_upstream(dir: &std::path::Path) -> engine_api::Client {
        use http_body_util::Full;
        use hyper::{Request, Response};
        let sock = dir.join("up.sock");
        let listener = tokio::net::UnixListener::bind(&sock).unwrap();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let svc = hyper::service::service_fn(
                    |req: Request<hyper::body::Incoming>| async move {
                        let path = req.uri().path().to_string();
                        let name = path.rsplit('/').next().unwrap_or("").to_string();
                        let (status, body) = if path == "/_ping" {
                            (200, "OK".to_string())
                        } else if path.ends_with("/services/web")
                            || path.ends_with("/services/svc-web")
                        {
                            (200, r#"{"ID":"svc-web","Version":{"Index":7},"Spec":{"Name":"web","Labels":{"owner":"alice"},"TaskTemplate":{"ContainerSpec":{"Image":"mini"}}}}"#.to_string())
                        } else if path.ends_with("/services/db") {
                            (
                                200,
                                r#"{"ID":"svc-db","Spec":{"Name":"db","Labels":{"owner":"bob"}}}"#
                                    .to_string(),
                            )
                        } else {
                            (404, format!(r#"{{"message":"service {name} not found"}}"#))
                        };
                        let resp = Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .header("api-version", "1.41")
                            .body(Full::new(bytes::Bytes::from(body)))
                            .unwrap();
                        Ok::<_, std::convert::Infallible>(resp)
                    },
                );
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(conn), svc),
                );
            }
        });
        let endpoint =
            engine_api_rt::host::Endpoint::parse(&format!("unix://{}", sock.display()), false)
                .unwrap();
        engine_api::ClientBuilder::endpoint(endpoint)
            .build()
            .unwrap()
    }

    #[test]
    fn services_are_scoped_like_containers() {
        let dir =
            std::env::temp_dir().join(format!("engine-proxy-owner-svc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = recorded_upstream(&dir).await;
            let routes = Routes::new();
            let alice = owner();
            // Alice's own service: inspect, update, logs and delete go to its ID.
            for (method, path) in [
                ("GET", "/v1.41/services/web"),
                ("POST", "/v1.41/services/web/update"),
                ("GET", "/v1.41/services/web/logs"),
                ("DELETE", "/v1.41/services/web"),
            ] {
                let op = routes.identify(method, path).unwrap();
                assert_eq!(
                    alice.check(&client, &op).await.unwrap().as_deref(),
                    Some("svc-web"),
                    "{method} {path}"
                );
                assert_eq!(
                    path_with(path, &op, "svc-web"),
                    path.replace("web", "svc-web")
                );
            }
            // Bob's, and one that does not exist, are alike: Docker's 404.
            for name in ["db", "nope"] {
                for (method, path) in [
                    ("GET", format!("/v1.41/services/{name}")),
                    ("POST", format!("/v1.41/services/{name}/update")),
                    ("DELETE", format!("/v1.41/services/{name}")),
                ] {
                    let op = routes.identify(method, &path).unwrap();
                    let e = alice.check(&client, &op).await.unwrap_err();
                    assert_eq!(e.status, 404, "{method} {path}");
                    assert_eq!(e.message, format!("service {name} not found"));
                }
            }
        });
        let _ = std::fs::remove_dir_all(&dir);
        // The list is sent with the owner's label as a filter.
        let op = Routes::new().identify("GET", "/v1.41/services").unwrap();
        let q = owner()
            .scope_query(
                &op,
                "filters=%7B%22label%22%3A%5B%22owner%3Dbob%22%5D%7D&status=1",
            )
            .unwrap()
            .unwrap();
        let parsed = Query::parse(&q);
        let f = parsed.filters("filters").unwrap().unwrap();
        assert!(f.get("label").contains(&"owner=alice".to_string()), "{q}");
        assert_eq!(parsed.string("status").as_deref(), Some("1"));
        // A new service, and a service's new spec, carry the owner's label.
        for op in ["ServiceCreate", "ServiceUpdate"] {
            let mut t = crate::typed::decode(
                op,
                "",
                br#"{"Name":"s","Labels":{"owner":"bob"},"TaskTemplate":{"ContainerSpec":{"Image":"mini"}}}"#,
            )
            .unwrap();
            owner().stamp(&mut t);
            let Typed::Service(spec) = t else { panic!() };
            assert_eq!(spec.labels.unwrap()["owner"], "alice");
        }
    }

    #[test]
    fn creations_are_stamped() {
        let mut t = crate::typed::decode(
            "VolumeCreate",
            "",
            br#"{"Name":"v","Labels":{"owner":"bob"}}"#,
        )
        .unwrap();
        owner().stamp(&mut t);
        let Typed::VolumeCreate(b) = t else { panic!() };
        assert_eq!(b.labels.unwrap()["owner"], "alice");
    }
}
