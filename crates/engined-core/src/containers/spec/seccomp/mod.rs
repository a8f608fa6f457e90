//! Seccomp: profiles in Docker's JSON format (what `--security-opt
//! seccomp=FILE` sends, the file's content) and Docker's default profile
//! (kept as data in [`default_profile`]), both read into one [`Profile`]
//! and resolved for a container into oci-spec's `LinuxSeccomp`: the
//! host's architectures, the rules whose architecture, capability and
//! kernel gates hold. The default profile is built once and its
//! resolution cached per capability set, so a container pays a clone.

mod default_profile;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use oci_spec::runtime::{
    Arch, Capability, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompArgBuilder,
    LinuxSeccompFilterFlag, LinuxSyscall,
};
use serde::Deserialize;

use super::capabilities::{cap_name, mask};
use super::error::SpecError;

/// A seccomp profile in Docker's format.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub default_action: LinuxSeccompAction,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    /// The older, flat form of the architectures.
    #[serde(default)]
    pub architectures: Option<Vec<Arch>>,
    #[serde(default)]
    pub arch_map: Option<Vec<ArchMap>>,
    #[serde(default)]
    pub syscalls: Option<Vec<Rule>>,
    #[serde(default)]
    pub flags: Option<Vec<LinuxSeccompFilterFlag>>,
    #[serde(default)]
    pub listener_path: Option<String>,
    #[serde(default)]
    pub listener_metadata: Option<String>,
}

/// A native architecture and the others its binaries may use.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMap {
    pub architecture: Arch,
    #[serde(default)]
    pub sub_architectures: Option<Vec<Arch>>,
}

/// One rule: syscalls, an action, argument conditions and gates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The single-name form.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub names: Option<Vec<String>>,
    pub action: LinuxSeccompAction,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Option<Vec<LinuxSeccompArg>>,
    #[serde(default)]
    pub includes: Option<Filter>,
    #[serde(default)]
    pub excludes: Option<Filter>,
}

/// Architectures (Go names), capabilities and a minimum kernel.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(default)]
    pub arches: Option<Vec<String>>,
    #[serde(default)]
    pub caps: Option<Vec<String>>,
    #[serde(default)]
    pub min_kernel: Option<String>,
}

/// What a profile is resolved against.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// Go's name of the architecture (`amd64`).
    pub go_arch: &'a str,
    /// The seccomp name of the native architecture, when known.
    pub native: Option<Arch>,
    /// The container's (bounding) capabilities.
    pub caps: &'a [Capability],
    /// The running kernel's (major, minor).
    pub kernel: (u32, u32),
}

/// `"4.8"`, `"5.10.0-13-amd64"` as (major, minor).
pub fn kernel_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().unwrap_or(0);
    Some((major, minor))
}

/// The seccomp architecture of a Rust `target_arch`.
pub fn native_arch(arch: &str) -> Option<Arch> {
    Some(match arch {
        "x86_64" => Arch::ScmpArchX86_64,
        "x86" => Arch::ScmpArchX86,
        "aarch64" => Arch::ScmpArchAarch64,
        "arm" => Arch::ScmpArchArm,
        "riscv64" => Arch::ScmpArchRiscv64,
        "s390x" => Arch::ScmpArchS390x,
        "powerpc64" => Arch::ScmpArchPpc64le,
        "mips64" => Arch::ScmpArchMips64,
        "loongarch64" => Arch::ScmpArchLoongarch64,
        _ => return None,
    })
}

impl Profile {
    /// Parses Docker's JSON profile format.
    pub fn parse(json: &str) -> Result<Profile, SpecError> {
        serde_json::from_str(json)
            .map_err(|e| SpecError::invalid(format!("decoding seccomp profile failed: {e}")))
    }

