//! `docker pull` against engined from a real registry (Debian's
//! `docker-registry`, plain HTTP on 127.0.0.1) filled by skopeo with
//! images this test writes itself: a three-layer busybox image (two gzip
//! layers, one plain), one more on the same three layers, an OCI index with two platforms, the same image as
//! a Docker v2 schema 2 manifest, and one whose layer blob is then
//! tampered with in the registry's storage. The real docker CLI drives
//! engined: pull by tag and by digest, run, `images --digests`, inspect
//! `RepoDigests`, a second pull that downloads nothing, platform choice,
//! a missing image that `docker run` pulls, and the failures (unknown tag
//! and repository, a digest mismatch, indexes nested too deep or too
//! wide, the registry killed half-way through a layer), each leaving
//! nothing behind.

mod bomb;
mod disk_full;
mod layout;
mod mirror;
mod proxy;
mod push;
pub(crate) mod registry;
mod search;
mod secure;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use layout::{Entry, Image, Layout};
use proxy::SlowProxy;
use registry::Registry;
use test_support::docker_cli::{code, events_until_now, DOCKER};
use test_support::engined::Engined;
use test_support::rootfs::BUSYBOX;
use test_support::skip::{skip_reason, Need};

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The other platform of the two-platform index.
fn other_arch() -> &'static str {
    if arch() == "s390x" {
        "amd64"
    } else {
        "s390x"
    }
}

/// The busybox image in three layers: the binary (gzip), the applet
/// links (plain tar), /etc and a marker file naming the platform (gzip);
/// then `top` (gzip) when given.
fn busybox_image(layout: &Layout, top: Option<Vec<u8>>) -> Image {
    let busybox = std::fs::read(BUSYBOX).unwrap();
    let base = layout::tar(&[
        Entry::Dir("bin"),
        Entry::File("bin/busybox", busybox, 0o755),
    ]);
    let applets = ["sh", "echo", "cat", "ls", "true"];
    let links: Vec<String> = applets.iter().map(|a| format!("bin/{a}")).collect();
    let links = layout::tar(
        &links
            .iter()
            .map(|l| Entry::Symlink(l, "busybox"))
            .collect::<Vec<_>>(),
    );
    let etc = layout::tar(&[
        Entry::Dir("etc"),
        Entry::File(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\n".to_vec(),
            0o644,
        ),
        Entry::File("etc/group", b"root:x:0:\n".to_vec(), 0o644),
        Entry::File("which", b"host".to_vec(), 0o644),
    ]);
    let mut layers = vec![(base, true), (links, false), (etc, true)];
    if let Some(top) = top {
        layers.push((top, true));
    }
    layout.image(arch(), &layers)
}

fn spool_is_empty(d: &Engined) -> bool {
    std::fs::read_dir(d.dir.join("data/images/tmp"))
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(true)
}

