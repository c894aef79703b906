//! Images pulled from a real registry (Debian's `docker-registry`, the CNCF
//! Distribution registry) started on 127.0.0.1 by the tests, with images
//! pushed by skopeo: anonymous and htpasswd basic auth (flags, docker config
//! file, credential helper), tag and digest references, multi-platform
//! indexes, a corrupted blob, and the layer cache. Needs `--features registry`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use stowaway::fixture::{ImageBuilder, LayerBuilder, write_multi_platform_layout};

use crate::sources::scenario;
use crate::util::*;

/// A registry process on a free loopback port, stopped on drop.
pub(crate) struct Registry {
    child: Child,
    pub(crate) addr: String,
    data: PathBuf,
    /// The registry's request log.
    log: PathBuf,
    _dir: tempfile::TempDir,
    _auth_dir: Option<tempfile::TempDir>,
}

impl Registry {
    /// How many GET requests the registry has served whose path holds `needle`.
    pub(crate) fn gets(&self, needle: &str) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .filter(|l| {
                l.contains("response completed")
                    && l.contains(needle)
                    && l.contains("http.request.method=GET")
            })
            .count()
    }

    /// How many GET requests the registry has served for this blob digest.
    pub(crate) fn blob_gets(&self, digest: &stowaway::digest::Sha256) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let needle = format!("/blobs/{digest}");
        log.lines()
            .filter(|l| {
                l.contains("response completed")
                    && l.contains(&needle)
                    && l.contains("http.request.method=GET")
            })
            .count()
    }
}

