//! dpkg: installed packages from `var/lib/dpkg/status` (or distroless
//! `status.d/`), their files from `info/PKG[:ARCH].list`, MD5s from
//! `info/*.md5sums`, and conffile MD5s from the `Conffiles` field.

use std::collections::HashMap;

use crate::fs::ImageFs;
use crate::path::ImagePath;

use super::{Owned, Package, Parsed, Recorded, db_bytes, paragraphs, unreadable};

const INFO: &[u8] = b"var/lib/dpkg/info";
const STATUS_D: &[u8] = b"var/lib/dpkg/status.d";

/// Installed packages found so far, and their conffile records.
#[derive(Default)]
struct Installed {
    /// name → first package index, for `name.list`.
    by_name: HashMap<String, usize>,
    /// (name, arch) → package index, for `name:arch.list`.
    by_name_arch: HashMap<(String, String), usize>,
    /// (package, path, recorded MD5) from the `Conffiles` fields.
    conffiles: Vec<(usize, Vec<u8>, Option<[u8; 16]>)>,
}

impl Installed {
    /// The package an info file stem (`name` or `name:arch`) belongs to.
    fn lookup(&self, stem: &str) -> Option<usize> {
        match stem.split_once(':') {
            Some((n, a)) => self
                .by_name_arch
                .get(&(n.to_string(), a.to_string()))
                .copied(),
            None => self.by_name.get(stem).copied(),
        }
    }
}

/// Read the dpkg database, if the image has one.
pub(crate) fn read(fs: &ImageFs) -> Parsed {
    let mut out = Parsed::default();
    let mut installed = Installed::default();
    let (status_texts, status_d_md5) = status_files(fs, &mut out);
    for (path, bytes) in &status_texts {
        let Ok(text) = std::str::from_utf8(bytes) else {
            out.notices.push(unreadable(path, "not UTF-8 text"));
            continue;
        };
        for para in paragraphs(text) {
            add_package(&para, &mut out, &mut installed);
        }
    }
    if out.packages.is_empty() {
        return out;
    }
    // Files from the .list files, digests from the .md5sums files.
    let mut files: HashMap<Vec<u8>, Owned> = HashMap::new();
    let mut md5_files: Vec<(ImagePath, usize)> = status_d_md5
        .into_iter()
        .filter_map(|(p, stem)| installed.lookup(&stem).map(|i| (p, i)))
        .collect();
    read_info(fs, &installed, &mut out, &mut files, &mut md5_files);
    for (p, idx) in md5_files {
        if let Some(bytes) = db_bytes(fs, &p, &mut out.notices) {
            add_md5sums(bytes, idx, &mut files);
        }
    }
    for (idx, path, sum) in installed.conffiles {
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

/// The status texts (`status`, and distroless `status.d/NAME`).
type StatusTexts<'f> = Vec<(ImagePath, &'f [u8])>;

/// The status texts and the `status.d/NAME.md5sums` files with their stems.
fn status_files<'f>(
    fs: &'f ImageFs,
    out: &mut Parsed,
) -> (StatusTexts<'f>, Vec<(ImagePath, String)>) {
    let mut texts = Vec::new();
    let status = ImagePath::new(b"var/lib/dpkg/status");
    if let Some(b) = db_bytes(fs, &status, &mut out.notices) {
        texts.push((status, b));
    }
    let status_d = ImagePath::new(STATUS_D);
    let mut md5 = Vec::new();
    for (p, _) in fs.below(&status_d) {
        if p.parent() != status_d {
            continue;
        }
        if let Some(stem) = p.file_name().strip_suffix(b".md5sums") {
            md5.push((p.clone(), String::from_utf8_lossy(stem).into_owned()));
        } else if let Some(b) = db_bytes(fs, p, &mut out.notices) {
            texts.push((p.clone(), b));
        }
    }
    (texts, md5)
}

