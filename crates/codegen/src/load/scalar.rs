//! How a plain (unquoted) YAML scalar resolves to a typed value.
//!
//! The rules are those of libyaml-based readers (PyYAML, Docker's tooling):
//! YAML 1.1 booleans (`yes`, `on`, ... which the lint's `truthy` rule flags),
//! YAML 1.2 core integers and floats, and the null forms.

use super::node::Value;

pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if let Some(b) = truthy(text) {
        return Value::Bool(b);
    }
    if let Some(n) = integer(text) {
        return n;
    }
    if let Some(f) = float(text) {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

/// The YAML 1.1 boolean spellings.
pub(crate) fn truthy(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A YAML 1.2 core integer (decimal, `0x` hex, `0o` octal), as serde_json
/// would hold the same number: `Int` when it fits i64, `UInt` above that up
/// to u64::MAX, and a `Float` beyond (never a string: it is still a number).
fn integer(text: &str) -> Option<Value> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let Ok(magnitude) = u64::from_str_radix(body, radix) else {
        // Beyond u64: the nearest f64 (hex and octal digit by digit).
        let value = match radix {
            10 => body.parse::<f64>().ok()?,
            _ => body
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(d)),
        };
        return Some(Value::Float(if neg { -value } else { value }));
    };
    Some(match (neg, i64::try_from(magnitude)) {
        (false, Ok(i)) => Value::Int(i),
        (false, Err(_)) => Value::UInt(magnitude),
        (true, _) if magnitude <= i64::MIN.unsigned_abs() => {
            Value::Int(0i64.wrapping_sub_unsigned(magnitude))
        }
        (true, _) => Value::Float(-(magnitude as f64)),
    })
}

fn float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int_part)
        && frac_part.is_none_or(digits)
        && (!int_part.is_empty() || frac_part.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if mantissa_ok && exponent_ok && (frac_part.is_some() || exponent.is_some()) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_libyaml_readers() {
        assert_eq!(resolve_plain("200"), Value::Int(200));
        assert_eq!(resolve_plain("-3"), Value::Int(-3));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("yes"), Value::Bool(true));
        assert_eq!(resolve_plain("Off"), Value::Bool(false));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("1.44"), Value::Float(1.44));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(resolve_plain("y"), Value::Str("y".into()));
        assert_eq!(resolve_plain("."), Value::Str(".".into()));
        assert_eq!(resolve_plain("e5"), Value::Str("e5".into()));
    }

    #[test]
    fn integers_beyond_i64_stay_numbers_as_serde_json_reads_them() {
        for text in [
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "1000000000000000000000000000000",
            "-9223372036854775808",
            "-9223372036854775809",
            "-18446744073709551616",
        ] {
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            let node = crate::load::Node::new(
                resolve_plain(text),
                Default::default(),
                crate::load::Style::Plain,
            );
            assert_eq!(node.to_json(), expected, "{text}");
            assert!(node.to_json().is_number(), "{text}");
        }
        assert_eq!(resolve_plain("18446744073709551615"), Value::UInt(u64::MAX));
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(resolve_plain("0xFFFFFFFFFFFFFFFF"), Value::UInt(u64::MAX));
        assert_eq!(
            resolve_plain("0x10000000000000000"),
            Value::Float(2f64.powi(64))
        );
        assert_eq!(resolve_plain("1e30"), Value::Float(1e30));
        assert_eq!(resolve_plain("0xZZ"), Value::Str("0xZZ".into()));
    }
}
