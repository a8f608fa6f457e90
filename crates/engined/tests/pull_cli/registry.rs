//! A real distribution registry (Debian's `docker-registry`) on a free
//! 127.0.0.1 port with its storage under the test's directory, and
//! skopeo pushing OCI layouts into it. Dropping a [`Registry`] kills the
//! process and waits for it, whatever the test did.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use test_support::ports::free_port;

pub const REGISTRY: &str = "/usr/bin/docker-registry";
pub const SKOPEO: &str = "/usr/bin/skopeo";

pub struct Registry {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    storage: PathBuf,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Why the registry tests cannot run here, or `None`.
pub fn missing() -> Option<String> {
    [REGISTRY, SKOPEO]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} is not installed (Debian's docker-registry and skopeo)"))
}

impl Registry {
    /// Starts a plain-HTTP registry with its files under `dir`.
    pub fn start(dir: &Path) -> Registry {
        Registry::start_at(dir, &format!("127.0.0.1:{}", free_port()))
    }

    /// Starts it on `addr`, with what an earlier one under `dir` stored.
    pub fn start_at(dir: &Path, addr: &str) -> Registry {
        Registry::start_with(dir, addr, "")
    }

    /// Starts one that serves TLS with `cert`/`key`, wants a client
    /// certificate signed by `client_ca`, and asks for the basic-auth
    /// logins of the htpasswd file `htpasswd`.
    pub fn start_secure(
        dir: &Path,
        cert: &Path,
        key: &Path,
        client_ca: &Path,
        htpasswd: &Path,
    ) -> Registry {
        let extra = format!(
            "  tls:\n    certificate: {}\n    key: {}\n    clientcas:\n      - {}\nauth:\n  htpasswd:\n    realm: test-registry\n    path: {}\n",
            cert.display(),
            key.display(),
            client_ca.display(),
            htpasswd.display()
        );
        Registry::start_with(dir, &format!("127.0.0.1:{}", free_port()), &extra)
    }

    /// Starts one that serves TLS with `cert`/`key` and nothing more: no
    /// client certificates, no logins.
    pub fn start_tls(dir: &Path, cert: &Path, key: &Path) -> Registry {
        let extra = format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            cert.display(),
            key.display()
        );
        Registry::start_with(dir, &format!("127.0.0.1:{}", free_port()), &extra)
    }

    /// Starts it with `extra` YAML appended after `http.addr`.
    fn start_with(dir: &Path, addr: &str, extra: &str) -> Registry {
        let storage = dir.join("registry-storage");
        std::fs::create_dir_all(&storage).unwrap();
        let addr = addr.to_string();
        let config = dir.join("registry.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n{extra}",
                storage.display()
            ),
        )
        .unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("registry.log"))
            .unwrap();
        let child = Command::new(REGISTRY)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let registry = Registry {
            child,
            addr,
            storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&registry.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the registry did not start: {}",
                std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    /// Where the registry keeps the bytes of a blob.
    pub fn blob_data(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.storage
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// `127.0.0.1:<port>/<repo>`.
    pub fn name(&self, repo: &str) -> String {
        format!("{}/{repo}", self.addr)
    }
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = Command::new(SKOPEO)
        .arg("--insecure-policy")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Copies the image `layout:ref_name` to `dest` (`host/repo:tag`) with
/// skopeo (`--all`: an index goes whole), adding `extra` flags.
pub fn push(layout: &Path, ref_name: &str, dest: &str, extra: &[&str]) {
    let src = format!("oci:{}:{ref_name}", layout.display());
    let dst = format!("docker://{dest}");
    let mut args = vec!["copy", "--all", "--dest-tls-verify=false"];
    args.extend_from_slice(extra);
    args.push(&src);
    args.push(&dst);
    skopeo(&args);
}

/// The digest and media type of what `name` (`host/repo:tag`) points at,
/// as the registry serves it (read by skopeo, not by engined).
pub fn manifest_of(name: &str) -> (String, String) {
    let raw = skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{name}"),
    ]);
    let digest = format!("sha256:{:x}", Sha256::digest(&raw));
    let parsed: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let kind = parsed["mediaType"].as_str().unwrap_or_default().to_string();
    (digest, kind)
}

impl Registry {
    /// Uploads `body` as the manifest `repo:tag` of `media_type` with a
    /// plain HTTP/1.1 PUT (for documents skopeo will not write, such as
    /// deeply nested indexes); returns the status code.
    pub fn put_manifest(&self, repo: &str, tag: &str, media_type: &str, body: &[u8]) -> u16 {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let head = format!(
            "PUT /v2/{repo}/manifests/{tag} HTTP/1.1\r\nHost: {}\r\nContent-Type: {media_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }
}

/// Copies `name` (`host/repo:tag`) out of the registry into the
/// directory `dest` (skopeo's `dir:`: the manifest as it is, each blob in
/// a file named by its hex digest), checking every blob's digest.
pub fn copy_out(name: &str, dest: &Path) {
    let src = format!("docker://{name}");
    let dst = format!("dir:{}", dest.display());
    skopeo(&["copy", "--src-tls-verify=false", &src, &dst]);
}
