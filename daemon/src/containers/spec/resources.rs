//! HostConfig's resource limits as oci-spec's `LinuxResources`, the one
//! shape runc turns into cgroup v1 or v2 files: memory (+swap,
//! reservation, swappiness, OOM killer), CPU (`--cpus`, quota/period,
//! shares, cpuset), pids, blkio weight, and the device rules. Also the
//! checks dockerd makes on these values at create, with its wording.

use engine_api::types::HostConfig;
use oci_spec::runtime::{
    LinuxBlockIo, LinuxCpu, LinuxDeviceCgroup, LinuxDeviceType, LinuxMemory, LinuxPids,
    LinuxResources,
};

use super::error::SpecError;

/// The smallest memory limit dockerd accepts (6 MiB).
pub const MIN_MEMORY: i64 = 6 * 1024 * 1024;

/// The CFS period `--cpus` is expressed in (100 ms, in µs).
const NANO_CPU_PERIOD: u64 = 100_000;

/// What of the host's CPUs a check needs.
#[derive(Debug, Clone)]
pub struct CpuFacts {
    /// How many CPUs the daemon may use.
    pub ncpu: i64,
    /// The CPUs (and memory nodes) a container may be pinned to.
    pub cpus: Vec<u32>,
    pub mems: Vec<u32>,
}

