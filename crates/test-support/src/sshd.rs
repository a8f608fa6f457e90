//! A private OpenSSH server for the client's `ssh://` tests: `sshd` on
//! 127.0.0.1 and a free port, with its own config, host key and one
//! authorised user key, all made here under the test's directory. Every
//! session runs `ForceCommand` (for the tests: the real docker CLI's
//! `docker -H unix://... system dial-stdio`, forwarding to a socket the
//! test serves). [`Sshd::client_options`] are the ssh options that trust
//! exactly this server and use exactly this key. Dropping it stops sshd
//! and removes its files (and `/run/sshd` when this created it).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::scratch::{fresh_dir, remove_dir};
use crate::skip::{can_run, Need};
use crate::teardown::terminate;

/// Where sshd keeps its privilege-separation chroot (it refuses to start
/// without it).
const PRIVSEP_DIR: &str = "/run/sshd";

/// A running private sshd.
pub struct Sshd {
    dir: PathBuf,
    port: u16,
    child: Child,
    made_privsep: bool,
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "engine-api-test",
            "-f",
        ])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("run ssh-keygen");
    assert!(status.success(), "ssh-keygen failed for {}", path.display());
}

impl Sshd {
    /// Starts sshd under a fresh `name` directory, running `force_command`
    /// for every session; `None` (after a notice) when it cannot run here.
    pub fn start(name: &str, force_command: &str) -> Option<Sshd> {
        if !can_run(Need::Sshd) {
            return None;
        }
        let dir = fresh_dir(&format!("sshd-{name}"));
        keygen(&dir.join("host_key"));
        keygen(&dir.join("id"));
        std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).expect("authorized_keys");
        let made_privsep = !Path::new(PRIVSEP_DIR).exists();
        if made_privsep {
            std::fs::create_dir_all(PRIVSEP_DIR).expect("create /run/sshd");
        }
        let port = crate::ports::free_port();
        let config = format!(
            "ListenAddress 127.0.0.1\n\
             Port {port}\n\
             HostKey {dir}/host_key\n\
             PidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\n\
             PermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             UsePAM no\n\
             StrictModes no\n\
             AllowTcpForwarding no\n\
             X11Forwarding no\n\
             PrintMotd no\n\
             LogLevel ERROR\n\
             ForceCommand {force_command}\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).expect("sshd_config");
        let child = Command::new("/usr/sbin/sshd")
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("sshd.log")).expect("sshd.log"),
            ))
            .spawn()
            .expect("start sshd");
        let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).expect("host key");
        let mut host_pub = host_pub.split_whitespace();
        let known = format!(
            "[127.0.0.1]:{port} {} {}\n",
            host_pub.next().unwrap_or_default(),
            host_pub.next().unwrap_or_default()
        );
        std::fs::write(dir.join("known_hosts"), known).expect("known_hosts");
        let sshd = Sshd {
            dir,
            port,
            child,
            made_privsep,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not listen: {}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(sshd)
    }

    /// The port sshd listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ssh://root@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    /// The test's directory (keys, config, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// ssh options that use only this test's key and trust only this
    /// server, ignoring the user's own ssh configuration.
    pub fn client_options(&self) -> Vec<String> {
        self.options_with_key(&self.dir.join("id"))
    }

    /// As [`Sshd::client_options`] with another identity file.
    pub fn options_with_key(&self, key: &Path) -> Vec<String> {
        let known = self.dir.join("known_hosts");
        vec![
            "-F".into(),
            "/dev/null".into(),
            "-i".into(),
            key.display().to_string(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "StrictHostKeyChecking=yes".into(),
            "-o".into(),
            format!("UserKnownHostsFile={}", known.display()),
        ]
    }

    /// What sshd logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
        remove_dir(&self.dir);
        if self.made_privsep {
            let _ = std::fs::remove_dir(PRIVSEP_DIR);
        }
    }
}
