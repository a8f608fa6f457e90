//! Owner scoping: on a listener with an identity (`-H URL#alice`) and a
//! policy naming an `owner_label`, a client sees and touches only the
//! containers, volumes, networks, Swarm services, secrets and configs
//! carrying that label with its identity (a Swarm object's in its spec's
//! `Labels`), and the tasks of its services. What it creates is stamped
//! with the label; lists, prunes and events get the label as one more
//! filter, so the upstream answers with the client's objects only
//! (nothing is buffered to filter it); a task list, whose filter cannot
//! name a service's labels, gets the client's services by ID instead; an
//! operation on one object first asks the upstream (through the generated
//! client) whose the object is, answers Docker's 404 for another owner's,
//! and is sent on with the object's full ID, so a rename in between
//! cannot redirect it.

use std::collections::BTreeMap;

use engine_api::client::{
    ContainerInspectParams, NetworkInspectParams, ServiceInspectParams, ServiceListParams,
};
use engine_api_rt::client::ClientError;
use engine_api_rt::error::ApiError;
use engine_api_rt::query::{decode, encode, Filters, Query};

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
    Task,
    Secret,
    Config,
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
        ("Task", _) => Object::Task,
        ("Secret", _) => Object::Secret,
        ("Config", _) => Object::Config,
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
            | "SecretList"
            | "ConfigList"
            | "SystemEvents"
    )
}

/// What a task list is sent as under owner scoping.
#[derive(Debug, PartialEq, Eq)]
pub enum TaskScope {
    /// The query to send: the client's filters, with `service` naming
    /// only the owner's services.
    Query(String),
    /// The owner has no services: the answer is an empty list, without
    /// asking (a `service` filter with no value would filter nothing).
    Empty,
}

impl Owner {
    fn owns(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        labels.and_then(|l| l.get(&self.label)) == Some(&self.identity)
    }

    /// Sets the owner label on what `typed` creates, and on a service's,
    /// secret's or config's new spec (an update replaces the labels with
    /// the spec's). A service's task containers get it too, so that they
    /// are the owner's containers and no one else's.
    pub fn stamp(&self, typed: &mut Typed) {
        let labels = match typed {
            Typed::ContainerCreate(b) => &mut b.labels,
            Typed::VolumeCreate(b) => &mut b.labels,
            Typed::NetworkCreate(b) => &mut b.labels,
            Typed::Service(spec) => {
                let cs = spec
                    .task_template
                    .as_mut()
                    .and_then(|t| t.container_spec.as_mut());
                if let Some(cs) = cs {
                    self.label_in(&mut cs.labels);
                }
                &mut spec.labels
            }
            Typed::Secret(spec) => &mut spec.labels,
            Typed::Config(spec) => &mut spec.labels,
            _ => return,
        };
        self.label_in(labels);
    }

    fn label_in(&self, labels: &mut Option<BTreeMap<String, String>>) {
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
        let filters =
            client_filters(query)?.with("label", &format!("{}={}", self.label, self.identity));
        Ok(Some(with_filters(query, &filters)))
    }

