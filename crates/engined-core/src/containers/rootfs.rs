//! Each container's writable root filesystem over its image's read-only
//! one: an overlay mount (`overlay2`: lowerdir = the image's rootfs,
//! upper/work in the container's directory, mounted in the bundle at
//! start) when the kernel offers it, else a full copy made at create
//! (`vfs`).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::supervisor::sys;

/// The storage driver names, as `docker info`/`inspect` show them.
pub const OVERLAY: &str = "overlay2";
pub const COPY: &str = "vfs";

/// Environment variable forcing a driver (`vfs` to test the copy path).
pub const DRIVER_ENV: &str = "ENGINED_STORAGE_DRIVER";

/// Finds out once whether overlay mounts work under `scratch` (a
/// directory on the data root's filesystem).
pub fn probe_driver(scratch: &Path) -> &'static str {
    match std::env::var(DRIVER_ENV).as_deref() {
        Ok(COPY) => return COPY,
        Ok(OVERLAY) => return OVERLAY,
        _ => {}
    }
    let dir = scratch.join(".overlay-probe");
    let _ = sys::unmount(&dir.join("merged"));
    let _ = std::fs::remove_dir_all(&dir);
    let parts = ["lower", "upper", "work", "merged"].map(|p| dir.join(p));
    let made = parts.iter().all(|p| std::fs::create_dir_all(p).is_ok());
    let ok = made && sys::mount_overlay(&parts[0], &parts[1], &parts[2], &parts[3]).is_ok();
    if ok {
        let _ = sys::unmount(&parts[3]);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if ok {
        OVERLAY
    } else {
        COPY
    }
}

/// Where a container's files live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `<data-root>/containers/<id>`
    pub dir: PathBuf,
    /// `<exec-root>/containers/<id>`
    pub bundle: PathBuf,
}

impl Layout {
    /// The root the runtime uses: the overlay mount in the bundle, or the
    /// copy in the container's directory.
    pub fn rootfs(&self, driver: &str) -> PathBuf {
        if driver == OVERLAY {
            self.bundle.join("rootfs")
        } else {
            self.dir.join("rootfs")
        }
    }
}

/// At create: the upper/work directories, or the copy.
pub fn create(driver: &str, lower: &Path, layout: &Layout) -> io::Result<()> {
    if driver == OVERLAY {
        std::fs::create_dir_all(layout.dir.join("upper"))?;
        std::fs::create_dir_all(layout.dir.join("work"))?;
        return Ok(());
    }
    let target = layout.dir.join("rootfs");
    std::fs::create_dir_all(&target)?;
    let mut source = lower.as_os_str().to_owned();
    source.push("/.");
    let out = Command::new("cp")
        .arg("-a")
        .arg("--reflink=auto")
        .arg(&source)
        .arg(&target)
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "copying {}: {}",
            lower.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// At start: mounts the overlay (unless it still is); returns the root.
pub fn mount(driver: &str, lower: &Path, layout: &Layout) -> io::Result<PathBuf> {
    let root = layout.rootfs(driver);
    if driver != OVERLAY {
        return Ok(root);
    }
    std::fs::create_dir_all(&root)?;
    if !sys::is_mount_point(&root) {
        sys::mount_overlay(
            lower,
            &layout.dir.join("upper"),
            &layout.dir.join("work"),
            &root,
        )?;
    }
    Ok(root)
}

/// After the container stopped, or before removing it.
pub fn unmount(driver: &str, layout: &Layout) -> io::Result<()> {
    if driver == OVERLAY {
        sys::unmount(&layout.rootfs(driver))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(base: &Path) -> Layout {
        Layout {
            dir: base.join("data/c1"),
            bundle: base.join("exec/c1"),
        }
    }

    fn image(base: &Path) -> PathBuf {
        let lower = base.join("image");
        std::fs::create_dir_all(lower.join("etc")).unwrap();
        std::fs::write(lower.join("etc/motd"), "hello").unwrap();
        lower
    }

    #[test]
    fn copy_driver_copies_and_leaves_the_image_alone() {
        let base = tempfile::tempdir().unwrap();
        let lower = image(base.path());
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(COPY, &lower, &l).unwrap();
        let root = mount(COPY, &lower, &l).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("etc/motd")).unwrap(),
            "hello"
        );
        std::fs::write(root.join("etc/motd"), "changed").unwrap();
        assert_eq!(
            std::fs::read_to_string(lower.join("etc/motd")).unwrap(),
            "hello"
        );
    }

    #[test]
    fn overlay_driver_writes_to_upper_only() {
        let base = tempfile::tempdir().unwrap();
        if probe_driver(base.path()) != OVERLAY {
            eprintln!("skipped: no overlay mounts here");
            return;
        }
        let lower = image(base.path());
        let l = layout(base.path());
        std::fs::create_dir_all(&l.dir).unwrap();
        create(OVERLAY, &lower, &l).unwrap();
        let root = mount(OVERLAY, &lower, &l).unwrap();
        // Mounting twice is a no-op.
        mount(OVERLAY, &lower, &l).unwrap();
        std::fs::write(root.join("etc/motd"), "changed").unwrap();
        assert_eq!(
            std::fs::read_to_string(lower.join("etc/motd")).unwrap(),
            "hello"
        );
        assert_eq!(
            std::fs::read_to_string(l.dir.join("upper/etc/motd")).unwrap(),
            "changed"
        );
        unmount(OVERLAY, &l).unwrap();
        assert!(!root.join("etc/motd").exists());
    }
}
