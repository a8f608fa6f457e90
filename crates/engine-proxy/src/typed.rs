//! The typed parts of a request that the policy reads: the generated body
//! types of the operations whose bodies carry privileges (container
//! create and update, exec create, volume and network create, a Swarm
//! service's, secret's and config's create and update: the labels owner
//! scoping stamps) and the images named in the query of a
//! pull, an import and a build. A body is decoded once, within the runtime's JSON limit; keys
//! the spec does not declare are dropped from the objects the policy
//! checks, and the upstream gets the typed value re-encoded, so it sees
//! exactly what was checked (Go's decoder matches keys without regard to
//! case: a `hostconfig` the proxy let through untouched would be read by
//! dockerd as `HostConfig`).

use bytes::Bytes;
use engine_api::types::{
    ConfigSpec, ContainerCreateBody, ContainerExecBody, ContainerUpdateBody, HostConfig, Mount,
    NetworkConnectBody, NetworkCreateBody, NetworkDisconnectBody, SecretSpec, ServiceSpec,
    VolumeCreateOptions,
};
use engine_api_rt::error::ApiError;
use engine_api_rt::query::Query;
use engine_api_rt::server::json::decode_json;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the policy can see of one request beyond its operation.
#[derive(Debug, Default)]
pub enum Typed {
    /// Nothing beyond the operation, its path and query.
    #[default]
    Plain,
    /// `ContainerCreate`'s body.
    ContainerCreate(Box<ContainerCreateBody>),
    /// `ContainerExec`'s body.
    ContainerExec(Box<ContainerExecBody>),
    /// `VolumeCreate`'s body.
    VolumeCreate(Box<VolumeCreateOptions>),
    /// `NetworkCreate`'s body.
    NetworkCreate(Box<NetworkCreateBody>),
    /// `NetworkConnect`'s body (the container it names).
    NetworkConnect(Box<NetworkConnectBody>),
    /// `NetworkDisconnect`'s body.
    NetworkDisconnect(Box<NetworkDisconnectBody>),
    /// `ImageCreate` pulling `fromImage` (with `tag` when given apart).
    ImagePull(String),
    /// `ImageCreate` importing into `repo` (with `tag` when given apart).
    ImageImport(String),
    /// `ImageBuild` tagging its image with each `t`.
    ImageBuild(Vec<String>),
    /// `ContainerUpdate`'s body.
    ContainerUpdate(Box<ContainerUpdateBody>),
    /// `ServiceCreate`'s or `ServiceUpdate`'s spec.
    Service(Box<ServiceSpec>),
    /// `SecretCreate`'s or `SecretUpdate`'s spec.
    Secret(Box<SecretSpec>),
    /// `ConfigCreate`'s or `ConfigUpdate`'s spec.
    Config(Box<ConfigSpec>),
}

/// Whether the policy needs `operation`'s JSON body decoded.
pub fn needs_body(operation: &str) -> bool {
    matches!(
        operation,
        "ContainerCreate"
            | "ContainerExec"
            | "VolumeCreate"
            | "NetworkCreate"
            | "NetworkConnect"
            | "NetworkDisconnect"
            | "ContainerUpdate"
            | "ServiceCreate"
            | "ServiceUpdate"
            | "SecretCreate"
            | "SecretUpdate"
            | "ConfigCreate"
            | "ConfigUpdate"
    )
}

