//! Container identity: 64-hex-digit ids, Docker's name rules, generated
//! names for containers created without one, and id-prefix matching.

use std::io::Read;

/// A fresh random id: 32 bytes from the kernel's generator, in hex.
pub fn new_id() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(hex(&bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The short form of an id (12 digits), as `docker ps` shows it.
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Docker's rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, a leading `/` allowed.
/// Returns the name without its `/`.
pub fn validate_name(name: &str) -> Result<&str, String> {
    let bare = name.strip_prefix('/').unwrap_or(name);
    let mut chars = bare.chars();
    let ok = match chars.next() {
        Some(first) if first.is_ascii_alphanumeric() => {
            let rest = chars.as_str();
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        }
        _ => false,
    };
    if ok {
        Ok(bare)
    } else {
        Err(format!(
            "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        ))
    }
}

const LEFT: &[&str] = &[
    "admiring", "bold", "brave", "clever", "dazzling", "eager", "elated", "festive", "focused",
    "gallant", "happy", "jolly", "keen", "kind", "lucid", "nifty", "quirky", "serene", "sharp",
    "stoic", "tender", "vibrant", "wizardly", "zealous",
];
const RIGHT: &[&str] = &[
    "babbage", "bohr", "curie", "darwin", "einstein", "euler", "fermat", "galileo", "gauss",
    "hopper", "hypatia", "kepler", "lovelace", "maxwell", "newton", "noether", "pascal", "ritchie",
    "shannon", "thompson", "turing", "wozniak",
];

/// A Docker-style generated name (`adjective_scientist`), with a number
/// appended on later attempts.
pub fn generated_name(seed: &str, attempt: usize) -> String {
    let n = u64::from_str_radix(seed.get(..12).unwrap_or("0"), 16).unwrap_or(0) as usize;
    let base = format!(
        "{}_{}",
        LEFT[n % LEFT.len()],
        RIGHT[(n / LEFT.len()) % RIGHT.len()]
    );
    if attempt == 0 {
        base
    } else {
        format!("{base}{attempt}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_64_hex_and_differ() {
        let a = new_id().unwrap();
        let b = new_id().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(short(&a).len(), 12);
    }

    #[test]
    fn names_follow_dockers_rule() {
        assert_eq!(validate_name("/web"), Ok("web"));
        assert_eq!(validate_name("web_1.a-b"), Ok("web_1.a-b"));
        assert!(validate_name("w").is_err());
        assert!(validate_name("-web").is_err());
        assert!(validate_name("we b").is_err());
        assert_eq!(
            validate_name("a/b").unwrap_err(),
            "Invalid container name (a/b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        );
        let g = generated_name("0123456789abcdef", 0);
        assert!(validate_name(&g).is_ok(), "{g}");
        assert_eq!(generated_name("0123456789abcdef", 2), format!("{g}2"));
    }
}
