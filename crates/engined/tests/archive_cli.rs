//! Files in and out of containers, end to end: the real docker CLI against
//! engined on real runc. `docker cp` both ways (a file, a directory, `-`
//! for tar on stdin/stdout) on a running and a stopped container, a
//! missing path's error, `docker export`, `docker diff` after an exec
//! changed files, copies through a symlink to `/../../` that stay in
//! the container, 100 copies in and out in a row without one failure
//! (no broken pipe), hard links kept as hard links both ways, and paths
//! under a volume or a bind mount reaching the mount's files (a link in
//! the mount stays in it; a read-only mount refuses writes).

use std::path::{Path, PathBuf};
use std::process::Command;

use test_support::docker_cli::DOCKER;
use test_support::engined::Engined;
use test_support::rootfs::busybox_rootfs_tar;
use test_support::skip::can_run_containers as can_run;

/// A started engined with the busybox image `mini` (plus a `/removed`
/// file for diff to miss) and a running container `name`; `None` (after
/// a notice) where containers cannot run.
fn setup(test: &str, name: &str) -> Option<Engined> {
    if !can_run() {
        return None;
    }
    let d = Engined::start(&Engined::test_dir(test));
    busybox_rootfs_tar(&d.dir).expect("busybox rootfs tar");
    let root = d.dir.join("mini-rootfs");
    std::fs::write(root.join("removed"), "doomed\n").unwrap();
    let mut image = tar::Builder::new(Vec::new());
    image.follow_symlinks(false);
    image.append_dir_all(".", &root).unwrap();
    let out = d.docker_with_input(&["import", "-", "mini"], &image.into_inner().unwrap());
    assert!(out.status.success(), "{out:?}");
    d.docker(&[
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    Some(d)
}

/// A fresh host directory for copies.
fn work(d: &Engined) -> PathBuf {
    let w = d.dir.join("work");
    std::fs::create_dir_all(&w).unwrap();
    w
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The names and contents of the regular files of a tar.
fn tar_files(bytes: &[u8]) -> Vec<(String, String)> {
    use std::io::Read;
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        if entry.header().entry_type().is_file() {
            entry.read_to_string(&mut text).unwrap();
        }
        out.push((name, text));
    }
    out
}

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n";

#[test]
fn cp_out_and_in_running_and_stopped() {
    let Some(d) = setup("archive_cli_cp", "box") else {
        return;
    };
    let w = work(&d);

    // Out: a file, then a directory (under a new name).
    d.docker(&["cp", "box:/etc/passwd", &format!("{}/", s(&w))]);
    assert_eq!(std::fs::read_to_string(w.join("passwd")).unwrap(), PASSWD);
    d.docker(&["cp", "box:/etc", s(&w.join("etc-copy"))]);
    assert_eq!(
        std::fs::read_to_string(w.join("etc-copy/group")).unwrap(),
        "root:x:0:\nnogroup:x:65534:\n"
    );

    // In: a file into a directory, a directory under a new name.
    std::fs::write(w.join("in.txt"), "copied in\n").unwrap();
    d.docker(&["cp", s(&w.join("in.txt")), "box:/tmp/"]);
    assert_eq!(
        d.docker(&["exec", "box", "cat", "/tmp/in.txt"]),
        "copied in\n"
    );
    std::fs::create_dir_all(w.join("indir/sub")).unwrap();
    std::fs::write(w.join("indir/sub/f"), "deep\n").unwrap();
    d.docker(&["cp", s(&w.join("indir")), "box:/tmp/outdir"]);
    assert_eq!(
        d.docker(&["exec", "box", "cat", "/tmp/outdir/sub/f"]),
        "deep\n"
    );

    // `-`: a tar on stdout, a tar from stdin.
    let out = d.docker_output(&["cp", "box:/etc/passwd", "-"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        tar_files(&out.stdout),
        vec![("passwd".to_string(), PASSWD.to_string())]
    );
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(6);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    builder
        .append_data(&mut header, "from-stdin", &b"stdin\n"[..])
        .unwrap();
    let input = builder.into_inner().unwrap();
    let out = d.docker_with_input(&["cp", "-", "box:/tmp"], &input);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        d.docker(&["exec", "box", "cat", "/tmp/from-stdin"]),
        "stdin\n"
    );

    // A path that does not exist.
    let err = d.docker_fails(&["cp", "box:/nope", s(&w)]);
    assert!(
        err.contains("Could not find the file /nope in container box"),
        "{err}"
    );
    // Into something that is not a directory.
    let err = d.docker_fails(&["cp", "-", "box:/etc/passwd"]);
    assert!(err.contains("must be a directory"), "{err}");

    // Stopped: both ways still work, and what went in is there at the next start.
    d.docker(&["stop", "-t", "1", "box"]);
    std::fs::write(w.join("later.txt"), "while stopped\n").unwrap();
    d.docker(&["cp", s(&w.join("later.txt")), "box:/later.txt"]);
    d.docker(&["cp", "box:/later.txt", s(&w.join("back.txt"))]);
    assert_eq!(
        std::fs::read_to_string(w.join("back.txt")).unwrap(),
        "while stopped\n"
    );
    d.docker(&["cp", "box:/tmp/in.txt", s(&w.join("in-back.txt"))]);
    assert_eq!(
        std::fs::read_to_string(w.join("in-back.txt")).unwrap(),
        "copied in\n"
    );
    d.docker(&["start", "box"]);
    assert_eq!(
        d.docker(&["exec", "box", "cat", "/later.txt"]),
        "while stopped\n"
    );
}

#[test]
fn export_and_diff() {
    let Some(d) = setup("archive_cli_export", "ch") else {
        return;
    };
    d.docker(&[
        "exec",
        "ch",
        "sh",
        "-c",
        "echo new > /new && busybox rm /removed && echo more >> /etc/passwd",
    ]);

    let diff = d.docker(&["diff", "ch"]);
    let lines: Vec<&str> = diff.lines().collect();
    for want in ["A /new", "C /etc", "C /etc/passwd", "D /removed"] {
        assert!(lines.contains(&want), "{want} missing from:\n{diff}");
    }
    assert!(
        !diff.contains("/proc") && !diff.contains("/etc/hostname"),
        "{diff}"
    );

    let script = format!("{} -H {} export ch | tar t", DOCKER, d.host());
    let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let listing = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = listing.lines().collect();
    assert!(names.contains(&"bin/busybox"), "{listing}");
    assert!(names.contains(&"new"), "{listing}");
    assert!(!names.contains(&"removed"), "{listing}");
    // The runtime's mounts (/proc) are not descended into.
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("proc/") && *n != "proc/"),
        "{listing}"
    );

    // A stopped container exports its files too.
    d.docker(&["stop", "-t", "1", "ch"]);
    let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l == "new"));
}

