//! The image store end to end on a temporary data root: import, tag,
//! resolve rules, delete, persistence across reopen, crash leftovers.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;
use engined_shim::atomic;

/// A two-file rootfs tar (`bin/sh`, `etc/hostname` holding `marker`),
/// for the image tests and the container verbs' tests.
pub(crate) fn rootfs_tar(dir: &Path, marker: &str, gzip: bool) -> PathBuf {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data, mode) in [
        ("bin/sh", b"#!/bin/true\n".as_slice(), 0o755),
        ("etc/hostname", marker.as_bytes(), 0o644),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(1_700_000_000);
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, data).unwrap();
    }
    let bytes = builder.into_inner().unwrap();
    let path = dir.join(format!("{marker}.tar{}", if gzip { ".gz" } else { "" }));
    let bytes = if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bytes).unwrap();
        enc.finish().unwrap()
    } else {
        bytes
    };
    fs::write(&path, bytes).unwrap();
    path
}

/// Puts the layer `tar` back into the blob store, as the store kept every
/// layer's tar before tar-splits.
fn keep_blob(data: &Path, tar: &Path) {
    let bytes = fs::read(tar).unwrap();
    let digest = super::blobs::digest_of(&bytes);
    fs::write(data.join("images/blobs/sha256").join(&digest[7..]), bytes).unwrap();
}

/// The layer blobs `archive` (a `docker save`) holds, by path.
fn saved_layers(archive: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut reader = tar::Archive::new(archive);
    for entry in reader.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if path.starts_with("blobs/sha256/") && bytes.len() >= 1024 {
            out.insert(path, bytes);
        }
    }
    out
}

#[test]
fn layers_keep_no_tar_and_save_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let tar = rootfs_tar(dir.path(), "split", false);
    let original = fs::read(&tar).unwrap();
    let diff = super::blobs::digest_of(&original);
    let id = import(&store, &tar, Some("split"), &[]);
    // Only the config is left in the blob store.
    let blobs = data.join("images/blobs/sha256");
    let names: Vec<_> = fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![id[7..].to_string()]);
    assert!(store.has_layer(&diff));
    assert_eq!(store.layer_tar_size(&diff).unwrap(), original.len() as u64);
    let save = |store: &ImageStore| {
        let image = store.get("split").unwrap();
        let mut archive = Vec::new();
        store.save(&[(image, vec![])], &mut archive).unwrap();
        saved_layers(&archive)
    };
    let layers = save(&store);
    assert_eq!(
        layers.get(&format!("blobs/sha256/{}", &diff[7..])),
        Some(&original)
    );
    // What a push uploads: the same bytes, in a spool file it removes.
    let file = store.layer_file(&diff).unwrap();
    assert_eq!(fs::read(&file.path).unwrap(), original);
    let spooled = file.path.clone();
    drop(file);
    assert!(!spooled.exists());

    // A changed file fails the save with the layer's error.
    let hostname = store_layer(&data, &id).join("etc/hostname");
    fs::write(&hostname, "SPLIT").unwrap();
    let image = store.get("split").unwrap();
    let e = store.save(&[(image, vec![])], &mut Vec::new()).unwrap_err();
    assert!(matches!(e, ImageError::Layer(_)), "{e}");
    fs::write(&hostname, "split").unwrap();

    // An upgraded data root: the layer has no tar-split but its blob.
    drop(store);
    let split = store_layer(&data, &id)
        .parent()
        .unwrap()
        .join("tar-split.gz");
    fs::remove_file(&split).unwrap();
    keep_blob(&data, &tar);
    let store = ImageStore::open(&data).unwrap();
    assert_eq!(save(&store).len(), 1);
    assert!(
        blobs.join(&diff[7..]).is_file(),
        "the blob stays its source"
    );
}

fn import(store: &ImageStore, tar: &Path, name: Option<&str>, changes: &[&str]) -> String {
    let options = ImportOptions {
        reference: name.map(|n| Reference::parse(n).unwrap()),
        changes: changes.iter().map(|s| s.to_string()).collect(),
        source: "-".into(),
        ..Default::default()
    };
    store.import(tar, &options).unwrap().0
}

