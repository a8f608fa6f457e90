//! The policy: rules read from a YAML file, checked at load (every error
//! with its `file:line:col`), and the decision for one typed request.
//!
//! Rules apply in file order to the requests they select (by operationId,
//! tag or method; a rule selecting nothing applies to all). A rule with
//! `action` decides; a rule with `require` denies a request that breaks a
//! constraint and lets the others go on to the next rule. When no rule
//! decides, `default` does (deny unless told otherwise).
//!
//! - [`file`]: the file's shape;
//! - [`require`]: the constraints on typed fields;
//! - [`limits`]: the ceilings on resource limits;
//! - [`cpuset`]: CPU and memory-node lists;
//! - [`yaml`]: YAML with positions.

pub mod cpuset;
pub mod file;
pub mod limits;
pub mod require;
pub mod yaml;

use std::path::{Path, PathBuf};

use file::{Action, PolicyFile};
use require::Require;

use crate::identity::Identity;
use crate::route::{is_operation, is_tag, Operation};
use crate::typed::Typed;

/// Why a policy file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid YAML, or not a valid policy.
    #[error("{path}:{pos}: {message}")]
    Invalid {
        path: PathBuf,
        pos: yaml::Pos,
        message: String,
    },
}

/// One compiled rule.
#[derive(Debug)]
struct Rule {
    name: String,
    operations: Vec<String>,
    tags: Vec<String>,
    methods: Vec<String>,
    what: What,
}

#[derive(Debug)]
enum What {
    Decide(Action),
    Require(Box<Require>),
}

impl Rule {
    fn selects(&self, op: &Operation) -> bool {
        (self.operations.is_empty() || self.operations.iter().any(|o| o == op.id))
            && (self.tags.is_empty() || self.tags.iter().any(|t| t == op.tag))
            && (self.methods.is_empty() || self.methods.iter().any(|m| m == op.method))
    }
}

/// A loaded, valid policy.
#[derive(Debug)]
pub struct Policy {
    default: Action,
    owner_label: Option<String>,
    identities: Option<Vec<String>>,
    rules: Vec<Rule>,
}

/// What the policy says about one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The deciding rule; `None` for the default.
    pub rule: Option<String>,
    /// Why a request is denied (the field that broke a constraint).
    pub reason: Option<String>,
}

impl Decision {
    /// Docker's error message for a denial, naming the rule and the field.
    pub fn message(&self, op: &Operation) -> String {
        let reason = self
            .reason
            .clone()
            .unwrap_or_else(|| format!("{} is not allowed", op.id));
        match &self.rule {
            Some(rule) => format!("denied by rule {rule}: {reason}"),
            None => format!("denied by the policy's default: {reason}"),
        }
    }
}

