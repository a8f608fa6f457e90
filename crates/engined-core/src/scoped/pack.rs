//! Tar archives of a root's files (a container's, an image layer's),
//! written while they are sent:
//! one path (`docker cp` out: entries named from the path's base name
//! down), the whole root (`docker export`: entries relative to `/`), or
//! listed entries one by one ([`EntryPacker`], `docker commit`'s layer).
//! Every entry is read through [`crate::scoped`]: directories are opened
//! without following (a link swapped in by the running container is not
//! descended into), symlinks are archived as links, a file with several
//! names is archived once and then as hard links to its first name, and
//! directories on another filesystem (mount points) are archived empty.
//! Tar writing blocks, so it runs on a blocking thread that feeds the
//! response body through a bounded channel.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use bytes::Bytes;
use engine_api::rt::server::ByteStream;
use tar::{EntryType, Header, HeaderMode};
use tokio::sync::mpsc;

use super::{Dir, Follow, Root};

/// How many bytes the writer gathers before handing a chunk to the body.
const CHUNK: usize = 128 * 1024;

/// The blocking half of a streamed body: writes become chunks of it.
struct BodyWriter {
    chunks: mpsc::Sender<io::Result<Bytes>>,
    pending: Vec<u8>,
}

impl BodyWriter {
    fn send(&mut self, item: io::Result<Bytes>) -> io::Result<()> {
        self.chunks
            .blocking_send(item)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client hung up"))
    }
}

impl Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(CHUNK),
        ));
        self.send(Ok(chunk))
    }
}

/// Runs `write` on a blocking thread; what it writes is the returned
/// body. An error ends the body with that error (the client sees a
/// truncated archive, as with dockerd).
pub fn stream<F>(write: F) -> ByteStream
where
    F: FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(8);
    tokio::task::spawn_blocking(move || {
        let mut out = BodyWriter {
            chunks: tx,
            pending: Vec::with_capacity(CHUNK),
        };
        let result = write(&mut out).and_then(|()| out.flush());
        if let Err(e) = result {
            if e.kind() != io::ErrorKind::BrokenPipe {
                tracing::warn!("writing an archive: {e}");
                let _ = out.send(Err(e));
            }
        }
    });
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

/// Archives the path `relative` to the root (and what is below it; its
/// last element followed when `follow` says so) with entry names
/// starting at `name`; a name of `.` gives `.` and `./...` entries, `/`
/// is the same as `.`.
pub fn pack_path(
    out: &mut dyn Write,
    root: &Root,
    relative: &Path,
    follow: Follow,
    name: &str,
) -> io::Result<()> {
    let mut builder = tar::Builder::new(out);
    let name = if name == "/" { "." } else { name };
    // Followed: the kernel's answer for where it leads (no link left on
    // the way), then read without following, like any other entry.
    let path = match follow {
        Follow::Yes => root.resolved(relative)?,
        Follow::No => relative.to_path_buf(),
    };
    let mut walk = Walk::new(&mut builder);
    match super::path::split(&path) {
        Some((parent, last)) => {
            let dir = root.dir(&parent)?;
            let meta = dir.stat(&last)?;
            walk.dev = meta.dev();
            walk.entry(&dir, &last, name, &meta)?;
        }
        None => {
            let dir = root.dir(Path::new("."))?;
            let meta = dir.metadata()?;
            walk.dev = meta.dev();
            walk.append(name, &meta, Content::Empty)?;
            walk.children(&dir, name)?;
        }
    }
    builder.finish()
}

/// Archives everything below the root, entries named relative to it.
pub fn pack_root(out: &mut dyn Write, root: &Root) -> io::Result<()> {
    let mut builder = tar::Builder::new(out);
    let dir = root.dir(Path::new("."))?;
    let mut walk = Walk::new(&mut builder);
    walk.dev = dir.metadata()?.dev();
    walk.children(&dir, "")?;
    builder.finish()
}