    /// The filter for one container.
    pub fn resolve(&self, target: &Target) -> LinuxSeccomp {
        let has_cap = |name: &String| target.caps.iter().any(|c| cap_name(*c) == *name);
        let kernel_at_least = |min: &Option<String>| {
            min.as_deref()
                .and_then(kernel_version)
                .map(|m| target.kernel >= m)
        };
        let applies = |rule: &Rule| {
            let ex = rule.excludes.clone().unwrap_or_default();
            let inc = rule.includes.clone().unwrap_or_default();
            if ex.arches.iter().flatten().any(|a| a == target.go_arch)
                || ex.caps.iter().flatten().any(has_cap)
                || kernel_at_least(&ex.min_kernel) == Some(true)
            {
                return false;
            }
            let arches_ok = inc
                .arches
                .as_ref()
                .is_none_or(|a| a.is_empty() || a.iter().any(|a| a == target.go_arch));
            arches_ok
                && inc.caps.iter().flatten().all(has_cap)
                && kernel_at_least(&inc.min_kernel) != Some(false)
        };
        let syscalls: Vec<LinuxSyscall> = self
            .syscalls
            .iter()
            .flatten()
            .filter(|r| applies(r))
            .filter_map(|r| {
                let names: Vec<String> = match (&r.names, &r.name) {
                    (Some(n), _) if !n.is_empty() => n.clone(),
                    (_, Some(n)) => vec![n.clone()],
                    _ => return None,
                };
                let mut call = LinuxSyscall::default();
                call.set_names(names)
                    .set_action(r.action)
                    .set_errno_ret(r.errno_ret)
                    .set_args(r.args.clone().filter(|a| !a.is_empty()));
                Some(call)
            })
            .collect();
        let architectures = match (&self.arch_map, target.native) {
            (Some(map), Some(native)) => map
                .iter()
                .filter(|m| m.architecture == native)
                .flat_map(|m| {
                    std::iter::once(m.architecture)
                        .chain(m.sub_architectures.iter().flatten().copied())
                })
                .collect(),
            _ => self.architectures.clone().unwrap_or_default(),
        };
        let mut out = LinuxSeccomp::default();
        out.set_default_action(self.default_action)
            .set_default_errno_ret(self.default_errno_ret)
            .set_architectures((!architectures.is_empty()).then_some(architectures))
            .set_flags(self.flags.clone().filter(|f| !f.is_empty()))
            .set_listener_path(self.listener_path.clone().map(Into::into))
            .set_listener_metadata(self.listener_metadata.clone())
            .set_syscalls(Some(syscalls));
        out
    }
}

/// Docker's default profile, built from the table on first use.
pub fn builtin() -> &'static Profile {
    static PROFILE: OnceLock<Profile> = OnceLock::new();
    PROFILE.get_or_init(|| {
        let gate = |g: &default_profile::Gate| Filter {
            arches: (!g.arches.is_empty())
                .then(|| g.arches.iter().map(|a| a.to_string()).collect()),
            caps: (!g.caps.is_empty()).then(|| g.caps.iter().map(|c| cap_name(*c)).collect()),
            min_kernel: g.min_kernel.map(|(a, b)| format!("{a}.{b}")),
        };
        let syscalls = default_profile::GROUPS
            .iter()
            .map(|g| Rule {
                name: None,
                names: Some(g.names.iter().map(|n| n.to_string()).collect()),
                action: g.action,
                errno_ret: g.errno,
                args: (!g.args.is_empty()).then(|| {
                    g.args
                        .iter()
                        // Every field is given: the builder cannot fail.
                        .filter_map(|&(index, value, op)| {
                            LinuxSeccompArgBuilder::default()
                                .index(index)
                                .value(value)
                                .op(op)
                                .build()
                                .ok()
                        })
                        .collect()
                }),
                includes: Some(gate(&g.includes)),
                excludes: Some(gate(&g.excludes)),
            })
            .collect();
        Profile {
            default_action: LinuxSeccompAction::ScmpActErrno,
            default_errno_ret: Some(default_profile::DEFAULT_ERRNO),
            architectures: None,
            arch_map: Some(
                default_profile::ARCH_MAP
                    .iter()
                    .map(|(a, subs)| ArchMap {
                        architecture: *a,
                        sub_architectures: Some(subs.to_vec()),
                    })
                    .collect(),
            ),
            syscalls: Some(syscalls),
            flags: None,
            listener_path: None,
            listener_metadata: None,
        }
    })
}

/// This host as a [`Target`] for `caps`.
pub fn host_target(caps: &[Capability]) -> Target<'_> {
    static KERNEL: OnceLock<(u32, u32)> = OnceLock::new();
    let kernel = *KERNEL.get_or_init(|| {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        kernel_version(&release).unwrap_or((0, 0))
    });
    Target {
        go_arch: crate::system::go_arch(std::env::consts::ARCH),
        native: native_arch(std::env::consts::ARCH),
        caps,
        kernel,
    }
}

