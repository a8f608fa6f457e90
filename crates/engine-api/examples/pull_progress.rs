//! Pulls an image and shows each layer's progress, like `docker pull
//! IMAGE[:TAG]`; a failure the registry or the daemon reports ends the
//! program with the daemon's message.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example pull_progress -- busybox:latest
//! ```

use std::collections::BTreeMap;

use engine_api::client::ImageCreateParams;
use engine_api::{Client, ClientError};
use futures_util::StreamExt;

#[tokio::main]
async fn main() {
    let Some(image) = std::env::args().nth(1) else {
        eprintln!("usage: pull_progress IMAGE[:TAG]");
        std::process::exit(2);
    };
    // The daemon refuses some pulls at once (an error answer) and reports
    // others inside the stream (an `Err` item): both end here.
    if let Err(e) = pull(&image).await {
        eprintln!("pull failed: {e}");
        std::process::exit(1);
    }
}

async fn pull(image: &str) -> Result<(), ClientError> {
    // A tag after the last `/` is the tag; a digest reference stays whole.
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') && !name.ends_with("@sha256") => {
            (name.to_string(), tag.to_string())
        }
        _ => (image.to_string(), "latest".to_string()),
    };
    let client = Client::from_env()?;
    let params = ImageCreateParams {
        from_image: Some(name),
        tag: Some(tag),
        ..Default::default()
    };
    let mut progress = client.image_create(None, &params).await?;
    // The last status of each layer, printed whenever one changes.
    let mut layers: BTreeMap<String, String> = BTreeMap::new();
    while let Some(item) = progress.next().await {
        let item = item?;
        let status = item.status.unwrap_or_default();
        match item.id {
            Some(layer) if !status.starts_with("Pulling from") => {
                let shown = match item.progress {
                    Some(bar) => format!("{status} {bar}"),
                    None => status,
                };
                if layers.get(&layer) != Some(&shown) {
                    println!("{layer}: {shown}");
                    layers.insert(layer, shown);
                }
            }
            _ => println!("{status}"),
        }
    }
    Ok(())
}