/// Every name under `dir`, recursively, that looks temporary.
fn temps(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with(atomic::TEMP_PREFIX)
            {
                out.push(e.path());
            } else if e.file_type().unwrap().is_dir() && !e.path().ends_with("rootfs") {
                out.extend(temps(&e.path()));
            }
        }
    }
    out
}

/// How many layer directories the store under `data` holds.
fn layer_dirs(data: &Path) -> usize {
    fs::read_dir(data.join("images/layers"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().len() == 64)
        .count()
}

/// The top layer directory of image `id`, from its chain IDs.
fn store_layer(data: &Path, id: &str) -> PathBuf {
    let store = ImageStore::open(data).unwrap();
    let chain = store.get(id).unwrap().chain_ids().pop().unwrap();
    data.join("images/layers").join(&chain[7..]).join("diff")
}

#[test]
fn import_resolve_tag_delete_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let tar = rootfs_tar(dir.path(), "one", false);
    let id = import(
        &store,
        &tar,
        Some("mini"),
        &[r#"CMD ["/bin/sh"]"#, "ENV A=1"],
    );
    assert!(id.starts_with("sha256:") && id.len() == 71);

    let record = store.resolve("mini").unwrap();
    assert_eq!(record.id, id);
    assert_eq!(record.repo_tags, vec!["mini:latest"]);
    assert_eq!(
        record.config.cmd.as_deref(),
        Some(&["/bin/sh".to_string()][..])
    );
    assert_eq!(record.config.env.as_deref(), Some(&["A=1".to_string()][..]));
    assert_eq!(
        fs::read_to_string(record.layers[0].join("etc/hostname")).unwrap(),
        "one"
    );
    // Every form of the name finds it.
    let hex = &id[7..];
    for r in [
        "mini:latest".to_string(),
        "docker.io/library/mini".to_string(),
        id.clone(),
        hex.to_string(),
        hex[..12].to_string(),
        format!("sha256:{}", &hex[..5]),
    ] {
        assert_eq!(store.resolve(&r).map(|r| r.id), Some(id.clone()), "{r}");
    }
    assert!(store.resolve("mini:v2").is_none());
    assert!(store.resolve("other").is_none());

    // A gzip tar of the same content is the same layer.
    let gz = rootfs_tar(dir.path(), "one", true);
    let id_gz = import(&store, &gz, None, &[]);
    assert_ne!(id_gz, id, "configs differ (created time, config)");
    let layers = |i: &str| store.get(i).unwrap().layers().to_vec();
    assert_eq!(layers(&id), layers(&id_gz));

    store
        .tag("mini", Reference::parse("mini:v2").unwrap())
        .unwrap();
    assert_eq!(
        store.resolve("mini:v2").unwrap().repo_tags,
        vec!["mini:latest", "mini:v2"]
    );
    // Ambiguous short IDs resolve to nothing only if they collide; the
    // empty prefix is never an ID.
    assert!(store.resolve("sha256:").is_none());

    drop(store);
    let store = ImageStore::open(&data).unwrap();
    assert_eq!(store.count(), 2);
    let record = store.resolve("mini:v2").unwrap();
    assert_eq!(record.id, id);
    assert_eq!(
        record.config.cmd.as_deref(),
        Some(&["/bin/sh".to_string()][..])
    );
    assert!(store.get(&id).unwrap().meta.last_tag_time.is_some());

    // Removing the image with the shared layer keeps the layer for the other.
    store
        .untag(&[Reference::parse("mini:v2").unwrap()])
        .unwrap();
    let removed = store.remove_image(&id).unwrap();
    assert!(removed.is_empty(), "the layer is still used: {removed:?}");
    assert!(store.resolve("mini").is_none());
    // The layer directory too: the gzip import shares it.
    assert!(record.layers[0].join("etc/hostname").is_file());
    let removed = store.remove_image(&id_gz).unwrap();
    assert_eq!(removed.len(), 1);
    assert!(!record.layers[0].exists());
    assert_eq!(layer_dirs(&data), 0);
    assert_eq!(
        fs::read_dir(data.join("images/layers/l")).unwrap().count(),
        0
    );
    assert_eq!(store.count(), 0);
    let blobs = data.join("images/blobs/sha256");
    assert_eq!(fs::read_dir(&blobs).unwrap().count(), 0);
    assert_eq!(fs::read_dir(data.join("images/rootfs")).unwrap().count(), 0);
    assert!(temps(&data).is_empty(), "{:?}", temps(&data));
}

#[test]
fn a_bad_body_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let junk = dir.path().join("junk");
    fs::write(&junk, vec![1u8; 4096]).unwrap();
    let options = ImportOptions {
        reference: Some(Reference::parse("bad").unwrap()),
        source: "-".into(),
        ..Default::default()
    };
    assert!(matches!(
        store.import(&junk, &options),
        Err(ImageError::BadTar(_))
    ));
    assert_eq!(store.count(), 0);
    assert!(store.resolve("bad").is_none());
    assert!(temps(&data).is_empty(), "{:?}", temps(&data));
    let bad_change = ImportOptions {
        changes: vec!["RUN true".into()],
        ..Default::default()
    };
    let tar = rootfs_tar(dir.path(), "x", false);
    assert!(matches!(
        store.import(&tar, &bad_change),
        Err(ImageError::BadChange(_))
    ));
}