/// One status paragraph: a package whose files are on disk, and its
/// conffiles.
fn add_package(para: &[(&str, String)], out: &mut Parsed, installed: &mut Installed) {
    let get = |k: &str| {
        para.iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    };
    let Some(name) = get("Package") else { return };
    let state = get("Status").unwrap_or("install ok installed");
    // "want flag state": only packages whose files are on disk.
    let st = state.split_whitespace().nth(2).unwrap_or("");
    if matches!(st, "not-installed" | "config-files") {
        return;
    }
    let arch = get("Architecture").map(str::to_string);
    let idx = out.packages.len();
    out.packages.push(Package {
        manager: "dpkg",
        name: name.to_string(),
        version: get("Version").unwrap_or("").to_string(),
        arch: arch.clone(),
    });
    installed.by_name.entry(name.to_string()).or_insert(idx);
    if let Some(a) = arch {
        installed.by_name_arch.insert((name.to_string(), a), idx);
    }
    for line in get("Conffiles").unwrap_or_default().lines() {
        let mut w = line.split_whitespace();
        let (Some(p), Some(sum)) = (w.next(), w.next()) else {
            continue;
        };
        if w.next() != Some("obsolete") {
            let entry = (idx, p.as_bytes().to_vec(), parse_md5(sum));
            installed.conffiles.push(entry);
        }
    }
}

/// `info/NAME.list` files into `files`; `info/NAME.md5sums` files noted
/// for later.
fn read_info(
    fs: &ImageFs,
    installed: &Installed,
    out: &mut Parsed,
    files: &mut HashMap<Vec<u8>, Owned>,
    md5_files: &mut Vec<(ImagePath, usize)>,
) {
    let info = ImagePath::new(INFO);
    for (p, _) in fs.below(&info) {
        if p.parent() != info {
            continue;
        }
        let name = String::from_utf8_lossy(p.file_name()).into_owned();
        if let Some(stem) = name.strip_suffix(".list") {
            let Some(idx) = installed.lookup(stem) else {
                continue;
            };
            let Some(bytes) = db_bytes(fs, p, &mut out.notices) else {
                continue;
            };
            for line in bytes.split(|&b| b == b'\n') {
                if line.is_empty() || line == b"/." {
                    continue;
                }
                let owned = Owned {
                    package: idx,
                    digest: None,
                    conffile: false,
                };
                files.insert(strip_slash(line).to_vec(), owned);
            }
        } else if let Some(stem) = name.strip_suffix(".md5sums")
            && let Some(idx) = installed.lookup(stem)
        {
            md5_files.push((p.clone(), idx));
        }
    }
}

