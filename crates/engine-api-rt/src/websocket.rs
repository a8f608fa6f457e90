//! A WebSocket connection (RFC 6455) as a plain byte pipe, for attach over
//! WebSocket: reads yield the payloads of incoming text and binary messages
//! one after another, writes go out as one message each (binary, or text
//! for clients of API versions before 1.42), shutdown sends a Close.
//! Ping/pong and the closing handshake are answered underneath. Shared by
//! the server (`Upgraded`) and the client (`Attached`); the handshake keys
//! are here too.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use crate::version::ApiVersion;

/// The `Sec-WebSocket-Version` both sides speak.
pub const VERSION: &str = "13";

/// The `Sec-WebSocket-Accept` answering a client's `Sec-WebSocket-Key`.
pub fn accept_key(key: &[u8]) -> String {
    tokio_tungstenite::tungstenite::handshake::derive_accept_key(key)
}

/// A fresh random `Sec-WebSocket-Key` for a client handshake.
pub fn client_key() -> String {
    tokio_tungstenite::tungstenite::handshake::client::generate_key()
}

/// What kind of message a write becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Binary messages: the bytes as they are.
    Binary,
    /// Text messages, which must be UTF-8: a character split between two
    /// writes waits for its end, bytes that are not UTF-8 become U+FFFD.
    Text,
}

impl MessageKind {
    /// What dockerd sends to a client of `version`: binary messages from
    /// API 1.42 on, text messages before.
    pub fn for_version(version: ApiVersion) -> MessageKind {
        if version < ApiVersion::new(1, 42) {
            MessageKind::Text
        } else {
            MessageKind::Binary
        }
    }
}

/// Which end of the connection this is (a client masks what it sends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The daemon's end: sends unmasked frames.
    Server,
    /// The caller's end: masks every frame it sends, as RFC 6455 requires.
    Client,
}

/// A WebSocket over `S` read and written as bytes.
pub struct WebSocketIo<S> {
    ws: WebSocketStream<S>,
    kind: MessageKind,
    /// The unread rest of the last message received.
    incoming: Bytes,
    /// A Close was received or the connection ended: reads give EOF.
    read_done: bool,
    /// A message was handed over but not yet flushed to the socket.
    unflushed: bool,
    /// The start of a UTF-8 character cut by a write (text messages only).
    text_tail: Vec<u8>,
}

impl<S> std::fmt::Debug for WebSocketIo<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketIo")
            .field("kind", &self.kind)
            .field("read_done", &self.read_done)
            .finish_non_exhaustive()
    }
}

impl<S> WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// Speaks WebSocket on `io`, whose handshake is already done.
    pub async fn new(io: S, side: Side, kind: MessageKind) -> WebSocketIo<S> {
        let role = match side {
            Side::Server => Role::Server,
            Side::Client => Role::Client,
        };
        WebSocketIo {
            ws: WebSocketStream::from_raw_socket(io, role, None).await,
            kind,
            incoming: Bytes::new(),
            read_done: false,
            unflushed: false,
            text_tail: Vec::new(),
        }
    }

    /// The message a write of `data` becomes (`None`: nothing to send yet).
    fn message(&mut self, data: &[u8]) -> Option<Message> {
        match self.kind {
            MessageKind::Binary => Some(Message::Binary(Bytes::copy_from_slice(data))),
            MessageKind::Text => {
                self.text_tail.extend_from_slice(data);
                let text = complete_text(&mut self.text_tail);
                (!text.is_empty()).then(|| Message::text(text))
            }
        }
    }

    fn poll_flush_ws(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.unflushed {
            ready!(self.ws.poll_flush_unpin(cx)).map_err(write_error)?;
            self.unflushed = false;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S> AsyncRead for WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.incoming.is_empty() {
                let n = buf.remaining().min(this.incoming.len());
                buf.put_slice(&this.incoming.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.read_done {
                return Poll::Ready(Ok(()));
            }
            match ready!(this.ws.poll_next_unpin(cx)) {
                Some(Ok(Message::Binary(data))) => this.incoming = data,
                Some(Ok(Message::Text(text))) => this.incoming = Bytes::from(text),
                // Pings are answered by the protocol layer; pongs need nothing.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(_))) | None => this.read_done = true,
                // The peer went away without the closing handshake: as for
                // a plain socket, that is the end of its data.
                Some(Err(
                    WsError::ConnectionClosed
                    | WsError::AlreadyClosed
                    | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake),
                )) => this.read_done = true,
                Some(Err(e)) => {
                    this.read_done = true;
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, e)));
                }
            }
        }
    }
}

