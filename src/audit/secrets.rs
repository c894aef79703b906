//! Registry credentials from an imagePullSecret (`kubernetes.io/dockerconfigjson`
//! with `.dockerconfigjson`, or the older `kubernetes.io/dockercfg` with
//! `.dockercfg`): per registry host, a user and password from `username` /
//! `password` or from `auth` (base64 of `user:password`). Errors name the
//! part that is wrong, never a value.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;

use super::inventory::{PullCred, registry_host};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Secret {
    data: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DockerConfig {
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

fn b64(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| "not base64".to_string())
}

/// The credentials of a Secret object (JSON as the API returns it).
pub fn docker_creds(secret: &[u8]) -> Result<Vec<PullCred>, String> {
    crate::source::json::check_keys(secret, "secret", "imagePullSecret")
        .map_err(|_| "keys that collide".to_string())?;
    let s: Secret = serde_json::from_slice(secret).map_err(|_| "not a Secret".to_string())?;
    let auths: BTreeMap<String, AuthEntry> = if let Some(v) = s.data.get(".dockerconfigjson") {
        let c: DockerConfig = serde_json::from_slice(&b64(v)?)
            .map_err(|_| ".dockerconfigjson is not a docker config".to_string())?;
        c.auths
    } else if let Some(v) = s.data.get(".dockercfg") {
        serde_json::from_slice(&b64(v)?)
            .map_err(|_| ".dockercfg is not a docker config".to_string())?
    } else {
        return Err("neither .dockerconfigjson nor .dockercfg".into());
    };
    let mut out = Vec::new();
    for (host, e) in auths {
        let (user, pass) = match (e.username, e.password, e.auth) {
            (Some(u), Some(p), _) if !u.is_empty() => (u, p),
            (_, _, Some(a)) => {
                let text =
                    String::from_utf8(b64(&a)?).map_err(|_| "auth is not text".to_string())?;
                let (u, p) = text.split_once(':').ok_or("auth is not user:password")?;
                (u.to_string(), p.to_string())
            }
            _ => continue,
        };
        out.push(PullCred {
            host: registry_host(&format!("{}/x", host.trim_end_matches('/'))),
            user,
            pass,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerconfigjson_and_dockercfg() {
        let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let cfg = format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}"}},"reg.example:5000":{{"username":"u","password":"p:w"}}}}}}"#,
            enc("hub:secret")
        );
        let secret = format!(r#"{{"data":{{".dockerconfigjson":"{}"}}}}"#, enc(&cfg));
        let c = docker_creds(secret.as_bytes()).unwrap();
        let got: Vec<(&str, &str, &str)> = c
            .iter()
            .map(|c| (c.host.as_str(), c.user.as_str(), c.pass.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("docker.io", "hub", "secret"),
                ("reg.example:5000", "u", "p:w")
            ]
        );
        assert!(
            !format!("{c:?}").contains("secret"),
            "Debug never shows a password"
        );
        let old = format!(
            r#"{{"data":{{".dockercfg":"{}"}}}}"#,
            enc(r#"{"reg.example":{"username":"a","password":"b"}}"#)
        );
        assert_eq!(docker_creds(old.as_bytes()).unwrap()[0].host, "reg.example");
        assert!(docker_creds(br#"{"data":{}}"#).is_err());
    }
}
