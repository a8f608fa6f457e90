//! Rust names for spec names: types in UpperCamelCase, fields in
//! snake_case (via `heck`), keywords escaped, collisions resolved by a
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
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// A type name for a spec name (`container_config` -> `ContainerConfig`).
pub fn type_name(raw: &str) -> String {
    let mut name = ascii(raw.to_upper_camel_case());
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
    let part = ascii(part.to_upper_camel_case());
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
    let snake: String = words
        .to_snake_case()
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
    let name = ascii(value.to_upper_camel_case());
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
