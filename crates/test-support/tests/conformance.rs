//! `cargo xtask conformance` against real daemons: a private dockerd 20.10
//! and engined (each skipped with a notice when this machine cannot run
//! it). For each, the run must write its three reports, report every
//! operation of swagger.yaml exactly once (the set and the count come from
//! the spec), have counts that add up, see the core operations conform,
//! and leave nothing it created behind. A third run faces a fake daemon
//! whose answers are broken on purpose (wrong type, enum value the spec
//! does not list, undocumented status, missing required fields): each must
//! be reported at its pointer. The checker's finer cases are unit tests of
//! `xtask::conformance::check`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use xtask::conformance::{self, outcome::Outcome, Options, Run};

fn spec() -> PathBuf {
    xtask::project_root().join("swagger.yaml")
}

/// The operationIds of swagger.yaml.
fn spec_operations() -> BTreeSet<String> {
    let api = codegen::emit::load_api(&spec()).unwrap();
    api.operations.into_iter().map(|o| o.operation_id).collect()
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("conformance")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(host: &str, out: &Path) -> Run {
    let options = Options {
        host: host.to_string(),
        spec: spec(),
        out: Some(out.to_path_buf()),
    };
    conformance::run(&options).unwrap()
}

fn outcome_of<'a>(run: &'a Run, op: &str) -> &'a Outcome {
    &run.reports
        .iter()
        .find(|r| r.operation_id == op)
        .unwrap_or_else(|| panic!("{op} is not in the report"))
        .outcome
}

/// What every run must show, whatever the daemon.
fn check_reports(run: &Run, out: &Path) {
    let ops = spec_operations();
    let s = run.summary;
    println!("{s}");
    assert_eq!(s.operations, ops.len());
    assert_eq!(
        s.conform + s.deviate + s.not_implemented + s.not_reached,
        ops.len()
    );
    let reported: BTreeSet<String> = run.reports.iter().map(|r| r.operation_id.clone()).collect();
    assert_eq!(reported, ops, "every operation exactly once");
    assert_eq!(run.reports.len(), ops.len());

    for name in ["report.md", "index.html", "report.json"] {
        assert!(out.join(name).is_file(), "{name} written");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains(&s.to_string()),
        "the Markdown carries the summary"
    );
    for op in &ops {
        assert!(md.contains(&format!("| {op} |")), "{op} has a row");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&s.to_string()));
    assert!(!html.contains("<script"), "a static page");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["operations"], ops.len());
    assert_eq!(json["operations"].as_array().unwrap().len(), ops.len());
    assert_eq!(json["summary"]["deviate"], s.deviate);

    // What any Engine API daemon serves, and the scenario's base, conforms.
    for op in [
        "SystemPing",
        "SystemVersion",
        "ImageCreate",
        "ContainerCreate",
        "ContainerList",
        "ContainerStart",
        "ContainerDelete",
        "VolumeCreate",
    ] {
        assert_eq!(outcome_of(run, op), &Outcome::Conforms, "{op}");
    }
    // Swarm membership is never touched.
    assert!(matches!(
        outcome_of(run, "SwarmInit"),
        Outcome::NotReached(_)
    ));
}

