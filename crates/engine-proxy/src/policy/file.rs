//! The policy file's shape, as serde reads it: a default decision and an
//! ordered list of rules, each selecting operations (by operationId, tag
//! or HTTP method) and either deciding (`action`) or constraining typed
//! fields of the request (`require`). Unknown keys are errors.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::limits::LimitsFile;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The decision when no rule decides (`deny` when left out).
    #[serde(default)]
    pub default: Action,
    /// The label that marks a container, volume or network as an
    /// identity's (owner scoping on listeners with an identity).
    pub owner_label: Option<String>,
    /// The client identities the policy knows (TLS client certificates'
    /// subject CNs, listeners' names); when given, any other is refused.
    pub identities: Option<Vec<String>>,
    /// The rules, applied in order.
    #[serde(default)]
    pub rules: Vec<RuleFile>,
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    #[default]
    Deny,
}

/// One rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The name denials quote (`denied by rule NAME: ...`).
    pub name: String,
    /// operationIds the rule applies to (`ContainerCreate`).
    #[serde(default)]
    pub operations: Vec<String>,
    /// Tags the rule applies to (`Container`, `Image`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// HTTP methods the rule applies to (`GET`, `HEAD`).
    #[serde(default)]
    pub methods: Vec<String>,
    /// What the rule decides for the requests it selects.
    pub action: Option<Action>,
    /// What the requests it selects must satisfy; a request that does
    /// not is denied by this rule, one that does goes on to the next.
    pub require: Option<RequireFile>,
}

/// Constraints on typed fields of a request; each left out constrains
/// nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequireFile {
    /// `false`: `HostConfig.Privileged` (and an exec's `Privileged`) must not be true.
    pub privileged: Option<bool>,
    /// Bind-mount sources (`Binds`, `Mounts` of type bind) must lie under
    /// one of these absolute paths.
    pub bind_sources: Option<Vec<String>>,
    /// `CapAdd` may only name these capabilities (`NET_ADMIN`; `CAP_` optional).
    pub cap_add: Option<Vec<String>>,
    /// `false`: `HostConfig.NetworkMode` must not be `host`.
    pub host_network: Option<bool>,
    /// `false`: `HostConfig.PidMode` must not be `host`.
    pub host_pid: Option<bool>,
    /// `false`: `IpcMode`, `UTSMode`, `UsernsMode` and `CgroupnsMode`
    /// must not be `host`.
    pub host_namespaces: Option<bool>,
    /// `false`: `SecurityOpt` must not switch confinement off
    /// (`seccomp=unconfined`, `apparmor=unconfined`, `label=disable`,
    /// `systempaths=unconfined`).
    pub unconfined: Option<bool>,
    /// `false`: `HostConfig.Devices`, `DeviceRequests` and
    /// `DeviceCgroupRules` must be empty (also in `docker update`).
    pub devices: Option<bool>,
    /// The restart policies a created or updated container may have
    /// (`no`, `on-failure`, `unless-stopped`, `always`).
    pub restart_policies: Option<Vec<String>>,
    /// A created container's `Image` and a pulled image must match one of
    /// these globs (`mini`, `docker.io/library/*`).
    pub images: Option<Vec<String>>,
    /// Labels a created container, volume, network, service, secret or
    /// config must carry (`key: value`, or `key: "*"` for any value).
    pub labels: Option<BTreeMap<String, String>>,
    /// Label keys a created container, volume, network, service, secret
    /// or config must not carry.
    pub forbidden_labels: Option<Vec<String>>,
    /// Ceilings on a created or updated container's memory, swap,
    /// memory reservation, CPUs, CPU weight, cpusets and pids (or
    /// `false`: not to be set).
    pub limits: Option<LimitsFile>,
}
