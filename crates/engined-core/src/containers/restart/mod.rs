//! Restart policies (`docker run --restart ...`). [`policy`] decides, as
//! pure functions: which policies are acceptable at create, whether a run
//! that ended on its own is followed by another one and after what
//! back-off delay, which containers the daemon starts when it comes up.
//! The verbs carry the decisions out (`lifecycle::policy_restart`): the
//! exit monitor records a restart as the `restarting` state with
//! `RestartCount` bumped, then the container is started again once the
//! delay is over, unless a user stop, kill, removal or new run came
//! between.

pub mod policy;

pub use policy::{
    backoff, decide, restarts_after, run_length, starts_with_daemon, Decision, Ending, Policy,
    FIRST_DELAY, HEALTHY_RUN, MAX_DELAY,
};
