//! JSON pointers (RFC 6901): building them while walking a tree, and
//! following them to a node (for `$ref`).

use crate::load::Node;

/// Escapes one reference token: `~` as `~0`, `/` as `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base` extended by one token.
///
/// Validation, conversion and lowering make one for nearly every node they
/// visit, so the text is built in one allocation, and a token that needs
/// no escape (nearly all) is copied as it is.
pub fn join(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + 1 + token.len());
    out.push_str(base);
    out.push('/');
    if token.contains(['~', '/']) {
        out.push_str(&escape(token));
    } else {
        out.push_str(token);
    }
    out
}

/// Follows a pointer such as `/definitions/Port` from `root`.
/// Percent-encoding inside a `$ref` fragment is decoded by the caller.
pub fn resolve<'a>(root: &'a Node, pointer: &str) -> Option<&'a Node> {
    if pointer.is_empty() {
        return Some(root);
    }
    let mut node = root;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        node = match node.items() {
            Some(items) => items.get(token.parse::<usize>().ok()?)?,
            None => node.get(&token)?,
        };
    }
    Some(node)
}

/// Decodes `%XX` escapes in a URI fragment (invalid escapes are kept as
/// written; bytes that are not UTF-8 become U+FFFD). The one
/// percent-decoder of the pipeline.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn follows_escaped_tokens() {
        let doc = load_str("t.yaml", "paths:\n  /a/{id}:\n    get:\n      x: [1, 2]\n").unwrap();
        let ptr = join(&join("/paths", "/a/{id}"), "get");
        assert_eq!(ptr, "/paths/~1a~1{id}/get");
        assert_eq!(join("/x", "a~b/c~"), "/x/a~0b~1c~0");
        assert_eq!(join("", ""), "/");
        let x = resolve(&doc.root, &format!("{ptr}/x/1")).unwrap();
        assert_eq!(x.as_i64(), Some(2));
        assert_eq!(percent_decode("/a%7Bb%7D"), "/a{b}");
    }

    #[test]
    fn percent_decoding_never_splits_a_character() {
        // Regression: `%` before a multi-byte character sliced the string
        // inside that character and panicked.
        assert_eq!(percent_decode("/definitions/%aé"), "/definitions/%aé");
        assert_eq!(percent_decode("%é%"), "%é%");
        assert_eq!(percent_decode("%C3%A9%ff"), "é\u{fffd}");
    }
}
