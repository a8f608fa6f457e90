//! `docker build --pull` against a local registry: engined pushes its own
//! base image, then a newer one under the same name, and keeps the old one
//! locally (the newer one removed); a plain build uses the local base, `--pull` fetches the
//! registry's first (its status lines in the build output), and a base no
//! registry has fails naming the FROM line.

use super::{build, s, setup, text};
use crate::pull_cli::registry::{self, Registry};

#[test]
fn build_pull_fetches_the_base_from_its_registry() {
    if let Some(why) = registry::missing() {
        eprintln!("skipped: {why}");
        return;
    }
    let Some(d) = setup("build_cli_pull") else {
        return;
    };
    let registry = Registry::start(&d.dir);
    let base = format!("{}:v1", registry.name("team/base"));
    d.docker(&["tag", "mini", &base]);
    d.docker(&["push", &base]);
    // A newer base in the registry; the old one stays local.
    d.docker(&[
        "run",
        "--name",
        "v2",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "echo v2 > /version",
    ]);
    let newer = d.docker(&["commit", "v2", &base]);
    d.docker(&["push", &base]);
    d.docker(&["rm", "v2"]);
    d.docker(&["tag", "mini", &base]);
    d.docker(&["rmi", newer.trim()]);

    let ctx = d.dir.join("ctx-pull");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {base}\nCMD [\"cat\", \"/version\"]\n"),
    )
    .unwrap();
    let run = |image: &str| d.docker_output(&["run", "--rm", "--network", "none", image]);

    let local = build(&d, &["--network", "none", "-t", "local:1", s(&ctx)]);
    assert!(local.status.success(), "{}", text(&local));
    assert!(
        !text(&local).contains("Downloaded newer image"),
        "{}",
        text(&local)
    );
    assert!(
        !run("local:1").status.success(),
        "the local base has no /version"
    );

    let pulled = build(
        &d,
        &["--pull", "--network", "none", "-t", "pulled:1", s(&ctx)],
    );
    let shown = text(&pulled);
    assert!(pulled.status.success(), "{shown}\n{}", d.log());
    assert!(
        shown.contains(&format!("Status: Downloaded newer image for {base}")),
        "{shown}"
    );
    let out = run("pulled:1");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "v2\n", "{out:?}");

    // A base the registry does not have: the FROM line's error, no tag.
    let absent = format!("{}:v1", registry.name("team/absent"));
    std::fs::write(ctx.join("Dockerfile.absent"), format!("FROM {absent}\n")).unwrap();
    let failed = build(
        &d,
        &[
            "--pull",
            "-f",
            s(&ctx.join("Dockerfile.absent")),
            "-t",
            "absent:1",
            s(&ctx),
        ],
    );
    assert!(!failed.status.success());
    assert!(
        text(&failed).contains(&format!("Dockerfile line 1: pulling {absent}: ")),
        "{}",
        text(&failed)
    );
    assert!(!d
        .docker_output(&["image", "inspect", "absent:1"])
        .status
        .success());
}
