//! A container's environment: Docker's default `PATH`, `HOSTNAME`, `TERM`
//! with a TTY, then the image's and the user's variables.

/// The `PATH` a container gets when its config sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `base` with `overrides` applied Docker's way: `K=V` replaces or adds,
/// a bare `K` removes.
pub fn merge_env(base: &[String], overrides: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for entry in overrides {
        let key = entry.split('=').next().unwrap_or(entry);
        let pos = out
            .iter()
            .position(|e| e.split('=').next().unwrap_or(e) == key);
        match (pos, entry.contains('=')) {
            (Some(i), true) => out[i] = entry.clone(),
            (Some(i), false) => {
                out.remove(i);
            }
            (None, true) => out.push(entry.clone()),
            (None, false) => {}
        }
    }
    out
}

/// The environment of a container's process: a default `PATH`,
/// `HOSTNAME`, `TERM` with a TTY, then the container's (image's) own.
pub fn container_env(config_env: &[String], hostname: &str, tty: bool) -> Vec<String> {
    let mut base = vec![
        format!("PATH={DEFAULT_PATH}"),
        format!("HOSTNAME={hostname}"),
    ];
    if tty {
        base.push("TERM=xterm".into());
    }
    merge_env(&base, config_env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_merges_dockers_way() {
        let base = vec!["PATH=/bin".to_string(), "A=1".into(), "B=2".into()];
        assert_eq!(
            merge_env(&base, &["A=3".into(), "B".into(), "C=4".into(), "D".into()]),
            ["PATH=/bin", "A=3", "C=4"]
        );
        let env = container_env(&["PATH=/x".into()], "h", true);
        assert_eq!(env, ["PATH=/x", "HOSTNAME=h", "TERM=xterm"]);
    }
}
