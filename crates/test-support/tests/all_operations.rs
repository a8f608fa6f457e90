//! Every operation of the spec, end to end: the generated client calls
//! every operation of swagger.yaml's IR (their number comes from the spec)
//! over a unix socket against the generated server, served
//! by a test backend (`test_support::backend`) that implements every
//! handler with fixed typed data derived from the spec. For each call the
//! test checks
//! - the request: the typed request the handler received equals the one
//!   built here from what the client was given (every path, query, header
//!   and body parameter set, so every parameter crosses the wire), and a
//!   streamed request body arrives byte for byte;
//! - the answer: its status is the documented success status (101 for
//!   hijacks), its content type fits the operation's payload, Docker's
//!   headers are there, and the value the client decoded equals the typed
//!   value the backend answered (JSON values, JSON streams, tar bytes,
//!   demultiplexed log frames, echoed hijacked streams, typed headers).
//!
//! Omissions fail: the set of operations checked here and the set the
//! backend saw must both equal the operations of swagger.yaml's IR, so an
//! operation added to the spec fails this test until it is called here.
//! A second test drives the error paths: handler errors and typed error
//! variants decode into the client's typed errors (`is_not_found()`...).

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::PathBuf;
use std::time::Duration;

use codegen::ir::payload::{self, Payload};
use engine_api::client::*;
use engine_api::rt::body;
use engine_api::rt::client::{Attached, Filters, LogOutput, LogStream};
use engine_api::rt::mux::StreamKind;
use engine_api::rt::server::BodyStream;
use engine_api::rt::version::ApiVersion;
use engine_api::server as srv;
use engine_api::types::*;
use engine_api::{Client, ClientError};
use futures_util::{Stream, TryStreamExt};
use serde_json::Value;
use test_support::backend::sample::{self, answer, chunks, request_body, stream_items};
use test_support::backend::{self, greeting, log_frames, server_info, Served};
use tokio::io::AsyncWriteExt;

/// The version every call is made with (the client pins it).
const V: ApiVersion = ApiVersion::CURRENT;

fn socket(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("all_operations");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.sock"))
}

async fn start(name: &str) -> (Served, Client) {
    let served = Served::start(socket(name)).await.unwrap();
    let client = Client::builder(engine_api::rt::host::Host::Unix(served.socket.clone()))
        .version(V)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    (served, client)
}

fn filters() -> Filters {
    Filters::default()
        .with("label", "tier=web")
        .with("label", "env=prod")
        .with("status", "running")
}

fn auth() -> AuthConfig {
    AuthConfig {
        username: Some("deployer".into()),
        password: Some("s3cret/+?=".into()),
        serveraddress: Some("registry.local:5000".into()),
        ..Default::default()
    }
}

/// A stand-in tar archive for request bodies.
fn tar_in(op: &str) -> Vec<u8> {
    let mut data = format!("{op} upload|").into_bytes();
    data.extend((0..150_000u32).map(|i| (i % 241) as u8));
    data
}

async fn collect<T, S>(s: S) -> Vec<T>
where
    S: Stream<Item = Result<T, ClientError>>,
{
    tokio::time::timeout(Duration::from_secs(20), s.try_collect())
        .await
        .expect("the stream ends")
        .expect("the stream is well-formed")
}

async fn bytes_of(s: engine_api::rt::client::ByteStream) -> Vec<u8> {
    collect(s).await.concat()
}

/// The log answer as the backend wrote it, as the client should read it.
fn expected_logs(op: &str) -> Vec<LogOutput> {
    log_frames(op)
        .into_iter()
        .map(|f| match f.stream {
            StreamKind::Stdout => LogOutput::Stdout(f.data),
            StreamKind::Stderr => LogOutput::Stderr(f.data),
            StreamKind::Stdin => LogOutput::Stdin(f.data),
        })
        .collect()
}

async fn logs(s: LogStream) -> Vec<LogOutput> {
    collect(s).await
}

/// Writes `input` to a hijacked connection, closes stdin, and returns what
/// came out: all stdout text when `framed`, else all console text.
async fn converse(mut attached: Attached, input: &str, framed: bool) -> String {
    attached.input.write_all(input.as_bytes()).await.unwrap();
    attached.input.shutdown().await.unwrap();
    let out = collect(attached.output).await;
    out.iter()
        .map(|o| {
            match (framed, o) {
                (true, LogOutput::Stdout(_)) | (false, LogOutput::Console(_)) => {}
                _ => panic!("unexpected output item {o:?} (framed: {framed})"),
            }
            o.text()
        })
        .collect()
}

/// The calls made so far and what they must have looked like.
struct Check {
    served: Served,
    checked: BTreeSet<String>,
}

