//! What `create` decides from the request alone: the container config with
//! the image's defaults merged in (Docker's rules), the process to run
//! (entrypoint + cmd), and the mounts the request asks for (`-v`/`Binds`,
//! `--mount`, `--tmpfs`, anonymous volumes).

use engine_api::types::{ContainerConfig, ContainerCreateBody, HostConfig, MountType};

/// The request body's config part.
pub fn from_body(body: &ContainerCreateBody) -> ContainerConfig {
    ContainerConfig {
        hostname: body.hostname.clone(),
        domainname: body.domainname.clone(),
        user: body.user.clone(),
        attach_stdin: body.attach_stdin,
        attach_stdout: body.attach_stdout,
        attach_stderr: body.attach_stderr,
        exposed_ports: body.exposed_ports.clone(),
        tty: body.tty,
        open_stdin: body.open_stdin,
        stdin_once: body.stdin_once,
        env: body.env.clone(),
        cmd: body.cmd.clone(),
        healthcheck: body.healthcheck.clone(),
        args_escaped: body.args_escaped,
        image: body.image.clone(),
        volumes: body.volumes.clone(),
        working_dir: body.working_dir.clone(),
        entrypoint: body.entrypoint.clone(),
        network_disabled: body.network_disabled,
        mac_address: body.mac_address.clone(),
        on_build: body.on_build.clone(),
        labels: body.labels.clone(),
        stop_signal: body.stop_signal.clone(),
        stop_timeout: body.stop_timeout,
        shell: body.shell.clone(),
        ..Default::default()
    }
}

fn empty<T>(v: &Option<Vec<T>>) -> bool {
    v.as_ref().is_none_or(Vec::is_empty)
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(str::is_empty)
}

