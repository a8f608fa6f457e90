//! Tar-split: what it takes to give back a layer's tar byte for byte
//! without keeping the tar. While a layer is unpacked, [`Recorder`] writes
//! beside its `diff/` every byte of the archive that is not file content
//! (each entry's header blocks as read, PAX and GNU long-name blocks
//! included, the padding, the end-of-archive blocks and whatever trails
//! them) and, for each entry's content, its size and the path in `diff/`
//! the unpacker wrote it to. [`LayerTar`] reads that back with the files of
//! `diff/` (opened through [`crate::scoped::Root`]) into the original tar,
//! streaming, and fails at its end with [`TarSplitError::Changed`] when
//! the bytes do not hash to the layer's diff ID.
//!
//! The file is gzip-compressed records of our own ([`format`]). A layer
//! whose tar cannot be rebuilt this way (a GNU sparse entry, a file the
//! unpacker skipped or overwrote later in the same tar) is found out by
//! regenerating it once right after the unpack: its store keeps the tar
//! blob instead.

mod format;
mod record;
mod regenerate;
#[cfg(test)]
mod tests;

pub use crate::images::tarsplit_error::{Kind, TarSplitError};
pub use record::Recorder;
pub use regenerate::LayerTar;

/// The file name of a layer's tar-split in its layer directory.
pub const FILE: &str = "tar-split.gz";
