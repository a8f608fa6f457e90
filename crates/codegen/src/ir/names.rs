//! Rust names for spec names: types in UpperCamelCase, fields in
//! snake_case (heck's words; ASCII names are split by `ascii_words`, the
//! same words faster), keywords escaped, collisions resolved by a
//! numeric suffix in the order names are claimed (which is deterministic).

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that are identifiers only as raw identifiers (`r#type`).
const KEYWORDS: [&str; 50] = [
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "static",
    "struct",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "macro_rules",
];

/// Keywords that cannot even be raw identifiers.
const UNRAWABLE: [&str; 5] = ["self", "Self", "super", "crate", "_"];

/// Type names the generated code uses from the prelude; a spec type with
/// one of these names gets a `Type` suffix so that it shadows nothing.
const PRELUDE: [&str; 10] = [
    "Box", "Err", "None", "Ok", "Option", "Result", "Self", "Some", "String", "Vec",
];

/// ASCII letters and digits of a heck-converted name.
fn ascii(name: String) -> String {
    if name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return name;
    }
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Calls `word` with each word of an ASCII name, in order, as heck's case
/// conversions split it: runs of letters and digits, broken after a
/// lowercase letter (or digits that follow one) that an uppercase letter
/// follows (`hostConfig`), and before the last capital of a run of
/// capitals that a lowercase letter follows (`HTTPServer`: `HTTP`,
/// `Server`). Digits take the case of the letter before them.
///
/// heck writes every character through a formatter; names are converted
/// for every property of every schema, so ASCII names, all of Docker's,
/// are split here instead (the same words: see the tests).
fn ascii_words<'a>(raw: &'a str, mut word: impl FnMut(&'a str)) {
    #[derive(Clone, Copy, PartialEq)]
    enum Case {
        /// No letter since the word began.
        None,
        Lower,
        Upper,
    }
    for run in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        let bytes = run.as_bytes();
        let (mut start, mut case) = (0, Case::None);
        for (i, &b) in bytes.iter().enumerate() {
            let Some(&next) = bytes.get(i + 1) else {
                word(&run[start..]);
                break;
            };
            let with_b = if b.is_ascii_lowercase() {
                Case::Lower
            } else if b.is_ascii_uppercase() {
                Case::Upper
            } else {
                case
            };
            if with_b == Case::Lower && next.is_ascii_uppercase() {
                word(&run[start..=i]);
                (start, case) = (i + 1, Case::None);
            } else if case == Case::Upper && b.is_ascii_uppercase() && next.is_ascii_lowercase() {
                word(&run[start..i]);
                (start, case) = (i, Case::None);
            } else {
                case = with_b;
            }
        }
    }
}

/// `raw` in UpperCamelCase, as heck's `to_upper_camel_case` writes it.
fn upper_camel(raw: &str) -> String {
    if !raw.is_ascii() {
        return raw.to_upper_camel_case();
    }
    let mut out = String::with_capacity(raw.len());
    ascii_words(raw, |w| {
        let (first, rest) = w.split_at(1);
        out.push_str(&first.to_ascii_uppercase());
        out.extend(rest.chars().map(|c| c.to_ascii_lowercase()));
    });
    out
}

/// `raw` in snake_case, as heck's `to_snake_case` writes it.
fn snake(raw: &str) -> String {
    if !raw.is_ascii() {
        return raw.to_snake_case();
    }
    let mut out = String::with_capacity(raw.len() + 4);
    ascii_words(raw, |w| {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(w.chars().map(|c| c.to_ascii_lowercase()));
    });
    out
}

