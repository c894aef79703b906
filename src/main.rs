//! The `stowaway` binary: parse arguments, run the command, and map its
//! verdict to the exit code. This is the only place that decides it:
//! 0 pass, 1 policy failed (findings at or above the threshold), 2 error or
//! incomplete scan.

#![warn(clippy::too_many_lines)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    limit_malloc_arenas();
    match cli::Cli::load().and_then(cli::Cli::run) {
        Ok(cli::Verdict::Pass) => ExitCode::from(0),
        Ok(cli::Verdict::Fail) => ExitCode::from(1),
        Err(e) => {
            eprintln!("stowaway: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc gives every thread its own malloc arena; a scan's short-lived
/// worker threads then leave many half-empty arenas behind and RSS grows
/// with the thread count. Two arenas keep memory flat at no measurable cost.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
