//! `docker pause` and `docker unpause`: the runtime freezes or thaws the
//! processes, once the status machine agrees.

use std::sync::Arc;

use super::super::error::{ContainerError, Result};
use super::super::runc::Runtime;
use super::super::state::{self, Event};
use super::super::store::Container;
use super::common::publish;
use crate::engine::Engine;

/// Freezes or thaws the container's processes.
pub async fn pause(engine: &Arc<Engine>, c: &Arc<Container>, pause: bool) -> Result<()> {
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
    publish(engine, action, &record, &[]);
    Ok(())
}
