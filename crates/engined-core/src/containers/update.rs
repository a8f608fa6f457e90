//! `docker update`: new resource limits and restart policy for a
//! container. The request is checked as dockerd checks it, merged into the
//! recorded host config (a zero or absent field keeps the current value),
//! applied to a running container through its recorded runtime binary
//! (`<runtime> update --resources -` with an OCI `LinuxResources` on
//! stdin, which works on cgroup v1 and v2), and persisted, so the next
//! start keeps it. A stopped container only has its record changed.

use std::process::Stdio;
use std::sync::Arc;

use engine_api::types::{ContainerUpdateBody, HostConfig, RestartPolicyName};
use oci_spec::runtime::{LinuxBlockIo, LinuxCpu, LinuxMemory, LinuxPids, LinuxResources};
use tokio::io::AsyncWriteExt;

use super::error::ContainerError;
use super::events;
use super::record::Status;
use super::restart::Policy;
use super::runc::Runtime;
use super::spec::resources::{check_limits, Limits};
use super::store::Container;
use crate::containers::Services;

/// Why an update was refused or failed, each with dockerd's status.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The request itself is wrong (400).
    #[error("{0}")]
    Invalid(String),
    /// The request contradicts what the container has (409).
    #[error("Cannot update container {id}: {message}")]
    Conflict { id: String, message: String },
    /// The runtime refused the new limits (500).
    #[error("Cannot update container {id}: {message}")]
    Runtime { id: String, message: String },
    #[error(transparent)]
    Container(#[from] ContainerError),
}

impl UpdateError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Invalid(_) => crate::ErrorKind::InvalidParameter,
            Self::Conflict { .. } => crate::ErrorKind::Conflict,
            Self::Runtime { .. } => crate::ErrorKind::Server,
            Self::Container(e) => e.kind(),
        }
    }
}

/// A value the request sets: dockerd cannot tell zero from absent.
fn set(v: Option<i64>) -> Option<i64> {
    v.filter(|v| *v != 0)
}

/// dockerd's checks of the request alone; `Ok` carries its warnings.
/// `ncpu` is how many CPUs the machine has.
pub fn validate(body: &ContainerUpdateBody, ncpu: i64) -> Result<Vec<String>, UpdateError> {
    let limits = Limits {
        memory: body.memory.unwrap_or(0),
        memory_swap: body.memory_swap.unwrap_or(0),
        memory_reservation: body.memory_reservation.unwrap_or(0),
        memory_swappiness: body.memory_swappiness,
        nano_cpus: body.nano_cpus.unwrap_or(0),
        cpu_period: body.cpu_period.unwrap_or(0),
        cpu_quota: body.cpu_quota.unwrap_or(0),
        blkio_weight: body.blkio_weight.unwrap_or(0),
    };
    check_limits(&limits, ncpu).map_err(UpdateError::Invalid)?;
    let mut warnings = Vec::new();
    if body.oom_kill_disable == Some(true) && limits.memory == 0 {
        warnings.push(
            "OOM killer is disabled for the container, but no memory limit is set, this can \
             result in the system running out of resources."
                .to_string(),
        );
    }
    Ok(warnings)
}

