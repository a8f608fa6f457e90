//! engine-proxy's integration tests: the binary started in front of a
//! real daemon (engined, or Debian's dockerd 20.10 or podman 4.3 when
//! installed) and driven with the real docker CLI. Each module is one
//! subject.

mod harness;

mod docker_py;
mod forward_cli;
mod limits_cli;
mod owner_cli;
mod podman_cli;
mod policy_cli;
mod presets;
mod refuse;
mod reload_cli;
mod shared_cli;
mod tls;
mod tty_cli;
