//! `docker import --change`: the Dockerfile instructions that only touch an
//! image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL,
//! USER, VOLUME, WORKDIR), applied to a [`ContainerConfig`].

use std::collections::BTreeMap;

use engine_api::types::ContainerConfig;

use super::error::ImageError;

/// Applies each instruction in order.
pub fn apply(config: &mut ContainerConfig, changes: &[String]) -> Result<(), ImageError> {
    for change in changes {
        for line in change.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            apply_one(config, line)?;
        }
    }
    Ok(())
}

fn bad(message: String) -> ImageError {
    ImageError::BadChange(message)
}

fn apply_one(config: &mut ContainerConfig, line: &str) -> Result<(), ImageError> {
    let (instruction, rest) = match line.split_once(char::is_whitespace) {
        Some((i, r)) => (i, r.trim()),
        None => (line, ""),
    };
    let upper = instruction.to_ascii_uppercase();
    let needs_args = |what: &str| -> Result<(), ImageError> {
        if rest.is_empty() {
            Err(bad(format!("{what} requires at least one argument")))
        } else {
            Ok(())
        }
    };
    match upper.as_str() {
        "CMD" => {
            needs_args("CMD")?;
            config.cmd = Some(command(rest));
        }
        "ENTRYPOINT" => {
            needs_args("ENTRYPOINT")?;
            config.entrypoint = Some(command(rest));
        }
        "ENV" => {
            needs_args("ENV")?;
            for (k, v) in pairs("ENV", rest)? {
                let env = config.env.get_or_insert_with(Vec::new);
                let prefix = format!("{k}=");
                env.retain(|e| !e.starts_with(&prefix) && e != &k);
                env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            needs_args("LABEL")?;
            let labels = config.labels.get_or_insert_with(BTreeMap::new);
            for (k, v) in pairs("LABEL", rest)? {
                labels.insert(k, v);
            }
        }
        "EXPOSE" => {
            needs_args("EXPOSE")?;
            let ports = config.exposed_ports.get_or_insert_with(BTreeMap::new);
            for port in rest.split_whitespace() {
                let port = if port.contains('/') {
                    port.to_ascii_lowercase()
                } else {
                    format!("{port}/tcp")
                };
                let (number, proto) = port.split_once('/').unwrap_or((&port, "tcp"));
                let number_ok = number
                    .split('-')
                    .all(|n| n.parse::<u16>().is_ok_and(|n| n > 0));
                if !number_ok || !matches!(proto, "tcp" | "udp" | "sctp") {
                    return Err(bad(format!("invalid containerPort: {number}")));
                }
                ports.insert(port, serde_json::json!({}));
            }
        }
        "VOLUME" => {
            needs_args("VOLUME")?;
            let volumes = config.volumes.get_or_insert_with(BTreeMap::new);
            let list = match json_array(rest) {
                Some(list) => list,
                None => rest.split_whitespace().map(String::from).collect(),
            };
            for v in list {
                volumes.insert(v, serde_json::json!({}));
            }
        }
        "USER" => {
            needs_args("USER")?;
            config.user = Some(rest.to_string());
        }
        "WORKDIR" => {
            needs_args("WORKDIR")?;
            let dir = if rest.starts_with('/') {
                rest.to_string()
            } else {
                let base = config.working_dir.clone().unwrap_or_else(|| "/".into());
                format!("{}/{rest}", base.trim_end_matches('/'))
            };
            config.working_dir = Some(dir);
        }
        "STOPSIGNAL" => {
            needs_args("STOPSIGNAL")?;
            config.stop_signal = Some(rest.to_string());
        }
        "ONBUILD" => {
            needs_args("ONBUILD")?;
            config
                .on_build
                .get_or_insert_with(Vec::new)
                .push(rest.to_string());
        }
        _ => return Err(bad(format!("{instruction} is not a valid change command"))),
    }
    Ok(())
}

/// The exec form (`["a","b"]`) as is; the shell form under `/bin/sh -c`.
fn command(rest: &str) -> Vec<String> {
    json_array(rest).unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into(), rest.to_string()])
}

fn json_array(rest: &str) -> Option<Vec<String>> {
    if !rest.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(rest).ok()
}

/// `k=v k2="v 2"` pairs, or the legacy `k v` form (one pair, value = the rest).
fn pairs(what: &str, rest: &str) -> Result<Vec<(String, String)>, ImageError> {
    let words = split_words(rest);
    if !words.first().is_some_and(|w| w.contains('=')) {
        let (k, v) = match rest.split_once(char::is_whitespace) {
            Some((k, v)) => (k, v.trim()),
            None => return Err(bad(format!("{what} must have two arguments"))),
        };
        return Ok(vec![(k.to_string(), unquote(v))]);
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((unquote(k), unquote(v))),
            _ => Err(bad(format!("{what} names can not be blank: {w}"))),
        })
        .collect()
}

/// Splits on whitespace outside quotes, keeping the quotes.
pub(crate) fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match (c, quote) {
            ('\\', _) => {
                current.push(c);
                escaped = true;
            }
            ('"' | '\'', None) => {
                quote = Some(c);
                current.push(c);
            }
            (q, Some(open)) if q == open => {
                quote = None;
                current.push(c);
            }
            (c, None) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (c, _) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Removes quotes and backslash escapes.
pub(crate) fn unquote(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', q) if q != Some('\'') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (c, _) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(changes: &[&str]) -> ContainerConfig {
        let mut c = ContainerConfig::default();
        let changes: Vec<String> = changes.iter().map(|s| s.to_string()).collect();
        apply(&mut c, &changes).unwrap();
        c
    }

    #[test]
    fn dockerfile_forms() {
        let c = applied(&[
            r#"CMD ["/bin/sh"]"#,
            "ENTRYPOINT echo hi",
            "ENV A=1 B=\"two words\"",
            "ENV C 3 4",
            "ENV A=x",
            "WORKDIR /srv",
            "WORKDIR app",
            "USER 1000:1000",
            "LABEL team=core \"x.y\"=z",
            "EXPOSE 80 53/udp",
            "VOLUME [\"/data\"]",
            "STOPSIGNAL SIGQUIT",
        ]);
        assert_eq!(c.cmd.unwrap(), vec!["/bin/sh"]);
        assert_eq!(c.entrypoint.unwrap(), vec!["/bin/sh", "-c", "echo hi"]);
        assert_eq!(c.env.unwrap(), vec!["B=two words", "C=3 4", "A=x"]);
        assert_eq!(c.working_dir.unwrap(), "/srv/app");
        assert_eq!(c.user.unwrap(), "1000:1000");
        let labels = c.labels.unwrap();
        assert_eq!(labels["team"], "core");
        assert_eq!(labels["x.y"], "z");
        let ports: Vec<_> = c.exposed_ports.unwrap().into_keys().collect();
        assert_eq!(ports, vec!["53/udp", "80/tcp"]);
        assert!(c.volumes.unwrap().contains_key("/data"));
        assert_eq!(c.stop_signal.unwrap(), "SIGQUIT");
    }

    #[test]
    fn refuses_what_import_cannot_do() {
        let mut c = ContainerConfig::default();
        let err = apply(&mut c, &["RUN rm -rf /".to_string()]).unwrap_err();
        assert_eq!(err.to_string(), "RUN is not a valid change command");
        assert!(apply(&mut c, &["CMD".to_string()]).is_err());
        assert!(apply(&mut c, &["EXPOSE http".to_string()]).is_err());
    }
}
