//! Asking the upstream servers what the containers' networks do not know.
//!
//! Queries go out from the daemon's own network namespace (the host's),
//! so the host's loopback resolvers work too; each upstream in turn, on
//! port 53, each with its own deadline; the first answer that matches the
//! query's id wins. A UDP answer that says it is truncated is passed on
//! as it is: the client asks again over TCP, and so do we.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

/// How long one upstream has to answer.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

/// The largest DNS message.
const MAX_MESSAGE: usize = 65_535;

fn id_of(packet: &[u8]) -> Option<[u8; 2]> {
    Some([*packet.first()?, *packet.get(1)?])
}

/// The answer of the first upstream to answer `packet` over UDP.
pub async fn udp(upstreams: &[IpAddr], packet: &[u8]) -> Option<Vec<u8>> {
    let id = id_of(packet)?;
    for &server in upstreams {
        let local: SocketAddr = match server {
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let Ok(socket) = UdpSocket::bind(local).await else {
            continue;
        };
        let target = SocketAddr::new(server, 53);
        if socket.connect(target).await.is_err() || socket.send(packet).await.is_err() {
            continue;
        }
        let mut buf = vec![0u8; MAX_MESSAGE];
        let asked = async {
            loop {
                let n = socket.recv(&mut buf).await.ok()?;
                if id_of(&buf[..n]) == Some(id) {
                    return Some(buf[..n].to_vec());
                }
            }
        };
        match timeout(UPSTREAM_TIMEOUT, asked).await {
            Ok(Some(reply)) => return Some(reply),
            _ => tracing::debug!(%server, "no DNS answer over UDP"),
        }
    }
    None
}

/// The answer of the first upstream to answer `packet` over TCP.
pub async fn tcp(upstreams: &[IpAddr], packet: &[u8]) -> Option<Vec<u8>> {
    let id = id_of(packet)?;
    let len = u16::try_from(packet.len()).ok()?;
    for &server in upstreams {
        let asked = async {
            let mut stream = TcpStream::connect(SocketAddr::new(server, 53)).await.ok()?;
            stream.write_all(&len.to_be_bytes()).await.ok()?;
            stream.write_all(packet).await.ok()?;
            read_message(&mut stream).await
        };
        match timeout(UPSTREAM_TIMEOUT, asked).await {
            Ok(Some(reply)) if id_of(&reply) == Some(id) => return Some(reply),
            _ => tracing::debug!(%server, "no DNS answer over TCP"),
        }
    }
    None
}

/// One length-prefixed DNS message from a TCP stream (`None` at its end).
pub async fn read_message<R: AsyncReadExt + Unpin>(stream: &mut R) -> Option<Vec<u8>> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await.ok()?;
    let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut message).await.ok()?;
    Some(message)
}

/// Writes `message` length-prefixed to a TCP stream.
pub async fn write_message<W: AsyncWriteExt + Unpin>(stream: &mut W, message: &[u8]) -> bool {
    let Ok(len) = u16::try_from(message.len()) else {
        return false;
    };
    stream.write_all(&len.to_be_bytes()).await.is_ok() && stream.write_all(message).await.is_ok()
}
