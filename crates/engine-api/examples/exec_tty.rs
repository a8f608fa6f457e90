//! Runs a command with a terminal inside a running container, like
//! `docker exec -t CONTAINER CMD...`, and exits with the command's status.
//!
//! ```text
//! DOCKER_HOST=unix:///var/run/docker.sock cargo run -p engine-api --example exec_tty -- web sh -c 'tty; stty size'
//! ```

use engine_api::client::ExecResizeParams;
use engine_api::types::{ContainerExecBody, ExecStartBody};
use engine_api::{Client, ClientError};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let mut args = std::env::args().skip(1);
    let (Some(container), cmd) = (args.next(), args.collect::<Vec<String>>()) else {
        eprintln!("usage: exec_tty CONTAINER CMD...");
        std::process::exit(2);
    };
    if cmd.is_empty() {
        eprintln!("usage: exec_tty CONTAINER CMD...");
        std::process::exit(2);
    }
    let client = Client::from_env()?;
    // A terminal of 24 rows and 100 columns from the start (API 1.42 and
    // later); older daemons get it from the resize after the start, as the
    // docker CLI does. A client following a real terminal resizes again
    // whenever it changes.
    let size = vec![24, 100];
    let exec = client
        .container_exec(
            &container,
            &ContainerExecBody {
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(true),
                console_size: Some(size.clone()),
                cmd: Some(cmd),
                ..Default::default()
            },
        )
        .await?;
    let mut session = client
        .exec_start(
            &exec.id,
            Some(&ExecStartBody {
                tty: Some(true),
                console_size: Some(size),
                ..Default::default()
            }),
        )
        .await?;
    // A command that is already over cannot be resized: as the docker CLI
    // does, a failed resize does not fail the exec.
    let _ = client
        .exec_resize(
            &exec.id,
            &ExecResizeParams {
                h: Some(24),
                w: Some(100),
            },
        )
        .await;
    // With a terminal the output is one stream, as the terminal shows it.
    while let Some(chunk) = session.output.next().await {
        print!("{}", chunk?.text());
    }
    let status = client.exec_inspect(&exec.id).await?.exit_code.unwrap_or(-1);
    std::process::exit(status.clamp(0, 255) as i32);
}
