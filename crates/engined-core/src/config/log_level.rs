//! `log-level`: the levels dockerd accepts for its own log, by dockerd's names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// How much the daemon logs (`log-level` in `daemon.json`, `-l` on the
/// command line). `debug: true` (`-D`) means [`LogLevel::Debug`] whatever
/// this says, as for dockerd.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Everything, including what helps debugging.
    Debug,
    /// Normal operation (the default).
    #[default]
    Info,
    /// Things that look wrong but do not stop the daemon.
    Warn,
    /// Failures.
    Error,
    /// Failures that stop the daemon. `tracing` has no level above `error`,
    /// so this logs what `error` logs.
    Fatal,
}

impl LogLevel {
    /// Every level, from the most verbose.
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Fatal,
    ];

    /// The level's name as `daemon.json` and `-l` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
            LogLevel::Fatal => "fatal",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log level {0:?} (use debug, info, warn, error or fatal)")]
pub struct UnknownLogLevel(pub String);

impl FromStr for LogLevel {
    type Err = UnknownLogLevel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        LogLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == text)
            .ok_or_else(|| UnknownLogLevel(text.to_owned()))
    }
}

/// From a string, with [`FromStr`]'s message for an unknown name (serde's
/// own enum handling says only "expected value" for a number).
impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for level in LogLevel::ALL {
            assert_eq!(level.as_str().parse::<LogLevel>(), Ok(level));
            let json = serde_json::to_string(&level).unwrap();
            assert_eq!(json, format!("\"{level}\""));
            assert_eq!(serde_json::from_str::<LogLevel>(&json).unwrap(), level);
        }
        assert!("verbose".parse::<LogLevel>().is_err());
        assert!("INFO".parse::<LogLevel>().is_err());
    }
}
