//! A fault-injecting HTTP/1.1 proxy on loopback, between devices and the hub.
//!
//! It reads each request whole (headers and a `Content-Length` body), then,
//! on a seeded random schedule, passes it on or: drops the connection
//! mid-request (half the request reaches the hub), drops it mid-response (the
//! hub answered, the device gets part of the answer), delays it, delivers a
//! truncated body that is framed as complete (request to the hub, or response
//! to the device), or delivers the request to the hub twice and returns one
//! of the two replies. Every upstream exchange uses a fresh connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::Rng;

/// How the proxy treats requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Pass everything.
    Clean = 0,
    /// About half the requests get a random fault.
    Random = 1,
    /// Every connection is dropped mid-request (the hub looks unreachable).
    Down = 2,
    /// Every reply reaches the device truncated, framed as complete.
    Corrupt = 3,
    /// Every request reaches the hub whole and its reply is cut off: the
    /// hub committed, the device never hears so.
    LoseReplies = 4,
    /// Every request reaches the hub twice; the device gets one reply.
    Twice = 5,
}

#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicUsize,
    pub passed: AtomicUsize,
    pub drop_mid_request: AtomicUsize,
    pub drop_mid_response: AtomicUsize,
    pub delayed: AtomicUsize,
    pub truncated_request: AtomicUsize,
    pub truncated_response: AtomicUsize,
    pub duplicated: AtomicUsize,
    /// Requests the hub took whole (connected, every byte written) and never
    /// answered whole: the hub died, or dropped the connection, holding them.
    pub unanswered: AtomicUsize,
}

impl Counters {
    pub fn faults(&self) -> usize {
        [
            &self.drop_mid_request,
            &self.drop_mid_response,
            &self.delayed,
            &self.truncated_request,
            &self.truncated_response,
            &self.duplicated,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }

    pub fn summary(&self) -> String {
        let g = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        format!(
            "requests {}, passed clean {}, faults {} (dropped mid-request {}, dropped mid-response {}, \
             delayed {}, truncated request {}, truncated response {}, delivered twice {})",
            g(&self.requests),
            g(&self.passed),
            self.faults(),
            g(&self.drop_mid_request),
            g(&self.drop_mid_response),
            g(&self.delayed),
            g(&self.truncated_request),
            g(&self.truncated_response),
            g(&self.duplicated),
        )
    }
}

struct Shared {
    upstream: SocketAddr,
    mode: AtomicU8,
    rng: Mutex<Rng>,
    counters: Counters,
}

pub struct Proxy {
    pub url: String,
    shared: Arc<Shared>,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    DropMidRequest,
    DropMidResponse,
    Delay(u64),
    TruncateRequest,
    TruncateResponse,
    Twice { first_reply: bool },
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1:0 in front of `upstream`.
    pub fn start(
        rt: &tokio::runtime::Runtime,
        upstream: SocketAddr,
        seed: u64,
        mode: Mode,
    ) -> Proxy {
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            upstream,
            mode: AtomicU8::new(mode as u8),
            rng: Mutex::new(Rng::new(seed)),
            counters: Counters::default(),
        });
        let s = shared.clone();
        rt.spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(handle(conn, s.clone()));
            }
        });
        Proxy { url, shared }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }
}

impl Shared {
    fn choose(&self, has_body: bool) -> (Fault, u64) {
        let mut rng = self.rng.lock().unwrap();
        let cut = rng.next_u64();
        let fault = match self.mode.load(Ordering::SeqCst) {
            0 => Fault::Pass,
            2 => Fault::DropMidRequest,
            3 => Fault::TruncateResponse,
            4 => Fault::DropMidResponse,
            5 => Fault::Twice {
                first_reply: rng.chance(50),
            },
            _ => match rng.below(12) {
                0 => Fault::DropMidRequest,
                1 => Fault::DropMidResponse,
                2 => Fault::Delay(20 + rng.below(300)),
                3 if has_body => Fault::TruncateRequest,
                4 => Fault::TruncateResponse,
                5 => Fault::Twice {
                    first_reply: rng.chance(50),
                },
                _ => Fault::Pass,
            },
        };
        (fault, cut)
    }
}

