//! The daemon's own log: `tracing` events as text on stderr, at the level
//! the configuration sets (`debug` / `log-level`), changeable at runtime.
//!
//! [`init`] installs the global subscriber once, at start, and returns a
//! [`LogHandle`]; after a config reload the daemon calls
//! [`LogHandle::set_level`] with the new level. `fatal` logs what `error`
//! logs (`tracing` has no level above error).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{reload, Registry};

use crate::config::LogLevel;

/// Why logging could not be set up or changed.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// A global subscriber is already installed.
    #[error("setting up logging: {0}")]
    Init(#[from] tracing::subscriber::SetGlobalDefaultError),
    /// The subscriber the handle belongs to is gone.
    #[error("changing the log level: {0}")]
    Reload(#[from] reload::Error),
}

/// Changes the level of the subscriber it came from.
#[derive(Debug, Clone)]
pub struct LogHandle {
    handle: reload::Handle<LevelFilter, Registry>,
}

impl LogHandle {
    /// Logs at `level` from now on.
    pub fn set_level(&self, level: LogLevel) -> Result<(), LoggingError> {
        let filter = level_filter(level);
        let previous = self.handle.clone_current();
        self.handle.reload(filter)?;
        if previous != Some(filter) {
            tracing::info!(level = %level, "log level changed");
        }
        Ok(())
    }

    /// The level logged at now.
    pub fn level(&self) -> Option<LevelFilter> {
        self.handle.clone_current()
    }
}

/// The `tracing` filter of a level.
pub fn level_filter(level: LogLevel) -> LevelFilter {
    match level {
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Error | LogLevel::Fatal => LevelFilter::ERROR,
    }
}

/// A subscriber that writes text to `writer` at `level`, and the handle that
/// changes its level. [`init`] uses it with stderr; tests with a buffer.
pub fn subscriber<W>(
    level: LogLevel,
    writer: W,
) -> (impl tracing::Subscriber + Send + Sync + 'static, LogHandle)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let (filter, handle) = reload::Layer::new(level_filter(level));
    let subscriber = tracing_subscriber::registry().with(filter).with(
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false),
    );
    (subscriber, LogHandle { handle })
}

/// Installs the daemon's logger: text on stderr at `level`.
pub fn init(level: LogLevel) -> Result<LogHandle, LoggingError> {
    let (subscriber, handle) = subscriber(level, std::io::stderr);
    tracing::subscriber::set_global_default(subscriber)?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn levels_map_to_filters() {
        assert_eq!(level_filter(LogLevel::Debug), LevelFilter::DEBUG);
        assert_eq!(level_filter(LogLevel::Info), LevelFilter::INFO);
        assert_eq!(level_filter(LogLevel::Warn), LevelFilter::WARN);
        assert_eq!(level_filter(LogLevel::Error), LevelFilter::ERROR);
        assert_eq!(level_filter(LogLevel::Fatal), LevelFilter::ERROR);
    }

    #[test]
    fn the_level_changes_at_runtime() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let (subscriber, handle) = subscriber(LogLevel::Warn, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("hidden at warn");
            tracing::warn!("shown at warn");
            handle.set_level(LogLevel::Debug).unwrap();
            tracing::debug!("shown at debug");
            handle.set_level(LogLevel::Error).unwrap();
            tracing::warn!("hidden at error");
            tracing::error!("shown at error");
            assert_eq!(handle.level(), Some(LevelFilter::ERROR));
        });
        let text = buffer.text();
        assert!(!text.contains("hidden"), "{text}");
        for shown in ["shown at warn", "shown at debug", "shown at error"] {
            assert!(text.contains(shown), "{shown} missing from:\n{text}");
        }
        assert!(text.contains("log level changed"), "{text}");
    }
}
