//! An open directory inside a root and the `*at` operations on its
//! entries. Every operation takes a single name (never a path) and never
//! follows a symlink in that name: a link is stat'ed, read, replaced or
//! removed as a link. Directories are opened with `O_NOFOLLOW`, so a walk
//! down through [`Dir::open_dir`] cannot be sent elsewhere by a link
//! swapped in meanwhile.

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Timespec, Timestamps};

use super::error::{Result, ScopedError};
use super::path::is_name;

/// A directory, opened for listing and for acting on its entries.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    /// Where it is, relative to the root (for messages only).
    path: PathBuf,
}

/// The kind of node [`Dir::mknod`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Fifo,
    Char,
    Block,
}

fn check(name: &OsStr) -> io::Result<()> {
    if is_name(name) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{:?} is not a single file name", name),
        ))
    }
}

impl Dir {
    pub(crate) fn from_fd(fd: OwnedFd, path: PathBuf) -> Dir {
        Dir { fd, path }
    }

    /// Where this directory is, relative to the root.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, op: &'static str, name: &OsStr, e: impl Into<io::Error>) -> ScopedError {
        ScopedError::new(op, &self.path.join(name), e)
    }

    fn at<T>(
        &self,
        op: &'static str,
        name: &OsStr,
        f: impl FnOnce() -> rustix::io::Result<T>,
    ) -> Result<T> {
        check(name).map_err(|e| self.err(op, name, e))?;
        f().map_err(|e| self.err(op, name, e))
    }

    /// The directory's own metadata.
    pub fn metadata(&self) -> Result<Metadata> {
        let file = File::from(
            self.fd
                .try_clone()
                .map_err(|e| ScopedError::new("stat", &self.path, e))?,
        );
        file.metadata()
            .map_err(|e| ScopedError::new("stat", &self.path, e))
    }

    /// The names in the directory (not `.` and `..`), sorted.
    pub fn entries(&self) -> Result<Vec<OsString>> {
        let fail = |e: rustix::io::Errno| ScopedError::new("listing", &self.path, e);
        let mut dir = rustix::fs::Dir::read_from(&self.fd).map_err(fail)?;
        let mut names = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(fail)?;
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                names.push(OsStr::from_bytes(name).to_os_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The metadata of entry `name`, a link's own.
    pub fn stat(&self, name: &OsStr) -> Result<Metadata> {
        let fd = self.at("stat", name, || {
            rustix::fs::openat(
                &self.fd,
                name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
        })?;
        File::from(fd)
            .metadata()
            .map_err(|e| self.err("stat", name, e))
    }

    /// The metadata of entry `name`, or `None` when there is none.
    pub fn try_stat(&self, name: &OsStr) -> Result<Option<Metadata>> {
        match self.stat(name) {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.errno() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether entry `name` is a directory (a link is not), or `None`
    /// when there is no such entry. One `statx`, nothing opened.
    pub fn is_dir(&self, name: &OsStr) -> Result<Option<bool>> {
        match self.at("stat", name, || {
            rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
        }) {
            Ok(st) => Ok(Some(
                FileType::from_raw_mode(st.st_mode) == FileType::Directory,
            )),
            Err(e) if e.errno() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens the regular file `name` for reading; anything else (a link,
    /// a FIFO, a device) is refused without blocking.
    pub fn open_file(&self, name: &OsStr) -> Result<File> {
        let fd = self.at("opening", name, || {
            rustix::fs::openat(
                &self.fd,
                name,
                OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
                Mode::empty(),
            )
        })?;
        let file = regular(fd).map_err(|e| self.err("opening", name, e))?;
        Ok(file)
    }

    /// Opens the subdirectory `name` (not through a link).
    pub fn open_dir(&self, name: &OsStr) -> Result<Dir> {
        let fd = self.at("opening", name, || {
            rustix::fs::openat(
                &self.fd,
                name,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
        })?;
        Ok(Dir::from_fd(fd, self.path.join(name)))
    }

    /// The target of the symlink `name`.
    pub fn read_link(&self, name: &OsStr) -> Result<PathBuf> {
        let target = self.at("reading link", name, || {
            rustix::fs::readlinkat(&self.fd, name, Vec::new())
        })?;
        Ok(PathBuf::from(OsString::from_vec(target.into_bytes())))
    }

    /// Creates the regular file `name` (which must not exist), writable.
    pub fn create_file(&self, name: &OsStr, mode: u32) -> Result<File> {
        let fd = self.at("creating", name, || {
            rustix::fs::openat(
                &self.fd,
                name,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(mode & 0o7777),
            )
        })?;
        Ok(File::from(fd))
    }

    /// Creates the directory `name`.
    pub fn mkdir(&self, name: &OsStr, mode: u32) -> Result<()> {
        self.at("creating directory", name, || {
            rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode & 0o7777))
        })
    }

    /// Creates the symlink `name` pointing at `target` (stored as given;
    /// it is resolved, if ever, inside the root).
    pub fn symlink(&self, target: &Path, name: &OsStr) -> Result<()> {
        self.at("creating link", name, || {
            rustix::fs::symlinkat(target.as_os_str(), &self.fd, name)
        })
    }

    /// Makes a FIFO or device node `name`.
    pub fn mknod(&self, name: &OsStr, node: Node, mode: u32, major: u32, minor: u32) -> Result<()> {
        let kind = match node {
            Node::Fifo => FileType::Fifo,
            Node::Char => FileType::CharacterDevice,
            Node::Block => FileType::BlockDevice,
        };
        self.at("creating node", name, || {
            rustix::fs::mknodat(
                &self.fd,
                name,
                kind,
                Mode::from_raw_mode(mode & 0o7777),
                rustix::fs::makedev(major, minor),
            )
        })
    }

    /// Makes `name` a hard link to entry `existing` of `from` (a link
    /// itself when `existing` is one).
    pub fn hard_link(&self, from: &Dir, existing: &OsStr, name: &OsStr) -> Result<()> {
        check(existing).map_err(|e| from.err("linking", existing, e))?;
        self.at("linking", name, || {
            rustix::fs::linkat(&from.fd, existing, &self.fd, name, AtFlags::empty())
        })
    }

    /// Renames entry `name` to `to` in directory `dest`.
    pub fn rename(&self, name: &OsStr, dest: &Dir, to: &OsStr) -> Result<()> {
        check(to).map_err(|e| dest.err("renaming", to, e))?;
        self.at("renaming", name, || {
            rustix::fs::renameat(&self.fd, name, &dest.fd, to)
        })
    }

    /// Sets the owner of `name` (a link's own).
    pub fn chown(&self, name: &OsStr, uid: u32, gid: u32) -> Result<()> {
        self.at("changing the owner of", name, || {
            rustix::fs::chownat(
                &self.fd,
                name,
                Some(rustix::fs::Uid::from_raw(uid)),
                Some(rustix::fs::Gid::from_raw(gid)),
                AtFlags::SYMLINK_NOFOLLOW,
            )
        })
    }

    /// Sets the permission bits (with setuid, setgid, sticky) of `name`,
    /// never through a link: a link's mode cannot change and is left.
    pub fn chmod(&self, name: &OsStr, mode: u32) -> Result<()> {
        check(name).map_err(|e| self.err("changing the mode of", name, e))?;
        let c = std::ffi::CString::new(name.as_bytes())
            .map_err(|e| self.err("changing the mode of", name, io::Error::other(e)))?;
        // SAFETY: the descriptor is open and the name NUL-terminated for
        // the call; fchmodat2 takes no other pointer.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_fchmodat2,
                self.fd.as_raw_fd(),
                c.as_ptr(),
                (mode & 0o7777) as libc::c_uint,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            // A link: its mode means nothing.
            Some(libc::EOPNOTSUPP) => Ok(()),
            // An older kernel: check the entry is no link, then chmod it.
            Some(libc::ENOSYS) => {
                if self.stat(name)?.file_type().is_symlink() {
                    return Ok(());
                }
                self.at("changing the mode of", name, || {
                    rustix::fs::chmodat(
                        &self.fd,
                        name,
                        Mode::from_raw_mode(mode & 0o7777),
                        AtFlags::empty(),
                    )
                })
            }
            _ => Err(self.err("changing the mode of", name, e)),
        }
    }

    /// Sets the access and modification times of `name` (a link's own)
    /// to `mtime` seconds.
    pub fn set_mtime(&self, name: &OsStr, mtime: i64) -> Result<()> {
        let t = Timespec {
            tv_sec: mtime,
            tv_nsec: 0,
        };
        let times = Timestamps {
            last_access: t,
            last_modification: t,
        };
        self.at("setting the times of", name, || {
            rustix::fs::utimensat(&self.fd, name, &times, AtFlags::SYMLINK_NOFOLLOW)
        })
    }

    /// Removes entry `name` whatever it is (a directory with everything
    /// below it); a missing entry is no error. Links are removed, never
    /// followed.
    pub fn remove_all(&self, name: &OsStr) -> Result<()> {
        check(name).map_err(|e| self.err("removing", name, e))?;
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::NOENT => return Ok(()),
            Err(e) if e == rustix::io::Errno::ISDIR || e == rustix::io::Errno::PERM => {}
            Err(e) => return Err(self.err("removing", name, e)),
        }
        match self.open_dir(name) {
            Ok(sub) => sub.clear()?,
            Err(e) if e.errno() == Some(libc::ENOENT) => return Ok(()),
            Err(e) => return Err(e),
        }
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR) {
            Ok(()) => Ok(()),
            Err(e) if e == rustix::io::Errno::NOENT => Ok(()),
            Err(e) => Err(self.err("removing", name, e)),
        }
    }

    /// Removes everything in the directory, leaving it empty.
    pub fn clear(&self) -> Result<()> {
        for name in self.entries()? {
            self.remove_all(&name)?;
        }
        Ok(())
    }

    /// fsyncs the directory.
    pub fn sync(&self) -> Result<()> {
        rustix::fs::fsync(&self.fd).map_err(|e| ScopedError::new("syncing", &self.path, e))
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// `fd` as a file when it is a regular one, in blocking mode again.
pub(crate) fn regular(fd: OwnedFd) -> io::Result<File> {
    let file = File::from(fd);
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}
