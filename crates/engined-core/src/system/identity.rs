//! The daemon's identity: a random ID made once and kept in the data root
//! (`engine-id`), so `/info`'s ID stays the same across restarts.

use std::io::{Read, Write};
use std::path::Path;

/// Reads `<data_root>/engine-id`, creating it on first start. The ID is a
/// UUID-shaped string of 128 random bits from the kernel.
pub fn engine_id(data_root: &Path) -> std::io::Result<String> {
    let path = data_root.join("engine-id");
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => return Ok(id.trim().to_string()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_root)?;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    // Written atomically: a crash never leaves a half-written ID.
    let tmp = data_root.join(".engine-id.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(id.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = engine_id(dir.path()).unwrap();
        assert_eq!(first.len(), 36);
        assert_eq!(engine_id(dir.path()).unwrap(), first);
    }
}