/// A tar written entry by entry from a list of paths, each archived
/// alone (a directory without what is below it), plus empty marker files
/// named by the caller: what a layer of changes (`docker commit`) needs.
/// Files with several names inside the list become hard links to the
/// first one archived.
pub struct EntryPacker<'w> {
    builder: tar::Builder<&'w mut dyn Write>,
    linked: HashMap<(u64, u64), String>,
    /// Every entry's uid and gid instead of the file's (`COPY --chown`).
    pub owner: Option<(u32, u32)>,
    /// Every entry's permission bits instead of the file's (`--chmod`).
    pub mode: Option<u32>,
}

impl<'w> EntryPacker<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        EntryPacker {
            builder: tar::Builder::new(out),
            linked: HashMap::new(),
            owner: None,
            mode: None,
        }
    }

    /// Archives `path` of `root` (never followed) under `name`. A path
    /// gone meanwhile is skipped.
    pub fn path(&mut self, root: &Root, path: &Path, name: &str) -> io::Result<()> {
        self.archive(root, path, name, false)
    }

    /// Archives `path` of `root` and, for a directory, everything below
    /// it, named from `name` down.
    pub fn tree(&mut self, root: &Root, path: &Path, name: &str) -> io::Result<()> {
        self.archive(root, path, name, true)
    }

    fn archive(&mut self, root: &Root, path: &Path, name: &str, below: bool) -> io::Result<()> {
        let (dir, last) = root.parent(path)?;
        let Ok(meta) = dir.stat(&last) else {
            return Ok(());
        };
        let mut walk = Walk {
            builder: &mut self.builder,
            dev: meta.dev(),
            linked: std::mem::take(&mut self.linked),
            owner: self.owner,
            mode: self.mode,
        };
        let result = if meta.is_dir() && !below {
            walk.append(name, &meta, Content::Empty)
        } else {
            walk.entry(&dir, &last, name, &meta)
        };
        self.linked = walk.linked;
        result
    }

    /// An entry from another archive (ADD's unpacking), renamed to
    /// `name`, with the owner and mode set when the packer has them.
    pub fn raw(
        &mut self,
        header: &mut Header,
        name: &str,
        link: Option<&Path>,
        data: impl Read,
    ) -> io::Result<()> {
        if let Some((uid, gid)) = self.owner {
            header.set_uid(uid.into());
            header.set_gid(gid.into());
        }
        if let Some(mode) = self.mode {
            header.set_mode(mode);
        }
        append_named(&mut self.builder, header, name, link, data)
    }

    /// An empty regular file `name` (mode 0644, owned by root).
    pub fn marker(&mut self, name: &str) -> io::Result<()> {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        append_named(&mut self.builder, &mut header, name, None, io::empty())
    }

    /// Writes the end of the archive.
    pub fn finish(mut self) -> io::Result<()> {
        self.builder.finish()
    }
}

/// What an entry carries besides its header.
enum Content {
    Empty,
    File(File),
    Link(std::path::PathBuf),
    /// A hard link to the entry already archived under this name.
    HardLink(String),
}

/// One archive being written: the filesystem it stays on and the
/// regular files with several links already in it (by device and inode).
struct Walk<'b, 'w> {
    builder: &'b mut tar::Builder<&'w mut dyn Write>,
    dev: u64,
    linked: HashMap<(u64, u64), String>,
    /// Set on every entry instead of the file's (an [`EntryPacker`]'s).
    owner: Option<(u32, u32)>,
    mode: Option<u32>,
}

impl<'b, 'w> Walk<'b, 'w> {
    fn new(builder: &'b mut tar::Builder<&'w mut dyn Write>) -> Self {
        Walk {
            builder,
            dev: 0,
            linked: HashMap::new(),
            owner: None,
            mode: None,
        }
    }

    /// The entries of `dir`, named `prefix/child` (or `child`).
    fn children(&mut self, dir: &Dir, prefix: &str) -> io::Result<()> {
        for child in dir.entries()? {
            let child_name = child.to_string_lossy();
            let name = if prefix.is_empty() {
                child_name.into_owned()
            } else {
                format!("{prefix}/{child_name}")
            };
            // A file removed while we walk is simply not archived.
            let Ok(meta) = dir.stat(&child) else {
                continue;
            };
            self.entry(dir, &child, &name, &meta)?;
        }
        Ok(())
    }

