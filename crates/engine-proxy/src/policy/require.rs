//! The `require` constraints of a rule, compiled, and the check of one
//! typed request against them: the first field that breaks a constraint
//! is reported as `Field.Path is what` for the denial's message.
//!
//! A constraint reads every body where its field means the same thing:
//! a container's create and update (devices, restart policies) and a
//! Swarm service's container spec (images, mounts, capabilities, SELinux
//! confinement, the host network), besides the create bodies.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use engine_api::types::{
    ContainerUpdateBody, DeviceMapping, DeviceRequest, HostConfig, HostConfigCgroupnsMode, Mount,
    MountType, NetworkAttachmentConfig, RestartPolicy, ServiceSpec,
};
use globset::{GlobBuilder, GlobMatcher};

use super::file::RequireFile;
use super::limits::{Asked, Body, Limits};
use crate::typed::Typed;

/// One rule's constraints, ready to check.
#[derive(Debug, Default)]
pub struct Require {
    privileged: Option<bool>,
    bind_sources: Option<Vec<String>>,
    cap_add: Option<Vec<String>>,
    host_network: Option<bool>,
    host_pid: Option<bool>,
    host_namespaces: Option<bool>,
    unconfined: Option<bool>,
    devices: Option<bool>,
    restart_policies: Option<Vec<String>>,
    images: Option<Vec<GlobMatcher>>,
    labels: Option<BTreeMap<String, String>>,
    forbidden_labels: Option<Vec<String>>,
    limits: Option<Limits>,
}

/// A constraint that cannot be compiled: which key (relative to the
/// rule's `require`) and why.
#[derive(Debug)]
pub struct BadRequire {
    pub pointer: String,
    pub message: String,
}

