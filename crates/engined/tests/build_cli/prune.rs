//! `docker builder prune` as BuildKit's prune behind dockerd answers it,
//! on the classic builder's records: the records of failed builds'
//! steps are unshared (no image stands on them) and go without `--all`,
//! their images with them; `--keep-storage` keeps the cache while its
//! unshared records hold less and otherwise drops the least recently
//! used first until they do; the records under a tagged image go only
//! with `--all`, which leaves the image whole.

use super::{build, s, setup, text};

/// Two failed builds, each leaving one step of `size` bytes behind.
fn failing(size: u32, name: &str) -> String {
    format!("FROM mini\nRUN head -c {size} /dev/zero > /{name}\nRUN exit 1\n")
}

const KEPT: &str =
    "FROM mini\nENV STEP=kept\nRUN echo kept > /kept.txt\nCMD [\"cat\", \"/kept.txt\"]\n";

#[test]
fn builder_prune_all_and_keep_storage() {
    let Some(d) = setup("build_cli_prune_keep") else {
        return;
    };
    let ctx = d.dir.join("ctx-keep");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile.small"), failing(100_000, "small")).unwrap();
    std::fs::write(ctx.join("Dockerfile.big"), failing(200_000, "big")).unwrap();
    std::fs::write(ctx.join("Dockerfile"), KEPT).unwrap();
    let run = |file: &str, args: &[&str]| {
        let path = ctx.join(file);
        let mut all = vec!["--network", "none", "--force-rm", "-f", s(&path)];
        all.extend_from_slice(args);
        all.push(s(&ctx));
        let out = build(&d, &all);
        (out.status.success(), text(&out))
    };
    let (ok, out) = run("Dockerfile", &["-t", "kept:1"]);
    assert!(ok, "{out}");
    // The small step first: the least recently used one.
    for file in ["Dockerfile.small", "Dockerfile.big"] {
        let (ok, out) = run(file, &[]);
        assert!(!ok && out.contains("returned a non-zero code: 1"), "{out}");
    }
    let images = d.docker(&["images", "-aq"]).lines().count();
    let prune = |args: &[&str]| {
        let mut all = vec!["builder", "prune", "-f"];
        all.extend_from_slice(args);
        d.docker(&all)
    };

    // The unshared records hold 300 kB: a 400 kB reserve keeps them all.
    let out = prune(&["--keep-storage", "400000"]);
    assert!(out.contains("Total reclaimed space: 0B"), "{out}");
    assert_eq!(d.docker(&["images", "-aq"]).lines().count(), images);
    // 250 kB: the small step goes (the oldest), which is enough.
    let out = prune(&["--keep-storage", "250000"]);
    assert!(out.contains("Total reclaimed space: 100kB"), "{out}");
    assert_eq!(d.docker(&["images", "-aq"]).lines().count(), images - 1);
    let (_, out) = run("Dockerfile.big", &[]);
    assert_eq!(out.matches("Using cache").count(), 1, "{out}");
    let (_, out) = run("Dockerfile.small", &[]);
    assert_eq!(out.matches("Using cache").count(), 0, "{out}");

    // Without --all: every unshared record and its image; kept:1's stay.
    let out = prune(&[]);
    assert!(out.contains("Total reclaimed space: 300kB"), "{out}");
    assert_eq!(d.docker(&["images", "-aq"]).lines().count(), images - 2);
    let (ok, out) = run("Dockerfile", &["-t", "kept:1"]);
    assert!(ok && out.matches("Using cache").count() == 3, "{out}");

    // --all: kept:1's records too, its images untouched.
    let out = prune(&["--all"]);
    assert!(out.contains("Total reclaimed space: 0B"), "{out}");
    assert_eq!(d.docker(&["images", "-aq"]).lines().count(), images - 2);
    assert_eq!(
        d.docker(&["run", "--rm", "--network", "none", "kept:1"])
            .trim(),
        "kept"
    );
    let (ok, out) = run("Dockerfile", &["-t", "kept:1"]);
    assert!(ok && !out.contains("Using cache"), "{out}");

    let err = d.docker_fails(&["builder", "prune", "-f", "--keep-storage", "-1"]);
    assert!(!err.is_empty());
}
