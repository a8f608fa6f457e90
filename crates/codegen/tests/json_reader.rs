//! The positioned JSON reader accepts exactly what serde_json accepts, and
//! reads the same values: fixed edge cases, then generated inputs (valid
//! documents, the same with one character changed, and token soup).

use codegen::load::{load_str, Node, Value};
use proptest::prelude::*;

/// Our reader's verdict on `text` as a `.json` file.
fn ours(text: &str) -> Option<Node> {
    load_str("t.json", text).ok().map(|d| d.root)
}

/// Whether our tree and serde_json's value are the same JSON value. A
/// repeated key keeps its last value in serde_json: compare against that.
fn same(node: &Node, value: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (&node.value, value) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::Int(a), J::Number(b)) => b.as_i64() == Some(*a) || close(*a as f64, b),
        // Above i64::MAX both readers keep a u64, exactly.
        (Value::UInt(a), J::Number(b)) => b.as_u64() == Some(*a),
        (Value::Float(a), J::Number(b)) => close(*a, b),
        (Value::Str(a), J::String(b)) => a == b,
        (Value::Seq(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Map(entries), J::Object(b)) => {
            let mut keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == b.len()
                && b.iter().all(|(k, v)| {
                    entries
                        .iter()
                        .rev()
                        .find(|e| &e.key == k)
                        .is_some_and(|e| same(&e.value, v))
                })
        }
        _ => false,
    }
}

/// Numbers equal up to rounding: serde_json's default float parser may be
/// one unit in the last place off (ours is correctly rounded), and it reads
/// `-0` as a float (subnormals: any two count as close).
fn close(a: f64, b: &serde_json::Number) -> bool {
    b.as_f64().is_some_and(|b| {
        let diff = (a - b).abs();
        a == b || diff <= a.abs().max(b.abs()) * 4.0 * f64::EPSILON || diff <= f64::MIN_POSITIVE
    })
}

/// Fails with both verdicts when the readers disagree on `text`.
fn agree(text: &str) -> Result<(), String> {
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (ours(text), theirs) {
        (Some(node), Ok(value)) if same(&node, &value) => Ok(()),
        (Some(node), Ok(value)) => Err(format!(
            "{text:?}: values differ: ours {:?}, serde_json {value}",
            node.to_json()
        )),
        (None, Err(_)) => Ok(()),
        (Some(_), Err(e)) => Err(format!("{text:?}: we accept, serde_json says {e}")),
        (None, Ok(_)) => Err(format!(
            "{text:?}: serde_json accepts, we say {:?}",
            load_str("t.json", text).err()
        )),
    }
}

#[test]
fn edge_cases_match_serde_json() {
    let cases = [
        // numbers
        "0",
        "-0",
        "01",
        "-01",
        "1.",
        "-01.5",
        "+1",
        ".5",
        "1e",
        "1e+",
        "1E-",
        "1e05",
        "1E+05",
        "0.0e-0",
        "-",
        "--1",
        "1-2",
        "1.5.2",
        "0x10",
        "1e400",
        "-1e400",
        "1e-400",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "-9223372036854775809",
        "1.7976931348623157e308",
        "[01]",
        "[1.]",
        "[-]",
        "{\"a\":01}",
        "2.e3",
        "2.0e",
        "00",
        "0e",
        "0.e1",
        // words
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "True",
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "truex",
        "[true false]",
        "nulll",
        // strings
        "\"a\"",
        "\"\\u00e9\"",
        "\"\\uD83D\\uDE00\"",
        "\"\\uD83D\"",
        "\"\\uDE00\"",
        "\"\\uD83D\\u0041\"",
        "\"\\uD83Dx\"",
        "\"\\u12\"",
        "\"\\uZZZZ\"",
        "\"\\x41\"",
        "\"\\'\"",
        "\"a\tb\"",
        "\"a\nb\"",
        "\"\u{7f}\"",
        "\"\u{1f}\"",
        "\"abc",
        "\"\\\"",
        "'a'",
        "\"\\/\"",
        "\"\\b\\f\\n\\r\\t\"",
        // structure
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "[1 2]",
        "[",
        "]",
        "{",
        "}",
        "[[]]",
        "[{}]",
        "{\"a\":1,\"a\":2}",
        "1 2",
        " 1 ",
        "\n[\r\n1\t]\n",
        "[1]x",
        "{} {}",
        "\u{a0}1",
        "\u{c}1",
        "[1,\n]",
        "{\"\":\"\"}",
    ];
    let failures: Vec<String> = cases.iter().filter_map(|c| agree(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A valid JSON document (depth under serde_json's 128 limit).
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[a-z\u{e9}\"\\\\\n\u{1F600}]{0,6}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-c]{0,2}", inner), 0..4)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Pieces of JSON text, glued together in random order.
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\"", "\"a\"", "\\", "\\u", "D83D", "DE00",
    "00e9", "0", "1", "9", "-", "+", ".", "e", "E", "true", "false", "null", "nul", "NaN", "\u{1}",
    "\u{e9}", "x", "'", "/",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_documents_read_the_same(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        prop_assert!(agree(&text).is_ok(), "{}", agree(&text).unwrap_err());
    }

    #[test]
    fn one_changed_character_gets_the_same_verdict(
        value in json_value(),
        at in any::<prop::sample::Index>(),
        with in prop::sample::select(TOKENS),
        replace in any::<bool>(),
    ) {
        let text = serde_json::to_string(&value).unwrap();
        let cut = at.index(text.len() + 1);
        // Byte offsets: move to a character boundary.
        let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let rest = if replace {
            text[cut..].chars().skip(1).collect::<String>()
        } else {
            text[cut..].to_string()
        };
        let mutated = format!("{}{with}{rest}", &text[..cut]);
        prop_assert!(agree(&mutated).is_ok(), "{}", agree(&mutated).unwrap_err());
    }

    #[test]
    fn token_soup_gets_the_same_verdict(parts in prop::collection::vec(prop::sample::select(TOKENS), 1..10)) {
        let text = parts.concat();
        prop_assert!(agree(&text).is_ok(), "{}", agree(&text).unwrap_err());
    }
}