    /// Entry `child` of `dir` (and what is below it), never followed.
    fn entry(&mut self, dir: &Dir, child: &OsStr, name: &str, meta: &Metadata) -> io::Result<()> {
        let t = meta.file_type();
        if t.is_dir() {
            self.append(name, meta, Content::Empty)?;
            if meta.dev() == self.dev {
                // Opened without following: a link swapped in since the
                // stat is refused, not descended into.
                if let Ok(sub) = dir.open_dir(child) {
                    self.children(&sub, name)?;
                }
            }
            return Ok(());
        }
        let content = if t.is_symlink() {
            Content::Link(dir.read_link(child)?)
        } else if t.is_file() {
            let key = (meta.dev(), meta.ino());
            match self.linked.get(&key) {
                Some(first) => Content::HardLink(first.clone()),
                None => {
                    if meta.nlink() > 1 {
                        self.linked.insert(key, name.to_string());
                    }
                    match dir.open_file(child) {
                        Ok(file) => Content::File(file),
                        // Replaced by something else meanwhile: skipped.
                        Err(_) => return Ok(()),
                    }
                }
            }
        } else {
            Content::Empty
        };
        self.append(name, meta, content)
    }

    /// One entry. The name is written as given (`./x` stays `./x`).
    fn append(&mut self, name: &str, meta: &Metadata, content: Content) -> io::Result<()> {
        let t = meta.file_type();
        if t.is_socket() {
            return Ok(());
        }
        let mut header = Header::new_gnu();
        header.set_metadata_in_mode(meta, HeaderMode::Complete);
        header.set_mode(self.mode.unwrap_or(meta.mode() & 0o7777));
        if let Some((uid, gid)) = self.owner {
            header.set_uid(uid.into());
            header.set_gid(gid.into());
        }
        header.set_size(0);
        if t.is_char_device() || t.is_block_device() {
            let rdev = meta.rdev();
            header.set_device_major(libc::major(rdev))?;
            header.set_device_minor(libc::minor(rdev))?;
        }
        let name = if t.is_dir() && name != "." {
            format!("{name}/")
        } else {
            name.to_string()
        };
        let builder = &mut *self.builder;
        match content {
            Content::Link(target) => {
                header.set_entry_type(EntryType::Symlink);
                append_named(builder, &mut header, &name, Some(&target), io::empty())
            }
            Content::HardLink(first) => {
                header.set_entry_type(EntryType::Link);
                append_named(
                    builder,
                    &mut header,
                    &name,
                    Some(Path::new(&first)),
                    io::empty(),
                )
            }
            Content::File(file) => {
                let len = meta.len();
                header.set_size(len);
                // The size is in the header already: a file that shrinks
                // meanwhile is padded with zeros, one that grows is cut.
                let data = file.take(len).chain(io::repeat(0)).take(len);
                append_named(builder, &mut header, &name, None, data)
            }
            Content::Empty => append_named(builder, &mut header, &name, None, io::empty()),
        }
    }
}

/// Appends with the name spelled exactly: short names go in the header
/// as they are (tar-rs would drop a leading `./`), long ones through
/// tar-rs's GNU long-name records.
fn append_named(
    builder: &mut tar::Builder<&mut dyn Write>,
    header: &mut Header,
    name: &str,
    link: Option<&Path>,
    data: impl Read,
) -> io::Result<()> {
    let fits = name.len() < 100 && !name.contains('\0');
    if let Some(link) = link {
        if fits && link.as_os_str().len() < 100 {
            set_raw_name(header, name);
            header.set_link_name(link)?;
            header.set_cksum();
            return builder.append(header, data);
        }
        return builder.append_link(header, name.trim_start_matches("./"), link);
    }
    if fits {
        set_raw_name(header, name);
        header.set_cksum();
        return builder.append(header, data);
    }
    builder.append_data(header, name.trim_start_matches("./"), data)
}

