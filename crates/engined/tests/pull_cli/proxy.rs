//! A slow TCP relay in front of the registry: answers trickle through in
//! small steps, so a test can act (kill the registry) while a pull is
//! half-way. When the registry's side closes, so does the client's.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Bytes passed on per step, and the pause after each.
const STEP: usize = 32 * 1024;
const PAUSE: Duration = Duration::from_millis(25);

pub struct SlowProxy {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, slow: bool, stop: Arc<AtomicBool>) {
    let mut buf = vec![0u8; STEP];
    while !stop.load(Ordering::SeqCst) {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                if slow {
                    std::thread::sleep(PAUSE);
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl SlowProxy {
    /// Relays 127.0.0.1:<new port> to `upstream`.
    pub fn start(upstream: &str) -> SlowProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let upstream = upstream.to_string();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut pumps = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                let client = match listener.accept() {
                    Ok((c, _)) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(&upstream) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                for s in [&client, &server] {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                }
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (f1, f2) = (flag.clone(), flag.clone());
                pumps.push(std::thread::spawn(move || pump(client, server, false, f1)));
                pumps.push(std::thread::spawn(move || pump(s2, c2, true, f2)));
            }
            for p in pumps {
                let _ = p.join();
            }
        });
        SlowProxy {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}
