//! `docker push` from engined to the same local registry: an image that
//! engined pulled from one repository goes to another under a new name
//! (its plain layer mounted across, the others uploaded), skopeo reads
//! the pushed manifest and blobs back on its own, a second push finds
//! every layer there and writes the same digest, and engined pulls the
//! pushed name again to the same image ID after `docker rmi`; `docker rmi
//! repo@digest` then forgets only that digest.

use super::layout::{self, Entry, Layout};
use super::registry::{self, Registry};
use super::{busybox_image, event_names, image_ids, now_secs};
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

#[test]
fn docker_push_to_a_local_registry() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("push_cli");
    let registry = Registry::start(&dir);
    let mut layout = Layout::new(&dir.join("layout"));
    let base = busybox_image(
        &layout,
        Some(layout::tar(&[Entry::File(
            "pushed",
            b"yes".to_vec(),
            0o644,
        )])),
    );
    layout.name(&base.manifest, "base");
    let base_ref = format!("{}:v1", registry.name("test/base"));
    registry::push(&layout.dir, "base", &base_ref, &["--preserve-digests"]);

    let d = Engined::start(&dir);
    d.docker(&["pull", &base_ref]);
    let pushed = format!("{}:v2", registry.name("team/pushed"));
    d.docker(&["tag", &base_ref, &pushed]);
    let started = now_secs();

    let out = d.docker(&["push", &pushed]);
    assert!(
        out.contains(&format!(
            "The push refers to repository [{}]",
            registry.name("team/pushed")
        )),
        "{out}"
    );
    // The plain layer is the same blob in test/base: mounted, not sent.
    assert!(out.contains("Mounted from test/base"), "{out}");
    assert!(out.contains(": Pushed"), "{out}");
    let (digest, kind) = registry::manifest_of(&pushed);
    assert_eq!(kind, "application/vnd.docker.distribution.manifest.v2+json");
    assert!(
        out.contains(&format!("v2: digest: {digest} size: ")),
        "{out}"
    );

    // skopeo reads every blob back and checks it on its own.
    let copy = dir.join("copied");
    registry::copy_out(&pushed, &copy);
    let manifest = std::fs::read(copy.join("manifest.json")).unwrap();
    assert_eq!(layout::digest(&manifest), digest);
    let copied: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(copied["config"]["digest"], base.config_digest.as_str());
    let hex = base.config_digest.trim_start_matches("sha256:");
    assert_eq!(
        layout::digest(&std::fs::read(copy.join(hex)).unwrap()),
        base.config_digest
    );
    assert_eq!(copied["layers"].as_array().unwrap().len(), 4);

    // Again: every layer is there, and the manifest is the same.
    let again = d.docker(&["push", &pushed]);
    assert_eq!(again.matches("Layer already exists").count(), 4, "{again}");
    assert!(
        again.contains(&format!("v2: digest: {digest} size: ")),
        "{again}"
    );
    let repo_digests = d.docker(&[
        "image",
        "inspect",
        &pushed,
        "--format",
        "{{json .RepoDigests}}",
    ]);
    assert!(
        repo_digests.contains(&format!("{}@{digest}", registry.name("team/pushed"))),
        "{repo_digests}"
    );
    let events = event_names(&d, started, "push");
    assert_eq!(
        events.lines().filter(|l| *l == pushed).count(),
        2,
        "{events}"
    );

    // Gone locally, pulled back: the same image.
    d.docker(&["rmi", &pushed, &base_ref]);
    assert!(image_ids(&d).is_empty());
    let out = d.docker(&["pull", &pushed]);
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    let id = d.docker(&["image", "inspect", &pushed, "--format", "{{.Id}}"]);
    assert_eq!(id.trim(), base.config_digest);
    let ran = d.docker(&["run", "--rm", &pushed, "cat", "/pushed"]);
    assert_eq!(ran, "yes");

    // rmi by digest: the digest goes, the tagged image stays.
    let by_digest = format!("{}@{digest}", registry.name("team/pushed"));
    let out = d.docker(&["rmi", &by_digest]);
    assert_eq!(out.trim(), format!("Untagged: {by_digest}"));
    let left = d.docker(&[
        "image",
        "inspect",
        &pushed,
        "--format",
        "{{json .RepoDigests}}",
    ]);
    assert_eq!(left.trim(), "[]");

    // A name engined does not have.
    let missing = format!("{}:nope", registry.name("team/pushed"));
    let err = d.docker_fails(&["push", &missing]);
    assert!(
        err.contains(&format!(
            "An image does not exist locally with the tag: {}",
            registry.name("team/pushed")
        )),
        "{err}"
    );
    drop(d);
    drop(registry);
}
