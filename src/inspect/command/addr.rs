//! Address shapes in command arguments: `scheme://host` URLs, schemeless
//! `host[:port]/path`, `user@host:path` remotes, UNC paths, bare hosts, and
//! loopback names (health checks, not transfers).

const SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "tftp",
    "sftp",
    "scp",
    "smb",
    "dict",
    "gopher",
    "telnet",
    "rsync",
    "ws",
    "wss",
    "ldap",
    "rest:http",
    "rest:https",
    "s3",
    "gs",
    "ssh",
    "git",
    "hkp",
    "hkps",
];

/// Host of the first `scheme://` URL in `a`.
pub fn url_host(a: &str) -> Option<String> {
    let mut from = 0;
    while let Some(n) = a[from..].find("://") {
        let at = from + n;
        let scheme: String = a[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
            .to_ascii_lowercase();
        let scheme = scheme.rsplit(':').next().unwrap_or_default().to_string();
        if SCHEMES.iter().any(|s| scheme.ends_with(s)) {
            let rest = &a[at + 3..];
            let auth = rest
                .split(['/', '?', '#', '"', '\'', ' ', ')', ','])
                .next()
                .unwrap_or_default();
            let host = auth.rsplit('@').next().unwrap_or_default();
            let host = strip_port(host);
            if !host.is_empty() {
                return Some(host.to_ascii_lowercase());
            }
        }
        from = at + 3;
    }
    None
}

pub fn strip_port(h: &str) -> &str {
    if let Some(x) = h.strip_prefix('[') {
        return x.split(']').next().unwrap_or_default();
    }
    match h.rsplit_once(':') {
        Some((a, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !a.contains(':') => a,
        _ => h,
    }
}

pub fn is_ipv4(h: &str) -> bool {
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

pub fn is_domain(h: &str) -> bool {
    let labels: Vec<&str> = h.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// `198.51.100.7/x`, `host.example:8080/p`, `example.com/file`, `10.0.0.1`.
pub fn schemeless_host(a: &str) -> Option<String> {
    if a.starts_with(['-', '/', '.', '$', '~', '@', '\\']) || a.contains("://") {
        return None;
    }
    let (auth, path) = match a.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (a, None),
    };
    let (host, port) = match auth.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, true),
        Some(_) => return None,
        None => (auth, false),
    };
    let ok = if is_ipv4(host) {
        true
    } else {
        (is_domain(host) && (path.is_some() || port || web_name(host)))
            || (port
                && path.is_some()
                && !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
    };
    ok.then(|| host.to_ascii_lowercase())
}

/// A domain that names a web host on its own (`www.example.com`,
/// `files.example.net`): a `www.` name or a common top-level domain that
/// is not also a file extension.
fn web_name(h: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "net", "org", "io", "info", "biz", "ru", "cn", "xyz", "top", "example", "test",
        "onion", "su", "tk", "cc", "pw", "uk", "de", "fr", "nl", "br", "in", "online", "site",
    ];
    let h = h.to_ascii_lowercase();
    h.starts_with("www.") || h.rsplit('.').next().is_some_and(|t| TLDS.contains(&t))
}

/// `user@host:path`, `host:path` (host dotted or an address), `host::module`.
pub fn remote_host(a: &str) -> Option<String> {
    if a.starts_with(['-', '/', '.', '$', '~', '\\']) || a.contains("://") {
        return None;
    }
    let (auth, _path) = a.split_once(':')?;
    let (user, host) = match auth.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, auth),
    };
    if host.len() < 2
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    (user.is_some() || is_ipv4(host) || is_domain(host)).then(|| host.to_ascii_lowercase())
}

/// `\\host\share…` or `//host/share…`, also as a switch's value
/// (`/D:\\host\share`), and WebDAV's `\\host@SSL@443\DavWWWRoot`.
pub fn unc_host(a: &str) -> Option<String> {
    let a = match a.split_once(':') {
        Some((sw, v)) if sw.len() <= 4 && sw.starts_with(['/', '-']) && v.starts_with("\\\\") => v,
        _ => a,
    };
    let rest = a.strip_prefix("\\\\").or_else(|| a.strip_prefix("//"))?;
    let full = rest.split(['\\', '/']).next().unwrap_or_default();
    let has_share = rest.len() > full.len() + 1;
    let host = full.split('@').next().unwrap_or_default();
    (has_share
        && !host.is_empty()
        && (host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b == b'$'
        }) || host_variable(host)))
    .then(|| host.to_ascii_lowercase())
}

