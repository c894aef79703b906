//! Human-readable tables, with colour when writing to a terminal.

use crate::packages::PackageDb;
use std::fmt::Write;

use crate::finding::Severity;
use crate::fs::ImageFs;
use crate::model::ImageInfo;
use crate::path::escape_bytes;
use crate::scan::Scan;

use super::model::SeverityCounts;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// A severity label, coloured when the style says so.
    pub fn severity(&self, s: Severity) -> String {
        let text = format!("{:<8}", s.as_str().to_uppercase());
        if !self.color {
            return text;
        }
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn image_header(out: &mut String, image: &ImageInfo, style: Style) {
    let _ = writeln!(out, "{} {}", style.bold("Image"), image.reference);
    if let Some(d) = image.digest {
        let _ = writeln!(out, "  digest    {d}");
    }
    if let Some(d) = image.config_digest {
        let _ = writeln!(out, "  config    {d}");
    }
    if let Some(p) = &image.platform {
        let _ = writeln!(out, "  platform  {p}");
    }
    let _ = writeln!(out, "  layers    {}", image.layers.len());
    for l in &image.layers {
        let digest = l.digest.map(|d| d.short()).unwrap_or_else(|| "-".into());
        let comp = l.compression.map(|c| c.as_str()).unwrap_or("-");
        let step = l
            .created_by
            .as_deref()
            .map(|s| truncate(s, 70))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {:>2}  {digest}  {comp:<5} {:>10}  {step}",
            l.index,
            human(l.uncompressed_size)
        );
    }
}

/// The inventory as a table.
pub fn inventory(
    image: &ImageInfo,
    fs: &ImageFs,
    pkgs: &PackageDb,
    all_layers: bool,
    style: Style,
) -> String {
    let mut out = String::new();
    image_header(&mut out, image, style);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<8} {:<5} {:>9} {:>11} {:>5}  {:<19}  PATH",
        "TYPE", "MODE", "UID:GID", "SIZE", "LAYER", "SHA256"
    );
    for n in fs.nodes.values() {
        let e = &n.entry;
        let sha = e.sha256.map(|d| d.short()).unwrap_or_default();
        let mut path = e.path.display();
        if let Some(l) = &e.link {
            let arrow = if e.kind == crate::layer::EntryType::Hardlink {
                "=>"
            } else {
                "->"
            };
            let _ = write!(path, " {arrow} {}", escape_bytes(l));
        }
        if let Some(o) = pkgs.owner(&e.path, n) {
            let _ = write!(path, "  [{}, {}]", o.package_label(), o.integrity.as_str());
        }
        let _ = writeln!(
            out,
            "{:<8} {:04o} {:>9} {:>11} {:>5}  {:<19}  {path}",
            e.kind.as_str(),
            e.mode,
            format!("{}:{}", e.uid, e.gid),
            e.size,
            n.layer,
            sha
        );
    }
    if all_layers && !fs.removed.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", style.bold("Shipped but hidden"));
        let _ = writeln!(
            out,
            "{:<12} {:>5} {:>7}  {:<19}  PATH",
            "HOW", "ADDED", "HIDDEN", "SHA256"
        );
        for r in &fs.removed {
            let sha = r.entry.sha256.map(|d| d.short()).unwrap_or_default();
            let how = format!("{:?}", r.how).to_lowercase();
            let _ = writeln!(
                out,
                "{how:<12} {:>5} {:>7}  {sha:<19}  {}",
                r.added_in, r.removed_in, r.entry.path
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} files, {} hidden",
        fs.nodes.len(),
        fs.removed.len()
    );
    out
}

/// The scan report as a table, judged at `fail_on` (`None`: report only).
pub fn scan(scan: &Scan, fail_on: Option<Severity>, style: Style) -> String {
    let mut out = String::new();
    image_header(&mut out, &scan.image, style);
    let _ = writeln!(out);
    if scan.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
    } else {
        let _ = writeln!(out, "{}", style.bold("Findings"));
        for f in &scan.findings {
            let path = f
                .path
                .as_ref()
                .map(|p| p.display())
                .unwrap_or_else(|| "-".into());
            let layer = match (&f.layer, &f.hidden_in) {
                (Some(l), Some(h)) => format!("layer {} (hidden in {})", l.index, h.index),
                (Some(l), None) => format!("layer {}", l.index),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} {:<24} {path}  [{layer}] {}",
                style.severity(f.severity),
                f.code.as_str(),
                f.technique
            );
            for e in &f.evidence {
                let _ = writeln!(out, "             {}", truncate(e, 160));
            }
            if let Some(p) = &f.package {
                let _ = writeln!(out, "             package: {p}, {}", p.integrity.as_str());
            }
            let from_history = f
                .evidence
                .first()
                .is_some_and(|e| e.starts_with("history step"));
            if let Some(step) = f
                .layer
                .as_ref()
                .and_then(|l| l.created_by.as_deref())
                .filter(|_| !from_history)
            {
                let _ = writeln!(out, "             step: {}", truncate(step, 150));
            }
        }
    }
    let counts = SeverityCounts::of(&scan.findings);
    let _ = writeln!(
        out,
        "\n{} files, {} hidden, {} findings (critical {}, high {}, medium {}, low {}, info {}); {}",
        scan.fs.nodes.len(),
        scan.fs.removed.len(),
        scan.findings.len(),
        counts.critical,
        counts.high,
        counts.medium,
        counts.low,
        counts.info,
        match fail_on {
            Some(s) => format!("{} at or above {s}", scan.failing(s)),
            None => "report only (--fail-on never)".to_string(),
        }
    );
    out
}

fn truncate(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
