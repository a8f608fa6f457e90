//! The userland proxy: for each published port of a running container a
//! listener on the host (TCP) or a socket (UDP) whose traffic engined
//! relays to the container's address, in tasks on the daemon's runtime
//! that [`Proxies::stop`] ends (closing the host's sockets). With the
//! proxy off (`userland-proxy: false`) the port is held (listening, never
//! accepting) but not served: NAT carries its traffic, and no other
//! program takes it.
//!
//! A random host port is dockerd's pick ([`super::range`]); a range takes
//! its first free port; a port that cannot be bound is dockerd's "port is
//! already allocated".

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinSet;

use super::range::{self, Picker};
use super::spec::{Proto, Wanted};
use super::splice;
use crate::networks::error::{NetworkError, Result};
use crate::sync::lock;

/// A UDP peer's relay ends after this long without traffic.
const UDP_IDLE: Duration = Duration::from_secs(90);

/// One binding a running container got (kept with its endpoints, so a
/// restarted daemon publishes the same ports again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub proto: Proto,
    pub container_port: u16,
    pub host_ip: IpAddr,
    pub host_port: u16,
}

struct Running {
    published: Vec<Published>,
    _tasks: JoinSet<()>,
}

/// The proxies of the running containers, by container id.
pub struct Proxies {
    running: Mutex<HashMap<String, Running>>,
    /// Serve the ports (`userland-proxy`), or only hold them.
    serve: bool,
    picker: Mutex<Picker>,
}

impl Default for Proxies {
    /// The proxy on, as dockerd's default.
    fn default() -> Proxies {
        Proxies::new(true)
    }
}

enum Bound {
    Tcp(TcpListener),
    Udp(UdpSocket),
    /// A TCP port held for NAT: listening (so it is reserved like any
    /// listener, and a closed connection's TIME_WAIT on it does not block
    /// the next container) but never accepting, as dockerd's reservation
    /// without the proxy.
    Held(TcpListener),
}

async fn bind(proto: Proto, at: SocketAddr, serve: bool) -> std::io::Result<Bound> {
    match (proto, serve) {
        (Proto::Tcp, true) => TcpListener::bind(at).await.map(Bound::Tcp),
        (Proto::Tcp, false) => TcpListener::bind(at).await.map(Bound::Held),
        (Proto::Udp, _) => UdpSocket::bind(at).await.map(Bound::Udp),
    }
}

impl Proxies {
    /// No proxies yet; `serve` is `userland-proxy`.
    pub fn new(serve: bool) -> Proxies {
        Proxies {
            running: Mutex::new(HashMap::new()),
            serve,
            picker: Mutex::new(Picker::default()),
        }
    }

    /// Binds what `w` asks for: its port (the first free one of its
    /// range), or a random one from dockerd's range.
    async fn bind_wanted(&self, w: &Wanted) -> Result<(Bound, u16)> {
        let random = w.host_ports.is_none();
        let ports = match w.host_ports {
            Some((first, last)) => (first..=last).collect(),
            None => lock(&self.picker).order(w.host_ip, w.proto, range::dynamic()),
        };
        for port in ports {
            match bind(w.proto, SocketAddr::new(w.host_ip, port), self.serve).await {
                Ok(bound) => {
                    if random {
                        lock(&self.picker).taken(w.host_ip, w.proto, port);
                    }
                    return Ok((bound, port));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) => {
                    return Err(NetworkError::io(
                        format!("listening on {}:{port}", w.host_ip),
                        e,
                    ))
                }
            }
        }
        Err(match w.host_ports {
            Some((first, _)) => NetworkError::Programming(format!(
                "Bind for {}:{first} failed: port is already allocated",
                w.host_ip
            )),
            None => NetworkError::Programming("all ports are allocated".into()),
        })
    }
}

async fn relay_tcp(listener: TcpListener, target: SocketAddr) {
    let mut conns = JoinSet::new();
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        conns.spawn(async move {
            if let Ok(outbound) = TcpStream::connect(target).await {
                let _ = outbound.set_nodelay(true);
                let _ = inbound.set_nodelay(true);
                let _ = splice::relay(inbound, outbound).await;
            }
        });
        while conns.try_join_next().is_some() {}
    }
}

async fn relay_udp(socket: UdpSocket, target: SocketAddr) {
    let socket = Arc::new(socket);
    let mut peers: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut relays = JoinSet::new();
    let mut buf = vec![0u8; 65_535];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        peers.retain(|_, s| Arc::strong_count(s) > 1);
        let upstream = match peers.get(&from) {
            Some(s) => s.clone(),
            None => {
                let local: SocketAddr = match target {
                    SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
                    SocketAddr::V6(_) => ([0u16; 8], 0).into(),
                };
                let Ok(s) = UdpSocket::bind(local).await else {
                    continue;
                };
                if s.connect(target).await.is_err() {
                    continue;
                }
                let s = Arc::new(s);
                peers.insert(from, s.clone());
                let (back, host) = (s.clone(), socket.clone());
                relays.spawn(async move {
                    let mut buf = vec![0u8; 65_535];
                    while let Ok(Ok(n)) = tokio::time::timeout(UDP_IDLE, back.recv(&mut buf)).await
                    {
                        let _ = host.send_to(&buf[..n], from).await;
                    }
                });
                s
            }
        };
        let _ = upstream.send(&buf[..n]).await;
        while relays.try_join_next().is_some() {}
    }
}