/// Docker's merge of the image's config under the user's.
pub fn merge(mut user: ContainerConfig, image: &ContainerConfig) -> ContainerConfig {
    if blank(&user.user) {
        user.user = image.user.clone();
    }
    if user.exposed_ports.as_ref().is_none_or(|p| p.is_empty()) {
        user.exposed_ports = image.exposed_ports.clone();
    } else if let Some(image_ports) = &image.exposed_ports {
        let ports = user.exposed_ports.get_or_insert_with(Default::default);
        for (k, v) in image_ports {
            ports.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    // Image env first, the user's overriding by name.
    let image_env = image.env.clone().unwrap_or_default();
    let user_env = user.env.clone().unwrap_or_default();
    let mut env = image_env;
    for entry in user_env {
        let key = entry.split('=').next().unwrap_or(&entry).to_string();
        match env
            .iter()
            .position(|e| e.split('=').next().unwrap_or(e) == key)
        {
            Some(i) => env[i] = entry,
            None => env.push(entry),
        }
    }
    user.env = (!env.is_empty()).then_some(env);
    let mut labels = image.labels.clone().unwrap_or_default();
    labels.extend(user.labels.clone().unwrap_or_default());
    user.labels = Some(labels);
    if empty(&user.entrypoint) {
        if empty(&user.cmd) {
            user.cmd = image.cmd.clone();
        }
        if user.entrypoint.is_none() {
            user.entrypoint = image.entrypoint.clone();
        }
    }
    if user.healthcheck.is_none() {
        user.healthcheck = image.healthcheck.clone();
    }
    if blank(&user.working_dir) {
        user.working_dir = image.working_dir.clone();
    }
    if let Some(image_volumes) = &image.volumes {
        let volumes = user.volumes.get_or_insert_with(Default::default);
        for (k, v) in image_volumes {
            volumes.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if blank(&user.stop_signal) {
        user.stop_signal = image.stop_signal.clone();
    }
    if empty(&user.on_build) {
        user.on_build = image.on_build.clone();
    }
    user
}

/// The executable and its arguments: entrypoint (`[""]` means none)
/// followed by cmd.
pub fn process_args(config: &ContainerConfig) -> Option<(String, Vec<String>)> {
    let mut words: Vec<String> = config
        .entrypoint
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    if words.len() == 1 && words[0].is_empty() {
        words.clear();
    }
    words.extend(config.cmd.clone().unwrap_or_default());
    let mut words = words.into_iter();
    let path = words.next()?;
    Some((path, words.collect()))
}

/// A mount the request asks for, before volumes are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountRequest {
    /// `bind`, `volume` or `tmpfs`.
    pub kind: &'static str,
    /// Host path (bind), volume name (volume; empty: anonymous), or the
    /// tmpfs options.
    pub source: String,
    pub destination: String,
    pub rw: bool,
    pub mode: String,
}

fn check_destination(dest: &str) -> Result<(), String> {
    if dest.starts_with('/') {
        Ok(())
    } else {
        Err(format!(
            "invalid mount config: invalid mount path: '{dest}' mount path must be absolute"
        ))
    }
}

/// One `-v` / `Binds` entry: `src:dst[:mode]`; a `src` that is not an
/// absolute path names a volume.
pub fn parse_bind(text: &str) -> Result<MountRequest, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (source, destination, mode) = match parts.as_slice() {
        [s, d] => (*s, *d, ""),
        [s, d, m] => (*s, *d, *m),
        _ => return Err(format!("invalid volume specification: '{text}'")),
    };
    if source.is_empty() {
        return Err(format!("invalid volume specification: '{text}'"));
    }
    check_destination(destination)?;
    let mut rw = true;
    for option in mode.split(',').filter(|o| !o.is_empty()) {
        match option {
            "ro" => rw = false,
            "rw" => rw = true,
            "z" | "Z" | "nocopy" | "shared" | "rshared" | "slave" | "rslave" | "private"
            | "rprivate" | "consistent" | "cached" | "delegated" => {}
            _ => return Err(format!("invalid mode: {mode}")),
        }
    }
    Ok(MountRequest {
        kind: if source.starts_with('/') {
            "bind"
        } else {
            "volume"
        },
        source: source.to_string(),
        destination: destination.to_string(),
        rw,
        mode: mode.to_string(),
    })
}

/// Every mount the request asks for, later entries winning a destination.
pub fn mount_requests(
    config: &ContainerConfig,
    host: &HostConfig,
) -> Result<Vec<MountRequest>, String> {
    let mut out: Vec<MountRequest> = Vec::new();
    let add = |m: MountRequest, out: &mut Vec<MountRequest>| {
        if out.iter().any(|o| o.destination == m.destination) {
            return Err(format!("Duplicate mount point: {}", m.destination));
        }
        out.push(m);
        Ok(())
    };
    for bind in host.binds.iter().flatten() {
        add(parse_bind(bind)?, &mut out)?;
    }
    for m in host.mounts.iter().flatten() {
        let target = m.target.clone().unwrap_or_default();
        check_destination(&target)?;
        let rw = !m.read_only.unwrap_or(false);
        let source = m.source.clone().unwrap_or_default();
        let request = match &m.r#type {
            Some(MountType::Bind) => {
                if !source.starts_with('/') {
                    return Err(format!(
                        "invalid mount config for type \"bind\": invalid mount path: '{source}' mount path must be absolute"
                    ));
                }
                // Unlike `-v`, `--mount` never makes the host directory.
                if std::fs::metadata(&source).is_err() {
                    return Err(format!(
                        "invalid mount config for type \"bind\": bind source path does not exist: {source}"
                    ));
                }
                MountRequest {
                    kind: "bind",
                    source,
                    destination: target,
                    rw,
                    mode: String::new(),
                }
            }
            Some(MountType::Volume) | None => MountRequest {
                kind: "volume",
                source,
                destination: target,
                rw,
                mode: String::new(),
            },
            Some(MountType::Tmpfs) => {
                let mut options = Vec::new();
                if let Some(o) = &m.tmpfs_options {
                    if let Some(size) = o.size_bytes {
                        options.push(format!("size={size}"));
                    }
                    if let Some(mode) = o.mode {
                        options.push(format!("mode={mode:o}"));
                    }
                }
                MountRequest {
                    kind: "tmpfs",
                    source: options.join(","),
                    destination: target,
                    rw,
                    mode: String::new(),
                }
            }
            Some(other) => {
                let kind = serde_json::to_value(other).unwrap_or_default();
                return Err(format!(
                    "invalid mount config for type \"{}\": mount type unknown",
                    kind.as_str().unwrap_or_default()
                ));
            }
        };
        add(request, &mut out)?;
    }
    for (dest, options) in host.tmpfs.iter().flatten() {
        check_destination(dest)?;
        add(
            MountRequest {
                kind: "tmpfs",
                source: options.clone(),
                destination: dest.clone(),
                rw: true,
                mode: String::new(),
            },
            &mut out,
        )?;
    }
    // Anonymous volumes: `-v /path` and the image's VOLUMEs not covered.
    for dest in config.volumes.iter().flat_map(|v| v.keys()) {
        if out.iter().any(|o| o.destination == *dest) {
            continue;
        }
        check_destination(dest)?;
        out.push(MountRequest {
            kind: "volume",
            source: String::new(),
            destination: dest.clone(),
            rw: true,
            mode: String::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    fn image() -> ContainerConfig {
        ContainerConfig {
            cmd: strings(&["sh"]),
            env: strings(&["PATH=/bin", "A=1"]),
            working_dir: Some("/srv".into()),
            labels: Some([("from".to_string(), "image".to_string())].into()),
            volumes: Some([("/data".to_string(), serde_json::json!({}))].into()),
            ..Default::default()
        }
    }

    #[test]
    fn image_defaults_fill_what_the_user_left_out() {
        let user = ContainerConfig {
            cmd: strings(&["echo", "hi"]),
            env: strings(&["A=2", "B=3"]),
            labels: Some([("x".to_string(), "y".to_string())].into()),
            ..Default::default()
        };
        let merged = merge(user, &image());
        assert_eq!(merged.cmd, strings(&["echo", "hi"]));
        assert_eq!(merged.env, strings(&["PATH=/bin", "A=2", "B=3"]));
        assert_eq!(merged.working_dir.as_deref(), Some("/srv"));
        assert_eq!(merged.labels.as_ref().unwrap().len(), 2);
        assert!(merged.volumes.as_ref().unwrap().contains_key("/data"));
        assert_eq!(
            process_args(&merged),
            Some(("echo".to_string(), vec!["hi".to_string()]))
        );
        let merged = merge(ContainerConfig::default(), &image());
        assert_eq!(process_args(&merged), Some(("sh".to_string(), vec![])));
    }

    #[test]
    fn an_entrypoint_drops_the_image_cmd() {
        let user = ContainerConfig {
            entrypoint: strings(&["/bin/env"]),
            ..Default::default()
        };
        let merged = merge(user, &image());
        assert_eq!(
            process_args(&merged),
            Some(("/bin/env".to_string(), vec![]))
        );
        // `--entrypoint ""`: no entrypoint, and no image cmd either.
        let user = ContainerConfig {
            entrypoint: strings(&[""]),
            cmd: strings(&["ls", "-l"]),
            ..Default::default()
        };
        let merged = merge(user, &image());
        assert_eq!(
            process_args(&merged),
            Some(("ls".to_string(), vec!["-l".to_string()]))
        );
        let user = ContainerConfig {
            entrypoint: strings(&[""]),
            ..Default::default()
        };
        assert_eq!(process_args(&merge(user, &image())), None);
    }

    #[test]
    fn binds_and_volumes() {
        assert_eq!(
            parse_bind("/host:/ctr:ro").unwrap(),
            MountRequest {
                kind: "bind",
                source: "/host".into(),
                destination: "/ctr".into(),
                rw: false,
                mode: "ro".into()
            }
        );
        let v = parse_bind("data:/var/lib/data").unwrap();
        assert_eq!((v.kind, v.rw, v.source.as_str()), ("volume", true, "data"));
        assert!(parse_bind("/host:rel")
            .unwrap_err()
            .contains("must be absolute"));
        assert!(parse_bind("/a").is_err());
        assert!(parse_bind("/a:/b:bogus").is_err());

        let host = HostConfig {
            binds: strings(&["/h:/data", "v:/v"]),
            ..Default::default()
        };
        let config = ContainerConfig {
            volumes: Some(
                [
                    ("/data".to_string(), serde_json::json!({})),
                    ("/anon".to_string(), serde_json::json!({})),
                ]
                .into(),
            ),
            ..Default::default()
        };
        let mounts = mount_requests(&config, &host).unwrap();
        let summary: Vec<_> = mounts
            .iter()
            .map(|m| (m.kind, m.source.as_str(), m.destination.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("bind", "/h", "/data"),
                ("volume", "v", "/v"),
                ("volume", "", "/anon")
            ]
        );
        let dup = HostConfig {
            binds: strings(&["/h:/data", "/i:/data"]),
            ..Default::default()
        };
        assert!(mount_requests(&ContainerConfig::default(), &dup).is_err());
    }
}
