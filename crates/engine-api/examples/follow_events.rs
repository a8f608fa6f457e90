//! Prints the daemon's events as they happen, like `docker events`
//! (optionally only one type: `container`, `image`, `network`...).
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example follow_events -- container
//! ```

use engine_api::client::SystemEventsParams;
use engine_api::Filters;
use engine_api::{Client, ClientError};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let client = Client::from_env()?;
    let filters = std::env::args()
        .nth(1)
        .map(|kind| Filters::default().with("type", &kind));
    let mut events = client
        .system_events(&SystemEventsParams {
            filters,
            ..Default::default()
        })
        .await?;
    while let Some(event) = events.next().await {
        let event = event?;
        let actor = event.actor.unwrap_or_default();
        let name = actor
            .attributes
            .as_ref()
            .and_then(|a| a.get("name"))
            .cloned()
            .unwrap_or_default();
        println!(
            "{} {} {} {} {}",
            event.time.unwrap_or_default(),
            event.r#type.map(|t| t.to_string()).unwrap_or_default(),
            event.action.unwrap_or_default(),
            actor.id.unwrap_or_default(),
            name
        );
    }
    Ok(())
}
