//! Loopback ports for the servers a test starts (registries, sshd, TLS
//! listeners): one the kernel has just handed out and released, so it is
//! free unless something else binds it in between.

use std::net::TcpListener;

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}
