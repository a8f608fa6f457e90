//! `ip-forward`: with it on (dockerd's default) the daemon turns on
//! `net.ipv4.ip_forward` at start, so that traffic DNAT sends to a
//! container and containers' outbound traffic are routed; with it off
//! the value is left as the host has it.

use std::path::Path;

use crate::networks::error::{NetworkError, Result};

/// The kernel's switch.
pub const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";

/// Turns forwarding on through `path` (the kernel's file, or a test's)
/// when `enable`, writing only when it is off; returns the value now in
/// force.
pub fn ensure(path: &Path, enable: bool) -> Result<bool> {
    let read = || {
        std::fs::read_to_string(path)
            .map(|v| v.trim() == "1")
            .map_err(|e| NetworkError::io(format!("reading {}", path.display()), e))
    };
    let on = read()?;
    if on || !enable {
        return Ok(on);
    }
    std::fs::write(path, "1\n")
        .map_err(|e| NetworkError::io(format!("turning on {}", path.display()), e))?;
    read()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarding_is_turned_on_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ip_forward");
        std::fs::write(&file, "0\n").unwrap();
        assert!(!ensure(&file, false).unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "0\n");
        assert!(ensure(&file, true).unwrap());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "1\n");
        assert!(ensure(&dir.path().join("missing"), true).is_err());
    }
}
