//! Registry credentials for headers: the JSON of a credentials value (the
//! spec's `AuthConfig`, which this crate does not know) in base64url with
//! padding, the encoding the docker CLI uses and dockerd decodes for
//! `X-Registry-Auth`.

use super::ClientError;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `X-Registry-Auth`'s value for `auth`: any value that serializes to the
/// JSON object dockerd expects (`username`, `password`, `serveraddress`...).
pub fn encode_auth<T: serde::Serialize + ?Sized>(auth: &T) -> Result<String, ClientError> {
    let json = serde_json::to_vec(auth).map_err(|source| ClientError::Decode {
        what: "registry credentials".into(),
        source,
    })?;
    Ok(base64url(&json))
}

/// Base64 with the URL-safe alphabet and `=` padding.
pub fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let digits = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, d) in digits.iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[*d as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_go_url_encoding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg==");
        assert_eq!(base64url(b"fo"), "Zm8=");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff, 0xfe]), "-__-");
        let auth = serde_json::json!({ "username": "me" });
        let json = serde_json::to_vec(&auth).unwrap();
        assert_eq!(encode_auth(&auth).unwrap(), base64url(&json));
        assert!(!encode_auth(&auth).unwrap().contains(['+', '/']));
    }
}
