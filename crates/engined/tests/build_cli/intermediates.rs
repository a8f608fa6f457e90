//! A build's intermediate images and its cache through the CLI: `docker
//! images` hides the untagged parents (`-a` lists them, as dockerd), a
//! dangling prune keeps them while the tagged result stands and takes the
//! whole chain once it is gone, and never deletes an image another is
//! built on; `docker builder prune` filters select
//! records by description, type, use and sharing, and records under a
//! tagged image go only with `--all`.

use super::{build, s, setup, text};

const STEPS: &str =
    "FROM mini\nENV STEP=one\nRUN echo built > /built.txt\nCMD [\"cat\", \"/built.txt\"]\n";

/// The image IDs `docker images` prints with `args`.
fn ids(d: &test_support::engined::Engined, args: &[&str]) -> Vec<String> {
    let mut all = vec!["images", "-q", "--no-trunc"];
    all.extend_from_slice(args);
    d.docker(&all).lines().map(str::to_string).collect()
}

#[test]
fn intermediates_are_hidden_and_kept_while_a_child_stands() {
    let Some(d) = setup("build_cli_intermediates") else {
        return;
    };
    let ctx = d.dir.join("ctx-steps");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), STEPS).unwrap();
    let out = build(&d, &["--network", "none", "-t", "steps:1", s(&ctx)]);
    assert!(out.status.success(), "{}\n{}", text(&out), d.log());
    let result = d.docker(&["image", "inspect", "-f", "{{.Id}}", "steps:1"]);
    let result = result.trim();

    // mini and the result; the three steps below the result only with -a.
    let top = ids(&d, &[]);
    assert_eq!(top.len(), 2, "{top:?}");
    assert!(top.iter().any(|i| i == result), "{top:?}");
    let all = ids(&d, &["-a"]);
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(!d.docker(&["images"]).contains("<none>"));
    assert_eq!(
        ids(&d, &["--filter", "dangling=true"]),
        Vec::<String>::new()
    );
    // The result names the step below it as its parent.
    let parent = d.docker(&["image", "inspect", "-f", "{{.Parent}}", "steps:1"]);
    assert!(all.iter().any(|i| i == parent.trim()), "{parent} {all:?}");

    // A step another image is built on stays, even forced, as in dockerd;
    // the base image's name goes, its image stays under the build.
    for rmi in [&["rmi", parent.trim()][..], &["rmi", "-f", parent.trim()]] {
        let refused = d.docker_fails(rmi);
        assert!(
            refused.contains("(cannot be forced) - image has dependent child images"),
            "{refused}"
        );
    }
    let base = d.docker(&["image", "inspect", "-f", "{{.Id}}", "mini"]);
    let untagged = d.docker(&["rmi", "mini"]);
    assert!(untagged.contains("Untagged: mini:latest"), "{untagged}");
    assert!(!untagged.contains("Deleted:"), "{untagged}");
    assert_eq!(ids(&d, &["-a"]), all);
    d.docker(&["tag", base.trim(), "mini"]);

    // A dangling prune leaves the chain under a tagged image.
    let pruned = d.docker(&["image", "prune", "-f"]);
    assert!(!pruned.contains("deleted:"), "{pruned}");
    assert_eq!(ids(&d, &["-a"]), all);
    let again = build(&d, &["--network", "none", s(&ctx)]);
    assert!(text(&again).contains("Using cache"), "{}", text(&again));

    // Untagged, the result is dangling; one prune takes it and its steps.
    d.docker(&["tag", "steps:1", "keep:1"]);
    d.docker(&["rmi", "steps:1"]);
    assert_eq!(ids(&d, &["-a"]).len(), 4);
    d.docker(&["rmi", "keep:1"]);
    let pruned = d.docker(&["image", "prune", "-f"]);
    assert!(pruned.contains("Total reclaimed space"), "{pruned}");
    let left = ids(&d, &["-a"]);
    assert_eq!(left.len(), 1, "{left:?}\n{pruned}");
    assert_eq!(
        d.docker(&["images", "--format", "{{.Repository}}"]).trim(),
        "mini"
    );
}

#[test]
fn builder_prune_filters_select_records() {
    let Some(d) = setup("build_cli_prune_filters") else {
        return;
    };
    let ctx = d.dir.join("ctx-prune");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), STEPS).unwrap();
    let cached = |d: &test_support::engined::Engined| {
        let out = build(d, &["--network", "none", "-t", "p:1", s(&ctx)]);
        assert!(out.status.success(), "{}", text(&out));
        text(&out).matches("Using cache").count()
    };
    assert_eq!(cached(&d), 0);
    assert_eq!(cached(&d), 3);

    // Every record is under the tagged p:1, so shared: a prune without
    // `--all` leaves them, as BuildKit's leaves records images hold.
    for filter in ["type=regular", "shared=true"] {
        let out = d.docker(&["builder", "prune", "-f", "--filter", filter]);
        assert!(out.contains("Total reclaimed space: 0B"), "{filter}: {out}");
        assert_eq!(cached(&d), 3, "{filter}");
    }
    // Filters that match no record leave the cache whole.
    for filter in [
        "description=nothing-like-this",
        "type=exec.cachemount",
        "inuse=true",
        "id=ffffffff",
        "private=true",
    ] {
        let out = d.docker(&["builder", "prune", "-f", "--all", "--filter", filter]);
        assert!(out.contains("Total reclaimed space: 0B"), "{filter}: {out}");
        assert_eq!(cached(&d), 3, "{filter}");
    }
    let err = d.docker_fails(&["builder", "prune", "-f", "--filter", "colour=red"]);
    assert!(err.contains("invalid filter 'colour'"), "{err}");
    let err = d.docker_fails(&["builder", "prune", "-f", "--filter", "shared=maybe"]);
    assert!(err.contains("invalid filter 'shared=maybe'"), "{err}");
    assert_eq!(cached(&d), 3);

    // The RUN step's record alone: that step and the one after rebuild;
    // the images stay (p:1 stands on them), so nothing is reclaimed.
    let out = d.docker(&[
        "builder",
        "prune",
        "-f",
        "--all",
        "--filter",
        "description=echo built",
    ]);
    assert!(out.contains("Total reclaimed space: 0B"), "{out}");
    assert_eq!(cached(&d), 1);
    // Every record is `regular`, shared and none is in use.
    d.docker(&[
        "builder",
        "prune",
        "-f",
        "--all",
        "--filter",
        "type=regular",
        "--filter",
        "inuse=false",
        "--filter",
        "shared=true",
    ]);
    assert_eq!(cached(&d), 0);
    assert_eq!(
        d.docker(&["run", "--rm", "--network", "none", "p:1"])
            .trim(),
        "built"
    );
}
