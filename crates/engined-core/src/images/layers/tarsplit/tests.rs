//! Round trips through the layer store: a tar unpacked with its
//! tar-split recorded, then rebuilt from the files, byte for byte; and the
//! failures a changed file or an unrebuildable tar give.

use std::fs;
use std::io::Read;
use std::path::Path;

use tar::{EntryType, Header};

use super::{Kind, TarSplitError};
use crate::images::blobs::digest_of;
use crate::images::layers::{chain_ids, LayerStore};
use crate::images::ImageError;

fn header(kind: EntryType, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(if kind.is_dir() { 0o755 } else { 0o644 });
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h
}

fn file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = header(EntryType::Regular, data.len() as u64);
    b.append_data(&mut h, path, data).unwrap();
}

fn link(b: &mut tar::Builder<Vec<u8>>, kind: EntryType, path: &str, target: &str) {
    let mut h = header(kind, 0);
    b.append_link(&mut h, path, target).unwrap();
}

/// A layer with every kind of entry the store rebuilds.
fn varied_layer() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = header(EntryType::Directory, 0);
    b.append_data(&mut dir, "etc/", std::io::empty()).unwrap();
    file(&mut b, "etc/hostname", b"layer\n");
    file(&mut b, "etc/empty", b"");
    // Not a multiple of 512, and large enough for several raw flushes
    // around it.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    file(&mut b, "big.bin", &big);
    link(&mut b, EntryType::Link, "etc/hard", "etc/hostname");
    link(&mut b, EntryType::Symlink, "etc/soft", "/etc/hostname");
    // A GNU long name (`././@LongLink` block before the header).
    let long = format!("deep/{}/file", "d".repeat(150));
    file(&mut b, &long, b"gnu long name");
    // A PAX long name and an xattr.
    let pax_name = format!("pax/{}", "p".repeat(180));
    b.append_pax_extensions([
        ("path", pax_name.as_bytes()),
        ("SCHILY.xattr.user.note", b"hello".as_slice()),
    ])
    .unwrap();
    let mut h = Header::new_ustar();
    h.set_entry_type(EntryType::Regular);
    h.set_size(8);
    h.set_mode(0o600);
    h.set_mtime(1_700_000_000);
    h.as_ustar_mut().unwrap().name[..7].copy_from_slice(b"pax/ppp");
    h.set_cksum();
    b.append(&h, &b"pax data"[..]).unwrap();
    // Whiteouts and an opaque directory, as a layer above another has.
    file(&mut b, "etc/.wh.gone", b"");
    let mut opq = header(EntryType::Directory, 0);
    b.append_data(&mut opq, "opt/", std::io::empty()).unwrap();
    file(&mut b, "opt/.wh..wh..opq", b"");
    file(&mut b, "opt/new", b"n");
    let mut bytes = b.into_inner().unwrap();
    // Bytes after the end-of-archive blocks, as some writers leave.
    bytes.extend_from_slice(&[0u8; 1536]);
    bytes.extend_from_slice(b"trailing junk");
    bytes
}

/// `tar` unpacked as a base layer of a new store in `dir`.
fn unpacked(dir: &Path, tar: &[u8]) -> (LayerStore, String, String) {
    let store = LayerStore::open(dir.join("layers")).unwrap();
    let diff = digest_of(tar);
    let chain = chain_ids(std::slice::from_ref(&diff)).remove(0);
    let meta = store.create(&chain, None, &diff, Box::new(tar)).unwrap();
    assert_eq!(meta.tar_size, Some(tar.len() as u64));
    (store, chain, diff)
}

fn rebuilt(store: &LayerStore, chain: &str) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    store.open_tar(chain).unwrap().read_to_end(&mut out)?;
    Ok(out)
}

fn split_error(e: std::io::Error) -> TarSplitError {
    TarSplitError::take(e).expect("a tar-split error")
}

#[test]
fn a_varied_layer_rebuilds_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let tar = varied_layer();
    let (store, chain, _) = unpacked(dir.path(), &tar);
    assert!(store.has_split(&chain));
    let diff = store.diff_dir(&chain);
    // The unpack itself is the usual one, whiteouts in overlay form.
    assert!(diff
        .join(format!("deep/{}/file", "d".repeat(150)))
        .is_file());
    assert!(diff.join(format!("pax/{}", "p".repeat(180))).is_file());
    assert!(diff
        .join("etc/soft")
        .symlink_metadata()
        .unwrap()
        .is_symlink());
    assert!(diff.join("etc/gone").symlink_metadata().is_ok());
    let again = rebuilt(&store, &chain).unwrap();
    assert_eq!(again.len(), tar.len());
    assert!(again == tar, "the rebuilt tar differs");
    // The tar-split is small beside the content it leaves out.
    let split = fs::metadata(store.root().join(&chain[7..]).join(super::FILE)).unwrap();
    assert!(split.len() < 8192, "{} bytes", split.len());
}

#[test]
fn a_changed_file_is_found_out() {
    let dir = tempfile::tempdir().unwrap();
    let tar = varied_layer();
    let (store, chain, diff_id) = unpacked(dir.path(), &tar);
    let hostname = store.diff_dir(&chain).join("etc/hostname");
    // Same length, other bytes: only the hash tells.
    fs::write(&hostname, b"LAYER\n").unwrap();
    let e = split_error(rebuilt(&store, &chain).unwrap_err());
    assert_eq!(e.kind(), Kind::Changed);
    assert!(
        matches!(&e, TarSplitError::Changed { expected, .. } if *expected == diff_id),
        "{e}"
    );
    // Shorter.
    fs::write(&hostname, b"x").unwrap();
    let e = split_error(rebuilt(&store, &chain).unwrap_err());
    assert!(matches!(e, TarSplitError::Short { .. }), "{e}");
    // Gone.
    fs::remove_file(&hostname).unwrap();
    let e = split_error(rebuilt(&store, &chain).unwrap_err());
    assert!(matches!(e, TarSplitError::Content(_)), "{e}");
    assert_eq!(e.kind(), Kind::Changed);
    // And as the image store reports it.
    let image_error = ImageError::layer_read(std::io::Error::from(e));
    assert!(matches!(image_error, ImageError::Layer(_)));
}

#[test]
fn a_file_overwritten_in_the_same_tar_keeps_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    file(&mut b, "a", b"first");
    file(&mut b, "a", b"second");
    let tar = b.into_inner().unwrap();
    let (store, chain, _) = unpacked(dir.path(), &tar);
    assert!(!store.has_split(&chain));
    assert_eq!(
        fs::read(store.diff_dir(&chain).join("a")).unwrap(),
        b"second"
    );
}

#[test]
fn a_sparse_entry_keeps_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Header::new_gnu();
    h.set_entry_type(EntryType::GNUSparse);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    h.set_size(512);
    {
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..6].copy_from_slice(b"sparse");
        gnu.sparse[0].offset = *b"00000003000\0";
        gnu.sparse[0].numbytes = *b"00000001000\0";
        gnu.realsize = *b"00000004000\0";
    }
    h.set_cksum();
    let mut b = tar::Builder::new(Vec::new());
    b.append(&h, &[7u8; 512][..]).unwrap();
    let tar = b.into_inner().unwrap();
    let (store, chain, _) = unpacked(dir.path(), &tar);
    assert!(!store.has_split(&chain));
    let sparse = fs::read(store.diff_dir(&chain).join("sparse")).unwrap();
    assert_eq!(sparse.len(), 2048);
    assert_eq!(&sparse[1536..], &[7u8; 512][..]);
    assert!(sparse[..1536].iter().all(|&b| b == 0));
}
