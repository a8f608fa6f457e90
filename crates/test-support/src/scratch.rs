//! Where tests keep their files: one fresh directory per test under the
//! build's `target/tmp` (what cargo calls `CARGO_TARGET_TMPDIR`), found
//! from the running test executable so that every crate's tests agree.

use std::path::{Path, PathBuf};

use crate::teardown::unmount_below;

/// The build's target directory: the test executable runs from
/// `<target>/<profile>/deps/`.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(std::env::temp_dir)
}

/// `<target>/tmp/<name>`, emptied: a previous run's mounts and files
/// below it are removed first.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = target_dir().join("tmp").join(name);
    if dir.exists() {
        unmount_below(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Removes `dir` after unmounting what is still mounted below it.
pub fn remove_dir(dir: &Path) {
    unmount_below(dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_dir_is_empty_and_under_target_tmp() {
        let dir = fresh_dir("scratch-unit");
        assert!(
            dir.starts_with(target_dir().join("tmp")),
            "{}",
            dir.display()
        );
        std::fs::write(dir.join("left-over"), "x").unwrap();
        let again = fresh_dir("scratch-unit");
        assert_eq!(again, dir);
        assert_eq!(std::fs::read_dir(&again).unwrap().count(), 0);
        remove_dir(&again);
        assert!(!again.exists());
    }
}
