//! `limits`: ceilings on the resources a container may be given, read on
//! `ContainerCreate`'s `HostConfig` and on `ContainerUpdate`'s body, so a
//! client allowed to run and update containers (a CI runner) cannot lift
//! its containers' memory, swap, CPU, CPU weight, cpuset or pids limits
//! above what the policy says.
//!
//! Each key is a ceiling (`memory: 2g`, `cpus: 1.5`, `pids: 512`,
//! `cpu_shares: 1024`), for a cpuset the CPUs or memory nodes allowed
//! (`cpuset_cpus: 0-1`), or `false` (the rule's requests may not set that
//! limit at all: with `operations: [ContainerUpdate]`, `docker update`
//! cannot change it).
//!
//! What "unset" means differs between the two bodies, as in dockerd: in a
//! create, no limit (or `0`, or a negative pids limit) is no limit at all,
//! which is above any ceiling; in an update, `0`, `""` and an absent key
//! leave the limit as it is, while a negative value (and a pids limit of
//! `0`) removes it. CPU is read from `NanoCpus` and from `CpuQuota` over
//! `CpuPeriod` (100 ms when not given), the two ways `docker` sets it.
//! Per field:
//!
//! - `MemoryReservation` is a soft limit read as `Memory` is (cgroup v1
//!   leaves a container without one unbounded under pressure; v2's
//!   `memory.low`, which runc makes of it, protects at most that much);
//! - `MemorySwap` (memory plus swap) of `-1` is unlimited swap; left out
//!   of a create with `Memory` set, the daemon makes it twice `Memory`,
//!   which must then be under the ceiling, and without `Memory` it is
//!   unlimited;
//! - `CpuShares` left out of a create is the kernel's weight of 1024; a
//!   negative weight, which dockerd raises to 2 and engined drops to the
//!   default, is denied as no weight at all;
//! - `CpusetCpus` / `CpusetMems` left out of a create is every CPU or
//!   node, and so outside any set smaller than the host; a list naming
//!   one outside the set (or no list at all) is denied.

use engine_api::types::{ContainerUpdateBody, HostConfig};
use serde::Deserialize;

use super::cpuset::CpuSet;

/// The `limits` key of a rule's `require`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// `Memory`, in bytes or with a unit (`512m`, `2g`: powers of 1024).
    pub memory: Option<CeilingFile>,
    /// `MemorySwap` (memory and swap together), as `memory`.
    pub memory_swap: Option<CeilingFile>,
    /// `MemoryReservation`, the soft limit, as `memory`.
    pub memory_reservation: Option<CeilingFile>,
    /// `NanoCpus`, and `CpuQuota` / `CpuPeriod`, in CPUs (`1.5`).
    pub cpus: Option<CeilingFile>,
    /// `CpuShares`, the relative CPU weight (1024 is the default).
    pub cpu_shares: Option<CeilingFile>,
    /// `CpusetCpus`: the CPUs a container may be pinned to (`0-1,4`).
    pub cpuset_cpus: Option<CeilingFile>,
    /// `CpusetMems`: the memory nodes a container may use (`0`).
    pub cpuset_mems: Option<CeilingFile>,
    /// `PidsLimit`, a number of processes.
    pub pids: Option<CeilingFile>,
}

/// One ceiling as written: a number, a string with a unit, or `false`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CeilingFile {
    Flag(bool),
    Number(i64),
    Text(String),
}

/// A compiled ceiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceiling {
    /// The limit may not be set by the rule's requests.
    Fixed,
    /// The most the limit may be (bytes, nano-CPUs, a weight or processes).
    At(i64),
}

/// A compiled cpuset ceiling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetCeiling {
    /// The set may not be chosen by the rule's requests.
    Fixed,
    /// The CPUs or nodes a request may name.
    Within(CpuSet),
}

/// The compiled `limits` of one rule.
#[derive(Debug, Default)]
pub struct Limits {
    memory: Option<Ceiling>,
    memory_swap: Option<Ceiling>,
    memory_reservation: Option<Ceiling>,
    cpus: Option<Ceiling>,
    cpu_shares: Option<Ceiling>,
    cpuset_cpus: Option<SetCeiling>,
    cpuset_mems: Option<SetCeiling>,
    pids: Option<Ceiling>,
}

