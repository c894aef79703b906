//! The `stowaway` binary: parse arguments, run the command, and map its
//! verdict to the exit code. This is the only place that decides it:
//! 0 pass, 1 policy failed (findings at or above the threshold), 2 error or
//! incomplete scan.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match args.run() {
        Ok(cli::Verdict::Pass) => ExitCode::from(0),
        Ok(cli::Verdict::Fail) => ExitCode::from(1),
        Err(e) => {
            eprintln!("stowaway: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
