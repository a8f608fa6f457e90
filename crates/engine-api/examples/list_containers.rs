//! Lists the daemon's containers, like `docker ps -a`.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example list_containers
//! ```

use engine_api::client::ContainerListParams;
use engine_api::{Client, ClientError};

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let client = Client::from_env()?;
    println!("API version {}", client.api_version().await?);
    let containers = client
        .container_list(&ContainerListParams {
            all: Some(true),
            ..Default::default()
        })
        .await?;
    println!("{:<14} {:<16} {:<10} COMMAND", "ID", "IMAGE", "STATE");
    for c in containers {
        let id = c.id.unwrap_or_default();
        println!(
            "{:<14} {:<16} {:<10} {}",
            id.get(..12).unwrap_or(&id),
            c.image.unwrap_or_default(),
            c.state.unwrap_or_default(),
            c.command.unwrap_or_default()
        );
    }
    Ok(())
}
