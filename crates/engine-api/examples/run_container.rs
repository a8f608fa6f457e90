//! Runs a command in a new container and prints its output, stdout and
//! stderr apart, like `docker run --rm --network none IMAGE CMD...`.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example run_container -- busybox echo hello
//! ```

use engine_api::client::{ContainerDeleteParams, ContainerLogsParams};
use engine_api::types::{ContainerCreateBody, HostConfig};
use engine_api::LogOutput;
use engine_api::{Client, ClientError};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let mut args = std::env::args().skip(1);
    let Some(image) = args.next() else {
        eprintln!("usage: run_container IMAGE [CMD...]");
        std::process::exit(2);
    };
    let cmd: Vec<String> = args.collect();
    let client = Client::from_env()?;
    let created = client
        .container_create(
            &ContainerCreateBody {
                image: Some(image),
                cmd: (!cmd.is_empty()).then_some(cmd),
                host_config: Some(HostConfig {
                    network_mode: Some("none".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            &Default::default(),
        )
        .await?;
    let id = created.id;
    client.container_start(&id, &Default::default()).await?;
    // Follow the output until the container exits.
    let mut output = client
        .container_logs(
            &id,
            &ContainerLogsParams {
                follow: Some(true),
                stdout: Some(true),
                stderr: Some(true),
                ..Default::default()
            },
        )
        .await?;
    while let Some(chunk) = output.next().await {
        match chunk? {
            LogOutput::Stderr(data) => eprint!("{}", String::from_utf8_lossy(&data)),
            other => print!("{}", other.text()),
        }
    }
    let exit = client.container_wait(&id, &Default::default()).await?;
    client
        .container_delete(&id, &ContainerDeleteParams::default())
        .await?;
    eprintln!("exit status {}", exit.status_code);
    std::process::exit(exit.status_code.clamp(0, 255) as i32);
}