#[test]
fn symlinks_never_lead_out_of_the_container() {
    let Some(d) = setup("archive_cli_symlink", "esc") else {
        return;
    };
    d.docker(&["exec", "esc", "busybox", "ln", "-s", "/../../", "/tmp/esc"]);
    let w = work(&d);

    // In through the link: lands at the container's root, not the host's.
    let marker = format!("engined-archive-marker-{}", std::process::id());
    std::fs::write(w.join(&marker), "inside\n").unwrap();
    d.docker(&["cp", s(&w.join(&marker)), "esc:/tmp/esc/"]);
    assert!(
        !Path::new("/").join(&marker).exists(),
        "escaped to the host"
    );
    assert_eq!(
        d.docker(&["exec", "esc", "cat", &format!("/{marker}")]),
        "inside\n"
    );

    // Out through the link: the container's /etc/passwd, not the host's.
    d.docker(&["cp", "esc:/tmp/esc/etc/passwd", s(&w.join("passwd"))]);
    assert_eq!(std::fs::read_to_string(w.join("passwd")).unwrap(), PASSWD);
    let out = d.docker_output(&["cp", "esc:/tmp/esc/../../etc/passwd", "-"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(tar_files(&out.stdout)[0].1, PASSWD);
}

#[test]
fn a_hundred_copies_in_and_out_all_succeed() {
    let Some(d) = setup("archive_cli_repeat", "rep") else {
        return;
    };
    let w = work(&d);
    // Big enough that the client is still writing when the archive ends.
    let data: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(w.join("payload"), &data).unwrap();
    let mut failures = Vec::new();
    for i in 0..100 {
        let into = d.docker_output(&["cp", s(&w.join("payload")), &format!("rep:/tmp/p{i}")]);
        if !into.status.success() {
            failures.push(format!("in {i}: {}", String::from_utf8_lossy(&into.stderr)));
        }
        let back = w.join(format!("back{i}"));
        let out = d.docker_output(&["cp", &format!("rep:/tmp/p{i}"), s(&back)]);
        if !out.status.success() {
            failures.push(format!("out {i}: {}", String::from_utf8_lossy(&out.stderr)));
        } else {
            assert_eq!(std::fs::read_to_string(&back).unwrap(), data, "copy {i}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 200 failed: {failures:#?}",
        failures.len()
    );
}

#[test]
fn hard_links_stay_hard_links() {
    let Some(d) = setup("archive_cli_hardlinks", "hl") else {
        return;
    };
    // In: a tar with a file and a hard link to it.
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    builder
        .append_data(&mut header, "d/first", &b"hl\n"[..])
        .unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Link);
    link.set_size(0);
    link.set_mode(0o644);
    link.set_mtime(1_700_000_000);
    builder
        .append_link(&mut link, "d/second", "d/first")
        .unwrap();
    let input = builder.into_inner().unwrap();
    let out = d.docker_with_input(&["cp", "-", "hl:/tmp"], &input);
    assert!(out.status.success(), "{out:?}");
    let inodes = d.docker(&["exec", "hl", "ls", "-i", "/tmp/d/first", "/tmp/d/second"]);
    let numbers: Vec<&str> = inodes
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(numbers.len(), 2, "{inodes}");
    assert_eq!(numbers[0], numbers[1], "one file, two names: {inodes}");

    // Out: the second name comes back as a link to the first.
    let out = d.docker_output(&["cp", "hl:/tmp/d", "-"]);
    assert!(out.status.success(), "{out:?}");
    let mut archive = tar::Archive::new(&out.stdout[..]);
    let kinds: Vec<(String, tar::EntryType)> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.path().unwrap().display().to_string(),
                e.header().entry_type(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("d/second".to_string(), tar::EntryType::Link))
            || kinds.contains(&("d/first".to_string(), tar::EntryType::Link)),
        "{kinds:?}"
    );

    // A hard link climbing out of the destination is refused.
    let mut builder = tar::Builder::new(Vec::new());
    let mut bad = tar::Header::new_gnu();
    bad.set_entry_type(tar::EntryType::Link);
    bad.set_size(0);
    bad.set_mode(0o644);
    builder
        .append_link(&mut bad, "x", "../../../etc/shadow")
        .unwrap();
    let out = d.docker_with_input(&["cp", "-", "hl:/tmp"], &builder.into_inner().unwrap());
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("leaves the destination"), "{err}");
}

#[test]
fn volumes_and_bind_mounts_are_reached() {
    if !can_run() {
        return;
    }
    let d = Engined::start(&Engined::test_dir("archive_cli_mounts"));
    d.import_mini();
    let bind = d.dir.join("bind");
    let ro = d.dir.join("ro");
    std::fs::create_dir_all(&bind).unwrap();
    std::fs::create_dir_all(&ro).unwrap();
    std::fs::write(bind.join("from-host"), "host side\n").unwrap();
    // A link in the bind source pointing at the host's /etc: resolved in
    // the mount, never on the host.
    std::os::unix::fs::symlink("/etc", bind.join("etc")).unwrap();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "mnt",
        "--network",
        "none",
        "-v",
        "cpvol:/data",
        "-v",
        &format!("{}:/bind", s(&bind)),
        "-v",
        &format!("{}:/ro:ro", s(&ro)),
        "mini",
        "sleep",
        "1000",
    ]);
    let w = work(&d);
    std::fs::write(w.join("f"), "into the mount\n").unwrap();
    d.docker(&["cp", s(&w.join("f")), "mnt:/data/"]);
    d.docker(&["cp", s(&w.join("f")), "mnt:/bind/"]);
    assert_eq!(
        d.docker(&["exec", "mnt", "cat", "/data/f"]),
        "into the mount\n"
    );
    assert_eq!(
        d.docker(&["exec", "mnt", "cat", "/bind/f"]),
        "into the mount\n"
    );
    assert_eq!(
        std::fs::read_to_string(bind.join("f")).unwrap(),
        "into the mount\n"
    );
    // Out of the mount.
    d.docker(&["cp", "mnt:/bind/from-host", s(&w.join("back"))]);
    assert_eq!(
        std::fs::read_to_string(w.join("back")).unwrap(),
        "host side\n"
    );
    d.docker(&["exec", "mnt", "sh", "-c", "echo made inside > /data/inside"]);
    d.docker(&["cp", "mnt:/data/inside", s(&w.join("inside"))]);
    assert_eq!(
        std::fs::read_to_string(w.join("inside")).unwrap(),
        "made inside\n"
    );
    // Through the link in the bind: `/etc` inside the mount is the link
    // itself (a loop), never the host's /etc.
    let err = d.docker_fails(&["cp", "mnt:/bind/etc/passwd", "-"]);
    assert!(err.contains("symbolic links"), "{err}");
    let err = d.docker_fails(&["cp", s(&w.join("f")), "mnt:/bind/etc/"]);
    assert!(!err.is_empty());
    assert!(!Path::new("/etc/f").exists());
    // A read-only mount refuses writes.
    let err = d.docker_fails(&["cp", s(&w.join("f")), "mnt:/ro/"]);
    assert!(err.contains("read-only"), "{err}");
    assert!(!ro.join("f").exists());
    d.docker(&["rm", "-f", "mnt"]);
    d.docker(&["volume", "rm", "cpvol"]);
}
