//! The one image root the tests import: a tar of a minimal busybox root
//! filesystem (`/bin/busybox` with the applets the tests use, `/etc/passwd`
//! and `/etc/group` with root and nobody, `/tmp`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// busybox-static's binary (Debian's `busybox-static`).
pub const BUSYBOX: &str = "/usr/bin/busybox";

/// The applets linked to `/bin/busybox`.
const APPLETS: &[&str] = &[
    "sh", "echo", "sleep", "cat", "ls", "true", "false", "id", "hostname", "env", "ps", "pwd",
    "trap", "kill", "touch", "ping", "ip", "wget", "httpd", "grep",
];

/// Builds the root in `dir/mini-rootfs` and its tar `dir/mini.tar`;
/// `None` without busybox-static or when a step fails.
pub fn busybox_rootfs_tar(dir: &Path) -> Option<PathBuf> {
    if !Path::new(BUSYBOX).exists() {
        return None;
    }
    let root = dir.join("mini-rootfs");
    for sub in ["bin", "etc", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).ok()?;
    }
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).ok()?;
    for applet in APPLETS {
        let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )
    .ok()?;
    std::fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n").ok()?;
    let tar = dir.join("mini.tar");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .ok()?
        .success();
    ok.then_some(tar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tar_holds_busybox_its_applets_and_the_users() {
        let dir = crate::scratch::fresh_dir("rootfs-unit");
        let Some(tar) = busybox_rootfs_tar(&dir) else {
            eprintln!("skipped: no busybox-static at {BUSYBOX}");
            crate::scratch::remove_dir(&dir);
            return;
        };
        let out = Command::new("tar").arg("-tvf").arg(&tar).output().unwrap();
        crate::scratch::remove_dir(&dir);
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{listing}");
        for want in [
            "./bin/busybox",
            "./bin/sh -> busybox",
            "./etc/passwd",
            "./etc/group",
        ] {
            assert!(listing.contains(want), "{want} missing from:\n{listing}");
        }
        assert!(listing
            .lines()
            .any(|l| l.starts_with('d') && l.ends_with("./tmp/")));
    }
}