impl Require {
    /// Compiles what the file says.
    pub fn compile(file: RequireFile) -> Result<Require, BadRequire> {
        let bind_sources = match file.bind_sources {
            None => None,
            Some(list) => Some(
                list.into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        normal_path(&p).ok_or_else(|| BadRequire {
                            pointer: format!("/bind_sources/{i}"),
                            message: format!("`{p}` is not an absolute path without `..`"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let images = match file.images {
            None => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .map(|(i, g)| {
                        GlobBuilder::new(g)
                            .literal_separator(true)
                            .build()
                            .map(|g| g.compile_matcher())
                            .map_err(|e| BadRequire {
                                pointer: format!("/images/{i}"),
                                message: format!("bad image pattern: {e}"),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        const RESTART: [&str; 4] = ["no", "on-failure", "unless-stopped", "always"];
        for (i, r) in file.restart_policies.iter().flatten().enumerate() {
            if !RESTART.contains(&r.as_str()) {
                return Err(BadRequire {
                    pointer: format!("/restart_policies/{i}"),
                    message: format!(
                        "`{r}` is no restart policy (no, on-failure, unless-stopped, always)"
                    ),
                });
            }
        }
        let limits = file
            .limits
            .map(Limits::compile)
            .transpose()
            .map_err(|e| BadRequire {
                pointer: format!("/limits/{}", e.key),
                message: e.message,
            })?;
        Ok(Require {
            limits,
            privileged: file.privileged,
            bind_sources,
            cap_add: file
                .cap_add
                .map(|caps| caps.iter().map(|c| capability(c)).collect()),
            host_network: file.host_network,
            host_pid: file.host_pid,
            host_namespaces: file.host_namespaces,
            unconfined: file.unconfined,
            devices: file.devices,
            restart_policies: file.restart_policies,
            images,
            labels: file.labels,
            forbidden_labels: file.forbidden_labels,
        })
    }

    /// The first broken constraint, as `Field is what`, or `None`.
    pub fn violation(&self, typed: &Typed) -> Option<String> {
        match typed {
            Typed::ContainerCreate(b) => {
                if let Some(Err(v)) = b.image.as_deref().map(|i| self.image(i, "Image")) {
                    return Some(v);
                }
                if let Some(v) = self.label_violation(b.labels.as_ref(), "Labels") {
                    return Some(v);
                }
                if let Some(v) = self.limits.as_ref().and_then(|l| {
                    let asked = Asked::of_create(b.host_config.as_ref());
                    l.violation(&asked, Body::Create, "HostConfig.")
                }) {
                    return Some(v);
                }
                b.host_config.as_ref().and_then(|hc| self.host_config(hc))
            }
            Typed::ContainerExec(b) => (self.privileged == Some(false)
                && b.privileged == Some(true))
            .then(|| "Privileged is true".to_string()),
            Typed::ImagePull(image) => self.image(image, "fromImage").err(),
            Typed::VolumeCreate(b) => {
                if let Some(v) = self.label_violation(b.labels.as_ref(), "Labels") {
                    return Some(v);
                }
                let device = b.driver_opts.as_ref().and_then(|o| o.get("device"));
                device.and_then(|d| self.bind_source(d, "DriverOpts.device"))
            }
            Typed::NetworkCreate(b) => self.label_violation(b.labels.as_ref(), "Labels"),
            Typed::ContainerUpdate(b) => self.update(b),
            Typed::Service(spec) => self.service(spec),
            Typed::Secret(spec) => self.label_violation(spec.labels.as_ref(), "Labels"),
            Typed::Config(spec) => self.label_violation(spec.labels.as_ref(), "Labels"),
            Typed::ImageBuild(tags) => tags.iter().find_map(|t| self.image(t, "t").err()),
            Typed::ImageImport(repo) => self.image(repo, "repo").err(),
            Typed::NetworkConnect(_) | Typed::NetworkDisconnect(_) | Typed::Plain => None,
        }
    }

    /// `Err(violation)` when `image` matches none of the allowed patterns.
    fn image(&self, image: &str, field: &str) -> Result<(), String> {
        let Some(globs) = &self.images else {
            return Ok(());
        };
        let names = image_names(image);
        if globs.iter().any(|g| names.iter().any(|n| g.is_match(n))) {
            Ok(())
        } else {
            Err(format!("{field} {image} is not an allowed image"))
        }
    }

    fn host_config(&self, hc: &HostConfig) -> Option<String> {
        if self.privileged == Some(false) && hc.privileged == Some(true) {
            return Some("HostConfig.Privileged is true".into());
        }
        if self.host_network == Some(false) && hc.network_mode.as_deref() == Some("host") {
            return Some("HostConfig.NetworkMode is host".into());
        }
        if self.host_pid == Some(false) && hc.pid_mode.as_deref() == Some("host") {
            return Some("HostConfig.PidMode is host".into());
        }
        if self.host_namespaces == Some(false) {
            let modes = [
                ("IpcMode", hc.ipc_mode.as_deref()),
                ("UTSMode", hc.uts_mode.as_deref()),
                ("UsernsMode", hc.userns_mode.as_deref()),
            ];
            for (field, mode) in modes {
                if mode == Some("host") {
                    return Some(format!("HostConfig.{field} is host"));
                }
            }
            if hc.cgroupns_mode == Some(HostConfigCgroupnsMode::Host) {
                return Some("HostConfig.CgroupnsMode is host".into());
            }
        }
        if self.unconfined == Some(false) {
            for opt in hc.security_opt.iter().flatten() {
                if switches_confinement_off(opt) {
                    return Some(format!("HostConfig.SecurityOpt has {opt}"));
                }
            }
        }
        let devices = self.devices(
            hc.devices.as_deref(),
            hc.device_requests.as_deref(),
            hc.device_cgroup_rules.as_deref(),
            "HostConfig.",
        );
        if devices.is_some() {
            return devices;
        }
        if let Some(v) = self.restart_policy(hc.restart_policy.as_ref(), "HostConfig.") {
            return Some(v);
        }
        if let Some(allowed) = &self.cap_add {
            for cap in hc.cap_add.iter().flatten() {
                if !allowed.contains(&capability(cap)) {
                    return Some(format!("HostConfig.CapAdd has {cap}"));
                }
            }
        }
        for (i, bind) in hc.binds.iter().flatten().enumerate() {
            // `source:target[:options]`; a source that is no absolute path
            // names a volume.
            let source = bind.split(':').next().unwrap_or("");
            if source.starts_with('/') {
                if let Some(v) = self.bind_source(source, &format!("HostConfig.Binds[{i}]")) {
                    return Some(v);
                }
            }
        }
        self.mounts(hc.mounts.as_deref(), "HostConfig.Mounts")
    }

    /// A container update: the resource limits, the devices and the
    /// restart policy it sets.
    fn update(&self, b: &ContainerUpdateBody) -> Option<String> {
        if let Some(v) = self
            .limits
            .as_ref()
            .and_then(|l| l.violation(&Asked::of_update(b), Body::Update, ""))
        {
            return Some(v);
        }
        self.devices(
            b.devices.as_deref(),
            b.device_requests.as_deref(),
            b.device_cgroup_rules.as_deref(),
            "",
        )
        .or_else(|| self.restart_policy(b.restart_policy.as_ref(), ""))
    }

    /// A Swarm service: its labels, and its tasks' container spec and
    /// networks, read as a container's create would be.
    fn service(&self, spec: &ServiceSpec) -> Option<String> {
        if let Some(v) = self.label_violation(spec.labels.as_ref(), "Labels") {
            return Some(v);
        }
        if let Some(v) = self.host_network(spec.networks.as_deref(), "Networks") {
            return Some(v);
        }
        let task = spec.task_template.as_ref()?;
        if let Some(v) = self.host_network(task.networks.as_deref(), "TaskTemplate.Networks") {
            return Some(v);
        }
        let cs = task.container_spec.as_ref()?;
        let at = "TaskTemplate.ContainerSpec";
        if let Some(Err(v)) = cs
            .image
            .as_deref()
            .map(|i| self.image(i, &format!("{at}.Image")))
        {
            return Some(v);
        }
        if let Some(allowed) = &self.cap_add {
            for cap in cs.capability_add.iter().flatten() {
                if !allowed.contains(&capability(cap)) {
                    return Some(format!("{at}.CapabilityAdd has {cap}"));
                }
            }
        }
        let selinux = cs
            .privileges
            .as_ref()
            .and_then(|p| p.se_linux_context.as_ref());
        if self.unconfined == Some(false) && selinux.and_then(|c| c.disable) == Some(true) {
            return Some(format!("{at}.Privileges.SELinuxContext.Disable is true"));
        }
        self.mounts(cs.mounts.as_deref(), &format!("{at}.Mounts"))
    }

    /// `host_network: false` against a service's network attachments: the
    /// `host` network is the host's stack, as `--network host` is.
    fn host_network(
        &self,
        nets: Option<&[NetworkAttachmentConfig]>,
        field: &str,
    ) -> Option<String> {
        if self.host_network != Some(false) {
            return None;
        }
        nets.into_iter()
            .flatten()
            .enumerate()
            .find(|(_, n)| n.target.as_deref() == Some("host"))
            .map(|(i, _)| format!("{field}[{i}].Target is host"))
    }

    /// `devices: false` against a body's device fields, `prefix` naming
    /// where they sit (`HostConfig.`, or nothing for an update).
    fn devices(
        &self,
        devices: Option<&[DeviceMapping]>,
        requests: Option<&[DeviceRequest]>,
        cgroup_rules: Option<&[String]>,
        prefix: &str,
    ) -> Option<String> {
        if self.devices != Some(false) {
            return None;
        }
        if devices.is_some_and(|d| !d.is_empty()) {
            return Some(format!("{prefix}Devices is not empty"));
        }
        if requests.is_some_and(|d| !d.is_empty()) {
            return Some(format!("{prefix}DeviceRequests is not empty"));
        }
        if cgroup_rules.is_some_and(|d| !d.is_empty()) {
            return Some(format!("{prefix}DeviceCgroupRules is not empty"));
        }
        None
    }

    /// `restart_policies` against the policy a body sets (an empty name
    /// is `no`).
    fn restart_policy(&self, policy: Option<&RestartPolicy>, prefix: &str) -> Option<String> {
        let allowed = self.restart_policies.as_ref()?;
        let name = policy.and_then(|p| p.name.as_ref())?.as_str();
        let name = if name.is_empty() { "no" } else { name };
        (!allowed.iter().any(|a| a == name))
            .then(|| format!("{prefix}RestartPolicy.Name is {name}, which is not allowed"))
    }

    /// `bind_sources` against mounts (`field` naming the list): bind
    /// mounts, and local volumes whose `device` option binds a host path.
    fn mounts(&self, mounts: Option<&[Mount]>, field: &str) -> Option<String> {
        for (i, m) in mounts.into_iter().flatten().enumerate() {
            let field = format!("{field}[{i}]");
            if m.r#type == Some(MountType::Bind) {
                let source = m.source.as_deref().unwrap_or("");
                if let Some(v) = self.bind_source(source, &field) {
                    return Some(v);
                }
            }
            // A local volume with `o=bind` is a bind mount by another name.
            let opts = m
                .volume_options
                .as_ref()
                .and_then(|v| v.driver_config.as_ref());
            let device = opts
                .and_then(|d| d.options.as_ref())
                .and_then(|o| o.get("device"));
            if let Some(device) = device {
                let field = format!("{field}.VolumeOptions.DriverConfig.Options.device");
                if let Some(v) = self.bind_source(device, &field) {
                    return Some(v);
                }
            }
        }
        None
    }

    /// A violation when `source` lies outside every allowed prefix.
    fn bind_source(&self, source: &str, field: &str) -> Option<String> {
        let prefixes = self.bind_sources.as_ref()?;
        let inside = normal_path(source).is_some_and(|s| {
            prefixes
                .iter()
                .any(|p| p == "/" || s == *p || s.starts_with(&format!("{p}/")))
        });
        (!inside).then(|| format!("{field} source {source} is not under an allowed path"))
    }

    fn label_violation(
        &self,
        labels: Option<&BTreeMap<String, String>>,
        field: &str,
    ) -> Option<String> {
        let empty = BTreeMap::new();
        let labels = labels.unwrap_or(&empty);
        for (key, want) in self.labels.iter().flatten() {
            match labels.get(key) {
                None => return Some(format!("{field} lacks {key}")),
                Some(v) if want != "*" && v != want => {
                    return Some(format!("{field}.{key} is {v}, not {want}"))
                }
                Some(_) => {}
            }
        }
        for key in self.forbidden_labels.iter().flatten() {
            if labels.contains_key(key) {
                return Some(format!("{field} has {key}"));
            }
        }
        None
    }
}

/// A security option that turns a part of the sandbox off: Docker reads
/// `key=value` and the older `key:value` alike.
fn switches_confinement_off(opt: &str) -> bool {
    let (key, value) = opt
        .split_once('=')
        .or_else(|| opt.split_once(':'))
        .unwrap_or((opt, ""));
    let (key, value) = (
        key.trim().to_ascii_lowercase(),
        value.trim().to_ascii_lowercase(),
    );
    match key.as_str() {
        "seccomp" | "apparmor" | "systempaths" => value == "unconfined",
        "label" => value == "disable",
        _ => false,
    }
}

/// `cap_sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` alike.
fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// An absolute path with `.` and repeated slashes gone and no `..`.
fn normal_path(path: &str) -> Option<String> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return None;
    }
    let mut out = String::new();
    for c in p.components() {
        match c {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(s) => {
                out.push('/');
                out.push_str(s.to_str()?);
            }
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(if out.is_empty() { "/".into() } else { out })
}

/// The names an image reference goes by: as written, and in full
/// (`busybox` is also `docker.io/library/busybox:latest`).
fn image_names(image: &str) -> Vec<String> {
    let mut names = vec![image.to_string()];
    let (first, rest) = image.split_once('/').unwrap_or(("", image));
    let has_domain =
        !first.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost");
    let full = if has_domain {
        image.to_string()
    } else if first.is_empty() {
        format!("docker.io/library/{rest}")
    } else {
        format!("docker.io/{image}")
    };
    let last = full.rsplit('/').next().unwrap_or("");
    let tagged = last.contains(':') || last.contains('@');
    for name in [
        full.clone(),
        format!("{full}:latest"),
        format!("{image}:latest"),
    ] {
        if (!tagged || name == full) && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_include_the_full_reference() {
        let n = image_names("busybox");
        assert!(
            n.contains(&"docker.io/library/busybox:latest".to_string()),
            "{n:?}"
        );
        let n = image_names("localhost:5000/a/b:1");
        assert_eq!(n, ["localhost:5000/a/b:1"]);
        assert!(image_names("me/app:2").contains(&"docker.io/me/app:2".to_string()));
    }

    #[test]
    fn paths_are_normalised() {
        assert_eq!(
            normal_path("/srv//data/./x/").as_deref(),
            Some("/srv/data/x")
        );
        assert_eq!(normal_path("/srv/../etc"), None);
        assert_eq!(normal_path("srv"), None);
        assert_eq!(normal_path("/").as_deref(), Some("/"));
    }
}
