//! One request as the generated client builds it, before it is sent: the
//! method and path, the query string in Docker's conventions (booleans as
//! `1`/`0`, `filters` as JSON, lists repeated or comma-joined), headers
//! (`X-Registry-Auth` as base64url JSON), and the body with its content type.

use hyper::Method;

use super::{auth, body, Body, ClientError};
use crate::query::{Filters, QueryBuilder};

/// A request being built by a generated method.
#[derive(Debug)]
pub struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: QueryBuilder,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<(Body, &'static str)>,
    pub(crate) versioned: bool,
    /// The operationId, for error messages.
    pub(crate) operation: &'static str,
}

impl Call {
    /// A call of `operation` to `path` (already percent-encoded), under the
    /// negotiated `/v1.NN` prefix.
    pub fn new(method: Method, path: String, operation: &'static str) -> Call {
        Call {
            method,
            path,
            query: QueryBuilder::default(),
            headers: Vec::new(),
            body: None,
            versioned: true,
            operation,
        }
    }

    /// Without the version prefix (`/_ping`).
    pub fn unversioned(mut self) -> Call {
        self.versioned = false;
        self
    }

    /// A string query parameter.
    pub fn query_str(&mut self, name: &str, value: &str) {
        self.query.push(name, value);
    }

    /// Booleans as the docker CLI sends them: `1` or `0`.
    pub fn query_bool(&mut self, name: &str, value: bool) {
        self.query.push_bool(name, value);
    }

    /// Numbers (and anything else whose `Display` is its wire form).
    pub fn query_display(&mut self, name: &str, value: impl std::fmt::Display) {
        self.query.push(name, &value.to_string());
    }

    /// `filters` as the JSON object dockerd expects.
    pub fn query_filters(&mut self, name: &str, value: &Filters) {
        self.query.push(name, &value.to_json());
    }

    /// A list: the key repeated per item (`explode`), or one comma-joined value.
    pub fn query_list<I, S>(&mut self, name: &str, values: I, explode: bool)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if explode {
            for v in values {
                self.query.push(name, v.as_ref());
            }
        } else {
            let joined: Vec<String> = values.into_iter().map(|v| v.as_ref().to_string()).collect();
            self.query.push(name, &joined.join(","));
        }
    }

    /// Any other value as its JSON text (objects in a query string).
    pub fn query_json<T: serde::Serialize>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ClientError> {
        let text = serde_json::to_string(value).map_err(|source| ClientError::Decode {
            what: format!("query parameter `{name}`"),
            source,
        })?;
        self.query.push(name, &text);
        Ok(())
    }

    /// A header parameter (replacing any value set before).
    pub fn header(&mut self, name: &'static str, value: impl Into<String>) {
        self.headers.push((name, value.into()));
    }

    /// Registry credentials as Docker reads them: base64url of the JSON of
    /// `value` (the spec's `AuthConfig`, or any other serializable form).
    pub fn header_auth<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), ClientError> {
        let encoded = auth::encode_auth(value)?;
        self.headers.push((name, encoded));
        Ok(())
    }

    /// A cookie parameter, sent in the `Cookie` header.
    pub fn cookie(&mut self, name: &str, value: &str) {
        self.headers.push(("cookie", format!("{name}={value}")));
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ClientError> {
        let data = serde_json::to_vec(value).map_err(|source| ClientError::Decode {
            what: format!("the request body of {}", self.operation),
            source,
        })?;
        self.body = Some((body::bytes(data), "application/json"));
        Ok(())
    }

    /// A raw body (tar archives, streams) with its content type.
    pub fn body(&mut self, body: Body, content_type: &'static str) {
        self.body = Some((body, content_type));
    }

    /// A text body.
    pub fn text(&mut self, text: &str) {
        self.body = Some((body::bytes(text.to_string()), "text/plain"));
    }
}