/// Nothing labelled by the tool, or named after it, is left.
fn assert_nothing_left(host: &str) {
    let docker = |args: &[&str]| {
        let out = Command::new("docker")
            .arg("-H")
            .arg(host)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let label = "label=engine-conformance=1";
    assert_eq!(
        docker(&["ps", "-aq", "--filter", label]),
        "",
        "containers left"
    );
    assert_eq!(
        docker(&["volume", "ls", "-q", "--filter", label]),
        "",
        "volumes left"
    );
    let images = docker(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(
        !images.contains("engine-conformance"),
        "images left: {images}"
    );
}

#[test]
fn dockerd_answers_are_checked_and_nothing_is_left() {
    let Some(d) = Dockerd::start("conformance") else {
        return;
    };
    let out = out_dir("dockerd");
    let run = run(&d.host(), &out);
    check_reports(&run, &out);
    // dockerd serves networks: the network operations are reached.
    assert_eq!(outcome_of(&run, "NetworkCreate"), &Outcome::Conforms);
    assert_eq!(outcome_of(&run, "NetworkConnect"), &Outcome::Conforms);
    assert_nothing_left(&d.host());
    let networks = d.docker(&[
        "network",
        "ls",
        "-q",
        "--filter",
        "label=engine-conformance=1",
    ]);
    assert_eq!(networks, "", "networks left");
}

#[test]
fn engined_answers_are_checked_and_nothing_is_left() {
    let Some(e) = Engined::start_named("conformance") else {
        return;
    };
    let out = out_dir("engined");
    let run = run(&e.host(), &out);
    check_reports(&run, &out);
    assert_nothing_left(&e.host());
    assert!(!e.log().contains("panicked"), "engined log:\n{}", e.log());
}

/// A fake daemon on a unix socket whose answers are broken on purpose:
/// `/version` has a number where the spec says string, `/info` an enum
/// value the spec does not list, `/containers/json` an undocumented
/// status, `/images/json` items without their required fields. The rest
/// is 501. Each connection serves one request, then closes.
fn broken_daemon(socket: &Path) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::os::unix::net::UnixListener;

    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut head = Vec::new();
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    head.push(std::mem::take(&mut line));
                }
                let length = head
                    .iter()
                    .find_map(|h| {
                        let (name, value) = h.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let request = head.first().cloned().unwrap_or_default();
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let target = parts.next().unwrap_or("");
                let path = target.split('?').next().unwrap_or("");
                let path = path.strip_prefix("/v1.44").unwrap_or(path);
                let (status, content_type, text) = match (method.as_str(), path) {
                    (_, "/_ping") => (200, "text/plain", "OK".to_string()),
                    ("GET", "/version") => (
                        200,
                        "application/json",
                        r#"{"ApiVersion":1.44,"Version":"0"}"#.into(),
                    ),
                    ("GET", "/info") => (
                        200,
                        "application/json",
                        r#"{"Swarm":{"LocalNodeState":"bogus"}}"#.into(),
                    ),
                    ("GET", "/containers/json") => {
                        (418, "application/json", r#"{"message":"teapot"}"#.into())
                    }
                    ("GET", "/images/json") => {
                        (200, "application/json", r#"[{"Id":"sha256:0"}]"#.into())
                    }
                    _ => (501, "application/json", r#"{"message":"not here"}"#.into()),
                };
                let body = if method == "HEAD" {
                    String::new()
                } else {
                    text
                };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nApi-Version: 1.44\r\nContent-Type: {content_type}\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let mut conn = conn;
                let _ = conn.write_all(answer.as_bytes());
            });
        }
    });
}

#[test]
fn deliberately_broken_answers_are_reported_with_their_pointers() {
    let out = out_dir("broken");
    std::fs::create_dir_all(&out).unwrap();
    let socket = out.join("broken.sock");
    broken_daemon(&socket);
    let run = run(&format!("unix://{}", socket.display()), &out);
    let s = run.summary;
    assert_eq!(s.operations, spec_operations().len());
    assert_eq!(
        s.conform + s.deviate + s.not_implemented + s.not_reached,
        s.operations
    );
    let pointers = |op: &str| -> Vec<(String, String)> {
        match outcome_of(&run, op) {
            Outcome::Deviates(list) => list
                .iter()
                .map(|d| (d.place.clone(), d.pointer.clone()))
                .collect(),
            other => panic!("{op}: {other:?}"),
        }
    };
    let at = |place: &str, pointer: &str| (place.to_string(), pointer.to_string());
    assert_eq!(pointers("SystemVersion"), vec![at("body", "/ApiVersion")]);
    assert_eq!(
        pointers("SystemInfo"),
        vec![at("body", "/Swarm/LocalNodeState")]
    );
    assert_eq!(pointers("ContainerList"), vec![at("status", "")]);
    let image_list = pointers("ImageList");
    assert!(
        image_list.contains(&at("body", "/0/Created")),
        "{image_list:?}"
    );
    assert!(
        !image_list.iter().any(|(_, p)| p == "/0/Id"),
        "{image_list:?}"
    );
    assert_eq!(outcome_of(&run, "SystemPing"), &Outcome::Conforms);
    assert!(matches!(
        outcome_of(&run, "ContainerInspect"),
        Outcome::NotReached(_)
    ));
    assert!(matches!(
        outcome_of(&run, "VolumeCreate"),
        Outcome::NotImplemented(_)
    ));
    assert_eq!(s.deviate, 4, "{s}");
}
