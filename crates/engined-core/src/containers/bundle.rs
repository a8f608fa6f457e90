//! A container's OCI bundle for one run, under `<exec-root>/containers/<id>`:
//! the root filesystem mounted, the generated `/etc/hostname`, `/etc/hosts`
//! and `/etc/resolv.conf` (from [`super::network`]), `config.json` from the record (its sandbox and
//! limits from the HostConfig), and the supervisor's `shim.json`.

use std::path::{Path, PathBuf};

use super::error::{ContainerError, Result};
use super::network::{Network, RunNetwork};
use super::record::{Record, RecordedRuntime};
use super::rootfs::{self, Layout, OVERLAY};
use super::spec::{self, ProcessInput, Sandbox, SpecError, SpecErrorKind, SpecInput};
use super::supervisor::client::START_TIMEOUT;
use super::supervisor::protocol::EXIT_FILE;
use super::supervisor::sys;
use super::supervisor::ShimConfig;
use super::user;
use engined_shim::atomic;

/// What a run needs besides the record.
pub struct BundleOptions {
    pub runtime: RecordedRuntime,
    pub layout: Layout,
    /// The run's namespace and address, from [`super::network::setup`].
    pub network: RunNetwork,
}

/// `<data-root>/containers/<id>/<id>-json.log`
pub fn log_path(layout: &Layout, id: &str) -> PathBuf {
    layout.dir.join(format!("{id}-json.log"))
}

/// Whether the container shares the host's UTS namespace (`--uts host`).
pub fn host_uts(record: &Record) -> bool {
    record.host_config.uts_mode.as_deref() == Some("host")
}

/// A spec problem of container `id` as a container error.
fn spec_error(id: &str, e: SpecError) -> ContainerError {
    match e.kind() {
        SpecErrorKind::InvalidArgument => ContainerError::InvalidArgument(e.to_string()),
        SpecErrorKind::Host => ContainerError::StartFailed(format!("container {id}: {e}")),
    }
}

/// `--group-add` entries (names or numbers) as gids, names looked up in
/// the container's `/etc/group` the way a `User` group is.
fn group_add(groups: &[String], rootfs: &Path) -> Result<Vec<u32>> {
    groups
        .iter()
        .map(|g| {
            user::resolve(&format!("0:{g}"), rootfs)
                .map(|u| u.gid)
                .map_err(ContainerError::StartFailed)
        })
        .collect()
}

/// The process of the container (also the base of its execs).
pub fn container_process(record: &Record, rootfs: &Path) -> Result<ProcessInput> {
    let config = &record.config;
    let mut user = user::resolve(config.user.as_deref().unwrap_or(""), rootfs)
        .map_err(ContainerError::StartFailed)?;
    let host = &record.host_config;
    for gid in group_add(host.group_add.as_deref().unwrap_or(&[]), rootfs)? {
        if !user.additional_gids.contains(&gid) {
            user.additional_gids.push(gid);
        }
    }
    let hostname = config.hostname.clone().unwrap_or_default();
    let security = spec::security::parse(
        host.security_opt.as_deref().unwrap_or(&[]),
        spec::security::apparmor_enabled(Path::new("/")),
    )
    .map_err(|e| spec_error(&record.id, e))?;
    let rlimits = spec::ulimits::parse(host.ulimits.as_deref().unwrap_or(&[]))
        .map_err(|e| spec_error(&record.id, e))?;
    Ok(ProcessInput {
        args: std::iter::once(record.path.clone())
            .chain(record.args.iter().cloned())
            .collect(),
        env: spec::container_env(
            config.env.as_deref().unwrap_or(&[]),
            &hostname,
            record.tty(),
        ),
        cwd: config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into()),
        user,
        terminal: record.tty(),
        privileged: host.privileged.unwrap_or(false),
        cap_add: host.cap_add.clone().unwrap_or_default(),
        cap_drop: host.cap_drop.clone().unwrap_or_default(),
        rlimits,
        no_new_privileges: security.no_new_privileges,
        apparmor: security.apparmor,
        oom_score_adj: host
            .oom_score_adj
            .and_then(|a| i32::try_from(a).ok())
            .filter(|a| *a != 0),
        // Checked at create; a record from an older engined has none.
        console_size: spec::process::console_size(host.console_size.as_deref())
            .ok()
            .flatten(),
    })
}

/// Makes the bundle for a run; returns the supervisor's config.
pub fn prepare(record: &Record, options: &BundleOptions) -> Result<ShimConfig> {
    let layout = &options.layout;
    let io =
        |what: &str, e: std::io::Error| ContainerError::io(format!("{what} of {}", record.id), e);
    std::fs::create_dir_all(&layout.bundle).map_err(|e| io("the bundle", e))?;
    let root = rootfs::mount(&record.driver, &rootfs::lowers(record), layout)
        .map_err(|e| io("the root filesystem", e))?;
    let result = (|| {
        let mut process = container_process(record, &root)?;
        // Link variables sit below the container's own, as with dockerd.
        let link_env: Vec<String> = options
            .network
            .links
            .iter()
            .flat_map(|l| l.env.iter().cloned())
            .collect();
        if !link_env.is_empty() {
            process.env = spec::merge_env(&link_env, &process.env);
        }
        let network = Network::of(record);
        let etc = network
            .run_files(record, &layout.dir, &options.network)
            .map_err(|e| io("the /etc files", e))?;
        let input = SpecInput {
            process,
            hostname: record.config.hostname.clone().unwrap_or_default(),
            rootfs: root.clone(),
            readonly_rootfs: record.host_config.readonly_rootfs.unwrap_or(false),
            host_network: !network.own_namespace(),
            netns_path: options.network.netns.clone(),
            pid_ns_path: options.network.pid_ns.clone(),
            ipc_ns_path: options.network.ipc_ns.clone(),
            host_uts: host_uts(record),
            mounts: record.mounts.clone(),
            etc_files: etc,
            cgroups_path: engined_shim::cgroups::container_path(&record.id),
            nofile: sys::nofile_limit(),
            sandbox: Sandbox::from_host(&record.host_config)
                .map_err(|e| spec_error(&record.id, e))?,
        };
        atomic::write_json(&layout.bundle.join("config.json"), &spec::generate(&input))
            .map_err(|e| io("the bundle's config.json", e))?;
        match std::fs::remove_file(layout.dir.join(EXIT_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io("the previous exit record", e))
            }
            _ => {}
        }
        Ok(ShimConfig {
            id: record.id.clone(),
            bundle: layout.bundle.clone(),
            runtime: options.runtime.binary.clone(),
            runtime_root: options.runtime.root.clone(),
            log_path: log_path(layout, &record.id),
            exit_file: layout.dir.join(EXIT_FILE),
            tty: record.tty(),
            open_stdin: record.config.open_stdin.unwrap_or(false),
            stdin_once: record.config.stdin_once.unwrap_or(false),
            unmount: (record.driver == OVERLAY).then(|| root.clone()),
            start_timeout_ms: START_TIMEOUT.as_millis() as u64,
        })
    })();
    if result.is_err() {
        let _ = rootfs::unmount(&record.driver, layout);
    }
    result
}
