//! Short link names, dockerd's overlay2 trick: overlayfs takes its
//! lowerdirs in one mount option string, which the kernel limits to a
//! page, and 64-hex-digit paths fill a page after a few dozen layers.
//! Each layer directory gets a symlink `l/<26 characters>` -> `../<chain
//! hex>/diff`; a mount whose full paths would not fit uses the links,
//! relative to the layer store, instead.

use std::path::{Path, PathBuf};

/// Characters in a link name (as dockerd's).
const LEN: usize = 26;

/// The folder of links inside the layer store.
pub const DIR: &str = "l";

/// The link name of the layer with chain `hex`: derived from it (through
/// a hash, so names differing anywhere get unrelated links), so it needs
/// no record of its own; upper-case base32 like dockerd's.
pub fn name(hex: &str) -> String {
    use sha2::Digest;
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bytes = sha2::Sha256::digest(hex.as_bytes());
    let mut out = String::with_capacity(LEN);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes.iter() {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < LEN {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    out
}

/// The relative path the link of `hex` has inside the layer store.
pub fn relative(hex: &str) -> PathBuf {
    Path::new(DIR).join(name(hex))
}

/// What the link of `hex` points at (relative to the links folder).
pub fn target(hex: &str) -> PathBuf {
    Path::new("..").join(hex).join("diff")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_stable_and_distinct() {
        let a = name(&"ab".repeat(32));
        assert_eq!(a.len(), LEN);
        assert_eq!(a, name(&"ab".repeat(32)));
        assert_ne!(a, name(&"ac".repeat(32)));
        assert_ne!(name(&format!("{:064x}", 1)), name(&format!("{:064x}", 2)));
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    }
}
