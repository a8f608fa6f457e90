//! `--security-opt`: `no-new-privileges[=bool]`, `seccomp=unconfined`,
//! `seccomp=<profile JSON>` (the docker CLI sends a file's content),
//! `apparmor=...` (refused where the host has no AppArmor, except
//! `unconfined`), `systempaths=unconfined` (no masked or read-only /proc
//! and /sys paths), `label=...` (accepted: SELinux labels need SELinux,
//! and `label=disable` asks for nothing). Other keys are refused with
//! dockerd's wording.

use std::path::Path;

use super::error::SpecError;
use super::seccomp::Profile;

/// Which seccomp filter a container gets.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SeccompChoice {
    /// Docker's default profile.
    #[default]
    Builtin,
    /// No filter.
    Unconfined,
    /// A profile the user sent.
    Custom(Box<Profile>),
}

/// The security options of a container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityOptions {
    pub no_new_privileges: bool,
    pub seccomp: SeccompChoice,
    pub apparmor: Option<String>,
    /// `systempaths=unconfined`: nothing masked or made read-only.
    pub system_paths_unconfined: bool,
}

/// Whether the kernel has AppArmor enabled, under `root` (`/` normally).
pub fn apparmor_enabled(root: &Path) -> bool {
    std::fs::read_to_string(root.join("sys/module/apparmor/parameters/enabled"))
        .is_ok_and(|v| v.trim_start().starts_with('Y'))
}

/// Parses the `SecurityOpt` list; `apparmor` says whether the host has
/// AppArmor.
pub fn parse(options: &[String], apparmor: bool) -> Result<SecurityOptions, SpecError> {
    let mut out = SecurityOptions::default();
    for opt in options {
        if opt == "no-new-privileges" {
            out.no_new_privileges = true;
            continue;
        }
        if opt == "disable" {
            continue;
        }
        let (key, value) = match opt.split_once('=').or_else(|| opt.split_once(':')) {
            Some(kv) => kv,
            None => {
                return Err(SpecError::invalid(format!(
                    "invalid --security-opt 1: {opt:?}"
                )))
            }
        };
        match key {
            "no-new-privileges" => {
                out.no_new_privileges = parse_bool(value).ok_or_else(|| {
                    SpecError::invalid(format!("invalid --security-opt 2: {opt:?}"))
                })?
            }
            "seccomp" => {
                out.seccomp = match value {
                    "unconfined" => SeccompChoice::Unconfined,
                    "" | "builtin" | "default" => SeccompChoice::Builtin,
                    json => SeccompChoice::Custom(Box::new(Profile::parse(json)?)),
                }
            }
            "apparmor" => {
                if value != "unconfined" && !apparmor {
                    return Err(SpecError::invalid(format!(
                        "AppArmor is not enabled on this host: cannot apply --security-opt apparmor={value}"
                    )));
                }
                out.apparmor = Some(value.to_string());
            }
            "systempaths" if value == "unconfined" => out.system_paths_unconfined = true,
            "label" => {}
            _ => {
                return Err(SpecError::invalid(format!(
                    "invalid --security-opt 2: {opt:?}"
                )))
            }
        }
    }
    Ok(out)
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_options_docker_knows() {
        let s = parse(&opts(&["no-new-privileges"]), false).unwrap();
        assert!(s.no_new_privileges);
        assert_eq!(s.seccomp, SeccompChoice::Builtin);
        let s = parse(
            &opts(&["no-new-privileges=false", "seccomp=unconfined"]),
            false,
        )
        .unwrap();
        assert!(!s.no_new_privileges);
        assert_eq!(s.seccomp, SeccompChoice::Unconfined);
        let s = parse(
            &opts(&[
                r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW"}"#,
                "label=disable",
            ]),
            false,
        )
        .unwrap();
        assert!(matches!(s.seccomp, SeccompChoice::Custom(_)));
        assert!(parse(&opts(&["apparmor=unconfined"]), false).is_ok());
        assert!(
            parse(&opts(&["systempaths=unconfined"]), false)
                .unwrap()
                .system_paths_unconfined
        );
        assert!(parse(&opts(&["systempaths=other"]), false).is_err());
        assert_eq!(
            parse(&opts(&["apparmor=docker-default"]), false)
                .unwrap_err()
                .to_string(),
            "AppArmor is not enabled on this host: cannot apply --security-opt apparmor=docker-default"
        );
        assert_eq!(
            parse(&opts(&["apparmor=docker-default"]), true)
                .unwrap()
                .apparmor
                .as_deref(),
            Some("docker-default")
        );
        assert_eq!(
            parse(&opts(&["bogus"]), false).unwrap_err().to_string(),
            "invalid --security-opt 1: \"bogus\""
        );
        assert_eq!(
            parse(&opts(&["what=ever"]), false).unwrap_err().to_string(),
            "invalid --security-opt 2: \"what=ever\""
        );
        assert!(parse(&opts(&["seccomp={"]), false).is_err());
    }
}
