//! cgroup v2: one unified hierarchy, every controller's files in the
//! container's one directory (`<root>/<path>`).

use std::path::{Path, PathBuf};

use super::error::CgroupError;
use super::files::{parse_device, read_keyed, read_limit, read_text, read_u64};
use super::sample::{Blkio, BlkioEntry, Cpu, Memory, Pids, Sample};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2 {
    dir: PathBuf,
}

impl V2 {
    pub fn new(root: &Path, path: &Path) -> V2 {
        V2 {
            dir: root.join(path),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn existing(&self) -> Result<&Path, CgroupError> {
        if self.dir.is_dir() {
            Ok(&self.dir)
        } else {
            Err(CgroupError::Missing {
                path: self.dir.clone(),
            })
        }
    }

    pub fn sample(&self) -> Result<Sample, CgroupError> {
        let dir = self.existing()?;
        Ok(Sample {
            cpu: cpu(dir)?,
            memory: Memory {
                usage: read_u64(&dir.join("memory.current"))?.unwrap_or(0),
                max_usage: None,
                failcnt: None,
                limit: read_limit(&dir.join("memory.max"))?,
                stats: read_keyed(&dir.join("memory.stat"))?.unwrap_or_default(),
            },
            pids: Pids {
                current: read_u64(&dir.join("pids.current"))?.unwrap_or(0),
                limit: read_limit(&dir.join("pids.max"))?,
            },
            blkio: parse_io_stat(&read_text(&dir.join("io.stat"))?.unwrap_or_default()),
        })
    }

    /// OOM kills in the cgroup so far (`oom_kill` of `memory.events`).
    pub fn oom_kills(&self) -> Result<u64, CgroupError> {
        let file = self.existing()?.join("memory.events");
        Ok(read_keyed(&file)?
            .and_then(|m| m.get("oom_kill").copied())
            .unwrap_or(0))
    }
}

/// `cpu.stat` counts in microseconds.
fn cpu(dir: &Path) -> Result<Cpu, CgroupError> {
    let stat = read_keyed(&dir.join("cpu.stat"))?.unwrap_or_default();
    let get = |key: &str| stat.get(key).copied().unwrap_or(0);
    Ok(Cpu {
        total_ns: get("usage_usec").saturating_mul(1000),
        per_cpu_ns: None,
        kernel_ns: get("system_usec").saturating_mul(1000),
        user_ns: get("user_usec").saturating_mul(1000),
        periods: get("nr_periods"),
        throttled_periods: get("nr_throttled"),
        throttled_ns: get("throttled_usec").saturating_mul(1000),
    })
}

/// `8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0` lines, as
/// dockerd reports them: bytes and operations, `read` and `write`.
fn parse_io_stat(text: &str) -> Blkio {
    let mut blkio = Blkio::default();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some((major, minor)) = fields.next().and_then(parse_device) else {
            continue;
        };
        for field in fields {
            let Some((key, value)) = field.split_once('=') else {
                continue;
            };
            let Ok(value) = value.parse::<u64>() else {
                continue;
            };
            let (list, op) = match key {
                "rbytes" => (&mut blkio.service_bytes, "read"),
                "wbytes" => (&mut blkio.service_bytes, "write"),
                "rios" => (&mut blkio.serviced, "read"),
                "wios" => (&mut blkio.serviced, "write"),
                _ => continue,
            };
            list.push(BlkioEntry {
                major,
                minor,
                op: op.to_string(),
                value,
            });
        }
    }
    blkio
}
