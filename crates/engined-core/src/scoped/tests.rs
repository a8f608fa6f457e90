//! The resolver against hostile trees: links out of the root (absolute,
//! relative, `..` chains), loops, magic links, links as last elements,
//! and a directory swapped for a link while a walk holds it.

use std::ffi::OsStr;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;

use super::*;

/// A root and a directory outside it (with a canary file), and links
/// in the root: `abs -> <outside>`, `up -> ../../../..`, `esc -> /../..`,
/// `etcl -> /etc`, `loop1 <-> loop2`, `fd -> /proc/self/fd/0`.
struct Tree {
    root: tempfile::TempDir,
    outside: tempfile::TempDir,
}

fn tree() -> Tree {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("canary"), "host").unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("etc")).unwrap();
    std::fs::write(r.join("etc/passwd"), "inside").unwrap();
    symlink(outside.path(), r.join("abs")).unwrap();
    symlink("../../../..", r.join("up")).unwrap();
    symlink("/../..", r.join("esc")).unwrap();
    symlink("/etc", r.join("etcl")).unwrap();
    symlink("loop2", r.join("loop1")).unwrap();
    symlink("/loop1", r.join("loop2")).unwrap();
    symlink("/proc/self/fd/0", r.join("fd")).unwrap();
    Tree { root, outside }
}

impl Tree {
    fn open(&self) -> Root {
        Root::new(self.root.path()).unwrap()
    }
    fn canary_intact(&self) {
        let text = std::fs::read_to_string(self.outside.path().join("canary")).unwrap();
        assert_eq!(text, "host");
        assert_eq!(std::fs::read_dir(self.outside.path()).unwrap().count(), 1);
    }
}

fn read(root: &Root, p: &str) -> std::result::Result<String, ScopedError> {
    let mut s = String::new();
    std::io::Read::read_to_string(&mut root.open(Path::new(p))?, &mut s).unwrap();
    Ok(s)
}

#[test]
fn links_and_dot_dot_stay_inside() {
    let t = tree();
    let r = t.open();
    assert_eq!(read(&r, "/etc/passwd").unwrap(), "inside");
    assert_eq!(read(&r, "../../../etc/passwd").unwrap(), "inside");
    assert_eq!(read(&r, "up/etc/passwd").unwrap(), "inside");
    assert_eq!(read(&r, "esc/etc/passwd").unwrap(), "inside");
    assert_eq!(read(&r, "etcl/passwd").unwrap(), "inside");
    // The absolute link names a host directory: inside the root it
    // does not exist.
    let e = read(&r, "abs/canary").unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(r.resolved(Path::new("up")).unwrap(), Path::new("."));
    assert_eq!(r.resolved(Path::new("etcl")).unwrap(), Path::new("etc"));
    t.canary_intact();
}

#[test]
fn loops_and_magic_links_are_refused() {
    let t = tree();
    let r = t.open();
    let e = r.metadata(Path::new("loop1/x"), Follow::Yes).unwrap_err();
    assert!(e.is_loop(), "{e}");
    assert!(r.open(Path::new("fd")).is_err());
    // A link to /proc inside the root is resolved in the root (missing).
    assert!(r.open(Path::new("/proc/self/root/etc/hostname")).is_err());
}

#[test]
fn writes_through_links_land_in_the_root() {
    let t = tree();
    let r = t.open();
    // `abs/new/file`: directories made in the root, never on the host.
    r.mkdir_all(Path::new("abs/new"), 0o755).unwrap_err();
    let hostish = t.outside.path().strip_prefix("/").unwrap();
    r.mkdir_all(&hostish.join("new"), 0o755).unwrap();
    r.create(Path::new("abs/new/file"), 0o644).unwrap();
    assert!(t.root.path().join(hostish).join("new/file").is_file());
    r.create(Path::new("up/top"), 0o600).unwrap();
    assert!(t.root.path().join("top").is_file());
    r.symlink(Path::new("/etc/shadow"), Path::new("esc/l"))
        .unwrap();
    assert_eq!(
        std::fs::read_link(t.root.path().join("l")).unwrap(),
        Path::new("/etc/shadow")
    );
    t.canary_intact();
}

#[test]
fn the_last_element_is_not_followed_by_changes() {
    let t = tree();
    let r = t.open();
    // Removing a link to the outside removes the link.
    r.remove(Path::new("abs")).unwrap();
    assert!(!t.root.path().join("abs").exists());
    // Creating over a link fails instead of writing through it.
    symlink(t.outside.path().join("canary"), t.root.path().join("f")).unwrap();
    let e = r.create(Path::new("f"), 0o644).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST));
    // stat without following sees the link; chmod/chown leave it alone.
    let m = r.metadata(Path::new("f"), Follow::No).unwrap();
    assert!(m.file_type().is_symlink());
    let (dir, name) = r.parent(Path::new("f")).unwrap();
    dir.chmod(&name, 0o777).unwrap();
    dir.chown(&name, 0, 0).unwrap();
    dir.set_mtime(&name, 1).unwrap();
    let canary = std::fs::metadata(t.outside.path().join("canary")).unwrap();
    assert_ne!(canary.mode() & 0o777, 0o777);
    assert_ne!(canary.mtime(), 1);
    // Opening a link for reading as an entry is refused.
    assert!(dir.open_file(&name).is_err());
    t.canary_intact();
}

