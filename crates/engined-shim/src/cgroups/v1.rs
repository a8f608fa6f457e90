//! cgroup v1: one hierarchy per controller, the container's cgroup at the
//! same relative path in each (`<root>/memory/<path>`, `<root>/cpuacct/<path>`...).

use std::path::{Path, PathBuf};

use super::error::CgroupError;
use super::files::{parse_device, read_keyed, read_limit, read_list, read_text, read_u64};
use super::sample::{Blkio, BlkioEntry, Cpu, Memory, Pids, Sample};

/// The container's cgroup in each v1 hierarchy under `root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1 {
    root: PathBuf,
    path: PathBuf,
}

impl V1 {
    pub fn new(root: &Path, path: &Path) -> V1 {
        V1 {
            root: root.to_path_buf(),
            path: path.to_path_buf(),
        }
    }

    /// The cgroup's directory in `controller`'s hierarchy.
    pub fn dir(&self, controller: &str) -> PathBuf {
        self.root.join(controller).join(&self.path)
    }

    fn memory_dir(&self) -> Result<PathBuf, CgroupError> {
        let dir = self.dir("memory");
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(CgroupError::Missing { path: dir })
        }
    }

    pub fn sample(&self, clock_ticks: u64) -> Result<Sample, CgroupError> {
        let memory = self.memory()?;
        Ok(Sample {
            cpu: self.cpu(clock_ticks)?,
            memory,
            pids: self.pids()?,
            blkio: self.blkio()?,
        })
    }

    /// OOM kills in the cgroup so far (`oom_kill` of `memory.oom_control`,
    /// kernels 4.13 and later; 0 on older ones).
    pub fn oom_kills(&self) -> Result<u64, CgroupError> {
        let file = self.memory_dir()?.join("memory.oom_control");
        Ok(read_keyed(&file)?
            .and_then(|m| m.get("oom_kill").copied())
            .unwrap_or(0))
    }

    fn memory(&self) -> Result<Memory, CgroupError> {
        let dir = self.memory_dir()?;
        Ok(Memory {
            usage: read_u64(&dir.join("memory.usage_in_bytes"))?.unwrap_or(0),
            max_usage: read_u64(&dir.join("memory.max_usage_in_bytes"))?,
            failcnt: read_u64(&dir.join("memory.failcnt"))?,
            limit: read_limit(&dir.join("memory.limit_in_bytes"))?,
            stats: read_keyed(&dir.join("memory.stat"))?.unwrap_or_default(),
        })
    }

    /// `cpuacct.stat` counts in clock ticks (`USER_HZ`); the rest is in
    /// nanoseconds already.
    fn cpu(&self, clock_ticks: u64) -> Result<Cpu, CgroupError> {
        let acct = self.dir("cpuacct");
        let ticks = read_keyed(&acct.join("cpuacct.stat"))?.unwrap_or_default();
        let to_ns = |t: u64| t.saturating_mul(1_000_000_000) / clock_ticks.max(1);
        let throttling = read_keyed(&self.dir("cpu").join("cpu.stat"))?.unwrap_or_default();
        let get = |key: &str| throttling.get(key).copied().unwrap_or(0);
        Ok(Cpu {
            total_ns: read_u64(&acct.join("cpuacct.usage"))?.unwrap_or(0),
            per_cpu_ns: read_list(&acct.join("cpuacct.usage_percpu"))?,
            kernel_ns: to_ns(ticks.get("system").copied().unwrap_or(0)),
            user_ns: to_ns(ticks.get("user").copied().unwrap_or(0)),
            periods: get("nr_periods"),
            throttled_periods: get("nr_throttled"),
            throttled_ns: get("throttled_time"),
        })
    }

    fn pids(&self) -> Result<Pids, CgroupError> {
        let dir = self.dir("pids");
        Ok(Pids {
            current: read_u64(&dir.join("pids.current"))?.unwrap_or(0),
            limit: read_limit(&dir.join("pids.max"))?,
        })
    }

    /// The proportional-weight files when the I/O scheduler keeps them,
    /// else the throttling layer's (which every kernel keeps).
    fn blkio(&self) -> Result<Blkio, CgroupError> {
        let dir = self.dir("blkio");
        let entries = |name: &str| -> Result<Vec<BlkioEntry>, CgroupError> {
            let own =
                parse_blkio(&read_text(&dir.join(format!("blkio.{name}")))?.unwrap_or_default());
            if !own.is_empty() {
                return Ok(own);
            }
            let throttle = read_text(&dir.join(format!("blkio.throttle.{name}")))?;
            Ok(parse_blkio(&throttle.unwrap_or_default()))
        };
        Ok(Blkio {
            service_bytes: entries("io_service_bytes_recursive")?,
            serviced: entries("io_serviced_recursive")?,
        })
    }
}

/// `8:0 Read 4096` lines; the per-file `Total 4096` line has no device
/// and is left out.
fn parse_blkio(text: &str) -> Vec<BlkioEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (major, minor) = parse_device(fields.next()?)?;
            let op = fields.next()?.to_string();
            let value = fields.next()?.parse().ok()?;
            Some(BlkioEntry {
                major,
                minor,
                op,
                value,
            })
        })
        .collect()
}