/// `<32 hex>  path/relative/to/root` lines: each path's recorded MD5.
fn add_md5sums(bytes: &[u8], idx: usize, files: &mut HashMap<Vec<u8>, Owned>) {
    for line in bytes.split(|&b| b == b'\n') {
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

#[cfg(test)]
mod tests {
    use super::super::testimage::{image, md5_hex, names};
    use super::*;

    const STATUS: &str = "\
Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10
Conffiles:
 /etc/curlrc 0123456789abcdef0123456789abcdef
 /etc/old.conf 0123456789abcdef0123456789abcdef obsolete

Package: gone
Status: deinstall ok config-files
Version: 1

Package: never
Status: purge ok not-installed
Version: 2

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: nostatus
Version: 3
";

    fn owned<'p>(p: &'p Parsed, path: &str) -> Option<(&'p str, &'p Owned)> {
        let (_, o) = p.files.iter().find(|(f, _)| f == path.as_bytes())?;
        Some((p.packages[o.package].name.as_str(), o))
    }

    fn md5(bytes: &[u8]) -> Option<Recorded> {
        parse_md5(&md5_hex(bytes)).map(Recorded::Md5)
    }

    #[test]
    fn status_lists_md5sums_and_conffiles() {
        let md5sums = format!(
            "{}  usr/bin/curl\n{} \t/usr/share/doc/curl/README\nshort line\n",
            md5_hex(b"curl"),
            md5_hex(b"readme")
        );
        let libc = format!("{}  lib/libc.so.6\n", md5_hex(b"libc"));
        let fs = image(&[
            ("var/lib/dpkg/status", STATUS.as_bytes()),
            (
                "var/lib/dpkg/info/curl.list",
                b"/.\n/usr\n/usr/bin/curl\n\n/etc/curlrc\n",
            ),
            ("var/lib/dpkg/info/curl.md5sums", md5sums.as_bytes()),
            ("var/lib/dpkg/info/libc6:amd64.list", b"/lib/libc.so.6\n"),
            ("var/lib/dpkg/info/libc6:amd64.md5sums", libc.as_bytes()),
            ("var/lib/dpkg/info/gone.list", b"/usr/bin/gone\n"),
            ("var/lib/dpkg/info/libc6:arm64.list", b"/lib/arm64\n"),
            ("var/lib/dpkg/info/nostatus.list", b"/usr/bin/nostatus\n"),
        ]);
        let p = read(&fs);
        let names = names(&p);
        assert_eq!(
            names,
            [
                ("curl", "7.88.1-10", Some("amd64")),
                ("libc6", "2.36-9", Some("amd64")),
                ("nostatus", "3", None),
            ],
            "config-files and not-installed packages have no files on disk"
        );
        let (pkg, o) = owned(&p, "usr/bin/curl").unwrap();
        assert_eq!((pkg, &o.digest, o.conffile), ("curl", &md5(b"curl"), false));
        let (pkg, o) = owned(&p, "usr/share/doc/curl/README").unwrap();
        assert_eq!((pkg, &o.digest), ("curl", &md5(b"readme")), "tab, then /");
        let (pkg, o) = owned(&p, "usr").unwrap();
        assert_eq!((pkg, &o.digest), ("curl", &None));
        let (pkg, o) = owned(&p, "lib/libc.so.6").unwrap();
        assert_eq!(
            (pkg, &o.digest),
            ("libc6", &md5(b"libc")),
            "name:arch files"
        );
        let (pkg, o) = owned(&p, "etc/curlrc").unwrap();
        let conf = parse_md5("0123456789abcdef0123456789abcdef").map(Recorded::Md5);
        assert_eq!((pkg, &o.digest, o.conffile), ("curl", &conf, true));
        assert_eq!(owned(&p, "usr/bin/nostatus").unwrap().0, "nostatus");
        for absent in ["", ".", "etc/old.conf", "usr/bin/gone", "lib/arm64"] {
            assert!(owned(&p, absent).is_none(), "{absent:?} is not owned");
        }
        assert_eq!(p.files.len(), 6);
        assert!(p.notices.is_empty());
    }

    #[test]
    fn distroless_status_d_and_its_md5sums() {
        let sums = format!("{}  etc/issue\n", md5_hex(b"issue"));
        let fs = image(&[
            (
                "var/lib/dpkg/status.d/base-files",
                b"Package: base-files\nVersion: 12\nArchitecture: amd64\n",
            ),
            ("var/lib/dpkg/status.d/base-files.md5sums", sums.as_bytes()),
            ("var/lib/dpkg/status.d/deep/x", b"Package: nested\n"),
        ]);
        let p = read(&fs);
        let names: Vec<&str> = p.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["base-files"], "only status.d's own files");
        let (pkg, o) = owned(&p, "etc/issue").unwrap();
        assert_eq!((pkg, &o.digest), ("base-files", &md5(b"issue")));
        assert_eq!(p.files.len(), 1);
    }

    #[test]
    fn md5sums_lines_at_the_shortest_and_malformed() {
        let one = md5_hex(b"a");
        let sums =
            format!("{one}  a\n{one}  \nZZZZ5678901234567890123456789012  usr/bad\n\n{one}\n");
        let fs = image(&[
            ("var/lib/dpkg/status", b"Package: p\n"),
            ("var/lib/dpkg/info/p.md5sums", sums.as_bytes()),
        ]);
        let p = read(&fs);
        assert_eq!(owned(&p, "a").unwrap().1.digest, md5(b"a"), "35 bytes");
        assert!(owned(&p, "usr/bad").is_none(), "not hex");
        // The 34-byte line names no file; it is skipped, not read as "".
        assert!(owned(&p, "").is_none());
        assert_eq!(p.files.len(), 1);
    }

    #[test]
    fn no_status_no_packages() {
        let fs = image(&[("var/lib/dpkg/info/curl.list", b"/usr/bin/curl\n")]);
        let p = read(&fs);
        assert!(p.packages.is_empty() && p.files.is_empty());
        let fs = image(&[("var/lib/dpkg/status", b"\xff\xfe")]);
        let p = read(&fs);
        assert_eq!(p.notices.len(), 1, "not UTF-8 is reported");
    }

    #[test]
    fn helpers() {
        assert_eq!(strip_slash(b"//a/b"), b"a/b");
        assert_eq!(trim_start(b" \t x "), b"x ");
        assert_eq!(
            parse_md5("00112233445566778899aabbccddeeff").unwrap()[15],
            0xff
        );
        assert!(parse_md5("0011").is_none());
    }
}
