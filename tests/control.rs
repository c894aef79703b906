//! The user's controls, through the binary: references (`rootfs:`, `dir:`,
//! paths that do not exist, `--repository` and `--baseline auto`), what is
//! reported and how it exits (`--severity`, `--fail-on never`, the ignore
//! file, `--quiet`, the stderr summary), where settings come from (flag >
//! `STOWAWAY_*` env > `stowaway.toml` > default), and what the binary says
//! about itself (`--version`, completions, man pages, `explain`).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::util::*;

/// An image with one high finding (a renamed curl) and one medium one (a
/// setuid file), as an OCI layout in `dir`.
fn two_findings(dir: &Path) -> String {
    let curl = b"\x7fELF\x02\x01\x01 Usage: curl [options...] <url> curl 8.5.0".to_vec();
    ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .created_by("ADD app /")
                .file("usr/local/bin/fetcher", &curl, 0o755)
                .file_bytes(b"usr/bin/helper", b"\x7fELF helper", 0o4755, 0, 0),
        )
        .build()
        .write_oci_layout(dir)
        .unwrap();
    format!("oci:{}", dir.display())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)))
}

/// The finding codes and severities of a JSON scan report.
fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The binary run in `cwd` with no config file of the user's in reach.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", cwd.join("no-config-home"))
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn missing_paths_say_no_such_file_naming_them() {
    let t = tmp();
    let gone = t.path().join("gone");
    let g = gone.display().to_string();
    for r in [
        g.clone(),
        format!("oci:{g}"),
        format!("dir:{g}"),
        format!("rootfs:{g}"),
        format!("oci-archive:{g}"),
        format!("docker-archive:{g}"),
    ] {
        let out = run_in(t.path(), &["scan", &r, "--no-cache"], &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{r}: {err}");
        assert!(
            err.to_lowercase().contains("no such file or directory") && err.contains(&g),
            "{r}: {err}"
        );
        assert!(!err.contains("invalid reference format"), "{r}: {err}");
    }
}

#[test]
fn rootfs_is_a_root_filesystem_and_dir_follows_skopeo() {
    let t = tmp();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    std::fs::write(root.join("usr/bin/tool"), b"#!/bin/sh\necho hi\n").unwrap();
    let r = format!("rootfs:{}", root.display());
    let out = run_in(t.path(), &["scan", &r, "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["image"]["transport"], "rootfs");
    assert!(
        !text(&out.stderr).contains("note:"),
        "{}",
        text(&out.stderr)
    );
    // dir: on a plain directory still works, with a note saying how it was read.
    let out = run_in(t.path(), &["scan", &format!("dir:{}", root.display())], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("not skopeo's directory layout"),
        "{}",
        text(&out.stderr)
    );
    // skopeo's dir: layout is the image under dir:, and refused as a rootfs.
    if !require("skopeo") {
        return;
    }
    let layout = t.path().join("layout");
    let src = two_findings(&layout);
    let sk = t.path().join("sk");
    let st = std::process::Command::new("skopeo")
        .args(["copy", "--quiet", &src, &format!("dir:{}", sk.display())])
        .status()
        .unwrap();
    assert!(st.success());
    let out = run_in(
        t.path(),
        &["scan", &format!("dir:{}", sk.display()), "--format", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(json(&out)["image"]["layers"].as_array().unwrap().len(), 1);
    let out = run_in(
        t.path(),
        &["scan", &format!("rootfs:{}", sk.display())],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("scan it as dir:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn severity_filters_the_report_and_the_exit_code() {
    let t = tmp();
    let r = two_findings(&t.path().join("img"));
    let out = run_in(t.path(), &["scan", &r, "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let all = findings(&json(&out));
    assert!(all.iter().any(|(_, s)| s == "high"), "{all:?}");
    assert!(all.iter().any(|(_, s)| s == "medium"), "{all:?}");
    let out = run_in(
        t.path(),
        &["scan", &r, "--format", "json", "--severity", "medium,low"],
        &[],
    );
    // The high finding is left out: no finding at or above high is reported.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let some = findings(&json(&out));
    assert!(!some.is_empty(), "{some:?}");
    assert!(
        some.iter().all(|(_, s)| s == "medium" || s == "low"),
        "{some:?}"
    );
    let out = run_in(t.path(), &["scan", &r, "--severity", "bogus"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fail_on_never_reports_only_and_errors_still_exit_2() {
    let t = tmp();
    let r = two_findings(&t.path().join("img"));
    let out = run_in(t.path(), &["scan", &r, "--fail-on", "never"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("setuid-file"));
    // The report says it judges nothing, not "0 at or above critical".
    assert!(text(&out.stdout).contains("report only (--fail-on never)"));
    assert!(!text(&out.stdout).contains("at or above"));
    let out = run_in(
        t.path(),
        &["scan", &r, "--fail-on", "never", "--format", "json"],
        &[],
    );
    let doc = json(&out);
    assert!(doc["summary"]["fail_on"].is_null(), "{}", doc["summary"]);
    assert_eq!(doc["summary"]["failing"], 0);
    let out = run_in(
        t.path(),
        &["scan", "oci:/nonexistent/x", "--fail-on", "never"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    // A limit exceeded is an incomplete scan: exit 2 too.
    let out = run_in(
        t.path(),
        &[
            "scan",
            &r,
            "--fail-on",
            "never",
            "--max-entries",
            "1",
            "--no-cache",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn the_ignore_file_shares_the_allowlist_format() {
    let t = tmp();
    let r = two_findings(&t.path().join("img"));
    let out = run_in(t.path(), &["scan", &r, "--format", "json"], &[]);
    let all = findings(&json(&out));
    let high: Vec<&String> = all
        .iter()
        .filter(|(_, s)| s == "high" || s == "critical")
        .map(|(c, _)| c)
        .collect();
    assert!(!high.is_empty(), "{all:?}");
    let mut entries = String::new();
    for code in &high {
        entries.push_str(&format!(
            "[[allow]]\ncode = \"{code}\"\npath = \"/usr/local/bin/*\"\nreason = \"the fetcher is reviewed\"\n\n"
        ));
    }
    // The default file in the working directory.
    std::fs::write(t.path().join(".stowawayignore.toml"), &entries).unwrap();
    let out = run_in(t.path(), &["scan", &r, "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let left = findings(&json(&out));
    assert!(left.iter().all(|(c, _)| !high.contains(&c)), "{left:?}");
    assert!(left.iter().any(|(c, _)| c == "setuid-file"), "{left:?}");
    assert!(
        text(&out.stderr).contains("ignored"),
        "{}",
        text(&out.stderr)
    );
    // --ignore-file names another; an expired entry is an error (exit 2).
    let other = t.path().join("expired.toml");
    std::fs::write(
        &other,
        "[[allow]]\ncode = \"setuid-file\"\nreason = \"old\"\nexpires = \"2001-01-01\"\n",
    )
    .unwrap();
    let out = run_in(
        t.path(),
        &["scan", &r, "--ignore-file", other.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expired.toml"),
        "{}",
        text(&out.stderr)
    );
    // A policy section has no place in an ignore file.
    std::fs::write(&other, "[levels]\nhigh = \"allow\"\n").unwrap();
    let out = run_in(
        t.path(),
        &["scan", &r, "--ignore-file", other.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn summary_on_stderr_unless_quiet() {
    let t = tmp();
    let r = two_findings(&t.path().join("img"));
    let out = run_in(t.path(), &["scan", &r, "-o", "report.txt"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("stowaway: scan "))
        .unwrap_or_else(|| panic!("no summary: {err}"));
    assert!(line.contains("1 high") && line.contains("fail"), "{line}");
    let out = run_in(t.path(), &["scan", &r, "--quiet", "-o", "report.txt"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "");
    let out = run_in(t.path(), &["gate", &r, "-o", "gate.txt"], &[]);
    assert!(
        text(&out.stderr).contains("stowaway: gate "),
        "{}",
        text(&out.stderr)
    );
}

/// flag > STOWAWAY_* environment > stowaway.toml > built-in default, and
/// the config file's places: --config, ./stowaway.toml, $XDG_CONFIG_HOME.
#[test]
fn settings_precedence_flag_env_config_default() {
    let t = tmp();
    let r = two_findings(&t.path().join("img"));
    let code = |args: &[&str], env: &[(&str, &str)]| {
        let mut full = vec!["scan", r.as_str(), "-q"];
        full.extend_from_slice(args);
        let out = run_in(t.path(), &full, env);
        (
            out.status.code().unwrap(),
            text(&out.stdout),
            text(&out.stderr),
        )
    };
    // Default: fail on high.
    assert_eq!(code(&[], &[]).0, 1);
    // Config in the working directory.
    std::fs::write(
        t.path().join("stowaway.toml"),
        "fail_on = \"never\"\n[scan]\nformat = \"json\"\n",
    )
    .unwrap();
    let (c, out, _) = code(&[], &[]);
    assert_eq!(c, 0);
    assert!(out.trim_start().starts_with('{'), "{out}");
    // The environment wins over the config file.
    assert_eq!(code(&[], &[("STOWAWAY_FAIL_ON", "medium")]).0, 1);
    // The flag wins over both.
    assert_eq!(
        code(&["--fail-on", "never"], &[("STOWAWAY_FAIL_ON", "medium")]).0,
        0
    );
    // Booleans from the environment: STOWAWAY_QUIET=1.
    let out = run_in(
        t.path(),
        &["scan", &r, "-o", "x.json"],
        &[("STOWAWAY_QUIET", "1")],
    );
    assert_eq!(text(&out.stderr), "");
    // --config names another file; a key no command has is an error naming it.
    let bad = t.path().join("bad.toml");
    std::fs::write(&bad, "fail_onn = \"low\"\n").unwrap();
    let (c, _, err) = code(&["--config", bad.to_str().unwrap()], &[]);
    assert_eq!(c, 2);
    assert!(
        err.contains("bad.toml") && err.contains("fail-onn"),
        "{err}"
    );
    // $XDG_CONFIG_HOME/stowaway/stowaway.toml when the working directory has none.
    std::fs::remove_file(t.path().join("stowaway.toml")).unwrap();
    let home = t.path().join("cfg");
    std::fs::create_dir_all(home.join("stowaway")).unwrap();
    std::fs::write(home.join("stowaway/stowaway.toml"), "fail-on = \"never\"\n").unwrap();
    let mut c = bin();
    let out = c
        .current_dir(t.path())
        .env("XDG_CONFIG_HOME", &home)
        .args(["scan", &r, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn repository_names_a_local_image_for_baseline_auto() {
    let t = tmp();
    let db = t.path().join("s.db");
    let dbs = db.to_str().unwrap();
    let approved = two_findings(&t.path().join("build-1"));
    let next = two_findings(&t.path().join("build-2"));
    let out = run_in(
        t.path(),
        &[
            "baseline",
            "approve",
            &approved,
            "--name",
            "app-1",
            "--reason",
            "reviewed",
            "--repository",
            "team/app",
            "--db",
            dbs,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Without --repository the layout's directory name is the repository:
    // no approval, and stderr says which repositories the store has.
    let out = run_in(
        t.path(),
        &[
            "scan",
            &next,
            "--baseline",
            "auto",
            "--db",
            dbs,
            "--format",
            "json",
        ],
        &[],
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("\"build-2\"") && err.contains("team/app") && err.contains("--repository"),
        "{err}"
    );
    let v = json(&out);
    assert!(v["baseline"].is_null(), "{v:#}");
    assert_eq!(v["findings"][0]["baseline_state"], "new", "{v:#}");
    // With it, the approval is found and every finding is unchanged.
    let out = run_in(
        t.path(),
        &[
            "scan",
            &next,
            "--baseline",
            "auto",
            "--db",
            dbs,
            "--format",
            "json",
            "--repository",
            "team/app",
        ],
        &[],
    );
    let v = json(&out);
    assert_eq!(v["baseline"]["name"], "app-1", "{v:#}");
    let out = run_in(
        t.path(),
        &["gate", &next, "--baseline", "auto", "--db", dbs],
        &[],
    );
    assert!(
        text(&out.stderr).contains("team/app"),
        "{}",
        text(&out.stderr)
    );
}

/// `--help` names each flag's variable and never prints a secret set in it.
#[test]
fn help_names_env_variables_but_not_their_values() {
    let t = tmp();
    let out = run_in(
        t.path(),
        &["scan", "--help"],
        &[
            ("STOWAWAY_CREDS", "alice:hunter2"),
            ("STOWAWAY_REGISTRY_TOKEN", "tok-hunter3"),
        ],
    );
    let help = text(&out.stdout);
    assert!(
        help.contains("STOWAWAY_CREDS") && help.contains("STOWAWAY_FAIL_ON"),
        "{help}"
    );
    assert!(
        !help.contains("hunter2") && !help.contains("hunter3"),
        "{help}"
    );
}

#[test]
fn version_completions_and_man_pages() {
    let t = tmp();
    let out = run_in(t.path(), &["--version"], &[]);
    let v = text(&out.stdout);
    for want in [
        "registry:",
        "serve:",
        "containers-storage",
        "sarif",
        "catalogue:",
        "command rules",
    ] {
        assert!(v.contains(want), "{want}: {v}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let out = run_in(t.path(), &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0));
        let s = text(&out.stdout);
        assert!(s.contains("fail-on") && s.contains("scan"), "{shell}");
    }
    let out = run_in(t.path(), &["man", "scan"], &[]);
    assert!(
        text(&out.stdout).contains(".TH stowaway-scan"),
        "{}",
        text(&out.stdout)
    );
    let out = run_in(t.path(), &["man", "--dir", "pages"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(t.path().join("pages/stowaway.1").is_file());
    assert!(t.path().join("pages/stowaway-scan.1").is_file());
}

#[test]
fn explain_list_is_aligned() {
    let t = tmp();
    let out = run_in(t.path(), &["explain"], &[]);
    let s = text(&out.stdout);
    // The technique column starts at the same place on every code line.
    let starts: std::collections::BTreeSet<usize> = s
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.find(" T1").unwrap_or_else(|| panic!("{l}")))
        .collect();
    assert_eq!(starts.len(), 1, "{s}");
}

/// `--registry-username` with `--password-stdin` or
/// `$STOWAWAY_REGISTRY_PASSWORD`, and podman's default auth file
/// (`$XDG_RUNTIME_DIR/containers/auth.json`) when `$REGISTRY_AUTH_FILE` is unset.
#[cfg(feature = "registry")]
#[test]
fn credentials_from_stdin_env_and_podmans_default_auth_file() {
    use std::io::Write;
    let Some(reg) = crate::registry::start(Some(("alice", "s3cret"))) else {
        return;
    };
    let t = tmp();
    let src = two_findings(&t.path().join("src"));
    crate::registry::push(
        &src,
        &format!("docker://{}/team/app:v1", reg.addr),
        Some("alice:s3cret"),
        false,
    );
    let r = format!("docker://{}/team/app:v1", reg.addr);
    let empty = t.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let cmd = |runtime: &Path| {
        let mut c = bin();
        c.args(["inventory", &r])
            .env("DOCKER_CONFIG", &empty)
            .env("XDG_RUNTIME_DIR", runtime)
            .env("XDG_CONFIG_HOME", &empty)
            .env_remove("REGISTRY_AUTH_FILE")
            .env_remove("STOWAWAY_REGISTRY_PASSWORD");
        c
    };
    // Nothing: refused.
    let out = cmd(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // --password-stdin.
    let mut child = cmd(&empty)
        .args(["--registry-username", "alice", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The environment (user name through its STOWAWAY_* variable too).
    let out = cmd(&empty)
        .env("STOWAWAY_REGISTRY_USERNAME", "alice")
        .env("STOWAWAY_REGISTRY_PASSWORD", "s3cret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A user name without a password says what is missing.
    let out = cmd(&empty)
        .args(["--registry-username", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("STOWAWAY_REGISTRY_PASSWORD"));
    // podman's default auth file.
    let runtime: PathBuf = t.path().join("run");
    std::fs::create_dir_all(runtime.join("containers")).unwrap();
    std::fs::write(
        runtime.join("containers/auth.json"),
        format!(
            r#"{{"auths": {{"{}": {{"auth": "YWxpY2U6czNjcmV0"}}}}}}"#,
            reg.addr
        ),
    )
    .unwrap();
    let out = cmd(&runtime).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A registry that refuses the connection: exit 2, and the message names
/// the cause and the address (the code already did; this keeps it so).
#[cfg(feature = "registry")]
#[test]
fn a_refused_connection_shows_its_cause() {
    let t = tmp();
    // Held, never listening: refused, and no other test can listen there.
    let held = crate::util::ReservedPort::loopback();
    let port = held.port;
    let r = format!("docker://127.0.0.1:{port}/team/app:v1");
    let out = run_in(t.path(), &["scan", &r, "--registry-deadline", "5"], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("connection refused") && err.contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}