/// Which body the values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// `ContainerCreate`: unset is unlimited.
    Create,
    /// `ContainerUpdate`: unset is unchanged.
    Update,
}

/// The resource fields of a create's `HostConfig` or of an update.
#[derive(Debug, Default)]
pub struct Asked<'a> {
    memory: Option<i64>,
    memory_swap: Option<i64>,
    memory_reservation: Option<i64>,
    nano_cpus: Option<i64>,
    cpu_quota: Option<i64>,
    cpu_period: Option<i64>,
    cpu_shares: Option<i64>,
    cpuset_cpus: Option<&'a str>,
    cpuset_mems: Option<&'a str>,
    pids: Option<i64>,
}

impl<'a> Asked<'a> {
    /// What a create's host configuration asks for (none: nothing).
    pub fn of_create(hc: Option<&'a HostConfig>) -> Asked<'a> {
        hc.map_or_else(Asked::default, |hc| Asked {
            memory: hc.memory,
            memory_swap: hc.memory_swap,
            memory_reservation: hc.memory_reservation,
            nano_cpus: hc.nano_cpus,
            cpu_quota: hc.cpu_quota,
            cpu_period: hc.cpu_period,
            cpu_shares: hc.cpu_shares,
            cpuset_cpus: hc.cpuset_cpus.as_deref(),
            cpuset_mems: hc.cpuset_mems.as_deref(),
            pids: hc.pids_limit,
        })
    }

    /// What an update asks for.
    pub fn of_update(b: &'a ContainerUpdateBody) -> Asked<'a> {
        Asked {
            memory: b.memory,
            memory_swap: b.memory_swap,
            memory_reservation: b.memory_reservation,
            nano_cpus: b.nano_cpus,
            cpu_quota: b.cpu_quota,
            cpu_period: b.cpu_period,
            cpu_shares: b.cpu_shares,
            cpuset_cpus: b.cpuset_cpus.as_deref(),
            cpuset_mems: b.cpuset_mems.as_deref(),
            pids: b.pids_limit,
        }
    }
}

/// A ceiling that cannot be compiled: which key of `limits` and why.
#[derive(Debug)]
pub struct BadLimit {
    pub key: &'static str,
    pub message: String,
}

/// The default `CpuPeriod` (100 ms), in microseconds.
const CPU_PERIOD: i64 = 100_000;
const NANO: i64 = 1_000_000_000;

/// The kernel's CPU weight when a container sets none.
const DEFAULT_SHARES: i64 = 1024;

impl Limits {
    /// Compiles what the file says.
    pub fn compile(file: LimitsFile) -> Result<Limits, BadLimit> {
        let one = |key: &'static str, given: Option<CeilingFile>, read: fn(&str) -> Option<i64>| {
            let bad = |message: String| BadLimit { key, message };
            match given {
                None => Ok(None),
                Some(CeilingFile::Flag(false)) => Ok(Some(Ceiling::Fixed)),
                Some(CeilingFile::Flag(true)) => Err(bad(no_ceiling(key))),
                Some(CeilingFile::Number(n)) => read(&n.to_string())
                    .map(|n| Some(Ceiling::At(n)))
                    .ok_or_else(|| bad(format!("`{n}` is no {key} ceiling (a positive amount)"))),
                Some(CeilingFile::Text(t)) => read(&t)
                    .map(|n| Some(Ceiling::At(n)))
                    .ok_or_else(|| bad(format!("`{t}` is no {key} ceiling ({})", hint(key)))),
            }
        };
        let set = |key: &'static str, given: Option<CeilingFile>| {
            let bad = |message: String| BadLimit { key, message };
            let parse = |text: &str| {
                CpuSet::parse(text)
                    .map(|s| Some(SetCeiling::Within(s)))
                    .ok_or_else(|| bad(format!("`{text}` is no {key} ceiling ({})", hint(key))))
            };
            match given {
                None => Ok(None),
                Some(CeilingFile::Flag(false)) => Ok(Some(SetCeiling::Fixed)),
                Some(CeilingFile::Flag(true)) => Err(bad(no_ceiling(key))),
                Some(CeilingFile::Number(n)) => parse(&n.to_string()),
                Some(CeilingFile::Text(t)) => parse(&t),
            }
        };
        Ok(Limits {
            memory: one("memory", file.memory, bytes)?,
            memory_swap: one("memory_swap", file.memory_swap, bytes)?,
            memory_reservation: one("memory_reservation", file.memory_reservation, bytes)?,
            cpus: one("cpus", file.cpus, nano_cpus)?,
            cpu_shares: one("cpu_shares", file.cpu_shares, count)?,
            cpuset_cpus: set("cpuset_cpus", file.cpuset_cpus)?,
            cpuset_mems: set("cpuset_mems", file.cpuset_mems)?,
            pids: one("pids", file.pids, count)?,
        })
    }

