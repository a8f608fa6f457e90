//! Container paths resolved on the host. Every path a client names is a
//! path inside the container: it is cleaned as if absolute (`..` stops at
//! `/`), then each symlink met on the way is read and followed the way
//! the container would see it (absolute targets restart at the
//! container's root), so the host path found is always below the root.
//! A path's last element is followed only when the client's spelling asks
//! for it (`dir/`, `dir/.`), as `docker cp` expects: copying a symlink
//! copies the link.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use super::error::{ArchiveError, Result};

/// How many symlinks one resolution may follow before it is a loop.
pub const MAX_LINKS: usize = 255;

/// The elements of `path` as a container sees them: root and `.` dropped,
/// `..` kept (for the resolver to apply).
fn elements(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_os_string()),
            Component::ParentDir => Some("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// `path` cleaned lexically as an absolute container path, relative to
/// the root (empty for `/`): no `.`, no `..`, nothing above the root.
pub fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<OsString> = Vec::new();
    for part in elements(path) {
        if part == ".." {
            out.pop();
        } else {
            out.push(part);
        }
    }
    out.iter().collect()
}

/// Resolves the container path `path` inside `root`, following every
/// symlink (the last element's too) in the container's scope. Returns the
/// resolved path relative to `root`; elements that do not exist are kept
/// as they are.
pub fn follow(root: &Path, path: &Path) -> Result<PathBuf> {
    let mut done: PathBuf = PathBuf::new();
    let mut todo: VecDeque<OsString> = elements(path).into();
    let mut links = 0;
    while let Some(part) = todo.pop_front() {
        if part == ".." {
            done.pop();
            continue;
        }
        let candidate = done.join(&part);
        let host = root.join(&candidate);
        match std::fs::symlink_metadata(&host) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ArchiveError::TooManyLinks(
                        Path::new("/").join(path).display().to_string(),
                    ));
                }
                let target = std::fs::read_link(&host).map_err(|e| {
                    ArchiveError::io(format!("reading link /{}", candidate.display()), e)
                })?;
                if target.has_root() {
                    done = PathBuf::new();
                }
                for element in elements(&target).into_iter().rev() {
                    todo.push_front(element);
                }
            }
            _ => done.push(part),
        }
    }
    Ok(done)
}

/// A client's container path, located on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The path as the container sees it, absolute and cleaned.
    pub container: String,
    /// Where it is on the host (always below the root).
    pub host: PathBuf,
    /// Its base name as the client spelled it: `.` for `dir/.`, `/` for
    /// the root; what the stat reports and archive entries start with.
    pub name: String,
}

/// Locates `path` (as a client sent it) in the container whose root is
/// `root`: the directories on the way are resolved in scope; the last
/// element too when the spelling ends with `/` or `/.`.
pub fn locate(root: &Path, path: &str) -> Result<Located> {
    let cleaned = clean(Path::new(path));
    let container = Path::new("/").join(&cleaned).display().to_string();
    let dot = path.ends_with("/.") || path == ".";
    let name = if dot {
        ".".to_string()
    } else {
        cleaned
            .file_name()
            .map_or_else(|| "/".to_string(), |n| n.to_string_lossy().into_owned())
    };
    let follow_last = dot || path.ends_with('/');
    let relative = match (follow_last, cleaned.file_name(), cleaned.parent()) {
        (false, Some(last), Some(parent)) => follow(root, parent)?.join(last),
        _ => follow(root, &cleaned)?,
    };
    Ok(Located {
        container,
        host: root.join(relative),
        name,
    })
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
        dir
    }

    #[test]
    fn dot_dot_stops_at_the_root() {
        assert_eq!(clean(Path::new("../../etc/./motd")), Path::new("etc/motd"));
        assert_eq!(clean(Path::new("/a/../../b/")), Path::new("b"));
        assert_eq!(clean(Path::new("/")), Path::new(""));
        let r = root();
        let l = locate(r.path(), "/../../../etc/motd").unwrap();
        assert_eq!(l.host, r.path().join("etc/motd"));
        assert_eq!(l.container, "/etc/motd");
        assert_eq!(l.name, "motd");
    }

    #[test]
    fn absolute_links_restart_at_the_container_root() {
        let r = root();
        assert_eq!(
            follow(r.path(), Path::new("/abs/motd")).unwrap(),
            Path::new("etc/motd")
        );
        // Relative links climbing above the root stay at the root.
        assert_eq!(
            follow(r.path(), Path::new("up/etc")).unwrap(),
            Path::new("etc")
        );
        assert_eq!(
            follow(r.path(), Path::new("esc/etc/motd")).unwrap(),
            Path::new("etc/motd")
        );
        assert_eq!(follow(r.path(), Path::new("esc")).unwrap(), Path::new(""));
        let l = locate(r.path(), "/esc/../esc/abs/motd").unwrap();
        assert!(l.host.starts_with(r.path()));
        assert_eq!(l.host, r.path().join("etc/motd"));
    }

    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let r = root();
        let e = follow(r.path(), Path::new("/loop1/x")).unwrap_err();
        assert!(matches!(e, ArchiveError::TooManyLinks(_)), "{e}");
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn the_last_element_is_followed_only_when_asked() {
        let r = root();
        let link = locate(r.path(), "/abs").unwrap();
        assert_eq!(link.host, r.path().join("abs"));
        assert_eq!(link.name, "abs");
        let dir = locate(r.path(), "/abs/").unwrap();
        assert_eq!(dir.host, r.path().join("etc"));
        let dot = locate(r.path(), "/abs/.").unwrap();
        assert_eq!(dot.host, r.path().join("etc"));
        assert_eq!(dot.name, ".");
        let top = locate(r.path(), "/").unwrap();
        assert_eq!(top.host, r.path().join(""));
        assert_eq!(top.name, "/");
        // Missing elements are kept as they are.
        let missing = locate(r.path(), "/abs/nope/x").unwrap();
        assert_eq!(missing.host, r.path().join("etc/nope/x"));
        assert_eq!(
            follow(r.path(), Path::new("rel")).unwrap(),
            Path::new("etc/motd")
        );
    }
}
