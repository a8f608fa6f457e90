//! Test helper: tars built entry by entry with names written raw (so
//! `..`, absolute paths and `./` survive), for the extractors' tests.

use tar::{EntryType, Header};

/// One entry: name, type, and the data (a regular file) or the target
/// (a symlink or hard link).
pub type Spec<'a> = (&'a str, EntryType, &'a str);

/// A tar of `entries`, mode 0644 (0755 for directories), owned by root.
pub fn tar(entries: &[Spec<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, data) in entries {
        let mut h = Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_mode(if kind.is_dir() { 0o755 } else { 0o644 });
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_700_000_000);
        let slot = &mut h.as_old_mut().name;
        slot[..name.len()].copy_from_slice(name.as_bytes());
        if kind.is_symlink() || kind.is_hard_link() {
            h.set_link_name(data).unwrap();
            h.set_size(0);
            h.set_cksum();
            b.append(&h, std::io::empty()).unwrap();
        } else {
            h.set_size(data.len() as u64);
            h.set_cksum();
            b.append(&h, data.as_bytes()).unwrap();
        }
    }
    b.into_inner().unwrap()
}
