//! `docker pause` and `docker unpause`: the runtime freezes or thaws the
//! processes, once the status machine agrees.

use std::sync::Arc;

use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::health;
use crate::containers::runc::Runtime;
use crate::containers::state::{self, Event};
use crate::containers::store::Container;
use crate::containers::Services;

/// Freezes or thaws the container's processes.
pub async fn pause(engine: &Arc<Services>, c: &Arc<Container>, pause: bool) -> Result<()> {
    let _op = c.op.lock().await;
    let record = c.record();
    let rt = Runtime::new(&record.runtime);
    let (event, action) = if pause {
        (Event::Paused, "pause")
    } else {
        (Event::Unpaused, "unpause")
    };
    state::check(&record, &event)?;
    let frozen = if pause {
        rt.pause(&c.id).await
    } else {
        rt.resume(&c.id).await
    };
    frozen.map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let record = c.transition(event)?;
    // Probes stop while frozen and begin again when thawed.
    if pause {
        health::end(c);
    } else {
        health::begin(engine, c);
    }
    publish(engine, action, &record, &[]);
    Ok(())
}
