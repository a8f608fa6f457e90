//! RUN: the command runs as a real container on the same runtime and
//! sandbox as `docker run` (created from the stage's current image with
//! the command as Cmd and no entrypoint, the stage's env, build args,
//! working directory and user), its output streamed into the build's,
//! and its changes committed as the step's layer. The container is
//! removed afterwards with `--rm` (the default), and after a failure too
//! with `--force-rm`.

use std::sync::Arc;

use engine_api::types::{ContainerCreateBody, ContainerWaitCondition, HostConfig};
use futures_util::StreamExt;

use crate::builder::commit::{changes_layer, Spool};
use crate::builder::error::BuildError;
use crate::builder::output::Output;
use crate::containers::bundle::log_path;
use crate::containers::{create, lifecycle, log_stream};
use crate::engine::Engine;
use crate::images::short_id;
use engined_shim::logs::LogQuery;

/// What one RUN needs.
pub struct RunStep {
    /// The image to run on.
    pub image: String,
    pub command: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub network_mode: Option<String>,
    /// Remove the container when done (`--rm`).
    pub remove: bool,
    /// Remove it after a failure too (`--force-rm`).
    pub force_remove: bool,
}

/// Runs the step; returns the layer of its changes.
pub async fn run(engine: &Arc<Engine>, step: RunStep, out: &Output) -> Result<Spool, BuildError> {
    let body = ContainerCreateBody {
        image: Some(step.image.clone()),
        cmd: Some(step.command.clone()),
        // `[""]`: no entrypoint, the command alone.
        entrypoint: Some(vec![String::new()]),
        env: Some(step.env.clone()),
        working_dir: step.working_dir.clone(),
        user: step.user.clone(),
        host_config: Some(HostConfig {
            network_mode: step.network_mode.clone(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (id, _) = create::create(engine, None, body).await?;
    out.text(format!(" ---> Running in {}\n", short_id(&id)))
        .await;
    let c = engine.containers.get(&id)?;
    let result = run_in(engine, &c, &step, out).await;
    let remove = if result.is_ok() {
        step.remove
    } else {
        step.force_remove
    };
    if remove {
        if let Err(e) = lifecycle::remove(engine, &c, true, true).await {
            tracing::warn!("removing build container {id}: {e}");
        } else {
            out.text(format!(
                "Removing intermediate container {}\n",
                short_id(&id)
            ))
            .await;
        }
    }
    result
}

async fn run_in(
    engine: &Arc<Engine>,
    c: &Arc<crate::containers::Container>,
    step: &RunStep,
    out: &Output,
) -> Result<Spool, BuildError> {
    let exited = lifecycle::wait(c, &ContainerWaitCondition::NextExit)?;
    lifecycle::start(engine, c).await?;
    let query = LogQuery {
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let logs = log_stream::stream(log_path(&c.layout, &c.id), query, false, true, c.watch());
    let mut logs = std::pin::pin!(logs);
    while let Some(item) = logs.next().await {
        out.text(String::from_utf8_lossy(&item.data).into_owned())
            .await;
    }
    let code = exited.await;
    if code != 0 {
        return Err(BuildError::RunFailed {
            command: step.command.join(" "),
            code,
        });
    }
    Ok(changes_layer(engine, c).await?)
}
