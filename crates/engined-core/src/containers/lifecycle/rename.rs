//! `docker rename`.

use std::sync::Arc;

use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::store::Container;
use crate::containers::Services;

/// Gives the container a new name.
pub async fn rename(engine: &Arc<Services>, c: &Arc<Container>, new_name: &str) -> Result<()> {
    let new_name = crate::containers::ids::validate_name(new_name)
        .map_err(ContainerError::InvalidName)?
        .to_string();
    let old = c.name();
    if old == new_name {
        return Err(ContainerError::InvalidArgument(
            "Renaming a container with the same name as its current name".into(),
        ));
    }
    engine.containers.rename(c, &new_name)?;
    // The embedded DNS servers answer to the new name.
    engine.networks.rename(&c.id, &new_name)?;
    publish(
        engine,
        "rename",
        &c.record(),
        &[("oldName", format!("/{old}"))],
    );
    Ok(())
}
