//! The last build's unpacked context, kept for the next build that sends
//! the very same context tar (by its SHA-256) with the same Dockerfile
//! name: unpacking a context of many files and removing it again is most
//! of an unchanged rebuild's time, and a rebuild of an unchanged tree is
//! what users do most. Only one context is kept per image store's tmp
//! directory, and only one of at most [`KEEP_MAX_BYTES`] of tar; it is
//! read-only once `.dockerignore` was applied (no step writes into a
//! context), shared by the builds that use it, and removed when a
//! different context replaces it (or, after a restart, by the store's
//! sweep of its tmp directory); a failed build's context is not kept.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::Context;
use crate::builder::error::BuildError;
use crate::sync::lock;

/// The largest context tar kept for the next build.
pub const KEEP_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A kept context: where it lives, what it was made from, and the
/// Dockerfile read from it (`.dockerignore` may have removed the file).
struct Kept {
    tmp: PathBuf,
    key: String,
    context: Arc<Context>,
    dockerfile: String,
}

static LAST: Mutex<Option<Kept>> = Mutex::new(None);

/// The SHA-256 of the spooled body and the Dockerfile name.
fn key_of(body: &Path, dockerfile: &str) -> Result<String, BuildError> {
    let mut file =
        std::fs::File::open(body).map_err(BuildError::io("reading the build context"))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(BuildError::io("reading the build context"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    hasher.update([0]);
    hasher.update(dockerfile.as_bytes());
    Ok(crate::images::hex_of(&hasher.finalize()))
}

/// A context ready for a build, and what [`keep`] needs to keep it.
pub struct Unpacked {
    pub context: Arc<Context>,
    /// The Dockerfile's text.
    pub dockerfile: String,
    /// Its key, when it may be kept (it was not already).
    key: Option<String>,
    tmp: PathBuf,
}

/// The context of the tar in `body` unpacked under `tmp` (or the kept
/// one made from the same tar), `.dockerignore` applied, and the text of
/// its Dockerfile `dockerfile`. Blocking.
pub fn unpack(tmp: &Path, body: &Path, dockerfile: &str) -> Result<Unpacked, BuildError> {
    let size = std::fs::metadata(body)
        .map_err(BuildError::io("reading the build context"))?
        .len();
    let key = if size <= KEEP_MAX_BYTES {
        Some(key_of(body, dockerfile)?)
    } else {
        None
    };
    if let Some(key) = &key {
        if let Some(kept) = lock(&LAST)
            .as_ref()
            .filter(|k| k.tmp == tmp && &k.key == key)
        {
            return Ok(Unpacked {
                context: kept.context.clone(),
                dockerfile: kept.dockerfile.clone(),
                key: None,
                tmp: tmp.to_path_buf(),
            });
        }
    }
    let context = Context::unpack(tmp, body)?;
    let text = context.dockerfile(dockerfile)?;
    context.apply_dockerignore()?;
    Ok(Unpacked {
        context: Arc::new(context),
        dockerfile: text,
        key,
        tmp: tmp.to_path_buf(),
    })
}

/// Keeps the context of a build that succeeded for the next build of the
/// same tar (a failed build's goes with it). The one it replaces is
/// removed, unless a build still uses it. Blocking.
pub fn keep(unpacked: Unpacked) {
    let Some(key) = unpacked.key else {
        return;
    };
    let kept = Kept {
        tmp: unpacked.tmp,
        key,
        context: unpacked.context,
        dockerfile: unpacked.dockerfile,
    };
    let old = lock(&LAST).replace(kept);
    // Removed here, outside the lock.
    drop(old);
}
