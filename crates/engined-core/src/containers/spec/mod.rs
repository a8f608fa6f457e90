//! The OCI runtime spec (`config.json` of a bundle), typed with oci-spec,
//! generated from a container's record: Docker's default sandbox unless
//! the user asks otherwise, and the resource limits of its HostConfig.
//!
//! - [`env`]: the environment; [`process`]: the process, its user,
//!   capabilities ([`capabilities`]), rlimits ([`ulimits`]);
//! - [`mounts`]: default, /etc, init and user mounts; [`init`]: `--init`;
//! - [`seccomp`]: Docker's default profile and user profiles;
//!   [`security`]: `--security-opt`;
//! - [`resources`]: cgroup limits; [`devices`]: host devices;
//!   [`sysctl`]: namespaced sysctls;
//! - here: the namespaces, masked and read-only paths (Docker's, or the
//!   HostConfig's own lists), and the whole
//!   spec; [`Sandbox`] gathers what a HostConfig asks for, and
//!   [`validate`] is what create checks.

pub mod capabilities;
pub mod devices;
pub mod env;
pub mod error;
pub mod init;
pub mod mounts;
pub mod process;
pub mod resources;
pub mod seccomp;
pub mod security;
pub mod sysctl;
pub mod ulimits;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use engine_api::types::HostConfig;
use oci_spec::runtime::{
    Linux, LinuxDevice, LinuxNamespace, LinuxNamespaceType, LinuxResources, Root, Spec,
};

pub use env::{container_env, merge_env, DEFAULT_PATH};
pub use error::{SpecError, SpecErrorKind};
pub use process::{process, ProcessInput, ProcessUser};
pub use security::SeccompChoice;

use super::record::MountRecord;

/// Docker's default masked paths (hidden from the container).
pub const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's default read-only paths.
pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// What a HostConfig asks of the sandbox and the limits, decided once.
#[derive(Debug, Clone, Default)]
pub struct Sandbox {
    pub seccomp: SeccompChoice,
    pub resources: LinuxResources,
    pub devices: Vec<LinuxDevice>,
    pub sysctls: BTreeMap<String, String>,
    /// Bytes; 0 for the default.
    pub shm_size: i64,
    /// The host's init binary when `--init`.
    pub init: Option<PathBuf>,
    /// The masked and read-only paths: Docker's defaults unless the
    /// HostConfig names its own (the docker CLI sends empty lists for
    /// `--security-opt systempaths=unconfined`); none when privileged.
    pub masked_paths: Vec<String>,
    pub readonly_paths: Vec<String>,
}

/// The host's CPUs as the resource checks need them.
pub fn cpu_facts() -> resources::CpuFacts {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get() as i64);
    let cpus = resources::parse_list(&read("/sys/devices/system/cpu/online"))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| (0..ncpu as u32).collect());
    let mems = resources::parse_list(&read("/sys/devices/system/node/online"))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| vec![0]);
    resources::CpuFacts { ncpu, cpus, mems }
}

/// Everything create checks about a HostConfig's sandbox and limits,
/// with dockerd's wording.
pub fn validate(host: &HostConfig, host_network: bool) -> Result<(), SpecError> {
    for c in host.cap_add.iter().chain(host.cap_drop.iter()).flatten() {
        capabilities::parse(c)?;
    }
    security::parse(
        host.security_opt.as_deref().unwrap_or(&[]),
        security::apparmor_enabled(Path::new("/")),
    )?;
    resources::validate(host, &cpu_facts())?;
    ulimits::parse(host.ulimits.as_deref().unwrap_or(&[]))?;
    sysctl::validate(&host.sysctls.clone().unwrap_or_default(), host_network)?;
    devices::validate(host.devices.as_deref().unwrap_or(&[]))?;
    Ok(())
}

impl Sandbox {
    /// The sandbox of a container with `host` (devices are looked up on
    /// the host now, so this runs when the bundle is made).
    pub fn from_host(host: &HostConfig) -> Result<Sandbox, SpecError> {
        let privileged = host.privileged.unwrap_or(false);
        let security = security::parse(
            host.security_opt.as_deref().unwrap_or(&[]),
            security::apparmor_enabled(Path::new("/")),
        )?;
        let mut granted = devices::mapped(host.devices.as_deref().unwrap_or(&[]))?;
        if privileged {
            granted.extend(devices::host_devices());
        }
        // A later node at the same place wins.
        let mut nodes: Vec<LinuxDevice> = Vec::new();
        for g in &granted {
            nodes.retain(|d| d.path() != g.device.path());
            nodes.push(g.device.clone());
        }
        let resources = resources::linux_resources(
            host,
            privileged,
            granted.into_iter().map(|g| g.rule).collect(),
        )?;
        Ok(Sandbox {
            seccomp: if privileged {
                SeccompChoice::Unconfined
            } else {
                security.seccomp
            },
            resources,
            devices: nodes,
            sysctls: host.sysctls.clone().unwrap_or_default(),
            shm_size: host.shm_size.unwrap_or(0),
            init: if host.init.unwrap_or(false) {
                Some(init::find()?)
            } else {
                None
            },
            masked_paths: if privileged || security.system_paths_unconfined {
                Vec::new()
            } else {
                host.masked_paths
                    .clone()
                    .unwrap_or_else(|| strings(MASKED_PATHS))
            },
            readonly_paths: if privileged || security.system_paths_unconfined {
                Vec::new()
            } else {
                host.readonly_paths
                    .clone()
                    .unwrap_or_else(|| strings(READONLY_PATHS))
            },
        })
    }
}

