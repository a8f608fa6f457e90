//! The pluggable transport: [`Dial`] opens one byte stream to a daemon (or
//! to anything that speaks HTTP/1 like one), and the client runs its pool,
//! requests, upgrades and streams over it. The built-in unix, tcp, TLS and
//! ssh connections are dialers too; a custom one lets a test talk to an
//! in-memory server (`tokio::io::duplex`), a proxy, or a socket the crate
//! does not know.

use std::future::Future;
use std::io;
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite};

/// A connection a [`Dial`] returns: any async byte stream.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// What [`Dial::dial`] returns.
pub type DialFuture = Pin<Box<dyn Future<Output = io::Result<Box<dyn Io>>> + Send>>;

/// Opens connections for a client; called once per pooled connection.
pub trait Dial: Send + Sync + 'static {
    /// A new connection to the daemon.
    fn dial(&self) -> DialFuture;
}

/// A [`Dial`] from a closure returning a future of a connection (see
/// [`dial_fn`]).
#[derive(Clone)]
pub struct DialFn<F>(F);

impl<F> std::fmt::Debug for DialFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DialFn")
    }
}

/// A dialer from a closure: `dial_fn(|| async { Ok(stream) })`.
pub fn dial_fn<F, Fut, S>(f: F) -> DialFn<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<S>> + Send + 'static,
    S: Io,
{
    DialFn(f)
}

impl<F, Fut, S> Dial for DialFn<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<S>> + Send + 'static,
    S: Io,
{
    fn dial(&self) -> DialFuture {
        let fut = (self.0)();
        Box::pin(async move { fut.await.map(|s| Box::new(s) as Box<dyn Io>) })
    }
}
