//! `--sysctl`: only the kernel settings that live in a namespace the
//! container has of its own can be set (IPC: `kernel.msg*`, `kernel.sem`,
//! `kernel.shm*`, `fs.mqueue.*`; network: `net.*`, unless the container
//! shares the host's network), as dockerd and its CLI check.

use std::collections::BTreeMap;

use super::error::SpecError;

/// IPC-namespaced sysctls, by exact name.
const IPC_NAMES: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// Checks every sysctl of a container.
pub fn validate(sysctls: &BTreeMap<String, String>, host_network: bool) -> Result<(), SpecError> {
    for key in sysctls.keys() {
        if key.starts_with("net.") {
            if host_network {
                return Err(SpecError::invalid(format!(
                    "--sysctl {key} is not allowed in host network mode"
                )));
            }
            continue;
        }
        if IPC_NAMES.contains(&key.as_str()) || key.starts_with("fs.mqueue.") {
            continue;
        }
        return Err(SpecError::invalid(format!(
            "sysctl '{key}' is not allowed: it is not namespaced"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(keys: &[&str]) -> BTreeMap<String, String> {
        keys.iter()
            .map(|k| (k.to_string(), "1".to_string()))
            .collect()
    }

    #[test]
    fn only_namespaced_sysctls() {
        assert!(validate(
            &map(&["kernel.shmmax", "fs.mqueue.msg_max", "net.ipv4.ip_forward"]),
            false
        )
        .is_ok());
        assert_eq!(
            validate(&map(&["kernel.pid_max"]), false)
                .unwrap_err()
                .to_string(),
            "sysctl 'kernel.pid_max' is not allowed: it is not namespaced"
        );
        assert_eq!(
            validate(&map(&["net.ipv4.ip_forward"]), true)
                .unwrap_err()
                .to_string(),
            "--sysctl net.ipv4.ip_forward is not allowed in host network mode"
        );
    }
}
