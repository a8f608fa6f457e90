//! Flags and `daemon.json` merged by dockerd's rule: a key is given in one
//! place or the other, never both.
//!
//! A key the file sets and a flag sets too is an error that lists every such
//! key with both values, in dockerd's words and shape ("the following
//! directives are specified both as a flag and in the configuration file:
//! hosts: (from flag: [...], from file: [...])"); values are shown as dockerd
//! shows them (Go's `%v`: lists as `[a b]`, objects as `map[k:v]`).
//! `runtimes` is the exception, as for dockerd: `--add-runtime` adds to the
//! file's runtimes, and conflicts only for a name both define (the key is
//! then `runtimes.<name>`).
//!
//! The flags are given as a [`DaemonConfig`] holding only what the command
//! line set (see `crate::cli::Flags::to_config`), so a key is "set by a flag"
//! exactly when that config serializes it.

use serde_json::{Map, Value};

use super::{ConfigError, ConfigFile, Conflict, DaemonConfig, EffectiveConfig, FileConfig};

/// Reads `file` and merges it with `flags`: the daemon's configuration.
pub fn load(flags: &DaemonConfig, file: &ConfigFile) -> Result<EffectiveConfig, ConfigError> {
    let merged = merge(flags, file.read()?)?;
    EffectiveConfig::new(merged)
}

/// Merges `flags` into `file`, refusing keys both set ([`conflicts`]).
///
/// The result is not checked as a whole yet: see [`EffectiveConfig::new`].
pub fn merge(flags: &DaemonConfig, file: FileConfig) -> Result<DaemonConfig, ConfigError> {
    let conflicts = conflicts(flags, &file)?;
    if !conflicts.is_empty() {
        return Err(ConfigError::Conflicts { conflicts });
    }
    Ok(overlay(file.config, flags))
}

/// The keys set both by `flags` and by `file`, in key order.
pub fn conflicts(flags: &DaemonConfig, file: &FileConfig) -> Result<Vec<Conflict>, ConfigError> {
    let Value::Object(flag_keys) = serde_json::to_value(flags).map_err(ConfigError::Flags)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut keys: Vec<(&String, &Value)> = flag_keys.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    for (key, flag_value) in keys {
        let Some(file_value) = file.raw.get(key) else {
            continue;
        };
        if key == "runtimes" {
            let file_runtimes = file_value.as_object();
            for (name, runtime) in &flags.runtimes {
                if let Some(file_runtime) = file_runtimes.and_then(|rts| rts.get(name)) {
                    out.push(Conflict {
                        key: format!("runtimes.{name}"),
                        from_flag: runtime.path.clone().unwrap_or_default(),
                        from_file: go_display(file_runtime),
                    });
                }
            }
        } else {
            out.push(Conflict {
                key: key.clone(),
                from_flag: go_display(flag_value),
                from_file: go_display(file_value),
            });
        }
    }
    Ok(out)
}

/// `file` with every key `flags` sets replaced by the flag's value, and the
/// flags' runtimes added to the file's.
pub fn overlay(file: DaemonConfig, flags: &DaemonConfig) -> DaemonConfig {
    // Destructured so that a new field cannot be forgotten here.
    let DaemonConfig {
        hosts,
        group,
        data_root,
        exec_root,
        pidfile,
        mut runtimes,
        default_runtime,
        labels,
        debug,
        live_restore,
        log_level,
        tls,
        tlsverify,
        tlscacert,
        tlscert,
        tlskey,
        registry_mirrors,
        insecure_registries,
        max_concurrent_downloads,
        max_concurrent_uploads,
        registry_certs_dir,
        dns,
        dns_search,
        dns_opts,
        bip,
        default_address_pools,
        iptables,
        ip_forward,
        userland_proxy,
    } = file;
    let list = |flag: &Vec<String>, file: Vec<String>| {
        if flag.is_empty() {
            file
        } else {
            flag.clone()
        }
    };
    runtimes.extend(
        flags
            .runtimes
            .iter()
            .map(|(name, rt)| (name.clone(), rt.clone())),
    );
    DaemonConfig {
        hosts: list(&flags.hosts, hosts),
        group: flags.group.clone().or(group),
        data_root: flags.data_root.clone().or(data_root),
        exec_root: flags.exec_root.clone().or(exec_root),
        pidfile: flags.pidfile.clone().or(pidfile),
        runtimes,
        default_runtime: flags.default_runtime.clone().or(default_runtime),
        labels: list(&flags.labels, labels),
        debug: flags.debug.or(debug),
        live_restore: flags.live_restore.or(live_restore),
        log_level: flags.log_level.or(log_level),
        tls: flags.tls.or(tls),
        tlsverify: flags.tlsverify.or(tlsverify),
        tlscacert: flags.tlscacert.clone().or(tlscacert),
        tlscert: flags.tlscert.clone().or(tlscert),
        tlskey: flags.tlskey.clone().or(tlskey),
        registry_mirrors: list(&flags.registry_mirrors, registry_mirrors),
        insecure_registries: list(&flags.insecure_registries, insecure_registries),
        max_concurrent_downloads: flags.max_concurrent_downloads.or(max_concurrent_downloads),
        max_concurrent_uploads: flags.max_concurrent_uploads.or(max_concurrent_uploads),
        registry_certs_dir: flags.registry_certs_dir.clone().or(registry_certs_dir),
        dns: list(&flags.dns, dns),
        dns_search: list(&flags.dns_search, dns_search),
        dns_opts: list(&flags.dns_opts, dns_opts),
        bip: flags.bip.clone().or(bip),
        default_address_pools: if flags.default_address_pools.is_empty() {
            default_address_pools
        } else {
            flags.default_address_pools.clone()
        },
        iptables: flags.iptables.or(iptables),
        ip_forward: flags.ip_forward.or(ip_forward),
        userland_proxy: flags.userland_proxy.or(userland_proxy),
    }
}

