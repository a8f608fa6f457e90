//! Validation of the runtime part of a config, with dockerd's rules.
//!
//! For each entry of `runtimes` (in name order; the first error is returned):
//! - the name must be acceptable ([`super::validate_name`]) and not a built-in
//!   one ([`super::BUILTIN_RUNTIMES`]);
//! - `path` or `runtimeType` is required, not both;
//! - `options` only with `runtimeType`, `runtimeArgs` only with `path`;
//! - `path` and `runtimeArgs` must be passable to a program: no NUL byte, and
//!   `path` must not start with `-` (it would read as an option of `exec`).
//!
//! Then `default-runtime`, if set, must name a built-in or configured runtime.
//!
//! Where this differs from dockerd, on purpose:
//! - dockerd refuses only `runc` as "reserved"; `io.containerd.runc.v2` is a
//!   built-in there too, but a configured one silently replaces it. Here both
//!   are reserved. (`crun` is not a built-in, in dockerd or here.)
//! - dockerd also accepts as `default-runtime` any unconfigured containerd
//!   shim name (`io.containerd.kata.v2`); engined runs no containerd, so a
//!   default must be a runtime it knows.
//! - runtime names are restricted (see [`super::name`]).

use serde_json::{Map, Value};

use super::error::RuntimeError;
use super::name::validate_name;
use super::BUILTIN_RUNTIMES;
use crate::config::DaemonConfig;

/// A configured runtime that passed validation.
#[derive(Debug)]
pub(crate) enum Declared<'a> {
    /// An OCI runtime binary, with `runtimeArgs` (possibly none).
    Path {
        name: &'a str,
        path: &'a str,
        args: &'a [String],
    },
    /// A containerd shim.
    Shim {
        name: &'a str,
        runtime_type: &'a str,
        options: Option<&'a Map<String, Value>>,
    },
}

/// Checks the runtime part of `config` (and its key-by-key rules).
pub fn validate(config: &DaemonConfig) -> Result<(), RuntimeError> {
    declared(config).map(drop)
}

/// Checks `config` and returns its configured runtimes, in name order.
pub(crate) fn declared(config: &DaemonConfig) -> Result<Vec<Declared<'_>>, RuntimeError> {
    config.validate()?;
    let mut out = Vec::with_capacity(config.runtimes.len());
    for (name, rt) in &config.runtimes {
        validate_name(name)?;
        if BUILTIN_RUNTIMES.contains(&name.as_str()) {
            return Err(RuntimeError::Reserved { name: name.clone() });
        }
        let declared = match (rt.path(), rt.runtime_type()) {
            (None, None) => return Err(RuntimeError::MissingPathAndType { name: name.clone() }),
            (Some(_), Some(_)) => return Err(RuntimeError::PathAndType { name: name.clone() }),
            (Some(path), None) => {
                if rt.options().is_some() {
                    return Err(RuntimeError::OptionsWithPath { name: name.clone() });
                }
                check_value(name, "path", path)?;
                if path.starts_with('-') {
                    return Err(invalid(name, "path".to_owned(), "must not start with '-'"));
                }
                for (i, arg) in rt.args().iter().enumerate() {
                    check_value(name, &format!("runtimeArgs[{i}]"), arg)?;
                }
                Declared::Path {
                    name,
                    path,
                    args: rt.args(),
                }
            }
            (None, Some(runtime_type)) => {
                if !rt.args().is_empty() {
                    return Err(RuntimeError::ArgsWithType { name: name.clone() });
                }
                Declared::Shim {
                    name,
                    runtime_type,
                    options: rt.options(),
                }
            }
        };
        out.push(declared);
    }

    let default = config.default_runtime_name();
    if !BUILTIN_RUNTIMES.contains(&default) && !config.runtimes.contains_key(default) {
        return Err(RuntimeError::UnknownDefault {
            name: default.to_owned(),
        });
    }
    Ok(out)
}

fn check_value(name: &str, key: &str, value: &str) -> Result<(), RuntimeError> {
    if value.contains('\0') {
        return Err(invalid(
            name,
            key.to_owned(),
            "contains a NUL byte, which no program can receive",
        ));
    }
    Ok(())
}

