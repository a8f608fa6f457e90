//! The image config document (Docker / OCI image config JSON): the
//! container defaults (`config`), the layer list (`rootfs.diff_ids`) and the
//! history. An image's ID is the SHA-256 of these bytes exactly as stored,
//! so a config read from a `docker save` archive is kept byte for byte.

use engine_api::types::ContainerConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ContainerConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_config: Option<ContainerConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_version: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub rootfs: RootFs,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// Parses a stored or loaded config; `id` names it in the error.
    pub fn parse(id: &str, bytes: &[u8]) -> Result<ImageConfig, super::ImageError> {
        let config: ImageConfig =
            serde_json::from_slice(bytes).map_err(|e| super::ImageError::BadConfig {
                id: id.to_string(),
                why: e.to_string(),
            })?;
        if config.rootfs.kind != "layers" {
            return Err(super::ImageError::BadConfig {
                id: id.to_string(),
                why: format!("rootfs type {:?} is not \"layers\"", config.rootfs.kind),
            });
        }
        for diff in &config.rootfs.diff_ids {
            if super::reference::id_hex(diff)
                .is_none_or(|h| h.len() != 64 || !diff.starts_with("sha256:"))
            {
                return Err(super::ImageError::BadConfig {
                    id: id.to_string(),
                    why: format!("layer digest {diff:?} is not sha256:<64 hex>"),
                });
            }
        }
        Ok(config)
    }

    /// The container defaults, empty when the image sets none.
    pub fn container_defaults(&self) -> ContainerConfig {
        self.config.clone().unwrap_or_default()
    }

    /// `created` as Unix seconds (0 when absent or unreadable).
    pub fn created_unix(&self) -> i64 {
        self.created_nanos() / 1_000_000_000
    }

    /// `created` as Unix nanoseconds, for ordering.
    pub fn created_nanos(&self) -> i64 {
        self.created.as_deref().map_or(0, rfc3339_to_nanos)
    }
}

/// Seconds since the epoch of an RFC 3339 time; 0 when unreadable.
pub fn rfc3339_to_unix(text: &str) -> i64 {
    rfc3339_to_nanos(text) / 1_000_000_000
}

/// Nanoseconds since the epoch of an RFC 3339 time (`Z` or a numeric
/// offset); 0 when unreadable.
pub fn rfc3339_to_nanos(text: &str) -> i64 {
    let text = text.trim();
    // humantime reads UTC only: apply a `+hh:mm` / `-hh:mm` offset by hand.
    let split = text
        .len()
        .checked_sub(6)
        .and_then(|i| Some((text.get(..i)?, text.get(i..)?)));
    let (base, offset_secs) = match split {
        Some((base, off))
            if (off.starts_with('+') || off.starts_with('-'))
                && off.is_ascii()
                && off.as_bytes()[3] == b':' =>
        {
            let hours: i64 = off[1..3].parse().unwrap_or(0);
            let minutes: i64 = off[4..6].parse().unwrap_or(0);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            (base, sign * (hours * 3600 + minutes * 60))
        }
        _ => (text.trim_end_matches('Z'), 0),
    };
    humantime::parse_rfc3339_weak(base)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64 - offset_secs * 1_000_000_000)
}

/// Now, as Docker writes times in image configs (RFC 3339, nanoseconds, UTC).
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_nanos(std::time::SystemTime::now()).to_string()
}

/// The Go architecture name of this host, as image configs record it.
pub fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "arm" => "arm",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(rfc3339_to_unix("2024-01-02T03:04:05Z"), 1_704_164_645);
        assert_eq!(
            rfc3339_to_nanos("2024-01-02T03:04:05.5Z"),
            1_704_164_645_500_000_000
        );
        assert_eq!(rfc3339_to_unix("2024-01-02T04:04:05+01:00"), 1_704_164_645);
        assert_eq!(rfc3339_to_unix("junk"), 0);
        assert_eq!(rfc3339_to_unix("2024-01-02T03:04:05ééé"), 0);
    }
}
