//! How a path given to a [`Root`](super::Root) is split: the elements the
//! kernel resolves (the parent) and the last element an operation acts
//! on. Nothing here touches the filesystem.

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

/// `path` as the kernel should resolve it from the root: relative (a
/// leading `/` dropped), `.` for the root itself.
pub fn relative(path: &Path) -> PathBuf {
    let parts: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::RootDir | Component::Prefix(_)))
        .collect();
    if parts.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parts
    }
}

/// The parent of `path` and its last element, when the last element is a
/// name (not the root, `.` or `..`).
pub fn split(path: &Path) -> Option<(PathBuf, OsString)> {
    let mut parts: Vec<Component<'_>> = path
        .components()
        .filter(|c| !matches!(c, Component::RootDir | Component::Prefix(_)))
        .collect();
    match parts.pop() {
        Some(Component::Normal(last)) => {
            let parent: PathBuf = parts.iter().collect();
            Some((relative(&parent), last.to_os_string()))
        }
        _ => None,
    }
}

/// Whether `name` is a single element that an `*at` syscall may act on:
/// not empty, not `.` or `..`, no `/` and no NUL.
pub fn is_name(name: &OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let b = name.as_bytes();
    !b.is_empty() && b != b"." && b != b".." && !b.contains(&b'/') && !b.contains(&0)
}

/// `path` cleaned lexically as an absolute path: `.` dropped, `..`
/// applied and stopping at `/`; relative to the root (empty for `/`).
pub fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<&OsStr> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out.iter().collect()
}

/// `path` without `.`, refusing `..`, an absolute start and an empty
/// path (what a layer or archive entry name must look like).
pub fn entry(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}
