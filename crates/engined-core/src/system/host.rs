//! Facts about the machine the daemon runs on, read from the kernel's own
//! files: hostname, kernel release, OS name, CPUs, memory, cgroup version,
//! and which resource limits its cgroups can enforce (v1: the controller
//! directories and their files; v2: `cgroup.controllers`). Each reader
//! returns what it found or a neutral value; none fails.

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
    pub cgroups: CgroupSupport,
}

/// Which limits the host's cgroups can enforce, as `/info` reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CgroupSupport {
    pub memory_limit: bool,
    pub swap_limit: bool,
    pub memory_reservation: bool,
    pub oom_kill_disable: bool,
    /// The kernel-memory limit (cgroup v1; `/info` reports it before API 1.42).
    pub kernel_memory: bool,
    pub kernel_memory_tcp: bool,
    pub cpu_cfs_period: bool,
    pub cpu_cfs_quota: bool,
    pub cpu_shares: bool,
    pub cpu_set: bool,
    pub pids_limit: bool,
    pub blkio_weight: bool,
    /// Per-device blkio weights, and per-device read/write caps in bytes
    /// and in operations per second.
    pub blkio_weight_device: bool,
    pub blkio_read_bps: bool,
    pub blkio_write_bps: bool,
    pub blkio_read_iops: bool,
    pub blkio_write_iops: bool,
}

impl CgroupSupport {
    /// Reads the cgroup tree mounted at `root`/sys/fs/cgroup.
    pub fn read_from(root: &Path) -> CgroupSupport {
        let base = root.join("sys/fs/cgroup");
        if let Ok(controllers) = std::fs::read_to_string(base.join("cgroup.controllers")) {
            let has = |c: &str| controllers.split_whitespace().any(|w| w == c);
            // cgroup v2: a controller brings all of its limits (no
            // OOM-killer switch and no kernel-memory limits there).
            return CgroupSupport {
                memory_limit: has("memory"),
                swap_limit: has("memory"),
                memory_reservation: has("memory"),
                oom_kill_disable: false,
                kernel_memory: false,
                kernel_memory_tcp: false,
                cpu_cfs_period: has("cpu"),
                cpu_cfs_quota: has("cpu"),
                cpu_shares: has("cpu"),
                cpu_set: has("cpuset"),
                pids_limit: has("pids"),
                blkio_weight: has("io"),
                blkio_weight_device: has("io"),
                blkio_read_bps: has("io"),
                blkio_write_bps: has("io"),
                blkio_read_iops: has("io"),
                blkio_write_iops: has("io"),
            };
        }
        let file = |controller: &str, name: &str| base.join(controller).join(name).exists();
        let dir = |controller: &str| base.join(controller).is_dir();
        CgroupSupport {
            memory_limit: file("memory", "memory.limit_in_bytes"),
            swap_limit: file("memory", "memory.memsw.limit_in_bytes"),
            memory_reservation: file("memory", "memory.soft_limit_in_bytes"),
            oom_kill_disable: file("memory", "memory.oom_control"),
            kernel_memory: file("memory", "memory.kmem.limit_in_bytes"),
            kernel_memory_tcp: file("memory", "memory.kmem.tcp.limit_in_bytes"),
            cpu_cfs_period: file("cpu", "cpu.cfs_period_us"),
            cpu_cfs_quota: file("cpu", "cpu.cfs_quota_us"),
            cpu_shares: file("cpu", "cpu.shares"),
            cpu_set: file("cpuset", "cpuset.cpus"),
            pids_limit: dir("pids"),
            blkio_weight: file("blkio", "blkio.weight") || file("blkio", "blkio.bfq.weight"),
            blkio_weight_device: file("blkio", "blkio.weight_device")
                || file("blkio", "blkio.bfq.weight_device"),
            blkio_read_bps: file("blkio", "blkio.throttle.read_bps_device"),
            blkio_write_bps: file("blkio", "blkio.throttle.write_bps_device"),
            blkio_read_iops: file("blkio", "blkio.throttle.read_iops_device"),
            blkio_write_iops: file("blkio", "blkio.throttle.write_iops_device"),
        }
    }
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
            cgroups: CgroupSupport::read_from(root),
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
pub fn go_arch(arch: &str) -> &str {
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
    fn cgroup_v1_limits_from_controller_files() {
        let root = tempfile::tempdir().unwrap();
        let put = |p: &str| {
            let path = root.path().join("sys/fs/cgroup").join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        put("memory/memory.limit_in_bytes");
        put("memory/memory.soft_limit_in_bytes");
        put("memory/memory.oom_control");
        put("cpu/cpu.cfs_quota_us");
        put("cpu/cpu.cfs_period_us");
        put("cpu/cpu.shares");
        put("cpuset/cpuset.cpus");
        put("pids/cgroup.procs");
        put("blkio/blkio.throttle.read_bps_device");
        let c = CgroupSupport::read_from(root.path());
        assert!(c.memory_limit && c.memory_reservation && c.oom_kill_disable);
        assert!(!c.swap_limit, "no memory.memsw files: no swap accounting");
        assert!(c.cpu_cfs_quota && c.cpu_cfs_period && c.cpu_shares && c.cpu_set);
        assert!(c.pids_limit);
        assert!(!c.blkio_weight && !c.kernel_memory_tcp);
        assert!(c.blkio_read_bps && !c.blkio_write_bps && !c.blkio_weight_device);
        put("memory/memory.memsw.limit_in_bytes");
        assert!(CgroupSupport::read_from(root.path()).swap_limit);
    }

    #[test]
    fn cgroup_v2_limits_from_the_controllers_list() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("sys/fs/cgroup");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("cgroup.controllers"),
            "cpuset cpu io memory pids\n",
        )
        .unwrap();
        let c = CgroupSupport::read_from(root.path());
        assert!(c.memory_limit && c.swap_limit && c.cpu_cfs_quota && c.cpu_set);
        assert!(c.pids_limit && c.blkio_weight);
        assert!(c.blkio_weight_device && c.blkio_read_bps && c.blkio_write_iops);
        assert!(!c.oom_kill_disable);
        std::fs::write(dir.join("cgroup.controllers"), "cpu\n").unwrap();
        let c = CgroupSupport::read_from(root.path());
        assert!(!c.memory_limit && !c.pids_limit && c.cpu_shares);
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
