//! Findings from the layer model itself: hostile or odd tar entries, setuid
//! and setgid files (visible or hidden), and executables that a later layer
//! hid but every copy of the image still ships.

use crate::finding::{Code, Finding, Severity};
use crate::fs::{Hidden, ImageFs};
use crate::layer::{Entry, LayerIndex};
use crate::model::ImageInfo;

use super::layer_ref;

/// Findings recorded while walking layers and squashing them.
pub fn walk_findings(
    image: &ImageInfo,
    layers: &[LayerIndex],
    fs: &ImageFs,
    out: &mut Vec<Finding>,
) {
    for (i, l) in layers.iter().enumerate() {
        for f in &l.findings {
            let mut f = f.clone();
            f.layer = Some(layer_ref(image, i));
            out.push(f);
        }
    }
    for (i, f) in &fs.findings {
        let mut f = f.clone();
        f.layer = Some(layer_ref(image, *i));
        out.push(f);
    }
}

/// Setuid/setgid programs every distribution ships; reported at low
/// severity with that context (their content is still identified: a
/// transfer tool under one of these names is a disguised tool).
const BASE_OS_SPECIAL: &[&str] = &[
    "usr/bin/su",
    "bin/su",
    "usr/bin/passwd",
    "usr/bin/chsh",
    "usr/bin/chfn",
    "usr/bin/gpasswd",
    "usr/bin/newgrp",
    "usr/bin/mount",
    "bin/mount",
    "usr/bin/umount",
    "bin/umount",
    "usr/bin/sudo",
    "usr/bin/expiry",
    "usr/bin/chage",
    "usr/bin/crontab",
    "usr/bin/ssh-agent",
    "usr/bin/wall",
    "usr/bin/write",
    "usr/bin/bsd-write",
    "usr/sbin/unix_chkpwd",
    "sbin/unix_chkpwd",
    "usr/lib/openssh/ssh-keysign",
    "usr/lib/dbus-1.0/dbus-daemon-launch-helper",
    "usr/bin/ping",
    "bin/ping",
    "usr/bin/pkexec",
    "usr/bin/fusermount",
    "usr/bin/fusermount3",
    "usr/sbin/pam_extrausers_chkpwd",
    "usr/bin/mail-lock",
    "usr/bin/dotlockfile",
    "usr/bin/bbsuid",
    "bin/bbsuid",
];

fn special_bits(e: &Entry) -> Vec<(Code, String)> {
    let mut v = Vec::new();
    if !e.kind.has_content() {
        return v;
    }
    if e.mode & 0o4000 != 0 {
        v.push((
            Code::SetuidFile,
            format!("mode {:04o}, owner uid {}", e.mode, e.uid),
        ));
    }
    if e.mode & 0o2000 != 0 && e.mode & 0o010 != 0 {
        v.push((
            Code::SetgidFile,
            format!("mode {:04o}, group gid {}", e.mode, e.gid),
        ));
    }
    v
}

/// Setuid/setgid files, in the final view and among hidden ones.
pub fn permissions(image: &ImageInfo, fs: &ImageFs, out: &mut Vec<Finding>) {
    for node in fs.nodes.values() {
        for (code, why) in special_bits(&node.entry) {
            let mut f = Finding::new(code).at(&node.entry.path).because(why);
            if BASE_OS_SPECIAL
                .iter()
                .any(|p| p.as_bytes() == node.entry.path.as_bytes())
            {
                f = f
                    .severity(Severity::Low)
                    .because("standard setuid/setgid program of the base OS");
            }
            f.sha256 = node.entry.sha256;
            f.layer = Some(layer_ref(image, node.layer));
            out.push(f);
        }
    }
    for r in &fs.removed {
        if r.how == Hidden::Overwritten {
            continue; // the current version is what runs; hidden tools are reported below
        }
        for (code, why) in special_bits(&r.entry) {
            let mut f = Finding::new(code)
                .at(&r.entry.path)
                .because(why)
                .because(format!("hidden by layer {} ({:?})", r.removed_in, r.how).to_lowercase());
            f.sha256 = r.entry.sha256;
            f.layer = Some(layer_ref(image, r.added_in));
            f.hidden_in = Some(layer_ref(image, r.removed_in));
            out.push(f);
        }
    }
}

/// Executables shipped in one layer and deleted (whiteout, opaque, replaced)
/// by a later one.
pub fn hidden_in_history(image: &ImageInfo, fs: &ImageFs, out: &mut Vec<Finding>) {
    for r in &fs.removed {
        if r.how == Hidden::Overwritten || !r.entry.is_executable() {
            continue;
        }
        let how = r.how;
        let mut f = Finding::new(Code::RemovedExecutable)
            .at(&r.entry.path)
            .because(format!(
                "shipped by layer {}, {how} in layer {}",
                r.added_in, r.removed_in
            ))
            .because(
                format!(
                    "{:?} content, mode {:04o}, {} bytes",
                    r.entry.content, r.entry.mode, r.entry.size
                )
                .to_lowercase(),
            );
        f.sha256 = r.entry.sha256;
        f.layer = Some(layer_ref(image, r.added_in));
        f.hidden_in = Some(layer_ref(image, r.removed_in));
        out.push(f);
    }
}