#[test]
fn open_cleans_up_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let tar = rootfs_tar(dir.path(), "keep", false);
    let id = import(&store, &tar, Some("keep"), &[]);
    let hex = id[7..].to_string();
    drop(store);
    let images = data.join("images");
    // What a crash mid-import or mid-delete leaves: a temp blob, a half
    // unpacked layer, an orphan layer blob and layer directory with its
    // link, a link to nothing, an old rootfs of a gone image.
    fs::write(
        atomic::temp_path(&images.join("blobs/sha256"), "blob"),
        b"half",
    )
    .unwrap();
    fs::create_dir_all(atomic::temp_path(&images.join("layers"), "layer").join("diff/bin"))
        .unwrap();
    let orphan = format!("{:0>64}", "ab");
    fs::write(images.join("blobs/sha256").join(&orphan), b"orphan").unwrap();
    fs::create_dir_all(images.join("layers").join(&orphan).join("diff")).unwrap();
    let links = images.join("layers/l");
    std::os::unix::fs::symlink(format!("../{orphan}/diff"), links.join("ORPHAN")).unwrap();
    std::os::unix::fs::symlink("../nothing/diff", links.join("DANGLING")).unwrap();
    fs::create_dir_all(images.join("rootfs").join(&orphan)).unwrap();
    // A layer directory removed by hand is unpacked again, from the blob
    // a store before tar-splits kept.
    keep_blob(&data, &tar);
    let layer = store_layer(&data, &id);
    fs::remove_dir_all(layer.parent().unwrap()).unwrap();

    let store = ImageStore::open(&data).unwrap();
    assert_eq!(store.resolve("keep").map(|r| r.id), Some(id.clone()));
    assert!(layer.join("etc/hostname").is_file());
    assert!(!images.join("blobs/sha256").join(&orphan).exists());
    assert!(!images.join("layers").join(&orphan).exists());
    assert!(!links.join("ORPHAN").exists() && !links.join("DANGLING").exists());
    assert_eq!(fs::read_dir(&links).unwrap().count(), 1);
    assert!(!images.join("rootfs").join(&orphan).exists());
    assert!(temps(&data).is_empty(), "{:?}", temps(&data));

    // An image whose config blob vanished is dropped with its tags.
    drop(store);
    fs::remove_file(images.join("blobs/sha256").join(&hex)).unwrap();
    let store = ImageStore::open(&data).unwrap();
    assert_eq!(store.count(), 0);
    assert!(store.resolve("keep").is_none());
    assert_eq!(
        fs::read_dir(images.join("blobs/sha256")).unwrap().count(),
        0
    );
}

