//! The state both daemons are put in, and the bodies fetched from it.
//!
//! The image is imported from the harness's busybox rootfs tar, so it is
//! the same on dockerd and engined; the containers use `--network none`
//! (the fixtures' dockerd runs with `--bridge=none`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use test_support::docker_cli::DOCKER;

/// Every body the scenario fetches, by fixture name.
pub type Bodies = BTreeMap<String, Value>;

/// The names of the bodies (and of their fixture files).
pub const BODIES: [&str; 12] = [
    "version",
    "info",
    "containers-list",
    "container-inspect-running",
    "container-inspect-exited",
    "container-inspect-created",
    "images-list",
    "image-inspect",
    "volumes-list",
    "volume-inspect",
    "system-df",
    "events",
];

/// A daemon on a unix socket.
pub struct Target {
    socket: PathBuf,
}

/// What [`setup`] made.
pub struct State {
    running: String,
    exited: String,
    created: String,
    since: u64,
    until: u64,
}

impl Target {
    pub fn new(socket: PathBuf) -> Target {
        Target { socket }
    }

    /// `docker ARGS...` against this daemon, which must exit with `want`;
    /// its stdout, trimmed.
    fn docker_exits(&self, want: i32, args: &[&str]) -> String {
        let out = Command::new(DOCKER)
            .arg("-H")
            .arg(format!("unix://{}", self.socket.display()))
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let code = out.status.code().unwrap_or(-1);
        assert_eq!(
            code,
            want,
            "docker {args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    fn docker(&self, args: &[&str]) -> String {
        self.docker_exits(0, args)
    }

    /// The body of `GET /v{api}{path}`, which must answer 200.
    fn get(&self, api: &str, path: &str) -> String {
        let mut conn = UnixStream::connect(&self.socket)
            .unwrap_or_else(|e| panic!("{}: {e}", self.socket.display()));
        conn.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(conn, "GET /v{api}{path} HTTP/1.0\r\nHost: daemon\r\n\r\n").unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        let (head, body) = answer
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("GET {path}: no HTTP answer: {answer}"));
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "GET /v{api}{path}: {head}\n{body}"
        );
        body.to_string()
    }

    fn get_json(&self, api: &str, path: &str) -> Value {
        let body = self.get(api, path);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Imports `tar` as `mini:latest`, creates the volume `data` and the
/// containers `web` (running, the volume mounted), `failed` (exited 3) and
/// `idle` (created).
pub fn setup(t: &Target, tar: &Path) -> State {
    t.docker(&[
        "import",
        "--change",
        "CMD [\"/bin/sh\"]",
        tar.to_str().unwrap(),
        "mini:latest",
    ]);
    t.docker(&["volume", "create", "--label", "purpose=fixture", "data"]);
    let since = now();
    let running = t.docker(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "web",
        "--label",
        "tier=front",
        "-v",
        "data:/data",
        "mini",
        "sleep",
        "1000",
    ]);
    t.docker_exits(
        3,
        &[
            "run",
            "--network",
            "none",
            "--name",
            "failed",
            "mini",
            "sh",
            "-c",
            "exit 3",
        ],
    );
    let exited = t.docker(&["inspect", "-f", "{{.Id}}", "failed"]);
    let created = t.docker(&[
        "create",
        "--network",
        "none",
        "--name",
        "idle",
        "-e",
        "GREETING=hello",
        "mini",
        "echo",
        "hi",
    ]);
    State {
        running,
        exited,
        created,
        since,
        until: now() + 1,
    }
}

/// The scenario's bodies at API version `api`.
pub fn fetch(t: &Target, s: &State, api: &str) -> Bodies {
    let mut bodies = Bodies::new();
    let mut put = |name: &str, value: Value| {
        bodies.insert(name.to_string(), value);
    };
    put("version", t.get_json(api, "/version"));
    put("info", t.get_json(api, "/info"));
    put("containers-list", t.get_json(api, "/containers/json?all=1"));
    for (state, id) in [
        ("running", &s.running),
        ("exited", &s.exited),
        ("created", &s.created),
    ] {
        put(
            &format!("container-inspect-{state}"),
            t.get_json(api, &format!("/containers/{id}/json")),
        );
    }
    put("images-list", t.get_json(api, "/images/json"));
    put("image-inspect", t.get_json(api, "/images/mini:latest/json"));
    put("volumes-list", t.get_json(api, "/volumes"));
    put("volume-inspect", t.get_json(api, "/volumes/data"));
    put("system-df", t.get_json(api, "/system/df"));
    // {"type":["container"]}, URL-encoded.
    let filters = "%7B%22type%22%3A%5B%22container%22%5D%7D";
    let stream = t.get(
        api,
        &format!(
            "/events?since={}&until={}&filters={filters}",
            s.since, s.until
        ),
    );
    let events: Vec<Value> = serde_json::Deserializer::from_str(&stream)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("events: {e}: {stream}"));
    put("events", Value::Array(events));
    bodies
}