impl Proxies {
    /// Publishes `wanted` of container `container`, relaying to
    /// `container_ip`; all or nothing. Call on the daemon's runtime.
    pub async fn start(
        &self,
        container: &str,
        container_ip: IpAddr,
        wanted: &[Wanted],
    ) -> Result<Vec<Published>> {
        self.stop(container);
        let mut tasks = JoinSet::new();
        let mut published = Vec::new();
        for w in wanted {
            let (bound, host_port) = self.bind_wanted(w).await?;
            let target = SocketAddr::new(container_ip, w.container_port);
            match (bound, self.serve) {
                (Bound::Tcp(l), _) => {
                    tasks.spawn(relay_tcp(l, target));
                }
                (Bound::Udp(s), true) => {
                    tasks.spawn(relay_udp(s, target));
                }
                // Held until the tasks end: the socket lives in a task
                // that only waits.
                (Bound::Udp(s), false) => {
                    tasks.spawn(async move {
                        let _held = s;
                        std::future::pending::<()>().await
                    });
                }
                (Bound::Held(s), _) => {
                    tasks.spawn(async move {
                        let _held = s;
                        std::future::pending::<()>().await
                    });
                }
            };
            published.push(Published {
                proto: w.proto,
                container_port: w.container_port,
                host_ip: w.host_ip,
                host_port,
            });
        }
        lock(&self.running).insert(
            container.to_string(),
            Running {
                published: published.clone(),
                _tasks: tasks,
            },
        );
        Ok(published)
    }

    /// Ends container `container`'s proxies, if any.
    pub fn stop(&self, container: &str) {
        let gone = lock(&self.running).remove(container);
        drop(gone);
    }

    /// The bindings container `container` has while it runs.
    pub fn published(&self, container: &str) -> Vec<Published> {
        lock(&self.running)
            .get(container)
            .map(|r| r.published.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn tcp_is_relayed_and_a_taken_port_is_refused() {
        let backend = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let backend_port = backend.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = backend.accept().await.unwrap();
            s.write_all(b"hello").await.unwrap();
        });
        let proxies = Proxies::default();
        let w = Wanted {
            proto: Proto::Tcp,
            container_port: backend_port,
            host_ip: "127.0.0.1".parse().unwrap(),
            host_ports: None,
        };
        let got = proxies
            .start("c1", "127.0.0.1".parse().unwrap(), std::slice::from_ref(&w))
            .await
            .unwrap();
        let port = got[0].host_port;
        assert_ne!(port, 0);
        let mut client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut text = String::new();
        client.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "hello");
        let taken = Wanted {
            host_ports: Some((port, port)),
            ..w
        };
        let refused = Proxies::default()
            .start("c2", "127.0.0.1".parse().unwrap(), &[taken])
            .await
            .unwrap_err();
        assert!(
            refused.to_string().ends_with("port is already allocated"),
            "{refused}"
        );
        proxies.stop("c1");
        assert!(proxies.published("c1").is_empty());
    }

    /// Without the proxy a port is held: a second holder is refused, and a
    /// port whose last connection the host closed (TIME_WAIT) can be held
    /// again at once, as when a container is started again.
    #[tokio::test]
    async fn a_held_port_is_reserved_and_free_again_after_time_wait() {
        let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = server.local_addr().unwrap().port();
        let client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let (accepted, _) = server.accept().await.unwrap();
        // The host's side closes first, so it is its socket that waits.
        drop(accepted);
        drop(server);
        let mut client = client;
        let mut rest = Vec::new();
        let _ = client.read_to_end(&mut rest).await;
        drop(client);

        let wanted = Wanted {
            proto: Proto::Tcp,
            container_port: 80,
            host_ip: "127.0.0.1".parse().unwrap(),
            host_ports: Some((port, port)),
        };
        let held = Proxies::new(false);
        let published = held
            .start(
                "c1",
                "10.0.0.2".parse().unwrap(),
                std::slice::from_ref(&wanted),
            )
            .await
            .unwrap();
        assert_eq!(published[0].host_port, port);
        let refused = Proxies::new(false)
            .start("c2", "10.0.0.3".parse().unwrap(), &[wanted])
            .await
            .unwrap_err();
        assert!(
            refused.to_string().ends_with("port is already allocated"),
            "{refused}"
        );
    }
}
