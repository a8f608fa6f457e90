//! A pull session with one repository of one registry: GETs that answer
//! a 401 challenge once (token or basic) and follow redirects, manifests
//! read under their size limit and checked against a digest, and blobs
//! streamed into a file while their SHA-256 is computed.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Response, StatusCode, Uri};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::auth::{self, Credentials};
use super::body::{next_chunk, read_limited};
use super::http;
use super::manifest::{self, Descriptor, Manifest};
use super::name::RemoteName;
use super::{Kind, RegistryError, Settings};
use crate::images::blobs::{digest_of, hex_of};

/// How many redirects a GET follows.
const MAX_REDIRECTS: usize = 5;
/// How much of a blob is gathered before it is written to its file.
const WRITE_BUFFER: usize = 1 << 20;
/// The most of an error answer we read.
const MAX_ERROR_BODY: u64 = 64 << 10;

pub struct Session {
    name: RemoteName,
    base: String,
    /// `pull`, or `pull,push`: the actions a token is asked for.
    actions: &'static str,
    settings: Arc<Settings>,
    credentials: Option<Credentials>,
    /// The `Authorization` value that worked last, reused by every request.
    authorization: Mutex<Option<String>>,
}

/// A fetched manifest: its bytes, its digest and what it is.
#[derive(Debug)]
pub struct Fetched {
    pub digest: String,
    pub size: u64,
    pub manifest: Manifest,
}

