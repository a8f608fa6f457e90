//! The spec's `process` (also what `runc exec --process` reads): args,
//! env, cwd, the user with its extra groups, the terminal, capabilities,
//! rlimits, no-new-privileges, the AppArmor profile and the OOM score.

use oci_spec::runtime::{Capability, PosixRlimit, PosixRlimitType, Process, User};

use super::capabilities;
use super::ulimits;

/// A numeric identity inside the container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
}

/// What a process (the container's or an exec's) runs.
#[derive(Debug, Clone, Default)]
pub struct ProcessInput {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: ProcessUser,
    pub terminal: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// `--ulimit`s (over the daemon's `RLIMIT_NOFILE`).
    pub rlimits: Vec<PosixRlimit>,
    pub no_new_privileges: bool,
    pub apparmor: Option<String>,
    pub oom_score_adj: Option<i32>,
    /// The terminal's first size, `(height, width)`, set by the runtime
    /// before the process starts (the API's `ConsoleSize`).
    pub console_size: Option<(u16, u16)>,
}

/// A `ConsoleSize` as the API sends it (`[height, width]`): `None` when
/// absent or zero, as dockerd leaves the size alone then.
pub fn console_size(size: Option<&[i64]>) -> Result<Option<(u16, u16)>, String> {
    let Some(size) = size else {
        return Ok(None);
    };
    let dim = |v: i64| u16::try_from(v).ok();
    match size {
        [] | [0, 0] => Ok(None),
        [h, w] => match (dim(*h), dim(*w)) {
            (Some(h), Some(w)) => Ok(Some((h, w))),
            _ => Err(format!("ConsoleSize out of range: {h}x{w}")),
        },
        _ => Err(format!(
            "ConsoleSize must be [height, width], not {} numbers",
            size.len()
        )),
    }
}

/// The process's capabilities on this host. Names were checked at
/// create; a record with one this build does not know gets Docker's
/// default set rather than more.
pub fn capabilities(p: &ProcessInput) -> Vec<Capability> {
    capabilities::resolve(
        p.privileged,
        &p.cap_add,
        &p.cap_drop,
        capabilities::daemon_bounding(),
    )
    .unwrap_or_else(|_| capabilities::DEFAULT_CAPS.to_vec())
}

/// The spec's `process` object; `nofile` is the daemon's (soft, hard)
/// `RLIMIT_NOFILE`, the base a container's ulimits go over.
pub fn process(p: &ProcessInput, nofile: (u64, u64)) -> Process {
    let caps = capabilities(p);
    let mut user = User::default();
    user.set_uid(p.user.uid)
        .set_gid(p.user.gid)
        .set_additional_gids(
            (!p.user.additional_gids.is_empty()).then(|| p.user.additional_gids.clone()),
        );
    let rlimits = ulimits::merge(
        vec![ulimits::rlimit(
            PosixRlimitType::RlimitNofile,
            nofile.0,
            nofile.1,
        )],
        &p.rlimits,
    );
    let mut out = Process::default();
    out.set_terminal(Some(p.terminal))
        .set_user(user)
        .set_args(Some(p.args.clone()))
        .set_env(Some(p.env.clone()))
        .set_cwd(if p.cwd.is_empty() {
            "/".into()
        } else {
            p.cwd.clone().into()
        })
        .set_capabilities(Some(capabilities::linux_capabilities(&caps)))
        .set_rlimits(Some(rlimits))
        .set_no_new_privileges(Some(p.no_new_privileges))
        .set_apparmor_profile(p.apparmor.clone().filter(|a| a != "unconfined"))
        .set_oom_score_adj(p.oom_score_adj);
    if let Some((height, width)) = p.console_size.filter(|_| p.terminal) {
        // All fields have defaults: building cannot fail.
        let size = oci_spec::runtime::BoxBuilder::default()
            .height(u64::from(height))
            .width(u64::from(width))
            .build()
            .ok();
        out.set_console_size(size);
    }
    out
}
