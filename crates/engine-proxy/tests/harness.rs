//! The test proxy: the `engine-proxy` binary of this build started on a
//! private socket in front of an upstream, with a policy file and an
//! audit log in its own directory; stopped (SIGTERM, then SIGKILL) and
//! its directory removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use test_support::scratch;
use test_support::teardown::terminate;

/// A policy that allows everything.
pub const ALLOW_ALL: &str = "default: allow\n";

pub struct Proxy {
    child: Option<Child>,
    pub dir: PathBuf,
}

impl Proxy {
    /// Starts the proxy in a fresh directory named after `name`, in front
    /// of `upstream`, with `policy` as its policy file.
    pub fn start(name: &str, upstream: &str, policy: &str) -> Proxy {
        Proxy::start_with(name, upstream, policy, &[])
    }

    /// As [`Proxy::start`], with one more socket per identity in
    /// `identities` (`<dir>/<identity>.sock`, listening as that identity).
    pub fn start_with(name: &str, upstream: &str, policy: &str, identities: &[&str]) -> Proxy {
        let args = ["--upstream".to_string(), upstream.to_string()];
        Proxy::start_args(name, &args, policy, identities)
    }

    /// As [`Proxy::start_with`], with `args` (the upstream and any other
    /// flags) given whole.
    pub fn start_args(name: &str, args: &[String], policy: &str, identities: &[&str]) -> Proxy {
        let dir = scratch::fresh_dir(&format!("engine-proxy-{name}"));
        std::fs::write(dir.join("policy.yaml"), policy).unwrap();
        let log = std::fs::File::create(dir.join("proxy.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_engine-proxy"))
            .args(args)
            .arg("-H")
            .arg(format!("unix://{}", dir.join("proxy.sock").display()))
            .args(identities.iter().flat_map(|id| {
                let sock = dir.join(format!("{id}.sock"));
                ["-H".to_string(), format!("unix://{}#{id}", sock.display())]
            }))
            .arg("--policy")
            .arg(dir.join("policy.yaml"))
            .arg("--audit-log")
            .arg(dir.join("audit.log"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut p = Proxy {
            child: Some(child),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let all_there = |p: &Proxy| {
            p.socket().exists()
                && identities
                    .iter()
                    .all(|id| p.dir.join(format!("{id}.sock")).exists())
        };
        while !all_there(&p) {
            if let Some(Ok(Some(status))) = p.child.as_mut().map(Child::try_wait) {
                panic!("engine-proxy exited ({status}): {}", p.log());
            }
            assert!(Instant::now() < deadline, "no proxy socket: {}", p.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        p
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.join("proxy.sock")
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("proxy.log")).unwrap_or_default()
    }

    /// The host of the socket of `identity`.
    pub fn host_of(&self, identity: &str) -> String {
        format!(
            "unix://{}",
            self.dir.join(format!("{identity}.sock")).display()
        )
    }

    /// The audit log's lines, parsed.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Replaces the policy file and sends SIGHUP; waits until the log says
    /// the reload happened (`reloaded`) or was refused.
    pub fn reload(&self, policy: &str) {
        let before = self.log().matches("policy reload").count();
        std::fs::write(self.dir.join("policy.yaml"), policy).unwrap();
        let pid = self.child.as_ref().map(Child::id).unwrap();
        let status = Command::new("kill")
            .arg("-HUP")
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.log().matches("policy reload").count() == before {
            assert!(
                Instant::now() < deadline,
                "no reload in the log: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs the docker CLI through the proxy.
    pub fn docker(&self, args: &[&str]) -> std::process::Output {
        test_support::docker_cli::output(&self.host(), args)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, Duration::from_secs(5));
        }
        scratch::remove_dir(&self.dir);
    }
}

/// Raw HTTP/1.0 on a unix socket: the status line and the body.
pub fn raw(socket: &Path, request: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.lines().next().unwrap_or("").to_string();
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}
