//! `stowaway audit --kubeconfig` with the real `kube` client against a
//! local HTTPS server on loopback that speaks the Kubernetes list API for
//! pods and namespaces (v1 PodList JSON, `limit`/`continue` pagination, one
//! `410 Gone`, one namespace answering `403`), reached through a kubeconfig
//! with a client certificate and a CA generated here with the openssl CLI.
//! No real Kubernetes API server exists on these machines, so this server
//! stands in for one; the images its pods run are in a real
//! `docker-registry` on loopback.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};
use tokio_rustls::rustls;

use crate::audit::{audit, clean, pod, pod_list, push_image};
use crate::registry::start;
use crate::util::*;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=test-ca",
                "-days",
                "2",
            ],
        ]
        .concat(),
    );
    for (name, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        openssl(
            dir,
            &[
                &["req"],
                &ec[..],
                &[
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.csr"),
                    "-subj",
                    &format!("/CN={name}"),
                ],
            ]
            .concat(),
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.crt"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
}

fn tls_config(dir: &Path) -> Arc<rustls::ServerConfig> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(dir.join("ca.crt")).unwrap())
        .unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let certs = vec![CertificateDer::from_pem_file(dir.join("server.crt")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .unwrap(),
    )
}

/// What the fake API server answers, and what it was asked.
struct Api {
    pods: Vec<(String, Vec<Value>)>,
    /// Secrets by `NS/NAME`.
    secrets: Vec<(String, Value)>,
    requests: Mutex<Vec<String>>,
    gone_once: Mutex<bool>,
}

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code}),
    )
}

impl Api {
    fn answer(&self, target: &str) -> (u16, Value) {
        self.requests.lock().unwrap().push(target.to_string());
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let token = query.split('&').find_map(|kv| kv.strip_prefix("continue="));
        if let Some(key) = path
            .strip_prefix("/api/v1/namespaces/")
            .filter(|p| p.contains("/secrets/"))
        {
            let key = key.replace("/secrets/", "/");
            return match self.secrets.iter().find(|(k, _)| *k == key) {
                Some((_, v)) => (200, v.clone()),
                None => status(404, "NotFound", "secrets not found"),
            };
        }
        assert!(
            query.contains("limit="),
            "every list is paginated: {target}"
        );
        match path {
            "/api/v1/pods" => status(
                403,
                "Forbidden",
                "pods is forbidden: cannot list resource \"pods\" at the cluster scope",
            ),
            "/api/v1/namespaces" => {
                let (names, next): (&[&str], &str) = match token {
                    None => (&["default", "shop"], "ns-page-2"),
                    Some("ns-page-2") => (&["locked"], ""),
                    Some(t) => panic!("unknown namespace token {t}"),
                };
                let items: Vec<Value> = names
                    .iter()
                    .map(|n| json!({"metadata": {"name": n}}))
                    .collect();
                (
                    200,
                    json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"continue": next}, "items": items}),
                )
            }
            _ => self.namespace_pods(path, token),
        }
    }

    /// `shop` has two pages; its first continue answers 410 Gone once.
    fn namespace_pods(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let ns = path
            .strip_prefix("/api/v1/namespaces/")
            .and_then(|p| p.strip_suffix("/pods"))
            .unwrap();
        if ns == "locked" {
            return status(
                403,
                "Forbidden",
                "pods is forbidden: User \"auditor\" cannot list resource \"pods\" in the namespace \"locked\"",
            );
        }
        let pods = &self.pods.iter().find(|(n, _)| n == ns).unwrap().1;
        let (items, next) = match (ns, token) {
            ("shop", None) => (&pods[..2], "shop-page-2"),
            ("shop", Some("shop-page-2")) => {
                let mut gone = self.gone_once.lock().unwrap();
                if !*gone {
                    *gone = true;
                    return status(410, "Expired", "The provided continue parameter is too old");
                }
                (&pods[2..], "")
            }
            (_, None) => (&pods[..], ""),
            (_, Some(t)) => panic!("unknown token {t}"),
        };
        (
            200,
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "42", "continue": next}, "items": items}),
        )
    }
}

