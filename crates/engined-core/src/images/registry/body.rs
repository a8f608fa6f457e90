//! Reading registry answer bodies with a ceiling, so a manifest, an error
//! or a token answer can never fill memory, and with an idle limit, so a
//! registry that stops sending cannot hold a pull forever.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::{Kind, RegistryError};

/// How long a body may send nothing before the transfer counts as broken.
const IDLE: Duration = Duration::from_secs(60);

/// The next data chunk of `body`, skipping trailers; `None` at the end.
pub async fn next_chunk(body: &mut Incoming) -> Result<Option<Bytes>, RegistryError> {
    loop {
        let Ok(frame) = tokio::time::timeout(IDLE, body.frame()).await else {
            return Err(RegistryError::unavailable(format!(
                "reading from the registry: nothing received for {}s",
                IDLE.as_secs()
            )));
        };
        let Some(frame) = frame else {
            return Ok(None);
        };
        let frame = frame
            .map_err(|e| RegistryError::unavailable(format!("reading from the registry: {e}")))?;
        if let Ok(data) = frame.into_data() {
            return Ok(Some(data));
        }
    }
}

/// All of `body`, or an error once it passes `limit` bytes.
pub async fn read_limited(mut body: Incoming, limit: u64) -> Result<Vec<u8>, RegistryError> {
    let mut out = Vec::new();
    while let Some(chunk) = next_chunk(&mut body).await? {
        if (out.len() + chunk.len()) as u64 > limit {
            return Err(RegistryError::new(
                Kind::Protocol,
                format!("the registry's answer is larger than {limit} bytes"),
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
