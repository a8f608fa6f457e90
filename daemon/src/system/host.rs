//! Facts about the machine the daemon runs on, read from the kernel's own
//! files: hostname, kernel release, OS name, CPUs, memory, cgroup version.
//! Each reader returns what it found or a neutral value; none fails.

use std::path::Path;

/// What `/info` and `/version` report about the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFacts {
    pub hostname: String,
    pub kernel_version: String,
    /// `PRETTY_NAME` of os-release, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub operating_system: String,
    /// `VERSION_ID` of os-release, e.g. "12".
    pub os_version: String,
    /// The machine name as `uname -m` prints it (x86_64, aarch64).
    pub architecture: String,
    /// Go's spelling of the architecture, as `/version` reports it (amd64, arm64).
    pub go_arch: String,
    pub ncpu: i64,
    pub mem_total: i64,
    /// "1" or "2".
    pub cgroup_version: String,
}

impl HostFacts {
    /// Reads the facts of this machine.
    pub fn read() -> HostFacts {
        Self::read_from(Path::new("/"))
    }

    /// Reads the facts under `root` (a test can point it at a fake tree).
    pub fn read_from(root: &Path) -> HostFacts {
        let file = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
        let os_release = {
            let etc = file("etc/os-release");
            if etc.is_empty() {
                file("usr/lib/os-release")
            } else {
                etc
            }
        };
        let os_field = |key: &str| {
            os_release
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_string())
                .unwrap_or_default()
        };
        let architecture = std::env::consts::ARCH.to_string();
        HostFacts {
            hostname: file("proc/sys/kernel/hostname").trim().to_string(),
            kernel_version: file("proc/sys/kernel/osrelease").trim().to_string(),
            operating_system: os_field("PRETTY_NAME"),
            os_version: os_field("VERSION_ID"),
            go_arch: go_arch(&architecture).to_string(),
            architecture,
            ncpu: std::thread::available_parallelism().map_or(1, |n| n.get() as i64),
            mem_total: mem_total_bytes(&file("proc/meminfo")),
            cgroup_version: if root.join("sys/fs/cgroup/cgroup.controllers").exists() {
                "2".into()
            } else {
                "1".into()
            },
        }
    }
}

/// `MemTotal:  24576000 kB` in bytes (0 when the line is missing).
fn mem_total_bytes(meminfo: &str) -> i64 {
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<i64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Go's GOARCH for a Rust/uname architecture name.
fn go_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" | "i686" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_fake_tree() {
        let root = tempfile::tempdir().unwrap();
        let put = |p: &str, text: &str| {
            let path = root.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        put(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n",
        );
        put("proc/sys/kernel/hostname", "box\n");
        put("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
        put("proc/meminfo", "MemTotal:       2048 kB\nMemFree: 1 kB\n");
        put("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        let facts = HostFacts::read_from(root.path());
        assert_eq!(facts.hostname, "box");
        assert_eq!(facts.kernel_version, "6.1.0-13-amd64");
        assert_eq!(facts.operating_system, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(facts.os_version, "12");
        assert_eq!(facts.mem_total, 2048 * 1024);
        assert_eq!(facts.cgroup_version, "2");
        assert!(facts.ncpu >= 1);
    }

    #[test]
    fn missing_files_give_neutral_values() {
        let root = tempfile::tempdir().unwrap();
        let facts = HostFacts::read_from(root.path());
        assert_eq!(facts.hostname, "");
        assert_eq!(facts.mem_total, 0);
        assert_eq!(facts.cgroup_version, "1");
    }
}
