//! Copy-up: a new, empty volume mounted over a directory the image has
//! is first given that directory's contents, as dockerd does. The image
//! side is archived by [`super::pack`] and the stream extracted into the
//! volume by [`super::unpack`], both through [`crate::scoped`], so the
//! image's links, hard links, owners and modes arrive as they are and
//! nothing in the image can make the copy read or write outside its
//! root or the volume.

use std::io;
use std::path::Path;

use super::error::{ArchiveError, Result};
use super::scope;
use super::unpack::{self, UnpackOptions};
use crate::scoped::pack;
use crate::scoped::{Follow, Root};

/// Copies what the image at `image_rootfs` has at `destination` (a path
/// in the container) into the volume directory `volume`, when the volume
/// is empty and the image has a directory there. Returns whether it
/// copied.
pub fn copy_up(image_rootfs: &Path, destination: &str, volume: &Path) -> Result<bool> {
    let fail = |what: &str, e: io::Error| ArchiveError::io(format!("{what} for {destination}"), e);
    let target = Root::new(volume).map_err(|e| fail("opening the volume", e.into()))?;
    if !target
        .read_dir(Path::new("."))
        .map_err(|e| fail("listing the volume", e.into()))?
        .is_empty()
    {
        return Ok(false);
    }
    let image = Root::new(image_rootfs).map_err(|e| fail("opening the image", e.into()))?;
    // The directory itself, its last element followed inside the image.
    let located = scope::locate(&format!("{destination}/."));
    match image.metadata(&located.relative, Follow::Yes) {
        Ok(meta) if meta.is_dir() => {}
        _ => return Ok(false),
    }
    let (reader, mut writer) = io::pipe().map_err(|e| fail("copying", e))?;
    let packer = std::thread::spawn(move || {
        let result = pack::pack_path(
            &mut writer,
            &image,
            &located.relative,
            located.follow,
            &located.name,
        );
        drop(writer);
        result
    });
    let options = UnpackOptions::default();
    let unpacked = unpack::unpack(reader, &target, Path::new(""), &options);
    let packed = packer
        .join()
        .map_err(|_| fail("copying", io::Error::other("the archiving thread panicked")))?;
    unpacked?;
    packed.map_err(|e| fail("archiving the image's files", e))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{symlink, MetadataExt};

    use super::*;

    #[test]
    fn an_empty_volume_gets_the_image_directory_and_nothing_else() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host").unwrap();
        let image = tempfile::tempdir().unwrap();
        let data = image.path().join("data");
        std::fs::create_dir_all(data.join("sub")).unwrap();
        std::fs::write(data.join("sub/f"), "image file").unwrap();
        std::fs::hard_link(data.join("sub/f"), data.join("h")).unwrap();
        symlink(outside.path(), data.join("out")).unwrap();
        symlink(outside.path(), image.path().join("linked")).unwrap();
        let volume = tempfile::tempdir().unwrap();
        assert!(copy_up(image.path(), "/data", volume.path()).unwrap());
        let v = volume.path();
        assert_eq!(
            std::fs::read_to_string(v.join("sub/f")).unwrap(),
            "image file"
        );
        assert_eq!(std::fs::metadata(v.join("h")).unwrap().nlink(), 2);
        assert_eq!(std::fs::read_link(v.join("out")).unwrap(), outside.path());
        // Not empty any more: a second copy-up does nothing.
        assert!(!copy_up(image.path(), "/data", v).unwrap());
        // A destination that is a link out of the image: followed inside
        // the image, where it leads nowhere; nothing copied.
        let other = tempfile::tempdir().unwrap();
        assert!(!copy_up(image.path(), "/linked", other.path()).unwrap());
        assert_eq!(std::fs::read_dir(other.path()).unwrap().count(), 0);
        assert!(!copy_up(image.path(), "/missing", other.path()).unwrap());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    }
}
