//! `cargo run --release -p codegen --example codegen_stages -- SPEC RUNS`:
//! generates the types, server and client of SPEC RUNS times in one
//! process and prints the median of each stage and of the whole, in
//! milliseconds, one `name<TAB>ms` line each (what `benches/codegen.sh`
//! reads).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use codegen::emit::stages::{timed_project_files, STAGES};

/// The allocator `xtask` uses, so the stages cost what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let spec = PathBuf::from(args.next().unwrap_or_else(|| "swagger.yaml".into()));
    let runs: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
        .max(1);
    let mut per_stage: Vec<Vec<Duration>> = vec![Vec::new(); STAGES.len()];
    let mut totals = Vec::new();
    for _ in 0..runs {
        let (_, stages) = match timed_project_files(&spec, "swagger.yaml") {
            Ok(done) => done,
            Err(e) => {
                eprintln!("codegen_stages: {e}");
                return ExitCode::FAILURE;
            }
        };
        totals.push(stages.iter().map(|s| s.took).sum());
        for (slot, stage) in per_stage.iter_mut().zip(&stages) {
            slot.push(stage.took);
        }
    }
    for (name, times) in STAGES.iter().zip(per_stage) {
        println!("{name}\t{:.2}", median(times).as_secs_f64() * 1000.0);
    }
    println!("total\t{:.2}", median(totals).as_secs_f64() * 1000.0);
    ExitCode::SUCCESS
}
