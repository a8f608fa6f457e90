//! Registry authentication as the distribution spec has it: a 401 names a
//! scheme in `WWW-Authenticate`; `Basic` takes the credentials as they
//! are, `Bearer realm=...,service=...,scope=...` sends them (or nothing,
//! anonymously) to the token endpoint for a token to retry with.

use base64::Engine as _;
use hyper::Uri;
use serde::Deserialize;

use super::body::read_limited;
use super::http;
use super::{Kind, RegistryError, Settings};

/// A user name and password (from the `X-Registry-Auth` header). Its
/// `Debug` never shows the password, so no log line can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

impl Credentials {
    /// The user name and password of an `X-Registry-Auth` header or a
    /// `POST /auth` body; `None` when either is missing or the name empty.
    pub fn from_auth(auth: Option<engine_api::types::AuthConfig>) -> Option<Credentials> {
        let auth = auth?;
        match (auth.username, auth.password) {
            (Some(username), Some(password)) if !username.is_empty() => {
                Some(Credentials { username, password })
            }
            _ => None,
        }
    }

    pub(super) fn basic(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// What a 401 asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses one `WWW-Authenticate` value; `None` for schemes we do not speak.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = parse_params(rest);
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    Some(Challenge::Bearer {
        realm: get("realm")?,
        service: get("service"),
        scope: get("scope"),
    })
}

/// `k="v", k2=v2` pairs; quoted values may hold commas and `\"`.
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if chars.next().is_none() {
            return out;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((name.trim().to_string(), value.trim().to_string()));
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// The most a token answer may weigh.
const MAX_TOKEN_ANSWER: u64 = 1 << 20;

/// The `Authorization` value that answers `challenge` for `scope` (the
/// challenge's own scope when it names one).
pub async fn authorize(
    settings: &Settings,
    challenge: &Challenge,
    scope: &str,
    credentials: Option<&Credentials>,
) -> Result<String, RegistryError> {
    let (realm, service, asked) = match challenge {
        Challenge::Basic => {
            // dockerd's words when a registry asks for a login we lack.
            return credentials
                .map(Credentials::basic)
                .ok_or_else(|| RegistryError::new(Kind::Denied, "no basic auth credentials"));
        }
        Challenge::Bearer {
            realm,
            service,
            scope,
        } => (realm, service, scope),
    };
    let scope = asked.as_deref().unwrap_or(scope);
    let mut url = realm.clone();
    url.push(if url.contains('?') { '&' } else { '?' });
    if let Some(service) = service {
        url.push_str(&format!(
            "service={}&",
            engine_api::rt::query::encode(service)
        ));
    }
    if scope.is_empty() {
        url.pop();
    } else {
        url.push_str(&format!("scope={}", engine_api::rt::query::encode(scope)));
    }
    let uri: Uri = url
        .parse()
        .map_err(|e| RegistryError::protocol(format!("token realm {realm:?}: {e}")))?;
    if uri.scheme_str() == Some("http") && !uri.host().is_some_and(http::is_insecure) {
        return Err(RegistryError::protocol(format!(
            "token realm {realm} is plain HTTP on a non-loopback host"
        )));
    }
    let headers: Vec<(&str, String)> = credentials
        .map(|c| vec![("authorization", c.basic())])
        .unwrap_or_default();
    let response = http::get(settings, &uri, &headers).await?;
    let status = response.status();
    let body = read_limited(response.into_body(), MAX_TOKEN_ANSWER).await?;
    if !status.is_success() {
        return Err(RegistryError::new(
            Kind::NotFound,
            format!(
                "unauthorized: the token endpoint answered {status}: {}",
                String::from_utf8_lossy(&body).trim()
            ),
        ));
    }
    let answer: TokenAnswer = serde_json::from_slice(&body)
        .map_err(|e| RegistryError::protocol(format!("token answer: {e}")))?;
    let token = answer
        .token
        .or(answer.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| RegistryError::protocol("token answer without a token"))?;
    Ok(format!("Bearer {token}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull".into()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate abc"), None);
        assert_eq!(parse_challenge("Bearer service=x"), None);
        // Quoted commas and escapes stay in the value.
        assert_eq!(
            parse_challenge(r#"bearer realm="http://h/t",scope="repository:a:pull,push \"x\"""#),
            Some(Challenge::Bearer {
                realm: "http://h/t".into(),
                service: None,
                scope: Some(r#"repository:a:pull,push "x""#.into()),
            })
        );
    }
}
