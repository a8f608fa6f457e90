//! `docker restart`: a stop and an explicit start under one operation
//! lock. (Restarts by policy are [`crate::containers::restart`]'s.)

use std::sync::Arc;

use super::start::{start_locked, Trigger};
use super::stop::stop_locked;
use crate::containers::error::Result;
use crate::containers::events::publish;
use crate::containers::store::Container;
use crate::containers::Services;

/// Stops (if running) and starts again.
pub async fn restart(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    signal: Option<&str>,
    timeout: Option<i64>,
) -> Result<()> {
    let _op = c.op.lock().await;
    stop_locked(engine, c, signal, timeout).await?;
    start_locked(engine, c, Trigger::Explicit).await?;
    publish(engine, "restart", &c.record(), &[]);
    Ok(())
}
