//! The `nft` binary, spoken to in its JSON input (`nft -j -f -`): a batch
//! is one transaction, so the table is replaced whole or not at all. The
//! name of a daemon's table follows from its exec root, so that several
//! engineds on one host (the tests run many) never touch each other's
//! rules, nor dockerd's or the host's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::config::DEFAULT_EXEC_ROOT;
use crate::networks::error::{NetworkError, Result};

/// The file in the exec root that holds the daemon's table name.
pub const TABLE_FILE: &str = "nat-table";

/// The table of the daemon whose exec root is `exec_root`: `engined` for
/// the default one, `engined_<12 hex of the root's SHA-256>` for others.
pub fn table_name(exec_root: &Path) -> String {
    if exec_root == Path::new(DEFAULT_EXEC_ROOT) {
        return "engined".into();
    }
    let digest = Sha256::digest(exec_root.as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("engined_{hex}")
}

/// The `nft` binary: the usual sbin places first (a daemon's PATH may not
/// have them), else whatever PATH finds.
fn binary() -> PathBuf {
    ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("nft"))
}

/// Runs `nft ARGS` with `input` on its standard input.
fn run(args: &[&str], input: Option<&[u8]>) -> Result<String> {
    let what = format!("nft {}", args.join(" "));
    let mut child = Command::new(binary())
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| NetworkError::io(what.clone(), e))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(text)
            .map_err(|e| NetworkError::io(what.clone(), e))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| NetworkError::io(what.clone(), e))?;
    if !out.status.success() {
        return Err(NetworkError::Nat {
            what,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Applies a JSON batch (one transaction).
pub fn apply(batch: &serde_json::Value) -> Result<()> {
    let text = batch.to_string();
    run(&["-j", "-f", "-"], Some(text.as_bytes())).map(|_| ())
}

/// Deletes table `ip <table>`; a missing one is no error.
pub fn delete_table(table: &str) -> Result<()> {
    if !table_exists(table)? {
        return Ok(());
    }
    run(&["delete", "table", "ip", table], None).map(|_| ())
}

/// Whether table `ip <table>` exists.
pub fn table_exists(table: &str) -> Result<bool> {
    let listed = run(&["-j", "list", "tables", "ip"], None)?;
    let value: serde_json::Value =
        serde_json::from_str(&listed).map_err(|e| NetworkError::Nat {
            what: "nft -j list tables".into(),
            message: e.to_string(),
        })?;
    Ok(value["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|item| item["table"]["name"] == table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_named_after_the_exec_root() {
        assert_eq!(table_name(Path::new(DEFAULT_EXEC_ROOT)), "engined");
        let a = table_name(Path::new("/tmp/a/exec"));
        assert!(
            a.starts_with("engined_") && a.len() == "engined_".len() + 12,
            "{a}"
        );
        assert_ne!(a, table_name(Path::new("/tmp/b/exec")));
        assert_eq!(a, table_name(Path::new("/tmp/a/exec")));
    }
}
