//! Finding runtime binaries: a bare name on `PATH`, a path as given, and the
//! "exists and is executable" check that preflight relies on.
//!
//! Like Go's `exec.LookPath` (which dockerd uses): a name with a `/` is taken
//! as a path and only checked; a bare name is searched in each directory of
//! the search path, empty entries skipped.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::error::LookupError;

/// The search path used when none is given and `PATH` is unset.
pub const DEFAULT_SEARCH_PATH: &str =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Finds the executable `program` names.
///
/// `search_path` is a `PATH`-style list; `None` means the daemon's `PATH`
/// (or [`DEFAULT_SEARCH_PATH`] when that is unset).
pub fn find_executable(program: &str, search_path: Option<&OsStr>) -> Result<PathBuf, LookupError> {
    if program.is_empty() {
        return Err(LookupError::NotOnPath);
    }
    if program.contains('/') {
        let path = PathBuf::from(program);
        check_executable(&path)?;
        return Ok(path);
    }
    let env_path: Option<OsString>;
    let search = match search_path {
        Some(list) => list,
        None => {
            env_path = std::env::var_os("PATH");
            env_path
                .as_deref()
                .unwrap_or_else(|| OsStr::new(DEFAULT_SEARCH_PATH))
        }
    };
    std::env::split_paths(search)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| check_executable(candidate).is_ok())
        .ok_or(LookupError::NotOnPath)
}

/// Checks that `path` (symlinks followed) is a regular file with an execute
/// permission bit.
pub fn check_executable(path: &Path) -> Result<(), LookupError> {
    let meta = std::fs::metadata(path).map_err(LookupError::Inaccessible)?;
    if !meta.is_file() {
        return Err(LookupError::NotAFile);
    }
    if meta.permissions().mode() & 0o111 == 0 {
        return Err(LookupError::NotExecutable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(path: &Path, mode: u32) {
        fs::write(path, "#!/bin/sh\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn finds_on_search_path_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        write(&a.join("rt"), 0o644); // not executable: skipped
        write(&b.join("rt"), 0o755);
        let list = std::env::join_paths(["", a.to_str().unwrap(), b.to_str().unwrap()]).unwrap();
        assert_eq!(find_executable("rt", Some(&list)).unwrap(), b.join("rt"));
        assert!(matches!(
            find_executable("nope", Some(&list)),
            Err(LookupError::NotOnPath)
        ));
    }

    #[test]
    fn checks_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("exe");
        let plain = tmp.path().join("plain");
        write(&exe, 0o700);
        write(&plain, 0o600);
        let s = |p: &Path| p.to_str().unwrap().to_owned();
        assert_eq!(find_executable(&s(&exe), None).unwrap(), exe);
        assert!(matches!(
            find_executable(&s(&plain), None),
            Err(LookupError::NotExecutable)
        ));
        assert!(matches!(
            find_executable(&s(tmp.path()), None),
            Err(LookupError::NotAFile)
        ));
        assert!(matches!(
            find_executable(&s(&tmp.path().join("missing")), None),
            Err(LookupError::Inaccessible(_))
        ));
    }
}