#[test]
fn removal_never_descends_through_links() {
    let t = tree();
    let r = t.open();
    // A directory holding a link to the outside, removed whole.
    r.mkdir_all(Path::new("d/e"), 0o755).unwrap();
    symlink(t.outside.path(), t.root.path().join("d/e/out")).unwrap();
    std::fs::write(t.root.path().join("d/e/file"), "x").unwrap();
    r.remove(Path::new("d")).unwrap();
    assert!(!t.root.path().join("d").exists());
    // Emptying through a link to the outside empties the root's copy.
    r.dir(Path::new("etcl")).unwrap().clear().unwrap();
    assert_eq!(
        std::fs::read_dir(t.root.path().join("etc"))
            .unwrap()
            .count(),
        0
    );
    // Missing paths are fine to remove.
    r.remove(Path::new("nope/nope")).unwrap();
    t.canary_intact();
}

#[test]
fn hard_links_stay_in_the_root() {
    let t = tree();
    let r = t.open();
    r.hard_link(Path::new("etc/passwd"), Path::new("h"))
        .unwrap();
    let a = std::fs::metadata(t.root.path().join("h")).unwrap();
    let b = std::fs::metadata(t.root.path().join("etc/passwd")).unwrap();
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
    // Through a link on the way, the source is looked up in the root.
    let e = r
        .hard_link(Path::new("abs/canary"), Path::new("h2"))
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // A hard link to a symlink is a link to the symlink itself.
    r.hard_link(Path::new("abs"), Path::new("h3")).unwrap();
    assert!(std::fs::symlink_metadata(t.root.path().join("h3"))
        .unwrap()
        .file_type()
        .is_symlink());
    t.canary_intact();
}

#[test]
fn a_swapped_directory_does_not_redirect_a_walk() {
    let t = tree();
    let r = t.open();
    r.mkdir_all(Path::new("work"), 0o755).unwrap();
    let held = r.dir(Path::new("work")).unwrap();
    // The container renames the directory away and puts a link to the
    // outside in its place; the held descriptor still means the old one.
    std::fs::rename(t.root.path().join("work"), t.root.path().join("moved")).unwrap();
    symlink(t.outside.path(), t.root.path().join("work")).unwrap();
    held.create_file(OsStr::new("x"), 0o644).unwrap();
    assert!(t.root.path().join("moved/x").exists());
    // A fresh lookup follows the new link inside the root (missing there).
    assert!(r.create(Path::new("work/y"), 0o644).is_err());
    // Opening the swapped name as a directory entry refuses the link.
    let top = r.dir(Path::new("/")).unwrap();
    assert!(top.open_dir(OsStr::new("work")).is_err());
    t.canary_intact();
}

#[test]
fn fifos_are_refused_not_waited_on() {
    let t = tree();
    let r = t.open();
    let (dir, name) = r.parent(Path::new("etc/group")).unwrap();
    dir.mknod(&name, dir::Node::Fifo, 0o644, 0, 0).unwrap();
    let e = r.open(Path::new("etc/group")).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
    assert!(dir.open_file(&name).is_err());
}

#[test]
fn modes_and_bad_names() {
    let t = tree();
    let r = t.open();
    let (dir, _) = r.parent(Path::new("etc/x")).unwrap();
    dir.create_file(OsStr::new("s"), 0o755).unwrap();
    dir.chmod(OsStr::new("s"), 0o4755).unwrap();
    let m = std::fs::metadata(t.root.path().join("etc/s")).unwrap();
    assert_eq!(m.permissions().mode() & 0o7777, 0o4755);
    for bad in ["", ".", "..", "a/b"] {
        assert!(dir.create_file(OsStr::new(bad), 0o644).is_err(), "{bad:?}");
        assert!(dir.remove_all(OsStr::new(bad)).is_err(), "{bad:?}");
    }
    assert!(r.parent(Path::new("/")).is_err());
    assert!(r.parent(Path::new("a/..")).is_err());
    assert_eq!(
        r.read_dir(Path::new("etc")).unwrap(),
        ["passwd", "s"].map(std::ffi::OsString::from)
    );
}

#[test]
fn path_splitting() {
    use super::path::{clean, entry, split};
    assert_eq!(
        split(Path::new("/a/b/c")).unwrap(),
        (Path::new("a/b").to_path_buf(), "c".into())
    );
    assert_eq!(
        split(Path::new("c")).unwrap(),
        (Path::new(".").to_path_buf(), "c".into())
    );
    assert!(split(Path::new("/")).is_none());
    assert_eq!(clean(Path::new("/../a/./b/../c")), Path::new("a/c"));
    assert_eq!(entry(Path::new("./a/b")).unwrap(), Path::new("a/b"));
    assert!(entry(Path::new("a/../b")).is_none());
    assert!(entry(Path::new("/etc")).is_none());
    assert!(entry(Path::new("./")).is_none());
}