    /// The first limit of `asked` that breaks a ceiling, as `Field is
    /// what`; `prefix` says where the fields sit (`HostConfig.`, or
    /// nothing for an update).
    pub fn violation(&self, asked: &Asked, body: Body, prefix: &str) -> Option<String> {
        let field = |name: &str| format!("{prefix}{name}");
        self.memory
            .and_then(|c| memory_violation(c, asked.memory, body, &field("Memory")))
            .or_else(|| self.swap_violation(asked, body, prefix))
            .or_else(|| {
                self.memory_reservation.and_then(|c| {
                    memory_violation(
                        c,
                        asked.memory_reservation,
                        body,
                        &field("MemoryReservation"),
                    )
                })
            })
            .or_else(|| self.cpus_violation(asked, body, prefix))
            .or_else(|| self.shares_violation(asked, body, prefix))
            .or_else(|| {
                let c = self.cpuset_cpus.as_ref()?;
                set_violation(c, asked.cpuset_cpus, body, &field("CpusetCpus"), "CPUs")
            })
            .or_else(|| {
                let c = self.cpuset_mems.as_ref()?;
                set_violation(
                    c,
                    asked.cpuset_mems,
                    body,
                    &field("CpusetMems"),
                    "memory nodes",
                )
            })
            .or_else(|| self.pids_violation(asked, body, prefix))
    }

    /// `MemorySwap`: memory and swap together; `-1` is unlimited swap,
    /// and a create without it gets twice its `Memory`.
    fn swap_violation(&self, asked: &Asked, body: Body, prefix: &str) -> Option<String> {
        let ceiling = self.memory_swap?;
        let v = asked.memory_swap.unwrap_or(0);
        let field = format!("{prefix}MemorySwap");
        let max = match ceiling {
            Ceiling::Fixed => return (v != 0).then(|| fixed(&field, &show_bytes(v))),
            Ceiling::At(max) => max,
        };
        if v < 0 {
            return Some(unlimited(&field, &show_bytes(max)));
        }
        if v > 0 {
            return (v > max).then(|| above(&field, &show_bytes(v), &show_bytes(max)));
        }
        if body == Body::Update {
            return None;
        }
        let memory = asked.memory.unwrap_or(0);
        if memory <= 0 {
            return Some(format!(
                "{field} is not set and neither is {prefix}Memory, so swap is unlimited, above the ceiling of {}",
                show_bytes(max)
            ));
        }
        let doubled = memory.saturating_mul(2);
        (doubled > max).then(|| {
            format!(
                "{field} is not set, which makes it twice {prefix}Memory: {}, above the ceiling of {}",
                show_bytes(doubled),
                show_bytes(max)
            )
        })
    }

