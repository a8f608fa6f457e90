//! Network namespaces that engined makes for containers: a new namespace
//! held by a bind mount on `<exec-root>/netns/<container id>`, which the
//! OCI spec then names, so the namespace exists before the container's
//! process (its links are set up first) and goes when engined unmounts
//! the file.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::error::{NetworkError, Result};

fn c_path(path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        NetworkError::InvalidArgument(format!("a path with a NUL byte: {}", path.display()))
    })
}

/// Makes a new network namespace held at `path` (a file it creates).
pub fn create(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| NetworkError::io(format!("creating {}", dir.display()), e))?;
    }
    std::fs::File::create(path)
        .map_err(|e| NetworkError::io(format!("creating {}", path.display()), e))?;
    let target = c_path(path)?;
    // A thread of its own unshares, so no daemon thread changes namespace.
    let made = std::thread::spawn(move || -> std::io::Result<()> {
        // SAFETY: plain syscalls on this thread; the strings outlive them.
        unsafe {
            if libc::unshare(libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let source = c"/proc/thread-self/ns/net";
            if libc::mount(
                source.as_ptr(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    })
    .join()
    .unwrap_or_else(|_| Err(std::io::Error::other("the namespace thread panicked")));
    if let Err(e) = made {
        let _ = std::fs::remove_file(path);
        return Err(NetworkError::io(
            format!("a network namespace at {}", path.display()),
            e,
        ));
    }
    Ok(())
}

/// Unmounts and deletes the namespace file `path`; a missing one is no
/// error. The namespace goes with its last user.
pub fn remove(path: &Path) -> Result<()> {
    let target = c_path(path)?;
    // SAFETY: umount2 of a path string that outlives the call.
    let unmounted = unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    if unmounted != 0 {
        let e = std::io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOENT)) {
            return Err(NetworkError::io(
                format!("unmounting {}", path.display()),
                e,
            ));
        }
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(NetworkError::io(format!("removing {}", path.display()), e))
        }
        _ => Ok(()),
    }
}

/// The namespace files under `dir` (all of them, for the clean-up at
/// daemon start).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_comes_and_goes() {
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: network namespaces need root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netns").join("c1");
        create(&path).unwrap();
        let ns = std::fs::read_link("/proc/self/ns/net").unwrap();
        let stat = rustix::fs::stat(&path).unwrap();
        let own = rustix::fs::stat("/proc/self/ns/net").unwrap();
        assert_ne!(stat.st_ino, own.st_ino, "{ns:?}: a new namespace");
        assert_eq!(list(&dir.path().join("netns")), vec![path.clone()]);
        remove(&path).unwrap();
        assert!(!path.exists());
        remove(&path).unwrap();
    }
}
