//! The daemon's configuration as the binary handles it: the model and the
//! per-key checks come from [`engined_core::config`] (re-exported here);
//! this module adds where the file is and whether it must exist
//! ([`file`](mod@file)), dockerd's rule for flags and file together
//! ([`merge`](mod@merge): a key set by both is an error) and SIGHUP
//! ([`reload`](mod@reload): the file again, the flags again, the runtimes
//! snapshot swapped, the keys that cannot change at runtime kept).

pub mod file;
pub mod merge;
pub mod reload;

pub use engined_core::config::*;
pub use file::{ConfigFile, FileConfig};
pub use merge::{load, merge};
pub use reload::{reload, reload_config, NewConfig, ReloadError, ReloadWarning, Reloaded};
