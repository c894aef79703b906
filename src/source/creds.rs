//! Registry credentials, for one registry at a time: `--registry-token`,
//! `--creds` (or `--registry-username` with `--password-stdin` or
//! `$STOWAWAY_REGISTRY_PASSWORD`), then podman's auth file
//! (`$REGISTRY_AUTH_FILE`; when unset, podman's defaults
//! `$XDG_RUNTIME_DIR/containers/auth.json` and
//! `$XDG_CONFIG_HOME/containers/auth.json`), then the docker config
//! (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`): `auths`
//! entries, and `credHelpers`/`credsStore` through `docker-credential-NAME get`.
//! A credential is looked up by the image's own registry only.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use oci_client::secrets::RegistryAuth;
use serde::Deserialize;

use crate::error::{Error, Result};

use super::RegistryOptions;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The names a registry may be filed under in a config file.
fn keys_for(registry: &str) -> Vec<String> {
    let mut v = vec![
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ];
    if matches!(
        registry,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    ) {
        v.push("https://index.docker.io/v1/".into());
        v.push("docker.io".into());
        v.push("index.docker.io".into());
    }
    v
}

fn config_files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match env("REGISTRY_AUTH_FILE") {
        Some(p) => v.push(PathBuf::from(p)),
        None => {
            // podman's default places (containers-auth.json(5)).
            if let Some(run) = env("XDG_RUNTIME_DIR") {
                v.push(PathBuf::from(run).join("containers/auth.json"));
            }
            match (env("XDG_CONFIG_HOME"), env("HOME")) {
                (Some(c), _) => v.push(PathBuf::from(c).join("containers/auth.json")),
                (None, Some(h)) => v.push(PathBuf::from(h).join(".config/containers/auth.json")),
                (None, None) => {}
            }
        }
    }
    match std::env::var_os("DOCKER_CONFIG") {
        Some(d) => v.push(PathBuf::from(d).join("config.json")),
        None => {
            if let Some(h) = std::env::var_os("HOME") {
                v.push(PathBuf::from(h).join(".docker/config.json"));
            }
        }
    }
    v
}

/// The credential to use for `registry`.
pub fn auth_for(registry: &str, opts: &RegistryOptions) -> Result<RegistryAuth> {
    if let Some(t) = &opts.token {
        return Ok(RegistryAuth::Bearer(t.clone()));
    }
    if let Some((u, p)) = &opts.creds {
        return Ok(RegistryAuth::Basic(u.clone(), p.clone()));
    }
    for file in config_files() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let cfg: DockerConfig = serde_json::from_str(&text).map_err(|e| Error::Document {
            what: "registry credentials file",
            location: file.display().to_string(),
            reason: e.to_string(),
        })?;
        for key in keys_for(registry) {
            if let Some(helper) = cfg.cred_helpers.get(&key) {
                return helper_get(helper, &key);
            }
        }
        for key in keys_for(registry) {
            if let Some(e) = cfg.auths.get(&key) {
                if let Some(a) = e.auth.as_deref().and_then(decode_basic) {
                    return Ok(RegistryAuth::Basic(a.0, a.1));
                }
                if let (Some(u), Some(p)) = (&e.username, &e.password) {
                    return Ok(RegistryAuth::Basic(u.clone(), p.clone()));
                }
                if let Some(t) = &e.identitytoken {
                    return Ok(RegistryAuth::Bearer(t.clone()));
                }
            }
        }
        if let Some(store) = &cfg.creds_store {
            match helper_get(store, registry) {
                Ok(a) => return Ok(a),
                Err(_) => continue, // the store has nothing for this registry
            }
        }
    }
    Ok(RegistryAuth::Anonymous)
}

#[derive(Deserialize)]
struct HelperReply {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// `docker-credential-NAME get`, server URL on stdin, JSON on stdout.
fn helper_get(helper: &str, server: &str) -> Result<RegistryAuth> {
    if helper.is_empty() || helper.contains('/') {
        return Err(Error::Unsupported(format!(
            "credential helper name {helper:?} is not valid"
        )));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Unsupported(format!("credential helper {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Unsupported(format!("credential helper {program}: {e}")))?;
    if !out.status.success() {
        return Err(Error::Unsupported(format!(
            "credential helper {program} has no credentials for {server}"
        )));
    }
    let r: HelperReply = serde_json::from_slice(&out.stdout).map_err(|_| {
        Error::Unsupported(format!(
            "credential helper {program} answered with something that is not JSON credentials"
        ))
    })?;
    Ok(if r.username == "<token>" {
        RegistryAuth::Bearer(r.secret)
    } else {
        RegistryAuth::Basic(r.username, r.secret)
    })
}

/// Decode a docker config `auth` value (base64 of `user:pass`).
fn decode_basic(b64: &str) -> Option<(String, String)> {
    let bytes = base64_decode(b64.trim())?;
    let s = String::from_utf8(bytes).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = chunk.len();
        if n < 2 {
            return None;
        }
        out.push((acc >> 16) as u8);
        if n > 2 {
            out.push((acc >> 8) as u8);
        }
        if n > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_docker_auth() {
        // "user:pa:ss" in base64
        assert_eq!(
            decode_basic("dXNlcjpwYTpzcw=="),
            Some(("user".into(), "pa:ss".into()))
        );
        assert_eq!(decode_basic("!!"), None);
    }
}
