//! Request bodies a handler left unread. A handler may answer without
//! reading the body (an error found from the path or the query, such as
//! a copy into a read-only mount); closing the connection then would cut
//! off a client that is still writing it, and the docker CLI reports the
//! broken pipe instead of the answer. Like dockerd's HTTP server, the
//! router reads what is left of such a body, up to [`DRAIN_LIMIT`] bytes
//! and [`DRAIN_TIME`], before the answer goes out; a longer body still
//! ends the connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Body as _, Incoming};

/// The most bytes of an unread body read before answering.
pub const DRAIN_LIMIT: usize = 256 << 10;

/// The longest the answer waits for the rest of an unread body.
pub const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Where a request's body goes back when the handler drops it before its
/// end; shared by the request ([`super::Ctx`]), its body stream and the
/// router.
#[derive(Clone, Default)]
pub(crate) struct Unread(Arc<Mutex<Option<Incoming>>>);

impl Unread {
    /// Keeps `body`, being dropped, for the router unless it has ended.
    pub(crate) fn put_back(&self, body: Incoming) {
        if body.is_end_stream() {
            return;
        }
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(body);
        }
    }

    /// Reads what is left of a body put back, within the limits.
    pub(crate) async fn drain(&self) {
        let body = match self.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(_) => None,
        };
        let Some(mut body) = body else {
            return;
        };
        let read = async {
            let mut seen = 0usize;
            while let Some(Ok(frame)) = body.frame().await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > DRAIN_LIMIT {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, read).await;
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use hyper::{Request, Response};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::UnixStream;

    use super::*;
    use crate::body::Body;
    use crate::error::ApiError;
    use crate::server::route::{self, Route, Routing};
    use crate::server::{serve, HttpService, Listener, ServerInfo};

    const ROUTES: &[Route] = &[Route {
        method: "PUT",
        path: "/containers/{id}/archive",
    }];

    /// Answers every request with a 400 before reading its body.
    struct Refuses(Routing);

    impl HttpService for Refuses {
        fn call(
            &self,
            req: Request<Incoming>,
        ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
            Box::pin(route::handle(req, &self.0, |_, _cx| async {
                Err(ApiError {
                    status: 400,
                    message: "mounted volume is marked read-only".into(),
                })
            }))
        }
    }

    /// Reads one answer's head and its body of `Content-Length` bytes.
    async fn answer(conn: &mut UnixStream) -> String {
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            assert_eq!(conn.read(&mut byte).await.unwrap(), 1, "{got:?}");
            got.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&got).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        let mut body = vec![0u8; len];
        conn.read_exact(&mut body).await.unwrap();
        head + &String::from_utf8_lossy(&body)
    }

    /// A client that sends its body in pieces after the server refused
    /// the request still writes all of it and reads the answer, and the
    /// connection serves its next request; a body past the limit ends
    /// the connection after the answer.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unread_body_is_read_before_the_answer() {
        let dir = std::env::temp_dir().join(format!("unread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("s.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = Listener::bind_unix(&socket, None).unwrap();
        let info = ServerInfo {
            server: "test".into(),
            os_type: "linux".into(),
            experimental: false,
        };
        let service = Arc::new(Refuses(Routing::new(ROUTES, &info)));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));

        let mut conn = UnixStream::connect(&socket).await.unwrap();
        let piece = vec![b'x'; 16 << 10];
        let pieces = 8;
        let head = format!(
            "PUT /containers/c/archive?path=/ro HTTP/1.1\r\nHost: d\r\nContent-Length: {}\r\n\r\n",
            piece.len() * pieces
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        for _ in 0..pieces {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            conn.write_all(&piece).await.unwrap();
        }
        let first = answer(&mut conn).await;
        assert!(first.starts_with("HTTP/1.1 400"), "{first}");
        assert!(first.contains("read-only"), "{first}");
        // The same connection serves the next request.
        conn.write_all(
            b"PUT /containers/c/archive HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n",
        )
        .await
        .unwrap();
        let second = answer(&mut conn).await;
        assert!(second.starts_with("HTTP/1.1 400"), "{second}");

        // Past the limit: the answer, then the end of the connection.
        let mut conn = UnixStream::connect(&socket).await.unwrap();
        let big = DRAIN_LIMIT + (64 << 10);
        let head = format!(
            "PUT /containers/c/archive HTTP/1.1\r\nHost: d\r\nContent-Length: {}\r\n\r\n",
            big * 2
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.write_all(&vec![b'y'; big]).await.unwrap();
        let third = answer(&mut conn).await;
        assert!(third.starts_with("HTTP/1.1 400"), "{third}");
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(DRAIN_TIME * 2, conn.read_to_end(&mut rest)).await;
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));

        let _ = stop.send(());
        let _ = server.await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
