//! Reading registry answer bodies with a ceiling, so a manifest, an error
//! or a token answer can never fill memory.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::error::{Kind, RegistryError};

/// The next data chunk of `body`, skipping trailers; `None` at the end.
pub async fn next_chunk(body: &mut Incoming) -> Result<Option<Bytes>, RegistryError> {
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| RegistryError::unavailable(format!("reading from the registry: {e}")))?;
        if let Ok(data) = frame.into_data() {
            return Ok(Some(data));
        }
    }
    Ok(None)
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
