//! The scenario: what the tool asks the daemon, in an order where each
//! operation finds what it needs (an image imported from a busybox tar,
//! containers, an exec, a volume, a network), then the removal of all of
//! it. Destructive calls touch only objects the tool created: deletes name
//! them, prunes filter on the `engine-conformance=1` label. Nothing leaves
//! the machine: registry operations name `localhost:1` (refused on
//! loopback), and swarm membership is never changed.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::driver::{Req, Upgrade};
use super::runner::{Runner, LABEL, LABEL_KEY};
use super::tars;

/// A registry address nothing listens on: refused on loopback.
const NO_REGISTRY: &str = "localhost:1";

/// A name no object has.
const NONE: &str = "engine-conformance-none";

fn labels() -> Value {
    json!({ LABEL_KEY: "1" })
}

fn label_filter() -> String {
    json!({ "label": [LABEL] }).to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Prunes only when the daemon's list honours the label filter: a daemon
/// that ignored it in a prune would remove what the tool did not create.
/// `list` is the list operation, `items` the pointer to its array.
async fn prune(
    r: &mut Runner<'_>,
    op: &'static str,
    list: &'static str,
    items: &str,
    filters: String,
) {
    let listed = r
        .call({
            let req = Req::new(list).query("filters", label_filter()).unrecorded();
            if list == "ContainerList" || list == "ImageList" {
                req.query("all", "1")
            } else {
                req
            }
        })
        .await;
    let honoured = listed.filter(|l| l.ok()).is_some_and(|l| {
        let array = l
            .values
            .first()
            .and_then(|v| v.pointer(items))
            .and_then(Value::as_array);
        array.is_some_and(|a| {
            a.iter().all(|item| {
                item.pointer(&format!("/Labels/{LABEL_KEY}"))
                    .and_then(Value::as_str)
                    == Some("1")
            })
        })
    });
    if honoured {
        r.call(Req::new(op).query("filters", filters)).await;
    } else {
        r.skip(
            op,
            format!("{list} with a label filter listed objects without the label, so a prune might remove what the tool did not create"),
        );
    }
}

/// The ids and names the steps share.
pub struct Scenario {
    /// Makes this run's names unique (`engine-conformance-<suffix>-main`).
    suffix: String,
    started: u64,
    image: Option<String>,
    /// The imported image's ID (for the report; it is removed by name).
    pub daemon_image_id: String,
    /// The daemon's version answer, briefly (`Docker Engine 20.10.24, API 1.41`).
    pub daemon: String,
    main: Option<String>,
    swarm_inactive: bool,
}

impl Scenario {
    pub fn new() -> Scenario {
        Scenario {
            suffix: format!("{}-{}", std::process::id(), now() % 100_000),
            started: now(),
            image: None,
            daemon_image_id: String::new(),
            daemon: String::new(),
            main: None,
            swarm_inactive: false,
        }
    }

    fn name(&self, what: &str) -> String {
        format!("{LABEL_KEY}-{}-{what}", self.suffix)
    }

    fn repo(&self, what: &str) -> String {
        format!("{LABEL_KEY}/{what}-{}", self.suffix)
    }

    /// Everything but the cleanup.
    pub async fn run(&mut self, r: &mut Runner<'_>) {
        self.system(r).await;
        self.images(r).await;
        self.containers(r).await;
        self.networks(r).await;
        self.volumes(r).await;
        self.container_ends(r).await;
        self.registry(r).await;
        self.plugins(r).await;
        self.swarm(r).await;
        self.system_late(r).await;
    }

    async fn system(&mut self, r: &mut Runner<'_>) {
        r.call(Req::new("SystemPing")).await;
        r.call(Req::new("SystemPingHead")).await;
        if let Some(v) = r.call(Req::new("SystemVersion")).await {
            let field = |k: &str| v.field(k).unwrap_or_else(|| "?".into());
            self.daemon = format!(
                "version {}, API {}, {}/{}",
                field("Version"),
                field("ApiVersion"),
                field("Os"),
                field("Arch")
            );
        }
        let info = r.call(Req::new("SystemInfo")).await;
        let state = info
            .as_ref()
            .and_then(|i| i.values.first())
            .and_then(|v| v.pointer("/Swarm/LocalNodeState"))
            .and_then(Value::as_str)
            .unwrap_or("inactive")
            .to_string();
        self.swarm_inactive = state.is_empty() || state == "inactive";
    }

    async fn images(&mut self, r: &mut Runner<'_>) {
        r.call(Req::new("ImageList")).await;
        let needs_image = [
            "ImageInspect",
            "ImageHistory",
            "ImageTag",
            "ImageGet",
            "ImageGetAll",
            "ImageLoad",
            "ImageDelete",
            "ImageBuild",
        ];
        let rootfs = match tars::rootfs() {
            Ok(t) => t,
            Err(e) => {
                r.skip("ImageCreate", format!("needs a root filesystem: {e}"));
                r.skip_all(&needs_image, &format!("needs an image: {e}"));
                return;
            }
        };
        let repo = self.repo("mini");
        let reference = format!("{repo}:latest");
        let import = |with_changes: bool| {
            let mut req = Req::new("ImageCreate")
                .query("fromSrc", "-")
                .query("repo", repo.clone())
                .query("tag", "latest");
            if with_changes {
                req = req
                    .query("changes", format!("LABEL {LABEL}"))
                    .query("changes", "CMD [\"sh\"]");
            }
            req.tar(rootfs.clone())
        };
        r.created.images.push(reference.clone());
        let mut imported = r.call(import(true)).await.is_some_and(|a| a.ok());
        if !imported {
            // A daemon that refuses `changes` still gets to import.
            imported = r.call(import(false)).await.is_some_and(|a| a.ok());
        }
        let inspect = r
            .call(Req::new("ImageInspect").path("name", reference.clone()))
            .await;
        let Some(id) = inspect
            .filter(|i| imported && i.ok())
            .and_then(|i| i.field("Id"))
        else {
            r.skip_all(
                &needs_image,
                "needs an image, and importing one (ImageCreate fromSrc) failed",
            );
            return;
        };
        self.daemon_image_id = id;
        self.image = Some(reference.clone());
        r.call(Req::new("ImageHistory").path("name", reference.clone()))
            .await;
        let by_ref = json!({ "reference": [repo] }).to_string();
        r.call(Req::new("ImageList").query("filters", by_ref)).await;
        let tagged = self.repo("tagged");
        r.created.images.push(format!("{tagged}:t1"));
        r.call(
            Req::new("ImageTag")
                .path("name", reference.clone())
                .query("repo", tagged.clone())
                .query("tag", "t1"),
        )
        .await;
        let saved = r
            .call(Req::new("ImageGet").path("name", reference.clone()))
            .await;
        r.call(Req::new("ImageGetAll").query("names", reference.clone()))
            .await;
        match saved.filter(|s| s.ok() && !s.body.is_empty()) {
            Some(s) => {
                r.call(Req::new("ImageLoad").query("quiet", "1").tar(s.body))
                    .await;
            }
            None => r.skip(
                "ImageLoad",
                "needs an image archive, and ImageGet gave none",
            ),
        }
        r.call(Req::new("ImageDelete").path("name", format!("{tagged}:t1")))
            .await;
        let built = format!("{}:latest", self.repo("built"));
        r.created.images.push(built.clone());
        let dockerfile = format!("FROM {reference}\nLABEL {LABEL}\n");
        match tars::single("Dockerfile", dockerfile.as_bytes()) {
            Ok(context) => {
                r.call(
                    Req::new("ImageBuild")
                        .query("t", built)
                        .query("labels", labels().to_string())
                        .query("rm", "1")
                        .query("forcerm", "1")
                        .tar(context),
                )
                .await;
            }
            Err(e) => r.skip("ImageBuild", format!("needs a build context: {e}")),
        }
        let by_id = json!({ "id": [NONE] }).to_string();
        r.call(Req::new("BuildPrune").query("filters", by_id)).await;
        let session = format!("{NONE}-{}", self.suffix);
        r.call(
            Req::new("Session")
                .header("X-Docker-Expose-Session-Uuid", session.clone())
                .header("X-Docker-Expose-Session-Name", "engine-conformance")
                .header("X-Docker-Expose-Session-Sharedkey", session)
                .upgrade(Upgrade::H2c),
        )
        .await;
    }

    async fn containers(&mut self, r: &mut Runner<'_>) {
        let list = || {
            Req::new("ContainerList")
                .query("all", "1")
                .query("filters", label_filter())
        };
        r.call(list()).await;
        let Some(image) = self.image.clone() else {
            r.skip_all(
                CONTAINER_OPS,
                "needs a container, and there is no image to create one from",
            );
            return;
        };
        let create = |name: String, cmd: Value| {
            Req::new("ContainerCreate")
                .query("name", name)
                .json(&json!({
                    "Image": image,
                    "Cmd": cmd,
                    "Labels": labels(),
                    "HostConfig": { "NetworkMode": "none" },
                }))
        };
        let main = r
            .call(create(self.name("main"), json!(["sleep", "300"])))
            .await;
        let Some(main) = main.filter(|m| m.ok()).and_then(|m| m.field("Id")) else {
            r.skip_all(
                CONTAINER_OPS,
                "needs a container, and ContainerCreate failed",
            );
            return;
        };
        r.created.containers.push(main.clone());
        self.main = Some(main.clone());
        let on = |op: &'static str| Req::new(op).path("id", main.clone());
        r.call(list()).await;
        r.call(on("ContainerStart")).await;
        r.call(on("ContainerInspect").query("size", "1")).await;
        r.call(on("ContainerTop")).await;
        r.call(on("ContainerChanges")).await;
        r.call(
            on("ContainerStats")
                .query("stream", "0")
                .query("one-shot", "1"),
        )
        .await;
        r.call(on("ContainerResize").query("h", "24").query("w", "80"))
            .await;
        r.call(on("ContainerUpdate").json(&json!({ "RestartPolicy": { "Name": "no" } })))
            .await;
        r.call(on("ContainerArchiveInfo").query("path", "/etc/passwd"))
            .await;
        r.call(on("ContainerArchive").query("path", "/etc/passwd"))
            .await;
        match tars::single("conformance.txt", b"engine-conformance\n") {
            Ok(t) => {
                r.call(on("PutContainerArchive").query("path", "/tmp").tar(t))
                    .await;
            }
            Err(e) => r.skip("PutContainerArchive", format!("needs a tar: {e}")),
        }
        r.call(on("ContainerExport").brief()).await;
        r.call(
            on("ContainerLogs")
                .query("follow", "1")
                .query("stdout", "1")
                .query("stderr", "1")
                .brief(),
        )
        .await;
        r.call(
            on("ContainerAttach")
                .query("stream", "1")
                .query("stdout", "1")
                .query("stderr", "1")
                .upgrade(Upgrade::Tcp),
        )
        .await;
        r.call(
            on("ContainerAttachWebsocket")
                .query("stream", "1")
                .query("stdout", "1")
                .upgrade(Upgrade::WebSocket),
        )
        .await;
        let exec = r
            .call(on("ContainerExec").json(&json!({
                "Cmd": ["echo", "engine-conformance"],
                "AttachStdout": true,
                "AttachStderr": true,
            })))
            .await;
        match exec.filter(|e| e.ok()).and_then(|e| e.field("Id")) {
            Some(exec) => {
                let e = |op: &'static str| Req::new(op).path("id", exec.clone());
                r.call(e("ExecInspect")).await;
                r.call(
                    e("ExecStart")
                        .json(&json!({ "Detach": false, "Tty": false }))
                        .upgrade(Upgrade::Tcp),
                )
                .await;
                r.call(e("ExecResize").query("h", "24").query("w", "80"))
                    .await;
            }
            None => r.skip_all(
                &["ExecInspect", "ExecStart", "ExecResize"],
                "needs an exec, and ContainerExec failed",
            ),
        }
        let committed = format!("{}:latest", self.repo("committed"));
        r.created.images.push(committed);
        r.call(
            Req::new("ImageCommit")
                .query("container", main.clone())
                .query("repo", self.repo("committed"))
                .query("tag", "latest")
                .json(&json!({ "Labels": labels() })),
        )
        .await;
        r.call(on("ContainerPause")).await;
        r.call(on("ContainerUnpause")).await;

        // A second container that ends on its own, for wait, logs, rename, delete.
        let script = json!(["sh", "-c", "echo out; echo err >&2; exit 3"]);
        let second = r.call(create(self.name("second"), script)).await;
        match second.filter(|s| s.ok()).and_then(|s| s.field("Id")) {
            Some(b) => {
                r.created.containers.push(b.clone());
                let on_b = |op: &'static str| Req::new(op).path("id", b.clone());
                r.call(on_b("ContainerStart")).await;
                r.call(on_b("ContainerWait").query("condition", "not-running"))
                    .await;
                r.call(
                    on_b("ContainerLogs")
                        .query("stdout", "1")
                        .query("stderr", "1")
                        .query("timestamps", "1"),
                )
                .await;
                r.call(on_b("ContainerRename").query("name", self.name("renamed")))
                    .await;
                r.call(on_b("ContainerDelete").query("v", "1")).await;
            }
            None => r.skip_all(
                &["ContainerWait", "ContainerRename", "ContainerDelete"],
                "needs a second container, and ContainerCreate failed",
            ),
        }
    }

    async fn networks(&mut self, r: &mut Runner<'_>) {
        r.call(Req::new("NetworkList")).await;
        let config = |name: String| {
            Req::new("NetworkCreate").json(&json!({
                "Name": name,
                "Labels": labels(),
                "Internal": true,
                "CheckDuplicate": true,
            }))
        };
        let created = r.call(config(self.name("net"))).await;
        let dependents = [
            "NetworkInspect",
            "NetworkConnect",
            "NetworkDisconnect",
            "NetworkDelete",
        ];
        let Some(id) = created
            .as_ref()
            .filter(|n| n.ok())
            .and_then(|n| n.field("Id"))
        else {
            let status = created.map_or("no answer".to_string(), |c| format!("HTTP {}", c.status));
            r.skip_all(
                &dependents,
                &format!("needs a network, and NetworkCreate answered {status}"),
            );
            prune(r, "NetworkPrune", "NetworkList", "", label_filter()).await;
            return;
        };
        r.created.networks.push(id.clone());
        let on = |op: &'static str| Req::new(op).path("id", id.clone());
        r.call(on("NetworkInspect")).await;
        // A container made on this network (one in `none` mode cannot join
        // others): disconnected, then connected again.
        let member = match self.image.clone() {
            Some(image) => r
                .call(
                    Req::new("ContainerCreate")
                        .query("name", self.name("member"))
                        .json(&json!({
                            "Image": image,
                            "Cmd": ["true"],
                            "Labels": labels(),
                            "HostConfig": { "NetworkMode": self.name("net") },
                        })),
                )
                .await
                .filter(|c| c.ok())
                .and_then(|c| c.field("Id")),
            None => None,
        };
        match member {
            Some(member) => {
                r.created.containers.push(member.clone());
                r.call(
                    on("NetworkDisconnect").json(&json!({ "Container": member, "Force": true })),
                )
                .await;
                r.call(on("NetworkConnect").json(&json!({ "Container": member })))
                    .await;
                r.call(
                    Req::new("ContainerDelete")
                        .path("id", member)
                        .query("force", "1")
                        .unrecorded(),
                )
                .await;
            }
            None => r.skip_all(
                &["NetworkConnect", "NetworkDisconnect"],
                "needs a container on the network, and creating one failed",
            ),
        }
        r.call(on("NetworkDelete")).await;
        // One more, for the prune to remove.
        if let Some(id) = r
            .call(config(self.name("net-pruned")))
            .await
            .filter(|n| n.ok())
            .and_then(|n| n.field("Id"))
        {
            r.created.networks.push(id);
        }
        prune(r, "NetworkPrune", "NetworkList", "", label_filter()).await;
    }

    async fn volumes(&mut self, r: &mut Runner<'_>) {
        let create = |name: String| {
            Req::new("VolumeCreate").json(&json!({ "Name": name, "Labels": labels() }))
        };
        let name = self.name("vol");
        r.created.volumes.push(name.clone());
        r.call(create(name.clone())).await;
        r.call(Req::new("VolumeList").query("filters", label_filter()))
            .await;
        let on = |op: &'static str| Req::new(op).path("name", name.clone());
        r.call(on("VolumeInspect")).await;
        r.call(
            on("VolumeUpdate")
                .query("version", "0")
                .json(&json!({ "Spec": { "Availability": "active" } })),
        )
        .await;
        r.call(on("VolumeDelete")).await;
        let pruned = self.name("vol-pruned");
        r.created.volumes.push(pruned.clone());
        r.call(create(pruned)).await;
        prune(r, "VolumePrune", "VolumeList", "/Volumes", label_filter()).await;
    }

    async fn container_ends(&mut self, r: &mut Runner<'_>) {
        let Some(main) = self.main.clone() else {
            prune(r, "ContainerPrune", "ContainerList", "", label_filter()).await;
            return;
        };
        let on = |op: &'static str| Req::new(op).path("id", main.clone());
        r.call(on("ContainerStop").query("t", "1")).await;
        r.call(on("ContainerRestart").query("t", "1")).await;
        r.call(on("ContainerKill").query("signal", "SIGKILL")).await;
        r.call(
            on("ContainerWait")
                .query("condition", "not-running")
                .unrecorded(),
        )
        .await;
        prune(r, "ContainerPrune", "ContainerList", "", label_filter()).await;
    }

    async fn registry(&mut self, r: &mut Runner<'_>) {
        let remote = format!("{NO_REGISTRY}/{LABEL_KEY}/none");
        r.call(
            Req::new("ImageCreate")
                .query("fromImage", remote.clone())
                .query("tag", "latest"),
        )
        .await;
        r.call(
            Req::new("ImageSearch")
                .query("term", remote.clone())
                .query("limit", "1"),
        )
        .await;
        r.call(Req::new("DistributionInspect").path("name", format!("{remote}:latest")))
            .await;
        r.call(Req::new("SystemAuth").json(&json!({
            "username": "engine-conformance",
            "password": "none",
            "serveraddress": NO_REGISTRY,
        })))
        .await;
        let auth = "e30"; // base64url of `{}`
        match self.image.clone() {
            Some(image) => {
                let push = format!("{NO_REGISTRY}/{}", self.repo("push"));
                r.created.images.push(format!("{push}:latest"));
                r.call(
                    Req::new("ImageTag")
                        .path("name", image)
                        .query("repo", push.clone())
                        .query("tag", "latest"),
                )
                .await;
                r.call(
                    Req::new("ImagePush")
                        .path("name", push)
                        .query("tag", "latest")
                        .header("X-Registry-Auth", auth),
                )
                .await;
            }
            None => r.skip("ImagePush", "needs an image to push"),
        }
        let dangling = json!({ "label": [LABEL], "dangling": ["true"] }).to_string();
        prune(r, "ImagePrune", "ImageList", "", dangling).await;
    }

    async fn plugins(&mut self, r: &mut Runner<'_>) {
        let remote = format!("{NO_REGISTRY}/{LABEL_KEY}/plugin:latest");
        let name = format!("{LABEL_KEY}/{NONE}-{}:latest", self.suffix);
        r.call(Req::new("PluginList")).await;
        r.call(Req::new("GetPluginPrivileges").query("remote", remote.clone()))
            .await;
        r.call(
            Req::new("PluginPull")
                .query("remote", remote.clone())
                .query("name", name.clone())
                .json(&json!([])),
        )
        .await;
        r.created.plugins.push(name.clone());
        match tars::single("README", b"no config.json: a daemon refuses this plugin\n") {
            Ok(t) => {
                r.call(Req::new("PluginCreate").query("name", name.clone()).tar(t))
                    .await;
            }
            Err(e) => r.skip("PluginCreate", format!("needs a tar: {e}")),
        }
        let on = |op: &'static str| Req::new(op).path("name", name.clone());
        r.call(on("PluginInspect")).await;
        r.call(on("PluginEnable").query("timeout", "1")).await;
        r.call(on("PluginDisable")).await;
        r.call(on("PluginSet").json(&json!(["DEBUG=1"]))).await;
        r.call(on("PluginUpgrade").query("remote", remote).json(&json!([])))
            .await;
        r.call(on("PluginPush")).await;
        r.call(on("PluginDelete")).await;
    }

    async fn swarm(&mut self, r: &mut Runner<'_>) {
        r.skip_all(
            &["SwarmInit", "SwarmJoin"],
            "would change the daemon's swarm membership; the tool never does",
        );
        // Reads of objects that do not exist change nothing, in a swarm or not.
        r.call(Req::new("SwarmInspect")).await;
        r.call(Req::new("SwarmUnlockkey")).await;
        for (list, inspect, logs) in [
            ("NodeList", Some("NodeInspect"), None),
            ("ServiceList", Some("ServiceInspect"), Some("ServiceLogs")),
            ("TaskList", Some("TaskInspect"), Some("TaskLogs")),
            ("SecretList", Some("SecretInspect"), None),
            ("ConfigList", Some("ConfigInspect"), None),
        ] {
            r.call(Req::new(list).query("filters", label_filter()))
                .await;
            if let Some(op) = inspect {
                r.call(Req::new(op).path("id", NONE)).await;
            }
            if let Some(op) = logs {
                r.call(Req::new(op).path("id", NONE).query("stdout", "1").brief())
                    .await;
            }
        }
        for op in [
            "NodeDelete",
            "ServiceDelete",
            "SecretDelete",
            "ConfigDelete",
        ] {
            r.call(Req::new(op).path("id", NONE)).await;
        }
        let writes = [
            "SwarmLeave",
            "SwarmUpdate",
            "SwarmUnlock",
            "NodeUpdate",
            "ServiceCreate",
            "ServiceUpdate",
            "SecretCreate",
            "SecretUpdate",
            "ConfigCreate",
            "ConfigUpdate",
        ];
        if !self.swarm_inactive {
            r.skip_all(
                &writes,
                "the daemon is in a swarm; the tool changes no swarm state",
            );
            return;
        }
        // Outside a swarm each of these is refused (503) and changes nothing.
        r.call(Req::new("SwarmLeave")).await;
        r.call(
            Req::new("SwarmUpdate")
                .query("version", "0")
                .json(&json!({})),
        )
        .await;
        r.call(Req::new("SwarmUnlock").json(&json!({ "UnlockKey": NONE })))
            .await;
        let spec = json!({ "Name": NONE, "Labels": labels() });
        for op in [
            "NodeUpdate",
            "ServiceUpdate",
            "SecretUpdate",
            "ConfigUpdate",
        ] {
            r.call(
                Req::new(op)
                    .path("id", NONE)
                    .query("version", "0")
                    .json(&spec),
            )
            .await;
        }
        let service = json!({
            "Name": NONE,
            "Labels": labels(),
            "TaskTemplate": { "ContainerSpec": { "Image": NONE } },
        });
        r.call(Req::new("ServiceCreate").json(&service)).await;
        let data = json!({ "Name": NONE, "Labels": labels(), "Data": "ZW5naW5lLWNvbmZvcm1hbmNl" });
        r.call(Req::new("SecretCreate").json(&data)).await;
        r.call(Req::new("ConfigCreate").json(&data)).await;
    }

    async fn system_late(&mut self, r: &mut Runner<'_>) {
        r.call(Req::new("SystemDataUsage")).await;
        r.call(
            Req::new("SystemEvents")
                .query("since", self.started.to_string())
                .query("until", now().to_string()),
        )
        .await;
    }

    /// Removes everything the scenario created (answers are not reported;
    /// a 404 for what a step already removed is fine).
    pub async fn cleanup(&mut self, r: &mut Runner<'_>) {
        for id in std::mem::take(&mut r.created.containers) {
            r.call(
                Req::new("ContainerDelete")
                    .path("id", id)
                    .query("force", "1")
                    .query("v", "1")
                    .unrecorded(),
            )
            .await;
        }
        for name in std::mem::take(&mut r.created.images) {
            r.call(
                Req::new("ImageDelete")
                    .path("name", name)
                    .query("force", "1")
                    .unrecorded(),
            )
            .await;
        }
        for name in std::mem::take(&mut r.created.volumes) {
            r.call(
                Req::new("VolumeDelete")
                    .path("name", name)
                    .query("force", "1")
                    .unrecorded(),
            )
            .await;
        }
        for id in std::mem::take(&mut r.created.networks) {
            r.call(Req::new("NetworkDelete").path("id", id).unrecorded())
                .await;
        }
        for name in std::mem::take(&mut r.created.plugins) {
            r.call(
                Req::new("PluginDelete")
                    .path("name", name)
                    .query("force", "1")
                    .unrecorded(),
            )
            .await;
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::new()
    }
}

/// The operations that need a container (skipped together without one).
const CONTAINER_OPS: &[&str] = &[
    "ContainerCreate",
    "ContainerStart",
    "ContainerInspect",
    "ContainerTop",
    "ContainerChanges",
    "ContainerStats",
    "ContainerResize",
    "ContainerUpdate",
    "ContainerArchiveInfo",
    "ContainerArchive",
    "PutContainerArchive",
    "ContainerExport",
    "ContainerLogs",
    "ContainerAttach",
    "ContainerAttachWebsocket",
    "ContainerExec",
    "ExecInspect",
    "ExecStart",
    "ExecResize",
    "ImageCommit",
    "ContainerPause",
    "ContainerUnpause",
    "ContainerWait",
    "ContainerRename",
    "ContainerDelete",
    "ContainerStop",
    "ContainerRestart",
    "ContainerKill",
];
