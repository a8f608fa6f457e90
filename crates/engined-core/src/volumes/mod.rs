//! Volumes with the local driver: directories under
//! `<data-root>/volumes/` that containers mount (`-v name:/path`), with
//! their labels and creation time, created and removed atomically, and the
//! list filters (`name`, `label`, `dangling`, `driver`).

mod error;
mod filter;
mod store;

pub use error::VolumeError;
pub use filter::VolumeFilter;
pub use store::{dir_size, validate_name, CreateOptions, VolumeRecord, VolumeStore, LOCAL};