fn set_raw_name(header: &mut Header, name: &str) {
    let slot = &mut header.as_old_mut().name;
    slot.fill(0);
    slot[..name.len()].copy_from_slice(name.as_bytes());
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn names(tar: &[u8]) -> Vec<(String, EntryType)> {
        let mut archive = tar::Archive::new(tar);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                (name, e.header().entry_type())
            })
            .collect()
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/sub")).unwrap();
        std::fs::write(r.join("etc/hostname"), "box\n").unwrap();
        std::fs::write(r.join("etc/sub/x"), "x").unwrap();
        symlink("/etc/hostname", r.join("etc/link")).unwrap();
        dir
    }

    #[test]
    fn a_file_is_archived_under_its_base_name() {
        let t = tree();
        let mut out = Vec::new();
        let root = Root::new(t.path()).unwrap();
        pack_path(
            &mut out,
            &root,
            Path::new("etc/hostname"),
            Follow::No,
            "hostname",
        )
        .unwrap();
        assert_eq!(
            names(&out),
            vec![("hostname".to_string(), EntryType::Regular)]
        );
        let mut archive = tar::Archive::new(&out[..]);
        let mut entry = archive.entries().unwrap().next().unwrap().unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        assert_eq!(text, "box\n");
    }

    #[test]
    fn a_directory_is_archived_below_its_name_links_kept() {
        let t = tree();
        let mut out = Vec::new();
        let root = Root::new(t.path()).unwrap();
        pack_path(&mut out, &root, Path::new("etc"), Follow::No, "etc").unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            ["etc/", "etc/hostname", "etc/link", "etc/sub/", "etc/sub/x"]
        );
        let mut archive = tar::Archive::new(&out[..]);
        let link = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.header().entry_type() == EntryType::Symlink)
            .unwrap();
        assert_eq!(
            link.link_name().unwrap().unwrap(),
            Path::new("/etc/hostname")
        );

        let mut out = Vec::new();
        pack_path(&mut out, &root, Path::new("etc"), Follow::Yes, ".").unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(got[..2], [".".to_string(), "./hostname".to_string()]);
    }

    #[test]
    fn the_root_is_archived_relative_to_it() {
        let t = tree();
        let mut out = Vec::new();
        pack_root(&mut out, &Root::new(t.path()).unwrap()).unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            ["etc/", "etc/hostname", "etc/link", "etc/sub/", "etc/sub/x"]
        );
    }

    #[test]
    fn long_names_survive() {
        let dir = tempfile::tempdir().unwrap();
        let long = "d".repeat(150);
        std::fs::create_dir(dir.path().join(&long)).unwrap();
        std::fs::write(dir.path().join(&long).join("f"), "x").unwrap();
        let mut out = Vec::new();
        pack_root(&mut out, &Root::new(dir.path()).unwrap()).unwrap();
        let got: Vec<String> = names(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(got, [format!("{long}/"), format!("{long}/f")]);
    }

    #[test]
    fn hard_links_are_archived_as_links_and_links_never_followed() {
        let t = tree();
        std::fs::hard_link(
            t.path().join("etc/hostname"),
            t.path().join("etc/sub/again"),
        )
        .unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host").unwrap();
        symlink(outside.path(), t.path().join("etc/out")).unwrap();
        let mut out = Vec::new();
        let root = Root::new(t.path()).unwrap();
        pack_path(&mut out, &root, Path::new("etc"), Follow::No, "etc").unwrap();
        let got = names(&out);
        assert!(
            got.contains(&("etc/sub/again".to_string(), EntryType::Link)),
            "{got:?}"
        );
        assert!(
            got.contains(&("etc/out".to_string(), EntryType::Symlink)),
            "{got:?}"
        );
        assert!(!got.iter().any(|(n, _)| n.contains("secret")), "{got:?}");
        // Followed on request: inside the root, where it leads nowhere.
        let mut out = Vec::new();
        assert!(pack_path(&mut out, &root, Path::new("etc/out"), Follow::Yes, "out").is_err());
    }
}
