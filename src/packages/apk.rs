//! apk: `lib/apk/db/installed`, one paragraph per package (`P:` name,
//! `V:` version, `A:` arch), `F:` directories, `R:` files, each file's
//! `Z:Q1…` checksum (base64 SHA-1 of its bytes).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::fs::ImageFs;
use crate::path::ImagePath;

use super::{Owned, Package, Parsed, Recorded, db_bytes, unreadable};

/// Read the apk database, if the image has one.
pub(crate) fn read(fs: &ImageFs) -> Parsed {
    let mut out = Parsed::default();
    let path = ImagePath::new(b"lib/apk/db/installed");
    let Some(bytes) = db_bytes(fs, &path, &mut out.notices) else {
        return out;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        out.notices.push(unreadable(&path, "not UTF-8 text"));
        return out;
    };
    let mut pkg: Option<usize> = None;
    let mut dir = String::new();
    let mut last_file: Option<usize> = None;
    for line in text.lines() {
        if line.is_empty() {
            pkg = None;
            last_file = None;
            dir.clear();
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        match k {
            "P" => {
                pkg = Some(out.packages.len());
                out.packages.push(Package {
                    manager: "apk",
                    name: v.to_string(),
                    version: String::new(),
                    arch: None,
                });
            }
            "V" | "A" => {
                if let Some(i) = pkg {
                    let p = &mut out.packages[i];
                    if k == "V" {
                        p.version = v.to_string();
                    } else {
                        p.arch = Some(v.to_string());
                    }
                }
            }
            "F" => {
                dir = v.to_string();
                last_file = None;
            }
            "R" => {
                let Some(i) = pkg else { continue };
                let p = if dir.is_empty() {
                    v.to_string()
                } else {
                    format!("{dir}/{v}")
                };
                last_file = Some(out.files.len());
                out.files.push((
                    p.into_bytes(),
                    Owned {
                        package: i,
                        digest: None,
                        conffile: dir == "etc" || dir.starts_with("etc/"),
                    },
                ));
            }
            "Z" => {
                if let Some(f) = last_file
                    && let Some(b64) = v.strip_prefix("Q1")
                    && let Ok(raw) = STANDARD.decode(b64)
                    && let Ok(sha1) = <[u8; 20]>::try_from(raw.as_slice())
                {
                    out.files[f].1.digest = Some(Recorded::Sha1(sha1));
                }
            }
            _ => {}
        }
    }
    out
}
