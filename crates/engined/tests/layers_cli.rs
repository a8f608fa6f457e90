//! The layer store through the real docker CLI: two images built on one
//! imported base keep the base on disk once (counted as directories of
//! `<data-root>/images/layers`), `docker system df -v` shows it as
//! shared, `rmi` removes a layer only when no image stacks it any more,
//! and a container keeps its image's layers until it is removed. Then
//! `docker save` / `docker load` both ways with Debian's dockerd: the same
//! image ID on each side, engined's side rebuilding each layer's tar from
//! its files (the blob store keeps image configs, no layer tars).

use std::path::Path;
use std::process::{Command, Output};

use test_support::dockerd::Dockerd;
use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;
use test_support::skip::{skip_reason, Need};

const DOCKER: &str = "docker";

/// `DOCKER_BUILDKIT=0 docker -H host build -t tag` of a context holding
/// `file` (named `name`) and a Dockerfile copying it onto `base`.
fn build_on(host: &str, dir: &Path, base: &str, name: &str, tag: &str) -> Output {
    let context = dir.join(format!("ctx-{tag}"));
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join(name), format!("{name}\n")).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        format!("FROM {base}\nCOPY {name} /{name}\n"),
    )
    .unwrap();
    Command::new(DOCKER)
        .env("DOCKER_BUILDKIT", "0")
        .args(["-H", host, "build", "-q", "-t", tag])
        .arg(&context)
        .output()
        .unwrap()
}

fn built(out: Output) {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The blobs of engined's store under `dir` that are not JSON (image
/// configs are; a layer tar is not).
fn tar_blobs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("data/images/blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !std::fs::read(p).unwrap().starts_with(b"{"))
        .map(|p| p.display().to_string())
        .collect()
}

/// The chain directories of the layer store under `dir` (engined's test
/// directory).
fn layer_dirs(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("data/images/layers"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().len() == 64)
        .count()
}

#[test]
fn images_share_their_base_layer() {
    if let Some(why) = skip_reason(Need::Containers) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("layers_cli");
    let Some(tar) = busybox_rootfs_tar(&dir) else {
        eprintln!("skipped: no busybox to build a rootfs from");
        return;
    };
    let d = Engined::start(&dir);
    d.docker(&["import", tar.to_str().unwrap(), "base"]);
    assert_eq!(layer_dirs(&dir), 1);
    built(build_on(&d.host(), &dir, "base", "a", "img-a"));
    built(build_on(&d.host(), &dir, "base", "b", "img-b"));
    // The base once, plus each image's own layer; no layer tar beside.
    assert_eq!(layer_dirs(&dir), 3);
    assert_eq!(tar_blobs(&dir), Vec::<String>::new());
    let layers = d.docker(&[
        "image",
        "inspect",
        "img-a",
        "--format",
        "{{len .RootFS.Layers}}",
    ]);
    assert_eq!(layers.trim(), "2");

    // system df: the base counts toward each image's shared size, and
    // once toward the total.
    let df = d.docker(&[
        "system",
        "df",
        "-v",
        "--format",
        "{{range .Images}}{{.Repository}} {{.SharedSize}} {{.UniqueSize}}\n{{end}}",
    ]);
    let row = |name: &str| -> Vec<String> {
        df.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {df}"))
            .split(' ')
            .skip(1)
            .map(String::from)
            .collect()
    };
    let (a, base) = (row("img-a"), row("base"));
    assert_eq!(a[0], base[0], "the shared part is the base: {df}");
    assert_ne!(a[0], "0B", "{df}");
    assert_eq!(base[1], "0B", "all of base is shared: {df}");
    assert_ne!(a[1], "0B", "img-a has a layer of its own: {df}");

    // rmi img-a: its own layer goes, the base stays for img-b.
    d.docker(&["rmi", "img-a"]);
    assert_eq!(layer_dirs(&dir), 2);
    // A container of img-b keeps img-b's layers through rmi -f.
    d.docker(&["create", "--name", "keeper", "img-b", "cat", "/b"]);
    d.docker(&["rmi", "-f", "img-b"]);
    assert_eq!(layer_dirs(&dir), 2);
    let out = d.docker(&["start", "-a", "keeper"]);
    assert_eq!(out.trim(), "b");
    d.docker(&["rm", "keeper"]);
    d.docker(&["image", "prune", "-f"]);
    assert_eq!(layer_dirs(&dir), 1, "img-b's layer went with it");
    d.docker(&["rmi", "base"]);
    assert_eq!(layer_dirs(&dir), 0);
}

/// The ID `docker image inspect` gives for `name` on `host`.
fn image_id(host: &str, name: &str) -> String {
    let out = Command::new(DOCKER)
        .args(["-H", host, "image", "inspect", "--format", "{{.Id}}", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `docker -H from save name | docker -H to load`.
fn save_into(from: &str, to: &str, name: &str, file: &Path) {
    let save = Command::new(DOCKER)
        .args(["-H", from, "save", "-o"])
        .arg(file)
        .arg(name)
        .output()
        .unwrap();
    assert!(
        save.status.success(),
        "{}",
        String::from_utf8_lossy(&save.stderr)
    );
    let load = Command::new(DOCKER)
        .args(["-H", to, "load", "-i"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
}

#[test]
fn save_and_load_with_dockerd_keep_the_image_id() {
    if let Some(why) = skip_reason(Need::Containers) {
        eprintln!("skipped: {why}");
        return;
    }
    let Some(dockerd) = Dockerd::start("layers-save") else {
        return;
    };
    let dir = Engined::test_dir("layers_save");
    let Some(tar) = busybox_rootfs_tar(&dir) else {
        eprintln!("skipped: no busybox to build a rootfs from");
        return;
    };
    let d = Engined::start(&dir);
    let (ours, theirs) = (d.host(), dockerd.host());

    // engined -> dockerd: a two-layer image.
    d.docker(&["import", tar.to_str().unwrap(), "base"]);
    built(build_on(&ours, &dir, "base", "e", "from-engined"));
    let id = image_id(&ours, "from-engined");
    save_into(&ours, &theirs, "from-engined", &dir.join("engined.tar"));
    assert_eq!(image_id(&theirs, "from-engined"), id);

    // dockerd -> engined: dockerd's own two-layer image.
    dockerd.docker(&["import", tar.to_str().unwrap(), "dbase"]);
    built(build_on(&theirs, &dir, "dbase", "f", "from-dockerd"));
    let id = image_id(&theirs, "from-dockerd");
    save_into(&theirs, &ours, "from-dockerd", &dir.join("dockerd.tar"));
    assert_eq!(image_id(&ours, "from-dockerd"), id);
    let out = d.docker(&["run", "--rm", "from-dockerd", "cat", "/f"]);
    assert_eq!(out.trim(), "f");
    assert_eq!(tar_blobs(&dir), Vec::<String>::new());

    // And back: dockerd checks each rebuilt layer against its diff ID.
    dockerd.docker(&["rmi", "from-dockerd"]);
    save_into(&ours, &theirs, "from-dockerd", &dir.join("back.tar"));
    assert_eq!(image_id(&theirs, "from-dockerd"), id);
}
