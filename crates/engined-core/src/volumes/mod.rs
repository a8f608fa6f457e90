//! Volumes with the local driver: directories under
//! `<data-root>/volumes/` that containers mount (`-v name:/path`), with
//! their labels and creation time, created and removed atomically, and the
//! list filters (`name`, `label`, `dangling`, `driver`), their events and
//! `docker volume prune`.

mod error;
mod events;
mod filter;
mod prune;
mod store;

pub use error::VolumeError;
pub use events::publish;
pub use filter::{VolumeFilter, LIST_KEYS};
pub use prune::{prune, PruneReport};
pub use store::{dir_size, validate_name, CreateOptions, VolumeRecord, VolumeStore, LOCAL};