/// The request merged into the container's host config, or dockerd's
/// reason it conflicts with what is set already.
pub fn merge(
    id: &str,
    host: &mut HostConfig,
    body: &ContainerUpdateBody,
) -> Result<(), UpdateError> {
    let conflict = |message: &str| {
        Err(UpdateError::Conflict {
            id: id.to_string(),
            message: message.to_string(),
        })
    };
    let has = |v: Option<i64>| v.unwrap_or(0) > 0;
    if has(body.nano_cpus) && has(host.cpu_period) {
        return conflict(
            "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set",
        );
    }
    if has(body.nano_cpus) && has(host.cpu_quota) {
        return conflict(
            "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set",
        );
    }
    if has(body.cpu_period) && has(host.nano_cpus) {
        return conflict(
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set",
        );
    }
    if has(body.cpu_quota) && has(host.nano_cpus) {
        return conflict(
            "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set",
        );
    }
    if let Some(memory) = set(body.memory) {
        if set(body.memory_swap).is_none() && memory > host.memory_swap.unwrap_or(0) {
            return conflict(
                "Memory limit should be smaller than already set memoryswap limit, update the \
                 memoryswap at the same time",
            );
        }
    }
    let requested_policy = body
        .restart_policy
        .as_ref()
        .filter(|p| !matches!(p.name, None | Some(RestartPolicyName::Empty)));
    if let Some(policy) = requested_policy {
        let none = matches!(policy.name, Some(RestartPolicyName::No));
        if host.auto_remove.unwrap_or(false) && !none {
            return conflict(
                "Restart policy cannot be updated because AutoRemove is enabled for the container",
            );
        }
    }
    let mut next = host.clone();
    let numbers: [(Option<i64>, &mut Option<i64>); 11] = [
        (body.blkio_weight, &mut next.blkio_weight),
        (body.cpu_shares, &mut next.cpu_shares),
        (body.nano_cpus, &mut next.nano_cpus),
        (body.cpu_period, &mut next.cpu_period),
        (body.cpu_quota, &mut next.cpu_quota),
        (body.memory, &mut next.memory),
        (body.memory_swap, &mut next.memory_swap),
        (body.memory_reservation, &mut next.memory_reservation),
        (body.kernel_memory_tcp, &mut next.kernel_memory_tcp),
        (body.cpu_realtime_period, &mut next.cpu_realtime_period),
        (body.cpu_realtime_runtime, &mut next.cpu_realtime_runtime),
    ];
    for (given, field) in numbers {
        if let Some(v) = set(given) {
            *field = Some(v);
        }
    }
    for (given, field) in [
        (&body.cpuset_cpus, &mut next.cpuset_cpus),
        (&body.cpuset_mems, &mut next.cpuset_mems),
    ] {
        if let Some(v) = given.as_ref().filter(|v| !v.is_empty()) {
            *field = Some(v.clone());
        }
    }
    if body.pids_limit.is_some() {
        next.pids_limit = body.pids_limit;
    }
    if let Some(policy) = requested_policy {
        next.restart_policy = Some(policy.clone());
        Policy::from_host(&next)
            .map_err(|e| UpdateError::Invalid(format!("invalid restart policy: {e}")))?;
    }
    *host = next;
    Ok(())
}

/// The limits the runtime is given for `body`: only what it sets, as
/// dockerd hands them to its runtime (NanoCPUs as a quota over a 100 ms
/// period; a pids limit of 0 or below lifts the limit).
pub fn linux_resources(body: &ContainerUpdateBody) -> LinuxResources {
    let mut resources = LinuxResources::default();
    if let Some(weight) = set(body.blkio_weight) {
        let mut io = LinuxBlockIo::default();
        io.set_weight(u16::try_from(weight).ok());
        resources.set_block_io(Some(io));
    }
    let mut cpu = LinuxCpu::default();
    cpu.set_cpus(body.cpuset_cpus.clone().filter(|c| !c.is_empty()));
    cpu.set_mems(body.cpuset_mems.clone().filter(|m| !m.is_empty()));
    cpu.set_shares(set(body.cpu_shares).and_then(|s| u64::try_from(s).ok()));
    let (mut period, mut quota) = (None, None);
    if let Some(nano) = set(body.nano_cpus) {
        period = Some(100_000u64);
        quota = Some(nano.saturating_mul(100_000) / 1_000_000_000);
    }
    quota = quota.or(set(body.cpu_quota));
    period = period.or(set(body.cpu_period).and_then(|p| u64::try_from(p).ok()));
    cpu.set_period(period);
    cpu.set_quota(quota);
    if cpu != LinuxCpu::default() {
        resources.set_cpu(Some(cpu));
    }
    let mut memory = LinuxMemory::default();
    memory.set_limit(set(body.memory));
    memory.set_reservation(set(body.memory_reservation));
    memory.set_swap(body.memory_swap.filter(|s| *s > 0));
    if memory != LinuxMemory::default() {
        resources.set_memory(Some(memory));
    }
    if let Some(limit) = body.pids_limit {
        let mut pids = LinuxPids::default();
        pids.set_limit(if limit <= 0 { -1 } else { limit });
        resources.set_pids(Some(pids));
    }
    resources
}

