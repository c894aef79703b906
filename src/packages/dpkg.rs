//! dpkg: installed packages from `var/lib/dpkg/status` (or distroless
//! `status.d/`), their files from `info/PKG[:ARCH].list`, MD5s from
//! `info/*.md5sums`, and conffile MD5s from the `Conffiles` field.

use std::collections::HashMap;

use crate::fs::ImageFs;
use crate::path::ImagePath;

use super::{Owned, Package, Parsed, Recorded, db_bytes, paragraphs, unreadable};

const INFO: &[u8] = b"var/lib/dpkg/info";
const STATUS_D: &[u8] = b"var/lib/dpkg/status.d";

/// Read the dpkg database, if the image has one.
pub(crate) fn read(fs: &ImageFs) -> Parsed {
    let mut out = Parsed::default();
    // (name, arch) → package index; name → first index, for `name.list`.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut by_name_arch: HashMap<(String, String), usize> = HashMap::new();
    let mut conffiles: Vec<(usize, Vec<u8>, Option<[u8; 16]>)> = Vec::new();

    let mut status_texts: Vec<(ImagePath, &[u8])> = Vec::new();
    let status = ImagePath::new(b"var/lib/dpkg/status");
    if let Some(b) = db_bytes(fs, &status, &mut out.notices) {
        status_texts.push((status, b));
    }
    let status_d = ImagePath::new(STATUS_D);
    let mut status_d_md5: Vec<(ImagePath, String)> = Vec::new();
    for (p, _) in fs.below(&status_d) {
        if p.parent() != status_d {
            continue;
        }
        if p.file_name().ends_with(b".md5sums") {
            let stem = &p.file_name()[..p.file_name().len() - b".md5sums".len()];
            status_d_md5.push((p.clone(), String::from_utf8_lossy(stem).into_owned()));
        } else if let Some(b) = db_bytes(fs, p, &mut out.notices) {
            status_texts.push((p.clone(), b));
        }
    }

    for (path, bytes) in &status_texts {
        let Ok(text) = std::str::from_utf8(bytes) else {
            out.notices.push(unreadable(path, "not UTF-8 text"));
            continue;
        };
        for para in paragraphs(text) {
            let get = |k: &str| {
                para.iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.as_str())
            };
            let Some(name) = get("Package") else { continue };
            let state = get("Status").unwrap_or("install ok installed");
            // "want flag state": only packages whose files are on disk.
            let st = state.split_whitespace().nth(2).unwrap_or("");
            if matches!(st, "not-installed" | "config-files") {
                continue;
            }
            let arch = get("Architecture").map(str::to_string);
            let idx = out.packages.len();
            out.packages.push(Package {
                manager: "dpkg",
                name: name.to_string(),
                version: get("Version").unwrap_or("").to_string(),
                arch: arch.clone(),
            });
            by_name.entry(name.to_string()).or_insert(idx);
            if let Some(a) = &arch {
                by_name_arch.insert((name.to_string(), a.clone()), idx);
            }
            if let Some(cf) = get("Conffiles") {
                for line in cf.lines() {
                    let mut w = line.split_whitespace();
                    let (Some(p), Some(sum)) = (w.next(), w.next()) else {
                        continue;
                    };
                    if w.next() == Some("obsolete") {
                        continue;
                    }
                    conffiles.push((idx, p.as_bytes().to_vec(), parse_md5(sum)));
                }
            }
        }
    }
    if out.packages.is_empty() {
        return out;
    }
    let lookup = |stem: &str| -> Option<usize> {
        match stem.split_once(':') {
            Some((n, a)) => by_name_arch.get(&(n.to_string(), a.to_string())).copied(),
            None => by_name.get(stem).copied(),
        }
    };

    // Files from the .list files, digests from the .md5sums files.
    let mut files: HashMap<Vec<u8>, Owned> = HashMap::new();
    let info = ImagePath::new(INFO);
    let mut md5_files: Vec<(ImagePath, usize)> = status_d_md5
        .into_iter()
        .filter_map(|(p, stem)| lookup(&stem).map(|i| (p, i)))
        .collect();
    for (p, _) in fs.below(&info) {
        if p.parent() != info {
            continue;
        }
        let name = String::from_utf8_lossy(p.file_name()).into_owned();
        if let Some(stem) = name.strip_suffix(".list") {
            let Some(idx) = lookup(stem) else { continue };
            let Some(bytes) = db_bytes(fs, p, &mut out.notices) else {
                continue;
            };
            for line in bytes.split(|&b| b == b'\n') {
                if line.is_empty() || line == b"/." {
                    continue;
                }
                files.insert(
                    strip_slash(line).to_vec(),
                    Owned {
                        package: idx,
                        digest: None,
                        conffile: false,
                    },
                );
            }
        } else if let Some(stem) = name.strip_suffix(".md5sums")
            && let Some(idx) = lookup(stem)
        {
            md5_files.push((p.clone(), idx));
        }
    }
    for (p, idx) in md5_files {
        let Some(bytes) = db_bytes(fs, &p, &mut out.notices) else {
            continue;
        };
        for line in bytes.split(|&b| b == b'\n') {
            // "<32 hex>  path/relative/to/root"
            if line.len() < 35 {
                continue;
            }
            let Some(sum) = std::str::from_utf8(&line[..32]).ok().and_then(parse_md5) else {
                continue;
            };
            let path = strip_slash(trim_start(&line[32..])).to_vec();
            let o = files.entry(path).or_insert(Owned {
                package: idx,
                digest: None,
                conffile: false,
            });
            o.package = idx;
            o.digest = Some(Recorded::Md5(sum));
        }
    }
    for (idx, path, sum) in conffiles {
        let o = files.entry(strip_slash(&path).to_vec()).or_insert(Owned {
            package: idx,
            digest: None,
            conffile: true,
        });
        o.package = idx;
        o.conffile = true;
        o.digest = sum.map(Recorded::Md5);
    }
    out.files = files.into_iter().collect();
    out
}

fn strip_slash(p: &[u8]) -> &[u8] {
    let mut p = p;
    while let [b'/', rest @ ..] = p {
        p = rest;
    }
    p
}

fn trim_start(p: &[u8]) -> &[u8] {
    let n = p.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
    &p[n..]
}

fn parse_md5(s: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}
