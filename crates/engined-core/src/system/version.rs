//! `GET /version`: engined's own version and API range, the toolchain and
//! commit it was built from, the host's kernel and platform, and a
//! component entry for the default runtime with the version its binary
//! reports.
//!
//! dockerd always sends `GitCommit` and `GoVersion` (clients index them);
//! engined is built by rustc, so `GoVersion` names that toolchain
//! (`rustc1.84.0`), and `GitCommit` is the source's commit (empty when the
//! build had no git). Both come from `build.rs`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use engine_api::rt::version::ApiVersion;
use engine_api::types::{SystemVersion, SystemVersionComponentsItem, SystemVersionPlatform};
use serde_json::json;

use super::host::HostFacts;

/// engined's version (the crate's).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The compiler engined was built with, where dockerd names its Go.
pub const TOOLCHAIN: &str = env!("ENGINED_TOOLCHAIN");

/// The commit engined was built from (short), or empty.
pub const GIT_COMMIT: &str = env!("ENGINED_GIT_COMMIT");

/// What `<runtime> --version` printed: "runc version 1.1.5+ds1" and
/// "commit: ..." lines, as runc and crun print them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeVersion {
    pub version: String,
    pub commit: String,
}

impl RuntimeVersion {
    /// Runs `binary --version` (at most 2 s) and reads its answer.
    pub fn probe(binary: &Path) -> Option<RuntimeVersion> {
        let mut child = Command::new(binary)
            .arg("--version")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => break,
                Ok(Some(_)) | Err(_) => return None,
                Ok(None) if std::time::Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
        Some(Self::parse(&out))
    }

    pub fn parse(text: &str) -> RuntimeVersion {
        let mut v = RuntimeVersion::default();
        for line in text.lines() {
            if let Some(rest) = line.split_once(" version ").map(|(_, r)| r) {
                if v.version.is_empty() {
                    v.version = rest.trim().to_string();
                }
            } else if let Some(rest) = line.strip_prefix("commit:") {
                v.commit = rest.trim().to_string();
            }
        }
        v
    }
}

/// When the running binary was built (its file's modification time), as
/// Debian's dockerd writes its build time: nanoseconds and a numeric
/// offset, `2026-05-07T21:09:36.000000000+00:00`.
fn build_time() -> Option<String> {
    let modified = std::env::current_exe()
        .ok()?
        .metadata()
        .ok()?
        .modified()
        .ok()?;
    let seconds = humantime::format_rfc3339_seconds(modified).to_string();
    Some(format!("{}.000000000+00:00", seconds.strip_suffix('Z')?))
}

pub fn system_version(
    host: &HostFacts,
    runtime_name: &str,
    runtime: Option<&RuntimeVersion>,
) -> SystemVersion {
    let api = ApiVersion::CURRENT.to_string();
    let min_api = ApiVersion::MIN_SUPPORTED.to_string();
    let engine = SystemVersionComponentsItem {
        name: "Engine".into(),
        version: ENGINE_VERSION.into(),
        details: Some(json!({
            "ApiVersion": api,
            "MinAPIVersion": min_api,
            "Os": "linux",
            "Arch": host.go_arch,
            "KernelVersion": host.kernel_version,
            "Experimental": "false",
            "GitCommit": GIT_COMMIT,
            "GoVersion": TOOLCHAIN,
            "BuildTime": build_time().unwrap_or_default(),
        })),
        ..Default::default()
    };
    let mut components = vec![engine];
    if let Some(rt) = runtime {
        components.push(SystemVersionComponentsItem {
            name: runtime_name.to_string(),
            version: rt.version.clone(),
            details: Some(json!({ "GitCommit": rt.commit })),
            ..Default::default()
        });
    }
    SystemVersion {
        platform: Some(SystemVersionPlatform {
            name: format!("engined {ENGINE_VERSION}"),
            ..Default::default()
        }),
        components: Some(components),
        version: Some(ENGINE_VERSION.into()),
        api_version: Some(api),
        min_api_version: Some(min_api),
        git_commit: Some(GIT_COMMIT.into()),
        go_version: Some(TOOLCHAIN.into()),
        os: Some("linux".into()),
        arch: Some(host.go_arch.clone()),
        kernel_version: Some(host.kernel_version.clone()),
        // Left out when off, as dockerd does.
        experimental: None,
        build_time: build_time(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_runc_and_crun_version_output() {
        let runc = RuntimeVersion::parse(
            "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n",
        );
        assert_eq!(runc.version, "1.1.5+ds1");
        assert_eq!(runc.commit, "1.1.5+ds1-1+deb12u1");
        let crun = RuntimeVersion::parse(
            "crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\n",
        );
        assert_eq!(crun.version, "1.8.1");
    }

    #[test]
    fn reports_our_api_range() {
        let host = HostFacts::read();
        let v = system_version(
            &host,
            "runc",
            Some(&RuntimeVersion {
                version: "1.1.5".into(),
                commit: "c".into(),
            }),
        );
        assert_eq!(v.api_version.as_deref(), Some("1.44"));
        assert_eq!(v.min_api_version.as_deref(), Some("1.24"));
        let components = v.components.unwrap();
        assert_eq!(components[0].name, "Engine");
        assert_eq!(components[1].name, "runc");
        assert_eq!(components[1].version, "1.1.5");
        // Always sent, as dockerd does: the toolchain engined was built with.
        let go = v.go_version.unwrap();
        assert!(go.starts_with("rustc1."), "{go}");
        assert_eq!(components[0].details.as_ref().unwrap()["GoVersion"], go);
        assert!(v.git_commit.is_some());
    }
}