#[test]
fn delete_follows_dockers_rules() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::open(&dir.path().join("data")).unwrap();
    let tar = rootfs_tar(dir.path(), "d", false);
    let id = import(&store, &tar, Some("mini"), &[]);
    store
        .tag("mini", Reference::parse("mini:v2").unwrap())
        .unwrap();
    let container = "c0ffee".repeat(10) + "abcd";
    let stopped = |_: &str| {
        Some(ImageUser {
            container_id: container.clone(),
            running: false,
        })
    };
    let running = |_: &str| {
        Some(ImageUser {
            container_id: container.clone(),
            running: true,
        })
    };
    let unused = |_: &str| None;

    // One of two names: just untagged, whoever uses the image.
    assert_eq!(
        store.delete("mini:v2", false, &stopped).unwrap(),
        vec![Removed::Untagged("mini:v2".into())]
    );
    // The last name of a used image needs force.
    let err = store
        .delete("mini", false, &stopped)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("conflict: unable to remove repository reference \"mini\" (must force) - container c0ffeec0ffee is using its referenced image"),
        "{err}"
    );
    let err = store.delete(&id, false, &stopped).unwrap_err().to_string();
    assert!(
        err.ends_with("(must be forced) - image is being used by stopped container c0ffeec0ffee"),
        "{err}"
    );
    let err = store.delete(&id, true, &running).unwrap_err().to_string();
    assert!(
        err.ends_with("(cannot be forced) - image is being used by running container c0ffeec0ffee"),
        "{err}"
    );
    // Forced by name while running: the name goes, the image stays.
    assert_eq!(
        store.delete("mini", true, &running).unwrap(),
        vec![Removed::Untagged("mini:latest".into())]
    );
    assert!(store.resolve(&id).is_some());
    // Unused: by ID it goes, with its layer.
    let removed = store.delete(&id[7..19], false, &unused).unwrap();
    assert_eq!(removed[0], Removed::Deleted(id.clone()));
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(store.resolve(&id).is_none());
    assert!(
        matches!(store.delete("mini", false, &unused), Err(ImageError::NotFound(m)) if m == "mini:latest")
    );
}

#[test]
fn delete_by_digest_forgets_the_digest_then_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::open(&dir.path().join("data")).unwrap();
    let tar = rootfs_tar(dir.path(), "g", false);
    let id = import(&store, &tar, Some("reg.example/app:v1"), &[]);
    let digest = format!("sha256:{}", "ab".repeat(32));
    let other = format!("sha256:{}", "cd".repeat(32));
    {
        let _writer = store.writer();
        store
            .add_repo_digest(&id, &format!("reg.example/app@{digest}"))
            .unwrap();
        store
            .add_repo_digest(&id, &format!("reg.example/other@{other}"))
            .unwrap();
    }
    let unused = |_: &str| None;
    // A tag and another digest remain: only this digest goes.
    assert_eq!(
        store
            .delete(&format!("reg.example/app@{digest}"), false, &unused)
            .unwrap(),
        vec![Removed::Untagged(format!("reg.example/app@{digest}"))]
    );
    assert_eq!(
        store.get(&id).unwrap().meta.repo_digests,
        vec![format!("reg.example/other@{other}")]
    );
    assert!(store
        .delete(&format!("reg.example/app@{digest}"), false, &unused)
        .is_err());
    // The last tag: the image goes, and the digests it still had with it.
    let removed = store.delete("reg.example/app:v1", false, &unused).unwrap();
    assert!(
        removed.contains(&Removed::Deleted(id.clone())),
        "{removed:?}"
    );
    assert!(store.resolve(&id).is_none());
}

#[test]
fn delete_by_its_last_digest_removes_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::open(&dir.path().join("data")).unwrap();
    let tar = rootfs_tar(dir.path(), "h", false);
    let id = import(&store, &tar, None, &[]);
    let digest = format!("sha256:{}", "ef".repeat(32));
    {
        let _writer = store.writer();
        store
            .add_repo_digest(&id, &format!("reg.example/app@{digest}"))
            .unwrap();
    }
    let removed = store
        .delete(&format!("reg.example/app@{digest}"), false, &|_: &str| None)
        .unwrap();
    assert_eq!(
        removed[0],
        Removed::Untagged(format!("reg.example/app@{digest}"))
    );
    assert_eq!(removed[1], Removed::Deleted(id.clone()));
    assert!(store.resolve(&id).is_none());
}

