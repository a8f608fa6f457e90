//! A container's life after create, one file per verb: [`start`] (and
//! the policy's start), [`exit`] (the monitor of a run and what follows
//! its end), [`stop`], [`kill`], [`restart`], [`pause`] (and unpause),
//! [`wait`], [`rename`], [`remove`], and [`daemon`]: restore at daemon
//! start, the stop at a clean shutdown; [`policy_restart`]: restarts the
//! restart policy decided. [`common`] holds what they share.
//! Every state change goes through [`super::state`]; every runtime call
//! uses the binary the container recorded at start.

mod common;
mod daemon;
mod exit;
mod kill;
mod pause;
mod policy_restart;
mod remove;
mod rename;
mod restart;
mod start;
mod stop;
mod wait;

pub use daemon::{restore, stop_for_shutdown};
pub use kill::kill;
pub use pause::pause;
pub use policy_restart::{schedule, start_at_daemon_start};
pub use remove::remove;
pub use rename::rename;
pub use restart::restart;
pub use start::{start, start_by_policy};
pub use stop::stop;
pub use wait::wait;
