//! The audit log: one JSON line per decision (who, which operation, the
//! path, allowed or denied, the deciding rule and the reason). Only what
//! the proxy decided on is written: never a header or a body, so neither
//! `X-Registry-Auth` nor the credentials of `docker login` can end up in
//! it. Without a file, nothing is written.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::policy::Decision;
use crate::route::Operation;

/// Where decisions go.
#[derive(Debug, Default)]
pub struct Audit {
    file: Option<Mutex<File>>,
}

/// One line of the log.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// Milliseconds since the Unix epoch.
    pub time_ms: u128,
    /// The listener's identity.
    pub identity: &'a str,
    /// The operationId (empty for a request the spec has no route for).
    pub operation: &'a str,
    pub method: &'a str,
    /// The path without its query string.
    pub path: &'a str,
    /// `allow`, `deny`, or `refused` (an unknown identity, no such
    /// operation, or a bad version).
    pub decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

impl<'a> Entry<'a> {
    /// The policy's decision on `op`.
    pub fn decided(identity: &'a str, op: &'a Operation, path: &'a str, d: &'a Decision) -> Self {
        Entry {
            time_ms: now_ms(),
            identity,
            operation: op.id,
            method: op.method,
            path,
            decision: if d.allowed { "allow" } else { "deny" },
            rule: d.rule.as_deref(),
            reason: d.reason.as_deref(),
        }
    }

    /// A request refused before the policy's rules: an identity the
    /// policy does not know, no route, or a bad version.
    pub fn refused(identity: &'a str, method: &'a str, path: &'a str, why: &'a str) -> Self {
        Entry {
            time_ms: now_ms(),
            identity,
            operation: "",
            method,
            path,
            decision: "refused",
            rule: None,
            reason: Some(why),
        }
    }
}

impl Audit {
    /// No audit log.
    pub fn none() -> Audit {
        Audit::default()
    }

    /// Appends to `path` (created when missing, mode 0600).
    pub fn open(path: &Path) -> std::io::Result<Audit> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(Audit {
            file: Some(Mutex::new(file)),
        })
    }

    /// Writes `entry` as one line; a failure is logged, not fatal.
    pub fn write(&self, entry: &Entry<'_>) {
        let Some(file) = &self.file else { return };
        let Ok(mut line) = serde_json::to_vec(entry) else {
            return;
        };
        line.push(b'\n');
        let mut file = match file.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Err(e) = file.write_all(&line) {
            tracing::warn!("audit log: {e}");
        }
    }
}
