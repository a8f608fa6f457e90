//! The one reader of the times clients give engined: `since`/`until` of
//! logs and events, and the `until=` filter of every prune. The forms
//! are dockerd's (its `GetTimestamp` rules):
//!
//! - a Go duration counted back from now: `10m`, `1h30m`, `1.5h`, `300ms`
//!   (but `0` is the epoch);
//! - a date or date-time, RFC 3339 style: with `Z` or an offset
//!   (`2026-11-29T10:00:00+01:00`, `2026-11-29Z`), or without a zone, then
//!   read in the daemon's local zone (`2026-11-29T10:00`, `2026-11-29`);
//!   hours alone and minutes alone are allowed after the `T`;
//! - Unix seconds with an optional fraction: `1700000000.5` (what the
//!   docker CLI sends after converting the other forms itself).

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// A time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse value as time or duration: \"{0}\"")]
pub struct TimeError(pub String);

/// Now, in nanoseconds since the Unix epoch: the `now` that [`parse`]
/// counts durations back from.
pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Nanoseconds since the Unix epoch of a stored RFC 3339 time (a
/// record's `Created`), 0 when it cannot be read.
pub fn unix_nanos_of(time: &str) -> i64 {
    humantime::parse_rfc3339_weak(time)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Nanoseconds since the Unix epoch of `value`, durations counted back
/// from `now` (nanoseconds), zone-less forms read in the local zone.
pub fn parse(value: &str, now: i64) -> Result<i64, TimeError> {
    parse_in(value, now, &TimeZone::system())
}

/// [`parse`] with the zone for zone-less forms given.
pub fn parse_in(value: &str, now: i64, local: &TimeZone) -> Result<i64, TimeError> {
    let err = || TimeError(value.to_string());
    if value != "0" {
        if let Some(back) = go_duration(value) {
            return now.checked_sub(back).ok_or_else(err);
        }
    }
    let zoned = value.contains(['z', 'Z', '+']) || value.matches('-').count() == 3;
    match civil_time(value, zoned, now, local) {
        Some(t) => i64::try_from(t.as_nanosecond()).map_err(|_| err()),
        // Something date-like that is not a valid date is refused; else
        // it must be Unix seconds.
        None if value.contains('-') => Err(err()),
        None => unix_seconds(value).ok_or_else(err),
    }
}

/// A date or date-time, with its zone (`zoned`) or in `local` at `now`.
fn civil_time(value: &str, zoned: bool, now: i64, local: &TimeZone) -> Option<Timestamp> {
    let (text, offset) = if zoned {
        split_offset(value)?
    } else {
        let now = Timestamp::from_nanosecond(i128::from(now)).ok()?;
        (value, local.to_offset(now))
    };
    let civil: DateTime = if text.contains('T') {
        let (date, time) = text.split_once('T')?;
        let time = match time.matches(':').count() {
            0 => format!("{time}:00:00"),
            1 => format!("{time}:00"),
            _ => time.to_string(),
        };
        format!("{date}T{time}").parse().ok()?
    } else {
        // A fraction needs a time to belong to.
        if text.contains('.') {
            return None;
        }
        text.parse::<Date>()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight())
    };
    offset.to_timestamp(civil).ok()
}

/// Splits `Z` or a `±hh:mm` offset off the end of a zoned form.
fn split_offset(value: &str) -> Option<(&str, Offset)> {
    if let Some(text) = value.strip_suffix(['Z', 'z']) {
        return Some((text, Offset::UTC));
    }
    if value.len() < 6 || !value.is_char_boundary(value.len() - 6) {
        return None;
    }
    let (text, zone) = value.split_at(value.len() - 6);
    let sign = match zone.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = zone[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let offset = Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some((text, offset))
}

/// `seconds[.fraction]`, the fraction cut to nanoseconds.
fn unix_seconds(value: &str) -> Option<i64> {
    let (secs, frac) = value.split_once('.').unwrap_or((value, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let mut nanos = frac.to_string();
    nanos.truncate(9);
    while nanos.len() < 9 {
        nanos.push('0');
    }
    let nanos: i64 = nanos.parse().ok()?;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// A Go duration (`time.ParseDuration`) in nanoseconds: an optional
/// sign, then numbers (with an optional fraction) each followed by a unit
/// of `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`.
pub(crate) fn go_duration(value: &str) -> Option<i64> {
    let (negative, mut rest) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number == "." {
            return None;
        }
        let number: f64 = number.parse().ok()?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = next;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    let nanos = total.round() as i64;
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    /// 2023-11-14T22:13:20Z.
    const T: i64 = 1_700_000_000 * S;

    fn utc(value: &str) -> Result<i64, TimeError> {
        parse_in(value, T, &TimeZone::UTC)
    }

    #[test]
    fn unix_seconds_with_and_without_a_fraction() {
        assert_eq!(utc("1700000000"), Ok(T));
        assert_eq!(utc("1700000000.5"), Ok(T + S / 2));
        assert_eq!(utc("1700000000.123456789123"), Ok(T + 123_456_789));
        assert_eq!(utc("0"), Ok(0));
    }

    #[test]
    fn rfc3339_with_a_zone_or_an_offset() {
        assert_eq!(utc("2023-11-14T22:13:20Z"), Ok(T));
        assert_eq!(utc("2023-11-14T22:13:20.25Z"), Ok(T + S / 4));
        assert_eq!(utc("2023-11-14T23:13:20+01:00"), Ok(T));
        assert_eq!(utc("2023-11-14T17:13:20-05:00"), Ok(T));
        assert_eq!(utc("2023-11-14T22:13Z"), Ok(T - 20 * S));
        assert_eq!(utc("2023-11-14T22Z"), Ok(T - 13 * 60 * S - 20 * S));
        assert_eq!(utc("2023-11-14Z"), Ok(T - (22 * 3600 + 13 * 60 + 20) * S));
    }

    #[test]
    fn rfc3339_without_a_zone_is_local() {
        assert_eq!(utc("2023-11-14T22:13:20"), Ok(T));
        assert_eq!(utc("2023-11-14T22:13"), Ok(T - 20 * S));
        let paris = TimeZone::fixed(Offset::from_seconds(3600).unwrap());
        assert_eq!(parse_in("2023-11-14T23:13:20", T, &paris), Ok(T));
        assert_eq!(parse_in("2023-11-14T23:13:20.5", T, &paris), Ok(T + S / 2));
    }

    #[test]
    fn date_only() {
        assert_eq!(utc("2023-11-14"), Ok(T - (22 * 3600 + 13 * 60 + 20) * S));
    }

    #[test]
    fn durations_back_from_now() {
        assert_eq!(utc("10m"), Ok(T - 600 * S));
        assert_eq!(utc("1h30m"), Ok(T - 5400 * S));
        assert_eq!(utc("1.5h"), Ok(T - 5400 * S));
        assert_eq!(utc("300ms"), Ok(T - 300_000_000));
        assert_eq!(utc("24h"), Ok(T - 86400 * S));
        assert_eq!(utc("-10s"), Ok(T + 10 * S));
    }

    #[test]
    fn what_is_refused() {
        for bad in [
            "soon",
            "",
            "10x",
            "2023-13-01",
            "2023-11-14T25:00",
            "1700000000.5.1",
            "12abc",
            "h",
        ] {
            let e = utc(bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("failed to parse value as time or duration: \"{bad}\""),
            );
        }
    }
}
