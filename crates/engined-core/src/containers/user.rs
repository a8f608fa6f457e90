//! The `User` of a container or exec (`name`, `uid`, `name:group`,
//! `uid:gid`) turned into numbers, through the container's own
//! `/etc/passwd` and `/etc/group` when names are used (as Docker does).
//! Both files are opened through [`crate::scoped`] (a symlink to a host
//! file resolves inside the container; a FIFO or device is refused
//! without blocking) and read line by line, keeping only the entry
//! looked for, so a 100 MB file costs no memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::spec::ProcessUser;
use crate::scoped::Root;

/// Lines longer than this are skipped (no valid entry is that long).
const MAX_LINE: u64 = 64 * 1024;

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
}

/// Calls `each` with every line of `file` (without its newline) until it
/// returns `true`; overlong and non-UTF-8 lines are skipped.
fn scan(file: File, mut each: impl FnMut(&str) -> bool) -> io::Result<()> {
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") && n as u64 == MAX_LINE {
            skip_line(&mut reader)?;
            continue;
        }
        if let Ok(text) = std::str::from_utf8(&line) {
            if each(text.trim_end_matches('\n')) {
                return Ok(());
            }
        }
    }
}

/// Consumes the rest of the current line.
fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let len = buf.len();
        reader.consume(len);
    }
}

/// One of the container's account files, or `None` when it has none.
/// Any other failure (a FIFO, a directory, a symlink loop) is an error.
fn open_db(root: Option<&Root>, path: &str) -> Result<Option<File>, String> {
    let Some(root) = root else {
        return Ok(None);
    };
    match root.open(Path::new(path)) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_passwd(line: &str) -> Option<PasswdEntry> {
    let fields: Vec<&str> = line.split(':').collect();
    if fields.len() < 4 {
        return None;
    }
    Some(PasswdEntry {
        name: fields[0].to_string(),
        uid: fields[2].parse().ok()?,
        gid: fields[3].parse().ok()?,
    })
}

/// The first passwd entry `matches` accepts.
fn find_user(
    root: Option<&Root>,
    matches: impl Fn(&PasswdEntry) -> bool,
) -> Result<Option<PasswdEntry>, String> {
    let Some(file) = open_db(root, "/etc/passwd")? else {
        return Ok(None);
    };
    let mut found = None;
    scan(file, |line| match parse_passwd(line) {
        Some(e) if matches(&e) => {
            found = Some(e);
            true
        }
        _ => false,
    })
    .map_err(|e| format!("reading /etc/passwd: {e}"))?;
    Ok(found)
}

/// What the group file says: the gid of group `wanted` (when asked) and
/// the groups listing `member` as a member.
fn scan_groups(
    root: Option<&Root>,
    wanted: Option<&str>,
    member: Option<&str>,
) -> Result<(Option<u32>, Vec<u32>), String> {
    let Some(file) = open_db(root, "/etc/group")? else {
        return Ok((None, Vec::new()));
    };
    let mut gid = None;
    let mut additional = Vec::new();
    scan(file, |line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() < 3 {
            return false;
        }
        let Ok(this) = fields[2].parse::<u32>() else {
            return false;
        };
        if gid.is_none() && wanted == Some(fields[0]) {
            gid = Some(this);
        }
        if let Some(name) = member {
            let listed = fields
                .get(3)
                .is_some_and(|m| m.split(',').any(|s| !s.is_empty() && s == name));
            if listed && !additional.contains(&this) {
                additional.push(this);
            }
        }
        false
    })
    .map_err(|e| format!("reading /etc/group: {e}"))?;
    Ok((gid, additional))
}

