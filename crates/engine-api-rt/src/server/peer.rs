//! What the server knows of the other end of a connection: the listener
//! it came in on and, over TLS, the client certificate chain the
//! handshake verified. [`serve`](super::serve) puts one [`Peer`] in the
//! extensions of every request, so a service that decides by who is
//! asking (a proxy's identities) can read it; one that does not ignores it.

use std::sync::Arc;

/// The other end of the connection a request came on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Peer {
    listener: Arc<str>,
    client_certificates: Arc<[Vec<u8>]>,
}

impl Peer {
    /// A peer of the listener at `listener` (its address as
    /// [`Listener::local_addr`](super::Listener::local_addr) gives it)
    /// that presented `client_certificates` (DER, its own first).
    pub fn new(listener: Arc<str>, client_certificates: Vec<Vec<u8>>) -> Peer {
        Peer {
            listener,
            client_certificates: client_certificates.into(),
        }
    }

    /// The address of the listener the connection came in on
    /// (`unix:///path`, `tcp://host:port`).
    pub fn listener(&self) -> &str {
        &self.listener
    }

    /// The client's own certificate (DER), verified against the
    /// listener's CA: present on TLS connections only.
    pub fn client_certificate(&self) -> Option<&[u8]> {
        self.client_certificates.first().map(Vec::as_slice)
    }

    /// The whole chain the client presented, its own certificate first;
    /// empty without TLS.
    pub fn client_certificates(&self) -> &[Vec<u8>] {
        &self.client_certificates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use crate::server::{serve, HttpService, Listener};
    use hyper::body::Incoming;
    use hyper::{Request, Response};
    use std::future::Future;
    use std::pin::Pin;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Answers with what the request's peer says.
    struct Echo;

    impl HttpService for Echo {
        fn call(
            &self,
            req: Request<Incoming>,
        ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
            let text = match req.extensions().get::<Peer>() {
                Some(p) => format!(
                    "{} certs={} own={}",
                    p.listener(),
                    p.client_certificates().len(),
                    p.client_certificate().is_some()
                ),
                None => "no peer".to_string(),
            };
            Box::pin(async move { Response::new(crate::body::bytes(text)) })
        }
    }

    #[tokio::test]
    async fn every_request_carries_its_listener() {
        let dir = std::env::temp_dir().join(format!("rt-peer-{}", std::process::id()));
        let path = dir.join("api.sock");
        let listener = Listener::bind_unix(&path, None).unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, std::sync::Arc::new(Echo), async move {
            let _ = stop_rx.await;
        }));
        let mut conn = tokio::net::UnixStream::connect(&path).await.unwrap();
        conn.write_all(b"GET /_ping HTTP/1.0\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        conn.read_to_string(&mut out).await.unwrap();
        let _ = stop_tx.send(());
        server.await.unwrap().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let want = format!("unix://{} certs=0 own=false", path.display());
        assert!(out.ends_with(&want), "{out}");
    }
}
