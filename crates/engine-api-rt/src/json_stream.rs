//! Streams of JSON values as Docker sends them (events, pull and push
//! progress, build output, stats): values one after another, usually
//! separated by newlines (`\r\n` or `\n`), arriving in arbitrary chunks.

use bytes::{Buf, BytesMut};
use serde::de::DeserializeOwned;

/// Takes the next complete JSON value from the front of `buf`; `Ok(None)`
/// when the buffer holds only whitespace or an incomplete value.
pub fn decode<T: DeserializeOwned>(buf: &mut BytesMut) -> Result<Option<T>, serde_json::Error> {
    let skip = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
    buf.advance(skip);
    if buf.is_empty() {
        return Ok(None);
    }
    let mut values = serde_json::Deserializer::from_slice(buf).into_iter::<T>();
    match values.next() {
        Some(Ok(value)) => {
            let used = values.byte_offset();
            buf.advance(used);
            Ok(Some(value))
        }
        Some(Err(err)) if err.is_eof() => Ok(None),
        Some(Err(err)) => Err(err),
        None => Ok(None),
    }
}

/// Encodes one value as Docker does: compact JSON and a newline.
pub fn encode<T: serde::Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut *out, value)?;
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BufMut;
    use serde_json::Value;

    #[test]
    fn splits_values_across_chunks() {
        let wire = b"{\"status\":\"Pulling\"}\r\n{\"status\":\"Done\",\"id\":\"a\\\"b\"}\n  [1,2]";
        let mut buf = BytesMut::new();
        let mut got: Vec<Value> = Vec::new();
        for chunk in wire.chunks(5) {
            buf.put_slice(chunk);
            while let Some(v) = decode::<Value>(&mut buf).unwrap() {
                got.push(v);
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[1]["id"], "a\"b");
        assert_eq!(got[2], serde_json::json!([1, 2]));
    }

    #[test]
    fn reports_garbage() {
        let mut buf = BytesMut::from(&b"{\"a\": nope}"[..]);
        assert!(decode::<Value>(&mut buf).is_err());
    }
}
