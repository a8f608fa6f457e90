//! What the tool concludes about one operation: it conforms, it deviates
//! (each deviation names where in the answer and what is wrong), the daemon
//! does not implement it, or the tool could not reach it (and why).

use std::fmt;

/// One way an answer differs from what the spec documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deviation {
    /// Which part of the answer: `status`, `header Api-Version`, `body`,
    /// `message 3` (the fourth value of a JSON stream), `answer`.
    pub place: String,
    /// A JSON pointer into that part (empty for the whole of it).
    pub pointer: String,
    /// What is wrong, in words.
    pub what: String,
}

impl Deviation {
    pub fn new(
        place: impl Into<String>,
        pointer: impl Into<String>,
        what: impl Into<String>,
    ) -> Self {
        Deviation {
            place: place.into(),
            pointer: pointer.into(),
            what: what.into(),
        }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.place, self.what)
        } else {
            write!(f, "{} {}: {}", self.place, self.pointer, self.what)
        }
    }
}

/// The verdict on one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every answer seen matched the spec.
    Conforms,
    /// At least one answer did not.
    Deviates(Vec<Deviation>),
    /// The daemon answered 501, or 404 for the route itself.
    NotImplemented(String),
    /// The tool did not call it; the reason says why.
    NotReached(String),
}

impl Outcome {
    /// The short word the reports use.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Conforms => "conforms",
            Outcome::Deviates(_) => "deviates",
            Outcome::NotImplemented(_) => "not implemented",
            Outcome::NotReached(_) => "not reached",
        }
    }
}

/// One call the tool made, as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The status the daemon answered (0 when no answer came).
    pub status: u16,
    /// What was sent, briefly (`GET /containers/abc/json?size=1`).
    pub request: String,
    /// The deviations found in this answer.
    pub deviations: Vec<Deviation>,
    /// 501, or 404 with the router's "page not found".
    pub not_implemented: bool,
    /// The daemon's error message, when it sent one.
    pub message: Option<String>,
}

/// Everything known about one operation of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationReport {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub outcome: Outcome,
    /// Every call made for it, in order.
    pub calls: Vec<Seen>,
}

impl OperationReport {
    /// The verdict from the calls made: any deviation wins, then a
    /// conforming answer, then "not implemented"; no call is "not reached"
    /// with `why`.
    pub fn conclude(
        operation_id: &str,
        method: &str,
        path: &str,
        calls: Vec<Seen>,
        why: Option<String>,
    ) -> Self {
        let deviations: Vec<Deviation> = calls
            .iter()
            .flat_map(|c| c.deviations.iter().cloned())
            .collect();
        let outcome = if !deviations.is_empty() {
            Outcome::Deviates(deviations)
        } else if calls.iter().any(|c| !c.not_implemented) {
            Outcome::Conforms
        } else if let Some(call) = calls.first() {
            let message = call.message.clone().unwrap_or_default();
            Outcome::NotImplemented(format!("HTTP {}: {message}", call.status))
        } else {
            Outcome::NotReached(why.unwrap_or_else(|| "no scenario calls it".into()))
        };
        OperationReport {
            operation_id: operation_id.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            outcome,
            calls,
        }
    }
}

/// The counts of the one-line summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub operations: usize,
    pub conform: usize,
    pub deviate: usize,
    pub not_implemented: usize,
    pub not_reached: usize,
}

impl Summary {
    pub fn of(reports: &[OperationReport]) -> Summary {
        let mut s = Summary {
            operations: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            match r.outcome {
                Outcome::Conforms => s.conform += 1,
                Outcome::Deviates(_) => s.deviate += 1,
                Outcome::NotImplemented(_) => s.not_implemented += 1,
                Outcome::NotReached(_) => s.not_reached += 1,
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} operations: {} conform, {} deviate, {} not implemented, {} not reached",
            self.operations, self.conform, self.deviate, self.not_implemented, self.not_reached
        )
    }
}
