//! Legacy links (`docker run --link NAME[:ALIAS]`) on the default bridge:
//! at create each link is checked and recorded in dockerd's form
//! (`/child:/parent/alias`); at start the linked container must run, and
//! the new container gets an `/etc/hosts` line for it (the alias, its
//! hostname and its name on its bridge address) and dockerd's link
//! variables (`ALIAS_PORT...`, `ALIAS_NAME`, `ALIAS_ENV_...`) in its
//! environment, below its own variables.

use std::net::IpAddr;

use super::error::{ContainerError, Result};
use super::record::Record;
use crate::containers::Services;

/// One link as the API writes it: the linked container and the alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    pub child: String,
    pub alias: String,
}

/// Reads `NAME[:ALIAS]`, or the recorded `/NAME:/PARENT/ALIAS`.
pub fn parse(link: &str) -> Result<LinkSpec> {
    let (child, alias) = match link.split_once(':') {
        Some((child, alias)) => (child, alias.rsplit('/').next().unwrap_or(alias)),
        None => (link, link),
    };
    let child = child.trim_start_matches('/');
    let alias = alias.trim_start_matches('/');
    if child.is_empty() || alias.is_empty() {
        return Err(ContainerError::InvalidArgument(format!(
            "invalid link format: {link} (want NAME[:ALIAS])"
        )));
    }
    Ok(LinkSpec {
        child: child.to_string(),
        alias: alias.to_string(),
    })
}

/// Checks `links` at create (each linked container exists) and gives them
/// back in dockerd's recorded form, for a container named `parent`.
pub fn for_create(engine: &Services, parent: &str, links: &[String]) -> Result<Vec<String>> {
    links
        .iter()
        .map(|link| {
            let spec = parse(link)?;
            let child = engine.containers.get(&spec.child).map_err(|_| {
                ContainerError::InvalidArgument(format!(
                    "could not get container for {}",
                    spec.child
                ))
            })?;
            Ok(format!("/{}:/{parent}/{}", child.name(), spec.alias))
        })
        .collect()
}

/// What a start takes from one running linked container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The `/etc/hosts` names: alias, hostname, and the name when it is
    /// not the alias.
    pub names: Vec<String>,
    pub ip: IpAddr,
    /// The variables the link adds.
    pub env: Vec<String>,
}

/// The links of `record`, for its start: each linked container must run
/// and have an address on the default bridge.
pub fn resolve(engine: &Services, record: &Record) -> Result<Vec<Linked>> {
    let links = record.host_config.links.as_deref().unwrap_or(&[]);
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let parent = record.name.trim_start_matches('/');
    let bridge = engine.networks.find("bridge").ok().map(|n| n.id);
    let on_bridge = |id: &str| {
        engine
            .networks
            .endpoints(id)
            .into_iter()
            .flat_map(|c| c.endpoints)
            .any(|e| Some(&e.network_id) == bridge.as_ref())
    };
    // Elsewhere the embedded DNS server answers the names; dockerd makes
    // a link there only an alias.
    if !on_bridge(&record.id) {
        return Ok(Vec::new());
    }
    links
        .iter()
        .map(|link| {
            let spec = parse(link)?;
            let not_running = || {
                ContainerError::InvalidArgument(format!(
                    "Cannot link to a non running container: /{} AS /{parent}/{}",
                    spec.child, spec.alias
                ))
            };
            let child = engine
                .containers
                .get(&spec.child)
                .map_err(|_| not_running())?;
            let r = child.record();
            if !r.state.status.is_running() {
                return Err(not_running());
            }
            let ip = engine
                .networks
                .endpoints(&r.id)
                .into_iter()
                .flat_map(|c| c.endpoints)
                .filter(|e| Some(&e.network_id) == bridge.as_ref())
                .find_map(|e| e.active.map(|a| a.ip))
                .ok_or_else(|| {
                    ContainerError::InvalidArgument(format!(
                        "Cannot link to /{}, as it does not belong to the default network",
                        spec.child
                    ))
                })?;
            let child_name = r.name.trim_start_matches('/').to_string();
            let mut names = vec![spec.alias.clone()];
            if let Some(host) = r.config.hostname.as_deref().filter(|h| !h.is_empty()) {
                names.push(host.to_string());
            }
            if child_name != spec.alias {
                names.push(child_name);
            }
            let ports: Vec<String> = r
                .config
                .exposed_ports
                .iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect();
            let env = variables(
                &format!("/{parent}/{}", spec.alias),
                ip,
                &ports,
                r.config.env.as_deref().unwrap_or(&[]),
            );
            Ok(Linked { names, ip, env })
        })
        .collect()
}

