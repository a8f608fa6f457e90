//! The one test harness of the workspace, used by engined's end-to-end
//! tests (`crates/engined/tests/`) and the cross-crate tests here
//! (`crates/test-support/tests/`). One module per concern:
//!
//! - [`engined`]: the test engined ([`engined::Engined`]) on private roots
//!   under one directory: start, docker CLI calls, SIGHUP, crash, stop,
//!   its container records and wrapper scripts; drop cleans up.
//! - [`dockerd`]: a private Debian dockerd ([`dockerd::Dockerd`]) to
//!   compare against.
//! - [`docker_cli`]: the real docker CLI run against a host.
//! - [`docker_py`]: docker-py scripts run against a test engined.
//! - [`netns`]: links, bridge ports, namespace files and rules, for leak checks.
//! - [`rootfs`]: the busybox root filesystem tar the tests import.
//! - [`hostile`]: hostile tars, `docker save` archives and a host canary.
//! - [`certs`]: throwaway TLS material (a CA, server and client).
//! - [`skip`]: whether this machine can run a test, and why not.
//! - [`scratch`]: one fresh directory per test under `target/tmp`.
//! - [`teardown`]: removing a daemon's containers, stopping it, unmounting.
//! - [`backend`]: the all-operations test backend of the generated server.
//! - [`sshd`]: a private OpenSSH server for the client's `ssh://` tests.
//! - [`podman`]: a private rootful podman serving the Docker-compatible API.

pub mod backend;
pub mod certs;
pub mod docker_cli;
pub mod docker_py;
pub mod dockerd;
pub mod engined;
pub mod hostile;
pub mod made;
pub mod netns;
pub mod podman;
pub mod ports;
pub mod rootfs;
pub mod scratch;
pub mod skip;
pub mod sshd;
pub mod teardown;