    /// `CpuShares`: a weight, 1024 when a create sets none.
    fn shares_violation(&self, asked: &Asked, body: Body, prefix: &str) -> Option<String> {
        let ceiling = self.cpu_shares?;
        let v = asked.cpu_shares.unwrap_or(0);
        let field = format!("{prefix}CpuShares");
        let max = match ceiling {
            Ceiling::Fixed => return (v != 0).then(|| fixed(&field, &v.to_string())),
            Ceiling::At(max) => max,
        };
        if v < 0 {
            return Some(format!(
                "{field} is {v}, which is no CPU weight (daemons read it differently)"
            ));
        }
        if v > 0 {
            return (v > max).then(|| above(&field, &v.to_string(), &max.to_string()));
        }
        (body == Body::Create && DEFAULT_SHARES > max).then(|| {
            format!(
                "{field} is not set, which is the default weight of {DEFAULT_SHARES}, above the ceiling of {max}"
            )
        })
    }

    fn cpus_violation(&self, asked: &Asked, body: Body, prefix: &str) -> Option<String> {
        let ceiling = self.cpus?;
        let nano = asked.nano_cpus.unwrap_or(0);
        let quota = asked.cpu_quota.unwrap_or(0);
        let period = asked.cpu_period.unwrap_or(0);
        if ceiling == Ceiling::Fixed {
            for (name, v) in [
                ("NanoCpus", nano),
                ("CpuQuota", quota),
                ("CpuPeriod", period),
            ] {
                if v != 0 {
                    return Some(fixed(&format!("{prefix}{name}"), &v.to_string()));
                }
            }
            return None;
        }
        let Ceiling::At(max) = ceiling else {
            return None;
        };
        if nano < 0 {
            return Some(unlimited(&format!("{prefix}NanoCpus"), &show_cpus(max)));
        }
        if nano > max {
            return Some(above(
                &format!("{prefix}NanoCpus"),
                &show_cpus(nano),
                &show_cpus(max),
            ));
        }
        let quota_field = format!("{prefix}CpuQuota");
        if quota < 0 {
            return Some(unlimited(&quota_field, &show_cpus(max)));
        }
        if quota > 0 {
            let per = if period > 0 { period } else { CPU_PERIOD };
            let cpus = (i128::from(quota) * i128::from(NANO) / i128::from(per))
                .try_into()
                .unwrap_or(i64::MAX);
            if cpus > max {
                return Some(above(
                    &format!("{quota_field} over CpuPeriod"),
                    &show_cpus(cpus),
                    &show_cpus(max),
                ));
            }
            return None;
        }
        match body {
            // Neither way of limiting CPU: the container gets all of them.
            Body::Create if nano == 0 => Some(unlimited(&format!("{prefix}NanoCpus"), &show_cpus(max))),
            // A shorter period under the quota already set is more CPU.
            Body::Update if period != 0 => Some(format!(
                "{prefix}CpuPeriod is set without CpuQuota, which can raise the CPU limit above the ceiling of {}",
                show_cpus(max)
            )),
            _ => None,
        }
    }

    fn pids_violation(&self, asked: &Asked, body: Body, prefix: &str) -> Option<String> {
        let ceiling = self.pids?;
        let field = format!("{prefix}PidsLimit");
        match (ceiling, asked.pids, body) {
            (Ceiling::Fixed, None, _) => None,
            // In a create, zero or less is Docker's default: no limit set.
            (Ceiling::Fixed, Some(v), Body::Create) => {
                (v > 0).then(|| fixed(&field, &v.to_string()))
            }
            (Ceiling::Fixed, Some(v), Body::Update) => Some(fixed(&field, &v.to_string())),
            (Ceiling::At(max), None, Body::Create) => Some(unlimited(&field, &max.to_string())),
            (Ceiling::At(_), None, Body::Update) => None,
            (Ceiling::At(max), Some(v), _) if v <= 0 => Some(unlimited(&field, &max.to_string())),
            (Ceiling::At(max), Some(v), _) => {
                (v > max).then(|| above(&field, &v.to_string(), &max.to_string()))
            }
        }
    }
}

fn fixed(field: &str, value: &str) -> String {
    format!("{field} is {value}, and this limit may not be set")
}

fn unlimited(field: &str, max: &str) -> String {
    format!("{field} is unlimited, above the ceiling of {max}")
}

fn above(field: &str, value: &str, max: &str) -> String {
    format!("{field} is {value}, above the ceiling of {max}")
}