impl Policy {
    /// Reads and checks the policy at `path`.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Policy::parse(&text).map_err(|(pos, message)| PolicyError::Invalid {
            path: path.to_path_buf(),
            pos,
            message,
        })
    }

    /// Checks the policy in `text`; an error has its line and column.
    pub fn parse(text: &str) -> Result<Policy, (yaml::Pos, String)> {
        let doc = yaml::parse(text).map_err(|e| (e.pos, e.message))?;
        let file: PolicyFile = serde_path_to_error::deserialize(&doc.value).map_err(|e| {
            let pointer = pointer_of(e.path());
            let message = e.into_inner().to_string();
            // An unknown key is best shown at the key itself.
            let pos = if message.starts_with("unknown field") {
                doc.key_pos(&pointer)
            } else {
                doc.pos(&pointer)
            };
            (pos, message)
        })?;
        let at = |pointer: String, message: String| (doc.pos(&pointer), message);
        let mut rules = Vec::new();
        for (i, r) in file.rules.into_iter().enumerate() {
            let base = format!("/rules/{i}");
            if r.name.trim().is_empty() {
                return Err(at(format!("{base}/name"), "a rule needs a name".into()));
            }
            if rules.iter().any(|x: &Rule| x.name == r.name) {
                return Err(at(
                    format!("{base}/name"),
                    format!("a second rule named `{}`", r.name),
                ));
            }
            for (j, o) in r.operations.iter().enumerate() {
                if !is_operation(o) {
                    return Err(at(
                        format!("{base}/operations/{j}"),
                        format!("`{o}` is no operationId of the Engine API"),
                    ));
                }
            }
            for (j, t) in r.tags.iter().enumerate() {
                if !is_tag(t) {
                    return Err(at(
                        format!("{base}/tags/{j}"),
                        format!("`{t}` is no tag of the Engine API"),
                    ));
                }
            }
            for (j, m) in r.methods.iter().enumerate() {
                if !["GET", "HEAD", "POST", "PUT", "DELETE"].contains(&m.as_str()) {
                    return Err(at(
                        format!("{base}/methods/{j}"),
                        format!(
                            "`{m}` is no method the Engine API uses (GET, HEAD, POST, PUT, DELETE)"
                        ),
                    ));
                }
            }
            let what = match (r.action, r.require) {
                (Some(a), None) => What::Decide(a),
                (None, Some(req)) => What::Require(Box::new(
                    Require::compile(req)
                        .map_err(|e| at(format!("{base}/require{}", e.pointer), e.message))?,
                )),
                _ => {
                    return Err(at(
                        base,
                        format!(
                            "rule `{}` needs exactly one of `action` and `require`",
                            r.name
                        ),
                    ))
                }
            };
            rules.push(Rule {
                name: r.name,
                operations: r.operations,
                tags: r.tags,
                methods: r.methods,
                what,
            });
        }
        if file
            .owner_label
            .as_deref()
            .is_some_and(|l| l.trim().is_empty())
        {
            return Err(at("/owner_label".into(), "`owner_label` is empty".into()));
        }
        for (i, id) in file.identities.iter().flatten().enumerate() {
            if id.trim().is_empty() || id.trim() != id {
                return Err(at(
                    format!("/identities/{i}"),
                    format!("`{id}` is no identity (empty, or with spaces around it)"),
                ));
            }
        }
        Ok(Policy {
            default: file.default,
            owner_label: file.owner_label,
            identities: file.identities,
            rules,
        })
    }

    /// The label owner scoping uses, when the policy turns it on.
    pub fn owner_label(&self) -> Option<&str> {
        self.owner_label.as_deref()
    }

    /// Why a client who is `identity` is refused whatever it asks, or
    /// `None`. With `identities` listed, a name outside the list is; a
    /// certificate naming no CN is whenever identities matter (listed, or
    /// owner scoping on), since it could be scoped to nobody.
    pub fn refuses(&self, identity: &Identity) -> Option<String> {
        match identity {
            Identity::Anonymous => None,
            Identity::Nameless => (self.identities.is_some() || self.owner_label.is_some())
                .then(|| "the client certificate names no subject CN".to_string()),
            Identity::Named(name) => self
                .identities
                .as_ref()
                .filter(|known| !known.iter().any(|k| k == name))
                .map(|_| format!("{name} is not an identity the policy knows")),
        }
    }

    /// The decision for `op` with its typed view `typed`.
    pub fn decide(&self, op: &Operation, typed: &Typed) -> Decision {
        for rule in self.rules.iter().filter(|r| r.selects(op)) {
            match &rule.what {
                What::Decide(action) => {
                    return Decision {
                        allowed: *action == Action::Allow,
                        rule: Some(rule.name.clone()),
                        reason: None,
                    }
                }
                What::Require(req) => {
                    if let Some(reason) = req.violation(typed) {
                        return Decision {
                            allowed: false,
                            rule: Some(rule.name.clone()),
                            reason: Some(reason),
                        };
                    }
                }
            }
        }
        Decision {
            allowed: self.default == Action::Allow,
            rule: None,
            reason: None,
        }
    }
}

/// serde_path_to_error's path as a JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
