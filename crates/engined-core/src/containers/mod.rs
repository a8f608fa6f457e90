//! Containers: created from an image, run on the OCI runtime the runtimes
//! module resolves, supervised by a small per-container process that
//! outlives the daemon, and persisted so a restarted daemon finds them all.
//!
//! - [`record`]: the persisted record and state; `engined_shim::atomic` writes;
//! - [`ids`]: ids and names; [`config`]: the create request merged with
//!   the image; [`create`]: the create operation;
//! - [`rootfs`]: overlay or copy; [`spec`]: the OCI `config.json`;
//!   [`user`]: `User` to numbers; [`bundle`]: the bundle of one run;
//!   [`etc_hosts`]: its `/etc/hosts`; [`network`]: the network seam
//!   (what a network mode gives a container: namespace, `/etc` files);
//! - [`supervisor`]: the per-container supervisor and its protocol;
//! - [`runc`]: calls to the recorded runtime binary;
//! - `engined_shim::cgroups`: a container's cgroup and its figures (v1
//!   and v2); [`stats`]: `docker stats`; [`update`]: `docker update`;
//! - [`lifecycle`]: one file per verb: start, exit, stop, kill, restart, pause, wait,
//!   rename, remove, restore at daemon start;
//! - [`state`]: the status machine every state change goes through;
//! - [`restart`]: restart policies, their back-off, daemon-start starts;
//! - `engined_shim::logs` (the json-file log, written by the supervisor)
//!   and [`log_stream`] (read back);
//! - [`attach`]: `docker attach` sessions and TTY resizes; [`stream`]:
//!   attach and exec byte relays, watched for the
//!   [`detach`] keys; [`exec`]: exec instances ([`console`]: a TTY's);
//! - [`health`]: health checks, their probe loop and state;
//! - [`list`]: `docker ps` filters and lines; [`prune`]: `docker
//!   container prune`; [`inspect`]; [`top`];
//! - [`archive`]: `docker cp` both ways, `docker export`; [`changes`]:
//!   `docker diff`;
//! - [`store`]: all containers, looked up by id, name or prefix;
//! - [`services`]: what a verb works with (the stores, events, snapshot).

pub mod archive;
pub mod attach;
pub mod bundle;
pub mod changes;
pub mod config;
pub mod console;
pub mod create;
pub mod detach;
pub mod error;
pub mod etc_hosts;
pub mod events;
pub mod exec;
pub mod exec_instance;
pub mod health;
pub mod health_state;
pub mod ids;
pub mod inspect;
pub mod lifecycle;
pub mod links;
pub mod list;
pub mod log_stream;
pub mod network;
pub mod prune;
pub mod record;
pub mod restart;
pub mod rootfs;
pub mod runc;
pub mod services;
pub mod spec;
pub mod state;
pub mod stats;
pub mod store;
pub mod stream;
pub mod supervisor;
pub mod top;
pub mod update;
pub mod user;

pub use error::ContainerError;
pub use record::{Record, Status};
pub use services::Services;

#[cfg(test)]
mod tests;
pub use store::{living_runtime_binaries, Container, Containers};