/// Updates container `c`: checked, applied when it runs, persisted,
/// announced (an `update` event). Returns dockerd's warnings.
pub async fn update(
    engine: &Services,
    c: &Arc<Container>,
    body: &ContainerUpdateBody,
) -> Result<Vec<String>, UpdateError> {
    let ncpu = engine.host.ncpu.max(1);
    let warnings = validate(body, ncpu)?;
    // Not while it starts or stops: the limits must reach the run it has.
    let _op = c.op.lock().await;
    let record = c.record();
    let mut host = record.host_config.clone();
    merge(&c.id, &mut host, body)?;
    if matches!(record.state.status, Status::Running | Status::Paused) {
        let resources = linux_resources(body);
        apply(&Runtime::new(&record.runtime), &c.id, &resources)
            .await
            .map_err(|message| UpdateError::Runtime {
                id: c.id.clone(),
                message,
            })?;
    }
    let record = c.update(|r| {
        r.host_config = host;
        r.clone()
    })?;
    events::publish(engine, "update", &record, &[]);
    Ok(warnings)
}

/// `<runtime> update --resources - <id>` with `resources` on stdin; the
/// runtime's complaint when it refuses.
async fn apply(runtime: &Runtime<'_>, id: &str, resources: &LinuxResources) -> Result<(), String> {
    let json = serde_json::to_vec(resources).map_err(|e| format!("encoding the limits: {e}"))?;
    let mut child = runtime
        .command()
        .args(["update", "--resources", "-", id])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running the runtime: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&json)
            .await
            .map_err(|e| format!("writing the limits to the runtime: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| format!("waiting for the runtime: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // With `--log-format json` the runtime's messages are JSON lines.
    let message = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["msg"].as_str().map(str::to_string))
        .next_back()
        .unwrap_or_else(|| stderr.trim().to_string());
    Err(if message.is_empty() {
        format!("the runtime's update failed ({})", out.status)
    } else {
        message
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine_api::types::RestartPolicy;

    fn body() -> ContainerUpdateBody {
        ContainerUpdateBody::default()
    }

    fn invalid(b: &ContainerUpdateBody) -> String {
        match validate(b, 2) {
            Err(UpdateError::Invalid(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn requests_are_checked_like_dockerd() {
        let b = ContainerUpdateBody {
            memory: Some(4 << 20),
            ..body()
        };
        assert_eq!(invalid(&b), "Minimum memory limit allowed is 6MB");
        let b = ContainerUpdateBody {
            memory: Some(64 << 20),
            memory_swap: Some(32 << 20),
            ..body()
        };
        assert!(invalid(&b).starts_with("Minimum memoryswap limit should be larger"));
        let b = ContainerUpdateBody {
            memory: Some(64 << 20),
            memory_reservation: Some(128 << 20),
            ..body()
        };
        assert!(
            invalid(&b).starts_with("Minimum memory limit can not be less than memory reservation")
        );
        let b = ContainerUpdateBody {
            nano_cpus: Some(3_000_000_000),
            ..body()
        };
        assert_eq!(
            invalid(&b),
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        let b = ContainerUpdateBody {
            cpu_period: Some(10),
            ..body()
        };
        assert!(invalid(&b).starts_with("CPU cfs period can not be less than 1ms"));
        let b = ContainerUpdateBody {
            blkio_weight: Some(5),
            ..body()
        };
        assert_eq!(invalid(&b), "Range of blkio weight is from 10 to 1000");
        let b = ContainerUpdateBody {
            memory_swappiness: Some(101),
            ..body()
        };
        assert!(invalid(&b).contains("valid memory swappiness range is 0-100"));
        let fine = ContainerUpdateBody {
            memory: Some(16 << 20),
            memory_swap: Some(16 << 20),
            pids_limit: Some(10),
            ..body()
        };
        assert_eq!(validate(&fine, 2).unwrap(), Vec::<String>::new());
        assert_eq!(
            UpdateError::Invalid(String::new()).kind(),
            crate::ErrorKind::InvalidParameter
        );
    }

    #[test]
    fn merging_keeps_what_the_request_leaves_out() {
        let mut host = HostConfig {
            memory: Some(32 << 20),
            memory_swap: Some(64 << 20),
            cpu_shares: Some(512),
            ..Default::default()
        };
        let b = ContainerUpdateBody {
            memory: Some(48 << 20),
            cpu_shares: Some(0),
            pids_limit: Some(20),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyName::OnFailure),
                maximum_retry_count: Some(3),
                ..Default::default()
            }),
            ..body()
        };
        merge("c", &mut host, &b).unwrap();
        assert_eq!(host.memory, Some(48 << 20));
        assert_eq!(host.memory_swap, Some(64 << 20));
        assert_eq!(host.cpu_shares, Some(512));
        assert_eq!(host.pids_limit, Some(20));
        let policy = host.restart_policy.as_ref().unwrap();
        assert_eq!(policy.name, Some(RestartPolicyName::OnFailure));
        assert_eq!(policy.maximum_retry_count, Some(3));
        // An empty policy name (the CLI's default) changes nothing.
        let b = ContainerUpdateBody {
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyName::Empty),
                ..Default::default()
            }),
            ..body()
        };
        merge("c", &mut host, &b).unwrap();
        assert_eq!(
            host.restart_policy.as_ref().unwrap().name,
            Some(RestartPolicyName::OnFailure)
        );
    }

    #[test]
    fn conflicts_with_what_is_set_are_refused_and_change_nothing() {
        let mut host = HostConfig {
            memory: Some(32 << 20),
            memory_swap: Some(64 << 20),
            nano_cpus: Some(500_000_000),
            auto_remove: Some(true),
            ..Default::default()
        };
        let before = host.clone();
        let err = merge(
            "abc",
            &mut host,
            &ContainerUpdateBody {
                memory: Some(128 << 20),
                ..body()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot update container abc: Memory limit should be smaller than already set \
             memoryswap limit, update the memoryswap at the same time"
        );
        assert_eq!(err.kind(), crate::ErrorKind::Conflict);
        let err = merge(
            "abc",
            &mut host,
            &ContainerUpdateBody {
                cpu_quota: Some(50_000),
                ..body()
            },
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("CPU Quota cannot be updated as NanoCPUs"));
        let err = merge(
            "abc",
            &mut host,
            &ContainerUpdateBody {
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyName::Always),
                    ..Default::default()
                }),
                ..body()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("AutoRemove is enabled"));
        let mut plain = HostConfig::default();
        let err = merge(
            "abc",
            &mut plain,
            &ContainerUpdateBody {
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyName::Always),
                    maximum_retry_count: Some(2),
                    ..Default::default()
                }),
                ..body()
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidParameter);
        assert!(
            err.to_string().starts_with("invalid restart policy"),
            "{err}"
        );
        assert_eq!(host, before);
        assert_eq!(plain, HostConfig::default());
    }

    #[test]
    fn the_runtime_gets_only_what_the_request_sets() {
        let r = linux_resources(&ContainerUpdateBody {
            memory: Some(16 << 20),
            memory_swap: Some(16 << 20),
            pids_limit: Some(0),
            nano_cpus: Some(1_500_000_000),
            ..body()
        });
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["memory"]["limit"], 16 << 20);
        assert_eq!(v["memory"]["swap"], 16 << 20);
        assert!(v["memory"].get("reservation").is_none());
        assert_eq!(v["pids"]["limit"], -1);
        assert_eq!(v["cpu"]["period"], 100_000);
        assert_eq!(v["cpu"]["quota"], 150_000);
        assert!(v.get("blockIO").is_none());
        let nothing = serde_json::to_value(linux_resources(&body())).unwrap();
        assert_eq!(nothing, serde_json::json!({}));
        let unlimited_swap = linux_resources(&ContainerUpdateBody {
            memory_swap: Some(-1),
            ..body()
        });
        assert!(unlimited_swap.memory().is_none());
    }
}