/// Everything the bundle's spec is generated from.
#[derive(Debug, Clone, Default)]
pub struct SpecInput {
    pub process: ProcessInput,
    pub hostname: String,
    pub rootfs: PathBuf,
    pub readonly_rootfs: bool,
    pub host_network: bool,
    /// The network namespace to join (a file engined holds it by, or
    /// another container's); a new one when `None`.
    pub netns_path: Option<PathBuf>,
    /// Another container's PID and IPC namespaces to join (`--pid` /
    /// `--ipc container:`); new ones when `None`.
    pub pid_ns_path: Option<PathBuf>,
    pub ipc_ns_path: Option<PathBuf>,
    /// `--uts host`: no UTS namespace of its own (and so no hostname to set).
    pub host_uts: bool,
    pub mounts: Vec<MountRecord>,
    /// Generated files bind-mounted into the container: (host path, path
    /// inside), e.g. `/etc/hostname`.
    pub etc_files: Vec<(PathBuf, String)>,
    pub cgroups_path: String,
    /// (soft, hard) `RLIMIT_NOFILE` of the daemon.
    pub nofile: (u64, u64),
    pub sandbox: Sandbox,
}

fn namespace(typ: LinuxNamespaceType) -> LinuxNamespace {
    let mut ns = LinuxNamespace::default();
    ns.set_typ(typ);
    ns
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The whole `config.json`.
pub fn generate(input: &SpecInput) -> Spec {
    let privileged = input.process.privileged;
    let sandbox = &input.sandbox;
    let mut process = process::process(&input.process, input.nofile);
    if sandbox.init.is_some() {
        process.set_args(Some(init::wrap(&input.process.args)));
    }
    let caps = process::capabilities(&input.process);
    let seccomp = match &sandbox.seccomp {
        SeccompChoice::Unconfined => None,
        SeccompChoice::Builtin => Some(seccomp::builtin_for(&caps)),
        SeccompChoice::Custom(profile) => Some(profile.resolve(&seccomp::host_target(&caps))),
    };

    let joined = |typ, path: &Option<PathBuf>| {
        let mut ns = namespace(typ);
        ns.set_path(path.clone());
        ns
    };
    let mut namespaces = vec![
        joined(LinuxNamespaceType::Pid, &input.pid_ns_path),
        joined(LinuxNamespaceType::Ipc, &input.ipc_ns_path),
    ];
    if !input.host_uts {
        namespaces.push(namespace(LinuxNamespaceType::Uts));
    }
    namespaces.push(namespace(LinuxNamespaceType::Mount));
    if !input.host_network {
        namespaces.push(joined(LinuxNamespaceType::Network, &input.netns_path));
    }
    let mut linux = Linux::default();
    linux
        .set_resources(Some(sandbox.resources.clone()))
        .set_cgroups_path(Some(input.cgroups_path.clone().into()))
        .set_namespaces(Some(namespaces))
        .set_devices((!sandbox.devices.is_empty()).then(|| sandbox.devices.clone()))
        .set_sysctl((!sandbox.sysctls.is_empty()).then(|| {
            sandbox
                .sysctls
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<HashMap<_, _>>()
        }))
        .set_seccomp(seccomp)
        .set_masked_paths((!sandbox.masked_paths.is_empty()).then(|| sandbox.masked_paths.clone()))
        .set_readonly_paths(
            (!sandbox.readonly_paths.is_empty()).then(|| sandbox.readonly_paths.clone()),
        )
        .set_uid_mappings(None)
        .set_gid_mappings(None);

    let mut root = Root::default();
    root.set_path(input.rootfs.clone())
        .set_readonly(Some(input.readonly_rootfs));

    let mut spec = Spec::default();
    spec.set_version("1.0.2".into())
        .set_process(Some(process))
        .set_root(Some(root))
        .set_hostname((!input.host_uts).then(|| input.hostname.clone()))
        .set_mounts(Some(mounts::mounts(&mounts::MountsInput {
            privileged,
            shm_size: sandbox.shm_size,
            etc_files: &input.etc_files,
            init: sandbox.init.as_deref(),
            user: &input.mounts,
        })))
        .set_annotations(None)
        .set_linux(Some(linux));
    spec
}

#[cfg(test)]
mod tests;
