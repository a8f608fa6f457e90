//! engined end to end: the real docker CLI (and docker-py) against a private engined, one module per subject.
//!
//! One binary for all of them (faster to link than one per file);
//! run one group with `cargo test -p engined --test suite GROUP::`.

mod archive_cli;
mod attach_websocket;
mod behave_cli;
mod build_cli;
mod clients_py;
mod compose_cli;
mod containers_cli;
mod dns_cli;
mod docker_cli;
mod gaps_cli;
mod health_cli;
mod hostile_cli;
mod images_cli;
mod keys_cli;
mod layers_cli;
mod nat_cli;
mod net_cli;
mod ports_cli;
mod pull_cli;
mod restart_cli;
mod sandbox_cli;
mod stall_cli;
mod stats_cli;
