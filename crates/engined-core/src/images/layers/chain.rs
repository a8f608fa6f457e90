//! Chain IDs: a layer's identity in the layer store is its diff ID
//! together with everything below it, as the OCI image spec defines it
//! (`ChainID(L0) = DiffID(L0)`, `ChainID(Ln) = sha256(ChainID(Ln-1) + " " +
//! DiffID(Ln))`), so two images share a directory exactly when they share
//! the whole stack up to it.

use crate::images::blobs::digest_of;

/// The chain ID of each of `diff_ids` (bottom first), in the same order.
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for diff in diff_ids {
        let next = match out.last() {
            None => diff.clone(),
            Some(parent) => digest_of(format!("{parent} {diff}").as_bytes()),
        };
        out.push(next);
    }
    out
}

/// The hex part of a `sha256:` digest.
pub fn hex(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_is_the_diff_id_and_the_rest_hash_their_parent() {
        let a = digest_of(b"a");
        let b = digest_of(b"b");
        let chain = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(chain[0], a);
        assert_eq!(chain[1], digest_of(format!("{a} {b}").as_bytes()));
        // The same diff on another base is another layer.
        assert_ne!(chain_ids(&[b.clone(), b.clone()])[1], chain[1]);
        assert!(chain_ids(&[]).is_empty());
    }
}