/// dockerd's link variables for a link named `name` (`/parent/alias`) to
/// a container at `ip` exposing `ports` (`80/tcp`) with environment
/// `child_env`: TCP ports first, then by number; a run of consecutive
/// ports of one protocol also gets `_START`/`_END` variables.
pub fn variables(name: &str, ip: IpAddr, ports: &[String], child_env: &[String]) -> Vec<String> {
    let alias = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .to_uppercase()
        .replace('-', "_");
    let mut parsed: Vec<(u16, String)> = ports
        .iter()
        .filter_map(|p| {
            let (num, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            Some((num.parse().ok()?, proto.to_ascii_lowercase()))
        })
        .collect();
    parsed.sort_by(|(a, pa), (b, pb)| {
        (pa != "tcp", pa.as_str(), *a).cmp(&(pb != "tcp", pb.as_str(), *b))
    });
    parsed.dedup();
    let mut env = Vec::new();
    let mut run_start = 0;
    for (i, (num, proto)) in parsed.iter().enumerate() {
        if i == 0 {
            env.push(format!("{alias}_PORT={proto}://{ip}:{num}"));
        }
        let prefix = format!("{alias}_PORT_{num}_{}", proto.to_uppercase());
        env.push(format!("{prefix}={proto}://{ip}:{num}"));
        env.push(format!("{prefix}_ADDR={ip}"));
        env.push(format!("{prefix}_PORT={num}"));
        env.push(format!("{prefix}_PROTO={proto}"));
        let continues = parsed
            .get(i + 1)
            .is_some_and(|(next, p)| p == proto && u32::from(*next) == u32::from(*num) + 1);
        if !continues {
            if i > run_start {
                let (first, _) = &parsed[run_start];
                let start = format!("{alias}_PORT_{first}_{}", proto.to_uppercase());
                env.push(format!("{start}_START={proto}://{ip}:{first}"));
                env.push(format!("{start}_PORT_START={first}"));
                env.push(format!("{start}_END={proto}://{ip}:{num}"));
                env.push(format!("{start}_PORT_END={num}"));
            }
            run_start = i + 1;
        }
    }
    env.push(format!("{alias}_NAME={name}"));
    for var in child_env {
        let Some((key, value)) = var.split_once('=') else {
            continue;
        };
        // What every image sets says nothing about the linked service.
        if key == "HOME" || key == "PATH" {
            continue;
        }
        env.push(format!("{alias}_ENV_{key}={value}"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_in_both_forms() {
        let want = |child: &str, alias: &str| LinkSpec {
            child: child.into(),
            alias: alias.into(),
        };
        assert_eq!(parse("db").unwrap(), want("db", "db"));
        assert_eq!(parse("db:store").unwrap(), want("db", "store"));
        assert_eq!(parse("/db:/web/store").unwrap(), want("db", "store"));
        assert!(parse(":x").is_err());
        assert!(parse("db:").is_err());
    }

    #[test]
    fn variables_follow_dockerds_names_and_ranges() {
        let ip: IpAddr = "172.17.0.5".parse().unwrap();
        let env = variables(
            "/web/my-db",
            ip,
            &[
                "53/udp".into(),
                "8081/tcp".into(),
                "8080/tcp".into(),
                "5432".into(),
            ],
            &[
                "PATH=/bin".into(),
                "PGDATA=/data".into(),
                "HOME=/root".into(),
                "junk".into(),
            ],
        );
        assert_eq!(env[0], "MY_DB_PORT=tcp://172.17.0.5:5432");
        for want in [
            "MY_DB_PORT_5432_TCP=tcp://172.17.0.5:5432",
            "MY_DB_PORT_5432_TCP_ADDR=172.17.0.5",
            "MY_DB_PORT_5432_TCP_PORT=5432",
            "MY_DB_PORT_5432_TCP_PROTO=tcp",
            "MY_DB_PORT_8080_TCP_START=tcp://172.17.0.5:8080",
            "MY_DB_PORT_8080_TCP_PORT_START=8080",
            "MY_DB_PORT_8080_TCP_END=tcp://172.17.0.5:8081",
            "MY_DB_PORT_8080_TCP_PORT_END=8081",
            "MY_DB_PORT_53_UDP=udp://172.17.0.5:53",
            "MY_DB_NAME=/web/my-db",
            "MY_DB_ENV_PGDATA=/data",
        ] {
            assert!(
                env.contains(&want.to_string()),
                "{want} missing from {env:#?}"
            );
        }
        // A single port is no range; HOME, PATH and a bare word are left out.
        assert!(!env
            .iter()
            .any(|v| v.starts_with("MY_DB_PORT_5432_TCP_START")));
        assert!(!env
            .iter()
            .any(|v| v.contains("_ENV_PATH") || v.contains("_ENV_HOME")));
        assert!(!env.iter().any(|v| v.contains("junk")));
        // TCP comes before UDP whatever the numbers.
        let udp = env
            .iter()
            .position(|v| v.starts_with("MY_DB_PORT_53_UDP="))
            .unwrap();
        let tcp = env
            .iter()
            .position(|v| v.starts_with("MY_DB_PORT_8081_TCP="))
            .unwrap();
        assert!(tcp < udp);
    }
}
