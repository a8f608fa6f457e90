//! `docker run --rm --network none IMAGE true` as the docker CLI sends
//! it, with each request timed, so the cost a proxy adds shows per step
//! rather than inside one number: create; attach (a hijacked connection
//! of its own, as the CLI dials it); wait for removal (its answer's head
//! comes at once, its body when the container is gone); start; then the
//! end of the attach stream and of the wait.

use std::path::Path;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::net::UnixStream;

/// A fresh HTTP/1 connection to `socket`, upgrades allowed.
async fn connect(socket: &Path) -> Result<SendRequest<Full<Bytes>>, String> {
    let io = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("connect {}: {e}", socket.display()))?;
    let (sender, conn) = http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn.with_upgrades());
    Ok(sender)
}

fn post(path: &str, body: &str) -> Result<Request<Full<Bytes>>, String> {
    let mut b = Request::post(path).header("host", "docker");
    if !body.is_empty() {
        b = b.header("content-type", "application/json");
    }
    b.body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| e.to_string())
}

/// The microseconds of create, attach, wait's head, start, the end of
/// the streams, and the whole run.
pub async fn run(socket: &Path, image: &str) -> Result<Vec<u128>, String> {
    let t0 = Instant::now();
    let mut api = connect(socket).await?;
    let body = format!(
        r#"{{"Image":"{image}","Cmd":["true"],"AttachStdout":true,"AttachStderr":true,"HostConfig":{{"AutoRemove":true,"NetworkMode":"none"}}}}"#
    );
    let resp = api
        .send_request(post("/v1.41/containers/create", &body)?)
        .await
        .map_err(|e| format!("create: {e}"))?;
    let status = resp.status();
    let answer = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("create: {e}"))?
        .to_bytes();
    let answer = String::from_utf8_lossy(&answer);
    if status != StatusCode::CREATED {
        return Err(format!("create: {status} {answer}"));
    }
    let id = answer
        .split(r#""Id":""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| format!("create: no Id in {answer}"))?
        .to_string();
    let t_create = t0.elapsed();

    let mut hijack = connect(socket).await?;
    let mut req = post(
        &format!("/v1.41/containers/{id}/attach?stream=1&stdout=1&stderr=1"),
        "",
    )?;
    req.headers_mut().insert(
        "connection",
        hyper::header::HeaderValue::from_static("Upgrade"),
    );
    req.headers_mut()
        .insert("upgrade", hyper::header::HeaderValue::from_static("tcp"));
    let resp = hijack
        .send_request(req)
        .await
        .map_err(|e| format!("attach: {e}"))?;
    if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Err(format!("attach: {}", resp.status()));
    }
    let attached = hyper::upgrade::on(resp)
        .await
        .map_err(|e| format!("attach upgrade: {e}"))?;
    let t_attach = t0.elapsed();

    let mut waiter = connect(socket).await?;
    let wait = waiter
        .send_request(post(
            &format!("/v1.41/containers/{id}/wait?condition=removed"),
            "",
        )?)
        .await
        .map_err(|e| format!("wait: {e}"))?;
    if wait.status() != StatusCode::OK {
        return Err(format!("wait: {}", wait.status()));
    }
    let t_wait = t0.elapsed();

    let resp = api
        .send_request(post(&format!("/v1.41/containers/{id}/start"), "")?)
        .await
        .map_err(|e| format!("start: {e}"))?;
    let status = resp.status();
    let _ = resp.into_body().collect().await;
    if status != StatusCode::NO_CONTENT {
        return Err(format!("start: {status}"));
    }
    let t_start = t0.elapsed();

    let mut out = Vec::new();
    TokioIo::new(attached)
        .read_to_end(&mut out)
        .await
        .map_err(|e| format!("attach stream: {e}"))?;
    let _ = wait
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("wait body: {e}"))?;
    let t_end = t0.elapsed();
    let us = |d: std::time::Duration| d.as_micros();
    Ok(vec![
        us(t_create),
        us(t_attach - t_create),
        us(t_wait - t_attach),
        us(t_start - t_wait),
        us(t_end - t_start),
        us(t_end),
    ])
}
