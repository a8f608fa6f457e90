//! Disk full during a pull: engined's data root is a small tmpfs (mounted
//! by the test under its directory, unmounted when the test ends however
//! it ends) that a filler file has mostly used up. `docker pull` of an
//! image with a 6 MiB layer that cannot be compressed fails naming the
//! cause, and leaves nothing: no image listed, no spool file, no blob or
//! layer directory more than before. Once the filler is removed the same
//! pull succeeds and the image runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::layout::{self, Entry, Layout};
use super::registry::{self, Registry};
use super::{busybox_image, image_ids, noise, spool_is_empty};
use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::skip::{skip_reason, Need};

/// The tmpfs, and what fills most of it.
const TMPFS_MIB: u64 = 32;
const FILLER_MIB: usize = 24;
const LAYER_MIB: usize = 6;

/// A tmpfs mounted at a directory, unmounted (lazily, should a daemon
/// still hold it) when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, mib: u64) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m,mode=0711")])
            .arg("tmpfs")
            .arg(at)
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs at {}", at.display());
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Quietly: the harness may have unmounted it with the daemon.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The entries of `dir` (none when it is missing).
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_full_disk_fails_the_pull_and_keeps_nothing() {
    if let Some(why) = skip_reason(Need::Containers).or_else(registry::missing) {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = Engined::test_dir("pull_cli-disk-full");
    let registry = Registry::start(&dir);
    let mut layout = Layout::new(&dir.join("layout"));
    let big = layout::tar(&[Entry::File("big.bin", noise(LAYER_MIB << 20), 0o644)]);
    let image = busybox_image(&layout, Some(big));
    layout.name(&image.manifest, "full");
    let name = format!("{}:v1", registry.name("test/full"));
    registry::push(&layout.dir, "full", &name, &["--preserve-digests"]);

    // Declared before the daemon, so it is unmounted after it stops.
    let data = dir.join("data");
    let _tmpfs = Tmpfs::mount(&data, TMPFS_MIB);
    let d = Engined::start(&dir);
    let filler = data.join("filler");
    std::fs::write(&filler, vec![0u8; FILLER_MIB << 20]).unwrap();
    let images = data.join("images");
    let kept = |sub: &str| entries(&images.join(sub));
    let (blobs, layers) = (kept("blobs/sha256"), kept("layers"));

    let out = d.docker_output(&["pull", &name]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "{stderr}");
    assert!(
        stderr.to_lowercase().contains("no space left on device"),
        "{stderr}"
    );
    assert!(image_ids(&d).is_empty(), "a partial image is listed");
    assert!(spool_is_empty(&d), "a failed pull left spool files");
    assert_eq!(kept("blobs/sha256"), blobs, "a failed pull left blobs");
    assert_eq!(kept("layers"), layers, "a failed pull left layers");

    std::fs::remove_file(&filler).unwrap();
    let out = d.docker(&["pull", &name]);
    assert!(
        out.contains(&format!("Status: Downloaded newer image for {name}")),
        "{out}"
    );
    let ran = d.docker(&["run", "--rm", "--network", "none", &name, "cat", "/which"]);
    assert_eq!(ran, "host");
    drop(d);
    drop(_tmpfs);
    drop(registry);
    test_support::scratch::remove_dir(&dir);
}