/// A host given by a variable, as a loop over a host list writes it
/// (`\\%%h\C$`, `\\%target%\share`, `\\$h\c$`); not the machine's own
/// name (`%COMPUTERNAME%`, `$env:COMPUTERNAME`).
fn host_variable(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    if lower.contains("computername") || lower.contains("localhost") {
        return false;
    }
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if let Some(v) = host.strip_prefix("%%").or_else(|| host.strip_prefix('%')) {
        let v = v.strip_suffix('%').unwrap_or(v);
        return ident(v) && (host.ends_with('%') || v.len() == 1);
    }
    host.strip_prefix('$')
        .is_some_and(|v| ident(v.trim_start_matches('{').trim_end_matches('}')))
}

/// A host name or address on its own, or `user@host`.
pub fn bare_host(a: &str) -> Option<String> {
    let h = a.rsplit('@').next().unwrap_or_default();
    let h = strip_port(h);
    (is_ipv4(h)
        || is_domain(h)
        || a.contains('@')
            && h.len() > 1
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    .then(|| h.to_ascii_lowercase())
}

/// Loopback names and addresses: health checks, not transfers.
pub fn is_loopback(h: &str) -> bool {
    let h = h.trim_matches(['[', ']']);
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "::1"
        || h == "0.0.0.0"
        || h == "ip6-localhost"
        || h.starts_with("127.") && is_ipv4(h)
}

/// True when `text` names addresses without a scheme (`--bind 127.0.0.1`,
/// `-S localhost:8000`) and all of them are loopback ones; `0.0.0.0`
/// (every interface) is not.
pub fn binds_loopback(text: &str) -> bool {
    let mut any = false;
    for w in
        text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ',' | '(' | ')'))
    {
        let h = strip_port(w).trim_matches(['[', ']']);
        if h == "0.0.0.0" || h == "::" {
            return false;
        }
        if is_ipv4(h) || h == "localhost" || h == "::1" {
            any = true;
            if !is_loopback(h) {
                return false;
            }
        }
    }
    any
}

/// True when a line of code names hosts only as quoted literals without a
/// scheme (`HTTPConnection("127.0.0.1", 8000)`, `Net::HTTP.new('localhost',
/// 80)`, `fsockopen("::1", 80)`) and all of them are loopback ones: a
/// client constructor given host and port separately, a health check. A
/// quoted domain that is not loopback makes it false.
pub fn literal_hosts_loopback(line: &str) -> bool {
    let mut any = false;
    for (i, part) in line.split(['"', '\'']).enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let h = strip_port(part.trim()).trim_matches(['[', ']']);
        if is_loopback(h) && h != "0.0.0.0" {
            any = true;
        } else if is_ipv4(h) || is_domain(h) || h == "0.0.0.0" || h == "::" {
            return false;
        }
    }
    any
}

/// The byte index just after the last character of `s` for which `stop`
/// holds (0 when none does): where a run of the other characters ends at
/// the end of `s`, such as a URL's scheme before `://`. A character may be
/// several bytes long; the index is always a character boundary.
pub fn after_last(s: &str, stop: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .rev()
        .find(|&(_, c)| stop(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// True when `text` names URLs and all of them are loopback.
pub fn all_loopback(text: &str) -> bool {
    let mut any = false;
    let mut from = 0;
    while let Some(n) = text[from..].find("://") {
        let at = from + n;
        let start = after_last(&text[..at], |c| !c.is_ascii_alphanumeric());
        if let Some(h) = url_host(&text[start..]) {
            any = true;
            if !is_loopback(&h) {
                return false;
            }
        }
        from = at + 3;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_given_apart_from_the_port() {
        assert!(literal_hosts_loopback(
            r#"conn = http.client.HTTPConnection("127.0.0.1", 8000, timeout=2)"#
        ));
        assert!(literal_hosts_loopback("Net::HTTP.new('localhost', 9292)"));
        assert!(literal_hosts_loopback(r#"fsockopen("::1", 80)"#));
        assert!(literal_hosts_loopback(r#"HTTPSConnection("[::1]:8443")"#));
        assert!(!literal_hosts_loopback(
            r#"HTTPConnection("203.0.113.9", 80)"#
        ));
        assert!(!literal_hosts_loopback(
            r#"HTTPSConnection("updates.example.net")"#
        ));
        assert!(!literal_hosts_loopback(r#"HTTPConnection("0.0.0.0", 80)"#));
        assert!(!literal_hosts_loopback(
            r#"c = HTTPConnection("localhost" if dev else "cdn.example.org")"#
        ));
        assert!(!literal_hosts_loopback("HTTPConnection(HOST, PORT)"));
    }
}
