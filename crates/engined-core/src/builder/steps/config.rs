//! The instructions that only change the image config: ENV, LABEL,
//! EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL, ONBUILD (through
//! `docker import --change`'s code, [`crate::images::changes`]), and
//! CMD, ENTRYPOINT (the shell form under the stage's SHELL), SHELL and
//! HEALTHCHECK.

use engine_api::types::{ContainerConfig, HealthConfig};

use crate::builder::dockerfile::{Args, Instruction};
use crate::builder::error::BuildError;

/// The shell the shell forms run under.
pub fn shell_of(config: &ContainerConfig) -> Vec<String> {
    config
        .shell
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
}

/// The exec form as is; the shell form under the shell.
pub fn command(args: &Args, shell: &[String]) -> Vec<String> {
    match args {
        Args::Exec(list) => list.clone(),
        Args::Shell(text) => {
            let mut all = shell.to_vec();
            all.push(text.clone());
            all
        }
    }
}

/// Applies `inst` (its arguments already substituted into `rest`).
pub fn apply(
    config: &mut ContainerConfig,
    inst: &Instruction,
    rest: &str,
) -> Result<(), BuildError> {
    let line = inst.line;
    let needs = || -> Result<(), BuildError> {
        if rest.trim().is_empty() {
            Err(BuildError::step(
                line,
                format!("{} requires at least one argument", inst.keyword),
            ))
        } else {
            Ok(())
        }
    };
    match inst.keyword.as_str() {
        "CMD" | "ENTRYPOINT" => {
            needs()?;
            let command = command(&inst.args, &shell_of(config));
            if inst.keyword == "CMD" {
                config.cmd = Some(command);
            } else {
                config.entrypoint = Some(command);
                // A new entrypoint drops the inherited command.
                config.cmd = None;
            }
        }
        "SHELL" => match &inst.args {
            Args::Exec(list) if !list.is_empty() => config.shell = Some(list.clone()),
            _ => {
                return Err(BuildError::step(
                    line,
                    "SHELL requires the arguments to be in JSON form",
                ))
            }
        },
        "HEALTHCHECK" => config.healthcheck = Some(healthcheck(inst)?),
        _ => {
            let change = format!("{} {}", inst.keyword, rest);
            crate::images::changes::apply(config, &[change])
                .map_err(|e| BuildError::step(line, e.to_string()))?;
        }
    }
    Ok(())
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [--interval=..] CMD ...`.
fn healthcheck(inst: &Instruction) -> Result<HealthConfig, BuildError> {
    let line = inst.line;
    let rest = inst.rest.trim();
    if rest.eq_ignore_ascii_case("NONE") {
        return Ok(HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        });
    }
    let (word, body) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !word.eq_ignore_ascii_case("CMD") || body.trim().is_empty() {
        return Err(BuildError::step(
            line,
            "HEALTHCHECK takes NONE or CMD followed by the command",
        ));
    }
    let body = body.trim();
    let test = match serde_json::from_str::<Vec<String>>(body) {
        Ok(list) if body.starts_with('[') => {
            std::iter::once("CMD".to_string()).chain(list).collect()
        }
        _ => vec!["CMD-SHELL".into(), body.to_string()],
    };
    let mut health = HealthConfig {
        test: Some(test),
        ..Default::default()
    };
    for (name, value) in &inst.flags {
        let duration = || {
            crate::time::go_duration(value)
                .filter(|d| *d >= 0)
                .ok_or_else(|| {
                    BuildError::step(line, format!("invalid --{name} duration: {value}"))
                })
        };
        match name.as_str() {
            "interval" => health.interval = Some(duration()?),
            "timeout" => health.timeout = Some(duration()?),
            "start-period" => health.start_period = Some(duration()?),
            "retries" => {
                health.retries = Some(value.parse().map_err(|_| {
                    BuildError::step(line, format!("invalid --retries value: {value}"))
                })?)
            }
            other => {
                return Err(BuildError::step(
                    line,
                    format!("unknown flag for HEALTHCHECK: --{other}"),
                ))
            }
        }
    }
    Ok(health)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::dockerfile::parse;

    fn applied(text: &str) -> ContainerConfig {
        let mut c = ContainerConfig::default();
        for inst in parse(text).unwrap().instructions {
            apply(&mut c, &inst, &inst.rest).unwrap();
        }
        c
    }

    #[test]
    fn shell_forms_follow_shell_and_healthchecks_parse() {
        let c = applied("SHELL [\"/bin/ash\", \"-eo\"]\nCMD echo hi\nHEALTHCHECK --interval=5s --retries=2 CMD true\n");
        assert_eq!(c.cmd.unwrap(), ["/bin/ash", "-eo", "echo hi"]);
        let h = c.healthcheck.unwrap();
        assert_eq!(h.test.unwrap(), ["CMD-SHELL", "true"]);
        assert_eq!((h.interval, h.retries), (Some(5_000_000_000), Some(2)));
        let c = applied("CMD [\"a\"]\nENTRYPOINT [\"e\"]\nENV A=1\nWORKDIR /w\n");
        assert_eq!(c.entrypoint.unwrap(), ["e"]);
        assert!(c.cmd.is_none());
        assert_eq!(c.working_dir.unwrap(), "/w");
        let bad = parse("SHELL /bin/sh\n").unwrap().instructions;
        assert!(apply(&mut ContainerConfig::default(), &bad[0], &bad[0].rest).is_err());
    }
}
