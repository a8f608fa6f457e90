//! Attach over WebSocket from the client's side: the RFC 6455 handshake
//! through hyper's upgrade (`Upgrade: websocket`, a fresh
//! `Sec-WebSocket-Key`, the daemon's `Sec-WebSocket-Accept` checked), then
//! the connection as an [`Attached`] whose output is the messages' raw
//! bytes and whose input goes out as binary messages.

use hyper::header::{HeaderValue, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;

use super::api_client::Client;
use super::attach::Attached;
use super::call::Call;
use super::logs::{decode_output, Framing};
use super::{byte_stream, ClientError};
use crate::websocket::{self, MessageKind, Side, WebSocketIo};

/// The `Origin` sent with the handshake: dockerd's WebSocket library long
/// refused handshakes without one (it only has to parse as a URL).
const ORIGIN: &str = "http://localhost";

impl Client {
    /// Sends a call that upgrades to a WebSocket (attach over WebSocket).
    /// A daemon that answers 2xx without upgrading gives an [`Attached`]
    /// with its raw body as output and nowhere to write input; one whose
    /// 101 does not prove it read our key is an error.
    pub async fn websocket(&self, mut call: Call) -> Result<Attached, ClientError> {
        let key = websocket::client_key();
        call.header("connection", "Upgrade");
        call.header("upgrade", "websocket");
        call.header("sec-websocket-version", websocket::VERSION);
        call.header("sec-websocket-key", key.clone());
        call.header("origin", ORIGIN);
        let (resp, _) = self.send(call).await?;
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
            let output = decode_output(byte_stream(resp), Framing::Raw);
            return Ok(Attached::output_only(output));
        }
        let header = |name| resp.headers().get(name).map(HeaderValue::as_bytes);
        if !header(UPGRADE).is_some_and(|v| v.eq_ignore_ascii_case(b"websocket")) {
            return Err(ClientError::WebSocket(
                "the daemon switched to a protocol other than websocket".into(),
            ));
        }
        let expected = websocket::accept_key(key.as_bytes());
        if header(SEC_WEBSOCKET_ACCEPT) != Some(expected.as_bytes()) {
            return Err(ClientError::WebSocket(
                "missing or wrong Sec-WebSocket-Accept".into(),
            ));
        }
        let upgraded = hyper::upgrade::on(resp)
            .await
            .map_err(|e| ClientError::Connect {
                host: self.transport().host().to_string(),
                source: Box::new(e),
            })?;
        // Input as binary messages: any bytes, and dockerd reads both kinds.
        let ws = WebSocketIo::new(TokioIo::new(upgraded), Side::Client, MessageKind::Binary).await;
        Ok(Attached::from_io(ws, Framing::Raw))
    }
}
