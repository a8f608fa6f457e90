//! Streams of JSON values as Docker sends them (events, pull and push
//! progress, build output, stats): values one after another, usually
//! separated by newlines (`\r\n` or `\n`), arriving in arbitrary chunks.
//! A progress stream that fails after its success status says so in a
//! line of its own (`{"errorDetail":{"message":...},"error":...}`):
//! [`decode_checked`] turns that line into a [`StreamError`].

use bytes::{Buf, BytesMut};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A failure the daemon reported inside a stream: the `errorDetail` (or,
/// from older daemons, the bare `error`) of a progress line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StreamError {
    /// What went wrong, in the daemon's words.
    pub message: String,
    /// The code the daemon attached, when it did (401 for a registry that
    /// refused the credentials, a build step's exit status...).
    pub code: Option<i64>,
}

impl StreamError {
    /// The error a stream line reports, if it is an error line: an object
    /// with an `errorDetail` object or an `error` string.
    pub fn from_line(value: &Value) -> Option<StreamError> {
        Self::from_parts(value.get("errorDetail"), value.get("error"))
    }

    /// The same rule on the two members alone, as [`ErrorMembers`] keeps
    /// them.
    fn from_parts(detail: Option<&Value>, error: Option<&Value>) -> Option<StreamError> {
        let detail = detail.filter(|d| d.is_object());
        let error = error.and_then(Value::as_str);
        if detail.is_none() && error.is_none() {
            return None;
        }
        let message = detail
            .and_then(|d| d.get("message"))
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .or(error)
            .unwrap_or("the daemon reported an error without a message")
            .to_string();
        let code = detail.and_then(|d| d.get("code")).and_then(Value::as_i64);
        Some(StreamError { message, code })
    }
}

/// The two members of a stream value that make it an error line, read
/// without building the rest of the value: every other member, and any
/// value that is not an object, is skipped. Ordinary items (stats, events,
/// progress) have neither member, so reading this allocates nothing.
#[derive(Default)]
struct ErrorMembers {
    detail: Option<Value>,
    error: Option<Value>,
}

impl<'de> serde::Deserialize<'de> for ErrorMembers {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(ErrorMembersVisitor)
    }
}

struct ErrorMembersVisitor;

impl<'de> serde::de::Visitor<'de> for ErrorMembersVisitor {
    type Value = ErrorMembers;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ErrorMembers, A::Error> {
        let mut found = ErrorMembers::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "errorDetail" => found.detail = Some(map.next_value()?),
                "error" => found.error = Some(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ErrorMembers, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(ErrorMembers::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }

    fn visit_str<E>(self, _: &str) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }

    fn visit_unit<E>(self) -> Result<ErrorMembers, E> {
        Ok(ErrorMembers::default())
    }
}

/// What one value of a checked stream turned out to be.
#[derive(Debug)]
pub enum Checked<T> {
    /// An ordinary item.
    Item(T),
    /// An error line.
    Failed(StreamError),
}

/// Why a checked value could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum CheckedError {
    /// Not JSON at all.
    #[error("{0}")]
    Syntax(serde_json::Error),
    /// JSON, but not the stream's item type.
    #[error("{0}")]
    Shape(serde_json::Error),
}

/// As [`decode`], but an error line becomes [`Checked::Failed`] instead of
/// an item (whatever `T` is).
pub fn decode_checked<T: DeserializeOwned>(
    buf: &mut BytesMut,
) -> Result<Option<Checked<T>>, CheckedError> {
    // One pass finds where the value ends and whether it is an error line;
    // only then is the value itself decoded, straight from its bytes.
    let skip = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
    buf.advance(skip);
    if buf.is_empty() {
        return Ok(None);
    }
    let mut values = serde_json::Deserializer::from_slice(buf).into_iter::<ErrorMembers>();
    let members = match values.next() {
        Some(Ok(members)) => members,
        Some(Err(err)) if err.is_eof() => return Ok(None),
        Some(Err(err)) => return Err(CheckedError::Syntax(err)),
        None => return Ok(None),
    };
    let line = buf.split_to(values.byte_offset());
    if let Some(err) = StreamError::from_parts(members.detail.as_ref(), members.error.as_ref()) {
        return Ok(Some(Checked::Failed(err)));
    }
    crate::json_text::from_bytes(&line)
        .map(|item| Some(Checked::Item(item)))
        .map_err(CheckedError::Shape)
}

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
    fn error_lines_are_told_apart() {
        let wire = concat!(
            "{\"status\":\"Pulling fs layer\",\"id\":\"a\"}\n",
            "{\"errorDetail\":{\"code\":401,\"message\":\"denied\"},\"error\":\"denied!\"}\n",
            "{\"error\":\"old style\"}\n",
            "{\"errorDetail\":{}, \"error\":\"empty detail\"}\n",
        );
        let mut buf = BytesMut::from(wire.as_bytes());
        let mut got = Vec::new();
        while let Some(v) = decode_checked::<Value>(&mut buf).unwrap() {
            got.push(v);
        }
        assert!(matches!(&got[0], Checked::Item(v) if v["id"] == "a"));
        let failed: Vec<StreamError> = got
            .into_iter()
            .filter_map(|c| match c {
                Checked::Failed(e) => Some(e),
                Checked::Item(_) => None,
            })
            .collect();
        let want = |m: &str, code| StreamError {
            message: m.into(),
            code,
        };
        assert_eq!(
            failed,
            vec![
                want("denied", Some(401)),
                want("old style", None),
                want("empty detail", None)
            ]
        );
        // An `error` that is not a string (a field of some item) is no error line.
        assert_eq!(
            StreamError::from_line(&serde_json::json!({"error": null})),
            None
        );
    }

    #[test]
    fn checked_values_of_any_shape_survive_chunking() {
        let wire = concat!(
            "{\"read\":\"t\",\"nested\":{\"error\":\"inner, not a line\"}}\n",
            "[1,{\"error\":\"in an array\"}]\r\n",
            "\"a string\"\n",
            "{\"id\":\"x\",\"errorDetail\":{\"message\":\"late\"}}",
        );
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for chunk in wire.as_bytes().chunks(3) {
            buf.put_slice(chunk);
            while let Some(v) = decode_checked::<Value>(&mut buf).unwrap() {
                got.push(v);
            }
        }
        assert_eq!(got.len(), 4);
        assert!(matches!(&got[0], Checked::Item(v) if v["nested"]["error"] == "inner, not a line"));
        assert!(matches!(&got[1], Checked::Item(v) if v[0] == 1));
        assert!(matches!(&got[2], Checked::Item(v) if v == "a string"));
        assert!(matches!(&got[3], Checked::Failed(e) if e.message == "late"));
        // An item of the wrong type is a shape error and the next one still decodes.
        let mut buf = BytesMut::from(&b"{\"n\":\"x\"} {\"n\":2}"[..]);
        #[derive(serde::Deserialize)]
        struct N {
            n: u32,
        }
        assert!(matches!(
            decode_checked::<N>(&mut buf),
            Err(CheckedError::Shape(_))
        ));
        assert!(matches!(
            decode_checked::<N>(&mut buf),
            Ok(Some(Checked::Item(N { n: 2 })))
        ));
        assert!(matches!(decode_checked::<N>(&mut buf), Ok(None)));
    }

    #[test]
    fn reports_garbage() {
        let mut buf = BytesMut::from(&b"{\"a\": nope}"[..]);
        assert!(decode::<Value>(&mut buf).is_err());
    }
}