/// A JSON value as Go's `%v` prints the value `encoding/json` decodes it to
/// (what dockerd's conflict message shows).
pub(crate) fn go_display(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_display).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) => go_map(map),
    }
}

/// Go prints map keys sorted, whatever order serde_json keeps them in (the
/// workspace may enable its `preserve_order`).
fn go_map(map: &Map<String, Value>) -> String {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let items: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{k}:{}", go_display(v)))
        .collect();
    format!("map[{}]", items.join(" "))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::json;

    use super::*;
    use crate::config::{LogLevel, RuntimeConfig};

    fn file(json: &str) -> FileConfig {
        FileConfig::from_json(json).unwrap()
    }

    fn conflict_text(flags: &DaemonConfig, json: &str) -> String {
        merge(flags, file(json)).unwrap_err().to_string()
    }

    const PREFIX: &str =
        "the following directives are specified both as a flag and in the configuration file: ";

    #[test]
    fn go_display_matches_go() {
        assert_eq!(go_display(&json!(["a", "b"])), "[a b]");
        assert_eq!(go_display(&json!([])), "[]");
        assert_eq!(go_display(&json!(true)), "true");
        assert_eq!(go_display(&json!(null)), "<nil>");
        assert_eq!(go_display(&json!({"b": 1, "a": [2]})), "map[a:[2] b:1]");
    }

    #[test]
    fn flags_win_where_the_file_is_silent() {
        let flags = DaemonConfig {
            hosts: vec!["tcp://127.0.0.1:1".into()],
            debug: Some(true),
            runtimes: [("crun".to_owned(), RuntimeConfig::from_path("/usr/bin/crun"))].into(),
            ..DaemonConfig::default()
        };
        let merged = merge(
            &flags,
            file(
                r#"{"data-root": "/srv", "labels": ["a=b"],
                    "runtimes": {"kata": {"runtimeType": "io.containerd.kata.v2"}}}"#,
            ),
        )
        .unwrap();
        assert_eq!(merged.hosts, ["tcp://127.0.0.1:1"]);
        assert_eq!(merged.debug, Some(true));
        assert_eq!(merged.data_root.as_deref(), Some(Path::new("/srv")));
        assert_eq!(merged.labels, ["a=b"]);
        assert_eq!(merged.runtimes.keys().collect::<Vec<_>>(), ["crun", "kata"]);
    }

    #[test]
    fn hosts_conflict_names_the_key_with_both_values() {
        let flags = DaemonConfig {
            hosts: vec!["unix:///a.sock".into(), "tcp://0.0.0.0:1".into()],
            ..DaemonConfig::default()
        };
        let text = conflict_text(&flags, r#"{"hosts": ["unix:///b.sock"]}"#);
        assert_eq!(
            text,
            format!(
                "{PREFIX}hosts: (from flag: [unix:///a.sock tcp://0.0.0.0:1], \
                 from file: [unix:///b.sock])"
            )
        );
        // A key present with an empty value still conflicts, as for dockerd.
        let text = conflict_text(&flags, r#"{"hosts": []}"#);
        assert!(text.ends_with("from file: [])"), "{text}");
    }

    #[test]
    fn every_key_conflicts_under_its_own_name() {
        let path = |p: &str| Some(PathBuf::from(p));
        let flags = DaemonConfig {
            hosts: vec!["unix:///f".into()],
            data_root: path("/f/data"),
            exec_root: path("/f/exec"),
            pidfile: path("/f/pid"),
            default_runtime: Some("runc".into()),
            labels: vec!["f=1".into()],
            debug: Some(true),
            log_level: Some(LogLevel::Warn),
            tls: Some(false),
            tlsverify: Some(true),
            tlscacert: path("/f/ca"),
            tlscert: path("/f/cert"),
            tlskey: path("/f/key"),
            ..DaemonConfig::default()
        };
        let all = r#"{"hosts": ["unix:///x"], "data-root": "/x/data", "exec-root": "/x/exec",
            "pidfile": "/x/pid", "default-runtime": "crun", "labels": ["x=1"],
            "debug": false, "log-level": "error", "tls": true, "tlsverify": false,
            "tlscacert": "/x/ca", "tlscert": "/x/cert", "tlskey": "/x/key",
            "runtimes": {"crun": {"path": "crun"}}}"#;
        let conflicts = conflicts(&flags, &file(all)).unwrap();
        let keys: Vec<&str> = conflicts.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "data-root",
                "debug",
                "default-runtime",
                "exec-root",
                "hosts",
                "labels",
                "log-level",
                "pidfile",
                "tls",
                "tlscacert",
                "tlscert",
                "tlskey",
                "tlsverify"
            ]
        );
        // Each one alone, with its values, in the full message.
        let cases = [
            (
                "data-root",
                r#""/x/data""#,
                "data-root: (from flag: /f/data, from file: /x/data)",
            ),
            (
                "exec-root",
                r#""/x/exec""#,
                "exec-root: (from flag: /f/exec, from file: /x/exec)",
            ),
            (
                "pidfile",
                r#""/x/pid""#,
                "pidfile: (from flag: /f/pid, from file: /x/pid)",
            ),
            (
                "default-runtime",
                r#""crun""#,
                "default-runtime: (from flag: runc, from file: crun)",
            ),
            (
                "labels",
                r#"["x=1"]"#,
                "labels: (from flag: [f=1], from file: [x=1])",
            ),
            (
                "debug",
                "false",
                "debug: (from flag: true, from file: false)",
            ),
            (
                "log-level",
                r#""error""#,
                "log-level: (from flag: warn, from file: error)",
            ),
            ("tls", "true", "tls: (from flag: false, from file: true)"),
            (
                "tlsverify",
                "false",
                "tlsverify: (from flag: true, from file: false)",
            ),
            (
                "tlscacert",
                r#""/x/ca""#,
                "tlscacert: (from flag: /f/ca, from file: /x/ca)",
            ),
            (
                "tlscert",
                r#""/x/cert""#,
                "tlscert: (from flag: /f/cert, from file: /x/cert)",
            ),
            (
                "tlskey",
                r#""/x/key""#,
                "tlskey: (from flag: /f/key, from file: /x/key)",
            ),
        ];
        for (key, value, expected) in cases {
            let text = conflict_text(&flags, &format!(r#"{{"{key}": {value}}}"#));
            assert_eq!(text, format!("{PREFIX}{expected}"));
        }
        // All at once: one message, joined with ", ".
        let text = merge(&flags, file(all)).unwrap_err().to_string();
        assert!(text.starts_with(PREFIX), "{text}");
        assert_eq!(text.matches("(from flag: ").count(), 13, "{text}");
        assert!(text.contains("), debug: (from flag"), "{text}");
    }

    #[test]
    fn add_runtime_conflicts_only_for_the_same_name() {
        let flags = DaemonConfig {
            runtimes: [
                ("crun".to_owned(), RuntimeConfig::from_path("/usr/bin/crun")),
                ("youki".to_owned(), RuntimeConfig::from_path("youki")),
            ]
            .into(),
            ..DaemonConfig::default()
        };
        let merged = merge(&flags, file(r#"{"runtimes": {"kata": {"path": "/k"}}}"#)).unwrap();
        assert_eq!(merged.runtimes.len(), 3);
        let text = conflict_text(
            &flags,
            r#"{"runtimes": {"kata": {"path": "/k"}, "crun": {"path": "/opt/crun", "runtimeArgs": ["--x"]}}}"#,
        );
        assert_eq!(
            text,
            format!(
                "{PREFIX}runtimes.crun: (from flag: /usr/bin/crun, \
                 from file: map[path:/opt/crun runtimeArgs:[--x]])"
            )
        );
    }

    #[test]
    fn load_reads_merges_and_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.json");
        std::fs::write(&path, r#"{"tls": true, "tlskey": "/k"}"#).unwrap();
        let flags = DaemonConfig {
            tlscert: Some("/c".into()),
            ..DaemonConfig::default()
        };
        let effective = load(&flags, &ConfigFile::named(&path)).unwrap();
        let tls = effective.tls().unwrap();
        assert_eq!(tls.cert, Path::new("/c"));
        assert_eq!(tls.key, Path::new("/k"));
        // Checked as a whole: without the flag, the file lacks tlscert.
        let err = load(&DaemonConfig::default(), &ConfigFile::named(&path)).unwrap_err();
        assert_eq!(err.to_string(), "tlscert: required with tls");
        // Absent default file: the flags alone.
        let absent = ConfigFile::optional(dir.path().join("none.json"));
        let effective = load(&DaemonConfig::default(), &absent).unwrap();
        assert_eq!(effective.config(), &DaemonConfig::default());
    }
}
