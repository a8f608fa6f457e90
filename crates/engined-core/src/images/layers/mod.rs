//! The layer store under `<data-root>/images/layers/`: each layer
//! unpacked once, into a directory named by its chain ID ([`chain`]), so
//! images sharing a base share its directory; containers stack an image's
//! directories as overlayfs lowerdirs (through the short names of
//! [`links`] when the full paths would not fit a mount's options), and
//! `docker system df` reads their shared and unique sizes ([`usage`]).
//!
//! Whiteouts are always kept in overlayfs' form (character device 0/0,
//! `trusted.overlay.opaque=y`), whatever the storage driver: the copy
//! driver (`vfs`) applies them while it copies the layers bottom-up into a
//! container's root (`containers::rootfs`). engined runs as root, which
//! both forms of whiteout need.
//!
//! The store keeps no layer tars: [`tarsplit`] rebuilds one from a
//! layer's files when `docker save` or `docker push` needs it.
//!
//! A layer directory lives as long as an image lists it; an image is
//! never removed while a container uses it (`docker rmi -f` then only
//! untags it), so a container's layers outlive neither.

pub mod chain;
pub mod links;
mod store;
pub mod tarsplit;
mod usage;

pub use chain::chain_ids;
pub use store::{LayerMeta, LayerStore};
pub use usage::{usage, Usage};
