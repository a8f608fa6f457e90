//! Builds an image from a context made here (a Dockerfile and one file),
//! like `docker build -t TAG .` with the classic builder, printing the
//! build's output as it comes and the new image's ID at the end.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example build_context -- busybox greeter:latest
//! ```

use engine_api::client::ImageBuildParams;
use engine_api::rt::client::body;
use engine_api::Client;
use futures_util::StreamExt;

/// A context tar: `Dockerfile` on `base`, and the file it copies.
fn context(base: &str) -> std::io::Result<Vec<u8>> {
    let dockerfile =
        format!("FROM {base}\nCOPY greeting.txt /greeting.txt\nCMD [\"cat\", \"/greeting.txt\"]\n");
    let mut archive = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("Dockerfile", dockerfile.as_bytes()),
        ("greeting.txt", b"built by engine-api\n".as_slice()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        archive.append_data(&mut header, name, data)?;
    }
    archive.into_inner()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, tag] = args.as_slice() else {
        eprintln!("usage: build_context BASE-IMAGE TAG");
        std::process::exit(2);
    };
    let client = Client::from_env()?;
    let params = ImageBuildParams {
        t: Some(vec![tag.clone()]),
        ..Default::default()
    };
    let mut output = client
        .image_build(Some(body::bytes(context(base)?)), &params)
        .await?;
    let mut id = None;
    while let Some(line) = output.next().await {
        // A failed step arrives as an Err item carrying the daemon's message.
        let line = line?;
        if let Some(text) = line.stream {
            print!("{text}");
        }
        if let Some(aux) = line.aux.and_then(|a| a.id) {
            id = Some(aux);
        }
    }
    match id {
        Some(id) => println!("image {id}"),
        None => println!("the daemon did not report the image ID"),
    }
    Ok(())
}
