//! `ssh://[user@]host[:port]`, the docker CLI's address of a daemon on
//! another machine reached through the ssh client: no password in the
//! address (ssh asks, or uses keys and its own config), no path after the
//! host.

use std::fmt;

use super::HostError;

/// A daemon reached over ssh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshHost {
    /// The login name (`-l`), when the address names one.
    pub user: Option<String>,
    /// The machine, as ssh resolves it (a name, an address, a `Host` alias
    /// of `~/.ssh/config`); IPv6 addresses without brackets.
    pub host: String,
    /// The port (`-p`), when the address names one.
    pub port: Option<u16>,
}

impl fmt::Display for SshHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ssh://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl SshHost {
    /// Parses `ssh://[user@]host[:port]`.
    pub fn parse(text: &str) -> Result<SshHost, HostError> {
        let bad = |why: &'static str| HostError::BadSsh(text.into(), why);
        let rest = text
            .strip_prefix("ssh://")
            .ok_or_else(|| HostError::Scheme(text.into()))?;
        if rest.contains(['?', '#']) {
            return Err(bad("an ssh address takes no query or fragment"));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            return Err(bad("an ssh address takes no path after the host"));
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((user, hostport)) => (Some(user), hostport),
            None => (None, rest),
        };
        if let Some(user) = user {
            if user.contains(':') {
                return Err(bad("a password in the address is not supported"));
            }
            if user.is_empty() {
                return Err(bad("the user before `@` is empty"));
            }
        }
        let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
            let (host, after) = inner
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address needs its closing `]`"))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(p.strip_prefix(':').ok_or_else(|| bad("junk after `]`"))?),
                ),
            }
        } else {
            match hostport.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(bad("an ssh address needs a host"));
        }
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .map_err(|_| bad("the port is not a number"))
            })
            .transpose()?;
        Ok(SshHost {
            user: user.map(str::to_string),
            host: host.to_string(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_cli_accepts() {
        let s = SshHost::parse("ssh://me@box.example:2222").unwrap();
        assert_eq!(s.user.as_deref(), Some("me"));
        assert_eq!(s.host, "box.example");
        assert_eq!(s.port, Some(2222));
        let s = SshHost::parse("ssh://box/").unwrap();
        assert_eq!((s.user, s.host.as_str(), s.port), (None, "box", None));
        let s = SshHost::parse("ssh://root@[::1]:22").unwrap();
        assert_eq!(s.host, "::1");
        assert_eq!(s.to_string(), "ssh://root@[::1]:22");
        for bad in [
            "ssh://me:secret@box",
            "ssh://box/var/run/docker.sock",
            "ssh://",
            "ssh://@box",
            "ssh://box:ssh",
            "ssh://[::1",
            "ssh://box?x=1",
        ] {
            assert!(
                matches!(SshHost::parse(bad), Err(HostError::BadSsh(..))),
                "{bad}"
            );
        }
    }
}
