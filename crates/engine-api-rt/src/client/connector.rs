//! Opens connections to a daemon for the client's pool: unix sockets
//! (on unix platforms), plain TCP, TCP with TLS (rustls, feature `tls`), and any
//! [`Dial`] (ssh, or one a user plugs in), behind one stream type.

use std::io;
#[cfg(unix)]
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;
#[cfg(feature = "tls")]
use tokio_rustls::rustls::pki_types::ServerName;
#[cfg(feature = "tls")]
use tokio_rustls::rustls::ClientConfig;
#[cfg(feature = "tls")]
use tokio_rustls::TlsConnector;

use super::dial::{Dial, Io};

/// Where connections go.
pub(crate) enum Connector {
    #[cfg(unix)]
    Unix(PathBuf),
    Tcp(String),
    #[cfg(feature = "tls")]
    Tls {
        addr: String,
        server_name: ServerName<'static>,
        config: Arc<ClientConfig>,
    },
    Custom(Arc<dyn Dial>),
}

/// One connection to the daemon.
#[non_exhaustive]
pub enum Stream {
    /// Over a unix socket (`unix://`).
    #[cfg(unix)]
    Unix(UnixStream),
    /// Over plain TCP (`tcp://` without TLS).
    Tcp(TcpStream),
    /// Over TCP with TLS (`tcp://` with DOCKER_TLS_VERIFY; feature `tls`).
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// Whatever a [`Dial`] opened (ssh's stdin and stdout, an in-memory pipe).
    Custom(Box<dyn Io>),
}

impl Connector {
    /// Whether a new connection costs no more than a socket: a unix socket
    /// or plain TCP, not TLS or a dialer (ssh starts a process).
    pub(crate) fn opens_cheaply(&self) -> bool {
        match self {
            #[cfg(unix)]
            Connector::Unix(_) => true,
            Connector::Tcp(_) => true,
            #[cfg(feature = "tls")]
            Connector::Tls { .. } => false,
            Connector::Custom(_) => false,
        }
    }

    /// A new connection to the daemon.
    pub(crate) async fn connect(&self) -> io::Result<Stream> {
        Ok(match self {
            #[cfg(unix)]
            Connector::Unix(path) => Stream::Unix(
                UnixStream::connect(path)
                    .await
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?,
            ),
            Connector::Tcp(addr) => {
                let tcp = TcpStream::connect(addr.as_str()).await?;
                tcp.set_nodelay(true)?;
                Stream::Tcp(tcp)
            }
            #[cfg(feature = "tls")]
            Connector::Tls {
                addr,
                server_name,
                config,
            } => {
                let tcp = TcpStream::connect(addr.as_str()).await?;
                tcp.set_nodelay(true)?;
                let tls = TlsConnector::from(config.clone())
                    .connect(server_name.clone(), tcp)
                    .await?;
                Stream::Tls(Box::new(tls))
            }
            Connector::Custom(dial) => Stream::Custom(dial.dial().await?),
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
