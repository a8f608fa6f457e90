//! The runner: sends the scenario's requests, checks every answer against
//! the operation it belongs to, remembers what the scenario created (for
//! the cleanup) and why an operation could not be reached, and turns it
//! all into one report per operation of the spec.

use std::collections::BTreeMap;

use codegen::ir::{Api, Operation};
use engine_api::Client;
use serde_json::Value;

use super::check::check_answer;
use super::driver::{self, Got, Limits, Req};
use super::outcome::{Deviation, OperationReport, Seen};

/// The label every object the tool creates carries, and the filter that
/// keeps its prunes to them.
pub const LABEL_KEY: &str = "engine-conformance";
pub const LABEL: &str = "engine-conformance=1";

/// What the scenario created, removed at the end whatever happened.
#[derive(Debug, Default)]
pub struct Created {
    pub containers: Vec<String>,
    pub images: Vec<String>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
    pub plugins: Vec<String>,
}

/// An answer, as the scenario uses it to go on.
#[derive(Debug, Default)]
pub struct Reply {
    pub status: u16,
    /// The JSON values of the body (one, or a stream's).
    pub values: Vec<Value>,
    /// The body as read.
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status) || self.status == 101
    }

    /// A string field of the first JSON value (`Id`).
    pub fn field(&self, key: &str) -> Option<String> {
        self.values.first()?.get(key)?.as_str().map(str::to_string)
    }
}

pub struct Runner<'a> {
    api: &'a Api,
    pub client: Client,
    limits: Limits,
    calls: BTreeMap<String, Vec<Seen>>,
    reasons: BTreeMap<String, String>,
    pub created: Created,
    /// Why unreached operations were not reached, when the run stopped early.
    cut_short: Option<String>,
}

impl<'a> Runner<'a> {
    pub fn new(api: &'a Api, client: Client, limits: Limits) -> Runner<'a> {
        Runner {
            api,
            client,
            limits,
            calls: BTreeMap::new(),
            reasons: BTreeMap::new(),
            created: Created::default(),
            cut_short: None,
        }
    }

    fn operation(&self, id: &str) -> Option<&'a Operation> {
        self.api.operations.iter().find(|o| o.operation_id == id)
    }

    /// Sends `req`, checks and records the answer. `None` when no answer
    /// came (recorded as a deviation) or the spec has no such operation.
    pub async fn call(&mut self, req: Req) -> Option<Reply> {
        let op = self.operation(req.op)?;
        let got = driver::send(&self.client, &op.method, &op.path, &req, self.limits).await;
        let request = describe(op, &req);
        let (seen, reply) = match got {
            Got::Failed(why) => (
                Seen {
                    status: 0,
                    request,
                    deviations: vec![Deviation::new("answer", "", why)],
                    not_implemented: false,
                    message: None,
                },
                None,
            ),
            Got::Answer { answer, message } => {
                let route_missing = answer.status == 404
                    && message
                        .as_deref()
                        .is_some_and(|m| m.contains("page not found"));
                let not_implemented = answer.status == 501 || route_missing;
                let deviations = if not_implemented {
                    Vec::new()
                } else {
                    check_answer(self.api, op, &answer)
                };
                let body = answer.body.unwrap_or_default();
                let values = serde_json::Deserializer::from_slice(&body)
                    .into_iter::<Value>()
                    .map_while(Result::ok)
                    .collect();
                (
                    Seen {
                        status: answer.status,
                        request,
                        deviations,
                        not_implemented,
                        message,
                    },
                    Some(Reply {
                        status: answer.status,
                        values,
                        body,
                    }),
                )
            }
        };
        if req.recorded {
            self.calls.entry(req.op.to_string()).or_default().push(seen);
        }
        reply
    }

    /// Records why `op` was not called (the first reason given stays).
    pub fn skip(&mut self, op: &str, why: impl Into<String>) {
        self.reasons
            .entry(op.to_string())
            .or_insert_with(|| why.into());
    }

    /// Skips every operation in `ops` for the same reason.
    pub fn skip_all(&mut self, ops: &[&str], why: &str) {
        for op in ops {
            self.skip(op, why);
        }
    }

    /// The scenario ran out of time: what it did not reach, it did not
    /// reach for that reason.
    pub fn note_cut_short(&mut self, limit: std::time::Duration) {
        self.cut_short = Some(format!("the scenario was stopped after {limit:?}"));
    }

    /// One report per operation of the spec, in the spec's order.
    pub fn reports(mut self) -> Vec<OperationReport> {
        self.api
            .operations
            .iter()
            .map(|op| {
                let calls = self.calls.remove(&op.operation_id).unwrap_or_default();
                let why = self
                    .reasons
                    .get(&op.operation_id)
                    .cloned()
                    .or_else(|| self.cut_short.clone());
                OperationReport::conclude(&op.operation_id, &op.method, &op.path, calls, why)
            })
            .collect()
    }
}

/// `POST /containers/6e179c31a196/start?t=1`, for the report (full
/// 64-digit IDs shortened to 12, as the docker CLI shows them).
fn describe(op: &Operation, req: &Req) -> String {
    let path = driver::fill_path(&op.path, &req.path).unwrap_or_else(|_| op.path.clone());
    let path: Vec<&str> = path
        .split('/')
        .map(|seg| {
            let is_id = seg.len() == 64 && seg.bytes().all(|b| b.is_ascii_hexdigit());
            if is_id {
                &seg[..12]
            } else {
                seg
            }
        })
        .collect();
    let path = path.join("/");
    let query: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if query.is_empty() {
        format!("{} {path}", op.method)
    } else {
        format!("{} {path}?{}", op.method, query.join("&"))
    }
}
