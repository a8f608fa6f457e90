//! `--init`: a small init (tini, or catatonit) bind-mounted at
//! `/sbin/docker-init` as dockerd does, and put in front of the
//! container's command so it reaps zombies and forwards signals. It must
//! be a static binary: it runs inside the container's root.

use std::path::{Path, PathBuf};

use super::error::SpecError;

/// Where the init appears inside the container.
pub const INIT_PATH: &str = "/sbin/docker-init";

/// Where an init is looked for, in order (Debian's `tini` package ships a
/// static `tini-static`; its plain `tini` is dynamically linked).
const CANDIDATES: &[&str] = &[
    "/usr/libexec/docker/docker-init",
    "/usr/local/bin/docker-init",
    "/usr/bin/docker-init",
    "/usr/bin/tini-static",
    "/usr/bin/catatonit",
];

/// The host's init binary.
pub fn find() -> Result<PathBuf, SpecError> {
    CANDIDATES
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            SpecError::Host(format!(
                "no init binary for --init: install tini (looked for {})",
                CANDIDATES.join(", ")
            ))
        })
}

/// The process arguments with the init in front.
pub fn wrap(args: &[String]) -> Vec<String> {
    [INIT_PATH.to_string(), "--".to_string()]
        .into_iter()
        .chain(args.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_goes_first() {
        assert_eq!(
            wrap(&["sleep".into(), "1".into()]),
            ["/sbin/docker-init", "--", "sleep", "1"]
        );
    }
}
