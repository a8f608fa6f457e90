//! What the daemon says about itself and its host: `/info`, `/version`,
//! the persistent engine ID, and the host facts both are built from.

pub mod host;
pub mod identity;
pub mod info;
pub mod version;

pub use host::{go_arch, CgroupSupport, HostFacts};
pub use identity::engine_id;
pub use info::{system_info, Counts, InfoInputs, LiveFacts};
pub use version::{system_version, RuntimeVersion, ENGINE_VERSION};