    /// For `TaskList`: the client's filters with `service` set to the
    /// owner's services, all of them or those of the client's `service`
    /// values that name one (by ID, name or ID prefix, as dockerd reads
    /// them); a value naming none of them is Docker's 404 for a missing
    /// service. `None` for other operations.
    pub async fn scope_tasks(
        &self,
        client: &engine_api::Client,
        op: &Operation,
        query: &str,
    ) -> Result<Option<TaskScope>, ApiError> {
        if op.id != "TaskList" {
            return Ok(None);
        }
        let mut filters = client_filters(query)?;
        let params = ServiceListParams {
            filters: Some(
                Filters::default().with("label", &format!("{}={}", self.label, self.identity)),
            ),
            status: None,
        };
        let services = client
            .service_list(&params)
            .await
            .map_err(|e| hide(e, String::new))?;
        let owned: Vec<(String, String)> = services
            .into_iter()
            // The upstream filtered; the labels are checked again here.
            .filter(|s| self.owns(s.spec.as_ref().and_then(|s| s.labels.as_ref())))
            .filter_map(|s| {
                let name = s.spec.and_then(|spec| spec.name).unwrap_or_default();
                s.id.map(|id| (id, name))
            })
            .collect();
        let asked = filters.0.remove("service").unwrap_or_default();
        let mut ids: Vec<String> = Vec::new();
        if asked.is_empty() {
            ids.extend(owned.iter().map(|(id, _)| id.clone()));
        }
        for value in &asked {
            let named: Vec<&String> = owned
                .iter()
                .filter(|(id, name)| id == value || name == value || id.starts_with(value.as_str()))
                .map(|(id, _)| id)
                .collect();
            if value.is_empty() || named.is_empty() {
                return Err(not_found(format!("service {value} not found")));
            }
            ids.extend(named.into_iter().cloned());
        }
        if ids.is_empty() {
            return Ok(Some(TaskScope::Empty));
        }
        ids.sort();
        ids.dedup();
        filters.0.insert("service".into(), ids);
        Ok(Some(TaskScope::Query(with_filters(query, &filters))))
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
            Object::Task => {
                let message = || format!("task {name} not found");
                let task = client
                    .task_inspect(name)
                    .await
                    .map_err(|e| hide(e, message))?;
                // A task is its service's: one whose service is gone or
                // another's is not found.
                let service = task.service_id.unwrap_or_default();
                if service.is_empty() {
                    return Err(not_found(message()));
                }
                let svc = client
                    .service_inspect(&service, &ServiceInspectParams::default())
                    .await
                    .map_err(|e| hide(e, message))?;
                if !self.owns(svc.spec.as_ref().and_then(|s| s.labels.as_ref())) {
                    return Err(not_found(message()));
                }
                Ok(Some(task.id.unwrap_or_else(|| name.to_string())))
            }
            Object::Secret => {
                let message = || format!("secret {name} not found");
                let secret = client
                    .secret_inspect(name)
                    .await
                    .map_err(|e| hide(e, message))?;
                if !self.owns(secret.spec.as_ref().and_then(|s| s.labels.as_ref())) {
                    return Err(not_found(message()));
                }
                Ok(Some(secret.id.unwrap_or_else(|| name.to_string())))
            }
            Object::Config => {
                let message = || format!("config {name} not found");
                let config = client
                    .config_inspect(name)
                    .await
                    .map_err(|e| hide(e, message))?;
                if !self.owns(config.spec.as_ref().and_then(|s| s.labels.as_ref())) {
                    return Err(not_found(message()));
                }
                Ok(Some(config.id.unwrap_or_else(|| name.to_string())))
            }
        }
    }

    /// The objects a request's body names besides its own: containers
    /// whose volumes or namespaces a new container joins, the volumes it
    /// mounts by name, the networks it joins, the container a network
    /// connect or disconnect names, and a service's networks, named
    /// volumes, secrets and configs. Each must be this owner's, else the
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
                Object::Secret => client
                    .secret_inspect(&name)
                    .await
                    .map(|s| self.owns(s.spec.as_ref().and_then(|s| s.labels.as_ref()))),
                Object::Config => client
                    .config_inspect(&name)
                    .await
                    .map(|c| self.owns(c.spec.as_ref().and_then(|s| s.labels.as_ref()))),
                // No body names a task or an exec; a container is asked.
                Object::Container | Object::Exec | Object::Task => client
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
        Typed::Service(spec) => {
            let task = spec.task_template.as_ref();
            let attached = [
                ("Networks", spec.networks.as_ref()),
                (
                    "TaskTemplate.Networks",
                    task.and_then(|t| t.networks.as_ref()),
                ),
            ];
            for (field, nets) in attached {
                for (i, n) in nets.into_iter().flatten().enumerate() {
                    let target = n.target.as_deref().unwrap_or("");
                    if !is_builtin_network(target) {
                        out.push((
                            format!("{field}[{i}].Target"),
                            target.into(),
                            Object::Network,
                        ));
                    }
                }
            }
            let cs = task.and_then(|t| t.container_spec.as_ref());
            let at = "TaskTemplate.ContainerSpec";
            for (i, m) in cs
                .and_then(|c| c.mounts.as_ref())
                .into_iter()
                .flatten()
                .enumerate()
            {
                let named = m.r#type == Some(engine_api::types::MountType::Volume);
                let source = m.source.as_deref().unwrap_or("");
                if named && !source.is_empty() {
                    out.push((format!("{at}.Mounts[{i}]"), source.into(), Object::Volume));
                }
            }
            for (i, s) in cs
                .and_then(|c| c.secrets.as_ref())
                .into_iter()
                .flatten()
                .enumerate()
            {
                // The manager reads the ID; the name is checked as well,
                // so neither can point at another's secret.
                for (key, v) in [("SecretID", &s.secret_id), ("SecretName", &s.secret_name)] {
                    if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                        out.push((
                            format!("{at}.Secrets[{i}].{key}"),
                            v.clone(),
                            Object::Secret,
                        ));
                    }
                }
            }
            for (i, c) in cs
                .and_then(|c| c.configs.as_ref())
                .into_iter()
                .flatten()
                .enumerate()
            {
                for (key, v) in [("ConfigID", &c.config_id), ("ConfigName", &c.config_name)] {
                    if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                        out.push((
                            format!("{at}.Configs[{i}].{key}"),
                            v.clone(),
                            Object::Config,
                        ));
                    }
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

/// The client's `filters` (none: empty); a `;` in the query is refused,
/// since Go would not split there and the two readings would differ.
fn client_filters(query: &str) -> Result<Filters, ApiError> {
    if query.contains(';') {
        return Err(ApiError {
            status: 400,
            message: "invalid query: `;` is not a separator".into(),
        });
    }
    Ok(Query::parse(query)
        .filters("filters")
        .map_err(|e| ApiError {
            status: 400,
            message: e.to_string(),
        })?
        .unwrap_or_default())
}

/// `query` with `filters` as its one `filters` (every other spelling of
/// the key dropped), the rest kept as sent.
fn with_filters(query: &str, filters: &Filters) -> String {
    let mut out = format!("filters={}", encode(&filters.to_json()));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let key = decode(pair.split('=').next().unwrap_or(""));
        if key != "filters" {
            out.push('&');
            out.push_str(pair);
        }
    }
    out
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

    /// What a fake upstream answers to a path (the version prefix kept).
    type Answers = fn(&str) -> Option<&'static str>;

    /// A fake upstream on a unix socket answering with recorded bodies:
    /// `/_ping`, and what `answers` gives for a path; anything else is
    /// dockerd's 404. Every request's path and query is kept in the
    /// returned list.
    async fn recorded(
        dir: &std::path::Path,
        answers: Answers,
    ) -> (
        engine_api::Client,
        std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) {
        use http_body_util::Full;
        use hyper::{Request, Response};
        let sock = dir.join("up.sock");
        let listener = tokio::net::UnixListener::bind(&sock).unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let log = log.clone();
                let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                    let log = log.clone();
                    async move {
                        let path = req.uri().path().to_string();
                        log.lock().unwrap().push(req.uri().to_string());
                        let name = path.rsplit('/').next().unwrap_or("").to_string();
                        let (status, body) = if path == "/_ping" {
                            (200, "OK".to_string())
                        } else if let Some(body) = answers(&path) {
                            (200, body.to_string())
                        } else {
                            (404, format!(r#"{{"message":"{name} not found"}}"#))
                        };
                        let resp = Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .header("api-version", "1.41")
                            .body(Full::new(bytes::Bytes::from(body)))
                            .unwrap();
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(conn), svc),
                );
            }
        });
        let endpoint =
            engine_api_rt::host::Endpoint::parse(&format!("unix://{}", sock.display()), false)
                .unwrap();
        let client = engine_api::ClientBuilder::endpoint(endpoint)
            .build()
            .unwrap();
        (client, seen)
    }

    const WEB: &str = r#"{"ID":"svc-web","Version":{"Index":7},"Spec":{"Name":"web","Labels":{"owner":"alice"},"TaskTemplate":{"ContainerSpec":{"Image":"mini"}}}}"#;
    const DB: &str = r#"{"ID":"svc-db","Spec":{"Name":"db","Labels":{"owner":"bob"}}}"#;

    /// Alice's service `web` and bob's `db`.
    fn services(path: &str) -> Option<&'static str> {
        if path.ends_with("/services/web") || path.ends_with("/services/svc-web") {
            Some(WEB)
        } else if path.ends_with("/services/db") || path.ends_with("/services/svc-db") {
            Some(DB)
        } else {
            None
        }
    }

    /// A scratch directory for a fake upstream's socket.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("engine-proxy-owner-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn services_are_scoped_like_containers() {
        let dir = scratch("svc");
        runtime().block_on(async {
            let (client, _) = recorded(&dir, services).await;
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
                br#"{"Name":"s","Labels":{"owner":"bob"},"TaskTemplate":{"ContainerSpec":{"Image":"mini","Labels":{"owner":"bob"}}}}"#,
            )
            .unwrap();
            owner().stamp(&mut t);
            let Typed::Service(spec) = t else { panic!() };
            assert_eq!(spec.labels.unwrap()["owner"], "alice");
            // Its task containers are alice's too, whatever it asked.
            let cs = spec.task_template.and_then(|t| t.container_spec).unwrap();
            assert_eq!(cs.labels.unwrap()["owner"], "alice");
        }
    }

    /// Alice's and bob's services, the tasks of each (and one of no
    /// service), and a secret and a config of each.
    fn swarm(path: &str) -> Option<&'static str> {
        let answers = [
            // The upstream would filter; answering both shows the proxy
            // checks the labels itself.
            (
                "/services",
                r#"[{"ID":"svc-web","Spec":{"Name":"web","Labels":{"owner":"alice"}}},{"ID":"svc-db","Spec":{"Name":"db","Labels":{"owner":"bob"}}}]"#,
            ),
            (
                "/tasks/t-web",
                r#"{"ID":"t-web-full","ServiceID":"svc-web"}"#,
            ),
            ("/tasks/t-db", r#"{"ID":"t-db","ServiceID":"svc-db"}"#),
            ("/tasks/t-orphan", r#"{"ID":"t-orphan"}"#),
            (
                "/secrets/sec-mine",
                r#"{"ID":"sec-mine","Spec":{"Name":"mine","Labels":{"owner":"alice"}}}"#,
            ),
            (
                "/secrets/sec-bob",
                r#"{"ID":"sec-bob","Spec":{"Name":"bob","Labels":{"owner":"bob"}}}"#,
            ),
            (
                "/configs/cfg-mine",
                r#"{"ID":"cfg-mine","Spec":{"Name":"mine","Labels":{"owner":"alice"}}}"#,
            ),
            (
                "/configs/cfg-bob",
                r#"{"ID":"cfg-bob","Spec":{"Name":"bob","Labels":{"owner":"bob"}}}"#,
            ),
        ];
        answers
            .iter()
            .find(|(p, _)| path.ends_with(p))
            .map(|(_, body)| *body)
            .or_else(|| services(path))
    }

    #[test]
    fn tasks_secrets_and_configs_are_scoped_like_services() {
        let dir = scratch("swarm");
        let routes = Routes::new();
        let alice = owner();
        runtime().block_on(async {
            let (client, seen) = recorded(&dir, swarm).await;
            let check = |method: &'static str, path: String| {
                let op = routes.identify(method, &path).unwrap();
                let client = &client;
                let alice = &alice;
                async move { alice.check(client, &op).await }
            };
            // A task is its service's owner's.
            for path in ["/v1.41/tasks/t-web", "/v1.41/tasks/t-web/logs"] {
                assert_eq!(
                    check("GET", path.into()).await.unwrap().as_deref(),
                    Some("t-web-full"),
                    "{path}"
                );
            }
            for name in ["t-db", "t-orphan", "t-nope"] {
                let e = check("GET", format!("/v1.41/tasks/{name}")).await.unwrap_err();
                assert_eq!((e.status, e.message), (404, format!("task {name} not found")));
            }
            // Secrets and configs by their spec's labels.
            for (kind, id) in [("secrets", "sec"), ("configs", "cfg")] {
                let noun = &kind[..kind.len() - 1];
                for (method, path) in [
                    ("GET", format!("/v1.41/{kind}/{id}-mine")),
                    ("POST", format!("/v1.41/{kind}/{id}-mine/update")),
                    ("DELETE", format!("/v1.41/{kind}/{id}-mine")),
                ] {
                    assert_eq!(
                        check(method, path.clone()).await.unwrap(),
                        Some(format!("{id}-mine")),
                        "{method} {path}"
                    );
                }
                for name in [format!("{id}-bob"), "nope".into()] {
                    for (method, path) in [
                        ("GET", format!("/v1.41/{kind}/{name}")),
                        ("POST", format!("/v1.41/{kind}/{name}/update")),
                        ("DELETE", format!("/v1.41/{kind}/{name}")),
                    ] {
                        let e = check(method, path.clone()).await.unwrap_err();
                        assert_eq!(
                            (e.status, e.message),
                            (404, format!("{noun} {name} not found")),
                            "{method} {path}"
                        );
                    }
                }
            }
            // A task list names alice's services by ID, whatever the
            // upstream's service list held; her own filters stay.
            let op = routes.identify("GET", "/v1.41/tasks").unwrap();
            let tasks = |query: String| {
                let (client, op, alice) = (&client, &op, &alice);
                async move { alice.scope_tasks(client, op, &query).await }
            };
            let sent = |scope: Option<TaskScope>| match scope {
                Some(TaskScope::Query(q)) => Query::parse(&q).filters("filters").unwrap().unwrap(),
                other => panic!("{other:?}"),
            };
            let f = sent(tasks(String::new()).await.unwrap());
            assert_eq!(f.get("service"), ["svc-web"]);
            let asked = |filters: &str| format!("filters={}", encode(filters));
            let f = sent(
                tasks(asked(r#"{"service":["web"],"desired-state":["running"]}"#))
                    .await
                    .unwrap(),
            );
            assert_eq!(f.get("service"), ["svc-web"]);
            assert_eq!(f.get("desired-state"), ["running"]);
            // An ID prefix names alice's service only.
            let f = sent(tasks(asked(r#"{"service":["svc-"]}"#)).await.unwrap());
            assert_eq!(f.get("service"), ["svc-web"]);
            for other in ["db", "svc-db", "nope"] {
                let q = asked(&format!(r#"{{"service":["web","{other}"]}}"#));
                let e = tasks(q).await.unwrap_err();
                assert_eq!((e.status, e.message), (404, format!("service {other} not found")));
            }
            // Every service list asked for alice's label.
            let lists: Vec<String> = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|u| u.contains("/services?"))
                .cloned()
                .collect();
            assert_eq!(lists.len(), 6, "{lists:?}");
            for u in &lists {
                let q = Query::parse(u.split_once('?').map(|(_, q)| q).unwrap_or(""));
                let f = q.filters("filters").unwrap().unwrap();
                assert_eq!(f.get("label"), ["owner=alice"], "{u}");
            }
            // Someone with no service gets an empty list without asking
            // for tasks.
            let carol = Owner {
                label: "owner".into(),
                identity: "carol".into(),
            };
            assert_eq!(
                carol.scope_tasks(&client, &op, "").await.unwrap(),
                Some(TaskScope::Empty)
            );
            assert!(!seen.lock().unwrap().iter().any(|u| u.contains("/tasks?")));
            // A service's tasks may get only alice's secrets and configs,
            // by ID and by name.
            let service = |refs: &str| {
                crate::typed::decode(
                    "ServiceCreate",
                    "",
                    format!(r#"{{"Name":"s","TaskTemplate":{{"ContainerSpec":{{"Image":"mini",{refs}}}}}}}"#)
                        .as_bytes(),
                )
                .unwrap()
            };
            let fine = service(
                r#""Secrets":[{"SecretID":"sec-mine","SecretName":"sec-mine"}],"Configs":[{"ConfigID":"cfg-mine"}]"#,
            );
            alice.check_references(&client, &fine).await.unwrap();
            // Its networks, either spelling, as a container's.
            let on = |nets: &str| {
                crate::typed::decode(
                    "ServiceUpdate",
                    "version=1",
                    format!(r#"{{"Name":"s","Networks":[{{"Target":"bridge"}}],"TaskTemplate":{{"Networks":[{nets}]}}}}"#)
                        .as_bytes(),
                )
                .unwrap()
            };
            alice.check_references(&client, &on("")).await.unwrap();
            let e = alice
                .check_references(&client, &on(r#"{"Target":"bobnet"}"#))
                .await
                .unwrap_err();
            assert_eq!(
                (e.status, e.message.as_str()),
                (403, "denied by owner scoping: TaskTemplate.Networks[0].Target names bobnet, which is not yours")
            );
            for (refs, want) in [
                (
                    r#""Secrets":[{"SecretID":"sec-mine"},{"SecretID":"sec-bob"}]"#,
                    "TaskTemplate.ContainerSpec.Secrets[1].SecretID names sec-bob",
                ),
                (
                    r#""Secrets":[{"SecretID":"sec-mine","SecretName":"sec-bob"}]"#,
                    "TaskTemplate.ContainerSpec.Secrets[0].SecretName names sec-bob",
                ),
                (
                    r#""Configs":[{"ConfigName":"nope"}]"#,
                    "TaskTemplate.ContainerSpec.Configs[0].ConfigName names nope",
                ),
                (
                    r#""Mounts":[{"Type":"bind","Source":"/srv"},{"Type":"volume","Source":"bobs","Target":"/v"}]"#,
                    "TaskTemplate.ContainerSpec.Mounts[1] names bobs",
                ),
            ] {
                let e = alice.check_references(&client, &service(refs)).await.unwrap_err();
                assert_eq!(e.status, 403, "{refs}");
                assert_eq!(
                    e.message,
                    format!("denied by owner scoping: {want}, which is not yours")
                );
            }
        });
        let _ = std::fs::remove_dir_all(&dir);
        // Secret and config lists carry the owner's label as a filter.
        for path in ["/v1.41/secrets", "/v1.41/configs"] {
            let op = routes.identify("GET", path).unwrap();
            let q = alice.scope_query(&op, "").unwrap().unwrap();
            let f = Query::parse(&q).filters("filters").unwrap().unwrap();
            assert_eq!(f.get("label"), ["owner=alice"], "{path}");
        }
        // New secrets and configs, and their new specs, are stamped.
        for op in [
            "SecretCreate",
            "SecretUpdate",
            "ConfigCreate",
            "ConfigUpdate",
        ] {
            let mut t =
                crate::typed::decode(op, "", br#"{"Name":"s","Labels":{"owner":"bob"}}"#).unwrap();
            alice.stamp(&mut t);
            let labels = match t {
                Typed::Secret(spec) => spec.labels,
                Typed::Config(spec) => spec.labels,
                other => panic!("{other:?}"),
            };
            assert_eq!(labels.unwrap()["owner"], "alice", "{op}");
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
