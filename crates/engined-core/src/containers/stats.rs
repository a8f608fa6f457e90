//! `docker stats`: readings of a container's cgroup in dockerd's JSON
//! shape (`read`, `preread`, `pids_stats`, `blkio_stats`, `cpu_stats`,
//! `precpu_stats`, `memory_stats`, `name`, `id`...), one per second when
//! streaming. `precpu_stats` is the reading before, so a client derives
//! CPU percentages from the two. A container that does not run reads as
//! zeros, as with dockerd.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::stream::{self, Stream};
use serde_json::{json, Map, Value};

use super::record::ZERO_TIME;
use super::store::Container;
use engined_shim::cgroups::{self, host, Cgroup, Sample};
use engined_shim::logs::format_time;

/// How often a streamed reading is taken.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// What the container's figures are measured against.
#[derive(Debug, Clone, Copy)]
pub struct HostFigures {
    /// CPUs the daemon may run on (dockerd's `online_cpus`).
    pub online_cpus: u64,
    /// The machine's memory, reported as the limit of an unlimited
    /// container.
    pub machine_memory: u64,
}

/// One reading: when, the cgroup's figures (`None`: not running), and
/// the machine's CPU time then.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub read: Option<SystemTime>,
    pub sample: Option<Sample>,
    pub system_cpu_ns: u64,
}

impl Reading {
    /// Reads container `id`'s cgroup under `root` now; a cgroup that is
    /// gone or unreadable reads as not running.
    pub fn take(root: &Path, id: &str) -> Reading {
        let sample = match Cgroup::of_container(root, id).sample() {
            Ok(sample) => Some(sample),
            Err(e) => {
                if e.kind() != cgroups::ErrorKind::Missing {
                    tracing::warn!("stats of container {id}: {e}");
                }
                None
            }
        };
        Reading {
            read: Some(SystemTime::now()),
            system_cpu_ns: host::system_cpu_ns(Path::new("/proc/stat"), host::clock_ticks())
                .unwrap_or(0),
            sample,
        }
    }
}

/// The JSON object of `reading`, with `previous` as its `pre` part.
pub fn to_json(
    name: &str,
    id: &str,
    reading: &Reading,
    previous: &Reading,
    host: HostFigures,
) -> Value {
    let time = |r: &Reading| r.read.map_or_else(|| ZERO_TIME.to_string(), format_time);
    let sample = reading.sample.as_ref();
    json!({
        "read": if sample.is_some() { time(reading) } else { ZERO_TIME.to_string() },
        "preread": if previous.sample.is_some() { time(previous) } else { ZERO_TIME.to_string() },
        "pids_stats": sample.map_or_else(|| json!({}), pids_json),
        "blkio_stats": blkio_json(sample),
        "num_procs": 0,
        "storage_stats": {},
        "cpu_stats": cpu_json(reading, host),
        "precpu_stats": cpu_json(previous, host),
        "memory_stats": sample.map_or_else(|| json!({}), |s| memory_json(s, host)),
        "name": format!("/{name}"),
        "id": id,
    })
}

/// Adds `key` only when `value` is not zero (Go's `omitempty`).
fn put_nonzero(map: &mut Map<String, Value>, key: &str, value: u64) {
    if value != 0 {
        map.insert(key.to_string(), json!(value));
    }
}

fn pids_json(s: &Sample) -> Value {
    let mut map = Map::new();
    put_nonzero(&mut map, "current", s.pids.current);
    put_nonzero(&mut map, "limit", s.pids.limit.unwrap_or(0));
    Value::Object(map)
}

fn blkio_json(sample: Option<&Sample>) -> Value {
    let list = |entries: Option<&Vec<cgroups::sample::BlkioEntry>>| match entries {
        Some(entries) => Value::Array(
            entries
                .iter()
                .map(|e| json!({"major": e.major, "minor": e.minor, "op": e.op, "value": e.value}))
                .collect(),
        ),
        None => Value::Null,
    };
    json!({
        "io_service_bytes_recursive": list(sample.map(|s| &s.blkio.service_bytes)),
        "io_serviced_recursive": list(sample.map(|s| &s.blkio.serviced)),
        "io_queue_recursive": null,
        "io_service_time_recursive": null,
        "io_wait_time_recursive": null,
        "io_merged_recursive": null,
        "io_time_recursive": null,
        "sectors_recursive": null,
    })
}

