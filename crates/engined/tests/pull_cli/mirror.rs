//! `registry-mirrors`: a local registry holding `library/busybox` is made
//! engined's Docker Hub mirror by a reload (SIGHUP), and `docker pull
//! busybox` is then served by it, offline: the image ID and repo digest
//! are those of the image this test wrote, which the real hub does not
//! have, so the hub was not asked.

use super::layout::{Entry, Layout};
use super::registry::{self, Registry};
use super::{busybox_image, layout};
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

#[test]
fn docker_hub_pulls_go_to_the_mirror() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("registry_mirror");
    let mirror = Registry::start(&dir);
    let mut layout = Layout::new(&dir.join("layout"));
    let image = busybox_image(
        &layout,
        Some(layout::tar(&[Entry::File(
            "mirrored",
            b"by the test".to_vec(),
            0o644,
        )])),
    );
    layout.name(&image.manifest, "busybox");
    let upstream = mirror.name("library/busybox:latest");
    registry::push(&layout.dir, "busybox", &upstream, &["--preserve-digests"]);
    let (digest, _) = registry::manifest_of(&upstream);

    let d = Engined::start(&dir);
    std::fs::write(
        dir.join("daemon.json"),
        format!(
            r#"{{"registry-mirrors": ["http://{}"], "labels": ["mirror=on"]}}"#,
            mirror.addr
        ),
    )
    .unwrap();
    d.hup();
    let labels = d.wait_for_info("{{json .Labels}}", r#"["mirror=on"]"#);
    assert_eq!(labels, r#"["mirror=on"]"#, "the reload did not happen");
    // `docker info` lists the mirror as dockerd normalises it.
    let info = d.docker(&["info"]);
    let listed = format!("Registry Mirrors:\n  http://{}/\n", mirror.addr);
    assert!(info.contains(&listed), "{info}");

    let out = d.docker(&["pull", "busybox"]);
    assert!(
        out.contains("Status: Downloaded newer image for busybox:latest"),
        "{out}"
    );
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    let id = d.docker(&["image", "inspect", "busybox", "--format", "{{.Id}}"]);
    assert_eq!(id.trim(), image.config_digest);
    let digests = d.docker(&[
        "image",
        "inspect",
        "busybox",
        "--format",
        "{{json .RepoDigests}}",
    ]);
    assert_eq!(digests.trim(), format!(r#"["busybox@{digest}"]"#));
    let ran = d.docker(&["run", "--rm", "busybox", "cat", "/mirrored"]);
    assert_eq!(ran, "by the test");
    drop(d);
    drop(mirror);
}
