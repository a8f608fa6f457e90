//! The client's compatibility matrix: every operation of swagger.yaml's IR,
//! called once through the generated client against dockerd 20.10 (API
//! 1.41), podman 4.3's Docker-compatible API and engined, in one fixed
//! scenario (resources made before they are used, removed after).
//!
//! Each outcome is one cell: `ok`; `ok (differs: ...)` when the answer
//! decoded but strayed from the spec in a way the client tolerates (keys
//! the spec does not declare, kept; enum values it does not list, kept;
//! `null` where it promises a list or map, read as empty); `error <status>:
//! <first words>` when the daemon refused; `not tried (<why>)` for what
//! needs Swarm, plugins or a registry the test does not run. An answer the
//! client cannot decode fails the test: tolerant decoding is the point.
//!
//! The table goes to `docs/compatibility.md` and the per-daemon counts to
//! README's Compatibility section (between markers); the test fails when
//! either committed text differs from what it measured, unless
//! `UPDATE_MATRIX=1` (then it rewrites them). Skipped (with a notice)
//! without dockerd, podman, containers or root.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::ir::payload::{self, Payload};
use codegen::ir::{Api, Presence, TypeKind, TypeRef};
use engine_api::client::*;
use engine_api::rt::client::body;
use engine_api::types::*;
use engine_api::{Client, ClientError};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use serde_json::Value;
use test_support::backend::sample;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use test_support::podman::Podman;
use test_support::rootfs::busybox_rootfs_tar;
use test_support::scratch;
use test_support::skip::{can_run, Need};

/// How long one stream of the scenario may take to end.
const STREAM_LIMIT: Duration = Duration::from_secs(30);

/// The image every daemon loads (a busybox root as one layer).
const IMAGE: &str = "matrix:1";

/// Where the README's summary sits.
const BEGIN: &str = "<!-- compat-matrix:begin (written by the compat_matrix test) -->";
const END: &str = "<!-- compat-matrix:end -->";

/// Differences listed per kind in one cell before the rest is counted.
const SHOWN: usize = 3;

/// The outcomes of one daemon's run, by operationId.
struct Probe {
    daemon: &'static str,
    api: &'static Api,
    cells: BTreeMap<String, String>,
    /// Answers that did not decode: each fails the test.
    failures: Vec<String>,
}

