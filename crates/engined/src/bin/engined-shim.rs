//! `engined-shim <bundle>`: the per-container supervisor engined starts
//! for each container run (its body is the `engined-shim` crate). It is
//! found next to the `engined` executable, which is why this target lives
//! in the `engined` package. `engined-shim --exec-wait <pid-file> <runtime
//! command...>` is the waiter of an exec with a TTY
//! (`engined_shim::exec_wait`).

use std::process::ExitCode;

use engined_shim::exec_wait;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == exec_wait::FLAG) {
        let Some(pid_file) = args.get(1) else {
            eprintln!(
                "usage: engined-shim {} <pid-file> <command...>",
                exec_wait::FLAG
            );
            return ExitCode::from(2);
        };
        let code = exec_wait::main(std::path::Path::new(pid_file), &args[2..]);
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    let Some(bundle) = std::env::args_os().nth(1) else {
        eprintln!("usage: engined-shim <bundle directory>");
        return ExitCode::from(2);
    };
    match engined_shim::shim::main(std::path::Path::new(&bundle)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("engined-shim: {message}");
            ExitCode::FAILURE
        }
    }
}