/// A memory limit read as `Memory` is: in a create, none (`0`) is no
/// limit; in an update `0` keeps it; negative removes it.
fn memory_violation(
    ceiling: Ceiling,
    asked: Option<i64>,
    body: Body,
    field: &str,
) -> Option<String> {
    let v = asked.unwrap_or(0);
    match ceiling {
        Ceiling::Fixed => (v != 0).then(|| fixed(field, &show_bytes(v))),
        Ceiling::At(max) => {
            if v < 0 || (v == 0 && body == Body::Create) {
                Some(unlimited(field, &show_bytes(max)))
            } else {
                (v > max).then(|| above(field, &show_bytes(v), &show_bytes(max)))
            }
        }
    }
}

/// A cpuset: in a create, none (`""`) is every CPU or node; in an update
/// it keeps the set; a list must lie within the ceiling's set.
fn set_violation(
    ceiling: &SetCeiling,
    asked: Option<&str>,
    body: Body,
    field: &str,
    what: &str,
) -> Option<String> {
    let v = asked.unwrap_or("");
    let allowed = match ceiling {
        SetCeiling::Fixed => return (!v.is_empty()).then(|| fixed(field, v)),
        SetCeiling::Within(allowed) => allowed,
    };
    if v.is_empty() {
        return (body == Body::Create).then(|| {
            format!(
                "{field} is not set, which is every one of the host's {what}, not only {allowed}"
            )
        });
    }
    match CpuSet::parse(v) {
        None => Some(format!("{field} is {v}, which is no list of {what}")),
        Some(set) if !set.within(allowed) => Some(format!(
            "{field} is {v}, which names {what} outside {allowed}"
        )),
        Some(_) => None,
    }
}

fn no_ceiling(key: &str) -> String {
    format!("`{key}: true` sets no ceiling: give the most allowed, or false to forbid setting it")
}

fn hint(key: &str) -> &'static str {
    match key {
        "memory" | "memory_swap" | "memory_reservation" => {
            "bytes, or a number with b, k, m, g or t"
        }
        "cpus" => "a number of CPUs such as 2 or 0.5",
        "cpuset_cpus" => "a list of CPUs such as 0-3,6",
        "cpuset_mems" => "a list of memory nodes such as 0 or 0-1",
        _ => "a positive whole number",
    }
}

/// `512m`, `2g`, `1.5GiB`, `1048576`: bytes, units in powers of 1024 as
/// the docker CLI reads them; positive.
fn bytes(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    let n: f64 = number.parse().ok()?;
    let v = n * (1u64 << shift) as f64;
    (v >= 1.0 && v < i64::MAX as f64).then_some(v as i64)
}

/// `1.5` CPUs as nano-CPUs; positive.
fn nano_cpus(text: &str) -> Option<i64> {
    let n: f64 = text.trim().parse().ok()?;
    let v = (n * NANO as f64).round();
    (n.is_finite() && v >= 1.0 && v < i64::MAX as f64).then_some(v as i64)
}

/// A positive whole number.
fn count(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|n| *n > 0)
}

/// Bytes, with the largest unit that divides them when there is one.
fn show_bytes(v: i64) -> String {
    for (unit, shift) in [("t", 40), ("g", 30), ("m", 20), ("k", 10)] {
        if v > 0 && v % (1i64 << shift) == 0 {
            return format!("{}{unit}", v >> shift);
        }
    }
    v.to_string()
}

