//! `docker top`: the host's `ps` (with the caller's arguments, `-ef` by
//! default) limited to the container's processes, which the recorded
//! runtime lists.

use tokio::process::Command;

use super::error::{ContainerError, Result};
use super::record::Record;
use super::runc::Runtime;

/// Titles and rows of `ps <args>` for the container's pids.
pub async fn top(record: &Record, ps_args: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    if !record.state.status.is_running() {
        return Err(ContainerError::NotRunning(record.id.clone()));
    }
    let pids = Runtime::new(&record.runtime)
        .pids(&record.id)
        .await
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let args: Vec<&str> = if ps_args.trim().is_empty() {
        vec!["-ef"]
    } else {
        ps_args.split_whitespace().collect()
    };
    let out = Command::new("ps")
        .args(&args)
        .output()
        .await
        .map_err(|e| ContainerError::io("running ps", e))?;
    if !out.status.success() {
        return Err(ContainerError::InvalidArgument(format!(
            "ps: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    parse_ps(&String::from_utf8_lossy(&out.stdout), &pids).map_err(ContainerError::InvalidArgument)
}

/// Splits `ps` output into titles and the rows whose PID is in `pids`;
/// the last column keeps its spaces (the command line).
pub fn parse_ps(
    output: &str,
    pids: &[i64],
) -> std::result::Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut lines = output.lines();
    let titles: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let pid_col = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| "Couldn't find PID field in ps output".to_string())?;
    let mut rows = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < titles.len() {
            continue;
        }
        let Ok(pid) = fields[pid_col].parse::<i64>() else {
            continue;
        };
        if !pids.contains(&pid) {
            continue;
        }
        let mut row: Vec<String> = fields[..titles.len() - 1]
            .iter()
            .map(|s| s.to_string())
            .collect();
        row.push(fields[titles.len() - 1..].join(" "));
        rows.push(row);
    }
    Ok((titles, rows))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_the_containers_pids_only() {
        let out = "UID PID PPID C STIME TTY TIME CMD\n\
                   root 1 0 0 10:00 ? 00:00:01 /sbin/init\n\
                   root 4242 4240 0 10:01 ? 00:00:00 sleep 1000\n";
        let (titles, rows) = super::parse_ps(out, &[4242]).unwrap();
        assert_eq!(titles.len(), 8);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][1], "4242");
        assert_eq!(rows[0][7], "sleep 1000");
        assert!(super::parse_ps("A B\n", &[]).is_err());
    }
}