/// The default profile's filter for a container with `caps` on this host,
/// resolved once per capability set.
pub fn builtin_for(caps: &[Capability]) -> LinuxSeccomp {
    static CACHE: OnceLock<Mutex<HashMap<u64, LinuxSeccomp>>> = OnceLock::new();
    let key = mask(caps);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let filter = builtin().resolve(&host_target(caps));
    if let Ok(mut c) = cache.lock() {
        c.insert(key, filter.clone());
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::super::capabilities::DEFAULT_CAPS;
    use super::*;
    use oci_spec::runtime::LinuxSeccompOperator;

    fn target(caps: &[Capability]) -> Target<'_> {
        Target {
            go_arch: "amd64",
            native: Some(Arch::ScmpArchX86_64),
            caps,
            kernel: (6, 1),
        }
    }

    fn allowed(filter: &LinuxSeccomp, name: &str) -> Vec<LinuxSyscall> {
        filter
            .syscalls()
            .iter()
            .flatten()
            .filter(|s| s.names().iter().any(|n| n == name))
            .cloned()
            .collect()
    }

    #[test]
    fn default_profile_on_amd64_with_default_caps() {
        let f = builtin().resolve(&target(DEFAULT_CAPS));
        assert_eq!(f.default_action(), LinuxSeccompAction::ScmpActErrno);
        assert_eq!(f.default_errno_ret(), Some(1));
        assert_eq!(
            f.architectures().clone().unwrap(),
            [Arch::ScmpArchX86_64, Arch::ScmpArchX86, Arch::ScmpArchX32]
        );
        assert!(!allowed(&f, "read").is_empty());
        assert!(!allowed(&f, "arch_prctl").is_empty());
        assert!(allowed(&f, "s390_runtime_instr").is_empty());
        // Only CAP_SYS_ADMIN opens these; chroot comes with the default caps.
        for name in ["mount", "unshare", "keyctl", "reboot", "setns", "bpf"] {
            assert!(allowed(&f, name).is_empty(), "{name}");
        }
        assert!(!allowed(&f, "chroot").is_empty());
        // clone only without namespace flags; clone3 answers ENOSYS.
        let clone = allowed(&f, "clone");
        assert_eq!(clone.len(), 1);
        let arg = clone[0].args().clone().unwrap()[0];
        assert_eq!(
            (arg.index(), arg.value(), arg.op()),
            (0, 0x7E02_0000, LinuxSeccompOperator::ScmpCmpMaskedEq)
        );
        let clone3 = allowed(&f, "clone3");
        assert_eq!(clone3[0].action(), LinuxSeccompAction::ScmpActErrno);
        assert_eq!(clone3[0].errno_ret(), Some(38));
        assert_eq!(allowed(&f, "personality").len(), 5);
        assert!(!allowed(&f, "ptrace").is_empty(), "kernel 6.1 >= 4.8");
    }

    #[test]
    fn capability_and_kernel_gates() {
        let mut caps = DEFAULT_CAPS.to_vec();
        caps.extend([Capability::SysAdmin, Capability::SysBoot]);
        let f = builtin().resolve(&target(&caps));
        assert!(!allowed(&f, "mount").is_empty());
        assert!(!allowed(&f, "reboot").is_empty());
        let clone = allowed(&f, "clone");
        assert_eq!(clone.len(), 1);
        assert!(
            clone[0].args().is_none(),
            "unconditional with CAP_SYS_ADMIN"
        );
        assert!(allowed(&f, "clone3")
            .iter()
            .all(|c| c.action() == LinuxSeccompAction::ScmpActAllow));
        let old = Target {
            kernel: (4, 4),
            ..target(DEFAULT_CAPS)
        };
        assert!(allowed(&builtin().resolve(&old), "ptrace").is_empty());
        assert_eq!(builtin_for(DEFAULT_CAPS), builtin_for(DEFAULT_CAPS));
    }

    #[test]
    fn dockers_json_format() {
        let json = r#"{
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [
                {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "comment": "old form",
                 "args": [{"index": 1, "value": 448, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
                {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_PTRACE"]}}
            ]
        }"#;
        let f = Profile::parse(json).unwrap().resolve(&target(DEFAULT_CAPS));
        assert_eq!(f.default_action(), LinuxSeccompAction::ScmpActAllow);
        assert_eq!(f.architectures().clone().unwrap(), [Arch::ScmpArchX86_64]);
        assert_eq!(allowed(&f, "fchmodat")[0].errno_ret(), Some(13));
        assert_eq!(
            allowed(&f, "mkdir")[0].args().clone().unwrap()[0].value(),
            448
        );
        assert!(allowed(&f, "ptrace").is_empty());
        assert!(Profile::parse("{not json")
            .unwrap_err()
            .to_string()
            .starts_with("decoding seccomp profile failed"));
        assert_eq!(kernel_version("6.18.2-arch1"), Some((6, 18)));
    }
}