/// The IDs of the stored images, each once (the CLI lists an image once
/// per name, and once per repository it has only a digest of).
fn image_ids(d: &Engined) -> Vec<String> {
    let mut ids: Vec<String> = d
        .docker(&["images", "-q", "--no-trunc"])
        .lines()
        .map(String::from)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn blob_count(d: &Engined) -> usize {
    std::fs::read_dir(d.dir.join("data/images/blobs/sha256"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

#[test]
fn docker_pull_from_a_local_registry() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("pull_cli");
    let registry = Registry::start(&dir);
    let mut layout = Layout::new(&dir.join("layout"));

    let mini = busybox_image(&layout, None);
    layout.name(&mini.manifest, "mini");
    let shared = busybox_image(
        &layout,
        Some(layout::tar(&[Entry::File(
            "which",
            b"shared".to_vec(),
            0o644,
        )])),
    );
    layout.name(&shared.manifest, "shared");
    let other = layout.image(
        other_arch(),
        &[(
            layout::tar(&[Entry::File("which", b"other".to_vec(), 0o644)]),
            true,
        )],
    );
    let index = layout.index(&[(&other, other_arch()), (&mini, arch())]);
    layout.name(&index, "multi");
    let bad = layout.image(
        arch(),
        &[(
            layout::tar(&[Entry::File("bad.txt", vec![b'x'; 4096], 0o644)]),
            true,
        )],
    );
    layout.name(&bad.manifest, "bad");
    let big = layout.image(
        arch(),
        &[(
            layout::tar(&[Entry::File("big.bin", noise(4 << 20), 0o644)]),
            true,
        )],
    );
    layout.name(&big.manifest, "big");

    let mini_ref = format!("{}:v1", registry.name("test/mini"));
    // The digests stay ours (skopeo would gzip the plain layer otherwise).
    let keep = ["--preserve-digests"];
    registry::push(&layout.dir, "mini", &mini_ref, &keep);
    let multi_ref = format!("{}:v1", registry.name("test/multi"));
    registry::push(&layout.dir, "multi", &multi_ref, &keep);
    let v2s2_ref = format!("{}:v1", registry.name("test/docker"));
    registry::push(&layout.dir, "mini", &v2s2_ref, &["--format", "v2s2"]);
    let bad_ref = format!("{}:v1", registry.name("test/bad"));
    registry::push(&layout.dir, "bad", &bad_ref, &keep);
    let shared_ref = format!("{}:v1", registry.name("test/shared"));
    registry::push(&layout.dir, "shared", &shared_ref, &keep);
    registry::push(&layout.dir, "big", &registry.name("test/big:v1"), &keep);

    let d = Engined::start(&dir);
    check_pull_by_tag(&d, &registry, &mini, &mini_ref);
    check_pull_by_digest(&d, &registry, &mini, &mini_ref);
    check_index(&d, &mini, &other, &multi_ref);
    check_docker_manifest(&d, &mini, &v2s2_ref);
    check_shared_layers(&d, &mini, &shared, &shared_ref);
    check_failures(&d, &registry, &bad, &bad_ref);
    check_bombs(&d, &registry, &mini, &layout);
    check_client_hangs_up(&d, &registry);
    let registry = check_registry_dies(&d, &dir, registry, &big);
    drop(d);
    drop(registry);
}

/// `n` bytes gzip cannot shrink (xorshift), so a layer stays big on the wire.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn spooled_bytes(d: &Engined) -> u64 {
    std::fs::read_dir(d.dir.join("data/images/tmp"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The client is killed half-way through a layer: engined cancels the
/// pull, so its spool files go, nothing is stored and no `pull` event is
/// published (the next check pulls the same image whole).
fn check_client_hangs_up(d: &Engined, registry: &Registry) {
    let before = image_ids(d);
    let slow = SlowProxy::start(&registry.addr);
    let name = format!("{}/test/big:v1", slow.addr);
    let started = now_secs();
    let mut pull = slow_pull(d, &name);
    pull.kill().unwrap();
    pull.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !spool_is_empty(d) {
        assert!(
            Instant::now() < deadline,
            "a cancelled pull kept its spool files"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Long enough for an uncancelled pull of the rest to have finished.
    std::thread::sleep(Duration::from_secs(4));
    assert!(spool_is_empty(d), "the pull went on after the client left");
    assert_eq!(image_ids(d), before);
    let events = event_names(d, started, "pull");
    assert!(!events.contains("test/big"), "{events}");
}

/// Starts `docker pull name` (through the slow proxy) and returns once
/// its first 256 KiB are in engined's spool.
fn slow_pull(d: &Engined, name: &str) -> std::process::Child {
    let pull = Command::new(DOCKER)
        .args(["-H", &d.host(), "pull", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while spooled_bytes(d) < 256 * 1024 {
        assert!(Instant::now() < deadline, "the pull never got going");
        std::thread::sleep(Duration::from_millis(10));
    }
    pull
}

/// The seconds since the epoch now (for `docker events --since`).
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The names the `action` image events since `since` were about.
fn event_names(d: &Engined, since: u64, action: &str) -> String {
    d.docker(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &events_until_now(),
        "--filter",
        &format!("event={action}"),
        "--format",
        "{{.Actor.ID}}",
    ])
}

/// The registry is killed half-way through a layer: the pull fails,
/// nothing of it is listed or left in the spool, and once the registry is
/// back the same pull starts clean and succeeds.
fn check_registry_dies(d: &Engined, dir: &Path, registry: Registry, big: &Image) -> Registry {
    let before = image_ids(d);
    let addr = registry.addr.clone();
    let slow = SlowProxy::start(&addr);
    let name = format!("{}/test/big:v1", slow.addr);
    let pull = slow_pull(d, &name);
    drop(registry);
    let out = pull.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "{stderr}");
    assert!(!stderr.trim().is_empty());
    assert_eq!(image_ids(d), before);
    assert!(spool_is_empty(d), "a broken pull left spool files");

    let registry = Registry::start_at(dir, &addr);
    let out = d.docker(&["pull", &name]);
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {name}")),
        "{out}"
    );
    let id = d.docker(&["image", "inspect", &name, "--format", "{{.Id}}"]);
    assert_eq!(id.trim(), big.config_digest);
    registry
}

fn check_pull_by_tag(d: &Engined, registry: &Registry, mini: &Image, name: &str) {
    let (digest, kind) = registry::manifest_of(name);
    assert_eq!(kind, layout::OCI_MANIFEST);
    let out = d.docker(&["pull", name]);
    assert!(out.contains("v1: Pulling from test/mini"), "{out}");
    for layer in &mini.layers {
        let short = &layer[7..19];
        assert!(out.contains(&format!("{short}: Pull complete")), "{out}");
    }
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {name}")),
        "{out}"
    );
    assert_eq!(out.trim().lines().last(), Some(name));
    let until = events_until_now();
    let events = d.docker(&[
        "events",
        "--since",
        "0",
        "--until",
        &until,
        "--filter",
        "type=image",
        "--format",
        "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}",
    ]);
    assert_eq!(events.trim(), format!("pull {name} {name}"));

    let id = d.docker(&["image", "inspect", name, "--format", "{{.Id}}"]);
    assert_eq!(id.trim(), mini.config_digest);
    let repo_digests = d.docker(&[
        "image",
        "inspect",
        name,
        "--format",
        "{{json .RepoDigests}}",
    ]);
    let repo = registry.name("test/mini");
    assert_eq!(repo_digests.trim(), format!(r#"["{repo}@{digest}"]"#));
    let listed = d.docker(&[
        "images",
        "--digests",
        "--format",
        "{{.Repository}} {{.Tag}} {{.Digest}}",
    ]);
    assert_eq!(listed.trim(), format!("{repo} v1 {digest}"));

    // The pulled image runs like a loaded one.
    let ran = d.docker(&["run", "--rm", "--network", "none", name, "cat", "/which"]);
    assert_eq!(ran, "host");
    let hi = d.docker(&["run", "--rm", "--network", "none", name, "echo", "hi"]);
    assert_eq!(hi.trim(), "hi");

    // Again: nothing is downloaded.
    let blobs = blob_count(d);
    let again = d.docker(&["pull", name]);
    assert!(
        again.contains(&format!("Status: Image is up to date for {name}")),
        "{again}"
    );
    assert!(!again.contains("Downloading"), "{again}");
    assert_eq!(blob_count(d), blobs);
    assert!(spool_is_empty(d));
}

fn check_pull_by_digest(d: &Engined, registry: &Registry, mini: &Image, name: &str) {
    let (digest, _) = registry::manifest_of(name);
    d.docker(&["rmi", name]);
    assert_eq!(d.docker(&["images", "-q"]).trim(), "");
    let by_digest = format!("{}@{digest}", registry.name("test/mini"));
    let out = d.docker(&["pull", &by_digest]);
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {by_digest}")),
        "{out}"
    );
    let listed = d.docker(&[
        "images",
        "--digests",
        "--no-trunc",
        "--format",
        "{{.Tag}} {{.Digest}} {{.ID}}",
    ]);
    assert_eq!(
        listed.trim(),
        format!("<none> {digest} {}", mini.config_digest)
    );
    // The digest names the image, as its tag did.
    let ran = d.docker(&["run", "--rm", "--network", "none", &by_digest, "echo", "hi"]);
    assert_eq!(ran.trim(), "hi");
    let id = d.docker(&["image", "inspect", &by_digest, "--format", "{{.Id}}"]);
    assert_eq!(id.trim(), mini.config_digest);
    d.docker(&["rmi", &mini.config_digest]);
}

fn check_index(d: &Engined, mini: &Image, other: &Image, name: &str) {
    let (digest, kind) = registry::manifest_of(name);
    assert_eq!(kind, layout::OCI_INDEX);
    // The host's platform by default.
    let out = d.docker(&["pull", name]);
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    let id = d.docker(&[
        "image",
        "inspect",
        name,
        "--format",
        "{{.Id}} {{.Architecture}}",
    ]);
    assert_eq!(id.trim(), format!("{} {}", mini.config_digest, arch()));
    let ran = d.docker(&["run", "--rm", "--network", "none", name, "cat", "/which"]);
    assert_eq!(ran, "host");
    // Another one when asked.
    let platform = format!("linux/{}", other_arch());
    d.docker(&["pull", "--platform", &platform, name]);
    let id = d.docker(&[
        "image",
        "inspect",
        name,
        "--format",
        "{{.Id}} {{.Architecture}}",
    ]);
    assert_eq!(
        id.trim(),
        format!("{} {}", other.config_digest, other_arch())
    );
    // None for a platform the index lacks.
    let missing = d.docker_fails(&["pull", "--platform", "linux/riscv64", name]);
    assert!(
        missing.contains("no matching manifest for linux/riscv64 in the manifest list entries"),
        "{missing}"
    );
    d.docker(&["rmi", name]);
    d.docker(&["rmi", &mini.config_digest]);
}

fn check_docker_manifest(d: &Engined, mini: &Image, name: &str) {
    let (_, kind) = registry::manifest_of(name);
    assert_eq!(kind, "application/vnd.docker.distribution.manifest.v2+json");
    let out = d.docker(&["pull", name]);
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {name}")),
        "{out}"
    );
    let ran = d.docker(&["run", "--rm", "--network", "none", name, "cat", "/which"]);
    assert_eq!(ran, "host");
    let layers = d.docker(&[
        "image",
        "inspect",
        name,
        "--format",
        "{{len .RootFS.Layers}}",
    ]);
    assert_eq!(layers.trim(), mini.layers.len().to_string());

    // `docker run` of an image that is not here pulls it first.
    d.docker(&["rmi", name]);
    let out = d.docker_output(&["run", "--rm", "--network", "none", name, "echo", "hi"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hi");
    assert!(
        stderr.contains(&format!("Unable to find image '{name}' locally")),
        "{stderr}"
    );
}

/// An image on the same three layers as one already stored fetches only
/// its own fourth layer.
fn check_shared_layers(d: &Engined, mini: &Image, shared: &Image, name: &str) {
    let out = d.docker(&["pull", name]);
    for layer in &mini.layers {
        let short = &layer[7..19];
        assert!(out.contains(&format!("{short}: Already exists")), "{out}");
    }
    let own = &shared.layers[3][7..19];
    assert!(out.contains(&format!("{own}: Pull complete")), "{out}");
    let ran = d.docker(&["run", "--rm", "--network", "none", name, "cat", "/which"]);
    assert_eq!(ran, "shared");
    d.docker(&["rmi", name]);
}

/// Manifest bombs: an index nested deeper than engined follows, and one
/// listing more entries than it reads; neither leaves anything behind.
fn check_bombs(d: &Engined, registry: &Registry, mini: &Image, layout: &Layout) {
    let before = image_ids(d);
    let blobs = blob_count(d);
    let bomb_ref = format!("{}:leaf", registry.name("test/bomb"));
    registry::push(&layout.dir, "mini", &bomb_ref, &["--preserve-digests"]);
    let entry = |descriptor: &serde_json::Value| {
        let mut e = descriptor.clone();
        e["platform"] = serde_json::json!({"os": "linux", "architecture": arch()});
        e
    };
    let mut child = entry(&mini.manifest);
    for level in 1..=6 {
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": layout::OCI_INDEX,
            "manifests": [child],
        });
        let bytes = serde_json::to_vec(&index).unwrap();
        let tag = format!("deep{level}");
        let code = registry.put_manifest("test/bomb", &tag, layout::OCI_INDEX, &bytes);
        assert_eq!(code, 201, "putting {tag}");
        child = entry(&serde_json::json!({
            "mediaType": layout::OCI_INDEX,
            "digest": layout::digest(&bytes),
            "size": bytes.len(),
        }));
    }
    // Four levels are still followed; six are not.
    let four = format!("{}:deep4", registry.name("test/bomb"));
    d.docker(&["pull", &four]);
    d.docker(&["rmi", &four]);
    let six = format!("{}:deep6", registry.name("test/bomb"));
    let refused = d.docker_fails(&["pull", &six]);
    assert!(
        refused.contains("nests more than 4 levels deep"),
        "{refused}"
    );

    let wide = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": layout::OCI_INDEX,
        "manifests": vec![entry(&mini.manifest); 1100],
    });
    let bytes = serde_json::to_vec(&wide).unwrap();
    let code = registry.put_manifest("test/bomb", "wide", layout::OCI_INDEX, &bytes);
    assert_eq!(code, 201);
    let wide_ref = format!("{}:wide", registry.name("test/bomb"));
    let refused = d.docker_fails(&["pull", &wide_ref]);
    assert!(refused.contains("more than 1024"), "{refused}");

    assert_eq!(image_ids(d), before);
    assert_eq!(blob_count(d), blobs);
    assert!(spool_is_empty(d));
}

/// `docker pull reference` ends 1 with dockerd's "manifest unknown" line.
fn pull_fails_manifest_unknown(d: &Engined, reference: &str) {
    let out = d.docker_output(&["pull", reference]);
    assert_eq!(code(&out), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "manifest for {reference} not found: manifest unknown: manifest unknown"
        )),
        "{stderr}"
    );
}

fn check_failures(d: &Engined, registry: &Registry, bad: &Image, bad_ref: &str) {
    let before = image_ids(d);

    pull_fails_manifest_unknown(d, &format!("{}:nope", registry.name("test/mini")));

    // distribution answers MANIFEST_UNKNOWN for a repository it never
    // had too (Docker Hub's 401 is what dockerd words "pull access
    // denied"), and dockerd passes it on the same way.
    pull_fails_manifest_unknown(d, &format!("{}:v1", registry.name("test/none")));

    // Other bytes of the same length where the layer blob was.
    let data = registry.blob_data(&bad.layers[0]);
    let size = std::fs::metadata(&data).unwrap().len() as usize;
    std::fs::write(&data, vec![0x1f; size]).unwrap();
    let blobs = blob_count(d);
    let out = d.docker_output(&["pull", bad_ref]);
    assert_eq!(code(&out), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "filesystem layer verification failed for digest {}",
            bad.layers[0]
        )),
        "{stderr}"
    );
    assert_eq!(image_ids(d), before);
    assert!(
        d.docker_fails(&["image", "inspect", bad_ref])
            .contains("No such image"),
        "the tampered image is listed"
    );
    assert_eq!(blob_count(d), blobs, "a failed pull left blobs");
    assert!(spool_is_empty(d), "a failed pull left spool files");
}