#[test]
fn save_then_load_gives_the_same_image() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::open(&dir.path().join("data")).unwrap();
    let tar = rootfs_tar(dir.path(), "s", false);
    let id = import(&store, &tar, Some("mini"), &[r#"CMD ["/bin/sh"]"#]);
    let image = store.get("mini").unwrap();
    let mut archive = Vec::new();
    store
        .save(
            &[(image, vec![Reference::parse("mini").unwrap()])],
            &mut archive,
        )
        .unwrap();
    let saved = dir.path().join("saved.tar");
    fs::write(&saved, &archive).unwrap();

    // Into another store: classic manifest.json.
    let other = ImageStore::open(&dir.path().join("other")).unwrap();
    let loaded = other.load(&saved).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].id, id);
    assert_eq!(loaded[0].tags, vec![Reference::parse("mini").unwrap()]);
    let record = other.resolve("mini").unwrap();
    assert_eq!(
        record.config.cmd.as_deref(),
        Some(&["/bin/sh".to_string()][..])
    );
    assert_eq!(
        fs::read_to_string(record.layers[0].join("etc/hostname")).unwrap(),
        "s"
    );

    // The same archive without manifest.json is read as an OCI layout.
    let mut reader = tar::Archive::new(&archive[..]);
    let mut oci = tar::Builder::new(Vec::new());
    for entry in reader.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        if path.as_os_str() == "manifest.json" || path.as_os_str() == "repositories" {
            continue;
        }
        let mut header = entry.header().clone();
        oci.append_data(&mut header, &path, &mut entry).unwrap();
    }
    let oci_path = dir.path().join("oci.tar");
    fs::write(&oci_path, oci.into_inner().unwrap()).unwrap();
    let third = ImageStore::open(&dir.path().join("third")).unwrap();
    let loaded = third.load(&oci_path).unwrap();
    assert_eq!(loaded[0].id, id);
    assert_eq!(third.resolve("mini:latest").map(|r| r.id), Some(id.clone()));

    // A layer that does not match the config's diff ID is refused.
    let mut bad = tar::Builder::new(Vec::new());
    let mut reader = tar::Archive::new(&archive[..]);
    let layer_hex = store.get("mini").unwrap().layers()[0][7..].to_string();
    for entry in reader.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        let mut header = entry.header().clone();
        if path.ends_with(&layer_hex) {
            let other_layer = fs::read(rootfs_tar(dir.path(), "evil", false)).unwrap();
            header.set_size(other_layer.len() as u64);
            header.set_cksum();
            bad.append_data(&mut header, &path, &other_layer[..])
                .unwrap();
        } else {
            bad.append_data(&mut header, &path, &mut entry).unwrap();
        }
    }
    let bad_path = dir.path().join("bad.tar");
    fs::write(&bad_path, bad.into_inner().unwrap()).unwrap();
    let fourth = ImageStore::open(&dir.path().join("fourth")).unwrap();
    let err = fourth.load(&bad_path).unwrap_err().to_string();
    assert!(err.contains("invalid diffID for layer 0"), "{err}");
    assert_eq!(fourth.count(), 0);
    assert!(temps(&dir.path().join("fourth")).is_empty());
    let blobs = dir.path().join("fourth/images/blobs/sha256");
    assert_eq!(fs::read_dir(blobs).unwrap().count(), 0, "no orphan blob");
}

/// A plain layer tar at `dir/<name>.tar` of `entries` (path, content;
/// `None` for a directory).
fn layer_tar(dir: &Path, name: &str, entries: &[(&str, Option<&str>)]) -> PathBuf {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(1_700_000_000);
        match data {
            Some(data) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                builder
                    .append_data(&mut header, path, data.as_bytes())
                    .unwrap();
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                header.set_mode(0o755);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
        }
    }
    let path = dir.join(format!("{name}.tar"));
    fs::write(&path, builder.into_inner().unwrap()).unwrap();
    path
}

/// An image on top of `base` with one more layer, `layer`.
fn child(store: &ImageStore, base: &str, layer: &Path, name: &str) -> String {
    let config = store.get(base).unwrap().config.clone();
    let reference = Some(Reference::parse(name).unwrap());
    store.add_child(config, Some(layer), reference).unwrap().0
}

