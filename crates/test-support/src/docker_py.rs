//! docker-py (the Python SDK) as a second client: find a Python that has
//! it, and run a test script against a test engined.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::engined::Engined;
use crate::scratch::target_dir;

/// Runs the docker-py script `script` with engined's host, then `args`;
/// asserts that it printed `all ok` at its end and left no container
/// behind, and returns its output. `None`, after printing why, where this
/// machine has no docker-py (the caller's test skips).
pub fn run_docker_py(d: &Engined, script: &Path, args: &[&str]) -> Option<String> {
    let python = match docker_py() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipped: {why}");
            return None;
        }
    };
    let out = Command::new(&python)
        .arg(script)
        .arg(d.host())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "docker-py script {} failed:\n{stdout}\n{}\nengined log:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    assert!(stdout.ends_with("all ok\n"), "{stdout}");
    assert_eq!(
        d.docker(&["ps", "-aq"]),
        "",
        "the script removed what it made"
    );
    Some(stdout)
}

/// A Python that can `import docker`: `$ENGINED_DOCKER_PY_PYTHON`, else
/// the venv `.ci/run` makes at `target/docker-py`; or why there is none.
pub fn docker_py() -> Result<PathBuf, String> {
    let venv = target_dir().join("docker-py/bin/python");
    let candidates: Vec<PathBuf> = std::env::var_os("ENGINED_DOCKER_PY_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain(Some(venv))
        .collect();
    for python in &candidates {
        let ok = Command::new(python)
            .args(["-c", "import docker"])
            .output()
            .is_ok_and(|out| out.status.success());
        if ok {
            return Ok(python.clone());
        }
    }
    Err(format!(
        "no docker-py (tried {candidates:?}); install it with \
         `python3 -m venv target/docker-py && target/docker-py/bin/pip install docker` \
         (.ci/run does)"
    ))
}
