//! Credentials at the server's edges: the bearer token every request but
//! health checks must carry (compared in constant time), the HMAC that
//! signs alerts, and the registry `Authorization` Harbor passes with a scan
//! request (used for that job only, never logged).

use base64::Engine;

/// True when `given` equals `want`, in time independent of where they differ.
pub fn constant_time_eq(given: &[u8], want: &[u8]) -> bool {
    let mut diff = (given.len() ^ want.len()) as u8 | u8::from(given.len() != want.len());
    for (i, w) in want.iter().enumerate() {
        diff |= w ^ given.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// Whether request headers carry the server's token: `Authorization:
/// Bearer TOKEN`, or Harbor's `X-ScannerAdapter-API-Key: TOKEN`.
pub fn authorized(headers: &axum::http::HeaderMap, token: &str) -> bool {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let api_key = headers
        .get("x-scanneradapter-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    [bearer, api_key]
        .into_iter()
        .flatten()
        .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
}

/// Registry credentials from an HTTP `Authorization` value.
#[derive(PartialEq, Eq)]
pub enum RegistryAuth {
    Basic(String, String),
    Bearer(String),
    None,
}

impl std::fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RegistryAuth::Basic(..) => "Basic(<redacted>)",
            RegistryAuth::Bearer(_) => "Bearer(<redacted>)",
            RegistryAuth::None => "None",
        })
    }
}

/// Parse `Basic BASE64(user:pass)` or `Bearer TOKEN`.
pub fn registry_auth(value: &str) -> RegistryAuth {
    if let Some(b) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        if let Some((u, p)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return RegistryAuth::Basic(u.to_string(), p.to_string());
        }
    } else if let Some(t) = value.strip_prefix("Bearer ") {
        return RegistryAuth::Bearer(t.trim().to_string());
    }
    RegistryAuth::None
}

/// `sha256=HEX` of HMAC-SHA256(secret, "TIMESTAMP.BODY").
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut ctx = ring::hmac::Context::with_key(&key);
    ctx.update(timestamp.as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("sha256={}", hex::encode(ctx.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        for bad in [
            &b""[..],
            b"secret-toke",
            b"secret-token!",
            b"Secret-token",
            b"\0ecret-token",
        ] {
            assert!(!constant_time_eq(bad, b"secret-token"), "{bad:?}");
        }
    }

    #[test]
    fn harbor_authorization_values() {
        assert_eq!(
            registry_auth("Basic dTpwOnE="),
            RegistryAuth::Basic("u".into(), "p:q".into())
        );
        assert_eq!(
            registry_auth("Bearer abc"),
            RegistryAuth::Bearer("abc".into())
        );
        assert_eq!(registry_auth("Basic !!"), RegistryAuth::None);
        assert_eq!(
            format!("{:?}", registry_auth("Bearer abc")),
            "Bearer(<redacted>)"
        );
    }

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Python's hmac.new(b"Jefe", b"what do ya want.for nothing?", sha256).
        let s = sign(b"Jefe", "what do ya want", b"for nothing?");
        assert_eq!(
            s,
            "sha256=e33f91577b90d4b3bbd73cb61803074f1965d27701b5527942dd9ea9443af37c"
        );
    }
}
