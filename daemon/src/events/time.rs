//! Times in `/events`' `since` and `until`: Unix seconds with an optional
//! fraction (`1700000000.5`), RFC 3339 (`2026-11-29T10:00:00Z`), or a Go
//! duration back from now (`10m`, `1h30m`).

/// A time that could not be read; the message names the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for {param}: `{value}` is neither Unix seconds, RFC 3339, nor a duration like 10m")]
pub struct TimeError {
    pub param: &'static str,
    pub value: String,
}

/// Nanoseconds since the epoch. `now` is the caller's clock, in nanoseconds.
pub fn parse_event_time(param: &'static str, value: &str, now: i64) -> Result<i64, TimeError> {
    let err = || TimeError {
        param,
        value: value.to_string(),
    };
    let v = value.trim();
    if let Some((secs, frac)) = v.split_once('.').or(Some((v, ""))) {
        if !secs.is_empty()
            && secs.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            let s: i64 = secs.parse().map_err(|_| err())?;
            let mut nanos = frac.to_string();
            nanos.truncate(9);
            while nanos.len() < 9 {
                nanos.push('0');
            }
            let n: i64 = nanos.parse().map_err(|_| err())?;
            return s
                .checked_mul(1_000_000_000)
                .and_then(|x| x.checked_add(n))
                .ok_or_else(err);
        }
    }
    if let Ok(t) = humantime::parse_rfc3339_weak(v) {
        let d = t.duration_since(std::time::UNIX_EPOCH).map_err(|_| err())?;
        return i64::try_from(d.as_nanos()).map_err(|_| err());
    }
    if let Ok(d) = humantime::parse_duration(v) {
        return Ok(now - i64::try_from(d.as_nanos()).map_err(|_| err())?);
    }
    Err(err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_docker_time_forms() {
        assert_eq!(
            parse_event_time("since", "1700000000", 0),
            Ok(1_700_000_000_000_000_000)
        );
        assert_eq!(
            parse_event_time("since", "1700000000.5", 0),
            Ok(1_700_000_000_500_000_000)
        );
        assert_eq!(
            parse_event_time("since", "2023-11-14T22:13:20Z", 0),
            Ok(1_700_000_000_000_000_000)
        );
        assert_eq!(
            parse_event_time("until", "10m", 1_000_000_000_000),
            Ok(400_000_000_000)
        );
        let e = parse_event_time("until", "soon", 0).unwrap_err();
        assert!(e.to_string().contains("until"), "{e}");
    }
}
