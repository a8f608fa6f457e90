//! The `User` of a container or exec (`name`, `uid`, `name:group`,
//! `uid:gid`) turned into numbers, through the container's own
//! `/etc/passwd` and `/etc/group` when names are used (as Docker does).

use std::path::Path;

use super::spec::ProcessUser;

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
}

struct GroupEntry {
    name: String,
    gid: u32,
    members: Vec<String>,
}

fn read_passwd(rootfs: &Path) -> Vec<PasswdEntry> {
    let text = std::fs::read_to_string(rootfs.join("etc/passwd")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 4 {
                return None;
            }
            Some(PasswdEntry {
                name: fields[0].to_string(),
                uid: fields[2].parse().ok()?,
                gid: fields[3].parse().ok()?,
            })
        })
        .collect()
}

fn read_groups(rootfs: &Path) -> Vec<GroupEntry> {
    let text = std::fs::read_to_string(rootfs.join("etc/group")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 3 {
                return None;
            }
            Some(GroupEntry {
                name: fields[0].to_string(),
                gid: fields[2].parse().ok()?,
                members: fields
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Resolves `spec` (empty: root) inside `rootfs`.
pub fn resolve(spec: &str, rootfs: &Path) -> Result<ProcessUser, String> {
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = read_passwd(rootfs);
    let (uid, mut gid, name) = if user_part.is_empty() {
        let root = passwd.iter().find(|e| e.uid == 0);
        (0, 0, root.map(|e| e.name.clone()))
    } else if let Ok(uid) = user_part.parse::<u32>() {
        match passwd.iter().find(|e| e.uid == uid) {
            Some(e) => (uid, e.gid, Some(e.name.clone())),
            None => (uid, 0, None),
        }
    } else {
        match passwd.iter().find(|e| e.name == user_part) {
            Some(e) => (e.uid, e.gid, Some(e.name.clone())),
            None => {
                return Err(format!(
                    "unable to find user {user_part}: no matching entries in passwd file"
                ))
            }
        }
    };
    let groups = read_groups(rootfs);
    if let Some(group) = group_part.filter(|g| !g.is_empty()) {
        gid = match group.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => groups
                .iter()
                .find(|g| g.name == group)
                .map(|g| g.gid)
                .ok_or_else(|| {
                    format!("unable to find group {group}: no matching entries in group file")
                })?,
        };
    }
    // Supplementary groups: those listing the user, when no group was forced.
    let mut additional_gids = Vec::new();
    if group_part.is_none() {
        if let Some(name) = &name {
            for g in &groups {
                if g.members.iter().any(|m| m == name) && !additional_gids.contains(&g.gid) {
                    additional_gids.push(g.gid);
                }
            }
        }
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
}
