//! What SIGHUP does to a running daemon: the configuration is read and
//! merged again ([`crate::config::reload`]), the engine announces the new
//! snapshot, and the log level follows the new `log-level`.

use std::sync::Arc;

use engined_core::engine::Engine;

use crate::config::{self, ConfigFile, DaemonConfig, ReloadError, Reloaded};
use crate::logging::LogHandle;

/// Everything a reload needs besides the engine: what the command line set
/// (re-applied every time), which file to read, and the log level handle.
pub struct Reloader {
    engine: Arc<Engine>,
    flags: DaemonConfig,
    config_file: ConfigFile,
    log: Option<LogHandle>,
}

impl Reloader {
    pub fn new(
        engine: Arc<Engine>,
        flags: DaemonConfig,
        config_file: ConfigFile,
        log: Option<LogHandle>,
    ) -> Reloader {
        Reloader {
            engine,
            flags,
            config_file,
            log,
        }
    }

    /// Re-reads the file, re-applies the flags, swaps the snapshot and the
    /// log level. On error nothing changes and the reason is returned.
    pub fn reload(&self) -> Result<Reloaded, ReloadError> {
        let reloaded = config::reload(&self.engine.store, &self.flags, &self.config_file)?;
        self.engine.announce_reload(&reloaded.snapshot);
        if let Some(log) = &self.log {
            if let Err(e) = log.set_level(reloaded.log_level()) {
                tracing::warn!("cannot change the log level: {e}");
            }
        }
        Ok(reloaded)
    }
}