#[derive(Deserialize, Default)]
struct ErrorList {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// A registry failure as dockerd words errcodes: `manifest unknown:
/// manifest unknown`, `name unknown: repository name not known to registry`.
pub(super) struct Failure {
    pub(super) status: StatusCode,
    pub(super) codes: Vec<String>,
    pub(super) text: String,
}

pub(super) async fn failure(response: Response<Incoming>) -> Failure {
    let status = response.status();
    let body = read_limited(response.into_body(), MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let list: ErrorList = serde_json::from_slice(&body).unwrap_or_default();
    let codes: Vec<String> = list.errors.iter().map(|e| e.code.clone()).collect();
    let text = if list.errors.is_empty() {
        match status {
            StatusCode::UNAUTHORIZED => "unauthorized: authentication required".to_string(),
            StatusCode::NOT_FOUND => "not found".to_string(),
            s => format!(
                "received unexpected HTTP status: {} {}",
                s.as_u16(),
                s.canonical_reason().unwrap_or("")
            ),
        }
    } else {
        list.errors
            .iter()
            .map(|e| {
                let code = e.code.to_lowercase().replace('_', " ");
                if e.message.is_empty() {
                    code
                } else {
                    format!("{code}: {}", e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    Failure {
        status,
        codes,
        text,
    }
}

impl Session {
    /// A pull session with the default registry settings.
    pub async fn new(name: &RemoteName, credentials: Option<Credentials>) -> Session {
        Session::with_settings(name, credentials, Arc::new(Settings::default())).await
    }

    /// A pull session under the daemon's registry settings (an insecure
    /// registry is probed for TLS first: [`http::base_url`]).
    pub async fn with_settings(
        name: &RemoteName,
        credentials: Option<Credentials>,
        settings: Arc<Settings>,
    ) -> Session {
        let base = http::base_url(&settings, name.endpoint_host()).await;
        Session::at(name, base, credentials, settings)
    }

    /// A pull session with `name`'s repository on the registry at `base`
    /// (`scheme://host[:port]`: a mirror).
    pub fn at(
        name: &RemoteName,
        base: String,
        credentials: Option<Credentials>,
        settings: Arc<Settings>,
    ) -> Session {
        Session {
            name: name.clone(),
            base,
            actions: "pull",
            settings,
            credentials,
            authorization: Mutex::new(None),
        }
    }

    /// A session that may also write to the repository.
    pub async fn for_push(
        name: &RemoteName,
        credentials: Option<Credentials>,
        settings: Arc<Settings>,
    ) -> Session {
        Session {
            actions: "pull,push",
            ..Session::with_settings(name, credentials, settings).await
        }
    }

    pub(super) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Layers a push through this session uploads at once.
    pub fn max_uploads(&self) -> usize {
        self.settings.max_uploads
    }

    pub fn name(&self) -> &RemoteName {
        &self.name
    }

    /// `scheme://host[:port]` of the registry.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// The `Authorization` value that worked last, if any.
    pub(super) async fn current_authorization(&self) -> Option<String> {
        self.authorization.lock().await.clone()
    }

    /// The token scope to ask for; none for a login (no repository).
    pub(super) fn scope(&self) -> String {
        if self.name.path.is_empty() {
            return String::new();
        }
        format!("repository:{}:{}", self.name.path, self.actions)
    }

    /// A GET of `path` under the registry, authorised and redirected as
    /// needed; the answer is a success or a [`Failure`].
    async fn get(
        &self,
        path: &str,
        accept: Option<&str>,
    ) -> Result<Result<Response<Incoming>, Failure>, RegistryError> {
        self.request(
            Method::GET,
            path,
            accept.map(|a| ("accept", a.to_string())),
            None,
        )
        .await
    }

    /// `method` on `target` (a path under the registry, or a URL the
    /// registry gave in a `Location`), with one extra header and a body
    /// held in memory: authorised as needed, and for a GET or HEAD
    /// redirected too; the answer is a success or a [`Failure`].
    pub(super) async fn request(
        &self,
        method: Method,
        target: &str,
        header: Option<(&'static str, String)>,
        body: Option<Bytes>,
    ) -> Result<Result<Response<Incoming>, Failure>, RegistryError> {
        let text = if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{}{target}", self.base)
        };
        let first: Uri = text
            .parse()
            .map_err(|e| RegistryError::invalid(format!("{text}: {e}")))?;
        if first.authority().map(|a| a.as_str()) != self.base.split("://").nth(1) {
            return Err(RegistryError::protocol(format!(
                "the registry {} sent us to another host: {text}",
                self.name.domain
            )));
        }
        let follows = method == Method::GET || method == Method::HEAD;
        let mut challenged = false;
        'auth: loop {
            let mut uri = first.clone();
            let mut same_host = true;
            for _ in 0..=MAX_REDIRECTS {
                let mut headers: Vec<(&str, String)> = Vec::new();
                if let Some((name, value)) = &header {
                    headers.push((name, value.clone()));
                }
                if same_host {
                    if let Some(a) = self.authorization.lock().await.clone() {
                        headers.push(("authorization", a));
                    }
                }
                let payload = match &body {
                    Some(bytes) => {
                        headers.push(("content-length", bytes.len().to_string()));
                        http::full(bytes.clone())
                    }
                    None => http::empty(),
                };
                let response =
                    http::send(&self.settings, method.clone(), &uri, &headers, payload).await?;
                let status = response.status();
                if follows && status.is_redirection() {
                    let location = response
                        .headers()
                        .get(hyper::header::LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .ok_or_else(|| {
                            RegistryError::protocol(format!(
                                "redirect without a Location from {uri}"
                            ))
                        })?;
                    let next = resolve(&uri, location)?;
                    same_host = same_host && next.authority() == uri.authority();
                    uri = next;
                    continue;
                }
                if status == StatusCode::UNAUTHORIZED && same_host && !challenged {
                    let challenge = response
                        .headers()
                        .get_all(hyper::header::WWW_AUTHENTICATE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .find_map(auth::parse_challenge);
                    if let Some(challenge) = challenge {
                        challenged = true;
                        let value = auth::authorize(
                            &self.settings,
                            &challenge,
                            &self.scope(),
                            self.credentials.as_ref(),
                        )
                        .await?;
                        *self.authorization.lock().await = Some(value);
                        continue 'auth;
                    }
                }
                if !status.is_success() {
                    return Ok(Err(failure(response).await));
                }
                return Ok(Ok(response));
            }
            return Err(RegistryError::protocol(format!(
                "more than {MAX_REDIRECTS} redirects from {first}"
            )));
        }
    }

    /// dockerd's message for a manifest GET that failed.
    fn manifest_error(&self, failure: Failure, reference: &str) -> RegistryError {
        let repo = self.name.familiar_repo();
        let denied = failure.status == StatusCode::UNAUTHORIZED
            || failure.status == StatusCode::FORBIDDEN
            || failure
                .codes
                .iter()
                .any(|c| matches!(c.as_str(), "NAME_UNKNOWN" | "UNAUTHORIZED" | "DENIED"));
        if denied {
            return RegistryError::new(
                Kind::NotFound,
                format!(
                    "pull access denied for {repo}, repository does not exist or may require 'docker login': {}",
                    failure.text
                ),
            );
        }
        if failure.status == StatusCode::NOT_FOUND {
            let shown = if super::name::is_digest(reference) {
                format!("{repo}@{reference}")
            } else {
                format!("{repo}:{reference}")
            };
            return RegistryError::new(
                Kind::NotFound,
                format!("manifest for {shown} not found: {}", failure.text),
            );
        }
        RegistryError::unavailable(format!(
            "error fetching manifest {reference} of {repo}: {}",
            failure.text
        ))
    }

    /// The manifest (or index) `reference` (a tag or a digest) names; a
    /// digest reference is checked against the bytes.
    pub async fn manifest(&self, reference: &str) -> Result<Fetched, RegistryError> {
        let path = format!("/v2/{}/manifests/{reference}", self.name.path);
        let response = match self.get(&path, Some(manifest::ACCEPT)).await? {
            Ok(r) => r,
            Err(f) => return Err(self.manifest_error(f, reference)),
        };
        let content_type = response
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let announced = response
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > manifest::MAX_MANIFEST_BYTES) {
            return Err(RegistryError::invalid(format!(
                "manifest of {} is larger than {} bytes",
                self.name.familiar(),
                manifest::MAX_MANIFEST_BYTES
            )));
        }
        let bytes = read_limited(response.into_body(), manifest::MAX_MANIFEST_BYTES)
            .await
            .map_err(|e| {
                RegistryError::new(e.kind, format!("manifest of {}: {e}", self.name.familiar()))
            })?;
        let digest = digest_of(&bytes);
        if super::name::is_digest(reference) && digest != reference {
            return Err(RegistryError::new(
                Kind::Integrity,
                format!("manifest verification failed for digest {reference}"),
            ));
        }
        let manifest = manifest::parse(&content_type, &bytes, &self.name.familiar())?;
        Ok(Fetched {
            digest,
            size: bytes.len() as u64,
            manifest,
        })
    }

    /// Streams the blob `descriptor` names into a new file at `path`,
    /// calling `progress` with the bytes so far; the size and the SHA-256
    /// must match the descriptor (`what` names the blob in the error:
    /// dockerd says `filesystem layer` or `image config`). On any error
    /// the file is removed.
    pub async fn blob_to_file(
        &self,
        descriptor: &Descriptor,
        path: &Path,
        what: &str,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), RegistryError> {
        let result = self.blob_into(descriptor, path, what, progress).await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(path).await;
        }
        result
    }

    async fn blob_into(
        &self,
        descriptor: &Descriptor,
        path: &Path,
        what: &str,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), RegistryError> {
        let url = format!("/v2/{}/blobs/{}", self.name.path, descriptor.digest);
        let response = match self.get(&url, None).await? {
            Ok(r) => r,
            Err(f) => {
                return Err(RegistryError::new(
                    if f.status == StatusCode::NOT_FOUND {
                        Kind::NotFound
                    } else {
                        Kind::Unavailable
                    },
                    format!("error pulling {what} {}: {}", descriptor.digest, f.text),
                ))
            }
        };
        let mismatch = || {
            RegistryError::new(
                Kind::Integrity,
                format!(
                    "{what} verification failed for digest {}",
                    descriptor.digest
                ),
            )
        };
        let file = tokio::fs::File::create(path)
            .await
            .map_err(|e| RegistryError::local(&format!("creating {}", path.display()), e))?;
        // Whole megabytes to the file at a time, not each network chunk.
        let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut body = response.into_body();
        let mut hasher = Sha256::new();
        let mut done = 0u64;
        while let Some(chunk) = next_chunk(&mut body).await? {
            done += chunk.len() as u64;
            if done > descriptor.size {
                return Err(mismatch());
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .map_err(|e| RegistryError::local(&format!("writing {}", path.display()), e))?;
            progress(done);
        }
        if done != descriptor.size {
            return Err(if done < descriptor.size {
                RegistryError::unavailable(format!(
                    "unexpected EOF: {what} {} ended after {done} of {} bytes",
                    descriptor.digest, descriptor.size
                ))
            } else {
                mismatch()
            });
        }
        if format!("sha256:{}", hex_of(&hasher.finalize())) != descriptor.digest {
            return Err(mismatch());
        }
        // No fsync: the file is a spool that the pull reads back at once
        // and that a restart sweeps away; what it is stored as is synced.
        file.flush()
            .await
            .map_err(|e| RegistryError::local(&format!("writing {}", path.display()), e))?;
        Ok(())
    }
}

/// `location` (absolute, or a path) against the URL that answered it.
pub(super) fn resolve(base: &Uri, location: &str) -> Result<Uri, RegistryError> {
    let bad = |e: &dyn std::fmt::Display| {
        RegistryError::protocol(format!("redirect to {location:?}: {e}"))
    };
    if location.starts_with("http://") || location.starts_with("https://") {
        let uri: Uri = location.parse().map_err(|e| bad(&e))?;
        // Never downgrade to plain HTTP off loopback.
        if uri.scheme_str() == Some("http") && !uri.host().is_some_and(http::is_insecure) {
            return Err(bad(&"plain HTTP to a non-loopback host"));
        }
        return Ok(uri);
    }
    if !location.starts_with('/') {
        return Err(bad(&"not an absolute path"));
    }
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority().map_or("", |a| a.as_str());
    format!("{scheme}://{authority}{location}")
        .parse()
        .map_err(|e| bad(&e))
}
