//! The capabilities a drift check needs, read from the process's effective
//! set (`CapEff` in `/proc/self/status`). Reading an overlayfs upper
//! directory needs `CAP_SYS_ADMIN`: without it the kernel hides every
//! `trusted.*` xattr (reading one answers "no data", exactly as if it were
//! absent), so an opaque directory (`trusted.overlay.opaque = y`) looks like
//! a plain one and the lower files it hides would not be reported as
//! deleted. Drift refuses to give that partial answer.

use std::path::Path;

use crate::error::{Error, Result};

/// `CAP_SYS_ADMIN`'s bit number (linux/capability.h).
const CAP_SYS_ADMIN: u32 = 21;

/// The effective capability set of `status` (the text of
/// `/proc/self/status`), if it names one.
fn effective(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("CapEff:"))?;
    u64::from_str_radix(line["CapEff:".len()..].trim(), 16).ok()
}

/// Whether `status` shows `CAP_SYS_ADMIN` in the effective set; an
/// unreadable set counts as lacking it.
fn has_sys_admin(status: &str) -> bool {
    effective(status).is_some_and(|set| set & (1 << CAP_SYS_ADMIN) != 0)
}

/// Fail unless this process can read the overlay xattrs of `upper`.
pub fn require_for_upperdir(upper: &Path) -> Result<()> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if has_sys_admin(&status) {
        return Ok(());
    }
    Err(Error::Capability {
        location: format!("upperdir {}", upper.display()),
        capability: "CAP_SYS_ADMIN",
        reason: "without it the trusted.overlay.opaque xattr of opaque directories is \
                 unreadable, and the image files they hide would be missed (not reported \
                 as deleted). Grant CAP_SYS_ADMIN to the drift check, or compare the \
                 container's mounted root filesystem with --rootfs"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_effective_set_decides() {
        let full = "Name:\tx\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n";
        assert!(has_sys_admin(full));
        // The DaemonSet's own set: CAP_DAC_READ_SEARCH (bit 2) only.
        let dac = "CapPrm:\t00000000002000ff\nCapEff:\t0000000000000004\n";
        assert!(!has_sys_admin(dac));
        let dropped = "CapEff:\t000001fffedfffff\n";
        assert!(!has_sys_admin(dropped));
        assert!(!has_sys_admin("no capability lines"));
        assert!(!has_sys_admin("CapEff:\tzz\n"));
    }
}
