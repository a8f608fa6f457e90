//! The group of the API's unix sockets, as dockerd chooses it: the one
//! `group` names (a group name, else a number), or `docker` when that
//! group exists, else none (the sockets stay root's).

use std::ffi::CString;

use super::ListenError;

/// The group the sockets get when `group` is not set, if it exists.
pub const DEFAULT_GROUP: &str = "docker";

/// The gid the unix sockets get; `None` keeps root's group.
pub fn socket_gid(group: Option<&str>) -> Result<Option<u32>, ListenError> {
    match group {
        None => {
            let gid = lookup(DEFAULT_GROUP);
            if gid.is_none() {
                tracing::debug!(
                    "no group {DEFAULT_GROUP}: the API sockets stay owned by root's group"
                );
            }
            Ok(gid)
        }
        Some(name) => match lookup(name).or_else(|| name.parse::<u32>().ok()) {
            Some(gid) => Ok(Some(gid)),
            None => Err(ListenError::NoSuchGroup(name.to_owned())),
        },
    }
}

/// The gid of the group called `name` (the system's group database).
pub fn lookup(name: &str) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: all-zero is a valid `group` (null pointers, gid 0).
        let mut group: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and `buf.len()` is
        // the size of `buf`; the result points into `group` or is null.
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                &mut group,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < (1 << 20) {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        return (rc == 0 && !found.is_null()).then_some(group.gr_gid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_the_default() {
        assert_eq!(lookup("root"), Some(0));
        assert_eq!(socket_gid(Some("root")).unwrap(), Some(0));
        assert_eq!(socket_gid(Some("4321")).unwrap(), Some(4321));
        assert!(matches!(
            socket_gid(Some("no-such-group-here")),
            Err(ListenError::NoSuchGroup(name)) if name == "no-such-group-here"
        ));
        assert_eq!(socket_gid(None).unwrap(), lookup(DEFAULT_GROUP));
    }
}
