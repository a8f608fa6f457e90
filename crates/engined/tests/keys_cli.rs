//! engined's JSON bodies have dockerd's shape (issue 13).
//!
//! One scenario (a busybox image imported as `mini`, a labelled volume, a
//! running, an exited and a created container) is played against a daemon
//! and the bodies of inspect, list, info, version, events and system df are
//! fetched. Against Debian's dockerd 20.10 the bodies were saved as the
//! fixtures in `tests/fixtures/dockerd-20.10.24/keys/` (run this file with
//! `ENGINED_CAPTURE_DOCKERD=1`, as root, to capture them again); against
//! engined they are compared with those fixtures at API 1.41: the same keys
//! (recursively), the same JSON types and the same value formats (ids,
//! digests, RFC 3339 times, integers, empty lists or null). At API 1.44 the
//! fields that Docker's v1.44 spec adds over v1.41 (read from
//! `../shared/reference/`) must be there too.

#[path = "keys/mod.rs"]
mod keys;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keys::scenario::{Bodies, Target};
use serde_json::Value;
use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;
use test_support::skip::can_run_containers;

/// Where the dockerd captures live.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-support/fixtures/dockerd-20.10.24/keys")
}

/// The reference specs (`../shared/reference`), when present.
fn reference_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference");
    dir.join("engine-api-v1.44.yaml").exists().then_some(dir)
}

/// Values that follow from the scenario alone, so engined must send
/// dockerd's exact value: (body, JSON pointer).
const SAME_VALUE: &[(&str, &str)] = &[
    ("info", "/Containers"),
    ("info", "/ContainersRunning"),
    ("info", "/ContainersPaused"),
    ("info", "/ContainersStopped"),
    ("info", "/Images"),
    ("info", "/OSType"),
    ("info", "/LoggingDriver"),
    ("containers-list", "/0/Names"),
    ("containers-list", "/0/State"),
    ("containers-list", "/1/State"),
    ("containers-list", "/2/Labels"),
    ("containers-list", "/2/Mounts/0/Name"),
    ("container-inspect-exited", "/State/ExitCode"),
    ("container-inspect-exited", "/Path"),
    ("container-inspect-exited", "/Args"),
    ("container-inspect-created", "/Config/Env"),
    ("container-inspect-created", "/Config/Cmd"),
    ("container-inspect-running", "/State/Status"),
    ("container-inspect-running", "/Mounts/0/Destination"),
    ("container-inspect-running", "/HostConfig/NetworkMode"),
    ("image-inspect", "/RepoTags"),
    ("image-inspect", "/Config/Cmd"),
    ("image-inspect", "/RootFS/Type"),
    ("image-inspect", "/Size"),
    ("images-list", "/0/RepoTags"),
    ("images-list", "/0/Containers"),
    ("images-list", "/0/Size"),
    ("volume-inspect", "/Labels"),
    ("volume-inspect", "/Scope"),
    ("system-df", "/LayersSize"),
    ("system-df", "/Images/0/Containers"),
    ("system-df", "/Images/0/Size"),
    ("system-df", "/Containers/2/SizeRootFs"),
    ("system-df", "/Volumes/0/UsageData"),
];

fn load_fixtures() -> Bodies {
    let mut bodies = BTreeMap::new();
    for name in keys::scenario::BODIES {
        let path = fixtures_dir().join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (capture with ENGINED_CAPTURE_DOCKERD=1)",
                path.display()
            )
        });
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        bodies.insert(name.to_string(), value);
    }
    bodies
}

/// Capture mode: plays the scenario against a private dockerd and writes
/// the fixtures. Does nothing (with a notice) unless
/// `ENGINED_CAPTURE_DOCKERD=1`.
#[test]
fn capture_dockerd_fixtures() {
    if std::env::var_os("ENGINED_CAPTURE_DOCKERD").is_none_or(|v| v != "1") {
        eprintln!("skipped: set ENGINED_CAPTURE_DOCKERD=1 to capture dockerd's bodies");
        return;
    }
    let Some(d) = Dockerd::start("keys") else {
        return;
    };
    let dir = Engined::test_dir("keys_capture");
    let tar = busybox_rootfs_tar(&dir).expect("busybox rootfs tar");
    let target = Target::new(d.socket().to_path_buf());
    let state = keys::scenario::setup(&target, &tar);
    let bodies = keys::scenario::fetch(&target, &state, "1.41");
    let out = fixtures_dir();
    std::fs::create_dir_all(&out).unwrap();
    for (name, body) in &bodies {
        let mut text = serde_json::to_string_pretty(body).unwrap();
        text.push('\n');
        std::fs::write(out.join(format!("{name}.json")), text).unwrap();
    }
    eprintln!("captured {} bodies into {}", bodies.len(), out.display());
}

