//! Copies a file into a container and reads it back, like
//! `docker cp greeting.txt CONTAINER:DIR` followed by
//! `docker cp CONTAINER:DIR/greeting.txt -`: both directions are tar
//! archives on the wire.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example copy_files -- web /tmp 'hello from outside'
//! ```

use std::io::Read;

use engine_api::rt::client::body;
use engine_api::Client;
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [container, dir, text] = args.as_slice() else {
        eprintln!("usage: copy_files CONTAINER DIR TEXT");
        std::process::exit(2);
    };
    let client = Client::from_env()?;

    // In: a one-file archive, unpacked by the daemon into DIR.
    let mut archive = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64 + 1);
    header.set_mode(0o644);
    header.set_cksum();
    archive.append_data(&mut header, "greeting.txt", format!("{text}\n").as_bytes())?;
    let archive = archive.into_inner()?;
    client
        .put_container_archive(container, dir, body::bytes(archive), &Default::default())
        .await?;

    // Out: the daemon answers with an archive holding the path asked for.
    let path = format!("{}/greeting.txt", dir.trim_end_matches('/'));
    let mut stream = client.container_archive(container, &path).await?;
    let mut received = Vec::new();
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk?);
    }
    let mut entries = tar::Archive::new(received.as_slice());
    for entry in entries.entries()? {
        let mut entry = entry?;
        let mut content = String::new();
        entry.read_to_string(&mut content)?;
        println!("{}: {}", entry.path()?.display(), content.trim_end());
    }
    Ok(())
}
