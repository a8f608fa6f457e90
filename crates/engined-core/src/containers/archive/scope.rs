//! Container paths as `docker cp` names them, located in the container's
//! root through [`crate::scoped`]. A client's path is cleaned as if
//! absolute (`..` stops at `/`); the kernel then resolves it inside the
//! root at every use (`openat2` with `RESOLVE_IN_ROOT`), so a symlink,
//! `..` or a path swapped by the running container never leads out.
//! A path's last element is followed only when the client's spelling
//! asks for it (`dir/`, `dir/.`), as `docker cp` expects: copying a
//! symlink copies the link.

use std::path::{Path, PathBuf};

use super::error::{ArchiveError, Result};
use crate::scoped::{self, Follow, Root, ScopedError};

/// `path` cleaned lexically as an absolute container path, relative to
/// the root (empty for `/`): no `.`, no `..`, nothing above the root.
pub fn clean(path: &Path) -> PathBuf {
    scoped::path::clean(path)
}

/// A client's container path, ready to be resolved in the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The path as the container sees it, absolute and cleaned.
    pub container: String,
    /// The cleaned path relative to the root (empty for `/`).
    pub relative: PathBuf,
    /// Whether its last element is followed when it is a symlink.
    pub follow: Follow,
    /// Its base name as the client spelled it: `.` for `dir/.`, `/` for
    /// the root; what the stat reports and archive entries start with.
    pub name: String,
}

/// Reads `path` (as a client sent it): cleaned, and whether the
/// spelling asks to follow a last symlink (`/` or `/.` at the end).
pub fn locate(path: &str) -> Located {
    let relative = clean(Path::new(path));
    let container = Path::new("/").join(&relative).display().to_string();
    let dot = path.ends_with("/.") || path == ".";
    let name = if dot {
        ".".to_string()
    } else {
        relative
            .file_name()
            .map_or_else(|| "/".to_string(), |n| n.to_string_lossy().into_owned())
    };
    let follow = if dot || path.ends_with('/') || relative.as_os_str().is_empty() {
        Follow::Yes
    } else {
        Follow::No
    };
    Located {
        container,
        relative,
        follow,
        name,
    }
}

/// A resolver error as `docker cp` reports it: a loop is a 400.
pub fn scoped_error(container_path: &str, e: ScopedError) -> ArchiveError {
    if e.is_loop() {
        return ArchiveError::TooManyLinks(container_path.to_string());
    }
    ArchiveError::io(format!("resolving {container_path}"), e.into())
}

/// Where `path` leads with every symlink followed inside the root,
/// relative to it (empty for the root). A path whose end does not exist
/// is resolved as far as it exists and the rest kept as it is.
pub fn follow(root: &Root, path: &Path) -> Result<PathBuf> {
    walk_back(root, &clean(path), true)
}

/// Resolves the longest existing prefix of `path` and appends the rest.
/// A dangling last link (`chase`) is followed lexically from where it
/// sits, once (that is what the container sees).
fn walk_back(root: &Root, path: &Path, chase: bool) -> Result<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match root.resolved(&existing) {
            Ok(found) => {
                let mut out = if found == Path::new(".") {
                    PathBuf::new()
                } else {
                    found
                };
                out.extend(rest.iter().rev());
                return Ok(out);
            }
            Err(e) if e.is_not_found() => {
                if chase && rest.is_empty() {
                    if let Ok(target) = root.read_link(&existing) {
                        let parent = existing.parent().unwrap_or(Path::new(""));
                        let lexical = clean(&parent.join(target));
                        return walk_back(root, &lexical, false);
                    }
                }
                let Some(last) = existing.file_name().map(|n| n.to_os_string()) else {
                    return Ok(PathBuf::new());
                };
                rest.push(last);
                existing.pop();
            }
            Err(e) => {
                let shown = Path::new("/").join(path).display().to_string();
                return Err(scoped_error(&shown, e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// A root with `etc/motd`, and links: `abs -> /etc`, `up -> ../../..`,
    /// `esc -> /../../`, `loop1 <-> loop2`, `rel -> etc/motd`.
    fn root() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/motd"), "hi").unwrap();
        symlink("/etc", r.join("abs")).unwrap();
        symlink("../../..", r.join("up")).unwrap();
        symlink("/../../", r.join("esc")).unwrap();
        symlink("loop2", r.join("loop1")).unwrap();
        symlink("/loop1", r.join("loop2")).unwrap();
        symlink("etc/motd", r.join("rel")).unwrap();
        symlink("/nowhere/x", r.join("dangling")).unwrap();
        dir
    }

    #[test]
    fn dot_dot_stops_at_the_root() {
        assert_eq!(clean(Path::new("../../etc/./motd")), Path::new("etc/motd"));
        assert_eq!(clean(Path::new("/a/../../b/")), Path::new("b"));
        assert_eq!(clean(Path::new("/")), Path::new(""));
        let l = locate("/../../../etc/motd");
        assert_eq!(l.relative, Path::new("etc/motd"));
        assert_eq!(l.container, "/etc/motd");
        assert_eq!(l.name, "motd");
        assert_eq!(l.follow, Follow::No);
    }

    #[test]
    fn absolute_links_restart_at_the_container_root() {
        let d = root();
        let r = Root::new(d.path()).unwrap();
        assert_eq!(
            follow(&r, Path::new("/abs/motd")).unwrap(),
            Path::new("etc/motd")
        );
        // Relative links climbing above the root stay at the root.
        assert_eq!(follow(&r, Path::new("up/etc")).unwrap(), Path::new("etc"));
        assert_eq!(
            follow(&r, Path::new("esc/etc/motd")).unwrap(),
            Path::new("etc/motd")
        );
        assert_eq!(follow(&r, Path::new("esc")).unwrap(), Path::new(""));
        assert_eq!(follow(&r, Path::new("rel")).unwrap(), Path::new("etc/motd"));
    }

    #[test]
    fn missing_ends_and_dangling_links_are_kept_as_they_are() {
        let d = root();
        let r = Root::new(d.path()).unwrap();
        assert_eq!(
            follow(&r, Path::new("/abs/nope/x")).unwrap(),
            Path::new("etc/nope/x")
        );
        assert_eq!(
            follow(&r, Path::new("dangling")).unwrap(),
            Path::new("nowhere/x")
        );
    }

    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let d = root();
        let r = Root::new(d.path()).unwrap();
        let e = follow(&r, Path::new("/loop1/x")).unwrap_err();
        assert!(matches!(e, ArchiveError::TooManyLinks(_)), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidParameter);
    }

    #[test]
    fn the_last_element_is_followed_only_when_asked() {
        let link = locate("/abs");
        assert_eq!((link.follow, link.name.as_str()), (Follow::No, "abs"));
        let dir = locate("/abs/");
        assert_eq!(dir.follow, Follow::Yes);
        let dot = locate("/abs/.");
        assert_eq!((dot.follow, dot.name.as_str()), (Follow::Yes, "."));
        let top = locate("/");
        assert_eq!((top.follow, top.name.as_str()), (Follow::Yes, "/"));
        assert_eq!(top.relative, Path::new(""));
    }
}
