//! Sending one request of the scenario through the generated client's
//! runtime (`Call` and `Client::send`, as the generated methods do) and
//! reading its answer within a deadline: whole for ordinary answers,
//! briefly for streams, only the head for upgraded connections. The raw
//! answer is what the checker needs; the typed methods would decode it.

use std::time::Duration;

use engine_api::rt::body;
use engine_api::rt::client::{byte_stream, encode, Call, Method};
use engine_api::{Client, ClientError};
use futures_util::StreamExt;

use super::check::Answer;

/// How much of an answer's body to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// To its end (within the call's deadline).
    Whole,
    /// For a moment, then the connection is closed (follow, events, stats).
    Brief,
    /// None: the connection is taken over or upgraded; closed at once.
    Head,
}

/// How the request asks for the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upgrade {
    None,
    /// `Upgrade: tcp`, as the docker CLI attaches.
    Tcp,
    /// A WebSocket handshake (RFC 6455).
    WebSocket,
    /// `Upgrade: h2c`, as a BuildKit session starts.
    H2c,
}

/// One request of the scenario.
#[derive(Clone, Debug)]
pub struct Req {
    pub op: &'static str,
    pub path: Vec<(&'static str, String)>,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<(Vec<u8>, &'static str)>,
    pub read: Read,
    pub upgrade: Upgrade,
    /// Cleanup calls are made but not reported.
    pub recorded: bool,
}

impl Req {
    pub fn new(op: &'static str) -> Req {
        Req {
            op,
            path: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            read: Read::Whole,
            upgrade: Upgrade::None,
            recorded: true,
        }
    }

    pub fn path(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.path.push((name, value.into()));
        self
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.query.push((name, value.into()));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, value: &serde_json::Value) -> Req {
        self.body = Some((value.to_string().into_bytes(), "application/json"));
        self
    }

    pub fn tar(mut self, data: Vec<u8>) -> Req {
        self.body = Some((data, "application/x-tar"));
        self
    }

    pub fn brief(mut self) -> Req {
        self.read = Read::Brief;
        self
    }

    pub fn upgrade(mut self, how: Upgrade) -> Req {
        self.upgrade = how;
        self.read = Read::Head;
        self
    }

    pub fn unrecorded(mut self) -> Req {
        self.recorded = false;
        self
    }
}

/// The daemon's answer, or why there was none.
#[derive(Debug)]
pub enum Got {
    Answer {
        answer: Answer,
        /// The error message of an error answer.
        message: Option<String>,
    },
    /// No answer: timeout, refused or broken connection, unusable request.
    Failed(String),
}

/// Limits of one call.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// For the whole call, head and body.
    pub call: Duration,
    /// How long a brief read lasts.
    pub brief: Duration,
    /// The most body bytes kept.
    pub max_body: usize,
}

/// `path` with each `{name}` replaced by its percent-encoded value.
pub fn fill_path(template: &str, values: &[(&'static str, String)]) -> Result<String, String> {
    let mut path = template.to_string();
    for (name, value) in values {
        path = path.replace(&format!("{{{name}}}"), &encode(value));
    }
    if path.contains('{') {
        return Err(format!("no value for a parameter of `{template}`"));
    }
    Ok(path)
}

/// Sends `req` (an operation at `method` `template`) and reads its answer.
pub async fn send(client: &Client, method: &str, template: &str, req: &Req, limits: Limits) -> Got {
    let call = match build(method, template, req) {
        Ok(c) => c,
        Err(e) => return Got::Failed(e),
    };
    match tokio::time::timeout(limits.call, exchange(client, call, req.read, limits)).await {
        Ok(got) => got,
        Err(_) => Got::Failed(format!("no complete answer within {:?}", limits.call)),
    }
}

fn build(method: &str, template: &str, req: &Req) -> Result<Call, String> {
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|e| format!("method {method}: {e}"))?;
    let mut call = Call::new(method, fill_path(template, &req.path)?, req.op);
    for (name, value) in &req.query {
        call.query_str(name, value);
    }
    for (name, value) in &req.headers {
        call.header(name, value.clone());
    }
    match req.upgrade {
        Upgrade::None => {}
        Upgrade::Tcp => {
            call.header("Connection", "Upgrade");
            call.header("Upgrade", "tcp");
        }
        Upgrade::H2c => {
            call.header("Connection", "Upgrade");
            call.header("Upgrade", "h2c");
        }
        Upgrade::WebSocket => {
            call.header("Connection", "Upgrade");
            call.header("Upgrade", "websocket");
            call.header("Sec-WebSocket-Version", "13");
            // Any 16 bytes, base64: the handshake is all the tool makes.
            call.header("Sec-WebSocket-Key", "ZW5naW5lLWNvbmZvcm1hbmNl");
        }
    }
    if let Some((data, content_type)) = &req.body {
        call.body(body::bytes(data.clone()), content_type);
    }
    Ok(call)
}

async fn exchange(client: &Client, call: Call, read: Read, limits: Limits) -> Got {
    let resp = match client.send(call).await {
        Ok((resp, _)) => resp,
        Err(ClientError::Api(e)) => {
            return Got::Answer {
                answer: Answer {
                    status: e.status,
                    ..Answer::default()
                },
                message: Some(e.message),
            }
        }
        Err(e) => return Got::Failed(e.to_string()),
    };
    let status = resp.status().as_u16();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut answer = Answer {
        status,
        headers: Some(headers),
        body: None,
        complete: false,
    };
    if read == Read::Head || status == 101 {
        // Dropping the answer closes the taken-over connection.
        drop(resp);
        return Got::Answer {
            answer,
            message: None,
        };
    }
    let deadline = tokio::time::Instant::now()
        + match read {
            Read::Brief => limits.brief,
            _ => limits.call,
        };
    let mut chunks = byte_stream(resp);
    let mut data = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, chunks.next()).await {
            Err(_) => {
                if read == Read::Whole {
                    return Got::Failed(format!("the body did not end within {:?}", limits.call));
                }
                break;
            }
            Ok(None) => {
                answer.complete = true;
                break;
            }
            Ok(Some(Err(e))) => return Got::Failed(format!("the body broke off: {e}")),
            Ok(Some(Ok(chunk))) => {
                data.extend_from_slice(&chunk);
                if data.len() > limits.max_body {
                    break;
                }
            }
        }
    }
    answer.body = Some(data);
    Got::Answer {
        answer,
        message: None,
    }
}
