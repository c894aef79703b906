//! Policy validation and evaluation.

use super::*;
use crate::error::PolicyProblem;

const TODAY: &str = "2026-11-27";

fn parse(text: &str) -> Result<Policy> {
    Policy::parse(text, "p.toml", TODAY)
}

fn finding(code: &str, severity: Severity, path: &str, sha: Option<&str>) -> FindingRecord {
    FindingRecord {
        fingerprint: format!("{code}{path}"),
        code: code.into(),
        severity,
        path: Some(path.into()),
        sha256: sha.map(str::to_string),
        layer: Some(0),
        title: String::new(),
        evidence: vec![],
        items: vec![],
        subject: None,
    }
}

fn policy_problems(text: &str) -> Vec<PolicyProblem> {
    match parse(text) {
        Err(Error::Policy(problems)) => {
            assert!(problems.iter().all(|p| p.file == "p.toml"), "{problems:?}");
            problems
        }
        other => panic!("expected a policy error, got {:?}", other.map(|p| p.source)),
    }
}

/// The one problem of `text`.
fn policy_error(text: &str) -> (usize, String, String) {
    match policy_problems(text).as_slice() {
        [p] => (p.line, p.key.clone(), p.reason.clone()),
        more => panic!("expected one problem, got {more:?}"),
    }
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let text = "[levels]\nhigh = \"block\"\n\
                [codes]\n\"no-such-code\" = \"deny\"\n\
                [limits]\nmax_entries = -1\nmax_layers = 3\n\
                [[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/[curl\"\n\
                [[allow]]\ncode = \"nope\"\nsha256 = \"abc\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n";
    let found: Vec<(usize, String)> = policy_problems(text)
        .into_iter()
        .map(|p| (p.line, p.key))
        .collect();
    let want = [
        (2, "levels.high"),
        (4, "codes.no-such-code"),
        (6, "limits.max_entries"),
        (7, "limits.max_layers"),
        (8, "allow[0].reason"),
        (10, "allow[0].path"),
        (12, "allow[1].code"),
        (13, "allow[1].sha256"),
        (15, "allow[1].expires"),
    ];
    let want: Vec<(usize, String)> = want.iter().map(|(l, k)| (*l, k.to_string())).collect();
    assert_eq!(found, want);
    let shown = parse(text).unwrap_err().to_string();
    assert!(shown.starts_with("9 problems in the policy:"), "{shown}");
    assert!(
        shown.contains("\n  p.toml:13: allow[1].sha256: "),
        "{shown}"
    );
}

