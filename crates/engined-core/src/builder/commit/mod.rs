//! `docker commit`: a container's changes become a new image on top of
//! its image. The container is paused while its files are read (unless
//! asked not to), its changes (what `docker diff` finds, with either
//! storage driver) are written as one layer tar ([`layer`]) under the
//! store's tmp directory, and the new config is the parent's with the
//! container's config (the request's fields first), the `--change`
//! instructions, the author and comment, and one more history entry. The
//! store then adds it as any image: blobs, rootfs, imagedb, tags.

pub mod error;
pub mod layer;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use engine_api::types::ContainerConfig;

pub use error::CommitError;

use crate::containers::archive::view::RootView;
use crate::containers::changes::{self, Change};
use crate::containers::store::Container;
use crate::containers::{lifecycle, Record, Status};
use crate::engine::Engine;
use crate::images::config::{self, History, ImageConfig};
use crate::images::{Image, Reference, Tagged};
use crate::scoped::Root;

/// What one `docker commit` asks for.
#[derive(Debug, Default)]
pub struct CommitOptions {
    /// The container's name or ID.
    pub container: String,
    pub reference: Option<Reference>,
    pub comment: String,
    pub author: String,
    /// Freeze the container while its files are read.
    pub pause: bool,
    /// Dockerfile instructions for the new config (`--change`).
    pub changes: Vec<String>,
    /// Config fields that win over the container's.
    pub config: Option<ContainerConfig>,
}

/// The new image and what its tag replaced.
#[derive(Debug, Clone)]
pub struct Committed {
    pub id: String,
    pub tagged: Tagged,
}

/// A file under the store's tmp directory, removed when dropped.
pub struct Spool(pub PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Commits the container `options.container` names.
pub async fn commit(
    engine: &Arc<Engine>,
    options: CommitOptions,
) -> Result<Committed, CommitError> {
    let c = engine.containers.get(&options.container)?;
    let pause = options.pause && c.status() == Status::Running;
    if pause {
        lifecycle::pause(engine, &c, true).await?;
    }
    let layer = changes_layer(engine, &c).await;
    if pause {
        if let Err(e) = lifecycle::pause(engine, &c, false).await {
            tracing::warn!("unpausing container {} after its commit: {e}", c.id);
        }
    }
    let layer = layer?;
    let record = c.record();
    let parent = engine.images.get(&record.image_id)?;
    let engine = engine.clone();
    let work = move || {
        let new = child_config(&parent, &record, &options)?;
        let (id, tagged) =
            engine
                .images
                .add_child(new, Some(&layer.0), options.reference.clone())?;
        drop(layer);
        let reference = options
            .reference
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        crate::containers::events::publish(
            &engine,
            "commit",
            &record,
            &[
                ("comment", options.comment.clone()),
                ("imageID", id.clone()),
                ("imageRef", reference),
            ],
        );
        Ok(Committed { id, tagged })
    };
    blocking(work).await
}

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CommitError> + Send + 'static,
) -> Result<T, CommitError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CommitError::io("committing")(std::io::Error::other(e.to_string())))?
}

/// The layer of container `c`'s changes (what `docker diff` lists), as
/// a tar file under the store's tmp directory.
pub async fn changes_layer(engine: &Arc<Engine>, c: &Arc<Container>) -> Result<Spool, CommitError> {
    let found = changes::changes(c.clone()).await?;
    let spool = Spool(engine.images.spool_path());
    let c = c.clone();
    blocking(move || {
        write_changes(&c, &c.record(), &found, &spool.0)?;
        Ok(spool)
    })
    .await
}

/// Writes the layer of `found` to the file `to`.
fn write_changes(
    c: &Container,
    record: &Record,
    found: &[Change],
    to: &std::path::Path,
) -> Result<(), CommitError> {
    let context = || format!("writing the changes of container {}", record.id);
    let view = RootView::for_reading(record, &c.layout)?;
    let root = Root::new(view.root()).map_err(|e| CommitError::io(context())(e.into()))?;
    let file = File::create(to).map_err(CommitError::io(context()))?;
    let mut out = BufWriter::new(file);
    layer::write_layer(&mut out, &root, found).map_err(CommitError::io(context()))?;
    out.flush().map_err(CommitError::io(context()))?;
    Ok(())
}

/// The parent's config with the container's defaults, the changes, and
/// one more history entry (its layer is added by the store).
fn child_config(
    parent: &Image,
    record: &Record,
    options: &CommitOptions,
) -> Result<ImageConfig, CommitError> {
    let mut defaults = match options.config.clone() {
        Some(user) => crate::containers::config::merge(user, &record.config),
        None => record.config.clone(),
    };
    crate::images::changes::apply(&mut defaults, &options.changes)?;
    let now = config::now_rfc3339();
    let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let mut new = parent.config.clone();
    new.config = Some(defaults);
    new.container_config = None;
    // dockerd records the image a commit was made on as its parent (what
    // `docker images` uses to hide untagged intermediates).
    new.parent = Some(parent.id.clone());
    new.created = Some(now.clone());
    new.author = text(&options.author);
    new.comment = text(&options.comment);
    new.docker_version = Some(crate::system::ENGINE_VERSION.to_string());
    new.history.push(History {
        created: Some(now),
        created_by: text(&record.config.cmd.clone().unwrap_or_default().join(" ")),
        author: text(&options.author),
        comment: text(&options.comment),
        empty_layer: false,
    });
    Ok(new)
}
