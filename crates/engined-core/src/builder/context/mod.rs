//! The build context: the request body (a tar, gzip-compressed or not)
//! unpacked under the image store's tmp directory through
//! [`crate::scoped`] by the same code as `docker cp` (entries that would
//! leave the root are refused), with at most [`MAX_BYTES`] of content;
//! the Dockerfile read from it (bounded); then the paths `.dockerignore`
//! excludes ([`ignore`]) removed, so no instruction can copy them. The
//! directory goes when the context is dropped; the last one is kept for
//! a rebuild of the same tar ([`reuse`]).

pub mod ignore;
pub mod reuse;

use std::collections::BTreeMap;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::dockerfile;
use super::error::BuildError;
use crate::containers::archive::unpack::{unpack, UnpackOptions};
use crate::scoped::{Follow, Root};
use engined_shim::atomic;

/// The most a context may hold once uncompressed.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// The refusal of a context over [`MAX_BYTES`].
pub fn too_large() -> String {
    format!(
        "the build context is larger than {} MiB",
        MAX_BYTES / 1024 / 1024
    )
}

/// An unpacked context.
pub struct Context {
    dir: PathBuf,
    pub root: Root,
    /// The digests of the COPY and ADD layers made from this context, by
    /// what they copied (see [`Context::copied`]).
    copies: Mutex<BTreeMap<String, String>>,
}

impl Drop for Context {
    fn drop(&mut self) {
        let _ = atomic::remove_any(&self.dir);
    }
}

/// A reader that fails once more than `left` bytes went through.
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(too_large()));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

impl Context {
    /// Unpacks the tar in the file `body` into a fresh directory under
    /// `tmp`.
    pub fn unpack(tmp: &Path, body: &Path) -> Result<Context, BuildError> {
        let dir = atomic::temp_path(tmp, "context");
        std::fs::create_dir(&dir).map_err(BuildError::io("creating the build context"))?;
        let opened =
            Root::new(&dir).map_err(|e| BuildError::io("opening the build context")(e.into()));
        let root = match opened {
            Ok(root) => root,
            Err(e) => {
                let _ = atomic::remove_any(&dir);
                return Err(e);
            }
        };
        let context = Context {
            dir,
            root,
            copies: Mutex::new(BTreeMap::new()),
        };
        let file =
            std::fs::File::open(body).map_err(BuildError::io("reading the build context"))?;
        let plain = crate::images::decompressed(BufReader::new(file))
            .map_err(BuildError::io("reading the build context"))?;
        let limited = Limited {
            inner: plain,
            left: MAX_BYTES,
        };
        let options = UnpackOptions {
            no_overwrite_dir_non_dir: false,
            owner: None,
        };
        unpack(limited, &context.root, Path::new(""), &options)
            .map_err(|e| BuildError::Request(format!("invalid build context: {e}")))?;
        Ok(context)
    }

    /// The digest of the layer a COPY or ADD described by `what` (its
    /// sources, destination, flags and the image it was made on) made
    /// from this context before: the context never changes once
    /// unpacked, so the same step makes the same layer, and a rebuild
    /// finds it in the cache without reading the sources again.
    pub fn copied(&self, what: &str) -> Option<String> {
        crate::sync::lock(&self.copies).get(what).cloned()
    }

    /// Records the digest of a layer [`Context::copied`] answers.
    pub fn remember_copy(&self, what: String, digest: String) {
        crate::sync::lock(&self.copies).insert(what, digest);
    }

    /// The Dockerfile at `name` (relative to the context).
    pub fn dockerfile(&self, name: &str) -> Result<String, BuildError> {
        let missing = || {
            BuildError::Request(format!(
                "Cannot locate specified Dockerfile: {}",
                name.trim_start_matches("./")
            ))
        };
        let path = Path::new(name);
        match self.root.metadata(path, Follow::Yes) {
            Ok(m) if m.is_file() && m.len() > dockerfile::MAX_BYTES as u64 => {
                let size = usize::try_from(m.len()).unwrap_or(usize::MAX);
                return Err(dockerfile::ParseError::TooLarge(size).into());
            }
            Ok(m) if m.is_file() => {}
            _ => return Err(missing()),
        }
        let file = self.root.open(path).map_err(|_| missing())?;
        let mut text = Vec::new();
        file.take(dockerfile::MAX_BYTES as u64 + 1)
            .read_to_end(&mut text)
            .map_err(BuildError::io("reading the Dockerfile"))?;
        if text.len() > dockerfile::MAX_BYTES {
            return Err(dockerfile::ParseError::TooLarge(text.len()).into());
        }
        String::from_utf8(text)
            .map_err(|_| BuildError::Request("the Dockerfile is not UTF-8 text".into()))
    }

    /// Removes what `.dockerignore` excludes.
    pub fn apply_dockerignore(&self) -> Result<(), BuildError> {
        let path = Path::new(".dockerignore");
        let Ok(file) = self.root.open(path) else {
            return Ok(());
        };
        let mut text = String::new();
        file.take(1024 * 1024)
            .read_to_string(&mut text)
            .map_err(BuildError::io("reading .dockerignore"))?;
        let rules = ignore::Rules::parse(&text)
            .map_err(|e| BuildError::Request(format!(".dockerignore: {e}")))?;
        if rules.is_empty() {
            return Ok(());
        }
        self.prune(&rules, Path::new(""))
    }

    /// Removes the excluded entries below `dir`.
    fn prune(&self, rules: &ignore::Rules, dir: &Path) -> Result<(), BuildError> {
        let shown =
            |e: crate::scoped::ScopedError| BuildError::io("applying .dockerignore")(e.into());
        let handle = self
            .root
            .dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .map_err(shown)?;
        for name in handle.entries().map_err(shown)? {
            let path = dir.join(&name);
            let text = path.to_string_lossy();
            let is_dir = handle.is_dir(&name).map_err(shown)?.unwrap_or(false);
            if rules.excludes(&text) {
                // A re-included path below keeps its directory.
                if !(is_dir && rules.may_include_below(&text)) {
                    handle.remove_all(&name).map_err(shown)?;
                    continue;
                }
            }
            if is_dir {
                self.prune(rules, &path)?;
            }
        }
        Ok(())
    }
}
