//! The command line, dockerd-style where it overlaps: `-H` (repeated) and
//! `-G` for the listeners, `--tlsverify` with `--tlscacert`, `--tlscert`,
//! `--tlskey` for TCP ones; `--upstream` with its own TLS files; the
//! policy file, the audit log, shared reads and the runtime's worker
//! threads.

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
    /// Answer identical reads (GETs of one JSON value, without
    /// credentials) that are upstream at the same moment with one
    /// upstream call: each still gets an answer the upstream computed
    /// after its request arrived.
    #[arg(long)]
    pub share_reads: bool,
    /// Threads running the connections. One is the default: a streamed
    /// answer passes each upstream chunk between two tasks, and with a
    /// second thread the scheduler keeps waking it to take one of them
    /// over (a 1 GiB log cost about 30% more CPU and four times the
    /// context switches); raise it when many busy clients share a
    /// machine with cores to spare.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: u16,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> Result<Cli, clap::Error> {
        let base = [
            "engine-proxy",
            "--upstream",
            "unix:///u.sock",
            "-H",
            "unix:///p.sock",
        ];
        let policy = ["--policy", "p.yaml"];
        Cli::try_parse_from(base.iter().chain(&policy).chain(extra))
    }

    #[test]
    fn one_thread_unless_told() {
        assert_eq!(parse(&[]).map(|c| c.threads).ok(), Some(1));
        assert_eq!(parse(&["--threads", "4"]).map(|c| c.threads).ok(), Some(4));
    }

    #[test]
    fn no_threads_is_refused() {
        assert!(parse(&["--threads", "0"]).is_err());
    }
}