impl Check {
    /// Operation `op` was called once since the last check: the handler
    /// received `expected`, and the answer had the documented status, a
    /// fitting content type and Docker's headers.
    fn saw(&mut self, op: &str, expected: impl Debug) {
        let log = &self.served.log;
        let requests = log.requests(op);
        assert_eq!(
            requests.last().map(String::as_str),
            Some(format!("{expected:?}").as_str()),
            "{op}: the request the handler received"
        );
        let answers = log.take_answers();
        assert_eq!(answers.len(), 1, "{op}: one answer expected: {answers:?}");
        let a = &answers[0];
        let ir = sample::operation(op);
        assert_eq!(a.method, ir.method, "{op}");
        let success = payload::success(ir);
        let documented = ir.responses.iter().find_map(|r| {
            r.status
                .parse::<u16>()
                .ok()
                .filter(|s| (200..300).contains(s))
        });
        let status = match (&success, documented) {
            (Payload::Hijack | Payload::WebSocket, _) => 101,
            // A body cannot travel with 204: such answers go out as 200.
            (Payload::Empty, Some(code)) => code,
            (_, Some(204)) => 200,
            (_, code) => code.unwrap_or(200),
        };
        assert_eq!(a.status, status, "{op}: status");
        let header = |name: &str| {
            a.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let info = server_info();
        assert_eq!(header("api-version"), "1.44", "{op}");
        assert_eq!(header("server"), info.server, "{op}");
        assert_eq!(header("ostype"), info.os_type, "{op}");
        assert_eq!(header("docker-experimental"), "true", "{op}");
        let ct = header("content-type");
        match success {
            Payload::Json(_) | Payload::JsonStream(_) if a.status != 204 => {
                assert_eq!(ct, "application/json", "{op}: content type")
            }
            Payload::Text if a.method == "GET" => {
                assert!(ct.starts_with("text/plain"), "{op}: content type {ct}")
            }
            Payload::Bytes => {
                let listed = ir
                    .responses
                    .iter()
                    .find(|r| r.status.parse::<u16>().ok() == documented)
                    .map(|r| r.content_types.clone())
                    .unwrap_or_default();
                let fits = listed.contains(&ct)
                    || (listed.is_empty()
                        && ["application/x-tar", "application/octet-stream"].contains(&&*ct));
                assert!(fits, "{op}: content type {ct} (spec lists {listed:?})");
            }
            Payload::Multiplexed => assert_eq!(
                ct, "application/vnd.docker.multiplexed-stream",
                "{op}: content type"
            ),
            Payload::Hijack => {
                assert_eq!(header("upgrade"), "tcp", "{op}");
                assert!(
                    ct.starts_with("application/vnd.docker."),
                    "{op}: content type {ct}"
                );
            }
            Payload::WebSocket => {
                assert_eq!(header("upgrade"), "websocket", "{op}");
                assert!(!header("sec-websocket-accept").is_empty(), "{op}");
            }
            _ => {}
        }
        assert!(self.checked.insert(op.to_string()), "{op} checked twice");
    }

    /// The streamed request body `op` received.
    fn body(&self, op: &str) -> Vec<u8> {
        self.served
            .log
            .body(op)
            .unwrap_or_else(|| panic!("{op}: no body recorded"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_calls_every_operation_of_the_spec() {
    let (served, c) = start("every").await;
    let mut t = Check {
        served,
        checked: BTreeSet::new(),
    };

    // --- Config ----------------------------------------------------------
    let got = c
        .config_list(&ConfigListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Config>>("ConfigList"));
    t.saw(
        "ConfigList",
        srv::ConfigListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let spec: ConfigSpec = request_body("ConfigCreate");
    let got = c.config_create(Some(&spec)).await.unwrap();
    assert_eq!(got, answer::<IdResponse>("ConfigCreate"));
    t.saw(
        "ConfigCreate",
        srv::ConfigCreateRequest {
            api_version: V,
            body: Some(spec.clone()),
        },
    );

    let got = c.config_inspect("cfg 1").await.unwrap();
    assert_eq!(got, answer::<Config>("ConfigInspect"));
    t.saw(
        "ConfigInspect",
        srv::ConfigInspectRequest {
            api_version: V,
            id: "cfg 1".into(),
        },
    );

    c.config_delete("cfg1").await.unwrap();
    t.saw(
        "ConfigDelete",
        srv::ConfigDeleteRequest {
            api_version: V,
            id: "cfg1".into(),
        },
    );

    c.config_update("cfg1", 17, Some(&spec)).await.unwrap();
    t.saw(
        "ConfigUpdate",
        srv::ConfigUpdateRequest {
            api_version: V,
            id: "cfg1".into(),
            version: 17,
            body: Some(spec),
        },
    );

    // --- Container -------------------------------------------------------
    let got = c
        .container_list(&ContainerListParams {
            all: Some(true),
            limit: Some(3),
            size: Some(true),
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<ContainerSummary>>("ContainerList"));
    t.saw(
        "ContainerList",
        srv::ContainerListRequest {
            api_version: V,
            all: true,
            limit: Some(3),
            size: true,
            filters: Some(filters()),
        },
    );

    let create: ContainerCreateBody = request_body("ContainerCreate");
    let got = c
        .container_create(
            &create,
            &ContainerCreateParams {
                name: Some("web-1".into()),
                platform: Some("linux/arm64/v8".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<ContainerCreateResponse>("ContainerCreate"));
    t.saw(
        "ContainerCreate",
        srv::ContainerCreateRequest {
            api_version: V,
            name: Some("web-1".into()),
            platform: "linux/arm64/v8".into(),
            body: create,
        },
    );

    let got = c
        .container_inspect("web 1", &ContainerInspectParams { size: Some(true) })
        .await
        .unwrap();
    assert_eq!(got, answer::<ContainerInspectResponse>("ContainerInspect"));
    t.saw(
        "ContainerInspect",
        srv::ContainerInspectRequest {
            api_version: V,
            id: "web 1".into(),
            size: true,
        },
    );

    let got = c
        .container_top(
            "web1",
            &ContainerTopParams {
                ps_args: Some("-o pid,comm".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<ContainerTopResponse>("ContainerTop"));
    t.saw(
        "ContainerTop",
        srv::ContainerTopRequest {
            api_version: V,
            id: "web1".into(),
            ps_args: "-o pid,comm".into(),
        },
    );

    let got = c
        .container_logs(
            "web1",
            &ContainerLogsParams {
                follow: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                since: Some("1700000000.5".into()),
                until: Some("1800000000".into()),
                timestamps: Some(true),
                tail: Some("25".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(logs(got).await, expected_logs("ContainerLogs"));
    t.saw(
        "ContainerLogs",
        srv::ContainerLogsRequest {
            api_version: V,
            id: "web1".into(),
            follow: true,
            stdout: true,
            stderr: true,
            since: Some("1700000000.5".into()),
            until: Some("1800000000".into()),
            timestamps: true,
            tail: "25".into(),
        },
    );

    let got = c.container_changes("web1").await.unwrap();
    assert_eq!(got, answer::<Vec<FilesystemChange>>("ContainerChanges"));
    t.saw(
        "ContainerChanges",
        srv::ContainerChangesRequest {
            api_version: V,
            id: "web1".into(),
        },
    );

    let got = c.container_export("web1").await.unwrap();
    assert_eq!(bytes_of(got).await, chunks("ContainerExport").concat());
    t.saw(
        "ContainerExport",
        srv::ContainerExportRequest {
            api_version: V,
            id: "web1".into(),
        },
    );

    let got = c
        .container_stats(
            "web1",
            &ContainerStatsParams {
                stream: Some(false),
                one_shot: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        collect(got).await,
        stream_items::<ContainerStatsResponse>("ContainerStats")
    );
    t.saw(
        "ContainerStats",
        srv::ContainerStatsRequest {
            api_version: V,
            id: "web1".into(),
            stream: false,
            one_shot: true,
        },
    );

    c.container_resize(
        "web1",
        &ContainerResizeParams {
            h: Some(40),
            w: Some(120),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerResize",
        srv::ContainerResizeRequest {
            api_version: V,
            id: "web1".into(),
            h: Some(40),
            w: Some(120),
        },
    );

    c.container_start(
        "web1",
        &ContainerStartParams {
            detach_keys: Some("ctrl-p,ctrl-q".into()),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerStart",
        srv::ContainerStartRequest {
            api_version: V,
            id: "web1".into(),
            detach_keys: Some("ctrl-p,ctrl-q".into()),
        },
    );

    c.container_stop(
        "web1",
        &ContainerStopParams {
            signal: Some("SIGINT".into()),
            t: Some(5),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerStop",
        srv::ContainerStopRequest {
            api_version: V,
            id: "web1".into(),
            signal: Some("SIGINT".into()),
            t: Some(5),
        },
    );

    c.container_restart(
        "web1",
        &ContainerRestartParams {
            signal: Some("SIGTERM".into()),
            t: Some(-1),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerRestart",
        srv::ContainerRestartRequest {
            api_version: V,
            id: "web1".into(),
            signal: Some("SIGTERM".into()),
            t: Some(-1),
        },
    );

    c.container_kill(
        "web1",
        &ContainerKillParams {
            signal: Some("SIGHUP".into()),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerKill",
        srv::ContainerKillRequest {
            api_version: V,
            id: "web1".into(),
            signal: "SIGHUP".into(),
        },
    );

    let update: ContainerUpdateBody = request_body("ContainerUpdate");
    let got = c.container_update("web1", &update).await.unwrap();
    assert_eq!(got, answer::<ContainerUpdateResponse>("ContainerUpdate"));
    t.saw(
        "ContainerUpdate",
        srv::ContainerUpdateRequest {
            api_version: V,
            id: "web1".into(),
            body: update,
        },
    );

    c.container_rename("web1", "web 2&x=y").await.unwrap();
    t.saw(
        "ContainerRename",
        srv::ContainerRenameRequest {
            api_version: V,
            id: "web1".into(),
            name: "web 2&x=y".into(),
        },
    );

    c.container_pause("web1").await.unwrap();
    t.saw(
        "ContainerPause",
        srv::ContainerPauseRequest {
            api_version: V,
            id: "web1".into(),
        },
    );

    c.container_unpause("web1").await.unwrap();
    t.saw(
        "ContainerUnpause",
        srv::ContainerUnpauseRequest {
            api_version: V,
            id: "web1".into(),
        },
    );

    let attached = c
        .container_attach(
            "web1",
            &ContainerAttachParams {
                detach_keys: Some("ctrl-x".into()),
                logs: Some(true),
                stream: Some(true),
                stdin: Some(true),
                stdout: Some(true),
                stderr: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        converse(attached, "typed into stdin\n", true).await,
        format!("{}typed into stdin\n", greeting("ContainerAttach"))
    );
    t.saw(
        "ContainerAttach",
        srv::ContainerAttachRequest {
            api_version: V,
            id: "web1".into(),
            detach_keys: Some("ctrl-x".into()),
            logs: true,
            stream: true,
            stdin: true,
            stdout: true,
            stderr: true,
        },
    );

    let attached = c
        .container_attach_websocket(
            "web1",
            &ContainerAttachWebsocketParams {
                detach_keys: Some("ctrl-y".into()),
                logs: Some(true),
                stream: Some(true),
                stdin: Some(true),
                stdout: Some(true),
                stderr: Some(true),
            },
        )
        .await
        .unwrap();
    // Over WebSocket messages, unframed.
    assert_eq!(
        converse(attached, "typed into a websocket\n", false).await,
        format!(
            "{}typed into a websocket\n",
            greeting("ContainerAttachWebsocket")
        )
    );
    t.saw(
        "ContainerAttachWebsocket",
        srv::ContainerAttachWebsocketRequest {
            api_version: V,
            id: "web1".into(),
            detach_keys: Some("ctrl-y".into()),
            logs: true,
            stream: true,
            stdin: true,
            stdout: true,
            stderr: true,
        },
    );

    let got = c
        .container_wait(
            "web1",
            &ContainerWaitParams {
                condition: Some(ContainerWaitCondition::NextExit),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<ContainerWaitResponse>("ContainerWait"));
    t.saw(
        "ContainerWait",
        srv::ContainerWaitRequest {
            api_version: V,
            id: "web1".into(),
            condition: ContainerWaitCondition::NextExit,
        },
    );

    c.container_delete(
        "web1",
        &ContainerDeleteParams {
            v: Some(true),
            force: Some(true),
            link: Some(true),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ContainerDelete",
        srv::ContainerDeleteRequest {
            api_version: V,
            id: "web1".into(),
            v: true,
            force: true,
            link: true,
        },
    );

    let got = c.container_archive("web1", "/etc/my conf").await.unwrap();
    assert_eq!(bytes_of(got).await, chunks("ContainerArchive").concat());
    t.saw(
        "ContainerArchive",
        srv::ContainerArchiveRequest {
            api_version: V,
            id: "web1".into(),
            path: "/etc/my conf".into(),
        },
    );

    c.put_container_archive(
        "web1",
        "/srv",
        body::bytes(tar_in("PutContainerArchive")),
        &PutContainerArchiveParams {
            no_overwrite_dir_non_dir: Some("true".into()),
            copy_uidgid: Some("1".into()),
        },
    )
    .await
    .unwrap();
    t.saw(
        "PutContainerArchive",
        srv::PutContainerArchiveRequest {
            api_version: V,
            id: "web1".into(),
            path: "/srv".into(),
            no_overwrite_dir_non_dir: Some("true".into()),
            copy_uidgid: Some("1".into()),
            body: BodyStream::empty(),
        },
    );
    assert_eq!(t.body("PutContainerArchive"), tar_in("PutContainerArchive"));

    let got = c.container_archive_info("web1", "/etc").await.unwrap();
    assert_eq!(
        got.x_docker_container_path_stat.as_deref(),
        Some(backend::PATH_STAT)
    );
    t.saw(
        "ContainerArchiveInfo",
        srv::ContainerArchiveInfoRequest {
            api_version: V,
            id: "web1".into(),
            path: "/etc".into(),
        },
    );

    let got = c
        .container_prune(&ContainerPruneParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<ContainerPruneResponse>("ContainerPrune"));
    t.saw(
        "ContainerPrune",
        srv::ContainerPruneRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    // --- Distribution ----------------------------------------------------
    let got = c
        .distribution_inspect("registry.local:5000/team/app:v1")
        .await
        .unwrap();
    assert_eq!(got, answer::<DistributionInspect>("DistributionInspect"));
    t.saw(
        "DistributionInspect",
        srv::DistributionInspectRequest {
            api_version: V,
            name: "registry.local:5000/team/app:v1".into(),
        },
    );

    // --- Exec ------------------------------------------------------------
    let exec: ContainerExecBody = request_body("ContainerExec");
    let got = c.container_exec("web1", &exec).await.unwrap();
    assert_eq!(got, answer::<IdResponse>("ContainerExec"));
    t.saw(
        "ContainerExec",
        srv::ContainerExecRequest {
            api_version: V,
            id: "web1".into(),
            body: exec,
        },
    );

    // The sample body asks for a TTY: the output is raw console bytes.
    let start: ExecStartBody = request_body("ExecStart");
    assert_eq!(start.tty, Some(true));
    let attached = c.exec_start("exec1", Some(&start)).await.unwrap();
    assert_eq!(
        converse(attached, "ls -l\r\n", false).await,
        format!("{}ls -l\r\n", greeting("ExecStart"))
    );
    t.saw(
        "ExecStart",
        srv::ExecStartRequest {
            api_version: V,
            id: "exec1".into(),
            body: Some(start),
        },
    );

    c.exec_resize(
        "exec1",
        &ExecResizeParams {
            h: Some(24),
            w: Some(80),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ExecResize",
        srv::ExecResizeRequest {
            api_version: V,
            id: "exec1".into(),
            h: Some(24),
            w: Some(80),
        },
    );

    let got = c.exec_inspect("exec1").await.unwrap();
    assert_eq!(got, answer::<ExecInspectResponse>("ExecInspect"));
    t.saw(
        "ExecInspect",
        srv::ExecInspectRequest {
            api_version: V,
            id: "exec1".into(),
        },
    );

    // --- Image -----------------------------------------------------------
    let got = c
        .image_list(&ImageListParams {
            all: Some(true),
            filters: Some(filters()),
            shared_size: Some(true),
            digests: Some(true),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<ImageSummary>>("ImageList"));
    t.saw(
        "ImageList",
        srv::ImageListRequest {
            api_version: V,
            all: true,
            filters: Some(filters()),
            shared_size: true,
            digests: true,
        },
    );

    let got = c
        .image_build(
            Some(body::bytes(tar_in("ImageBuild"))),
            &ImageBuildParams {
                dockerfile: Some("build/Dockerfile.prod".into()),
                t: Some(vec!["app:v1".into()]),
                extrahosts: Some("db:10.0.0.2".into()),
                remote: Some("https://example.com/ctx.tar".into()),
                q: Some(true),
                nocache: Some(true),
                cachefrom: Some(r#"["app:v0"]"#.into()),
                pull: Some("1".into()),
                rm: Some(false),
                forcerm: Some(true),
                memory: Some(1 << 30),
                memswap: Some(-1),
                cpushares: Some(512),
                cpusetcpus: Some("0-1".into()),
                cpuperiod: Some(100_000),
                cpuquota: Some(50_000),
                buildargs: Some(r#"{"VERSION":"1"}"#.into()),
                shmsize: Some(64 << 20),
                squash: Some(true),
                labels: Some(r#"{"team":"a"}"#.into()),
                networkmode: Some("host".into()),
                content_type: Some(ImageBuildContentType::ApplicationXTar),
                x_registry_config: Some("eyJ9".into()),
                platform: Some("linux/amd64".into()),
                target: Some("runtime".into()),
                outputs: Some("type=docker".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(collect(got).await, stream_items::<BuildInfo>("ImageBuild"));
    t.saw(
        "ImageBuild",
        srv::ImageBuildRequest {
            api_version: V,
            dockerfile: "build/Dockerfile.prod".into(),
            t: vec!["app:v1".into()],
            extrahosts: Some("db:10.0.0.2".into()),
            remote: Some("https://example.com/ctx.tar".into()),
            q: true,
            nocache: true,
            cachefrom: Some(r#"["app:v0"]"#.into()),
            pull: Some("1".into()),
            rm: false,
            forcerm: true,
            memory: Some(1 << 30),
            memswap: Some(-1),
            cpushares: Some(512),
            cpusetcpus: Some("0-1".into()),
            cpuperiod: Some(100_000),
            cpuquota: Some(50_000),
            buildargs: Some(r#"{"VERSION":"1"}"#.into()),
            shmsize: Some(64 << 20),
            squash: Some(true),
            labels: Some(r#"{"team":"a"}"#.into()),
            networkmode: Some("host".into()),
            content_type: ImageBuildContentType::ApplicationXTar,
            x_registry_config: Some("eyJ9".into()),
            platform: "linux/amd64".into(),
            target: "runtime".into(),
            outputs: "type=docker".into(),
            body: BodyStream::empty(),
        },
    );
    assert_eq!(t.body("ImageBuild"), tar_in("ImageBuild"));

    let got = c
        .build_prune(&BuildPruneParams {
            keep_storage: Some(1 << 20),
            all: Some(true),
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<BuildPruneResponse>("BuildPrune"));
    t.saw(
        "BuildPrune",
        srv::BuildPruneRequest {
            api_version: V,
            keep_storage: Some(1 << 20),
            all: Some(true),
            filters: Some(filters()),
        },
    );

    let changes = vec![
        "ENV A=1".to_string(),
        r#"CMD ["sh", "-c", "x"]"#.to_string(),
    ];
    let got = c
        .image_create(
            Some(body::bytes(tar_in("ImageCreate"))),
            &ImageCreateParams {
                from_image: Some("busybox".into()),
                from_src: Some("-".into()),
                repo: Some("team/rootfs".into()),
                tag: Some("v2".into()),
                message: Some("imported".into()),
                x_registry_auth: Some(auth()),
                changes: Some(changes.clone()),
                platform: Some("linux/amd64".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        collect(got).await,
        stream_items::<CreateImageInfo>("ImageCreate")
    );
    t.saw(
        "ImageCreate",
        srv::ImageCreateRequest {
            api_version: V,
            from_image: Some("busybox".into()),
            from_src: Some("-".into()),
            repo: Some("team/rootfs".into()),
            tag: Some("v2".into()),
            message: Some("imported".into()),
            x_registry_auth: Some(auth()),
            changes,
            platform: "linux/amd64".into(),
            body: BodyStream::empty(),
        },
    );
    assert_eq!(t.body("ImageCreate"), tar_in("ImageCreate"));

    let image = "registry.local:5000/team/app:v1";
    let got = c.image_inspect(image).await.unwrap();
    assert_eq!(got, answer::<ImageInspect>("ImageInspect"));
    t.saw(
        "ImageInspect",
        srv::ImageInspectRequest {
            api_version: V,
            name: image.into(),
        },
    );

    let got = c.image_history(image).await.unwrap();
    assert_eq!(got, answer::<Vec<ImageHistoryResponseItem>>("ImageHistory"));
    t.saw(
        "ImageHistory",
        srv::ImageHistoryRequest {
            api_version: V,
            name: image.into(),
        },
    );

    let got = c
        .image_push(
            "registry.local:5000/team/app",
            &auth(),
            &ImagePushParams {
                tag: Some("v1".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        collect(got).await,
        stream_items::<PushImageInfo>("ImagePush")
    );
    t.saw(
        "ImagePush",
        srv::ImagePushRequest {
            api_version: V,
            name: "registry.local:5000/team/app".into(),
            tag: Some("v1".into()),
            x_registry_auth: auth(),
        },
    );

    c.image_tag(
        image,
        &ImageTagParams {
            repo: Some("team/other".into()),
            tag: Some("latest".into()),
        },
    )
    .await
    .unwrap();
    t.saw(
        "ImageTag",
        srv::ImageTagRequest {
            api_version: V,
            name: image.into(),
            repo: Some("team/other".into()),
            tag: Some("latest".into()),
        },
    );

    let got = c
        .image_delete(
            image,
            &ImageDeleteParams {
                force: Some(true),
                noprune: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<ImageDeleteResponseItem>>("ImageDelete"));
    t.saw(
        "ImageDelete",
        srv::ImageDeleteRequest {
            api_version: V,
            name: image.into(),
            force: true,
            noprune: true,
        },
    );

    let got = c
        .image_search(
            "busy box",
            &ImageSearchParams {
                limit: Some(5),
                filters: Some(filters()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<ImageSearchResponseItem>>("ImageSearch"));
    t.saw(
        "ImageSearch",
        srv::ImageSearchRequest {
            api_version: V,
            term: "busy box".into(),
            limit: Some(5),
            filters: Some(filters()),
        },
    );

    let got = c
        .image_prune(&ImagePruneParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<ImagePruneResponse>("ImagePrune"));
    t.saw(
        "ImagePrune",
        srv::ImagePruneRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let config: ContainerConfig = request_body("ImageCommit");
    let got = c
        .image_commit(
            Some(&config),
            &ImageCommitParams {
                container: Some("web1".into()),
                repo: Some("team/snap".into()),
                tag: Some("s1".into()),
                comment: Some("a snapshot".into()),
                author: Some("Jo <jo@example.com>".into()),
                pause: Some(false),
                changes: Some(vec!["CMD [\"sh\"]".into()]),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<IdResponse>("ImageCommit"));
    t.saw(
        "ImageCommit",
        srv::ImageCommitRequest {
            api_version: V,
            container: Some("web1".into()),
            repo: Some("team/snap".into()),
            tag: Some("s1".into()),
            comment: Some("a snapshot".into()),
            author: Some("Jo <jo@example.com>".into()),
            pause: false,
            changes: vec!["CMD [\"sh\"]".into()],
            body: Some(config),
        },
    );

    let got = c.image_get(image).await.unwrap();
    assert_eq!(bytes_of(got).await, chunks("ImageGet").concat());
    t.saw(
        "ImageGet",
        srv::ImageGetRequest {
            api_version: V,
            name: image.into(),
        },
    );

    let names = vec!["busybox:latest".to_string(), "team/app:v1".to_string()];
    let got = c
        .image_get_all(&ImageGetAllParams {
            names: Some(names.clone()),
        })
        .await
        .unwrap();
    assert_eq!(bytes_of(got).await, chunks("ImageGetAll").concat());
    t.saw(
        "ImageGetAll",
        srv::ImageGetAllRequest {
            api_version: V,
            names,
        },
    );

    let got = c
        .image_load(
            Some(body::bytes(tar_in("ImageLoad"))),
            &ImageLoadParams { quiet: Some(true) },
        )
        .await
        .unwrap();
    assert_eq!(collect(got).await, stream_items::<Value>("ImageLoad"));
    t.saw(
        "ImageLoad",
        srv::ImageLoadRequest {
            api_version: V,
            quiet: true,
            body: BodyStream::empty(),
        },
    );
    assert_eq!(t.body("ImageLoad"), tar_in("ImageLoad"));

    // --- Network ---------------------------------------------------------
    let got = c
        .network_list(&NetworkListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Network>>("NetworkList"));
    t.saw(
        "NetworkList",
        srv::NetworkListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let got = c
        .network_inspect(
            "net1",
            &NetworkInspectParams {
                verbose: Some(true),
                scope: Some("swarm".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<Network>("NetworkInspect"));
    t.saw(
        "NetworkInspect",
        srv::NetworkInspectRequest {
            api_version: V,
            id: "net1".into(),
            verbose: true,
            scope: Some("swarm".into()),
        },
    );

    c.network_delete("net1").await.unwrap();
    t.saw(
        "NetworkDelete",
        srv::NetworkDeleteRequest {
            api_version: V,
            id: "net1".into(),
        },
    );

    let net: NetworkCreateBody = request_body("NetworkCreate");
    let got = c.network_create(&net).await.unwrap();
    assert_eq!(got, answer::<NetworkCreateResponse>("NetworkCreate"));
    t.saw(
        "NetworkCreate",
        srv::NetworkCreateRequest {
            api_version: V,
            body: net,
        },
    );

    let connect: NetworkConnectBody = request_body("NetworkConnect");
    c.network_connect("net1", &connect).await.unwrap();
    t.saw(
        "NetworkConnect",
        srv::NetworkConnectRequest {
            api_version: V,
            id: "net1".into(),
            body: connect,
        },
    );

    let disconnect: NetworkDisconnectBody = request_body("NetworkDisconnect");
    c.network_disconnect("net1", &disconnect).await.unwrap();
    t.saw(
        "NetworkDisconnect",
        srv::NetworkDisconnectRequest {
            api_version: V,
            id: "net1".into(),
            body: disconnect,
        },
    );

    let got = c
        .network_prune(&NetworkPruneParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<NetworkPruneResponse>("NetworkPrune"));
    t.saw(
        "NetworkPrune",
        srv::NetworkPruneRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    // --- Node ------------------------------------------------------------
    let got = c
        .node_list(&NodeListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Node>>("NodeList"));
    t.saw(
        "NodeList",
        srv::NodeListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let got = c.node_inspect("node1").await.unwrap();
    assert_eq!(got, answer::<Node>("NodeInspect"));
    t.saw(
        "NodeInspect",
        srv::NodeInspectRequest {
            api_version: V,
            id: "node1".into(),
        },
    );

    c.node_delete("node1", &NodeDeleteParams { force: Some(true) })
        .await
        .unwrap();
    t.saw(
        "NodeDelete",
        srv::NodeDeleteRequest {
            api_version: V,
            id: "node1".into(),
            force: true,
        },
    );

    let node: NodeSpec = request_body("NodeUpdate");
    c.node_update("node1", 3, Some(&node)).await.unwrap();
    t.saw(
        "NodeUpdate",
        srv::NodeUpdateRequest {
            api_version: V,
            id: "node1".into(),
            version: 3,
            body: Some(node),
        },
    );

    // --- Plugin ----------------------------------------------------------
    let got = c
        .plugin_list(&PluginListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Plugin>>("PluginList"));
    t.saw(
        "PluginList",
        srv::PluginListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let remote = "vieux/sshfs:latest";
    let got = c.get_plugin_privileges(remote).await.unwrap();
    assert_eq!(got, answer::<Vec<PluginPrivilege>>("GetPluginPrivileges"));
    t.saw(
        "GetPluginPrivileges",
        srv::GetPluginPrivilegesRequest {
            api_version: V,
            remote: remote.into(),
        },
    );

    let privileges: Vec<PluginPrivilege> = request_body("PluginPull");
    let got = c
        .plugin_pull(
            remote,
            Some(&privileges),
            &PluginPullParams {
                name: Some("sshfs".into()),
                x_registry_auth: Some(auth()),
            },
        )
        .await
        .unwrap();
    assert_eq!(collect(got).await, stream_items::<Value>("PluginPull"));
    t.saw(
        "PluginPull",
        srv::PluginPullRequest {
            api_version: V,
            remote: remote.into(),
            name: Some("sshfs".into()),
            x_registry_auth: Some(auth()),
            body: Some(privileges.clone()),
        },
    );

    let got = c.plugin_inspect("sshfs").await.unwrap();
    assert_eq!(got, answer::<Plugin>("PluginInspect"));
    t.saw(
        "PluginInspect",
        srv::PluginInspectRequest {
            api_version: V,
            name: "sshfs".into(),
        },
    );

    let got = c
        .plugin_delete("sshfs", &PluginDeleteParams { force: Some(true) })
        .await
        .unwrap();
    assert_eq!(got, answer::<Plugin>("PluginDelete"));
    t.saw(
        "PluginDelete",
        srv::PluginDeleteRequest {
            api_version: V,
            name: "sshfs".into(),
            force: true,
        },
    );

    c.plugin_enable("sshfs", &PluginEnableParams { timeout: Some(9) })
        .await
        .unwrap();
    t.saw(
        "PluginEnable",
        srv::PluginEnableRequest {
            api_version: V,
            name: "sshfs".into(),
            timeout: 9,
        },
    );

    c.plugin_disable("sshfs").await.unwrap();
    t.saw(
        "PluginDisable",
        srv::PluginDisableRequest {
            api_version: V,
            name: "sshfs".into(),
        },
    );

    let got = c
        .plugin_upgrade(
            "sshfs",
            remote,
            Some(&privileges),
            &PluginUpgradeParams {
                x_registry_auth: Some(auth()),
            },
        )
        .await
        .unwrap();
    assert_eq!(collect(got).await, stream_items::<Value>("PluginUpgrade"));
    t.saw(
        "PluginUpgrade",
        srv::PluginUpgradeRequest {
            api_version: V,
            name: "sshfs".into(),
            remote: remote.into(),
            x_registry_auth: Some(auth()),
            body: Some(privileges),
        },
    );

    c.plugin_create("team/plug:1", Some(body::bytes(tar_in("PluginCreate"))))
        .await
        .unwrap();
    t.saw(
        "PluginCreate",
        srv::PluginCreateRequest {
            api_version: V,
            name: "team/plug:1".into(),
            body: BodyStream::empty(),
        },
    );
    assert_eq!(t.body("PluginCreate"), tar_in("PluginCreate"));

    c.plugin_push("team/plug:1").await.unwrap();
    t.saw(
        "PluginPush",
        srv::PluginPushRequest {
            api_version: V,
            name: "team/plug:1".into(),
        },
    );

    let settings = vec!["DEBUG=1".to_string(), "mounts.src=/data".to_string()];
    c.plugin_set("sshfs", Some(&settings)).await.unwrap();
    t.saw(
        "PluginSet",
        srv::PluginSetRequest {
            api_version: V,
            name: "sshfs".into(),
            body: Some(settings),
        },
    );

    // --- Secret ----------------------------------------------------------
    let got = c
        .secret_list(&SecretListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Secret>>("SecretList"));
    t.saw(
        "SecretList",
        srv::SecretListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let secret: SecretSpec = request_body("SecretCreate");
    let got = c.secret_create(Some(&secret)).await.unwrap();
    assert_eq!(got, answer::<IdResponse>("SecretCreate"));
    t.saw(
        "SecretCreate",
        srv::SecretCreateRequest {
            api_version: V,
            body: Some(secret.clone()),
        },
    );

    let got = c.secret_inspect("sec1").await.unwrap();
    assert_eq!(got, answer::<Secret>("SecretInspect"));
    t.saw(
        "SecretInspect",
        srv::SecretInspectRequest {
            api_version: V,
            id: "sec1".into(),
        },
    );

    c.secret_delete("sec1").await.unwrap();
    t.saw(
        "SecretDelete",
        srv::SecretDeleteRequest {
            api_version: V,
            id: "sec1".into(),
        },
    );

    c.secret_update("sec1", 11, Some(&secret)).await.unwrap();
    t.saw(
        "SecretUpdate",
        srv::SecretUpdateRequest {
            api_version: V,
            id: "sec1".into(),
            version: 11,
            body: Some(secret),
        },
    );

    // --- Service ---------------------------------------------------------
    let got = c
        .service_list(&ServiceListParams {
            filters: Some(filters()),
            status: Some(true),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Service>>("ServiceList"));
    t.saw(
        "ServiceList",
        srv::ServiceListRequest {
            api_version: V,
            filters: Some(filters()),
            status: Some(true),
        },
    );

    let service: ServiceSpec = request_body("ServiceCreate");
    let got = c
        .service_create(
            &service,
            &ServiceCreateParams {
                x_registry_auth: Some(auth()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<ServiceCreateResponse>("ServiceCreate"));
    t.saw(
        "ServiceCreate",
        srv::ServiceCreateRequest {
            api_version: V,
            x_registry_auth: Some(auth()),
            body: service.clone(),
        },
    );

    let got = c
        .service_inspect(
            "svc1",
            &ServiceInspectParams {
                insert_defaults: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<Service>("ServiceInspect"));
    t.saw(
        "ServiceInspect",
        srv::ServiceInspectRequest {
            api_version: V,
            id: "svc1".into(),
            insert_defaults: true,
        },
    );

    c.service_delete("svc1").await.unwrap();
    t.saw(
        "ServiceDelete",
        srv::ServiceDeleteRequest {
            api_version: V,
            id: "svc1".into(),
        },
    );

    let got = c
        .service_update(
            "svc1",
            42,
            &service,
            &ServiceUpdateParams {
                registry_auth_from: Some(ServiceUpdateRegistryAuthFrom::PreviousSpec),
                rollback: Some("previous".into()),
                x_registry_auth: Some(auth()),
            },
        )
        .await
        .unwrap();
    assert_eq!(got, answer::<ServiceUpdateResponse>("ServiceUpdate"));
    t.saw(
        "ServiceUpdate",
        srv::ServiceUpdateRequest {
            api_version: V,
            id: "svc1".into(),
            version: 42,
            registry_auth_from: ServiceUpdateRegistryAuthFrom::PreviousSpec,
            rollback: Some("previous".into()),
            x_registry_auth: Some(auth()),
            body: service,
        },
    );

    let got = c
        .service_logs(
            "svc1",
            &ServiceLogsParams {
                details: Some(true),
                follow: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                since: Some(12),
                timestamps: Some(true),
                tail: Some("7".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(logs(got).await, expected_logs("ServiceLogs"));
    t.saw(
        "ServiceLogs",
        srv::ServiceLogsRequest {
            api_version: V,
            id: "svc1".into(),
            details: true,
            follow: true,
            stdout: true,
            stderr: true,
            since: 12,
            timestamps: true,
            tail: "7".into(),
        },
    );

    // --- Session ---------------------------------------------------------
    let attached = c.session().await.unwrap();
    assert_eq!(
        converse(attached, "grpc bytes", false).await,
        format!("{}grpc bytes", greeting("Session"))
    );
    t.saw("Session", srv::SessionRequest { api_version: V });

    // --- Swarm -----------------------------------------------------------
    let got = c.swarm_inspect().await.unwrap();
    assert_eq!(got, answer::<Swarm>("SwarmInspect"));
    t.saw("SwarmInspect", srv::SwarmInspectRequest { api_version: V });

    let init: SwarmInitBody = request_body("SwarmInit");
    let got = c.swarm_init(&init).await.unwrap();
    assert_eq!(got, answer::<String>("SwarmInit"));
    t.saw(
        "SwarmInit",
        srv::SwarmInitRequest {
            api_version: V,
            body: init,
        },
    );

    let join: SwarmJoinBody = request_body("SwarmJoin");
    c.swarm_join(&join).await.unwrap();
    t.saw(
        "SwarmJoin",
        srv::SwarmJoinRequest {
            api_version: V,
            body: join,
        },
    );

    c.swarm_leave(&SwarmLeaveParams { force: Some(true) })
        .await
        .unwrap();
    t.saw(
        "SwarmLeave",
        srv::SwarmLeaveRequest {
            api_version: V,
            force: true,
        },
    );

    let swarm: SwarmSpec = request_body("SwarmUpdate");
    c.swarm_update(
        8,
        &swarm,
        &SwarmUpdateParams {
            rotate_worker_token: Some(true),
            rotate_manager_token: Some(true),
            rotate_manager_unlock_key: Some(true),
        },
    )
    .await
    .unwrap();
    t.saw(
        "SwarmUpdate",
        srv::SwarmUpdateRequest {
            api_version: V,
            version: 8,
            rotate_worker_token: true,
            rotate_manager_token: true,
            rotate_manager_unlock_key: true,
            body: swarm,
        },
    );

    let got = c.swarm_unlockkey().await.unwrap();
    assert_eq!(got, answer::<SwarmUnlockkeyResponse>("SwarmUnlockkey"));
    t.saw(
        "SwarmUnlockkey",
        srv::SwarmUnlockkeyRequest { api_version: V },
    );

    let unlock: SwarmUnlockBody = request_body("SwarmUnlock");
    c.swarm_unlock(&unlock).await.unwrap();
    t.saw(
        "SwarmUnlock",
        srv::SwarmUnlockRequest {
            api_version: V,
            body: unlock,
        },
    );

    // --- System ----------------------------------------------------------
    let got = c.system_auth(Some(&auth())).await.unwrap();
    assert_eq!(got, Some(answer::<SystemAuthResponse>("SystemAuth")));
    t.saw(
        "SystemAuth",
        srv::SystemAuthRequest {
            api_version: V,
            body: Some(auth()),
        },
    );

    let got = c.system_info().await.unwrap();
    assert_eq!(got, answer::<SystemInfo>("SystemInfo"));
    t.saw("SystemInfo", srv::SystemInfoRequest { api_version: V });

    let got = c.system_version().await.unwrap();
    assert_eq!(got, answer::<SystemVersion>("SystemVersion"));
    t.saw(
        "SystemVersion",
        srv::SystemVersionRequest { api_version: V },
    );

    // The ping's documented headers come back typed.
    let sent = backend::ping_headers();
    let got = c.system_ping().await.unwrap();
    assert_eq!(got.body, "OK");
    assert_eq!(got.api_version, sent.api_version);
    assert_eq!(got.builder_version, sent.builder_version);
    assert_eq!(got.docker_experimental, sent.docker_experimental);
    assert_eq!(got.swarm, Some(SystemPingResponseSwarm::Inactive));
    assert_eq!(got.cache_control, sent.cache_control);
    assert_eq!(got.pragma, sent.pragma);
    t.saw("SystemPing", srv::SystemPingRequest { api_version: V });

    let got = c.system_ping_head().await.unwrap();
    assert_eq!(got.body, "");
    assert_eq!(got.api_version, sent.api_version);
    assert_eq!(got.builder_version, sent.builder_version);
    assert_eq!(got.docker_experimental, sent.docker_experimental);
    assert_eq!(got.swarm, Some(SystemPingHeadResponseSwarm::Inactive));
    assert_eq!(got.cache_control, sent.cache_control);
    assert_eq!(got.pragma, sent.pragma);
    t.saw(
        "SystemPingHead",
        srv::SystemPingHeadRequest { api_version: V },
    );

    let got = c
        .system_events(&SystemEventsParams {
            since: Some("1700000000".into()),
            until: Some("1700000100.5".into()),
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(
        collect(got).await,
        stream_items::<EventMessage>("SystemEvents")
    );
    t.saw(
        "SystemEvents",
        srv::SystemEventsRequest {
            api_version: V,
            since: Some("1700000000".into()),
            until: Some("1700000100.5".into()),
            filters: Some(filters()),
        },
    );

    let kinds = vec![
        SystemDataUsageTypeItem::Container,
        SystemDataUsageTypeItem::BuildCache,
    ];
    let got = c
        .system_data_usage(&SystemDataUsageParams {
            r#type: Some(kinds.clone()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<SystemDataUsageResponse>("SystemDataUsage"));
    t.saw(
        "SystemDataUsage",
        srv::SystemDataUsageRequest {
            api_version: V,
            r#type: kinds,
        },
    );

    // --- Task ------------------------------------------------------------
    let got = c
        .task_list(&TaskListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<Vec<Task>>("TaskList"));
    t.saw(
        "TaskList",
        srv::TaskListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let got = c.task_inspect("task1").await.unwrap();
    assert_eq!(got, answer::<Task>("TaskInspect"));
    t.saw(
        "TaskInspect",
        srv::TaskInspectRequest {
            api_version: V,
            id: "task1".into(),
        },
    );

    let got = c
        .task_logs(
            "task1",
            &TaskLogsParams {
                details: Some(true),
                follow: Some(false),
                stdout: Some(true),
                stderr: Some(true),
                since: Some(99),
                timestamps: Some(false),
                tail: Some("all".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(logs(got).await, expected_logs("TaskLogs"));
    t.saw(
        "TaskLogs",
        srv::TaskLogsRequest {
            api_version: V,
            id: "task1".into(),
            details: true,
            follow: false,
            stdout: true,
            stderr: true,
            since: 99,
            timestamps: false,
            tail: "all".into(),
        },
    );

    // --- Volume ----------------------------------------------------------
    let got = c
        .volume_list(&VolumeListParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<VolumeListResponse>("VolumeList"));
    t.saw(
        "VolumeList",
        srv::VolumeListRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    let volume: VolumeCreateOptions = request_body("VolumeCreate");
    let got = c.volume_create(&volume).await.unwrap();
    assert_eq!(got, answer::<Volume>("VolumeCreate"));
    t.saw(
        "VolumeCreate",
        srv::VolumeCreateRequest {
            api_version: V,
            body: volume,
        },
    );

    let got = c.volume_inspect("data 100%").await.unwrap();
    assert_eq!(got, answer::<Volume>("VolumeInspect"));
    t.saw(
        "VolumeInspect",
        srv::VolumeInspectRequest {
            api_version: V,
            name: "data 100%".into(),
        },
    );

    let vol_update: VolumeUpdateBody = request_body("VolumeUpdate");
    c.volume_update("data", 5, Some(&vol_update)).await.unwrap();
    t.saw(
        "VolumeUpdate",
        srv::VolumeUpdateRequest {
            api_version: V,
            name: "data".into(),
            version: 5,
            body: Some(vol_update),
        },
    );

    c.volume_delete("data", &VolumeDeleteParams { force: Some(true) })
        .await
        .unwrap();
    t.saw(
        "VolumeDelete",
        srv::VolumeDeleteRequest {
            api_version: V,
            name: "data".into(),
            force: true,
        },
    );

    let got = c
        .volume_prune(&VolumePruneParams {
            filters: Some(filters()),
        })
        .await
        .unwrap();
    assert_eq!(got, answer::<VolumePruneResponse>("VolumePrune"));
    t.saw(
        "VolumePrune",
        srv::VolumePruneRequest {
            api_version: V,
            filters: Some(filters()),
        },
    );

    // --- Nothing left out ------------------------------------------------
    let every: BTreeSet<String> = sample::api()
        .operations
        .iter()
        .map(|op| op.operation_id.clone())
        .collect();
    let missing: Vec<&String> = every.difference(&t.checked).collect();
    assert!(
        missing.is_empty(),
        "operations of swagger.yaml this test does not call: {missing:?}"
    );
    assert_eq!(
        t.checked, every,
        "checked operations that are not in the spec"
    );
    assert_eq!(
        t.served.log.hit(),
        every,
        "the operations whose handler ran are not the spec's"
    );
    // The count is the spec's: one call per operation, none twice.
    assert_eq!(
        every.len(),
        sample::api().operations.len(),
        "operationIds of swagger.yaml are not unique"
    );
}

/// The fixed data is rich: every field the spec declares is set, and the
/// typed values keep all of it (encoding one gives back its sample JSON).
#[test]
fn sample_answers_set_every_field() {
    let op = sample::operation("SystemInfo");
    let Payload::Json(ty) = payload::success(op) else {
        panic!("SystemInfo answers JSON");
    };
    let info: SystemInfo = answer("SystemInfo");
    assert_eq!(serde_json::to_value(&info).unwrap(), sample::value(&ty));
    assert!(
        info.containers.is_some() && info.plugins.is_some(),
        "{info:?}"
    );
    let op = sample::operation("ContainerInspect");
    let Payload::Json(ty) = payload::success(op) else {
        panic!("ContainerInspect answers JSON");
    };
    let c: ContainerInspectResponse = answer("ContainerInspect");
    assert_eq!(serde_json::to_value(&c).unwrap(), sample::value(&ty));
    assert!(c.host_config.is_some() && c.network_settings.is_some());
}

/// Handler errors (`Err(ApiError)`) and typed error variants reach the
/// client as typed errors with Docker's status and message, for plain
/// JSON calls, streams and hijacks alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_answers_decode_into_typed_errors() {
    let (served, c) = start("errors").await;
    let log = &served.log;

    let check = |e: ClientError, status: u16, message: &str| {
        assert_eq!(e.status(), Some(status), "{e:?}");
        assert_eq!(e.api().map(|a| a.message.as_str()), Some(message), "{e:?}");
        e
    };

    // Typed error variants of the generated replies.
    log.fail_typed("ContainerInspect", 404, "No such container: ghost");
    let e = c
        .container_inspect("ghost", &Default::default())
        .await
        .unwrap_err();
    assert!(check(e, 404, "No such container: ghost").is_not_found());

    log.fail_typed("ContainerDelete", 409, "container web1 is running");
    let e = c
        .container_delete("web1", &Default::default())
        .await
        .unwrap_err();
    assert!(check(e, 409, "container web1 is running").is_conflict());

    log.fail_typed("ImageDelete", 409, "image is in use by web1");
    let e = c
        .image_delete("busybox", &Default::default())
        .await
        .unwrap_err();
    assert!(check(e, 409, "image is in use by web1").is_conflict());

    log.fail_typed("VolumeInspect", 404, "get data: no such volume");
    let e = c.volume_inspect("data").await.unwrap_err();
    assert!(check(e, 404, "get data: no such volume").is_not_found());

    log.fail_typed("NetworkDelete", 403, "bridge is a pre-defined network");
    let e = c.network_delete("bridge").await.unwrap_err();
    let e = check(e, 403, "bridge is a pre-defined network");
    assert!(e.api().is_some_and(|a| a.is_forbidden()));

    // Handler errors, on every kind of answer: JSON, no body, a JSON
    // stream, a byte stream, logs, a hijack.
    log.fail("ContainerStart", 404, "No such container: web9");
    let e = c
        .container_start("web9", &Default::default())
        .await
        .unwrap_err();
    assert!(check(e, 404, "No such container: web9").is_not_found());

    log.fail("VolumeCreate", 409, "volume data already exists");
    let e = c
        .volume_create(&VolumeCreateOptions::default())
        .await
        .unwrap_err();
    assert!(check(e, 409, "volume data already exists").is_conflict());

    log.fail("SystemEvents", 400, "invalid filter 'colour'");
    let e = c.system_events(&Default::default()).await.err().unwrap();
    assert!(check(e, 400, "invalid filter 'colour'")
        .api()
        .is_some_and(|a| a.is_invalid_parameter()));

    log.fail("ImageGet", 404, "reference does not exist");
    let e = c.image_get("nope").await.err().unwrap();
    assert!(check(e, 404, "reference does not exist").is_not_found());

    log.fail("ContainerLogs", 404, "No such container: gone");
    let e = c
        .container_logs("gone", &Default::default())
        .await
        .err()
        .unwrap();
    assert!(check(e, 404, "No such container: gone").is_not_found());

    log.fail(
        "ExecStart",
        409,
        "container web1 is paused, unpause it first",
    );
    let e = c.exec_start("exec1", None).await.err().unwrap();
    assert!(check(e, 409, "container web1 is paused, unpause it first").is_conflict());

    log.fail("ContainerAttach", 404, "No such container: gone");
    let e = c
        .container_attach("gone", &Default::default())
        .await
        .err()
        .unwrap();
    assert!(check(e, 404, "No such container: gone").is_not_found());

    log.fail("SwarmInspect", 503, "This node is not a swarm manager.");
    let e = c.swarm_inspect().await.unwrap_err();
    assert!(check(e, 503, "This node is not a swarm manager.")
        .api()
        .is_some_and(|a| a.is_unavailable()));

    // Every error answer carried Docker's JSON body and headers.
    for a in log.take_answers() {
        assert!(a.status >= 400, "{a:?}");
        let ct = a.headers.get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(ct, Some("application/json"), "{a:?}");
        assert!(a.headers.contains_key("api-version"), "{a:?}");
    }

    // Cleared, the same calls succeed again.
    log.clear_failures();
    c.container_start("web9", &Default::default())
        .await
        .unwrap();
    let got = c.swarm_inspect().await.unwrap();
    assert_eq!(got, answer::<Swarm>("SwarmInspect"));
}