/// A type name for a spec name (`container_config` -> `ContainerConfig`).
pub fn type_name(raw: &str) -> String {
    let mut name = ascii(upper_camel(raw));
    if name.is_empty() {
        name = "Unnamed".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if PRELUDE.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// Joins name parts into one type name (`["ContainerConfig", "Healthcheck"]`).
pub fn join_type(base: &str, part: &str) -> String {
    let part = ascii(upper_camel(part));
    type_name(&format!("{base}{part}"))
}

/// Mixed-case acronyms that snake_case would split (`IPv4` -> `i_pv4`),
/// with the spelling that keeps them one word (sorted).
const ACRONYMS: &[(&str, &str)] = &[("IPs", "Ips"), ("IPv4", "Ipv4"), ("IPv6", "Ipv6")];

/// A field or method name for a spec name (`HostConfig` -> `host_config`,
/// `IPv4Forwarding` -> `ipv4_forwarding`, `type` -> `r#type`, `self` ->
/// `self_`).
pub fn field_name(raw: &str) -> String {
    let mut words = raw.to_string();
    for (acronym, word) in ACRONYMS {
        words = words.replace(acronym, word);
    }
    let snake: String = snake(&words)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut name = snake.trim_matches('_').to_string();
    if name.is_empty() {
        name = "value".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if UNRAWABLE.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// An enum variant name for a value (`on-failure` -> `OnFailure`, `""` ->
/// `Empty`, `1` -> `V1`).
pub fn variant_name(value: &str) -> String {
    let name = ascii(upper_camel(value));
    if name.is_empty() {
        return "Empty".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{name}");
    }
    if name == "Self" {
        return "SelfValue".into();
    }
    name
}

/// The name of an integer enum's variant for `value`.
pub fn int_variant_name(value: i64) -> String {
    if value < 0 {
        format!("Minus{}", value.unsigned_abs())
    } else {
        format!("V{value}")
    }
}

/// A set of names in one namespace; claiming a taken name appends 2, 3, ...
#[derive(Clone, Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    pub fn new() -> Self {
        Names::default()
    }

    /// Marks `name` as used without checking.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `base` if free, otherwise the first free `base2`, `base3`, ...
    pub fn claim(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        // A raw identifier gets its suffix outside the `r#`.
        let plain = base.strip_prefix("r#").unwrap_or(base);
        let mut n = 2;
        loop {
            let candidate = format!("{plain}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rust_shaped() {
        assert_eq!(type_name("ContainerConfig"), "ContainerConfig");
        assert_eq!(type_name("container_config"), "ContainerConfig");
        assert_eq!(type_name("Option"), "OptionType");
        assert_eq!(type_name("3d"), "T3d");
        assert_eq!(join_type("RestartPolicy", "Name"), "RestartPolicyName");
        assert_eq!(field_name("HostConfig"), "host_config");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("ID"), "id");
        assert_eq!(field_name("com.docker.x"), "com_docker_x");
        assert_eq!(field_name("1st"), "n1st");
        assert_eq!(variant_name("on-failure"), "OnFailure");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("1"), "V1");
        assert_eq!(variant_name("moby.plugins.http/v1"), "MobyPluginsHttpV1");
        assert_eq!(int_variant_name(-2), "Minus2");
    }

    /// Names of every shape, cased by heck and by the ASCII fast path.
    #[test]
    fn ascii_names_are_cased_as_heck_cases_them() {
        let samples = [
            "",
            "a",
            "A",
            "_",
            "__x__",
            "ContainerConfig",
            "container_config",
            "HTTPServer",
            "IPAMConfig",
            "IPv4Forwarding",
            "v1Item",
            "V1Item",
            "ID",
            "iD",
            "aB",
            "ABc",
            "AbC",
            "x86_64",
            "1st",
            "moby.plugins.http/v1",
            "on-failure",
            "HostConfig.Ulimits[]",
            "TLSInfo",
            "OCIDescriptor",
            "a1B2c3",
            "A1b",
            "A1B",
            "ab1Cd",
            "AB1cd",
            "ABC1DEf",
            "com.docker.x",
            "  spaced  out  ",
            "UPPER_CASE",
            "mixed-Case_name.Here",
        ];
        for raw in samples {
            assert_eq!(upper_camel(raw), raw.to_upper_camel_case(), "{raw:?}");
            assert_eq!(snake(raw), raw.to_snake_case(), "{raw:?}");
        }
        // Every ASCII name of up to four characters over an alphabet with
        // each class heck tells apart (lower, upper, digit, separator).
        let alphabet = ['a', 'b', 'A', 'B', '1', '_', '.'];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            for raw in &longer {
                assert_eq!(upper_camel(raw), raw.to_upper_camel_case(), "{raw:?}");
                assert_eq!(snake(raw), raw.to_snake_case(), "{raw:?}");
            }
            names = longer;
        }
        // Not ASCII: heck itself.
        assert_eq!(upper_camel("çaVa"), "çaVa".to_upper_camel_case());
        assert_eq!(snake("ΣΑΣ"), "ΣΑΣ".to_snake_case());
    }

    #[test]
    fn collisions_get_a_suffix() {
        let mut names = Names::new();
        assert_eq!(names.claim("A"), "A");
        assert_eq!(names.claim("A"), "A2");
        assert_eq!(names.claim("A"), "A3");
        assert_eq!(names.claim("r#type"), "r#type");
        assert_eq!(names.claim("r#type"), "type2");
    }
}
