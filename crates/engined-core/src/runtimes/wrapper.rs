//! Wrapper scripts: the exact bytes of the script that runs a runtime with
//! its `runtimeArgs`, and the content-derived name it is stored under.
//!
//! Callers of a runtime (and runc's own conventions) pass only a binary path,
//! so a runtime with `runtimeArgs` is run through a script:
//!
//! ```text
//! #!/bin/sh
//! # engined runtime wrapper; named after the SHA-256 of these bytes, never edited.
//! exec '/usr/bin/crun' '--debug' "$@"
//! ```
//!
//! Every word is single-quoted (a `'` inside becomes `'\''`), so a path or an
//! argument with spaces, quotes, `$`, backticks, backslashes or newlines
//! reaches the runtime byte for byte, and the caller's arguments follow as
//! `"$@"`. The file is named `<runtime>.<digest>`, `<digest>` being the full
//! lowercase hex SHA-256 of the script's bytes (64 digits): the same content
//! always gets the same name, and a name never stands for other content.

use sha2::{Digest, Sha256};

/// The first lines of every wrapper script.
const HEADER: &str =
    "#!/bin/sh\n# engined runtime wrapper; named after the SHA-256 of these bytes, never edited.\n";

/// A wrapper script: its bytes and their digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapperScript {
    bytes: Vec<u8>,
    digest: String,
}

impl WrapperScript {
    /// The script that runs `target` with `args` before the caller's.
    ///
    /// `target` and `args` must not contain NUL bytes (validation refuses
    /// them: no program can receive one).
    pub fn new(target: &str, args: &[String]) -> Self {
        let mut text = String::from(HEADER);
        text.push_str("exec ");
        text.push_str(&shell_quote(target));
        for arg in args {
            text.push(' ');
            text.push_str(&shell_quote(arg));
        }
        text.push_str(" \"$@\"\n");
        let bytes = text.into_bytes();
        let digest = hex(&Sha256::digest(&bytes));
        Self { bytes, digest }
    }

    /// The script's exact bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The lowercase hex SHA-256 of [`Self::bytes`] (64 digits).
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The file name of this script for `runtime`: `<runtime>.<digest>`.
    pub fn file_name(&self, runtime: &str) -> String {
        format!("{runtime}.{}", self.digest)
    }
}

/// Quotes `word` for a POSIX shell: wrapped in `'`, each `'` inside written
/// as `'\''`. The shell reads the result back as exactly `word`.
pub fn shell_quote(word: &str) -> String {
    let mut quoted = String::with_capacity(word.len() + 2);
    quoted.push('\'');
    for c in word.chars() {
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$HOME `x` \\ \""), "'$HOME `x` \\ \"'");
    }

    #[test]
    fn script_text() {
        let script = WrapperScript::new("/usr/bin/crun", &args(&["--debug", "a'b"]));
        let text = std::str::from_utf8(script.bytes()).unwrap();
        assert_eq!(
            text,
            format!("{HEADER}exec '/usr/bin/crun' '--debug' 'a'\\''b' \"$@\"\n")
        );
    }

    #[test]
    fn hex_is_lowercase_and_complete() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn digest_is_sha256_of_bytes() {
        let script = WrapperScript::new("runc", &args(&["--root", "/x"]));
        assert_eq!(script.digest().len(), 64);
        assert_eq!(script.digest(), hex(&Sha256::digest(script.bytes())));
        assert_eq!(script.file_name("rt"), format!("rt.{}", script.digest()));
    }

    #[test]
    fn same_content_same_name_different_args_different_name() {
        let a = WrapperScript::new("runc", &args(&["--debug"]));
        let b = WrapperScript::new("runc", &args(&["--debug"]));
        assert_eq!(a, b);
        assert_eq!(a.file_name("x"), b.file_name("x"));
        for other in [
            WrapperScript::new("runc", &args(&["--debug", ""])),
            WrapperScript::new("runc", &args(&["--debug "])),
            WrapperScript::new("runc", &args(&["--de", "bug"])),
            WrapperScript::new("crun", &args(&["--debug"])),
        ] {
            assert_ne!(a.digest(), other.digest());
        }
    }
}