/// The typed view of a request to `operation` with `query` and, when
/// [`needs_body`], its whole JSON `body`.
pub fn decode(operation: &str, query: &str, body: &[u8]) -> Result<Typed, ApiError> {
    Ok(match operation {
        "ContainerCreate" => {
            let mut b: ContainerCreateBody = json(body)?;
            b.rest = Default::default();
            if let Some(hc) = b.host_config.as_mut() {
                strip_host_config(hc);
            }
            if let Some(nc) = b.networking_config.as_mut() {
                nc.rest = Default::default();
            }
            Typed::ContainerCreate(Box::new(b))
        }
        "ContainerExec" => {
            let mut b: ContainerExecBody = json(body)?;
            b.rest = Default::default();
            Typed::ContainerExec(Box::new(b))
        }
        "VolumeCreate" => {
            let mut b: VolumeCreateOptions = json(body)?;
            b.rest = Default::default();
            Typed::VolumeCreate(Box::new(b))
        }
        "NetworkCreate" => {
            let mut b: NetworkCreateBody = json(body)?;
            b.rest = Default::default();
            Typed::NetworkCreate(Box::new(b))
        }
        "NetworkConnect" => {
            let mut b: NetworkConnectBody = json(body)?;
            b.rest = Default::default();
            Typed::NetworkConnect(Box::new(b))
        }
        "NetworkDisconnect" => {
            let mut b: NetworkDisconnectBody = json(body)?;
            b.rest = Default::default();
            Typed::NetworkDisconnect(Box::new(b))
        }
        "ContainerUpdate" => {
            let mut b: ContainerUpdateBody = json(body)?;
            b.rest = Default::default();
            if let Some(r) = b.restart_policy.as_mut() {
                r.rest = Default::default();
            }
            for d in b.devices.iter_mut().flatten() {
                d.rest = Default::default();
            }
            Typed::ContainerUpdate(Box::new(b))
        }
        "ServiceCreate" | "ServiceUpdate" => {
            let mut spec: ServiceSpec = json(body)?;
            strip_service(&mut spec);
            Typed::Service(Box::new(spec))
        }
        "SecretCreate" | "SecretUpdate" => {
            let mut spec: SecretSpec = json(body)?;
            spec.rest = Default::default();
            Typed::Secret(Box::new(spec))
        }
        "ConfigCreate" | "ConfigUpdate" => {
            let mut spec: ConfigSpec = json(body)?;
            spec.rest = Default::default();
            Typed::Config(Box::new(spec))
        }
        "ImageCreate" => {
            let q = Query::parse(query);
            let tagged = |image: String| match q.string("tag").filter(|t| !t.is_empty()) {
                // A digest or a tag given apart, as the docker CLI sends them.
                Some(tag) if tag.starts_with("sha256:") => format!("{image}@{tag}"),
                Some(tag) => format!("{image}:{tag}"),
                None => image,
            };
            match q.string("fromImage").filter(|s| !s.is_empty()) {
                Some(image) => Typed::ImagePull(tagged(image)),
                None => match q.string("repo").filter(|s| !s.is_empty()) {
                    Some(repo) => Typed::ImageImport(tagged(repo)),
                    None => Typed::Plain,
                },
            }
        }
        "ImageBuild" => {
            let q = Query::parse(query);
            let tags: Vec<String> = q
                .all("t")
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            if tags.is_empty() {
                Typed::Plain
            } else {
                Typed::ImageBuild(tags)
            }
        }
        _ => Typed::Plain,
    })
}

/// The body to send upstream: the typed value re-encoded, `None` when the
/// request's own bytes go unchanged.
pub fn encode(typed: &Typed) -> Result<Option<Bytes>, ApiError> {
    fn enc<T: Serialize>(v: &T) -> Result<Option<Bytes>, ApiError> {
        serde_json::to_vec(v)
            .map(|b| Some(Bytes::from(b)))
            .map_err(|e| ApiError {
                status: 500,
                message: format!("cannot encode the request body: {e}"),
            })
    }
    match typed {
        Typed::ContainerCreate(b) => enc(b),
        Typed::ContainerExec(b) => enc(b),
        Typed::VolumeCreate(b) => enc(b),
        Typed::NetworkCreate(b) => enc(b),
        Typed::NetworkConnect(b) => enc(b),
        Typed::NetworkDisconnect(b) => enc(b),
        Typed::ContainerUpdate(b) => enc(b),
        Typed::Service(b) => enc(b),
        Typed::Secret(b) => enc(b),
        Typed::Config(b) => enc(b),
        Typed::Plain | Typed::ImagePull(_) | Typed::ImageImport(_) | Typed::ImageBuild(_) => {
            Ok(None)
        }
    }
}

/// The undeclared keys of the objects the policy reads go: the device
/// and mount entries as well as the host configuration itself.
fn strip_host_config(hc: &mut HostConfig) {
    hc.rest = Default::default();
    strip_mounts(hc.mounts.as_deref_mut());
    for d in hc.devices.iter_mut().flatten() {
        d.rest = Default::default();
    }
    if let Some(r) = hc.restart_policy.as_mut() {
        r.rest = Default::default();
    }
}

/// A mount's undeclared keys go, with its volume options' and driver's.
fn strip_mounts(mounts: Option<&mut [Mount]>) {
    for m in mounts.into_iter().flatten() {
        m.rest = Default::default();
        if let Some(vo) = m.volume_options.as_mut() {
            vo.rest = Default::default();
            if let Some(dc) = vo.driver_config.as_mut() {
                dc.rest = Default::default();
            }
        }
    }
}

