//! The value parsers of the flags: each checks one value with the same rule
//! as the `daemon.json` key, so a bad value is reported against its flag.
//!
//! Paths must be UTF-8 (clap refuses other bytes for `&str` parsers), as
//! they must be in `daemon.json`; that keeps every setting expressible in
//! both places.

use std::path::PathBuf;

use crate::config::{hosts, labels, ConfigError, LogLevel};

/// One `--add-runtime NAME=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddRuntime {
    /// The runtime's name.
    pub name: String,
    /// Its binary: a name looked up on `PATH`, or a path.
    pub path: String,
}

pub(super) fn host(text: &str) -> Result<String, String> {
    hosts::parse(text, false).map_err(reason)?;
    Ok(text.trim().to_owned())
}

pub(super) fn group(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the group is empty".to_owned());
    }
    Ok(text.trim().to_owned())
}

pub(super) fn label(text: &str) -> Result<String, String> {
    labels::parse(text).map_err(reason)?;
    Ok(text.to_owned())
}

/// The error without the `daemon.json` key it starts with (clap names the
/// flag instead).
fn reason(err: ConfigError) -> String {
    match err {
        ConfigError::InvalidHost { source } => source.to_string(),
        ConfigError::InvalidValue { reason, .. } => reason.to_owned(),
        other => other.to_string(),
    }
}

pub(super) fn log_level(text: &str) -> Result<LogLevel, String> {
    text.parse()
        .map_err(|err: crate::config::log_level::UnknownLogLevel| err.to_string())
}

pub(super) fn path(text: &str) -> Result<PathBuf, String> {
    if text.is_empty() {
        return Err("the path is empty".to_owned());
    }
    Ok(PathBuf::from(text))
}

pub(super) fn absolute_path(text: &str) -> Result<PathBuf, String> {
    let path = path(text)?;
    if !path.is_absolute() {
        return Err("must be an absolute path".to_owned());
    }
    Ok(path)
}

/// dockerd's `--add-runtime` format: `NAME=PATH`, both non-empty. Whether the
/// name is acceptable is checked with the other runtimes, by
/// [`engined_core::runtimes`].
pub(super) fn add_runtime(text: &str) -> Result<AddRuntime, String> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| "expected NAME=PATH".to_owned())?;
    let (name, path) = (name.trim(), path.trim());
    if name.is_empty() || path.is_empty() {
        return Err("expected NAME=PATH, both non-empty".to_owned());
    }
    Ok(AddRuntime {
        name: name.to_owned(),
        path: path.to_owned(),
    })
}
