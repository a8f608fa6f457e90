//! Images: the content-addressed store under `<data-root>/images/` (layer
//! and config blobs, tags, each layer unpacked once in [`layers`]) and what the
//! image API does with it: import, tag, untag, delete, prune, history,
//! inspect, `docker save` / `docker load` archives, list filters,
//! the classic builder's step cache ([`build_cache`]), and
//! `docker pull` / `docker push` with registries ([`pull`], [`push`],
//! [`registry`], their progress streams in [`progress`]).
//!
//! Containers find their image with [`ImageStore::resolve`] and get an
//! [`ImageRecord`]: the ID, the read-only layer directories to stack or
//! copy, and the image's container defaults.

mod archive;
mod blobs;
pub mod build_cache;
pub(crate) mod changes;
pub(crate) mod config;
mod delete;
mod error;
mod filter;
mod history;
mod inspect;
pub mod layers;
pub mod progress;
pub mod pull;
pub mod push;
mod reference;
pub mod registry;
mod registry_error;
mod repositories;
mod store;
mod tarsplit_error;
pub(crate) mod unpack;

pub use archive::Loaded;
pub use blobs::hex_of;
pub use config::{History, ImageConfig, RootFs};
pub use delete::Removed;
pub use error::ImageError;
pub use filter::{ImageFilter, ImageFilterError, Intermediates};
pub use history::HistoryLine;
pub use inspect::inspect;
pub use reference::{split_tag, Reference};
pub use store::{
    decompressed, short_id, Image, ImageMeta, ImageRecord, ImageStore, ImageUser, ImportOptions,
    LayerFile, Tagged,
};

#[cfg(test)]
pub(crate) mod tests;
