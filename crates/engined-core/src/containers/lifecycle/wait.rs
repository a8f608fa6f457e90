//! `docker wait`: a future on the container's progress for one of
//! Docker's wait conditions.

use std::sync::Arc;

use engine_api::types::ContainerWaitCondition;

use crate::containers::error::{ContainerError, Result};
use crate::containers::store::Container;

/// Starts waiting for `condition`: what counts as the next exit is fixed
/// now, when the request arrives (`docker run` asks before it starts the
/// container), and the returned future resolves to the exit code once the
/// condition holds. An empty condition means `not-running`; an unknown one
/// is refused at once. A container with a restart policy ends a wait at
/// each exit, with that exit's code, as dockerd's does.
pub fn wait(
    c: &Arc<Container>,
    condition: &ContainerWaitCondition,
) -> Result<impl std::future::Future<Output = i64> + Send + 'static> {
    #[derive(Clone, Copy)]
    enum Until {
        NextExit(u64),
        Removed,
        NotRunning(u64),
    }
    let mut watch = c.watch();
    let exits = watch.borrow().exits;
    let until = match condition {
        ContainerWaitCondition::NextExit => Until::NextExit(exits),
        ContainerWaitCondition::Removed => Until::Removed,
        ContainerWaitCondition::NotRunning => Until::NotRunning(exits),
        // Older clients send `condition=` with no value; dockerd reads
        // that as the default.
        ContainerWaitCondition::Other(other) if other.is_empty() => Until::NotRunning(exits),
        ContainerWaitCondition::Other(other) => {
            return Err(ContainerError::InvalidArgument(format!(
                "invalid condition: \"{other}\""
            )))
        }
    };
    let c = c.clone();
    Ok(async move {
        let result = watch
            .wait_for(|p| match until {
                Until::NextExit(exits) => p.exits > exits || p.removed,
                Until::Removed => p.removed,
                // An exit counts even when a restart policy brings the
                // container back at once (dockerd answers at the first).
                Until::NotRunning(exits) => !p.status.is_running() || p.removed || p.exits > exits,
            })
            .await
            .map(|progress| progress.exit_code);
        // A dropped sender means the container left memory: it is gone,
        // and its record holds the last exit code.
        result.unwrap_or_else(|_| c.record().state.exit_code)
    })
}
