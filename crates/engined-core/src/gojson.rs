//! How Go's `encoding/json` writes dockerd's answers, for the few places
//! where engined's typed bodies would otherwise differ from it: a nil
//! slice, map or pointer is sent as `null` (a typed `None` is left out),
//! and times are RFC 3339 with at most nine fraction digits and no
//! trailing zeros (Go's `RFC3339Nano`).

use engine_api::rt::serde_support::Rest;

/// Sends `key: null` when `field` is `None`, as dockerd sends a nil Go
/// value. `key` must be the JSON name of `field` (a `Some` field is sent
/// by its own serializer, so the key is never written twice).
pub fn nil<T, const N: usize>(rest: &mut Rest<N>, key: &str, field: &Option<T>) {
    if field.is_none() {
        rest.fields_mut()
            .insert(key.to_string(), serde_json::Value::Null);
    }
}

/// `time` (RFC 3339) as Go's `RFC3339Nano` writes it: the fraction's
/// trailing zeros dropped, and the dot with them when nothing is left.
pub fn rfc3339_nano(time: &str) -> String {
    let Some(dot) = time.find('.') else {
        return time.to_string();
    };
    let digits = time[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(time.len(), |i| dot + 1 + i);
    let fraction = time[dot + 1..digits].trim_end_matches('0');
    let dot_part = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format!("{}{dot_part}{}", &time[..dot], &time[digits..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_zeros_go() {
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.712208180Z"),
            "2026-12-01T14:19:29.71220818Z"
        );
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.000000000Z"),
            "2026-12-01T14:19:29Z"
        );
        assert_eq!(rfc3339_nano("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_nano("2026-12-01T14:19:29.5+01:00"),
            "2026-12-01T14:19:29.5+01:00"
        );
    }

    #[test]
    fn none_is_sent_as_null() {
        let mut c = engine_api::types::ContainerConfig::default();
        assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
        nil(&mut c.rest, "Env", &c.env);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"Env":null}"#);
        // A value set later is not written twice.
        let mut c = engine_api::types::ContainerConfig {
            env: Some(vec!["A=1".into()]),
            ..Default::default()
        };
        nil(&mut c.rest, "Env", &c.env);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"Env":["A=1"]}"#);
    }
}