#[test]
fn shipped_policies_are_valid() {
    for (name, text) in [
        ("default", DEFAULT_POLICY),
        ("strict", include_str!("../../policies/strict.toml")),
        ("template", include_str!("../../policies/TEMPLATE.toml")),
    ] {
        Policy::parse(text, name, TODAY).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn each_kind_of_error_names_file_key_and_line() {
    let (line, key, reason) = policy_error("[levels]\nhigh = \"deny\"\n\n[level]\nx = 1\n");
    assert_eq!(line, 4, "{reason}");
    assert!(key.contains("level"), "{key}: {reason}");
    let (line, key, _) = policy_error("[levels]\nhigh = \"block\"\n");
    assert_eq!((line, key.as_str()), (2, "levels.high"));
    let (line, key, _) = policy_error("[codes]\n\"no-such-code\" = \"deny\"\n");
    assert_eq!((line, key.as_str()), (2, "codes.no-such-code"));
    let (line, key, _) = policy_error(
        "[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/[curl\"\nreason = \"x\"\n",
    );
    assert_eq!((line, key.as_str()), (3, "allow[0].path"));
    let (line, key, reason) =
        policy_error("\n[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/curl\"\n");
    assert_eq!((line, key.as_str()), (2, "allow[0].reason"), "{reason}");
    let (line, key, reason) = policy_error(
        "[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n",
    );
    assert_eq!((line, key.as_str()), (5, "allow[0].expires"));
    assert!(reason.contains("expired"), "{reason}");
    let (line, key, _) =
        policy_error("[[allow]]\ncode = \"transfer-tool\"\nsha256 = \"abc\"\nreason = \"r\"\n");
    assert_eq!((line, key.as_str()), (3, "allow[0].sha256"));
    let (line, key, _) =
        policy_error("[[allow]]\ncode = \"transfer-tool\"\nreason = \"r\"\ncolour = \"red\"\n");
    assert_eq!(line, 4);
    assert!(key.contains("colour"), "{key}");
    let (_, key, _) = policy_error("[limits]\nmax_layers = 3\n");
    assert_eq!(key, "limits.max_layers");
}

#[test]
fn levels_codes_baseline_and_allowlist() {
    let sha = format!("sha256:{}", "a".repeat(64));
    let p = parse(&format!(
        "[codes]\n\"setuid-file\" = \"deny\"\n[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/*\"\nsha256 = \"{sha}\"\nreason = \"probe\"\n[[allow]]\ncode = \"interpreter\"\nimage = \"reg/app*\"\nreason = \"runtime\"\n"
    ))
    .unwrap();
    let fs = vec![
        finding("transfer-tool", Severity::High, "/usr/bin/curl", Some(&sha)),
        finding(
            "transfer-tool",
            Severity::High,
            "/usr/bin/wget",
            Some("sha256:other"),
        ),
        finding("setuid-file", Severity::Low, "/usr/bin/x", None),
        finding("removed-executable", Severity::Medium, "/y", None),
        finding("download-exec-chain", Severity::Critical, "/z", None),
        finding("interpreter", Severity::Low, "/usr/bin/python3", None),
    ];
    let e = p.evaluate(&fs, None, &["oci:/tmp/other"]);
    let actions: Vec<Action> = e.decisions.iter().map(|d| d.action).collect();
    assert_eq!(
        actions,
        [
            Action::Allow,
            Action::Deny,
            Action::Deny,
            Action::Warn,
            Action::Deny,
            Action::Allow
        ]
    );
    assert_eq!(
        e.decisions[5].allowed_by, None,
        "low is allowed by level, not by the entry"
    );
    assert!(
        e.decisions[0].why.contains("p.toml:3") && e.decisions[0].why.contains("probe"),
        "{}",
        e.decisions[0].why
    );
    assert_eq!(e.unused_allow.len(), 1, "the image pattern matched nothing");
    // With a baseline: unchanged findings warn instead of deny.
    let states = [
        BaselineState::Unchanged,
        BaselineState::Unchanged,
        BaselineState::New,
        BaselineState::New,
        BaselineState::Unchanged,
        BaselineState::New,
    ];
    let e = p.evaluate(&fs, Some(&states), &["reg/app:1"]);
    let actions: Vec<Action> = e.decisions.iter().map(|d| d.action).collect();
    assert_eq!(
        actions,
        [
            Action::Allow,
            Action::Warn,
            Action::Deny,
            Action::Warn,
            Action::Warn,
            Action::Allow
        ]
    );
    assert_eq!(e.decisions[5].allowed_by, Some(1));
    assert!(e.unused_allow.is_empty());
    assert!(e.failed());
}

#[test]
fn limits_apply() {
    let p = parse("[limits]\nmax_layer_size = \"1G\"\nmax_entries = 10\n").unwrap();
    let l = p.limits(Limits::default());
    assert_eq!(l.max_layer_bytes, 1 << 30);
    assert_eq!(l.max_entries, 10);
}

#[test]
fn every_limit_key_applies() {
    let p = parse(
        "[limits]\nmax_layer_size = \"1G\"\nmax_image_size = \"2G\"\nmax_entries = 0\n\
         max_file_buffer = \"1M\"\nmax_link_depth = 7\nmax_json_size = 5\nmax_path_bytes = 300\n",
    )
    .unwrap();
    let l = p.limits(Limits::default());
    assert_eq!(l.max_layer_bytes, 1 << 30);
    assert_eq!(l.max_image_bytes, 2 << 30);
    assert_eq!(l.max_entries, 0);
    assert_eq!(l.max_file_buffer, 1 << 20);
    assert_eq!(l.max_link_depth, 7);
    assert_eq!(l.max_json_bytes, 5);
    assert_eq!(l.max_path_bytes, 300);
    // Keys not set keep the base.
    let base = Limits::default();
    let l = parse("[limits]\nmax_link_depth = 3\n")
        .unwrap()
        .limits(base.clone());
    assert_eq!(l.max_link_depth, 3);
    assert_eq!(l.max_image_bytes, base.max_image_bytes);
    assert_eq!(l.max_entries, base.max_entries);
}

#[test]
fn negative_and_non_size_limits_are_refused() {
    // -1 must not wrap to u64::MAX and switch the limit off.
    let (line, key, reason) =
        policy_error("[levels]\nhigh = \"deny\"\n[limits]\nmax_entries = -1\n");
    assert_eq!((line, key.as_str()), (4, "limits.max_entries"), "{reason}");
    assert!(reason.contains("-1"), "{reason}");
    let (_, key, _) = policy_error("[limits]\nmax_image_size = true\n");
    assert_eq!(key, "limits.max_image_size");
    let (_, key, _) = policy_error("[limits]\nmax_layer_size = \"lots\"\n");
    assert_eq!(key, "limits.max_layer_size");
}

#[test]
fn blank_reasons_are_refused() {
    for reason in ["\"\"", "\"   \"", "\"\\t\\n\""] {
        let (line, key, why) = policy_error(&format!(
            "[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\nreason = {reason}\n"
        ));
        assert_eq!((line, key.as_str()), (1, "allow[0].reason"), "{why}");
    }
    assert!(
        parse("[[allow]]\ncode = \"transfer-tool\"\npath = \"/x\"\nreason = \" ok \"\n").is_ok()
    );
}