fn invalid(name: &str, key: String, problem: &'static str) -> RuntimeError {
    RuntimeError::InvalidValue {
        name: name.to_owned(),
        key,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuntimeConfig;

    fn config(json: &str) -> DaemonConfig {
        DaemonConfig::from_json(json).unwrap()
    }

    fn err(json: &str) -> (RuntimeError, String) {
        let e = validate(&config(json)).unwrap_err();
        let text = e.to_string();
        (e, text)
    }

    #[test]
    fn accepts_path_path_with_args_and_type() {
        let c = config(
            r#"{"runtimes": {
                "crun": {"path": "/usr/bin/crun"},
                "debug": {"path": "runc", "runtimeArgs": ["--debug"]},
                "kata": {"runtimeType": "io.containerd.kata.v2", "options": {"a": 1}}
            }, "default-runtime": "debug"}"#,
        );
        let declared = declared(&c).unwrap();
        assert_eq!(declared.len(), 3);
        assert!(matches!(
            declared[0],
            Declared::Path {
                name: "crun",
                path: "/usr/bin/crun",
                args: []
            }
        ));
        assert!(matches!(
            declared[1],
            Declared::Path {
                name: "debug",
                args: [_],
                ..
            }
        ));
        assert!(matches!(
            declared[2],
            Declared::Shim {
                name: "kata",
                options: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn path_or_type_is_required() {
        let (e, text) = err(r#"{"runtimes": {"rt": {}}}"#);
        assert!(matches!(e, RuntimeError::MissingPathAndType { .. }));
        assert_eq!(
            text,
            "runtimes.rt: either a runtimeType or a path must be configured"
        );
        // An empty path counts as unset, as in dockerd.
        let (e, _) = err(r#"{"runtimes": {"rt": {"path": "", "runtimeArgs": []}}}"#);
        assert!(matches!(e, RuntimeError::MissingPathAndType { .. }));
    }

    #[test]
    fn path_and_type_together_are_refused() {
        let (e, text) = err(
            r#"{"runtimes": {"rt": {"path": "runc", "runtimeType": "io.containerd.runc.v2"}}}"#,
        );
        assert!(matches!(e, RuntimeError::PathAndType { .. }));
        assert!(text.starts_with("runtimes.rt: "), "{text}");
        assert!(
            text.contains("path") && text.contains("runtimeType"),
            "{text}"
        );
    }

    #[test]
    fn options_only_with_type() {
        let (e, text) = err(r#"{"runtimes": {"rt": {"path": "runc", "options": {"a": 1}}}}"#);
        assert!(matches!(e, RuntimeError::OptionsWithPath { .. }));
        assert_eq!(
            text,
            "runtimes.rt.options: options cannot be used with a path runtime"
        );
        // Empty options are no options, as in dockerd.
        validate(&config(
            r#"{"runtimes": {"rt": {"path": "runc", "options": {}}}}"#,
        ))
        .unwrap();
    }

    #[test]
    fn args_only_with_path() {
        let (e, text) = err(
            r#"{"runtimes": {"rt": {"runtimeType": "io.containerd.kata.v2", "runtimeArgs": ["-x"]}}}"#,
        );
        assert!(matches!(e, RuntimeError::ArgsWithType { .. }));
        assert_eq!(
            text,
            "runtimes.rt.runtimeArgs: runtimeArgs cannot be used with a runtimeType runtime"
        );
    }

    #[test]
    fn runc_is_reserved() {
        let (e, text) = err(r#"{"runtimes": {"runc": {"path": "/opt/runc"}}}"#);
        assert!(matches!(e, RuntimeError::Reserved { .. }));
        assert_eq!(text, "runtimes.runc: runtime name 'runc' is reserved");
    }

    #[test]
    fn containerd_runc_v2_is_reserved() {
        let (e, text) = err(r#"{"runtimes": {"io.containerd.runc.v2": {"path": "/opt/runc"}}}"#);
        assert!(matches!(e, RuntimeError::Reserved { .. }));
        assert!(
            text.contains("'io.containerd.runc.v2' is reserved"),
            "{text}"
        );
    }

    #[test]
    fn crun_is_not_reserved() {
        validate(&config(
            r#"{"runtimes": {"crun": {"path": "/usr/bin/crun"}}}"#,
        ))
        .unwrap();
    }

    #[test]
    fn invalid_name_is_refused() {
        let (e, text) = err(r#"{"runtimes": {"my;rt": {"path": "runc"}}}"#);
        assert!(matches!(e, RuntimeError::InvalidName { .. }));
        assert!(text.contains("\"my;rt\""), "{text}");
        let (e, _) = err(r#"{"runtimes": {"": {"path": "runc"}}}"#);
        assert!(matches!(e, RuntimeError::InvalidName { .. }));
    }

    #[test]
    fn default_runtime_must_exist() {
        let (e, text) = err(r#"{"default-runtime": "crun"}"#);
        assert!(matches!(e, RuntimeError::UnknownDefault { .. }));
        assert_eq!(
            text,
            "default-runtime: specified default runtime 'crun' does not exist"
        );
        // Containerd shim names are not runtimes here (dockerd accepts them).
        let (e, _) = err(r#"{"default-runtime": "io.containerd.kata.v2"}"#);
        assert!(matches!(e, RuntimeError::UnknownDefault { .. }));
    }

    #[test]
    fn default_runtime_may_be_builtin_or_configured() {
        validate(&config(r#"{"default-runtime": "runc"}"#)).unwrap();
        validate(&config(r#"{"default-runtime": "io.containerd.runc.v2"}"#)).unwrap();
        validate(&config(
            r#"{"default-runtime": "crun", "runtimes": {"crun": {"path": "crun"}}}"#,
        ))
        .unwrap();
    }

    #[test]
    fn nul_bytes_are_refused() {
        let mut c = DaemonConfig::default();
        c.runtimes.insert(
            "rt".into(),
            RuntimeConfig::from_path("runc").with_args(["ok", "a\0b"]),
        );
        let text = validate(&c).unwrap_err().to_string();
        assert!(
            text.starts_with("runtimes.rt.runtimeArgs[1]: contains a NUL byte"),
            "{text}"
        );
        let (_, text) = err(r#"{"runtimes": {"rt": {"path": "/bin/x\u0000y"}}}"#);
        assert!(
            text.starts_with("runtimes.rt.path: contains a NUL byte"),
            "{text}"
        );
    }

    #[test]
    fn path_with_leading_dash_is_refused() {
        let (_, text) = err(r#"{"runtimes": {"rt": {"path": "-runc"}}}"#);
        assert_eq!(text, "runtimes.rt.path: must not start with '-'");
    }

    #[test]
    fn data_root_rule_applies() {
        let c = DaemonConfig {
            data_root: Some("relative".into()),
            ..DaemonConfig::default()
        };
        let text = validate(&c).unwrap_err().to_string();
        assert!(text.starts_with("data-root:"), "{text}");
    }
}
