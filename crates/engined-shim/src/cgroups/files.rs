//! Reading the kernel's cgroup files: one number, a `max`-or-number
//! limit, `key value` lines, and the `MAJ:MIN key=value ...` lines of
//! `io.stat`. A file that does not exist reads as `None`, so a controller
//! the kernel lacks leaves its figures at zero instead of failing the
//! whole sample.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::error::CgroupError;

/// The file's text, `None` when it does not exist.
pub fn read_text(path: &Path) -> Result<Option<String>, CgroupError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CgroupError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A file holding one unsigned number.
pub fn read_u64(path: &Path) -> Result<Option<u64>, CgroupError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    parse_u64(path, text.trim()).map(Some)
}

/// A limit file: `max` (v2) is no limit, as is a v1 value too large to be
/// a real limit (the kernel's "unlimited" is near `i64::MAX`).
pub fn read_limit(path: &Path) -> Result<Option<u64>, CgroupError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    let text = text.trim();
    if text == "max" || text == "-1" {
        return Ok(None);
    }
    let value = parse_u64(path, text)?;
    Ok((value < UNLIMITED_FROM).then_some(value))
}

/// v1 writes "no limit" as the largest page-aligned `i64`; anything from
/// 2^62 on is treated as that.
const UNLIMITED_FROM: u64 = 1 << 62;

/// `key value` lines (`memory.stat`, `cpu.stat`, `memory.events`,
/// `cpuacct.stat`, `memory.oom_control`); lines that are not a key and a
/// number are skipped.
pub fn read_keyed(path: &Path) -> Result<Option<BTreeMap<String, u64>>, CgroupError> {
    Ok(read_text(path)?.map(|text| parse_keyed(&text)))
}

pub fn parse_keyed(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let key = fields.next()?;
            let value = fields.next()?.parse::<u64>().ok()?;
            fields.next().is_none().then(|| (key.to_string(), value))
        })
        .collect()
}

/// Space-separated numbers on one line (`cpuacct.usage_percpu`).
pub fn read_list(path: &Path) -> Result<Option<Vec<u64>>, CgroupError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    text.split_whitespace()
        .map(|n| parse_u64(path, n))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn parse_u64(path: &Path, text: &str) -> Result<u64, CgroupError> {
    text.parse::<u64>()
        .map_err(|_| CgroupError::parse(path, format!("not a number: {text:?}")))
}

/// `MAJ:MIN` as two numbers.
pub fn parse_device(text: &str) -> Option<(u64, u64)> {
    let (major, minor) = text.split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_limits_and_keyed_lines() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        put("n", "42\n");
        put("max", "max\n");
        put("v1max", "9223372036854771712\n");
        put("limit", "16777216\n");
        put("bad", "lots\n");
        put(
            "keyed",
            "cache 4096\nrss 8192\nodd line here\nhierarchical 3\n",
        );
        put("list", "10 20 30 \n");
        assert_eq!(read_u64(&dir.path().join("n")).unwrap(), Some(42));
        assert_eq!(read_u64(&dir.path().join("absent")).unwrap(), None);
        assert_eq!(read_limit(&dir.path().join("max")).unwrap(), None);
        assert_eq!(read_limit(&dir.path().join("v1max")).unwrap(), None);
        assert_eq!(
            read_limit(&dir.path().join("limit")).unwrap(),
            Some(16 << 20)
        );
        let err = read_u64(&dir.path().join("bad")).unwrap_err();
        assert_eq!(err.kind(), super::super::ErrorKind::Parse);
        assert!(err.to_string().contains("bad"), "{err}");
        let keyed = read_keyed(&dir.path().join("keyed")).unwrap().unwrap();
        assert_eq!(keyed.len(), 3);
        assert_eq!(keyed["rss"], 8192);
        assert_eq!(
            read_list(&dir.path().join("list")).unwrap(),
            Some(vec![10, 20, 30])
        );
        assert_eq!(parse_device("8:16"), Some((8, 16)));
        assert_eq!(parse_device("8"), None);
    }
}
