//! The command line, dockerd-style where it overlaps: `-H` (repeated) and
//! `-G` for the listeners, `--tlsverify` with `--tlscacert`, `--tlscert`,
//! `--tlskey` for TCP ones; `--upstream` with its own TLS files; the
//! policy file and the audit log.

use std::path::PathBuf;

use clap::Parser;

/// The typed Engine API firewall.
#[derive(Debug, Parser)]
#[command(name = "engine-proxy", version, about)]
pub struct Cli {
    /// The daemon requests go to: unix:///path, tcp://host:port
    /// (TLS with the --upstream-tls* files).
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// CA certificates the upstream's certificate must chain to.
    #[arg(long, value_name = "FILE", requires_all = ["upstream_tlscert", "upstream_tlskey"])]
    pub upstream_tlscacert: Option<PathBuf>,
    /// Client certificate presented to the upstream.
    #[arg(long, value_name = "FILE")]
    pub upstream_tlscert: Option<PathBuf>,
    /// Key of --upstream-tlscert.
    #[arg(long, value_name = "FILE")]
    pub upstream_tlskey: Option<PathBuf>,
    /// Where to listen: unix:///path or tcp://host:port (repeatable);
    /// `URL#name` makes the listener's clients the identity `name`.
    #[arg(short = 'H', long = "host", value_name = "URL", required = true)]
    pub hosts: Vec<String>,
    /// Group owning the unix sockets (a name or a number).
    #[arg(short = 'G', long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Serve TCP listeners over TLS, requiring verified client certificates.
    #[arg(long, requires_all = ["tlscacert", "tlscert", "tlskey"])]
    pub tlsverify: bool,
    /// CA certificates client certificates must chain to.
    #[arg(long, value_name = "FILE")]
    pub tlscacert: Option<PathBuf>,
    /// The proxy's server certificate.
    #[arg(long, value_name = "FILE")]
    pub tlscert: Option<PathBuf>,
    /// Key of --tlscert.
    #[arg(long, value_name = "FILE")]
    pub tlskey: Option<PathBuf>,
    /// The policy file (YAML); SIGHUP reloads it.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Append one JSON line per decision to this file.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Log debug messages.
    #[arg(short = 'D', long)]
    pub debug: bool,
}

/// The gid of `group`: a number, or a name in /etc/group.
pub fn group_id(group: &str) -> Result<u32, String> {
    if let Ok(gid) = group.parse() {
        return Ok(gid);
    }
    let text = std::fs::read_to_string("/etc/group").map_err(|e| format!("/etc/group: {e}"))?;
    text.lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            (fields.next() == Some(group))
                .then(|| fields.nth(1).and_then(|gid| gid.parse().ok()))
                .flatten()
        })
        .ok_or_else(|| format!("group {group}: no such group"))
}
