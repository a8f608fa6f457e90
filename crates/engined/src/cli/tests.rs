//! Tests of the command line: every flag, its checks, and what it sets.

use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::Parser;

use super::*;

fn parse(args: &[&str]) -> Flags {
    Flags::try_parse_from(std::iter::once("engined").chain(args.iter().copied()))
        .unwrap_or_else(|err| panic!("{args:?}: {err}"))
}

fn refuse(args: &[&str]) -> String {
    match Flags::try_parse_from(std::iter::once("engined").chain(args.iter().copied())) {
        Ok(flags) => panic!("{args:?} was accepted: {flags:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn no_flags_set_nothing() {
    let flags = parse(&[]);
    assert_eq!(flags, Flags::default());
    assert_eq!(flags.to_config().unwrap(), DaemonConfig::default());
    let file = flags.config_file();
    assert_eq!(file.path(), Path::new("/etc/engined/daemon.json"));
    assert!(!file.is_required());
}

#[test]
fn every_flag_parses() {
    let flags = parse(&[
        "-H",
        "unix:///run/a.sock",
        "--host",
        "tcp://127.0.0.1:2376",
        "--host=tcp://[::1]",
        "--data-root",
        "/srv/data",
        "--exec-root=/srv/exec",
        "--config-file",
        "/etc/x.json",
        "--pidfile",
        "/srv/e.pid",
        "--default-runtime",
        "crun",
        "--add-runtime",
        "crun=/usr/bin/crun",
        "--add-runtime=youki=youki",
        "--label",
        "zone=a",
        "--label=tier=db",
        "-D",
        "-l",
        "warn",
        "--tls",
        "--tlsverify",
        "--tlscacert",
        "/tls/ca.pem",
        "--tlscert=/tls/cert.pem",
        "--tlskey",
        "/tls/key.pem",
        "-v",
    ]);
    assert_eq!(
        flags.hosts,
        ["unix:///run/a.sock", "tcp://127.0.0.1:2376", "tcp://[::1]"]
    );
    assert_eq!(flags.data_root.as_deref(), Some(Path::new("/srv/data")));
    assert_eq!(flags.exec_root.as_deref(), Some(Path::new("/srv/exec")));
    assert_eq!(flags.pidfile.as_deref(), Some(Path::new("/srv/e.pid")));
    assert_eq!(flags.default_runtime.as_deref(), Some("crun"));
    assert_eq!(
        flags.add_runtimes,
        [
            AddRuntime {
                name: "crun".into(),
                path: "/usr/bin/crun".into()
            },
            AddRuntime {
                name: "youki".into(),
                path: "youki".into()
            }
        ]
    );
    assert_eq!(flags.labels, ["zone=a", "tier=db"]);
    assert_eq!(flags.debug, Some(true));
    assert_eq!(flags.log_level, Some(LogLevel::Warn));
    assert_eq!(flags.tls, Some(true));
    assert_eq!(flags.tlsverify, Some(true));
    assert!(flags.version);

    let file = flags.config_file();
    assert_eq!(file.path(), Path::new("/etc/x.json"));
    assert!(file.is_required());

    let config = flags.to_config().unwrap();
    assert_eq!(config.hosts, flags.hosts);
    assert_eq!(config.runtimes["crun"].path(), Some("/usr/bin/crun"));
    assert_eq!(config.runtimes["youki"].path(), Some("youki"));
    assert_eq!(config.default_runtime.as_deref(), Some("crun"));
    assert_eq!(config.labels, ["zone=a", "tier=db"]);
    assert_eq!(config.debug, Some(true));
    assert_eq!(config.log_level, Some(LogLevel::Warn));
    assert_eq!(config.tls, Some(true));
    assert_eq!(config.tlsverify, Some(true));
    assert_eq!(config.tlscacert, Some(PathBuf::from("/tls/ca.pem")));
    assert_eq!(config.tlscert, Some(PathBuf::from("/tls/cert.pem")));
    assert_eq!(config.tlskey, Some(PathBuf::from("/tls/key.pem")));
    assert_eq!(config.data_root(), Path::new("/srv/data"));
    assert_eq!(config.exec_root(), Path::new("/srv/exec"));
    assert_eq!(config.pidfile(), Path::new("/srv/e.pid"));
    // What the flags set is a valid configuration on its own.
    crate::config::EffectiveConfig::new(config).unwrap();
}

#[test]
fn long_spellings_of_short_flags() {
    let flags = parse(&["--debug", "--log-level", "fatal", "--version"]);
    assert_eq!(flags.debug, Some(true));
    assert_eq!(flags.log_level, Some(LogLevel::Fatal));
    assert!(flags.version);
    assert!(version_text().starts_with("engined version "));
}

#[test]
fn booleans_take_an_optional_value() {
    let flags = parse(&["--tls=false", "--tlsverify=false", "--debug=false"]);
    assert_eq!(flags.tls, Some(false));
    assert_eq!(flags.tlsverify, Some(false));
    assert_eq!(flags.debug, Some(false));
    let flags = parse(&["-D=true", "--tls=true"]);
    assert_eq!(flags.debug, Some(true));
    assert_eq!(flags.tls, Some(true));
    // A value must be attached with '=': a following word is not taken.
    let err = refuse(&["--tls", "false"]);
    assert!(err.contains("unexpected argument 'false'"), "{err}");
    let err = refuse(&["--tls=yes"]);
    assert!(err.contains("--tls"), "{err}");
}

#[test]
fn bad_values_name_their_flag() {
    let cases: [(&[&str], &str); 9] = [
        (&["-H", "ssh://box"], "--host <ADDRESS>"),
        (&["-H", "/run/x.sock"], "unsupported scheme"),
        (&["--label", "novalue"], "must be key=value"),
        (&["--label", "com.docker.x=1"], "reserved"),
        (&["-l", "verbose"], "unknown log level"),
        (&["--add-runtime", "crun"], "--add-runtime <NAME=PATH>"),
        (&["--add-runtime", "=crun"], "both non-empty"),
        (&["--data-root", "relative"], "must be an absolute path"),
        (&["--tlscert="], "the path is empty"),
    ];
    for (args, expected) in cases {
        let err = refuse(args);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let err = Flags::try_parse_from(["engined", "--storage-driver", "x"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownArgument);
}

#[test]
fn repeated_add_runtime_name_is_refused() {
    let flags = parse(&["--add-runtime", "crun=/a", "--add-runtime", "crun=/b"]);
    let err = flags.to_config().unwrap_err();
    assert_eq!(
        err.to_string(),
        "--add-runtime: \"crun\" is given more than once"
    );
}

#[test]
fn help_lists_the_defaults() {
    let err = Flags::try_parse_from(["engined", "--help"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DisplayHelp);
    let help = err.to_string();
    for text in [
        "unix:///run/engined.sock",
        "/run/engined.pid",
        "/etc/engined/daemon.json",
        "--add-runtime <NAME=PATH>",
        "-v, --version",
    ] {
        assert!(help.contains(text), "{text} not in:\n{help}");
    }
}

#[test]
fn flags_and_file_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daemon.json");
    std::fs::write(
        &path,
        r#"{"hosts": ["unix:///file.sock"], "runtimes": {"kata": {"path": "/k"}}}"#,
    )
    .unwrap();
    let config_file = path.to_str().unwrap();
    // No overlap: merged.
    let flags = parse(&[
        "--config-file",
        config_file,
        "--add-runtime",
        "crun=crun",
        "-D",
    ]);
    let effective = crate::config::load(&flags.to_config().unwrap(), &flags.config_file()).unwrap();
    assert_eq!(effective.config().hosts, ["unix:///file.sock"]);
    assert_eq!(effective.config().runtimes.len(), 2);
    assert_eq!(effective.log_level(), LogLevel::Debug);
    // -H and "hosts": refused, naming the key and both values.
    let flags = parse(&["--config-file", config_file, "-H", "unix:///flag.sock"]);
    let err = crate::config::load(&flags.to_config().unwrap(), &flags.config_file())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the following directives are specified both as a flag and in the configuration \
         file: hosts: (from flag: [unix:///flag.sock], from file: [unix:///file.sock])"
    );
    // A named file that does not exist.
    let missing = dir.path().join("missing.json");
    let flags = parse(&["--config-file", missing.to_str().unwrap()]);
    let err = crate::config::load(&flags.to_config().unwrap(), &flags.config_file()).unwrap_err();
    assert!(matches!(err, ConfigError::FileMissing { .. }), "{err:?}");
}

#[test]
fn group_and_socket_activation_hosts() {
    let flags = parse(&["-G", "engined", "-H", "fd://", "--host=fd://3"]);
    assert_eq!(flags.group.as_deref(), Some("engined"));
    assert_eq!(flags.hosts, ["fd://", "fd://3"]);
    let config = flags.to_config().unwrap();
    assert_eq!(config.group.as_deref(), Some("engined"));
    assert_eq!(parse(&["--group=999"]).group.as_deref(), Some("999"));
    assert!(refuse(&["--group", ""]).contains("the group is empty"));
    assert!(refuse(&["-H", "fd://x"]).contains("fd://"));
}

#[test]
fn live_restore_is_off_unless_asked() {
    assert_eq!(parse(&[]).to_config().unwrap().live_restore, None);
    assert_eq!(
        parse(&["--live-restore"]).to_config().unwrap().live_restore,
        Some(true)
    );
    assert_eq!(
        parse(&["--live-restore=false"])
            .to_config()
            .unwrap()
            .live_restore,
        Some(false)
    );
    let file: DaemonConfig = serde_json::from_str(r#"{"live-restore": true}"#).unwrap();
    assert_eq!(file.live_restore, Some(true));
}
