//! The `X-Registry-Auth` header: a JSON object encoded in base64url (the
//! docker CLI) or standard base64 (some older clients), with or without
//! padding. Decoded into whatever type the caller names (the spec's
//! `AuthConfig` in the generated router).

use serde::de::DeserializeOwned;

/// Decodes the header's value; the error says what was wrong.
pub fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, String> {
    let bytes = base64(raw.trim()).ok_or("not base64-encoded")?;
    super::json::decode_json(&bytes).map_err(|e| format!("not the expected JSON: {e}"))
}

/// Decodes either base64 alphabet; `None` on any other character.
fn base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover character cannot encode a byte.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_alphabets_with_or_without_padding() {
        assert_eq!(base64("aGk=").unwrap(), b"hi");
        assert_eq!(base64("aGk").unwrap(), b"hi");
        assert_eq!(base64("-_8").unwrap(), base64("+/8=").unwrap());
        assert!(base64("a").is_none());
        assert!(base64("a$b").is_none());
        // {"username":"u"} in base64url
        let v: serde_json::Value = decode("eyJ1c2VybmFtZSI6InUifQ").unwrap();
        assert_eq!(v["username"], "u");
        assert!(decode::<serde_json::Value>("!!")
            .unwrap_err()
            .contains("base64"));
    }
}