#[test]
fn bodies_have_dockerds_keys_types_and_formats() {
    if !can_run_containers() {
        return;
    }
    let fixtures = load_fixtures();
    let dir = Engined::test_dir("keys_cli");
    let d = Engined::start(&dir);
    let tar = busybox_rootfs_tar(&dir).expect("busybox rootfs tar");
    let target = Target::new(dir.join("engined.sock"));
    let state = keys::scenario::setup(&target, &tar);

    let ours = keys::scenario::fetch(&target, &state, "1.41");
    let mut problems = Vec::new();
    for (name, want) in &fixtures {
        let got = &ours[name];
        let (want, got) = if name == "events" {
            let (w, g) = (keys::compare::actions(want), keys::compare::actions(got));
            if w != g {
                problems.push(format!("events: engined sent {g:?}, dockerd {w:?}"));
            }
            (
                keys::compare::by_action(want),
                keys::compare::by_action(got),
            )
        } else {
            (want.clone(), got.clone())
        };
        for p in keys::compare::differences(&want, &got) {
            problems.push(format!("{name}: {p}"));
        }
    }
    for (name, ptr) in SAME_VALUE {
        let (want, got) = (fixtures[*name].pointer(ptr), ours[*name].pointer(ptr));
        if want != got {
            problems.push(format!("{name}: {ptr} is {got:?}, dockerd sent {want:?}"));
        }
    }

    match reference_dir() {
        None => {
            eprintln!("skipped the API 1.44 part: no ../shared/reference/engine-api-v1.44.yaml")
        }
        Some(reference) => {
            let newer = keys::spec::Added::load(&reference);
            let ours = keys::scenario::fetch(&target, &state, "1.44");
            for name in keys::scenario::BODIES {
                for p in newer.missing(name, &ours[name]) {
                    problems.push(format!("{name} at 1.44: {p}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences from dockerd:\n  {}\nengined log:\n{}",
        problems.len(),
        problems.join("\n  "),
        d.log()
    );
}

/// The comparison itself: what it tells apart and what it lets through.
#[test]
fn the_comparison_sees_keys_types_and_formats() {
    use keys::compare::{differences, format};
    use serde_json::json;
    assert_eq!(format("2026-12-01T14:19:29.71220818Z"), "RFC 3339 UTC time");
    assert_eq!(format("2026-12-01T14:19:29Z"), "RFC 3339 UTC time");
    assert_eq!(
        format("2026-12-01T14:19:29.712208180Z"),
        "time in another form"
    );
    assert_eq!(format("2026-12-01T14:19:29+00:00"), "time in another form");
    assert_eq!(format("0001-01-01T00:00:00Z"), "zero time");
    assert_eq!(format(&"ab".repeat(32)), "64-hex id");
    assert_eq!(
        format(&format!("sha256:{}", "0".repeat(64))),
        "sha256 digest"
    );
    assert_eq!(format(""), "empty string");

    let want = json!({"Id": "a".repeat(64), "Env": null, "Size": 3, "Names": ["/x"], "Runtimes": {"runc": {"path": "runc"}}});
    // Other values of the same shapes pass.
    let same = json!({"Id": "b".repeat(64), "Env": null, "Size": 9, "Names": ["/y", "/z"], "Runtimes": {"crun": {"path": "crun"}}});
    assert_eq!(differences(&want, &same), Vec::<String>::new());
    let got = json!({"Id": "short", "Env": [], "Size": 3.5, "Names": [], "Extra": 1, "Runtimes": {"crun": {}}});
    let diffs = differences(&want, &got);
    assert_eq!(diffs.len(), 6, "{diffs:#?}");
    for needle in [
        "/Id: text",
        "/Env: array",
        "/Size: float",
        "/Names: 0 items",
        "/Extra: not sent",
        "/Runtimes/crun/path: missing",
    ] {
        assert!(
            diffs.iter().any(|d| d.starts_with(needle)),
            "{needle} in {diffs:#?}"
        );
    }
}
