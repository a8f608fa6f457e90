//! The operations the API calls: stat a path, copy a path out as a tar,
//! copy a tar in, export the whole filesystem. Each picks the right view
//! of the container's files, does its blocking work off the async
//! threads, and publishes Docker's event (`archive-path`,
//! `extract-to-dir`, `export`; none for a stat).

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use engine_api::rt::server::{BodyStream, ByteStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::error::{ArchiveError, Result};
use super::mounts;
use super::scope::{self, Located};
use super::stat::{self, PathStat};
use super::unpack::{self, UnpackOptions};
use super::view::RootView;
use crate::containers::record::Record;
use crate::containers::Services;
use crate::containers::{events, user, Container};
use crate::scoped::pack;
use crate::scoped::{Follow, Root};

/// The view's directory as a root every path is resolved in.
fn open_root(view: &RootView, id: &str) -> Result<Root> {
    Root::new(view.root())
        .map_err(|e| ArchiveError::io(format!("opening the files of container {id}"), e.into()))
}

/// The client's `path` located: in the root it lives in (the
/// container's, or a volume's or bind mount's over it) and relative to it.
fn locate(record: &Record, view: &RootView, path: &str) -> Result<(Root, Located)> {
    let located = scope::locate(path);
    let target = mounts::target(record, view.root(), &located.relative)?;
    let located = Located {
        relative: target.relative,
        ..located
    };
    Ok((target.root, located))
}

/// Runs blocking filesystem work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ArchiveError::io("a file operation", io::Error::other(e.to_string())))?
}

/// Whether a query flag is on, the way dockerd reads these two.
pub fn flag(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true" | "True"))
}

/// `HEAD /containers/{id}/archive`: the stat of `path`; `reference` is
/// the container as the client named it (for the not-found message).
pub async fn stat_path(c: Arc<Container>, reference: String, path: String) -> Result<PathStat> {
    blocking(move || {
        let record = c.record();
        let view = RootView::for_reading(&record, &c.layout)?;
        let (root, located) = locate(&record, &view, &path)?;
        stat::stat(&root, &located, &reference, &path)
    })
    .await
}

/// `GET /containers/{id}/archive`: the stat of `path` and its tar, sent
/// as it is written.
pub async fn copy_out(
    engine: &Arc<Services>,
    c: Arc<Container>,
    reference: String,
    path: String,
) -> Result<(PathStat, ByteStream)> {
    let record = c.record();
    let (stat, view, root, located) = blocking(move || {
        let record = c.record();
        let view = RootView::for_reading(&record, &c.layout)?;
        let (root, located) = locate(&record, &view, &path)?;
        let stat = stat::stat(&root, &located, &reference, &path)?;
        Ok((stat, view, root, located))
    })
    .await?;
    events::publish(engine, "archive-path", &record, &[]);
    let body = pack::stream(move |out| {
        let _mounted = view;
        pack::pack_path(out, &root, &located.relative, located.follow, &located.name)
    });
    Ok((stat, body))
}

/// `GET /containers/{id}/export`: the whole filesystem as a tar.
pub async fn export(engine: &Arc<Services>, c: Arc<Container>) -> Result<ByteStream> {
    let record = c.record();
    let id = record.id.clone();
    let (view, root) = blocking(move || {
        let view = RootView::for_reading(&c.record(), &c.layout)?;
        let root = open_root(&view, &id)?;
        Ok((view, root))
    })
    .await?;
    events::publish(engine, "export", &record, &[]);
    Ok(pack::stream(move |out| {
        let _mounted = view;
        pack::pack_root(out, &root)
    }))
}

/// The request body as a blocking reader, fed by an async task.
struct BodyReader {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !self.current.has_remaining() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        self.current.copy_to_slice(&mut buf[..n]);
        Ok(n)
    }
}

/// How `PUT /containers/{id}/archive` was asked to extract.
#[derive(Debug, Clone, Default)]
pub struct CopyIn {
    pub path: String,
    pub no_overwrite_dir_non_dir: bool,
    /// Give the entries the container user's uid and gid.
    pub copy_uid_gid: bool,
}

/// `PUT /containers/{id}/archive`: extracts `body` into the directory
/// `request.path`. Holds the container's operation lock, so a stopped
/// container's overlay can be mounted for the write without a start
/// racing it.
pub async fn copy_in(
    engine: &Arc<Services>,
    c: Arc<Container>,
    reference: String,
    request: CopyIn,
    mut body: BodyStream,
) -> Result<()> {
    if c.record().host_config.readonly_rootfs.unwrap_or(false) {
        return Err(ArchiveError::ReadOnly);
    }
    let _op = c.op.lock().await;
    let record = c.record();
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(8);
    let pump = tokio::spawn(async move {
        while let Some(chunk) = body.next().await {
            if tx.send(chunk).await.is_err() {
                break;
            }
        }
    });
    let reader = BodyReader {
        chunks: rx,
        current: Bytes::new(),
    };
    let layout = c.layout.clone();
    let extracted = {
        let record = record.clone();
        blocking(move || {
            let mut reader = reader;
            let view = RootView::for_writing(&record, &layout)?;
            let cleaned = scope::clean(Path::new(&request.path));
            let target = mounts::target(&record, view.root(), &cleaned)?;
            if !target.writable {
                return Err(ArchiveError::ReadOnlyMount(request.path.clone()));
            }
            let root = target.root;
            let dest = scope::follow(&root, &target.relative)?;
            let missing = || ArchiveError::PathNotFound {
                path: request.path.clone(),
                container: reference.clone(),
            };
            let meta = root.metadata(&dest, Follow::Yes).map_err(|_| missing())?;
            if !meta.is_dir() {
                return Err(ArchiveError::NotADirectory(request.path.clone()));
            }
            let owner = match record.config.user.as_deref().filter(|u| !u.is_empty()) {
                Some(spec) if request.copy_uid_gid => {
                    let u = user::resolve(spec, view.root()).map_err(ArchiveError::BadArchive)?;
                    Some((u.uid, u.gid))
                }
                _ => None,
            };
            let options = UnpackOptions {
                no_overwrite_dir_non_dir: request.no_overwrite_dir_non_dir,
                owner,
            };
            unpack::unpack(&mut reader, &root, &dest, &options)?;
            // The client still sends what follows the archive's end (tar
            // pads to whole records): read it before answering, or the
            // answer and the closing connection meet a client still
            // writing, which then fails with a broken pipe.
            io::copy(&mut reader, &mut io::sink())
                .map_err(|e| ArchiveError::io("reading the archive", e))?;
            Ok(())
        })
        .await
    };
    pump.abort();
    extracted?;
    events::publish(engine, "extract-to-dir", &record, &[]);
    Ok(())
}