/// A `0-3,5` list as numbers; `None` when malformed.
pub fn parse_list(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
                if a > b {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

fn check_set(value: &str, available: &[u32], what: &str) -> Result<(), SpecError> {
    let wanted = parse_list(value)
        .ok_or_else(|| SpecError::invalid(format!("Invalid value {value} for cpuset {what}")))?;
    if wanted.iter().any(|c| !available.contains(c)) {
        let have = available
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        return Err(SpecError::invalid(format!(
            "Requested {} are not available - requested {value}, available: {have}",
            if what == "cpus" {
                "CPUs"
            } else {
                "memory nodes"
            }
        )));
    }
    Ok(())
}

/// The limits dockerd checks the same way at create and at update.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub memory: i64,
    pub memory_swap: i64,
    pub memory_reservation: i64,
    pub memory_swappiness: Option<i64>,
    pub nano_cpus: i64,
    pub cpu_period: i64,
    pub cpu_quota: i64,
    pub blkio_weight: i64,
}

/// dockerd's checks of `l` on a machine with `ncpu` CPUs, in its words.
pub fn check_limits(l: &Limits, ncpu: i64) -> Result<(), String> {
    let fail = |m: &str| Err(m.to_string());
    if l.memory != 0 && l.memory < MIN_MEMORY {
        return fail("Minimum memory limit allowed is 6MB");
    }
    if l.memory > 0 && l.memory_swap > 0 && l.memory_swap < l.memory {
        return fail("Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if let Some(s) = l.memory_swappiness.filter(|s| *s != -1) {
        if !(0..=100).contains(&s) {
            return Err(format!(
                "Invalid value: {s}, valid memory swappiness range is 0-100"
            ));
        }
    }
    if l.memory_reservation != 0 && l.memory_reservation < MIN_MEMORY {
        return fail("Minimum memory reservation allowed is 6MB");
    }
    if l.memory > 0 && l.memory_reservation > 0 && l.memory < l.memory_reservation {
        return fail(
            "Minimum memory limit can not be less than memory reservation limit, see usage",
        );
    }
    if l.nano_cpus > 0 && l.cpu_period > 0 {
        return fail("Conflicting options: Nano CPUs and CPU Period cannot both be set");
    }
    if l.nano_cpus > 0 && l.cpu_quota > 0 {
        return fail("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    }
    if l.nano_cpus < 0 || l.nano_cpus > ncpu.saturating_mul(1_000_000_000) {
        return Err(format!(
            "Range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs available"
        ));
    }
    if l.cpu_period != 0 && !(1000..=1_000_000).contains(&l.cpu_period) {
        return fail(
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
        );
    }
    if l.cpu_quota > 0 && l.cpu_quota < 1000 {
        return fail("CPU cfs quota can not be less than 1ms (i.e. 1000)");
    }
    if l.blkio_weight > 0 && !(10..=1000).contains(&l.blkio_weight) {
        return fail("Range of blkio weight is from 10 to 1000");
    }
    Ok(())
}

/// dockerd's checks of the resource values at create.
pub fn validate(host: &HostConfig, cpu: &CpuFacts) -> Result<(), SpecError> {
    let limits = Limits {
        memory: host.memory.unwrap_or(0),
        memory_swap: host.memory_swap.unwrap_or(0),
        memory_reservation: host.memory_reservation.unwrap_or(0),
        memory_swappiness: host.memory_swappiness,
        nano_cpus: host.nano_cpus.unwrap_or(0),
        cpu_period: host.cpu_period.unwrap_or(0),
        cpu_quota: host.cpu_quota.unwrap_or(0),
        blkio_weight: host.blkio_weight.unwrap_or(0),
    };
    check_limits(&limits, cpu.ncpu).map_err(SpecError::invalid)?;
    if limits.memory == 0 && limits.memory_swap > 0 {
        return Err(SpecError::invalid(
            "You should always set the Memory limit when using Memoryswap limit, see usage",
        ));
    }
    if let Some(cpus) = host.cpuset_cpus.as_deref().filter(|c| !c.is_empty()) {
        check_set(cpus, &cpu.cpus, "cpus")?;
    }
    if let Some(mems) = host.cpuset_mems.as_deref().filter(|c| !c.is_empty()) {
        check_set(mems, &cpu.mems, "mems")?;
    }
    if let Some(adj) = host.oom_score_adj {
        if !(-1000..=1000).contains(&adj) {
            return Err(SpecError::invalid(format!(
                "Invalid value {adj}, range for oom score adj is [-1000, 1000]"
            )));
        }
    }
    if host.shm_size.is_some_and(|s| s < 0) {
        return Err(SpecError::invalid("SHM size can not be less than 0"));
    }
    for rule in host.device_cgroup_rules.iter().flatten() {
        parse_device_rule(rule)?;
    }
    Ok(())
}

/// What dockerd fills in at create: a memory limit without a swap limit
/// gets as much swap again (when the host can limit swap).
pub fn adapt(host: &mut HostConfig, swap_limit: bool) {
    let memory = host.memory.unwrap_or(0);
    if swap_limit && memory > 0 && host.memory_swap.unwrap_or(0) == 0 {
        host.memory_swap = Some(memory * 2);
    }
}

/// A `--device-cgroup-rule` (`c 1:3 rwm`, `a *:* m`).
pub fn parse_device_rule(rule: &str) -> Result<LinuxDeviceCgroup, SpecError> {
    let bad = || SpecError::invalid(format!("invalid device cgroup format '{rule}'"));
    let words: Vec<&str> = rule.split_whitespace().collect();
    let [kind, numbers, access] = words.as_slice() else {
        return Err(bad());
    };
    let typ = match *kind {
        "a" => LinuxDeviceType::A,
        "b" => LinuxDeviceType::B,
        "c" => LinuxDeviceType::C,
        _ => return Err(bad()),
    };
    let (major, minor) = numbers.split_once(':').ok_or_else(bad)?;
    let number = |n: &str| -> Result<Option<i64>, SpecError> {
        if n == "*" {
            Ok(None)
        } else {
            n.parse().map(Some).map_err(|_| bad())
        }
    };
    if access.is_empty() || !access.chars().all(|c| "rwm".contains(c)) {
        return Err(bad());
    }
    let mut out = LinuxDeviceCgroup::default();
    out.set_allow(true)
        .set_typ(Some(typ))
        .set_major(number(major)?)
        .set_minor(number(minor)?)
        .set_access(Some(access.to_string()));
    Ok(out)
}

fn positive(v: Option<i64>) -> Option<i64> {
    v.filter(|v| *v > 0)
}

/// The container's `linux.resources`: limits from `host`, then the device
/// rules (deny all, or allow all when privileged, then `device_rules`).
pub fn linux_resources(
    host: &HostConfig,
    privileged: bool,
    device_rules: Vec<LinuxDeviceCgroup>,
) -> Result<LinuxResources, SpecError> {
    let mut out = LinuxResources::default();

    let mut memory = LinuxMemory::default();
    memory
        .set_limit(positive(host.memory))
        .set_reservation(positive(host.memory_reservation))
        .set_swap(host.memory_swap.filter(|s| *s > 0 || *s == -1))
        .set_swappiness(
            host.memory_swappiness
                .filter(|s| (0..=100).contains(s))
                .map(|s| s as u64),
        )
        .set_disable_oom_killer(host.oom_kill_disable.filter(|d| *d));
    if memory != LinuxMemory::default() {
        out.set_memory(Some(memory));
    }

    let mut cpu = LinuxCpu::default();
    if let Some(nano) = positive(host.nano_cpus) {
        cpu.set_period(Some(NANO_CPU_PERIOD)).set_quota(Some(
            nano.saturating_mul(NANO_CPU_PERIOD as i64) / 1_000_000_000,
        ));
    } else {
        cpu.set_period(positive(host.cpu_period).map(|p| p as u64))
            .set_quota(positive(host.cpu_quota));
    }
    cpu.set_shares(positive(host.cpu_shares).map(|s| s as u64))
        .set_realtime_period(positive(host.cpu_realtime_period).map(|p| p as u64))
        .set_realtime_runtime(positive(host.cpu_realtime_runtime))
        .set_cpus(host.cpuset_cpus.clone().filter(|c| !c.is_empty()))
        .set_mems(host.cpuset_mems.clone().filter(|c| !c.is_empty()));
    if cpu != LinuxCpu::default() {
        out.set_cpu(Some(cpu));
    }

    if let Some(limit) = positive(host.pids_limit) {
        let mut pids = LinuxPids::default();
        pids.set_limit(limit);
        out.set_pids(Some(pids));
    }

    if let Some(w) = positive(host.blkio_weight) {
        let mut io = LinuxBlockIo::default();
        io.set_weight(u16::try_from(w).ok());
        out.set_block_io(Some(io));
    }

    let mut devices = vec![{
        let mut all = LinuxDeviceCgroup::default();
        all.set_allow(privileged).set_access(Some("rwm".into()));
        all
    }];
    devices.extend(device_rules);
    for rule in host.device_cgroup_rules.iter().flatten() {
        devices.push(parse_device_rule(rule)?);
    }
    out.set_devices(Some(devices));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> CpuFacts {
        CpuFacts {
            ncpu: 2,
            cpus: vec![0, 1],
            mems: vec![0],
        }
    }

    fn refused(host: HostConfig) -> String {
        validate(&host, &facts()).unwrap_err().to_string()
    }

    #[test]
    fn dockerd_refuses_these() {
        let h = |f: fn(&mut HostConfig)| {
            let mut host = HostConfig::default();
            f(&mut host);
            host
        };
        assert_eq!(
            refused(h(|h| h.memory = Some(1024))),
            "Minimum memory limit allowed is 6MB"
        );
        assert!(refused(h(|h| {
            h.memory = Some(MIN_MEMORY * 2);
            h.memory_swap = Some(MIN_MEMORY);
        }))
        .starts_with("Minimum memoryswap limit"));
        assert_eq!(
            refused(h(|h| h.nano_cpus = Some(3_000_000_000))),
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        assert!(refused(h(|h| h.cpu_period = Some(10))).starts_with("CPU cfs period"));
        assert_eq!(
            refused(h(|h| h.cpuset_cpus = Some("0-7".into()))),
            "Requested CPUs are not available - requested 0-7, available: 0,1"
        );
        assert!(refused(h(|h| h.blkio_weight = Some(5))).starts_with("Range of blkio weight"));
        assert!(validate(&h(|h| h.memory = Some(MIN_MEMORY)), &facts()).is_ok());
        assert_eq!(parse_list("0-2,5"), Some(vec![0, 1, 2, 5]));
        assert!(parse_device_rule("x 1:3 rwm").is_err());
    }

    #[test]
    fn limits_become_oci_resources() {
        let mut host = HostConfig {
            memory: Some(64 << 20),
            memory_reservation: Some(32 << 20),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(512),
            cpuset_cpus: Some("0".into()),
            pids_limit: Some(10),
            blkio_weight: Some(300),
            oom_kill_disable: Some(true),
            device_cgroup_rules: Some(vec!["c 1:3 rw".into()]),
            ..Default::default()
        };
        adapt(&mut host, true);
        assert_eq!(host.memory_swap, Some(128 << 20));
        let r = linux_resources(&host, false, Vec::new()).unwrap();
        let m = r.memory().unwrap();
        assert_eq!(m.limit(), Some(64 << 20));
        assert_eq!(m.swap(), Some(128 << 20));
        assert_eq!(m.reservation(), Some(32 << 20));
        assert_eq!(m.disable_oom_killer(), Some(true));
        let c = r.cpu().as_ref().unwrap();
        assert_eq!((c.quota(), c.period()), (Some(50_000), Some(100_000)));
        assert_eq!(c.shares(), Some(512));
        assert_eq!(c.cpus().as_deref(), Some("0"));
        assert_eq!(r.pids().unwrap().limit(), 10);
        assert_eq!(r.block_io().as_ref().unwrap().weight(), Some(300));
        let d = r.devices().as_ref().unwrap();
        assert!(!d[0].allow());
        assert_eq!(d[1].to_string(), "c 1:3 rw");
        // Nothing asked: no limits, devices denied.
        let r = linux_resources(&HostConfig::default(), false, Vec::new()).unwrap();
        assert!(r.memory().is_none() && r.cpu().is_none() && r.pids().is_none());
        let r = linux_resources(&HostConfig::default(), true, Vec::new()).unwrap();
        assert!(r.devices().as_ref().unwrap()[0].allow());
    }
}
