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

#[cfg(test)]
mod tests {
    use super::super::testimage::{apk_q1, image, names};
    use super::*;

    fn owned<'p>(p: &'p Parsed, path: &str) -> Option<(&'p str, &'p Owned)> {
        let (_, o) = p.files.iter().find(|(f, _)| f == path.as_bytes())?;
        Some((p.packages[o.package].name.as_str(), o))
    }

    fn sha1(bytes: &[u8]) -> Option<Recorded> {
        let raw = STANDARD.decode(&apk_q1(bytes)[2..]).unwrap();
        Some(Recorded::Sha1(raw.try_into().unwrap()))
    }

    #[test]
    fn installed_database_paragraphs() {
        let db = format!(
            "C:Q1ignored=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl.so.1\nZ:{}\nR:libc.so\n\
             F:etc\nR:motd\nZ:{}\nF:etc/ssl\nR:cert.pem\nF:usr\nZ:{}\nno colon here\n\n\
             R:orphan\nZ:{}\n\nP:busybox\nV:1.36.1-r5\nR:top\nZ:Q1AAAA\nF:bin\nR:busybox\nZ:XX{}\n",
            apk_q1(b"ld"),
            apk_q1(b"motd"),
            apk_q1(b"usr"),
            apk_q1(b"orphan"),
            &apk_q1(b"busybox")[2..],
        );
        let fs = image(&[("lib/apk/db/installed", db.as_bytes())]);
        let p = read(&fs);
        let names = names(&p);
        assert_eq!(
            names,
            [
                ("musl", "1.2.4-r2", Some("x86_64")),
                ("busybox", "1.36.1-r5", None)
            ]
        );
        let (pkg, o) = owned(&p, "lib/ld-musl.so.1").unwrap();
        assert_eq!((pkg, &o.digest, o.conffile), ("musl", &sha1(b"ld"), false));
        let (pkg, o) = owned(&p, "lib/libc.so").unwrap();
        assert_eq!((pkg, &o.digest), ("musl", &None), "a Z: belongs to one R:");
        let (_, o) = owned(&p, "etc/motd").unwrap();
        assert_eq!((&o.digest, o.conffile), (&sha1(b"motd"), true));
        let (_, o) = owned(&p, "etc/ssl/cert.pem").unwrap();
        assert_eq!((&o.digest, o.conffile), (&None, true), "below etc/ too");
        let (pkg, o) = owned(&p, "top").unwrap();
        assert_eq!((pkg, &o.digest), ("busybox", &None), "short Q1 checksum");
        let (_, o) = owned(&p, "bin/busybox").unwrap();
        assert_eq!(o.digest, None, "not a Q1 checksum");
        assert!(owned(&p, "orphan").is_none(), "R: outside a package");
        assert_eq!(p.files.len(), 6);
    }

    #[test]
    fn no_database_or_not_text() {
        assert!(
            read(&image(&[("etc/apk/world", b"musl\n")]))
                .packages
                .is_empty()
        );
        let p = read(&image(&[("lib/apk/db/installed", b"P:\xff\n")]));
        assert!(p.packages.is_empty());
        assert_eq!(p.notices.len(), 1);
    }

    #[test]
    fn a_directory_named_like_etc_is_not_configuration() {
        let fs = image(&[(
            "lib/apk/db/installed",
            b"P:x\nF:etcetera\nR:a\nF:usr/etc\nR:b\n",
        )]);
        let p = read(&fs);
        assert!(!owned(&p, "etcetera/a").unwrap().1.conffile);
        assert!(!owned(&p, "usr/etc/b").unwrap().1.conffile);
    }
}
