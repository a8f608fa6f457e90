//! Images and volumes driven by the real docker CLI against engined, as an
//! operator would: import a busybox rootfs, list, inspect, tag, untag,
//! history, save / remove / load (same ID back), a pull from a registry
//! that is not there, prune; persistence across a restart; and the volume
//! commands (create, ls with filters, inspect, rm, prune).

use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;
use test_support::skip::{skip_reason, Need};

#[test]
fn docker_cli_images() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("images_cli");
    let Some(tar) = busybox_rootfs_tar(&dir) else {
        eprintln!("skipped: no busybox to build a rootfs from");
        return;
    };
    let tar = tar.to_str().unwrap().to_string();
    let mut d = Engined::start(&dir);

    let id = d.docker(&[
        "import",
        "--change",
        r#"CMD ["/bin/sh"]"#,
        "--change",
        "ENV MODE=test",
        "--change",
        "LABEL team=core",
        &tar,
        "mini",
    ]);
    let id = id.trim().to_string();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    let short = &id[7..19];

    let images = d.docker(&["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
    assert_eq!(images.trim(), format!("mini:latest {short}"));
    let inspect = d.docker(&[
        "image",
        "inspect",
        "mini",
        "--format",
        "{{.Id}} {{json .Config.Cmd}} {{json .Config.Env}} {{.Config.Labels.team}} {{.Os}} {{len .RootFS.Layers}}",
    ]);
    assert_eq!(
        inspect.trim(),
        format!(r#"{id} ["/bin/sh"] ["MODE=test"] core linux 1"#)
    );

    // Tags: a second name, listed, filtered, removed again.
    d.docker(&["tag", "mini", "mini:v2"]);
    let tags = d.docker(&["images", "mini", "--format", "{{.Tag}}"]);
    let mut tags: Vec<&str> = tags.lines().collect();
    tags.sort();
    assert_eq!(tags, vec!["latest", "v2"]);
    let filtered = d.docker(&["images", "-f", "reference=*:v2", "--format", "{{.Tag}}"]);
    assert_eq!(filtered.trim(), "v2");
    let labelled = d.docker(&["images", "-q", "-f", "label=team=core"]);
    assert_eq!(labelled.lines().collect::<Vec<_>>(), vec![short, short]);
    assert_eq!(
        d.docker(&["images", "-q", "-f", "label=team=web"]).trim(),
        ""
    );
    assert_eq!(d.docker(&["rmi", "mini:v2"]).trim(), "Untagged: mini:v2");
    // By ID with no -f while two names exist: refused.
    d.docker(&["tag", "mini", "other:1"]);
    let refused = d.docker_fails(&["rmi", short]);
    assert!(
        refused.contains("image is referenced in multiple repositories"),
        "{refused}"
    );
    d.docker(&["rmi", "other:1"]);

    let history = d.docker(&["history", "mini", "--format", "{{.ID}}|{{.Comment}}"]);
    assert_eq!(history.trim(), format!("{short}|Imported from -"));

    // A pull from a registry that is not there says where it failed
    // (pulls that work are in pull_cli; no test reaches off this machine).
    let pull = d.docker_fails(&["pull", "127.0.0.1:1/test/nothing"]);
    assert!(pull.contains("dial tcp 127.0.0.1:1"), "{pull}");

    // save, rmi, load: the same image comes back.
    let saved = dir.join("mini.tar");
    let saved = saved.to_str().unwrap();
    d.docker(&["save", "mini", "-o", saved]);
    let rmi = d.docker(&["rmi", "mini"]);
    assert!(rmi.contains("Untagged: mini:latest"), "{rmi}");
    assert!(rmi.contains(&format!("Deleted: {id}")), "{rmi}");
    assert_eq!(d.docker(&["images", "-q"]).trim(), "");
    let missing = d.docker_fails(&["image", "inspect", "mini"]);
    assert!(missing.contains("No such image: mini"), "{missing}");
    let loaded = d.docker(&["load", "-i", saved]);
    assert_eq!(loaded.trim(), "Loaded image: mini:latest");
    let back = d.docker(&[
        "image",
        "inspect",
        "mini",
        "--format",
        "{{.Id}} {{json .Config.Cmd}}",
    ]);
    assert_eq!(back.trim(), format!(r#"{id} ["/bin/sh"]"#));

    // An unnamed import is dangling; prune takes it and only it.
    let dangling = d.docker(&["import", &tar]);
    let dangling = dangling.trim().to_string();
    let listed = d.docker(&["images", "-q", "-f", "dangling=true", "--no-trunc"]);
    assert_eq!(listed.trim(), dangling);
    let pruned = d.docker(&["image", "prune", "-f"]);
    assert!(pruned.contains(&format!("deleted: {dangling}")), "{pruned}");
    assert_eq!(d.docker(&["images", "-q", "--no-trunc"]).trim(), id);

    // A restart finds the image again.
    d.stop();
    let d = Engined::start(&dir);
    let after = d.docker(&["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
    assert_eq!(after.trim(), format!("mini:latest {short}"));
    let info = d.docker(&["info", "--format", "{{.Images}}"]);
    assert_eq!(info.trim(), "1");
}

#[test]
fn docker_cli_volumes() {
    if let Some(why) = skip_reason(Need::DockerCli) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("volumes_cli");
    let d = Engined::start(&dir);

    assert_eq!(
        d.docker(&["volume", "create", "--label", "tier=db", "data"])
            .trim(),
        "data"
    );
    d.docker(&["volume", "create", "cache"]);
    let ls = d.docker(&["volume", "ls", "--format", "{{.Driver}} {{.Name}}"]);
    assert_eq!(
        ls.lines().collect::<Vec<_>>(),
        vec!["local cache", "local data"]
    );
    let by_label = d.docker(&["volume", "ls", "-q", "-f", "label=tier=db"]);
    assert_eq!(by_label.trim(), "data");
    let by_name = d.docker(&["volume", "ls", "-q", "-f", "name=cac"]);
    assert_eq!(by_name.trim(), "cache");

    let inspect = d.docker(&[
        "volume",
        "inspect",
        "data",
        "--format",
        "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.tier}} {{.Mountpoint}}",
    ]);
    let fields: Vec<&str> = inspect.split_whitespace().collect();
    assert_eq!(&fields[..4], &["data", "local", "local", "db"]);
    let mountpoint = std::path::Path::new(fields[4]);
    assert!(mountpoint.is_dir(), "{inspect}");
    assert!(mountpoint.starts_with(dir.join("data")), "{inspect}");

    let bad = d.docker_fails(&["volume", "create", "a"]);
    assert!(bad.contains("volume name is too short"), "{bad}");
    let missing = d.docker_fails(&["volume", "inspect", "nope"]);
    assert!(missing.contains("no such volume"), "{missing}");

    // prune -f takes anonymous volumes only; -a takes named ones too.
    let anonymous = d.docker(&["volume", "create"]);
    let anonymous = anonymous.trim();
    assert_eq!(anonymous.len(), 64);
    let pruned = d.docker(&["volume", "prune", "-f"]);
    assert!(pruned.contains(anonymous), "{pruned}");
    assert!(!pruned.contains("data"), "{pruned}");
    assert_eq!(d.docker(&["volume", "rm", "cache"]).trim(), "cache");
    assert!(!dir.join("data/volumes/cache").exists());
    let pruned = d.docker(&["volume", "prune", "-af"]);
    assert!(pruned.contains("data"), "{pruned}");
    assert_eq!(d.docker(&["volume", "ls", "-q"]).trim(), "");
}
