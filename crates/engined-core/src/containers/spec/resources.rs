//! HostConfig's resource limits as oci-spec's `LinuxResources`, the one
//! shape runc turns into cgroup v1 or v2 files: memory (+swap,
//! reservation, swappiness, OOM killer), CPU (`--cpus`, quota/period,
//! shares, cpuset), pids, blkio weight (also per device) and per-device
//! throughput caps, and the device rules. Also the
//! checks dockerd makes on these values at create, with its wording.

use engine_api::types::{HostConfig, ThrottleDevice};
use oci_spec::runtime::{
    LinuxBlockIo, LinuxCpu, LinuxDeviceCgroup, LinuxDeviceType, LinuxMemory, LinuxPids,
    LinuxResources, LinuxThrottleDevice, LinuxThrottleDeviceBuilder, LinuxWeightDeviceBuilder,
};

use super::error::SpecError;
use crate::system::host::CgroupSupport;

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

/// A `0-3,5` list as inclusive ranges, as written; `None` when malformed.
fn parse_ranges(text: &str) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            None => {
                let n = part.parse().ok()?;
                (n, n)
            }
        };
        if a > b {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

/// A `0-3,5` list as numbers; `None` when malformed. For the host's own
/// lists (`/sys/devices/system/cpu/online`): a request's list is checked
/// as ranges instead, since `0-4000000000` is short to write.
pub fn parse_list(text: &str) -> Option<Vec<u32>> {
    let ranges = parse_ranges(text)?;
    Some(ranges.into_iter().flat_map(|(a, b)| a..=b).collect())
}

fn check_set(value: &str, available: &[u32], what: &str) -> Result<(), SpecError> {
    let wanted = parse_ranges(value)
        .ok_or_else(|| SpecError::invalid(format!("Invalid value {value} for cpuset {what}")))?;
    let available: std::collections::BTreeSet<u32> = available.iter().copied().collect();
    // A range is available when each of its numbers is: as many available
    // numbers fall inside it as it is long.
    let covered =
        |&(a, b): &(u32, u32)| available.range(a..=b).count() as u64 == u64::from(b - a) + 1;
    if !wanted.iter().all(covered) {
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

/// What dockerd changes at create, with the warnings the client prints:
/// a memory limit without a swap limit gets as much swap again (when the
/// host can limit swap), and a blkio setting the host's cgroups cannot
/// apply is dropped rather than failing the start.
pub fn adapt(host: &mut HostConfig, cgroups: &CgroupSupport) -> Vec<String> {
    let memory = host.memory.unwrap_or(0);
    if cgroups.swap_limit && memory > 0 && host.memory_swap.unwrap_or(0) == 0 {
        host.memory_swap = Some(memory * 2);
    }
    let mut warnings = Vec::new();
    if host.blkio_weight.unwrap_or(0) > 0 && !cgroups.blkio_weight {
        warnings.push(
            "Your kernel does not support Block I/O weight or the cgroup is not mounted. \
             Weight discarded."
                .to_string(),
        );
        host.blkio_weight = Some(0);
    }
    if host
        .blkio_weight_device
        .as_ref()
        .is_some_and(|d| !d.is_empty())
        && !cgroups.blkio_weight_device
    {
        warnings.push(
            "Your kernel does not support Block I/O weight_device or the cgroup is not \
             mounted. Weight-device discarded."
                .to_string(),
        );
        host.blkio_weight_device = Some(Vec::new());
    }
    let caps = [
        (
            &mut host.blkio_device_read_bps,
            cgroups.blkio_read_bps,
            "BPS Block I/O read",
            "BPS read",
        ),
        (
            &mut host.blkio_device_write_bps,
            cgroups.blkio_write_bps,
            "BPS Block I/O write",
            "BPS write",
        ),
        (
            &mut host.blkio_device_read_i_ops,
            cgroups.blkio_read_iops,
            "IOPS Block read",
            "IOPS read",
        ),
        (
            &mut host.blkio_device_write_i_ops,
            cgroups.blkio_write_iops,
            "IOPS Block write",
            "IOPS write",
        ),
    ];
    for (list, supported, limit, short) in caps {
        if list.as_ref().is_some_and(|d| !d.is_empty()) && !supported {
            warnings.push(format!(
                "Your kernel does not support {limit} limit or the cgroup is not mounted. \
                 Block I/O {short} limit discarded."
            ));
            *list = Some(Vec::new());
        }
    }
    warnings
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

/// The blkio settings: the weight, the per-device weights and the
/// per-device caps, each device named by its host path and given to the
/// runtime by its major:minor numbers (as dockerd does, read at start).
fn block_io(host: &HostConfig) -> Result<LinuxBlockIo, SpecError> {
    let mut io = LinuxBlockIo::default();
    io.set_weight(positive(host.blkio_weight).and_then(|w| u16::try_from(w).ok()));
    let mut weights = Vec::new();
    for item in host.blkio_weight_device.iter().flatten() {
        let (major, minor) = device_numbers(item.path.as_deref().unwrap_or_default())?;
        let mut d = LinuxWeightDeviceBuilder::default()
            .major(major)
            .minor(minor);
        if let Some(w) = item.weight.and_then(|w| u16::try_from(w).ok()) {
            d = d.weight(w);
        }
        let d = d
            .build()
            .map_err(|e| SpecError::Host(format!("block device {major}:{minor}: {e}")))?;
        weights.push(d);
    }
    io.set_weight_device(non_empty(weights));
    io.set_throttle_read_bps_device(throttles(&host.blkio_device_read_bps)?)
        .set_throttle_write_bps_device(throttles(&host.blkio_device_write_bps)?)
        .set_throttle_read_iops_device(throttles(&host.blkio_device_read_i_ops)?)
        .set_throttle_write_iops_device(throttles(&host.blkio_device_write_i_ops)?);
    Ok(io)
}

fn throttles(
    items: &Option<Vec<ThrottleDevice>>,
) -> Result<Option<Vec<LinuxThrottleDevice>>, SpecError> {
    let mut out = Vec::new();
    for item in items.iter().flatten() {
        let (major, minor) = device_numbers(item.path.as_deref().unwrap_or_default())?;
        let rate = item.rate.and_then(|r| u64::try_from(r).ok()).unwrap_or(0);
        let d = LinuxThrottleDeviceBuilder::default()
            .major(major)
            .minor(minor)
            .rate(rate)
            .build()
            .map_err(|e| SpecError::Host(format!("block device {major}:{minor}: {e}")))?;
        out.push(d);
    }
    Ok(non_empty(out))
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// The major and minor numbers of the block device at host path `path`.
fn device_numbers(path: &str) -> Result<(i64, i64), SpecError> {
    let st = rustix::fs::stat(path)
        .map_err(|e| SpecError::Host(format!("cannot use block device {path}: {e}")))?;
    if st.st_mode & libc::S_IFMT != libc::S_IFBLK {
        return Err(SpecError::invalid(format!("{path} is not a block device")));
    }
    let rdev = st.st_rdev;
    Ok((
        i64::from(rustix::fs::major(rdev)),
        i64::from(rustix::fs::minor(rdev)),
    ))
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

    let io = block_io(host)?;
    if io != LinuxBlockIo::default() {
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
        assert_eq!(parse_list("3-1"), None);
        // Checked as ranges: a four-billion-CPU request is refused without
        // being spelled out, and repeats of available CPUs are fine.
        assert_eq!(
            refused(h(|h| h.cpuset_cpus = Some("0-4000000000".into()))),
            "Requested CPUs are not available - requested 0-4000000000, available: 0,1"
        );
        assert!(refused(h(|h| h.cpuset_cpus = Some("1-x".into()))).starts_with("Invalid value 1-x"));
        assert!(validate(&h(|h| h.cpuset_cpus = Some("0-1,1,0".into())), &facts()).is_ok());
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
        let all = CgroupSupport {
            swap_limit: true,
            blkio_weight: true,
            ..CgroupSupport::default()
        };
        assert!(adapt(&mut host, &all).is_empty());
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

    fn host_with(f: impl FnOnce(&mut HostConfig)) -> HostConfig {
        let mut host = HostConfig::default();
        f(&mut host);
        host
    }

    /// A block device of this host, if it has one, with its numbers as
    /// the kernel lists them in /sys/dev/block ("major:minor").
    fn some_block_device() -> Option<(String, i64, i64)> {
        for entry in std::fs::read_dir("/sys/dev/block").ok()?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (major, minor) = name.split_once(':')?;
            let uevent = std::fs::read_to_string(entry.path().join("uevent")).ok()?;
            let dev = uevent.lines().find_map(|l| l.strip_prefix("DEVNAME="))?;
            let path = format!("/dev/{dev}");
            if std::path::Path::new(&path).exists() {
                return Some((path, major.parse().ok()?, minor.parse().ok()?));
            }
        }
        None
    }

    #[test]
    fn per_device_blkio_settings_name_the_device_by_its_numbers() {
        let Some((path, major, minor)) = some_block_device() else {
            eprintln!("skipped: this host lists no block device");
            return;
        };
        let throttle = |rate| ThrottleDevice {
            path: Some(path.clone()),
            rate: Some(rate),
            ..Default::default()
        };
        let host = host_with(|h| {
            h.blkio_weight_device = Some(vec![engine_api::types::ResourcesBlkioWeightDeviceItem {
                path: Some(path.clone()),
                weight: Some(200),
                ..Default::default()
            }]);
            h.blkio_device_read_bps = Some(vec![throttle(1_048_576)]);
            h.blkio_device_write_i_ops = Some(vec![throttle(50)]);
        });
        let r = linux_resources(&host, false, Vec::new()).unwrap();
        let io = r.block_io().clone().unwrap();
        let w = io.weight_device().clone().unwrap();
        assert_eq!(
            (w[0].major(), w[0].minor(), w[0].weight()),
            (major, minor, Some(200))
        );
        let bps = io.throttle_read_bps_device().clone().unwrap();
        assert_eq!(
            (bps[0].major(), bps[0].minor(), bps[0].rate()),
            (major, minor, 1_048_576)
        );
        let iops = io.throttle_write_iops_device().clone().unwrap();
        assert_eq!(iops[0].rate(), 50);
        assert!(io.throttle_write_bps_device().is_none());
    }

    #[test]
    fn per_device_blkio_settings_refuse_what_is_not_a_block_device() {
        let on = |path: &str| {
            let path = path.to_string();
            linux_resources(
                &host_with(|h| {
                    h.blkio_device_read_bps = Some(vec![ThrottleDevice {
                        path: Some(path),
                        rate: Some(1),
                        ..Default::default()
                    }])
                }),
                false,
                Vec::new(),
            )
            .unwrap_err()
        };
        let chr = on("/dev/null");
        assert_eq!(
            chr.kind(),
            super::super::error::SpecErrorKind::InvalidArgument
        );
        assert_eq!(chr.to_string(), "/dev/null is not a block device");
        let missing = on("/dev/engined-no-such-device");
        assert_eq!(missing.kind(), super::super::error::SpecErrorKind::Host);
        assert!(missing
            .to_string()
            .starts_with("cannot use block device /dev/engined-no-such-device: "));
    }

    #[test]
    fn blkio_settings_the_host_cannot_apply_are_dropped_with_a_warning() {
        let device = || ThrottleDevice {
            path: Some("/dev/vda".into()),
            rate: Some(1),
            ..Default::default()
        };
        let wanted = || {
            host_with(|h| {
                h.blkio_weight = Some(300);
                h.blkio_device_read_bps = Some(vec![device()]);
                h.blkio_device_write_i_ops = Some(vec![device()]);
            })
        };
        let throttles_only = CgroupSupport {
            blkio_read_bps: true,
            blkio_write_bps: true,
            ..CgroupSupport::default()
        };
        let mut host = wanted();
        let warnings = adapt(&mut host, &throttles_only);
        assert_eq!(
            warnings,
            [
                "Your kernel does not support Block I/O weight or the cgroup is not mounted. \
                 Weight discarded.",
                "Your kernel does not support IOPS Block write limit or the cgroup is not \
                 mounted. Block I/O IOPS write limit discarded.",
            ]
        );
        assert_eq!(host.blkio_weight, Some(0));
        assert_eq!(host.blkio_device_read_bps.map(|d| d.len()), Some(1));
        assert_eq!(host.blkio_device_write_i_ops.map(|d| d.len()), Some(0));

        let everything = CgroupSupport {
            blkio_weight: true,
            blkio_weight_device: true,
            blkio_read_bps: true,
            blkio_write_bps: true,
            blkio_read_iops: true,
            blkio_write_iops: true,
            ..CgroupSupport::default()
        };
        let mut host = wanted();
        assert!(adapt(&mut host, &everything).is_empty());
        assert_eq!(host, wanted());
    }
}