/// `count()` once it reaches `want` (or after 30 s): the registry writes a
/// request's log line after the response, so a client can be done before
/// the line is there (a fixed sleep is too short on a loaded machine).
pub(crate) fn logged(want: usize, count: impl Fn() -> usize) -> usize {
    let started = Instant::now();
    loop {
        let n = count();
        if n >= want || started.elapsed() > Duration::from_secs(30) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn start(htpasswd: Option<(&str, &str)>) -> Option<Registry> {
    let mut auth = String::new();
    let keep = tmp();
    if let Some((user, pass)) = htpasswd {
        if !require("htpasswd") {
            return None;
        }
        let file = keep.path().join("htpasswd");
        let out = Command::new("htpasswd")
            .args(["-Bbc", file.to_str().unwrap(), user, pass])
            .output()
            .unwrap();
        assert!(out.status.success());
        auth = format!(
            "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
            file.display()
        );
    }
    let mut reg = start_with(&auth)?;
    reg._auth_dir = Some(keep);
    Some(reg)
}

pub(crate) fn start_with(auth: &str) -> Option<Registry> {
    if !require("docker-registry") || !require("skopeo") {
        return None;
    }
    let dir = tmp();
    let data = dir.path().join("data");
    let config = dir.path().join("config.yml");
    let log = dir.path().join("registry.log");
    // A port found free may be taken by another test before the registry
    // binds it, and then a connect would reach that other server: wait for
    // this registry's own "listening on" line, and try another port if it
    // exited instead.
    let mut attempt = 0;
    let (child, addr) = loop {
        attempt += 1;
        let addr = format!("127.0.0.1:{}", free_port());
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n{auth}",
                data.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("docker-registry")
            .args(["serve", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let listening = format!("listening on {addr}");
        let started = Instant::now();
        let up = loop {
            if std::fs::read_to_string(&log).is_ok_and(|l| l.contains(&listening)) {
                break true;
            }
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "registry did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if up {
            break (child, addr);
        }
        assert!(
            attempt < 5,
            "registry exited five times: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    };
    Some(Registry {
        child,
        addr,
        data,
        log,
        _dir: dir,
        _auth_dir: None,
    })
}

pub(crate) fn push(src: &str, dest: &str, creds: Option<&str>, all: bool) {
    let mut args = vec!["copy", "--quiet", "--dest-tls-verify=false"];
    if let Some(c) = creds {
        args.push("--dest-creds");
        args.push(c);
    }
    if all {
        args.push("--all");
    }
    args.push(src);
    args.push(dest);
    let out = Command::new("skopeo").args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Push a one-file image to `repo:v1`.
fn push_small(reg: &Registry, dir: &Path, repo: &str, creds: Option<&str>) {
    let img = ImageBuilder::new()
        .tag("v1")
        .layer(LayerBuilder::new().file("a", b"a", 0o644))
        .build();
    let src = layout_of(&img, &dir.join("src"));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/{repo}:v1", reg.addr),
        creds,
        false,
    );
}

pub(crate) fn layout_of(img: &stowaway::fixture::BuiltImage, dir: &Path) -> String {
    img.write_oci_layout(dir).unwrap();
    format!("oci:{}", dir.display())
}

#[test]
fn anonymous_pull_by_tag_and_digest_equals_the_layout() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let img = scenario().tag("v1").build();
    let src = layout_of(&img, &t.path().join("src"));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/team/app:v1", reg.addr),
        None,
        false,
    );
    let want = scan_ok(&format!("{src}:v1"));
    let by_tag = scan_ok(&format!("docker://{}/team/app:v1", reg.addr));
    assert_eq!(rows(&by_tag), rows(&want));
    assert_eq!(codes(&by_tag), codes(&want), "same findings");
    let digest = by_tag.image.digest.unwrap();
    let by_digest = scan_ok(&format!("{}/team/app@{digest}", reg.addr));
    assert_eq!(rows(&by_digest), rows(&want));
    // Through the CLI, exit codes as for local images.
    let out = stowaway(&[
        "scan",
        &format!("docker://{}/team/app:v1", reg.addr),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = stowaway(&["scan", &format!("docker://{}/team/nope:v1", reg.addr)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn multi_platform_index_from_a_registry() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let amd = ImageBuilder::new()
        .layer(LayerBuilder::new().file("arch", b"amd64", 0o644))
        .build();
    let arm = ImageBuilder::new()
        .platform("linux", "arm64", Some("v8"))
        .layer(LayerBuilder::new().file("arch", b"arm64", 0o644))
        .build();
    let dir = t.path().join("multi");
    write_multi_platform_layout(&dir, &[amd, arm], false).unwrap();
    push(
        &format!("oci:{}", dir.display()),
        &format!("docker://{}/multi:1", reg.addr),
        None,
        true,
    );
    let r = format!("docker://{}/multi:1", reg.addr);
    let sha = |s: &stowaway::Scan| s.fs.nodes.values().next().unwrap().entry.sha256;
    assert_eq!(
        sha(&scan_ok(&r)),
        Some(stowaway::digest::Sha256::of(b"amd64"))
    );
    let opts = stowaway::ScanOptions {
        platform: Some("linux/arm64".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(
        sha(&stowaway::scan(&r, &opts).unwrap()),
        Some(stowaway::digest::Sha256::of(b"arm64"))
    );
}

#[test]
fn basic_auth_from_flags_docker_config_and_credential_helper() {
    let Some(reg) = start(Some(("alice", "s3cret"))) else {
        return;
    };
    let t = tmp();
    push_small(&reg, t.path(), "private/app", Some("alice:s3cret"));
    let r = format!("docker://{}/private/app:v1", reg.addr);
    // Missing and wrong credentials: exit 2 naming the registry; the secret never printed.
    let empty_cfg = t.path().join("empty");
    std::fs::create_dir_all(&empty_cfg).unwrap();
    let run = |args: &[&str], docker_config: &Path, path_extra: Option<&Path>| {
        let mut c = crate::util::bin();
        c.args(args)
            .env("DOCKER_CONFIG", docker_config)
            .env_remove("REGISTRY_AUTH_FILE");
        if let Some(p) = path_extra {
            c.env(
                "PATH",
                format!("{}:{}", p.display(), std::env::var("PATH").unwrap()),
            );
        }
        c.output().unwrap()
    };
    let out = run(&["inventory", &r], &empty_cfg, None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&reg.addr) && err.contains("authentication"),
        "{err}"
    );
    let out = run(
        &["inventory", &r, "--creds", "alice:wrong"],
        &empty_cfg,
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("wrong"),
        "no secrets in messages"
    );
    // Right credentials by flag.
    let out = run(
        &["inventory", &r, "--creds", "alice:s3cret"],
        &empty_cfg,
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // From a docker config file (auths, base64 user:pass).
    let cfg = t.path().join("docker");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.json"),
        format!(
            r#"{{"auths": {{"{}": {{"auth": "YWxpY2U6czNjcmV0"}}}}}}"#,
            reg.addr
        ),
    )
    .unwrap();
    let out = run(&["inventory", &r], &cfg, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // From a credential helper script named in credHelpers.
    let bin = t.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-testhelper");
    std::fs::write(
        &helper,
        "#!/bin/sh\nread server\necho '{\"Username\":\"alice\",\"Secret\":\"s3cret\"}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg2 = t.path().join("docker2");
    std::fs::create_dir_all(&cfg2).unwrap();
    std::fs::write(
        cfg2.join("config.json"),
        format!(r#"{{"credHelpers": {{"{}": "testhelper"}}}}"#, reg.addr),
    )
    .unwrap();
    let out = run(&["inventory", &r], &cfg2, Some(&bin));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_corrupted_blob_in_the_registry_is_a_digest_mismatch_and_the_cache_skips_blobs() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    let img = ImageBuilder::new()
        .tag("v1")
        .layer(LayerBuilder::new().file("usr/bin/x", b"\x7fELF\x02\x01\x01 x", 0o755))
        .build();
    let src = layout_of(&img, &t.path().join("src"));
    push(
        &format!("{src}:v1"),
        &format!("docker://{}/app:v1", reg.addr),
        None,
        false,
    );
    let r = format!("docker://{}/app:v1", reg.addr);
    let db = t.path().join("cache.db");
    let out = stowaway(&[
        "inventory",
        &r,
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cold = out.stdout;
    let layer = img.layers[0].digest;
    let config = img.config_digest;
    let layer_gets = logged(1, || reg.blob_gets(&layer));
    let config_gets = logged(1, || reg.blob_gets(&config));
    assert_eq!(layer_gets, 1, "the cold scan fetched the layer once");
    // A warm rescan fetches the manifest and config, and no layer.
    let out = stowaway(&[
        "inventory",
        &r,
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.stdout, cold);
    assert_eq!(
        logged(config_gets + 1, || reg.blob_gets(&config)),
        config_gets + 1,
        "the config is fetched again"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        reg.blob_gets(&layer),
        layer_gets,
        "no layer request on a warm rescan"
    );
    // Corrupt the layer blob in the registry's storage.
    let hex = img.layers[0].digest.hex();
    let blob = reg.data.join(format!(
        "docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    let mut bytes = std::fs::read(&blob).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x55;
    std::fs::write(&blob, &bytes).unwrap();
    // The cached layer is not fetched again: same answer.
    let out = stowaway(&[
        "inventory",
        &r,
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, cold);
    // Without the cache the corrupted bytes are caught.
    let out = stowaway(&["inventory", &r, "--no-cache", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("layer 0") && (err.contains("digest") || err.contains("corrupt")),
        "{err}"
    );
}

/// A loopback proxy in front of the registry that answers the first
/// `failures` requests with the given statuses, then passes traffic through.
fn flaky_proxy(
    upstream: String,
    failures: Vec<&'static str>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(200) {
            let Ok(mut client) = conn else { continue };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            // Read the first request head.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                if client.read(&mut byte).unwrap_or(0) == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            if let Some(status) = failures.get(n) {
                let extra = if status.starts_with("429") {
                    "Retry-After: 2\r\n"
                } else {
                    ""
                };
                let _ = write!(
                    client,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                continue;
            }
            let Ok(mut server) = std::net::TcpStream::connect(&upstream) else {
                continue;
            };
            let _ = server.write_all(&head);
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut s2);
                let _ = s2.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (addr, seen)
}

#[test]
fn rate_limits_and_server_errors_are_retried_then_reported() {
    let Some(reg) = start(None) else { return };
    let t = tmp();
    push_small(&reg, t.path(), "app", None);
    let want = rows(&scan_ok(&format!("docker://{}/app:v1", reg.addr)));
    // 503, 429 (with Retry-After), 502, then the real registry.
    let (proxy, seen) = flaky_proxy(
        reg.addr.clone(),
        vec![
            "503 Service Unavailable",
            "429 Too Many Requests",
            "502 Bad Gateway",
        ],
    );
    let got = scan_ok(&format!("docker://{proxy}/app:v1"));
    assert_eq!(rows(&got), want);
    assert!(
        seen.load(std::sync::atomic::Ordering::SeqCst) >= 4,
        "the failures were served"
    );
    // 429 with Retry-After: 2 (to the request and to the probe that reads
    // the header): the retry waits those two seconds, not the short backoff.
    let (proxy, _) = flaky_proxy(reg.addr.clone(), vec!["429 Too Many Requests"; 3]);
    let started = Instant::now();
    assert_eq!(rows(&scan_ok(&format!("docker://{proxy}/app:v1"))), want);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited {:?}",
        started.elapsed()
    );
    // A registry that keeps failing: a bounded number of attempts, then exit 2.
    let (proxy, seen) = flaky_proxy(reg.addr.clone(), vec!["503 Service Unavailable"; 50]);
    let started = Instant::now();
    let out = stowaway(&["scan", &format!("docker://{proxy}/app:v1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("503"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tries = seen.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=10).contains(&tries), "bounded attempts: {tries}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

fn b64url(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..c.len() + 1 {
            out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A token issuer for `auth: token`: answers GET /token with a JWT signed by
/// a key whose certificate the registry trusts, but only for alice:s3cret.
fn token_server(dir: &Path) -> (String, PathBuf) {
    use std::io::{Read, Write};
    let key = dir.join("key.pem");
    let cert = dir.join("cert.pem");
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=stowaway-test-token",
        ])
        .args([
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let der = Command::new("openssl")
        .args(["x509", "-in", cert.to_str().unwrap(), "-outform", "der"])
        .output()
        .unwrap()
        .stdout;
    let x5c = b64url(&der).replace('-', "+").replace('_', "/");
    let x5c = format!("{x5c}{}", "=".repeat((4 - x5c.len() % 4) % 4));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().take(10_000).enumerate() {
            let Ok(mut c) = conn else { continue };
            // Read the whole request head, however it is split into segments.
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => head.extend_from_slice(&buf[..k]),
                }
            }
            let req = String::from_utf8_lossy(&head).to_string();
            // "Basic YWxpY2U6czNjcmV0" is alice:s3cret.
            if !req.contains("YWxpY2U6czNjcmV0") {
                let _ = write!(
                    c,
                    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                continue;
            }
            let scope = req
                .split("scope=")
                .nth(1)
                .and_then(|s| s.split([' ', '&']).next())
                .unwrap_or("")
                .replace("%3A", ":")
                .replace("%2C", ",");
            let parts: Vec<&str> = scope.split(':').collect();
            let access = if parts.len() == 3 {
                format!(
                    r#"[{{"type":"{}","name":"{}","actions":["pull","push"]}}]"#,
                    parts[0], parts[1]
                )
            } else {
                "[]".into()
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let header = format!(r#"{{"alg":"RS256","typ":"JWT","x5c":["{x5c}"]}}"#);
            let claims = format!(
                r#"{{"iss":"stowaway-test-issuer","sub":"alice","aud":"stowaway-test-registry","exp":{},"nbf":{},"iat":{},"jti":"t{n}","access":{access}}}"#,
                now + 300,
                now - 10,
                now
            );
            let input = format!(
                "{}.{}",
                b64url(header.as_bytes()),
                b64url(claims.as_bytes())
            );
            let input_file = dir.join(format!("in{n}"));
            std::fs::write(&input_file, &input).unwrap();
            let sig = Command::new("openssl")
                .args([
                    "dgst",
                    "-sha256",
                    "-sign",
                    dir.join("key.pem").to_str().unwrap(),
                    input_file.to_str().unwrap(),
                ])
                .output()
                .unwrap()
                .stdout;
            let token = format!("{input}.{}", b64url(&sig));
            let body =
                format!(r#"{{"token":"{token}","access_token":"{token}","expires_in":300}}"#);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (addr, cert)
}

#[test]
fn bearer_token_flow_through_the_registrys_challenge() {
    if !require("docker-registry") || !require("skopeo") || !require("openssl") {
        return;
    }
    let t = tmp();
    let (issuer, cert) = token_server(t.path());
    let auth = format!(
        "auth:\n  token:\n    realm: http://{issuer}/token\n    service: stowaway-test-registry\n    issuer: stowaway-test-issuer\n    rootcertbundle: {}\n",
        cert.display()
    );
    let Some(reg) = start_with(&auth) else { return };
    push_small(&reg, t.path(), "app", Some("alice:s3cret"));
    let r = format!("docker://{}/app:v1", reg.addr);
    let empty = t.path().join("noconfig");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |args: &[&str]| {
        crate::util::bin()
            .args(args)
            .env("DOCKER_CONFIG", &empty)
            .env_remove("REGISTRY_AUTH_FILE")
            .output()
            .unwrap()
    };
    let out = run(&["inventory", &r, "--creds", "alice:s3cret"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["inventory", &r]);
    assert_eq!(out.status.code(), Some(2), "anonymous gets no token");
    let out = run(&["inventory", &r, "--creds", "alice:nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("nope"));
    // A token obtained beforehand, given with --registry-token.
    let token = {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(&issuer).unwrap();
        write!(
            c,
            "GET /token?scope=repository%3Aapp%3Apull&service=stowaway-test-registry HTTP/1.1\r\nHost: {issuer}\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = String::new();
        c.read_to_string(&mut resp).unwrap();
        let body = resp.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["token"].as_str().unwrap().to_string()
    };
    let out = run(&["inventory", &r, "--registry-token", &token]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn docker_v2_schema2_manifests_and_a_podman_auth_file() {
    let Some(reg) = start(Some(("alice", "s3cret"))) else {
        return;
    };
    let t = tmp();
    let img = scenario().tag("v1").build();
    let src = layout_of(&img, &t.path().join("src"));
    // Docker media types (v2s2 manifest, rootfs.diff.tar.gzip layers).
    let out = Command::new("skopeo")
        .args([
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--dest-creds",
            "alice:s3cret",
            "--format",
            "v2s2",
        ])
        .arg(format!("{src}:v1"))
        .arg(format!("docker://{}/docker/app:v1", reg.addr))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Credentials from $REGISTRY_AUTH_FILE (podman's auth.json).
    let auth = t.path().join("auth.json");
    std::fs::write(
        &auth,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "YWxpY2U6czNjcmV0"}}}}}}"#,
            reg.addr
        ),
    )
    .unwrap();
    let out = crate::util::bin()
        .args([
            "scan",
            &format!("docker://{}/docker/app:v1", reg.addr),
            "--format",
            "json",
        ])
        .env("REGISTRY_AUTH_FILE", &auth)
        .env("DOCKER_CONFIG", t.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["image"]["layers"][0]["media_type"]
            .as_str()
            .unwrap()
            .starts_with("application/vnd.docker.image.rootfs"),
        "{:#}",
        v["image"]["layers"]
    );
    let want = rows(&scan_ok(&format!("{src}:v1")));
    let got = stowaway::scan(
        &format!("docker://{}/docker/app:v1", reg.addr),
        &stowaway::ScanOptions {
            registry: stowaway::source::RegistryOptions {
                creds: Some(("alice".into(), "s3cret".into())),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(rows(&got), want);
}
