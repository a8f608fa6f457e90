//! The writing side of a session, for `docker push`: whether the
//! repository has a blob (HEAD), starting an upload or mounting a blob
//! from another repository of the same registry (POST), sending a blob in
//! one PUT while reporting the bytes sent, and putting a manifest. Also
//! the `GET /v2/` check `docker login` makes.

use std::path::Path;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::{Method, StatusCode, Uri};
use tokio::io::AsyncReadExt;

use super::client::{failure, resolve, Failure, Session};
use super::http::{self, Body};
use super::{Kind, RegistryError};
use crate::images::blobs::digest_of;

/// How much of a layer one body frame carries.
const CHUNK: usize = 256 << 10;

/// What `POST /v2/<name>/blobs/uploads/` led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Upload {
    /// The blob was mounted from the other repository: nothing to send.
    Mounted,
    /// An upload session at this URL.
    At(String),
}

/// A failure of a push step, in dockerd's words for the registry's answer.
fn push_error(failure: Failure) -> RegistryError {
    let kind = match failure.status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Kind::Denied,
        StatusCode::NOT_FOUND => Kind::NotFound,
        _ => Kind::Unavailable,
    };
    RegistryError::new(kind, failure.text)
}

fn location(response: &hyper::Response<hyper::body::Incoming>) -> Option<String> {
    response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(String::from)
}

impl Session {
    /// True when the repository already holds the blob `digest`.
    pub async fn has_blob(&self, digest: &str) -> Result<bool, RegistryError> {
        let path = format!("/v2/{}/blobs/{digest}", self.name().path);
        match self.request(Method::HEAD, &path, None, None).await? {
            Ok(_) => Ok(true),
            Err(f) if f.status == StatusCode::NOT_FOUND => Ok(false),
            Err(f) => Err(push_error(f)),
        }
    }

    /// Starts an upload; with `mount` (`digest`, `repository`), asks the
    /// registry to link the blob from that repository instead, which it
    /// may decline by starting an ordinary upload.
    pub async fn start_upload(&self, mount: Option<(&str, &str)>) -> Result<Upload, RegistryError> {
        let mut path = format!("/v2/{}/blobs/uploads/", self.name().path);
        if let Some((digest, from)) = mount {
            path.push_str(&format!(
                "?mount={}&from={}",
                engine_api::rt::query::encode(digest),
                engine_api::rt::query::encode(from)
            ));
        }
        let response = match self
            .request(Method::POST, &path, None, Some(Bytes::new()))
            .await?
        {
            Ok(r) => r,
            Err(f) => return Err(push_error(f)),
        };
        if response.status() == StatusCode::CREATED && mount.is_some() {
            return Ok(Upload::Mounted);
        }
        location(&response).map(Upload::At).ok_or_else(|| {
            RegistryError::protocol(format!(
                "the registry {} started an upload without a Location",
                self.name().domain
            ))
        })
    }

    /// The URL that finishes the upload at `at` with the blob `digest`.
    fn finish_url(&self, at: &str, digest: &str) -> Result<Uri, RegistryError> {
        let base: Uri = self
            .base()
            .parse()
            .map_err(|e| RegistryError::invalid(format!("{}: {e}", self.base())))?;
        let uri = resolve(&base, at)?;
        let text = uri.to_string();
        let joiner = if text.contains('?') { '&' } else { '?' };
        format!(
            "{text}{joiner}digest={}",
            engine_api::rt::query::encode(digest)
        )
        .parse()
        .map_err(|e| RegistryError::protocol(format!("upload URL {text}: {e}")))
    }

    /// Sends `body` (`size` bytes, the blob `digest`) in one PUT that ends
    /// the upload at `at`.
    async fn put_blob(
        &self,
        at: &str,
        digest: &str,
        size: u64,
        body: Body,
    ) -> Result<(), RegistryError> {
        let uri = self.finish_url(at, digest)?;
        let mut headers: Vec<(&str, String)> = vec![
            ("content-type", "application/octet-stream".to_string()),
            ("content-length", size.to_string()),
        ];
        if let Some(a) = self.current_authorization().await {
            headers.push(("authorization", a));
        }
        let response = http::send(self.settings(), Method::PUT, &uri, &headers, body).await?;
        if response.status() != StatusCode::CREATED && !response.status().is_success() {
            return Err(push_error(failure(response).await));
        }
        Ok(())
    }

    /// Uploads `bytes` (an image config) unless the repository has them.
    pub async fn put_small_blob(&self, bytes: Bytes) -> Result<String, RegistryError> {
        let digest = digest_of(&bytes);
        if self.has_blob(&digest).await? {
            return Ok(digest);
        }
        let Upload::At(at) = self.start_upload(None).await? else {
            return Ok(digest);
        };
        let size = bytes.len() as u64;
        self.put_blob(&at, &digest, size, http::full(bytes)).await?;
        Ok(digest)
    }

    /// Uploads the file at `path` (`size` bytes, the blob `digest`) to the
    /// upload at `at`, calling `progress` with the bytes read so far.
    pub async fn put_file_blob(
        &self,
        at: &str,
        digest: &str,
        path: &Path,
        size: u64,
        progress: Box<dyn FnMut(u64) + Send>,
    ) -> Result<(), RegistryError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| RegistryError::local(&format!("opening {}", path.display()), e))?;
        let chunks = futures_util::stream::unfold(
            (file, progress, 0u64),
            |(mut file, mut progress, done)| async move {
                let mut buf = vec![0u8; CHUNK];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        let done = done + n as u64;
                        progress(done);
                        Some((Ok(Bytes::from(buf)), (file, progress, done)))
                    }
                    Err(e) => Some((Err(e), (file, progress, done))),
                }
            },
        );
        let body = StreamBody::new(chunks.map(|chunk| chunk.map(Frame::data))).boxed_unsync();
        self.put_blob(at, digest, size, body).await
    }

    /// Puts `bytes` as the manifest `reference` (a tag) of `media_type`;
    /// returns its digest.
    pub async fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<String, RegistryError> {
        let digest = digest_of(&bytes);
        let path = format!("/v2/{}/manifests/{reference}", self.name().path);
        match self
            .request(
                Method::PUT,
                &path,
                Some(("content-type", media_type.to_string())),
                Some(bytes),
            )
            .await?
        {
            Ok(_) => Ok(digest),
            Err(f) => Err(push_error(f)),
        }
    }

    /// `GET /v2/`, answering a challenge with the session's credentials:
    /// what `docker login` checks.
    pub async fn check_login(&self) -> Result<(), RegistryError> {
        let denied = |e: RegistryError| match e.kind {
            Kind::NotFound | Kind::Denied => RegistryError::new(Kind::Denied, e.message),
            _ => e,
        };
        match self
            .request(Method::GET, "/v2/", None, None)
            .await
            .map_err(denied)?
        {
            Ok(_) => Ok(()),
            Err(f) if f.status == StatusCode::UNAUTHORIZED => Err(RegistryError::new(
                Kind::Denied,
                format!(
                    "login attempt to {}/v2/ failed with status: 401 Unauthorized",
                    self.base()
                ),
            )),
            Err(f) => Err(push_error(f)),
        }
    }
}