impl<S> AsyncWrite for WebSocketIo<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// One message per write, flushed at once: a writer that never calls
    /// `flush` (as over a plain socket) still gets its bytes out. When the
    /// socket cannot take the message at once, the next write, flush or
    /// shutdown finishes sending it.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        ready!(this.poll_flush_ws(cx))?;
        ready!(this.ws.poll_ready_unpin(cx)).map_err(write_error)?;
        if let Some(message) = this.message(data) {
            this.ws.start_send_unpin(message).map_err(write_error)?;
            this.unflushed = true;
            // Pending here is fine: the bytes are accepted either way.
            if let Poll::Ready(result) = this.poll_flush_ws(cx) {
                result?;
            }
        }
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_flush_ws(cx)
    }

    /// Sends what is left of a cut character, then a Close message.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.text_tail.is_empty() {
            ready!(this.ws.poll_ready_unpin(cx)).map_err(write_error)?;
            let rest = String::from_utf8_lossy(&std::mem::take(&mut this.text_tail)).into_owned();
            this.ws
                .start_send_unpin(Message::text(rest))
                .map_err(write_error)?;
            this.unflushed = true;
        }
        ready!(this.poll_flush_ws(cx))?;
        match ready!(this.ws.poll_close_unpin(cx)) {
            Ok(()) | Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => Poll::Ready(Ok(())),
            Err(e) => Poll::Ready(Err(write_error(e))),
        }
    }
}

fn write_error(e: WsError) -> io::Error {
    match e {
        WsError::Io(e) => e,
        WsError::ConnectionClosed | WsError::AlreadyClosed => {
            io::Error::new(io::ErrorKind::BrokenPipe, e)
        }
        e => io::Error::other(e),
    }
}

/// The text in `bytes` up to a UTF-8 character cut at its end, which stays
/// in `bytes`; sequences that are not UTF-8 become U+FFFD.
fn complete_text(bytes: &mut Vec<u8>) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest: &[u8] = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                rest = &[];
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(&String::from_utf8_lossy(valid));
                match e.error_len() {
                    Some(bad) => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        rest = &after[bad..];
                    }
                    // Cut at the end: wait for the rest of the character.
                    None => {
                        rest = after;
                        break;
                    }
                }
            }
        }
    }
    let tail = rest.to_vec();
    *bytes = tail;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn text_waits_for_cut_characters_and_replaces_bad_bytes() {
        let mut buf = "é".as_bytes()[..1].to_vec();
        assert_eq!(complete_text(&mut buf), "");
        buf.extend_from_slice(&"é".as_bytes()[1..]);
        buf.extend_from_slice(b"a\xffb");
        assert_eq!(complete_text(&mut buf), "éa\u{FFFD}b");
        assert!(buf.is_empty());
    }

    #[test]
    fn accept_key_is_rfc_6455s_example() {
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(client_key().len(), 24);
    }

    #[test]
    fn kind_follows_the_api_version() {
        assert_eq!(
            MessageKind::for_version(ApiVersion::new(1, 41)),
            MessageKind::Text
        );
        assert_eq!(
            MessageKind::for_version(ApiVersion::new(1, 42)),
            MessageKind::Binary
        );
    }

    #[tokio::test]
    async fn bytes_round_trip_and_close_ends_the_reader() {
        let (a, b) = tokio::io::duplex(1024);
        let mut server = WebSocketIo::new(a, Side::Server, MessageKind::Text).await;
        let mut client = WebSocketIo::new(b, Side::Client, MessageKind::Binary).await;
        client.write_all(b"hello \xe2\x82").await.unwrap();
        client.write_all(b"\xac\n").await.unwrap();
        let mut got = vec![0u8; 64];
        let mut seen = Vec::new();
        while seen.len() < 10 {
            let n = server.read(&mut got).await.unwrap();
            seen.extend_from_slice(&got[..n]);
        }
        assert_eq!(seen, "hello €\n".as_bytes());
        // Text: the euro sign cut in two arrives whole.
        server.write_all(b"\xe2\x82").await.unwrap();
        server.write_all(b"\xac").await.unwrap();
        let n = client.read(&mut got).await.unwrap();
        assert_eq!(&got[..n], "€".as_bytes());
        server.shutdown().await.unwrap();
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    }
}
