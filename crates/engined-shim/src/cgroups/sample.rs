//! One reading of a container's cgroup, the same figures whichever cgroup
//! version they came from: CPU time, memory, processes, block I/O. Times
//! are in nanoseconds, sizes in bytes.

use std::collections::BTreeMap;

/// Everything one reading of a cgroup gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    pub cpu: Cpu,
    pub memory: Memory,
    pub pids: Pids,
    pub blkio: Blkio,
}

/// CPU time used by the cgroup since it was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cpu {
    pub total_ns: u64,
    /// Per CPU (v1 only: v2 does not keep it).
    pub per_cpu_ns: Option<Vec<u64>>,
    pub kernel_ns: u64,
    pub user_ns: u64,
    /// CFS quota enforcement: periods elapsed, periods throttled, time
    /// spent throttled.
    pub periods: u64,
    pub throttled_periods: u64,
    pub throttled_ns: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub usage: u64,
    /// The highest usage seen (v1 only).
    pub max_usage: Option<u64>,
    /// How often usage hit the limit (v1 only).
    pub failcnt: Option<u64>,
    /// `None`: no limit.
    pub limit: Option<u64>,
    /// The controller's `memory.stat`, as the kernel names its keys.
    pub stats: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pids {
    pub current: u64,
    /// `None`: no limit.
    pub limit: Option<u64>,
}

/// Block I/O per device and operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blkio {
    /// Bytes moved.
    pub service_bytes: Vec<BlkioEntry>,
    /// Operations done.
    pub serviced: Vec<BlkioEntry>,
}

/// One device's count for one operation (`Read`, `Write`... on v1,
/// `read`/`write` on v2, as dockerd reports them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlkioEntry {
    pub major: u64,
    pub minor: u64,
    pub op: String,
    pub value: u64,
}
