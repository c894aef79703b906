//! Which package digests the files of one layer get: dpkg records MD5s,
//! apk SHA-1s, rpm either (or SHA-256, which every file gets anyway).
//! Computing both for every file costs a Debian scan its SHA-1 (~6% of a
//! cold one-layer scan's CPU) and an Alpine scan its MD5 for nothing.
//!
//! The choice is made from the layer's own entries as the walk passes them
//! (never from other layers: a cached layer is reused under any lower
//! layers, so what it holds must depend on its bytes alone). Both digests
//! are on until the layer shows one package manager's own directories and
//! none of another's: Debian's base layer starts with `etc/dpkg/`, long
//! before `usr/`; Alpine's has `etc/apk/`. A layer that shows a second
//! manager turns both back on. The price of a misleading layer (dpkg's
//! directories first, then files an apk database claims) is never a silent
//! answer: each skipped digest is recorded on its file
//! ([`super::PkgData::no_md5`], [`super::PkgData::no_sha1`]), and a file a
//! database claims with a digest it lacks is `unverifiable`, with a notice
//! saying why (`packages`), never `verified` or quietly unchecked.

use crate::path::ImagePath;

/// The package digests one file gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PkgDigests {
    pub md5: bool,
    pub sha1: bool,
}

impl PkgDigests {
    pub const BOTH: PkgDigests = PkgDigests {
        md5: true,
        sha1: true,
    };
}

impl Default for PkgDigests {
    fn default() -> Self {
        PkgDigests::BOTH
    }
}

/// Directories only dpkg creates (its configuration and its database).
const DPKG: &[&[u8]] = &[b"etc/dpkg", b"var/lib/dpkg"];
/// Directories only apk creates.
const APK: &[&[u8]] = &[b"etc/apk", b"lib/apk"];
/// rpm's: it records MD5, SHA-1 or SHA-256 per package, so both stay on.
const RPM: &[&[u8]] = &[b"etc/rpm", b"var/lib/rpm", b"usr/lib/sysimage/rpm"];

/// The package managers a layer has shown so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct DigestPlan {
    dpkg: bool,
    apk: bool,
    rpm: bool,
}

/// Is `path` one of `dirs` or below one?
fn under(path: &[u8], dirs: &[&[u8]]) -> bool {
    dirs.iter()
        .any(|d| path.starts_with(d) && (path.len() == d.len() || path.get(d.len()) == Some(&b'/')))
}

impl DigestPlan {
    /// Note an entry of the layer (any kind: a directory is evidence too).
    pub fn see(&mut self, path: &ImagePath) {
        let p = path.as_bytes();
        self.dpkg |= under(p, DPKG);
        self.apk |= under(p, APK);
        self.rpm |= under(p, RPM);
    }

    /// The digests the next file gets: all of them unless exactly one of
    /// dpkg and apk (and no rpm) has shown itself.
    pub fn digests(&self) -> PkgDigests {
        let only_dpkg = self.dpkg && !self.apk && !self.rpm;
        let only_apk = self.apk && !self.dpkg && !self.rpm;
        PkgDigests {
            md5: !only_apk,
            sha1: !only_dpkg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(paths: &[&str]) -> PkgDigests {
        let mut plan = DigestPlan::default();
        for p in paths {
            plan.see(&ImagePath::new(p.as_bytes()));
        }
        plan.digests()
    }

    #[test]
    fn both_until_one_manager_shows_itself() {
        let both = PkgDigests::BOTH;
        let md5 = PkgDigests {
            md5: true,
            sha1: false,
        };
        let sha1 = PkgDigests {
            md5: false,
            sha1: true,
        };
        assert_eq!(after(&[]), both);
        assert_eq!(after(&["bin/busybox", "usr/bin/x"]), both);
        assert_eq!(after(&["etc/dpkg"]), md5);
        assert_eq!(after(&["etc/dpkg/origins/debian"]), md5);
        assert_eq!(after(&["var/lib/dpkg/status"]), md5);
        assert_eq!(after(&["etc/apk/world"]), sha1);
        assert_eq!(after(&["lib/apk/db/installed"]), sha1);
        // A second manager (or rpm, which may record either) turns both on.
        assert_eq!(after(&["etc/dpkg", "lib/apk/db/installed"]), both);
        assert_eq!(after(&["etc/apk", "var/lib/dpkg/info/x.md5sums"]), both);
        assert_eq!(after(&["etc/dpkg", "var/lib/rpm/rpmdb.sqlite"]), both);
        assert_eq!(after(&["usr/lib/sysimage/rpm"]), both);
        // Look-alike names are no evidence.
        assert_eq!(after(&["etc/dpkgx", "etc/apk-tools/x", "lib/apkx"]), both);
        assert_eq!(after(&["usr/etc/dpkg/x", "opt/lib/apk/db/installed"]), both);
    }
}