impl Probe {
    fn new(daemon: &'static str) -> Probe {
        Probe {
            daemon,
            api: sample::api(),
            cells: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    fn set(&mut self, op: &str, cell: String) {
        assert!(
            sample::api()
                .operations
                .iter()
                .any(|o| o.operation_id == op),
            "{op} is not an operation of swagger.yaml"
        );
        let old = self.cells.insert(op.to_string(), cell);
        assert!(old.is_none(), "{op} was called twice on {}", self.daemon);
    }

    fn not_tried(&mut self, op: &str, why: &str) {
        self.set(op, format!("not tried ({why})"));
    }

    /// Records a call whose answer is no JSON (nothing, text, bytes, a
    /// hijacked stream); the value back when it succeeded.
    fn plain<T>(&mut self, op: &str, r: Result<T, ClientError>) -> Option<T> {
        match r {
            Ok(v) => {
                self.set(op, "ok".into());
                Some(v)
            }
            Err(e) => {
                let cell = self.error_cell(op, &e);
                self.set(op, cell);
                None
            }
        }
    }

    /// Records a call that answered JSON (one value, or a stream's items
    /// as a list): what the daemon sent is compared with the spec.
    fn json<T: Serialize>(&mut self, op: &str, r: Result<T, ClientError>) -> Option<T> {
        match r {
            Ok(v) => {
                let sent = serde_json::to_value(&v).unwrap();
                let notes = self.differences(op, &sent);
                self.set(op, notes.cell());
                Some(v)
            }
            Err(e) => {
                let cell = self.error_cell(op, &e);
                self.set(op, cell);
                None
            }
        }
    }

    /// A JSON stream: the call, then every item within [`STREAM_LIMIT`].
    async fn stream<T: Serialize>(
        &mut self,
        op: &str,
        r: Result<impl Stream<Item = Result<T, ClientError>> + Unpin, ClientError>,
    ) -> Option<Vec<T>> {
        let r = match r {
            Ok(s) => items(s).await,
            Err(e) => Err(e),
        };
        self.json(op, r)
    }

    fn error_cell(&mut self, op: &str, e: &ClientError) -> String {
        match e {
            ClientError::Api(api) => {
                format!("error {}: {}", api.status, first_words(&api.message))
            }
            ClientError::Reported(s) => format!("error in stream: {}", first_words(&s.to_string())),
            ClientError::Decode { .. } => {
                self.failures.push(format!("{}: {op}: {e}", self.daemon));
                format!("DECODE FAILURE: {}", first_words(&e.to_string()))
            }
            ClientError::Stream(m) if m.contains("decode") => {
                self.failures.push(format!("{}: {op}: {e}", self.daemon));
                format!("DECODE FAILURE: {}", first_words(m))
            }
            ClientError::NoUpgrade(status) => format!("error {status}: no upgrade"),
            ClientError::Timeout(_) => "error: no answer in time".into(),
            other => format!("error: {}", first_words(&other.to_string())),
        }
    }

    fn differences(&self, op: &str, sent: &Value) -> Notes {
        let mut notes = Notes::default();
        let Some(operation) = self.api.operations.iter().find(|o| o.operation_id == op) else {
            return notes;
        };
        match payload::success(operation) {
            Payload::Json(ty) => walk(self.api, &ty, sent, &ty_label(&ty), &mut notes),
            Payload::JsonStream(ty) => {
                for item in sent.as_array().into_iter().flatten() {
                    walk(self.api, &ty, item, &ty_label(&ty), &mut notes);
                }
            }
            _ => {}
        }
        notes
    }
}

/// What a decoded answer had that the spec does not say.
#[derive(Default)]
struct Notes {
    unknown_fields: BTreeSet<String>,
    unknown_values: BTreeSet<String>,
    null_lists: BTreeSet<String>,
}

impl Notes {
    fn cell(&self) -> String {
        let mut parts = Vec::new();
        let mut list = |what: &str, set: &BTreeSet<String>| {
            if set.is_empty() {
                return;
            }
            let mut shown: Vec<String> = set.iter().take(SHOWN).map(|s| format!("`{s}`")).collect();
            if set.len() > SHOWN {
                shown.push(format!("{} more", set.len() - SHOWN));
            }
            parts.push(format!("{what} {}", shown.join(", ")));
        };
        list("unknown fields kept:", &self.unknown_fields);
        list("unknown enum values kept:", &self.unknown_values);
        list("null read as empty:", &self.null_lists);
        if parts.is_empty() {
            "ok".into()
        } else {
            format!("ok (differs: {})", parts.join("; "))
        }
    }
}

fn ty_label(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        TypeRef::List(item) | TypeRef::Nullable(item) | TypeRef::Map(item) => ty_label(item),
        TypeRef::Scalar(_) => "value".into(),
    }
}

/// Compares `v`, as the daemon sent it (the decoded value encodes back to
/// it), with the type the spec gives it; `at` names where it is.
fn walk(api: &Api, ty: &TypeRef, v: &Value, at: &str, notes: &mut Notes) {
    match ty {
        TypeRef::Scalar(_) => {}
        TypeRef::Nullable(inner) => {
            if !v.is_null() {
                walk(api, inner, v, at, notes);
            }
        }
        TypeRef::List(item) => match v {
            Value::Array(items) => {
                for x in items {
                    walk(api, item, x, at, notes);
                }
            }
            Value::Null => {
                notes.null_lists.insert(at.to_string());
            }
            _ => {}
        },
        TypeRef::Map(value) => match v {
            Value::Object(map) => {
                for x in map.values() {
                    walk(api, value, x, at, notes);
                }
            }
            Value::Null => {
                notes.null_lists.insert(at.to_string());
            }
            _ => {}
        },
        TypeRef::Named(name) => {
            let Some(def) = api.type_named(name) else {
                return;
            };
            match &def.kind {
                TypeKind::Alias(inner) => walk(api, inner, v, at, notes),
                TypeKind::StringEnum(e) => {
                    if let Some(s) = v.as_str() {
                        if !e.variants.iter().any(|x| x.value == s) {
                            notes.unknown_values.insert(format!("{at}={s}"));
                        }
                    }
                }
                TypeKind::IntEnum(e) => {
                    if let Some(n) = v.as_i64() {
                        if !e.variants.iter().any(|x| x.value == n) {
                            notes.unknown_values.insert(format!("{at}={n}"));
                        }
                    }
                }
                TypeKind::Union(_) => {}
                TypeKind::Struct(s) => {
                    let Value::Object(map) = v else {
                        return;
                    };
                    for (key, x) in map {
                        let here = format!("{name}.{key}");
                        match s.fields.iter().find(|f| &f.wire == key) {
                            Some(f) => {
                                if x.is_null()
                                    && f.presence == Presence::RequiredNullable
                                    && f.ty.is_collection()
                                {
                                    // The spec says it may be null.
                                    continue;
                                }
                                walk(api, &f.ty, x, &here, notes);
                            }
                            None => match &s.extra {
                                Some(extra) => walk(api, &extra.value, x, &here, notes),
                                None => {
                                    notes.unknown_fields.insert(here);
                                }
                            },
                        }
                    }
                }
            }
        }
    }
}

/// The first words of a daemon's message, ids and numbers masked, so a
/// cell reads the same on every run.
fn first_words(message: &str) -> String {
    let words: Vec<String> = message
        .split_whitespace()
        .take(8)
        .map(|w| {
            let core = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let hexish = core.len() >= 10 && core.chars().all(|c| c.is_ascii_hexdigit());
            let numeric = !core.is_empty() && core.chars().all(|c| c.is_ascii_digit());
            if hexish {
                w.replace(core, "<id>")
            } else if numeric && core.len() > 3 {
                w.replace(core, "<n>")
            } else {
                w.to_string()
            }
        })
        .collect();
    let mut text = words.join(" ").replace('|', "\\|");
    if message.split_whitespace().count() > 8 {
        text.push_str(" ...");
    }
    text
}

async fn items<T>(
    mut s: impl Stream<Item = Result<T, ClientError>> + Unpin,
) -> Result<Vec<T>, ClientError> {
    let mut out = Vec::new();
    let read = async {
        while let Some(item) = s.next().await {
            out.push(item?);
        }
        Ok(())
    };
    match tokio::time::timeout(STREAM_LIMIT, read).await {
        Ok(r) => r.map(|()| out),
        Err(_) => Err(ClientError::Timeout(STREAM_LIMIT)),
    }
}

async fn all_bytes(s: engine_api::rt::client::ByteStream) -> Result<Vec<u8>, ClientError> {
    items(s).await.map(|chunks| chunks.concat())
}

fn container_body(cmd: &[&str], network: &str) -> ContainerCreateBody {
    ContainerCreateBody {
        image: Some(IMAGE.into()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        host_config: Some(HostConfig {
            network_mode: Some(network.into()),
            ulimits: Some(modest_limits()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Limits of open files and processes asked for explicitly (as `docker run
/// --ulimit` does): podman's defaults are the kernel's maximums, which the
/// runtime may not set where the test runs without CAP_SYS_RESOURCE.
fn modest_limits() -> Vec<ResourcesUlimitsItem> {
    ["nofile", "nproc"]
        .into_iter()
        .map(|name| ResourcesUlimitsItem {
            name: Some(name.into()),
            soft: Some(1024),
            hard: Some(1024),
            ..Default::default()
        })
        .collect()
}

fn named(name: &str) -> ContainerCreateParams {
    ContainerCreateParams {
        name: Some(name.into()),
        ..Default::default()
    }
}

/// One tar with one small file.
fn small_tar(name: &str, data: &[u8]) -> Vec<u8> {
    test_support::hostile::tar(|w| w.file(name, data))
}

/// The fixed scenario, against one daemon.
async fn scenario(p: &mut Probe, c: &Client, layer: &[u8], rootfs: &Path) {
    // The system.
    p.plain("SystemPing", c.system_ping().await);
    p.plain("SystemPingHead", c.system_ping_head().await);
    p.json("SystemVersion", c.system_version().await);
    p.json("SystemInfo", c.system_info().await);
    p.not_tried("SystemAuth", "needs a registry");

    // Images: load, import, look at, tag, save, build.
    let archive = test_support::hostile::saved_image(IMAGE, &[layer.to_vec()]);
    let r = c
        .image_load(Some(body::bytes(archive)), &Default::default())
        .await;
    p.stream("ImageLoad", r).await;
    let tar = tokio::fs::read(rootfs).await.unwrap();
    let r = c
        .image_create(
            Some(body::bytes(tar)),
            &ImageCreateParams {
                from_src: Some("-".into()),
                repo: Some("matrix-import".into()),
                tag: Some("1".into()),
                ..Default::default()
            },
        )
        .await;
    p.stream("ImageCreate", r).await;
    p.json("ImageList", c.image_list(&Default::default()).await);
    p.json("ImageInspect", c.image_inspect(IMAGE).await);
    p.json("ImageHistory", c.image_history(IMAGE).await);
    let tag = ImageTagParams {
        repo: Some("matrix".into()),
        tag: Some("2".into()),
    };
    p.plain("ImageTag", c.image_tag(IMAGE, &tag).await);
    let r = match c.image_get(IMAGE).await {
        Ok(s) => all_bytes(s).await,
        Err(e) => Err(e),
    };
    p.plain("ImageGet", r);
    let all = ImageGetAllParams {
        names: Some(vec![IMAGE.into()]),
    };
    let r = match c.image_get_all(&all).await {
        Ok(s) => all_bytes(s).await,
        Err(e) => Err(e),
    };
    p.plain("ImageGetAll", r);
    let context = small_tar(
        "Dockerfile",
        format!("FROM {IMAGE}\nLABEL matrix=built\n").as_bytes(),
    );
    let r = c
        .image_build(
            Some(body::bytes(context)),
            &ImageBuildParams {
                t: Some(vec!["matrix-built:1".into()]),
                ..Default::default()
            },
        )
        .await;
    p.stream("ImageBuild", r).await;
    p.not_tried("ImagePush", "needs a registry");
    p.not_tried("ImageSearch", "needs a registry");
    p.not_tried("DistributionInspect", "needs a registry");
    p.not_tried("Session", "needs a BuildKit session peer");

    // A container's life.
    let ctr = "matrix-ctr";
    let body = container_body(
        &[
            "sh",
            "-c",
            "echo to-stdout; echo to-stderr >&2; exec sleep 300",
        ],
        "none",
    );
    p.json(
        "ContainerCreate",
        c.container_create(&body, &named(ctr)).await,
    );
    p.plain(
        "ContainerStart",
        c.container_start(ctr, &Default::default()).await,
    );
    let all = ContainerListParams {
        all: Some(true),
        ..Default::default()
    };
    p.json("ContainerList", c.container_list(&all).await);
    p.json(
        "ContainerInspect",
        c.container_inspect(ctr, &Default::default()).await,
    );
    p.json(
        "ContainerTop",
        c.container_top(ctr, &Default::default()).await,
    );
    let logs = ContainerLogsParams {
        stdout: Some(true),
        stderr: Some(true),
        ..Default::default()
    };
    let r = match c.container_logs(ctr, &logs).await {
        Ok(s) => items(s).await,
        Err(e) => Err(e),
    };
    p.plain("ContainerLogs", r);
    p.json("ContainerChanges", c.container_changes(ctr).await);
    let r = match c.container_export(ctr).await {
        Ok(s) => all_bytes(s).await,
        Err(e) => Err(e),
    };
    p.plain("ContainerExport", r);
    let stats = ContainerStatsParams {
        stream: Some(false),
        ..Default::default()
    };
    let r = c.container_stats(ctr, &stats).await;
    p.stream("ContainerStats", r).await;
    let size = ContainerResizeParams {
        h: Some(40),
        w: Some(100),
    };
    p.plain("ContainerResize", c.container_resize(ctr, &size).await);
    let update = ContainerUpdateBody {
        cpu_shares: Some(512),
        ..Default::default()
    };
    p.json("ContainerUpdate", c.container_update(ctr, &update).await);
    p.plain("ContainerPause", c.container_pause(ctr).await);
    p.plain("ContainerUnpause", c.container_unpause(ctr).await);
    p.plain(
        "ContainerArchiveInfo",
        c.container_archive_info(ctr, "/etc/passwd").await,
    );
    let r = match c.container_archive(ctr, "/etc/passwd").await {
        Ok(s) => all_bytes(s).await,
        Err(e) => Err(e),
    };
    p.plain("ContainerArchive", r);
    let upload = small_tar("uploaded.txt", b"from the matrix\n");
    p.plain(
        "PutContainerArchive",
        c.put_container_archive(ctr, "/tmp", body::bytes(upload), &Default::default())
            .await,
    );
    let attach = ContainerAttachParams {
        stream: Some(true),
        stdout: Some(true),
        stderr: Some(true),
        ..Default::default()
    };
    // The upgrade is what is checked; the stream stays open (a sleep).
    p.plain("ContainerAttach", c.container_attach(ctr, &attach).await);
    let ws = ContainerAttachWebsocketParams {
        stream: Some(true),
        stdout: Some(true),
        ..Default::default()
    };
    p.plain(
        "ContainerAttachWebsocket",
        c.container_attach_websocket(ctr, &ws).await,
    );

    // Exec, as `docker exec -it` does it: a TTY, resized while it runs.
    let exec = ContainerExecBody {
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(true),
        cmd: Some(
            ["sh", "-c", "sleep 2; echo from-exec"]
                .map(String::from)
                .to_vec(),
        ),
        ..Default::default()
    };
    let id = p
        .json("ContainerExec", c.container_exec(ctr, &exec).await)
        .map(|r| r.id);
    match id {
        Some(id) => {
            let start = ExecStartBody {
                tty: Some(true),
                ..Default::default()
            };
            match p.plain("ExecStart", c.exec_start(&id, Some(&start)).await) {
                Some(attached) => {
                    let size = ExecResizeParams {
                        h: Some(40),
                        w: Some(100),
                    };
                    p.plain("ExecResize", c.exec_resize(&id, &size).await);
                    // The exec runs to its end before it is inspected.
                    let _ = items(attached.output).await;
                }
                None => p.not_tried("ExecResize", "ExecStart failed"),
            }
            p.json("ExecInspect", c.exec_inspect(&id).await);
        }
        None => {
            for op in ["ExecStart", "ExecInspect", "ExecResize"] {
                p.not_tried(op, "ContainerExec failed");
            }
        }
    }

    // Commit the running container into an image.
    let commit = ImageCommitParams {
        container: Some(ctr.into()),
        repo: Some("matrix-commit".into()),
        tag: Some("1".into()),
        ..Default::default()
    };
    // The docker CLI always sends a config; podman needs one.
    let config = ContainerConfig::default();
    p.json("ImageCommit", c.image_commit(Some(&config), &commit).await);

    // Stop, restart, rename, kill, wait.
    let stop = ContainerStopParams {
        t: Some(1),
        ..Default::default()
    };
    p.plain("ContainerStop", c.container_stop(ctr, &stop).await);
    let restart = ContainerRestartParams {
        t: Some(1),
        ..Default::default()
    };
    p.plain("ContainerRestart", c.container_restart(ctr, &restart).await);
    let renamed = "matrix-ctr-renamed";
    let ctr = match p.plain("ContainerRename", c.container_rename(ctr, renamed).await) {
        Some(()) => renamed,
        None => ctr,
    };
    let kill = ContainerKillParams {
        signal: Some("KILL".into()),
    };
    p.plain("ContainerKill", c.container_kill(ctr, &kill).await);
    let wait = ContainerWaitParams {
        condition: Some(ContainerWaitCondition::NotRunning),
    };
    p.json("ContainerWait", c.container_wait(ctr, &wait).await);

    // Networks: one internal network, a created (never started) container
    // on it, disconnected and connected again.
    let net = "matrix-net";
    let create = NetworkCreateBody {
        name: net.into(),
        driver: Some("bridge".into()),
        internal: Some(true),
        ..Default::default()
    };
    p.json("NetworkCreate", c.network_create(&create).await);
    p.json("NetworkList", c.network_list(&Default::default()).await);
    p.json(
        "NetworkInspect",
        c.network_inspect(net, &Default::default()).await,
    );
    let netc = "matrix-net-ctr";
    let made = c
        .container_create(&container_body(&["true"], net), &named(netc))
        .await
        .is_ok();
    let off = NetworkDisconnectBody {
        container: Some(netc.into()),
        ..Default::default()
    };
    p.plain("NetworkDisconnect", c.network_disconnect(net, &off).await);
    let on = NetworkConnectBody {
        container: Some(netc.into()),
        ..Default::default()
    };
    p.plain("NetworkConnect", c.network_connect(net, &on).await);
    let force = ContainerDeleteParams {
        force: Some(true),
        ..Default::default()
    };
    if made {
        let _ = c.container_delete(netc, &force).await;
    }
    p.plain("NetworkDelete", c.network_delete(net).await);
    p.json("NetworkPrune", c.network_prune(&Default::default()).await);

    // Volumes.
    let vol = "matrix-vol";
    let options = VolumeCreateOptions {
        name: Some(vol.into()),
        ..Default::default()
    };
    p.json("VolumeCreate", c.volume_create(&options).await);
    p.json("VolumeInspect", c.volume_inspect(vol).await);
    p.json("VolumeList", c.volume_list(&Default::default()).await);
    // Only cluster volumes can be updated: the refusal is the answer.
    p.plain("VolumeUpdate", c.volume_update(vol, 1, None).await);
    p.plain(
        "VolumeDelete",
        c.volume_delete(vol, &Default::default()).await,
    );
    p.json("VolumePrune", c.volume_prune(&Default::default()).await);

    // Events of the run so far (bounded by `until`, so the stream ends).
    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    let events = SystemEventsParams {
        since: Some("0".into()),
        until: Some(until.to_string()),
        ..Default::default()
    };
    let r = c.system_events(&events).await;
    p.stream("SystemEvents", r).await;
    p.json(
        "SystemDataUsage",
        c.system_data_usage(&Default::default()).await,
    );

    // Clean up: the container, the images, then the prunes.
    p.plain("ContainerDelete", c.container_delete(ctr, &force).await);
    p.json(
        "ContainerPrune",
        c.container_prune(&Default::default()).await,
    );
    for extra in [
        "matrix:2",
        "matrix-import:1",
        "matrix-built:1",
        "matrix-commit:1",
    ] {
        let _ = c.image_delete(extra, &Default::default()).await;
    }
    p.json(
        "ImageDelete",
        c.image_delete(IMAGE, &Default::default()).await,
    );
    p.json("ImagePrune", c.image_prune(&Default::default()).await);
    p.json("BuildPrune", c.build_prune(&Default::default()).await);

    // What needs no swarm, plugin or registry to ask.
    p.json("PluginList", c.plugin_list(&Default::default()).await);
    p.json("SwarmInspect", c.swarm_inspect().await);
    p.json("SwarmUnlockkey", c.swarm_unlockkey().await);
    p.json("NodeList", c.node_list(&Default::default()).await);
    p.json("ServiceList", c.service_list(&Default::default()).await);
    p.json("TaskList", c.task_list(&Default::default()).await);
    p.json("SecretList", c.secret_list(&Default::default()).await);
    p.json("ConfigList", c.config_list(&Default::default()).await);
}

/// What the scenario did not call: a reason per operation's tag.
fn untried_reason(tags: &[String]) -> &'static str {
    let tag = tags.first().map(String::as_str).unwrap_or("");
    match tag {
        "Plugin" => "needs a plugin from a registry",
        "Swarm" | "Node" | "Service" | "Task" | "Secret" | "Config" => "needs a swarm",
        _ => "not in the scenario yet",
    }
}

struct Column {
    title: &'static str,
    cells: BTreeMap<String, String>,
}

fn counts(column: &Column) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for cell in column.cells.values() {
        if cell == "ok" {
            c.0 += 1;
        } else if cell.starts_with("ok (") {
            c.1 += 1;
        } else if cell.starts_with("error") {
            c.2 += 1;
        } else {
            c.3 += 1;
        }
    }
    c
}

fn summary(columns: &[Column], total: usize) -> String {
    let mut out =
        String::from("| daemon | ok | ok (differs) | error | not tried |\n|---|---|---|---|---|\n");
    for col in columns {
        let (ok, differs, error, untried) = counts(col);
        out.push_str(&format!(
            "| {} | {ok} | {differs} | {error} | {untried} |\n",
            col.title
        ));
    }
    out.push_str(&format!(
        "\n{total} operations in swagger.yaml; the whole table, with what differs and \
         each error's first words, is in [docs/compatibility.md](docs/compatibility.md).\n"
    ));
    out
}

fn table(api: &Api, columns: &[Column]) -> String {
    let mut out = String::from(
        "# Compatibility matrix\n\n\
         Written by `cargo test -p test-support --test suite compat_matrix::` \
         (`UPDATE_MATRIX=1` to accept a change); do not edit by hand.\n\n\
         Every operation of swagger.yaml, called once through the generated client in \
         one fixed scenario against each daemon, with the API version the client \
         negotiated. `ok (differs: ...)`: the answer decoded, and what it had that the \
         spec does not say was tolerated (unknown fields and enum values kept, `null` \
         read as an empty list or map). `error <status>`: the daemon refused, with the \
         first words of its message. No answer may fail to decode.\n\n",
    );
    out.push_str("| operation |");
    for col in columns {
        out.push_str(&format!(" {} |", col.title));
    }
    out.push_str("\n|---|");
    for _ in columns {
        out.push_str("---|");
    }
    out.push('\n');
    let mut ops: Vec<_> = api.operations.iter().collect();
    ops.sort_by(|a, b| (a.tags.first(), &a.operation_id).cmp(&(b.tags.first(), &b.operation_id)));
    for op in ops {
        out.push_str(&format!(
            "| `{}` `{} {}` |",
            op.operation_id, op.method, op.path
        ));
        for col in columns {
            out.push_str(&format!(" {} |", col.cells[&op.operation_id]));
        }
        out.push('\n');
    }
    out
}

/// Compares the text of `name` (relative to the workspace `root`) with
/// `want`, or writes it under `UPDATE_MATRIX=1`; the mismatch, if any.
fn check_or_update(root: &Path, name: &str, want: &str) -> Option<String> {
    let path = root.join(name);
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have == want {
        return None;
    }
    if std::env::var_os("UPDATE_MATRIX").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, want).unwrap();
        eprintln!("matrix: rewrote {name}");
        return None;
    }
    let had: BTreeSet<&str> = have.lines().collect();
    let changed: Vec<&str> = want.lines().filter(|l| !had.contains(l)).collect();
    Some(format!(
        "{name} differs from what was measured (UPDATE_MATRIX=1 to accept); measured now:\n{}",
        changed.join("\n")
    ))
}

/// README with its summary between the markers replaced by `summary`.
fn readme_with(readme: &str, summary: &str) -> String {
    let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no compat-matrix markers");
    };
    format!("{}{BEGIN}\n{summary}{}", &readme[..b], &readme[e..])
}

fn client_for(socket: &Path) -> Client {
    Client::builder(engine_api::rt::host::Host::Unix(socket.to_path_buf()))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_against_the_three_daemons() {
    if !can_run(Need::Dockerd) || !can_run(Need::Podman) || !can_run(Need::Containers) {
        return;
    }
    let Some(engined) = Engined::start_named("compat-matrix") else {
        return;
    };
    let Some(dockerd) = Dockerd::start("compat-matrix") else {
        return;
    };
    let Some(podman) = Podman::start("mx") else {
        return;
    };
    let dir = scratch::fresh_dir("compat-matrix");
    let rootfs: PathBuf = busybox_rootfs_tar(&dir).expect("the busybox root tar");
    let layer = std::fs::read(&rootfs).unwrap();

    let engined_socket = engined.socket();
    let daemons: [(&'static str, &Path); 3] = [
        ("dockerd 20.10", dockerd.socket()),
        ("podman 4.3", podman.socket()),
        ("engined", &engined_socket),
    ];
    let mut probes = Vec::new();
    let mut runs = Vec::new();
    for (name, socket) in daemons {
        let client = client_for(socket);
        let layer = layer.clone();
        let rootfs = rootfs.clone();
        runs.push(tokio::spawn(async move {
            let version = client.api_version().await;
            let mut p = Probe::new(name);
            scenario(&mut p, &client, &layer, &rootfs).await;
            (p, version)
        }));
    }
    for run in runs {
        probes.push(run.await.unwrap());
    }
    scratch::remove_dir(&dir);

    let api = sample::api();
    let mut columns = Vec::new();
    let mut failures = Vec::new();
    for (mut p, version) in probes {
        for op in &api.operations {
            if !p.cells.contains_key(&op.operation_id) {
                let why = untried_reason(&op.tags);
                p.not_tried(&op.operation_id, why);
            }
        }
        let title = match version {
            Ok(v) => format!("{} (API {v})", p.daemon),
            Err(e) => panic!("{}: no API version: {e}", p.daemon),
        };
        for (op, cell) in &p.cells {
            eprintln!("matrix: {:<14} | {op:<26} | {cell}", p.daemon);
        }
        failures.extend(p.failures);
        columns.push(Column {
            title: Box::leak(title.into_boxed_str()),
            cells: p.cells,
        });
    }
    drop(podman);
    drop(dockerd);
    drop(engined);
    assert!(
        failures.is_empty(),
        "answers the client could not decode:\n{}",
        failures.join("\n")
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let summary = summary(&columns, api.operations.len());
    let mut stale = Vec::new();
    stale.extend(check_or_update(
        &root,
        "docs/compatibility.md",
        &table(api, &columns),
    ));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    stale.extend(check_or_update(
        &root,
        "README.md",
        &readme_with(&readme, &summary),
    ));
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