/// Resolves `spec` (empty: root) inside `rootfs`.
pub fn resolve(spec: &str, rootfs: &Path) -> Result<ProcessUser, String> {
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    // A root that cannot be opened has no account files: numbers work.
    let root = Root::new(rootfs).ok();
    let root = root.as_ref();
    let (uid, mut gid, name) = if user_part.is_empty() {
        let entry = find_user(root, |e| e.uid == 0).unwrap_or_default();
        (0, 0, entry.map(|e| e.name))
    } else if let Ok(uid) = user_part.parse::<u32>() {
        match find_user(root, |e| e.uid == uid).unwrap_or_default() {
            Some(e) => (uid, e.gid, Some(e.name)),
            None => (uid, 0, None),
        }
    } else {
        match find_user(root, |e| e.name == user_part)
            .map_err(|why| format!("unable to find user {user_part}: {why}"))?
        {
            Some(e) => (e.uid, e.gid, Some(e.name)),
            None => {
                return Err(format!(
                    "unable to find user {user_part}: no matching entries in passwd file"
                ))
            }
        }
    };
    let group = group_part.filter(|g| !g.is_empty());
    let numeric_group = group.and_then(|g| g.parse::<u32>().ok());
    let wanted = group.filter(|_| numeric_group.is_none());
    // Supplementary groups: those listing the user, when no group was forced.
    let member = name.as_deref().filter(|_| group_part.is_none());
    let (found_gid, additional_gids) = if wanted.is_some() || member.is_some() {
        match scan_groups(root, wanted, member) {
            Ok(found) => found,
            Err(why) => match wanted {
                Some(g) => return Err(format!("unable to find group {g}: {why}")),
                None => (None, Vec::new()),
            },
        }
    } else {
        (None, Vec::new())
    };
    if let Some(g) = numeric_group {
        gid = g;
    } else if let Some(g) = wanted {
        gid = found_gid.ok_or_else(|| {
            format!("unable to find group {g}: no matching entries in group file")
        })?;
    }
    Ok(ProcessUser {
        uid,
        gid,
        additional_gids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rootfs() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::fs::write(
            dir.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\nbad line\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("etc/group"),
            "root:x:0:\nwheel:x:10:root\nwww:x:33:\nstaff:x:50:www,other\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn names_and_numbers() {
        let r = rootfs();
        assert_eq!(
            resolve("", r.path()).unwrap(),
            ProcessUser {
                uid: 0,
                gid: 0,
                additional_gids: vec![10]
            }
        );
        assert_eq!(
            resolve("www", r.path()).unwrap(),
            ProcessUser {
                uid: 33,
                gid: 33,
                additional_gids: vec![50]
            }
        );
        let u = resolve("1000:1000", r.path()).unwrap();
        assert_eq!((u.uid, u.gid), (1000, 1000));
        let u = resolve("33:staff", r.path()).unwrap();
        assert_eq!((u.uid, u.gid, u.additional_gids.len()), (33, 50, 0));
        let u = resolve("4242", r.path()).unwrap();
        assert_eq!((u.uid, u.gid), (4242, 0));
    }

    #[test]
    fn unknown_names_are_errors() {
        let r = rootfs();
        assert_eq!(
            resolve("nobody", r.path()).unwrap_err(),
            "unable to find user nobody: no matching entries in passwd file"
        );
        assert!(resolve("www:nogroup", r.path()).is_err());
        // No passwd file at all: numbers still work.
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(resolve("7:8", empty.path()).unwrap().uid, 7);
        assert!(resolve("www", empty.path()).is_err());
    }

    #[test]
    fn hostile_account_files_stay_inside_and_never_block() {
        // The container's passwd is a link to a host file; its group a FIFO.
        let host = tempfile::tempdir().unwrap();
        let host_passwd = host.path().join("passwd");
        std::fs::write(&host_passwd, "hostonly:x:4321:4321::/:/bin/sh\n").unwrap();
        let r = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(r.path().join("etc")).unwrap();
        std::os::unix::fs::symlink(&host_passwd, r.path().join("etc/passwd")).unwrap();
        let fifo = std::ffi::CString::new(r.path().join("etc/group").to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path for the call.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let e = resolve("hostonly", r.path()).unwrap_err();
        assert!(e.contains("no matching entries"), "{e}");
        let u = resolve("0:0", r.path()).unwrap();
        assert_eq!((u.uid, u.gid), (0, 0));
        let e = resolve("0:wheel", r.path()).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        // A loop is an error for names, not a hang.
        std::fs::remove_file(r.path().join("etc/passwd")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", r.path().join("etc/passwd")).unwrap();
        assert!(resolve("root", r.path()).is_err());
        assert_eq!(resolve("5", r.path()).unwrap().uid, 5);
    }

    #[test]
    fn long_files_and_lines_are_scanned_not_held() {
        let r = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(r.path().join("etc")).unwrap();
        let mut text = "x".repeat(200_000);
        text.push_str(":x:1:1::/:/bin/sh\n");
        for i in 0..20_000 {
            text.push_str(&format!("u{i}:x:{}:{}::/:/bin/sh\n", i + 100, i + 100));
        }
        std::fs::write(r.path().join("etc/passwd"), text).unwrap();
        let u = resolve("u19999", r.path()).unwrap();
        assert_eq!((u.uid, u.gid), (20099, 20099));
        // The overlong line is not an entry.
        assert_eq!(resolve("1", r.path()).unwrap().gid, 0);
    }
}
