//! `engined-shim <bundle>`: the per-container supervisor engined starts
//! for each container run (see `engined::containers::supervisor`). It is
//! found next to the `engined` executable.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(bundle) = std::env::args_os().nth(1) else {
        eprintln!("usage: engined-shim <bundle directory>");
        return ExitCode::from(2);
    };
    match engined::containers::supervisor::shim::main(std::path::Path::new(&bundle)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("engined-shim: {message}");
            ExitCode::FAILURE
        }
    }
}
