//! The embedded DNS server of each running container on a user network:
//! a UDP socket and a TCP listener on [`EMBEDDED_ADDRESS`]`:53` inside the
//! container's namespace, served by tasks on the daemon's runtime.
//!
//! The sockets are bound by a thread that joins the container's namespace
//! for that alone (the daemon's threads never change namespace); a socket
//! stays in the namespace it was made in, so the tasks serve it from
//! anywhere, and forward from the host's namespace. [`Servers::stop`]
//! ends the tasks, which closes the sockets (and lets the namespace go).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::answer::{self, Decision};
use super::forward;
use super::names::Neighbour;
use super::resolv_conf::EMBEDDED_ADDRESS;
use crate::networks::error::{NetworkError, Result};
use crate::sync::lock;

/// The names the asking container sees now (read at every query, so a
/// container that comes or goes on a network is known at once).
pub type NeighboursFn = Arc<dyn Fn() -> Vec<Neighbour> + Send + Sync>;

/// Queries one container's server works on at once; more wait.
const IN_FLIGHT: usize = 64;

/// How long a TCP client may stay silent.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// The pause after a socket error (out of descriptors, say) before the
/// next try, so a failing socket cannot spin.
const ERROR_PAUSE: Duration = Duration::from_millis(50);

/// The servers of the running containers, by container id.
#[derive(Default)]
pub struct Servers {
    running: Mutex<HashMap<String, JoinSet<()>>>,
}

/// Binds the UDP socket and TCP listener on [`EMBEDDED_ADDRESS`]`:53` in
/// the namespace held at `netns`.
fn bind_in(netns: &Path) -> Result<(std::net::UdpSocket, std::net::TcpListener)> {
    let path = netns.to_path_buf();
    let thread = std::thread::spawn(move || -> Result<_> {
        let file = std::fs::File::open(&path)
            .map_err(|e| NetworkError::io(format!("opening {}", path.display()), e))?;
        // SAFETY: setns on an open namespace file, for this thread only.
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(NetworkError::io(
                format!("joining {}", path.display()),
                std::io::Error::last_os_error(),
            ));
        }
        let address = SocketAddr::new(EMBEDDED_ADDRESS.into(), 53);
        let bound = |what: &str, e| NetworkError::io(format!("the DNS server's {what} socket"), e);
        let udp = std::net::UdpSocket::bind(address).map_err(|e| bound("UDP", e))?;
        let tcp = std::net::TcpListener::bind(address).map_err(|e| bound("TCP", e))?;
        udp.set_nonblocking(true).map_err(|e| bound("UDP", e))?;
        tcp.set_nonblocking(true).map_err(|e| bound("TCP", e))?;
        Ok((udp, tcp))
    });
    thread.join().map_err(|_| NetworkError::Netlink {
        what: "the DNS server".into(),
        message: "the namespace thread panicked".into(),
    })?
}

/// The reply to `packet`: ours, an upstream's, or SERVFAIL.
async fn reply(
    packet: &[u8],
    neighbours: &NeighboursFn,
    upstreams: &[IpAddr],
    tcp: bool,
) -> Option<Vec<u8>> {
    match answer::decide(packet, &neighbours()) {
        Decision::Answer(bytes) => Some(bytes),
        Decision::Drop => None,
        Decision::Forward => {
            let asked = if tcp {
                forward::tcp(upstreams, packet).await
            } else {
                forward::udp(upstreams, packet).await
            };
            asked.or_else(|| answer::servfail(packet))
        }
    }
}

async fn serve_udp(
    socket: tokio::net::UdpSocket,
    neighbours: NeighboursFn,
    upstreams: Arc<Vec<IpAddr>>,
) {
    let socket = Arc::new(socket);
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            tokio::time::sleep(ERROR_PAUSE).await;
            continue;
        };
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let packet = buf[..n].to_vec();
        let (socket, neighbours, upstreams) =
            (socket.clone(), neighbours.clone(), upstreams.clone());
        tasks.spawn(async move {
            if let Some(bytes) = reply(&packet, &neighbours, &upstreams, false).await {
                let _ = socket.send_to(&bytes, from).await;
            }
            drop(slot);
        });
        while tasks.try_join_next().is_some() {}
    }
}

async fn serve_tcp(
    listener: tokio::net::TcpListener,
    neighbours: NeighboursFn,
    upstreams: Arc<Vec<IpAddr>>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            tokio::time::sleep(ERROR_PAUSE).await;
            continue;
        };
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (neighbours, upstreams) = (neighbours.clone(), upstreams.clone());
        tasks.spawn(async move {
            while let Ok(Some(packet)) =
                tokio::time::timeout(TCP_IDLE, forward::read_message(&mut stream)).await
            {
                let Some(bytes) = reply(&packet, &neighbours, &upstreams, true).await else {
                    break;
                };
                if !forward::write_message(&mut stream, &bytes).await {
                    break;
                }
            }
            drop(slot);
        });
        while tasks.try_join_next().is_some() {}
    }
}

impl Servers {
    /// Starts the server of container `container` in the namespace held at
    /// `netns`, forwarding to `upstreams` (the embedded address itself is
    /// left out); one already running for it is stopped first. Call on
    /// the daemon's runtime.
    pub fn start(
        &self,
        container: &str,
        netns: &Path,
        upstreams: Vec<IpAddr>,
        neighbours: NeighboursFn,
    ) -> Result<()> {
        self.stop(container);
        let (udp, tcp) = bind_in(netns)?;
        let udp = tokio::net::UdpSocket::from_std(udp)
            .map_err(|e| NetworkError::io("the DNS server's UDP socket", e))?;
        let tcp = tokio::net::TcpListener::from_std(tcp)
            .map_err(|e| NetworkError::io("the DNS server's TCP socket", e))?;
        let own: IpAddr = EMBEDDED_ADDRESS.into();
        let upstreams = Arc::new(
            upstreams
                .into_iter()
                .filter(|u| *u != own)
                .collect::<Vec<_>>(),
        );
        let mut tasks = JoinSet::new();
        tasks.spawn(serve_udp(udp, neighbours.clone(), upstreams.clone()));
        tasks.spawn(serve_tcp(tcp, neighbours, upstreams));
        lock(&self.running).insert(container.to_string(), tasks);
        Ok(())
    }

    /// Stops container `container`'s server, if it has one; its sockets
    /// close as its tasks end.
    pub fn stop(&self, container: &str) {
        let tasks = lock(&self.running).remove(container);
        drop(tasks);
    }

    /// Whether container `container` has a server running.
    pub fn is_running(&self, container: &str) -> bool {
        lock(&self.running).contains_key(container)
    }
}