fn cpu_json(reading: &Reading, host: HostFigures) -> Value {
    let Some(s) = &reading.sample else {
        return json!({
            "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
        });
    };
    let mut usage = Map::new();
    usage.insert("total_usage".into(), json!(s.cpu.total_ns));
    if let Some(per_cpu) = s.cpu.per_cpu_ns.as_ref().filter(|p| !p.is_empty()) {
        usage.insert("percpu_usage".into(), json!(per_cpu));
    }
    usage.insert("usage_in_kernelmode".into(), json!(s.cpu.kernel_ns));
    usage.insert("usage_in_usermode".into(), json!(s.cpu.user_ns));
    let mut cpu = Map::new();
    cpu.insert("cpu_usage".into(), Value::Object(usage));
    put_nonzero(&mut cpu, "system_cpu_usage", reading.system_cpu_ns);
    put_nonzero(&mut cpu, "online_cpus", host.online_cpus);
    cpu.insert(
        "throttling_data".into(),
        json!({
            "periods": s.cpu.periods,
            "throttled_periods": s.cpu.throttled_periods,
            "throttled_time": s.cpu.throttled_ns,
        }),
    );
    Value::Object(cpu)
}

/// dockerd reports the machine's memory as the limit of a container
/// without one (or with one above it).
fn memory_json(s: &Sample, host: HostFigures) -> Value {
    let mut map = Map::new();
    put_nonzero(&mut map, "usage", s.memory.usage);
    put_nonzero(&mut map, "max_usage", s.memory.max_usage.unwrap_or(0));
    if !s.memory.stats.is_empty() {
        map.insert("stats".into(), json!(s.memory.stats));
    }
    put_nonzero(&mut map, "failcnt", s.memory.failcnt.unwrap_or(0));
    let limit = match (s.memory.limit, host.machine_memory) {
        (Some(limit), 0) => limit,
        (Some(limit), machine) => limit.min(machine),
        (None, machine) => machine,
    };
    put_nonzero(&mut map, "limit", limit);
    Value::Object(map)
}

/// How the client asked: a stream, or one object (after a second
/// reading about a second later unless `one_shot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub stream: bool,
    pub one_shot: bool,
}

impl Query {
    /// dockerd's refusal of `stream` together with `one-shot`.
    pub fn check(self) -> Result<Query, String> {
        if self.stream && self.one_shot {
            Err("cannot have stream=true and one-shot=true".into())
        } else {
            Ok(self)
        }
    }
}

/// The answer's objects for container `c`: a stream ends when the
/// container is removed (or the client goes away).
pub fn stats(
    c: Arc<Container>,
    query: Query,
    host: HostFigures,
) -> impl Stream<Item = Value> + Send + 'static {
    // State: the reading before, whether the answer is complete, whether
    // this is its first object.
    let state = (c, Reading::default(), false, true);
    stream::unfold(state, move |(c, previous, done, first)| async move {
        if done || (!first && c.watch().borrow().removed) {
            return None;
        }
        if !first {
            tokio::time::sleep(INTERVAL).await;
        }
        let mut previous = previous;
        let mut reading = take(&c).await;
        // One object, not one-shot: the first reading only primes the CPU
        // figures, like dockerd (a stopped container answers at once).
        if !query.stream && !query.one_shot && reading.sample.is_some() {
            tokio::time::sleep(INTERVAL).await;
            previous = reading;
            reading = take(&c).await;
        }
        let record = c.record();
        let value = to_json(&record.name, &c.id, &reading, &previous, host);
        Some((value, (c, reading, !query.stream, false)))
    })
}