fn serve_one(conn: TcpStream, tls: Arc<rustls::ServerConfig>, api: Arc<Api>) {
    let Ok(server) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut stream = rustls::StreamOwned::new(server, conn);
    let mut reader = BufReader::new(&mut stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return; // e.g. a client without a certificate
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (code, body) = api.answer(&target);
    let body = serde_json::to_vec(&body).unwrap();
    let head = format!(
        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

/// Start the server; its address.
fn start_api(dir: &Path, api: Arc<Api>) -> String {
    let tls = tls_config(dir);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (tls, api) = (tls.clone(), api.clone());
            std::thread::spawn(move || serve_one(conn, tls, api));
        }
    });
    addr
}

fn kubeconfig(dir: &Path, addr: &str) -> String {
    let b64 = |f: &str| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(dir.join(f)).unwrap())
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: https://{addr}\n    certificate-authority-data: {}\nusers:\n- name: auditor\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: auditor\ncurrent-context: test\n",
        b64("ca.crt"),
        b64("client.crt"),
        b64("client.key")
    );
    let p = dir.join("kubeconfig");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn api_mode_pages_restarts_on_410_and_reports_a_forbidden_namespace() {
    if !require("openssl") {
        return;
    }
    let Some(reg) = start(None) else { return };
    let t = tmp();
    certificates(t.path());
    let a = push_image(&reg, t.path(), "team/a", clean(0));
    let b = push_image(&reg, t.path(), "team/b", clean(1));
    let default_pods = vec![
        pod("default", "web", 0, &a, 0),
        pod("default", "web", 1, &a, 1),
    ];
    let shop_pods = vec![
        pod("shop", "api", 2, &b, 0),
        pod("shop", "api", 3, &b, 1),
        pod("shop", "cart", 4, &a, 2),
    ];
    let file_pods = pod_list([default_pods.clone(), shop_pods.clone()].concat());
    let api = Arc::new(Api {
        pods: vec![("default".into(), default_pods), ("shop".into(), shop_pods)],
        secrets: Vec::new(),
        requests: Mutex::new(Vec::new()),
        gone_once: Mutex::new(false),
    });
    let addr = start_api(t.path(), api.clone());
    let kc = kubeconfig(t.path(), &addr);
    let (code, doc, err) = audit(&[
        "--kubeconfig",
        &kc,
        "--page-size",
        "2",
        "--format",
        "json",
        "--no-cache",
    ]);
    assert_eq!(
        code,
        Some(2),
        "a forbidden namespace makes the audit incomplete: {err}"
    );
    assert!(err.contains("namespace/locked"), "{err}");
    assert_eq!(
        doc["skipped"],
        json!([{"what": "namespace/locked", "reason": "pods not listed: HTTP 403: pods is forbidden: User \"auditor\" cannot list resource \"pods\" in the namespace \"locked\""}])
    );
    assert_eq!(
        doc["workloads"].as_array().unwrap().len(),
        5,
        "each pod once, after the restart: {doc}"
    );
    assert_eq!(doc["images"].as_array().unwrap().len(), 2);
    let asked = api.requests.lock().unwrap().clone();
    let shop_first_pages = asked
        .iter()
        .filter(|r| r.starts_with("/api/v1/namespaces/shop/pods") && !r.contains("continue"))
        .count();
    assert_eq!(
        shop_first_pages, 2,
        "the list restarted after 410 Gone: {asked:?}"
    );
    assert!(
        asked.iter().any(|r| r.contains("continue=ns-page-2")),
        "{asked:?}"
    );
    // Told to accept the skip: the policy decides (both images are clean).
    let (code, api_doc, err) = audit(&[
        "--kubeconfig",
        &kc,
        "--format",
        "json",
        "--allow-skipped",
        "--no-cache",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(api_doc["source"], "kubernetes");
    // The same pods from a file give the same workloads and images.
    let f = crate::audit::write_json(t.path(), "pods.json", &file_pods);
    let (_, file_doc, err) = audit(&["--pods", &f, "--format", "json", "--no-cache"]);
    assert_eq!(file_doc["workloads"], api_doc["workloads"], "{err}");
    assert_eq!(file_doc["images"], api_doc["images"]);
    // Only the namespaces asked for: no cluster-wide or namespace list.
    api.requests.lock().unwrap().clear();
    let (code, doc, err) = audit(&[
        "--kubeconfig",
        &kc,
        "--namespace",
        "default",
        "--format",
        "json",
        "--no-cache",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc["workloads"].as_array().unwrap().len(), 2);
    let asked = api.requests.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .all(|r| r.starts_with("/api/v1/namespaces/default/pods?")),
        "{asked:?}"
    );
    // A client without the certificate is refused by the server: exit 2, named.
    let text = std::fs::read_to_string(&kc).unwrap();
    let anon: String = text
        .lines()
        .filter(|l| !l.contains("client-"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace("  user:\n", "  user: {}\n");
    let anon_kc = t.path().join("anon");
    std::fs::write(&anon_kc, anon).unwrap();
    let (code, _, err) = audit(&["--kubeconfig", anon_kc.to_str().unwrap(), "--no-cache"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("kubernetes"), "{err}");
}

#[test]
fn pull_secrets_are_read_through_the_api_and_used_for_their_registry_only() {
    if !require("openssl") {
        return;
    }
    let Some(reg) = start(Some(("puller", "s3cret-pw"))) else {
        return;
    };
    let t = tmp();
    certificates(t.path());
    let img = clean(7);
    let src = crate::registry::layout_of(&img, &t.path().join("src"));
    crate::registry::push(
        &format!("{src}:v1"),
        &format!("docker://{}/private/app:v1", reg.addr),
        Some("puller:s3cret-pw"),
        false,
    );
    let p = crate::audit::Pushed {
        repo: format!("{}/private/app", reg.addr),
        digest: img.manifest_digest.to_string(),
        img,
    };
    let mut with_secret = pod("default", "web", 0, &p, 0);
    with_secret["spec"]["imagePullSecrets"] = json!([{"name": "regcred"}, {"name": "missing"}]);
    let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let config = json!({"auths": {reg.addr.clone(): {"auth": enc("puller:s3cret-pw")}, "other.example": {"username": "x", "password": "y"}}});
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "regcred", "namespace": "default"},
        "data": {".dockerconfigjson": enc(&config.to_string())}});
    let api = Arc::new(Api {
        pods: vec![("default".into(), vec![with_secret])],
        secrets: vec![("default/regcred".into(), secret)],
        requests: Mutex::new(Vec::new()),
        gone_once: Mutex::new(false),
    });
    let addr = start_api(t.path(), api.clone());
    let kc = kubeconfig(t.path(), &addr);
    let ns = ["--namespace", "default", "--no-cache", "--format", "json"];
    // Without the secrets the registry refuses the pull: exit 2, named.
    let (code, _, err) = audit(&[&["--kubeconfig", &kc][..], &ns[..]].concat());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&p.digest), "{err}");
    // With them, the pull succeeds; the missing secret is a note.
    let out = bin()
        .args(
            [
                &["audit", "--kubeconfig", &kc, "--pull-secrets"][..],
                &ns[..],
            ]
            .concat(),
        )
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["images"][0]["verdict"], "pass");
    assert!(
        stderr.contains("secret default/missing not read"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("s3cret") && !stderr.contains("s3cret"),
        "the password is never printed"
    );
    assert!(
        api.requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r == "/api/v1/namespaces/default/secrets/regcred")
    );
}
