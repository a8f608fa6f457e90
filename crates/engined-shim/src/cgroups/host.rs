//! The host-wide figures a container's CPU time is measured against:
//! the machine's CPU time from `/proc/stat` in nanoseconds (dockerd's
//! `system_cpu_usage`) and the kernel's clock tick rate.

use std::path::Path;

/// The machine's CPU time so far, in nanoseconds: the first seven fields
/// of the `cpu` line of `/proc/stat` (user, nice, system, idle, iowait,
/// irq, softirq), which count clock ticks.
pub fn system_cpu_ns(proc_stat: &Path, clock_ticks: u64) -> Option<u64> {
    parse_system_cpu(&std::fs::read_to_string(proc_stat).ok()?, clock_ticks)
}

pub fn parse_system_cpu(text: &str, clock_ticks: u64) -> Option<u64> {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some("cpu"))?;
    let ticks = line
        .split_whitespace()
        .skip(1)
        .take(7)
        .map(|f| f.parse::<u64>().ok())
        .collect::<Option<Vec<_>>>()?;
    if ticks.len() < 7 {
        return None;
    }
    let total: u64 = ticks.iter().sum();
    Some(total.saturating_mul(1_000_000_000) / clock_ticks.max(1))
}

/// `USER_HZ`, the unit of `/proc/stat` and `cpuacct.stat` (100 almost
/// everywhere).
pub fn clock_ticks() -> u64 {
    // SAFETY: sysconf only reads a constant of the running kernel.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as u64
    } else {
        100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_time_sums_the_first_seven_fields_in_nanoseconds() {
        let text = "cpu  100 2 30 1000 4 5 6 7 0 0\ncpu0 50 1 15 500 2 2 3 3 0 0\nintr 1\n";
        // 100+2+30+1000+4+5+6 = 1147 ticks at 100 Hz.
        assert_eq!(parse_system_cpu(text, 100), Some(11_470_000_000));
        assert_eq!(parse_system_cpu("cpu0 1 2 3 4 5 6 7\n", 100), None);
        assert_eq!(parse_system_cpu("cpu 1 2 3\n", 100), None);
        assert!(clock_ticks() > 0);
        assert!(system_cpu_ns(Path::new("/proc/stat"), clock_ticks()).is_some_and(|n| n > 0));
    }
}