/// One HTTP message read whole: head (through the blank line) and body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

impl Message {
    fn bytes(&self) -> Vec<u8> {
        [self.head.as_slice(), self.body.as_slice()].concat()
    }

    /// The same message with its body cut to `len` bytes and framed as
    /// complete (`Content-Length: len`).
    fn truncated(&self, len: usize) -> Vec<u8> {
        let head = String::from_utf8_lossy(&self.head);
        let mut out = String::new();
        for line in head.split("\r\n") {
            if line.is_empty() {
                continue;
            }
            if line.to_ascii_lowercase().starts_with("content-length:") {
                out.push_str(&format!("content-length: {len}\r\n"));
            } else {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        out.push_str("\r\n");
        [out.as_bytes(), &self.body[..len]].concat()
    }
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Reads one message; `None` at end of stream or on an error.
async fn read_message(conn: &mut TcpStream) -> Option<Message> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 16384];
    let head_len = loop {
        if let Some(n) = find_blank_line(&buf) {
            break n;
        }
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_len]).to_ascii_lowercase();
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &buf[head_len..];
        let done = match length {
            Some(len) => body.len() >= len,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => true,
        };
        if done {
            break;
        }
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.split_off(head_len);
    Some(Message { head: buf, body })
}

/// Sends `request` to the hub on a fresh connection and reads its reply.
async fn exchange(s: &Shared, request: &[u8]) -> Option<Message> {
    let mut up = TcpStream::connect(s.upstream).await.ok()?;
    up.write_all(request).await.ok()?;
    let reply = read_message(&mut up).await;
    if reply.is_none() {
        s.counters.unanswered.fetch_add(1, Ordering::SeqCst);
    }
    reply
}

async fn handle(mut client: TcpStream, s: Arc<Shared>) {
    let c = &s.counters;
    while let Some(req) = read_message(&mut client).await {
        c.requests.fetch_add(1, Ordering::Relaxed);
        let (fault, cut) = s.choose(!req.body.is_empty());
        let reply = match fault {
            Fault::Pass => {
                c.passed.fetch_add(1, Ordering::Relaxed);
                exchange(&s, &req.bytes()).await
            }
            Fault::Delay(ms) => {
                c.delayed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                exchange(&s, &req.bytes()).await
            }
            Fault::DropMidRequest => {
                c.drop_mid_request.fetch_add(1, Ordering::Relaxed);
                let bytes = req.bytes();
                let part = &bytes[..(cut as usize % bytes.len().max(1))];
                if let Ok(mut up) = TcpStream::connect(s.upstream).await {
                    let _ = up.write_all(part).await;
                    let _ = up.shutdown().await;
                }
                return; // both connections dropped
            }
            Fault::DropMidResponse => {
                c.drop_mid_response.fetch_add(1, Ordering::Relaxed);
                if let Some(resp) = exchange(&s, &req.bytes()).await {
                    let bytes = resp.bytes();
                    let _ = client
                        .write_all(&bytes[..(cut as usize % bytes.len().max(1))])
                        .await;
                }
                return;
            }
            Fault::TruncateRequest => {
                c.truncated_request.fetch_add(1, Ordering::Relaxed);
                let len = cut as usize % req.body.len().max(1);
                exchange(&s, &req.truncated(len)).await
            }
            Fault::TruncateResponse => {
                c.truncated_response.fetch_add(1, Ordering::Relaxed);
                exchange(&s, &req.bytes()).await.map(|resp| {
                    let len = cut as usize % resp.body.len().max(1);
                    Message {
                        head: Vec::new(),
                        body: resp.truncated(len),
                    }
                })
            }
            Fault::Twice { first_reply } => {
                c.duplicated.fetch_add(1, Ordering::Relaxed);
                let bytes = req.bytes();
                let one = exchange(&s, &bytes).await;
                let two = exchange(&s, &bytes).await;
                if first_reply {
                    one
                } else {
                    two
                }
            }
        };
        let Some(reply) = reply else { return };
        if client.write_all(&reply.bytes()).await.is_err() {
            return;
        }
    }
}