/// A reading of `c` now (off the async threads: it reads files).
async fn take(c: &Container) -> Reading {
    if !c.status().is_running() {
        return Reading::default();
    }
    let id = c.id.clone();
    tokio::task::spawn_blocking(move || Reading::take(Path::new(cgroups::ROOT), &id))
        .await
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use engined_shim::cgroups::sample::{BlkioEntry, Cpu, Memory, Pids};

    const HOST: HostFigures = HostFigures {
        online_cpus: 2,
        machine_memory: 1 << 30,
    };

    fn reading(total_ns: u64, system_ns: u64, limit: Option<u64>) -> Reading {
        Reading {
            read: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            sample: Some(Sample {
                cpu: Cpu {
                    total_ns,
                    per_cpu_ns: Some(vec![total_ns]),
                    kernel_ns: 10,
                    user_ns: 20,
                    periods: 1,
                    throttled_periods: 0,
                    throttled_ns: 0,
                },
                memory: Memory {
                    usage: 4096,
                    max_usage: Some(8192),
                    failcnt: Some(0),
                    limit,
                    stats: [("cache".to_string(), 1u64)].into(),
                },
                pids: Pids {
                    current: 2,
                    limit: None,
                },
                blkio: cgroups::sample::Blkio {
                    service_bytes: vec![BlkioEntry {
                        major: 8,
                        minor: 0,
                        op: "Read".into(),
                        value: 512,
                    }],
                    serviced: vec![],
                },
            }),
            system_cpu_ns: system_ns,
        }
    }

    #[test]
    fn a_running_container_in_dockerds_shape() {
        let now = reading(3_000, 90_000, Some(16 << 20));
        let before = reading(1_000, 50_000, Some(16 << 20));
        let v = to_json("web", "abc", &now, &before, HOST);
        assert_eq!(v["name"], "/web");
        assert_eq!(v["id"], "abc");
        assert_eq!(v["read"], "2023-11-14T22:13:20.000000000Z");
        assert_eq!(v["preread"], "2023-11-14T22:13:20.000000000Z");
        assert_eq!(v["num_procs"], 0);
        assert_eq!(v["storage_stats"], json!({}));
        assert_eq!(v["pids_stats"], json!({"current": 2}));
        assert_eq!(v["cpu_stats"]["cpu_usage"]["total_usage"], 3_000);
        assert_eq!(v["cpu_stats"]["cpu_usage"]["percpu_usage"], json!([3_000]));
        assert_eq!(v["cpu_stats"]["cpu_usage"]["usage_in_kernelmode"], 10);
        assert_eq!(v["cpu_stats"]["cpu_usage"]["usage_in_usermode"], 20);
        assert_eq!(v["cpu_stats"]["system_cpu_usage"], 90_000);
        assert_eq!(v["cpu_stats"]["online_cpus"], 2);
        assert_eq!(v["cpu_stats"]["throttling_data"]["periods"], 1);
        assert_eq!(v["precpu_stats"]["cpu_usage"]["total_usage"], 1_000);
        assert_eq!(v["precpu_stats"]["system_cpu_usage"], 50_000);
        assert_eq!(v["memory_stats"]["usage"], 4096);
        assert_eq!(v["memory_stats"]["max_usage"], 8192);
        assert_eq!(v["memory_stats"]["limit"], 16 << 20);
        assert_eq!(v["memory_stats"]["stats"]["cache"], 1);
        assert!(v["memory_stats"].get("failcnt").is_none());
        assert_eq!(
            v["blkio_stats"]["io_service_bytes_recursive"],
            json!([{"major": 8, "minor": 0, "op": "Read", "value": 512}])
        );
        assert_eq!(v["blkio_stats"]["io_serviced_recursive"], json!([]));
        assert_eq!(v["blkio_stats"]["sectors_recursive"], Value::Null);
    }

    #[test]
    fn no_limit_or_one_above_the_machine_reads_as_the_machines_memory() {
        let none = to_json("a", "b", &reading(1, 1, None), &Reading::default(), HOST);
        assert_eq!(none["memory_stats"]["limit"], 1u64 << 30);
        let huge = to_json(
            "a",
            "b",
            &reading(1, 1, Some(1 << 40)),
            &Reading::default(),
            HOST,
        );
        assert_eq!(huge["memory_stats"]["limit"], 1u64 << 30);
        // Without a previous reading, precpu is zeros and preread is Go's zero time.
        assert_eq!(none["preread"], ZERO_TIME);
        assert_eq!(none["precpu_stats"]["cpu_usage"]["total_usage"], 0);
        assert!(none["precpu_stats"].get("system_cpu_usage").is_none());
    }

    #[test]
    fn a_stopped_container_reads_as_zeros() {
        let v = to_json("a", "b", &Reading::default(), &Reading::default(), HOST);
        assert_eq!(v["read"], ZERO_TIME);
        assert_eq!(v["pids_stats"], json!({}));
        assert_eq!(v["memory_stats"], json!({}));
        assert_eq!(v["cpu_stats"]["cpu_usage"]["total_usage"], 0);
        assert_eq!(v["blkio_stats"]["io_service_bytes_recursive"], Value::Null);
        assert_eq!(v["name"], "/a");
    }

    #[test]
    fn stream_and_one_shot_together_are_refused() {
        let both = Query {
            stream: true,
            one_shot: true,
        };
        assert_eq!(
            both.check().unwrap_err(),
            "cannot have stream=true and one-shot=true"
        );
        let once = Query {
            stream: false,
            one_shot: true,
        };
        assert_eq!(once.check(), Ok(once));
    }
}