/// Nano-CPUs as CPUs.
fn show_cpus(nano: i64) -> String {
    let whole = nano / NANO;
    let frac = nano % NANO;
    if nano == NANO {
        "1 CPU".to_string()
    } else if frac == 0 {
        format!("{whole} CPUs")
    } else {
        let frac = format!("{frac:09}");
        format!("{whole}.{} CPUs", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(memory: &str, cpus: &str, pids: i64) -> Limits {
        Limits::compile(LimitsFile {
            memory: Some(CeilingFile::Text(memory.into())),
            cpus: Some(CeilingFile::Text(cpus.into())),
            pids: Some(CeilingFile::Number(pids)),
            ..LimitsFile::default()
        })
        .unwrap()
    }

    #[test]
    fn units_read_as_the_docker_cli_reads_them() {
        assert_eq!(bytes("512m"), Some(512 << 20));
        assert_eq!(bytes("2G"), Some(2 << 30));
        assert_eq!(bytes("1.5GiB"), Some(3 << 29));
        assert_eq!(bytes("4096"), Some(4096));
        assert_eq!(bytes("2x"), None);
        assert_eq!(bytes("0"), None);
        assert_eq!(nano_cpus("0.5"), Some(500_000_000));
        assert_eq!(nano_cpus("-1"), None);
        assert_eq!(count("0"), None);
        assert_eq!(show_bytes(2 << 30), "2g");
        assert_eq!(show_bytes(1000), "1000");
        assert_eq!(show_cpus(1_500_000_000), "1.5 CPUs");
    }

    #[test]
    fn an_update_may_lower_or_keep_but_not_raise() {
        let l = limits("1g", "2", 100);
        let up = |memory, nano, quota, period, pids| {
            let asked = Asked {
                memory,
                nano_cpus: nano,
                cpu_quota: quota,
                cpu_period: period,
                pids,
                ..Asked::default()
            };
            l.violation(&asked, Body::Update, "")
        };
        assert_eq!(up(Some(0), Some(0), Some(0), Some(0), None), None);
        assert_eq!(up(Some(512 << 20), Some(NANO), None, None, Some(50)), None);
        assert_eq!(
            up(Some(2 << 30), None, None, None, None).as_deref(),
            Some("Memory is 2g, above the ceiling of 1g")
        );
        assert_eq!(
            up(Some(-1), None, None, None, None).as_deref(),
            Some("Memory is unlimited, above the ceiling of 1g")
        );
        assert_eq!(
            up(None, Some(4 * NANO), None, None, None).as_deref(),
            Some("NanoCpus is 4 CPUs, above the ceiling of 2 CPUs")
        );
        assert_eq!(
            up(None, None, Some(300_000), None, None).as_deref(),
            Some("CpuQuota over CpuPeriod is 3 CPUs, above the ceiling of 2 CPUs")
        );
        assert_eq!(up(None, None, Some(100_000), Some(50_000), None), None);
        assert!(up(None, None, None, Some(10_000), None).is_some());
        assert_eq!(
            up(None, None, None, None, Some(0)).as_deref(),
            Some("PidsLimit is unlimited, above the ceiling of 100")
        );
        assert_eq!(
            up(None, None, None, None, Some(101)).as_deref(),
            Some("PidsLimit is 101, above the ceiling of 100")
        );
    }

    #[test]
    fn a_create_without_a_limit_is_unlimited() {
        let l = limits("1g", "2", 100);
        assert_eq!(
            l.violation(&Asked::of_create(None), Body::Create, "HostConfig.")
                .as_deref(),
            Some("HostConfig.Memory is unlimited, above the ceiling of 1g")
        );
        let asked = Asked {
            memory: Some(1 << 30),
            nano_cpus: Some(NANO),
            pids: Some(100),
            ..Asked::default()
        };
        assert_eq!(l.violation(&asked, Body::Create, "HostConfig."), None);
        let asked = Asked {
            memory: Some(1 << 30),
            cpu_quota: Some(50_000),
            pids: Some(-1),
            ..Asked::default()
        };
        assert_eq!(
            l.violation(&asked, Body::Create, "HostConfig.").as_deref(),
            Some("HostConfig.PidsLimit is unlimited, above the ceiling of 100")
        );
    }

    #[test]
    fn false_forbids_setting_the_limit() {
        let l = Limits::compile(LimitsFile {
            memory: Some(CeilingFile::Flag(false)),
            cpus: Some(CeilingFile::Flag(false)),
            pids: Some(CeilingFile::Flag(false)),
            ..LimitsFile::default()
        })
        .unwrap();
        let none = Asked {
            memory: Some(0),
            nano_cpus: Some(0),
            ..Asked::default()
        };
        assert_eq!(l.violation(&none, Body::Update, ""), None);
        assert_eq!(l.violation(&none, Body::Create, ""), None);
        let memory = Asked {
            memory: Some(64 << 20),
            ..Asked::default()
        };
        assert_eq!(
            l.violation(&memory, Body::Update, "").as_deref(),
            Some("Memory is 64m, and this limit may not be set")
        );
        let pids = Asked {
            pids: Some(-1),
            ..Asked::default()
        };
        assert!(l.violation(&pids, Body::Update, "").is_some());
        assert_eq!(l.violation(&pids, Body::Create, ""), None);
        let bad = Limits::compile(LimitsFile {
            memory: Some(CeilingFile::Flag(true)),
            ..LimitsFile::default()
        })
        .unwrap_err();
        assert_eq!(bad.key, "memory");
    }

    fn compiled(file: &str) -> Limits {
        let file: LimitsFile = serde_json::from_str(file).unwrap();
        Limits::compile(file).unwrap()
    }

    #[test]
    fn swap_of_minus_one_or_twice_the_memory_can_break_the_ceiling() {
        let l = compiled(r#"{"memory_swap": "1g"}"#);
        let asked = |memory, swap| Asked {
            memory,
            memory_swap: swap,
            ..Asked::default()
        };
        let create = |memory, swap| l.violation(&asked(memory, swap), Body::Create, "HostConfig.");
        let update = |memory, swap| l.violation(&asked(memory, swap), Body::Update, "");
        assert_eq!(create(Some(256 << 20), Some(1 << 30)), None);
        // Left out, it is twice the memory.
        assert_eq!(create(Some(512 << 20), None), None);
        assert_eq!(
            create(Some(600 << 20), Some(0)).as_deref(),
            Some("HostConfig.MemorySwap is not set, which makes it twice HostConfig.Memory: 1200m, above the ceiling of 1g")
        );
        assert_eq!(
            create(None, None).as_deref(),
            Some("HostConfig.MemorySwap is not set and neither is HostConfig.Memory, so swap is unlimited, above the ceiling of 1g")
        );
        assert_eq!(
            create(Some(256 << 20), Some(-1)).as_deref(),
            Some("HostConfig.MemorySwap is unlimited, above the ceiling of 1g")
        );
        assert_eq!(
            create(Some(256 << 20), Some(2 << 30)).as_deref(),
            Some("HostConfig.MemorySwap is 2g, above the ceiling of 1g")
        );
        // An update without it keeps the swap limit the create checked.
        assert_eq!(update(Some(900 << 20), None), None);
        assert_eq!(update(None, Some(512 << 20)), None);
        assert_eq!(
            update(None, Some(-1)).as_deref(),
            Some("MemorySwap is unlimited, above the ceiling of 1g")
        );
        let fixed = compiled(r#"{"memory_swap": false}"#);
        assert_eq!(
            fixed.violation(&asked(Some(1 << 30), None), Body::Create, ""),
            None
        );
        assert_eq!(
            fixed
                .violation(&asked(None, Some(-1)), Body::Update, "")
                .as_deref(),
            Some("MemorySwap is -1, and this limit may not be set")
        );
    }

    #[test]
    fn a_reservation_is_capped_as_a_memory_limit_is() {
        let l = compiled(r#"{"memory_reservation": "128m"}"#);
        let asked = |v| Asked {
            memory_reservation: v,
            ..Asked::default()
        };
        assert_eq!(l.violation(&asked(Some(64 << 20)), Body::Create, ""), None);
        assert_eq!(l.violation(&asked(Some(0)), Body::Update, ""), None);
        assert_eq!(l.violation(&asked(None), Body::Update, ""), None);
        for (v, body) in [(None, Body::Create), (Some(-1), Body::Update)] {
            assert_eq!(
                l.violation(&asked(v), body, "").as_deref(),
                Some("MemoryReservation is unlimited, above the ceiling of 128m"),
                "{v:?} {body:?}"
            );
        }
        assert_eq!(
            l.violation(&asked(Some(256 << 20)), Body::Update, "")
                .as_deref(),
            Some("MemoryReservation is 256m, above the ceiling of 128m")
        );
    }

    #[test]
    fn cpu_shares_default_to_1024_in_a_create_and_may_not_be_negative() {
        let low = compiled(r#"{"cpu_shares": 512}"#);
        let high = compiled(r#"{"cpu_shares": "2048"}"#);
        let asked = |v| Asked {
            cpu_shares: v,
            ..Asked::default()
        };
        assert_eq!(
            low.violation(&asked(None), Body::Create, "HostConfig.").as_deref(),
            Some("HostConfig.CpuShares is not set, which is the default weight of 1024, above the ceiling of 512")
        );
        assert_eq!(high.violation(&asked(None), Body::Create, ""), None);
        assert_eq!(low.violation(&asked(Some(0)), Body::Update, ""), None);
        assert_eq!(low.violation(&asked(Some(512)), Body::Update, ""), None);
        assert_eq!(
            low.violation(&asked(Some(513)), Body::Update, "")
                .as_deref(),
            Some("CpuShares is 513, above the ceiling of 512")
        );
        assert_eq!(
            high.violation(&asked(Some(-1)), Body::Create, "")
                .as_deref(),
            Some("CpuShares is -1, which is no CPU weight (daemons read it differently)")
        );
        let fixed = compiled(r#"{"cpu_shares": false}"#);
        assert_eq!(fixed.violation(&asked(None), Body::Create, ""), None);
        assert!(fixed.violation(&asked(Some(2)), Body::Update, "").is_some());
    }

    #[test]
    fn a_cpuset_must_lie_within_the_allowed_set() {
        let l = compiled(r#"{"cpuset_cpus": "0-1", "cpuset_mems": 0}"#);
        let asked = |cpus, mems| Asked {
            cpuset_cpus: cpus,
            cpuset_mems: mems,
            ..Asked::default()
        };
        let create = |c, m| l.violation(&asked(c, m), Body::Create, "HostConfig.");
        let update = |c, m| l.violation(&asked(c, m), Body::Update, "");
        assert_eq!(create(Some("1"), Some("0")), None);
        assert_eq!(create(Some("0,1"), Some("0")), None);
        assert_eq!(
            create(None, Some("0")).as_deref(),
            Some("HostConfig.CpusetCpus is not set, which is every one of the host's CPUs, not only 0-1")
        );
        assert_eq!(
            create(Some("0-2"), Some("0")).as_deref(),
            Some("HostConfig.CpusetCpus is 0-2, which names CPUs outside 0-1")
        );
        assert_eq!(
            create(Some("1"), Some("")).as_deref(),
            Some("HostConfig.CpusetMems is not set, which is every one of the host's memory nodes, not only 0")
        );
        assert_eq!(update(Some(""), None), None);
        assert_eq!(update(None, Some("0")), None);
        assert_eq!(
            update(Some("0-4000000000"), None).as_deref(),
            Some("CpusetCpus is 0-4000000000, which names CPUs outside 0-1")
        );
        assert_eq!(
            update(Some("1-0"), None).as_deref(),
            Some("CpusetCpus is 1-0, which is no list of CPUs")
        );
        assert_eq!(
            update(None, Some("1")).as_deref(),
            Some("CpusetMems is 1, which names memory nodes outside 0")
        );
        let fixed = compiled(r#"{"cpuset_cpus": false}"#);
        assert_eq!(
            fixed.violation(&asked(Some(""), None), Body::Update, ""),
            None
        );
        assert_eq!(
            fixed
                .violation(&asked(Some("0"), None), Body::Update, "")
                .as_deref(),
            Some("CpusetCpus is 0, and this limit may not be set")
        );
        for bad in [
            r#"{"cpuset_cpus": "0-"}"#,
            r#"{"cpuset_mems": true}"#,
            r#"{"cpu_shares": 0}"#,
        ] {
            let file: LimitsFile = serde_json::from_str(bad).unwrap();
            assert!(Limits::compile(file).is_err(), "{bad}");
        }
    }
}