#[test]
fn images_sharing_a_base_store_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let base = import(
        &store,
        &rootfs_tar(dir.path(), "base", false),
        Some("base"),
        &[],
    );
    let one = layer_tar(dir.path(), "one", &[("etc/", None), ("etc/one", Some("1"))]);
    let two = layer_tar(
        dir.path(),
        "two",
        &[
            ("etc/", None),
            ("etc/.wh.hostname", Some("")),
            ("bin/.wh..wh..opq", Some("")),
        ],
    );
    let a = child(&store, &base, &one, "a");
    let b = child(&store, &base, &two, "b");
    // base, a's layer, b's layer: three directories, not five.
    assert_eq!(layer_dirs(&data), 3);
    let (ra, rb) = (store.resolve("a").unwrap(), store.resolve("b").unwrap());
    assert_eq!(ra.layers.len(), 2);
    assert_eq!(ra.layers[0], rb.layers[0], "one base directory");
    assert_eq!(
        fs::read_to_string(ra.layers[1].join("etc/one")).unwrap(),
        "1"
    );
    // b's whiteouts are in overlayfs' form.
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let wh = fs::symlink_metadata(rb.layers[1].join("etc/hostname")).unwrap();
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    let mut value = [0u8; 1];
    let bin = fs::File::open(rb.layers[1].join("bin")).unwrap();
    assert_eq!(
        rustix::fs::fgetxattr(&bin, super::unpack::OPAQUE_XATTR, &mut value).unwrap(),
        1
    );
    assert_eq!(&value, b"y");
    // Removing a keeps the base for b; removing b and base empties the store.
    store.untag(&[Reference::parse("a").unwrap()]).unwrap();
    store.remove_image(&a).unwrap();
    assert_eq!(layer_dirs(&data), 2);
    assert!(rb.layers[0].join("etc/hostname").is_file());
    store.untag(&[Reference::parse("b").unwrap()]).unwrap();
    store.remove_image(&b).unwrap();
    assert_eq!(layer_dirs(&data), 1, "base is still an image");
    store.untag(&[Reference::parse("base").unwrap()]).unwrap();
    store.remove_image(&base).unwrap();
    assert_eq!(layer_dirs(&data), 0);
    assert!(temps(&data).is_empty(), "{:?}", temps(&data));
}

#[test]
fn an_image_of_no_layers_has_no_layer_directories() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let (id, _) = store
        .add_child(
            ImageConfig::default(),
            None,
            Some(Reference::parse("empty").unwrap()),
        )
        .unwrap();
    let record = store.resolve("empty").unwrap();
    assert_eq!(record.id, id);
    assert!(record.layers.is_empty());
    drop(store);
    let store = ImageStore::open(&data).unwrap();
    assert!(store.resolve("empty").unwrap().layers.is_empty());
}

#[test]
fn a_data_root_of_flattened_images_gets_its_layers_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = ImageStore::open(&data).unwrap();
    let id = import(
        &store,
        &rootfs_tar(dir.path(), "old", false),
        Some("old"),
        &[],
    );
    drop(store);
    // What the store before layers left: no layers folder, and one
    // flattened rootfs per image.
    let images = data.join("images");
    fs::remove_dir_all(images.join("layers")).unwrap();
    keep_blob(&data, &rootfs_tar(dir.path(), "old", false));
    let legacy = images.join("rootfs").join(&id[7..]);
    fs::create_dir_all(legacy.join("etc")).unwrap();
    fs::write(legacy.join("etc/hostname"), "old").unwrap();

    let store = ImageStore::open(&data).unwrap();
    let record = store.resolve("old").unwrap();
    assert_eq!(
        fs::read_to_string(record.layers[0].join("etc/hostname")).unwrap(),
        "old"
    );
    // Containers made before the upgrade still find the old rootfs,
    // until the image goes.
    assert!(legacy.join("etc/hostname").is_file());
    assert_eq!(store.get("old").unwrap().layer_sizes, vec![12 + 3]);
    store.untag(&[Reference::parse("old").unwrap()]).unwrap();
    store.remove_image(&id).unwrap();
    assert!(!legacy.exists());
    assert_eq!(layer_dirs(&data), 0);
}
