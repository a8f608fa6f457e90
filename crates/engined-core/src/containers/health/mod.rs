//! Health checks (`HEALTHCHECK` in the image, `--health-*` on `docker
//! run`): while a container runs, the daemon runs its probe as an exec
//! every interval, and the results move its health between `starting`,
//! `healthy` and `unhealthy` as dockerd's do.
//!
//! - [`super::health_state`] (a module of its own, so that the record
//!   can hold a health without depending on the probes): the persisted
//!   health of a container and the rules each probe result follows
//!   (failing streak, start period, the last five results), the probe's
//!   settings with dockerd's defaults;
//! - [`probe`]: one run of the probe through the exec machinery, its
//!   output kept up to 4096 bytes, its timeout;
//! - [`monitor`]: the loop of one run, begun after a start or unpause and
//!   ended at an exit or pause; `health_status` events on each change;
//! - [`duration`]: Go's way of writing a duration, for the timeout's
//!   message.
//!
//! An unhealthy container is only reported: restart policies look at its
//! exits alone, as dockerd's do.

pub mod duration;
pub mod monitor;
pub mod probe;

pub use super::health_state::{HealthState, ProbeSettings};
pub use monitor::{begin, end, restored};