/// The service spec's undeclared keys go down to what the policy and
/// owner scoping read: the task template, its container spec with mounts,
/// privileges and the secrets and configs it names, and the network
/// attachments.
fn strip_service(spec: &mut ServiceSpec) {
    spec.rest = Default::default();
    for n in spec.networks.iter_mut().flatten() {
        n.rest = Default::default();
    }
    let Some(task) = spec.task_template.as_mut() else {
        return;
    };
    task.rest = Default::default();
    for n in task.networks.iter_mut().flatten() {
        n.rest = Default::default();
    }
    let Some(cs) = task.container_spec.as_mut() else {
        return;
    };
    cs.rest = Default::default();
    strip_mounts(cs.mounts.as_deref_mut());
    for s in cs.secrets.iter_mut().flatten() {
        s.rest = Default::default();
    }
    for c in cs.configs.iter_mut().flatten() {
        c.rest = Default::default();
    }
    if let Some(p) = cs.privileges.as_mut() {
        p.rest = Default::default();
        if let Some(c) = p.se_linux_context.as_mut() {
            c.rest = Default::default();
        }
    }
}

fn json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    decode_json(body).map_err(|e| ApiError {
        status: 400,
        message: format!("invalid JSON in the request body: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_keys_do_not_reach_the_upstream() {
        let body = br#"{"Image":"mini","hostconfig":{"Privileged":true},
            "HostConfig":{"privileged":true,"Mounts":[{"Type":"bind","source":"/"}]}}"#;
        let typed = decode("ContainerCreate", "", body).unwrap();
        let sent = encode(&typed).unwrap().unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"Image":"mini","HostConfig":{"Mounts":[{"Type":"bind"}]}})
        );
    }

    #[test]
    fn pulls_name_their_image() {
        let t = decode("ImageCreate", "fromImage=busybox&tag=1.36", b"").unwrap();
        assert!(matches!(t, Typed::ImagePull(ref i) if i == "busybox:1.36"));
        let t = decode("ImageCreate", "fromSrc=-", b"").unwrap();
        assert!(matches!(t, Typed::Plain));
        assert_eq!(decode("ContainerCreate", "", b"{").unwrap_err().status, 400);
        let t = decode("ImageCreate", "fromSrc=-&repo=me/app&tag=2", b"").unwrap();
        assert!(matches!(t, Typed::ImageImport(ref i) if i == "me/app:2"));
        let t = decode("ImageBuild", "t=a:1&t=b&q=1", b"").unwrap();
        assert!(matches!(t, Typed::ImageBuild(ref t) if t == &["a:1", "b"]));
        assert!(matches!(
            decode("ImageBuild", "q=1", b"").unwrap(),
            Typed::Plain
        ));
    }

    #[test]
    fn secret_config_and_service_references_lose_undeclared_keys() {
        // Go reads `labels` as `Labels` and takes the last: it must not
        // pass beside the stamped labels.
        for op in [
            "SecretCreate",
            "SecretUpdate",
            "ConfigCreate",
            "ConfigUpdate",
        ] {
            let body = br#"{"Name":"s","Data":"eA==","Labels":{"o":"a"},"labels":{"o":"b"}}"#;
            let sent = encode(&decode(op, "", body).unwrap()).unwrap().unwrap();
            let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
            assert_eq!(
                sent,
                serde_json::json!({"Name":"s","Data":"eA==","Labels":{"o":"a"}}),
                "{op}"
            );
        }
        let body = br#"{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"mini",
            "Secrets":[{"SecretID":"mine","secretid":"theirs"}],
            "Configs":[{"ConfigName":"c","configname":"theirs"}]}}}"#;
        let sent = encode(&decode("ServiceCreate", "", body).unwrap())
            .unwrap()
            .unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
        assert_eq!(
            sent["TaskTemplate"]["ContainerSpec"],
            serde_json::json!({"Image":"mini","Secrets":[{"SecretID":"mine"}],"Configs":[{"ConfigName":"c"}]})
        );
    }

    #[test]
    fn service_and_update_bodies_lose_undeclared_keys() {
        let body = br#"{"Name":"s","x":1,"TaskTemplate":{"y":2,"ContainerSpec":{"Image":"mini",
            "capabilityadd":["SYS_ADMIN"],"Mounts":[{"Type":"bind","Source":"/srv","z":3}]}}}"#;
        let sent = encode(&decode("ServiceCreate", "", body).unwrap())
            .unwrap()
            .unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"mini",
                "Mounts":[{"Type":"bind","Source":"/srv"}]}}})
        );
        let body = br#"{"Memory":1,"devicecgrouprules":["a *:* rwm"],"RestartPolicy":{"Name":"always","n":1}}"#;
        let sent = encode(&decode("ContainerUpdate", "", body).unwrap())
            .unwrap()
            .unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"Memory":1,"RestartPolicy":{"Name":"always"}})
        );
    }
}
