//! Detach keys: the key sequence that ends an attach (or an exec's
//! attached stdin) without touching the container. Specs are written as
//! dockerd takes them: comma-separated keys, each a single character,
//! `ctrl-@` .. `ctrl-_` (`ctrl-a` is byte 1) or `DEL`; the default is
//! `ctrl-p,ctrl-q`. As with dockerd, only the input of a TTY (a
//! container's or an exec's) is watched; other stdin may be binary and
//! passes untouched. A [`Scanner`] watches the client's bytes: the ones
//! that might start the sequence are held back, and forwarded after all
//! when the sequence breaks off.

/// The control keys by name, in byte order from 0.
const CONTROL_KEYS: [&str; 32] = [
    "ctrl-@", "ctrl-a", "ctrl-b", "ctrl-c", "ctrl-d", "ctrl-e", "ctrl-f", "ctrl-g", "ctrl-h",
    "ctrl-i", "ctrl-j", "ctrl-k", "ctrl-l", "ctrl-m", "ctrl-n", "ctrl-o", "ctrl-p", "ctrl-q",
    "ctrl-r", "ctrl-s", "ctrl-t", "ctrl-u", "ctrl-v", "ctrl-w", "ctrl-x", "ctrl-y", "ctrl-z",
    "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_",
];

/// The default sequence, ctrl-p then ctrl-q.
pub const DEFAULT: &[u8] = &[16, 17];

/// A spec that names an unknown key; shown as dockerd words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid detach keys ({0}) provided")]
pub struct InvalidDetachKeys(pub String);

/// The bytes of a detach key spec; an empty spec is the default.
pub fn parse(spec: &str) -> Result<Vec<u8>, InvalidDetachKeys> {
    if spec.is_empty() {
        return Ok(DEFAULT.to_vec());
    }
    spec.split(',')
        .map(|key| {
            if key.len() == 1 {
                return Ok(key.as_bytes()[0]);
            }
            if key == "DEL" {
                return Ok(127);
            }
            CONTROL_KEYS
                .iter()
                .position(|name| *name == key)
                .map(|code| code as u8)
                .ok_or_else(|| InvalidDetachKeys(spec.to_string()))
        })
        .collect()
}

/// Watches a byte stream for the detach sequence.
#[derive(Debug, Clone)]
pub struct Scanner {
    keys: Vec<u8>,
    /// How many keys of the sequence the latest bytes matched.
    matched: usize,
}

impl Scanner {
    pub fn new(keys: Vec<u8>) -> Scanner {
        Scanner { keys, matched: 0 }
    }

    /// Feeds the client's next bytes; appends what is to be forwarded to
    /// `out`. Returns `true` when the sequence is complete: the client
    /// detaches, and what followed the sequence is dropped.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool {
        if self.keys.is_empty() {
            out.extend_from_slice(input);
            return false;
        }
        for &byte in input {
            if byte == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    self.matched = 0;
                    return true;
                }
                continue;
            }
            // The held-back part was ordinary input after all.
            out.extend_from_slice(&self.keys[..self.matched]);
            self.matched = 0;
            // (A one-key sequence always matched above.)
            if byte == self.keys[0] {
                self.matched = 1;
            } else {
                out.push(byte);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_as_dockerd_reads_them() {
        assert_eq!(parse("").unwrap(), vec![16, 17]);
        assert_eq!(parse("ctrl-p,ctrl-q").unwrap(), vec![16, 17]);
        assert_eq!(parse("ctrl-a,x").unwrap(), vec![1, b'x']);
        assert_eq!(parse("ctrl-@,DEL,ctrl-_").unwrap(), vec![0, 127, 31]);
        assert_eq!(parse("ctrl-\\").unwrap(), vec![28]);
        assert_eq!(parse("a,b,c").unwrap(), b"abc".to_vec());
        let err = parse("ctrl-A").unwrap_err();
        assert_eq!(err.to_string(), "Invalid detach keys (ctrl-A) provided");
        assert!(parse("ctrl-p,,x").is_err());
        assert!(parse("bogus").is_err());
    }

    fn run(keys: &[u8], chunks: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut s = Scanner::new(keys.to_vec());
        let mut out = Vec::new();
        for chunk in chunks {
            if s.feed(chunk, &mut out) {
                return (out, true);
            }
        }
        (out, false)
    }

    #[test]
    fn the_sequence_detaches_and_is_not_forwarded() {
        assert_eq!(run(DEFAULT, &[b"ab\x10\x11cd"]), (b"ab".to_vec(), true));
        // Split across reads.
        assert_eq!(run(DEFAULT, &[b"ab\x10", b"\x11"]), (b"ab".to_vec(), true));
        assert_eq!(run(&[1, b'x'], &[b"\x01x"]), (vec![], true));
    }

    #[test]
    fn a_broken_sequence_is_forwarded_whole() {
        assert_eq!(run(DEFAULT, &[b"\x10a"]), (b"\x10a".to_vec(), false));
        assert_eq!(
            run(DEFAULT, &[b"\x10", b"\x10\x11"]),
            (b"\x10".to_vec(), true)
        );
        // A start held back at the end of input stays held.
        assert_eq!(run(DEFAULT, &[b"x\x10"]), (b"x".to_vec(), false));
        assert_eq!(run(b"q", &[b"abq"]), (b"ab".to_vec(), true));
    }
}
