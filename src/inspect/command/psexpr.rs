//! PowerShell string expressions that build a word from parts, evaluated
//! when every part is a literal: concatenation (`('cu'+'rl.exe')`,
//! `[char]105+[char]119+[char]114`), `-join` (`-join ('c','u','r','l')`,
//! `[char[]](99,117,114,108) -join ''`), `[string]::Join('', …)` and the
//! format operator (`"{1}{0}" -f 'rl','cu'`). Used for program names and
//! the values of variables; anything computed at run time is left alone.

/// Longest expression looked at, and longest word built.
const MAX_EXPR: usize = 2048;
const MAX_WORD: usize = 256;

/// The word an expression builds, when it is built from literals only and
/// is one plausible word (no blanks or control characters).
pub fn eval(expr: &str) -> Option<String> {
    if expr.len() > MAX_EXPR {
        return None;
    }
    let e = strip_parens(expr.trim());
    let lower = e.to_ascii_lowercase();
    let out = if let Some(pattern) = command_lookup(&lower) {
        resolve_wildcard(pattern)
    } else if let Some(child) = joined_path_leaf(&e.replace('`', ""), &lower.replace('`', "")) {
        Some(child)
    } else if lower.starts_with("[string]::join(") {
        string_join(e)
    } else if let Some(at) = find_outside(e, "-join") {
        join(&e[..at], &e[at + 5..])
    } else if let Some(at) = find_outside(e, "-f") {
        format(&e[..at], &e[at + 2..])
    } else {
        concat(e)
    }?;
    let ok = !out.is_empty()
        && out.len() <= MAX_WORD
        && out.chars().all(|c| !c.is_whitespace() && !c.is_control());
    ok.then_some(out)
}

/// Does this word look like an expression `eval` may undo?
pub fn looks_built(w: &str) -> bool {
    let l = w.trim_start_matches('(').to_ascii_lowercase();
    (w.starts_with('(') || l.starts_with("-join") || l.starts_with("[char"))
        && (l.contains('+') || l.contains("-join") || l.contains("-f ") || l.contains("::join"))
        || w.starts_with('(') && command_lookup(l.trim_end_matches(')')).is_some()
        || w.starts_with('(') && {
            // A backtick before a letter is the letter (`Jo`in-Path`).
            let l = l.replace('`', "");
            l.starts_with("join-path")
                || l.starts_with("[io.path]::combine")
                || l.starts_with("[system.io.path]::combine")
        }
}

/// `Join-Path DIR 'Sub\prog.exe'`, `Join-Path -Path DIR -ChildPath 'prog.exe'`,
/// `[IO.Path]::Combine(DIR, 'prog.exe')`: the last component of the literal
/// child (the directory is often computed at run time; the program's name
/// is what matters).
fn joined_path_leaf(e: &str, lower: &str) -> Option<String> {
    let rest = if lower.starts_with("join-path") {
        &e["join-path".len()..]
    } else {
        let at = lower.find("::combine")?;
        if !lower[..at].ends_with("io.path]") {
            return None;
        }
        &e[at + "::combine".len()..]
    };
    let last = rest
        .trim()
        .trim_end_matches(')')
        .rsplit([' ', ','])
        .find(|w| !w.is_empty())?;
    let child = last
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| last.strip_prefix('"').and_then(|x| x.strip_suffix('"')))?;
    let leaf = child.rsplit(['\\', '/']).next()?;
    (!leaf.is_empty() && !leaf.contains(['$', '(', '`'])).then(|| leaf.to_string())
}

/// Commands a wildcard lookup (`gcm *ke-Res*`) may stand for: the ones a
/// download cradle calls.
const LOOKED_UP: &[&str] = &[
    "invoke-webrequest",
    "invoke-restmethod",
    "invoke-expression",
    "start-bitstransfer",
    "new-object",
    "invoke-command",
];

/// `gcm PATTERN` / `Get-Command PATTERN` / `Get-Command -Name PATTERN`
/// with a wildcard (lower case): the pattern.
fn command_lookup(lower: &str) -> Option<&str> {
    let rest = lower
        .strip_prefix("gcm ")
        .or_else(|| lower.strip_prefix("get-command "))?
        .trim_start();
    let rest = rest.strip_prefix("-name ").unwrap_or(rest).trim();
    let p = rest.trim_matches(['\'', '"']);
    (p.contains(['*', '?']) && !p.contains([' ', '$', '('])).then_some(p)
}

/// The one download-cradle command a wildcard matches (Sigma's
/// Invoke-Obfuscation `&(gcm I*e-R*d)`); none when it matches several.
fn resolve_wildcard(pattern: &str) -> Option<String> {
    let hits: Vec<&&str> = LOOKED_UP
        .iter()
        .filter(|c| glob(pattern.as_bytes(), c.as_bytes()))
        .collect();
    match hits.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// `*` and `?` wildcard match (iterative, linear in practice).
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The top-level parenthesized groups of a command as typed (quotes kept),
/// at most 16.
pub fn paren_groups(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'(' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            None if c == b')' && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(&text[start..=i]);
                    if out.len() >= 16 {
                        break;
                    }
                }
            }
            None => {}
        }
    }
    out
}

fn strip_parens(mut e: &str) -> &str {
    while e.starts_with('(') && e.ends_with(')') && balanced(&e[1..e.len() - 1]) {
        e = e[1..e.len() - 1].trim();
    }
    e
}

/// Parentheses balance and never close more than they opened.
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            None => {}
        }
    }
    depth == 0
}

/// Position of an operator (case-insensitive, followed by a blank, `(` or
/// a quote) outside quotes and parentheses.
fn find_outside(e: &str, op: &str) -> Option<usize> {
    let b = e.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for i in 0..b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'(' || c == b'[' => depth += 1,
            None if c == b')' || c == b']' => depth -= 1,
            None if depth == 0
                && b.len() > i + op.len()
                && b[i..i + op.len()].eq_ignore_ascii_case(op.as_bytes()) =>
            {
                let next = b[i + op.len()];
                if matches!(next, b' ' | b'(' | b'\'' | b'"' | b'[') {
                    return Some(i);
                }
            }
            None => {}
        }
    }
    None
}

/// Items of a list: quoted literals and `[char]N`, separated by commas, or
/// a `[char[]](N,N,…)` cast.
fn items(list: &str) -> Option<Vec<String>> {
    let l = strip_parens(list.trim());
    let lower = l.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("[char[]]") {
        let nums = strip_parens(rest.trim());
        return nums.split(',').map(|n| char_code(n.trim())).collect();
    }
    split_outside(l, b',').iter().map(|p| literal(p)).collect()
}

fn char_code(n: &str) -> Option<String> {
    let v = if let Some(h) = n.strip_prefix("0x") {
        u32::from_str_radix(h, 16).ok()?
    } else {
        n.parse::<u32>().ok()?
    };
    char::from_u32(v).map(String::from)
}

/// A quoted literal, or `[char]N`.
fn literal(p: &str) -> Option<String> {
    let p = strip_parens(p.trim());
    if let Some(n) = p.to_ascii_lowercase().strip_prefix("[char]") {
        return char_code(strip_parens(n.trim()));
    }
    let q = p.chars().next()?;
    if (q == '\'' || q == '"') && p.len() >= 2 && p.ends_with(q) {
        let inner = &p[1..p.len() - 1];
        return (!inner.contains(q)).then(|| inner.replace('`', ""));
    }
    None
}

fn split_outside(e: &str, sep: u8) -> Vec<&str> {
    let b = e.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'(' || c == b'[' => depth += 1,
            None if c == b')' || c == b']' => depth -= 1,
            None if c == sep && depth == 0 => {
                out.push(&e[start..i]);
                start = i + 1;
            }
            None => {}
        }
    }
    out.push(&e[start..]);
    out
}

fn concat(e: &str) -> Option<String> {
    let parts = split_outside(e, b'+');
    if parts.len() < 2 {
        return None;
    }
    parts.iter().map(|p| literal(p)).collect()
}

/// `-join LIST` (left empty) or `LIST -join 'sep'`.
fn join(left: &str, right: &str) -> Option<String> {
    if left.trim().is_empty() {
        return Some(items(right)?.concat());
    }
    let sep = if right.trim().is_empty() {
        String::new()
    } else {
        literal(right)?
    };
    Some(items(left)?.join(&sep))
}

/// `[string]::Join('sep', LIST)`.
fn string_join(e: &str) -> Option<String> {
    let open = e.find('(')?;
    let inner = e[open..].trim();
    let inner = inner.strip_prefix('(')?.strip_suffix(')')?;
    let parts = split_outside(inner, b',');
    let sep = literal(parts.first()?)?;
    let rest = inner[parts[0].len() + 1..].trim();
    Some(items(rest)?.join(&sep))
}

/// `"{1}{0}" -f 'a','b'`.
fn format(left: &str, right: &str) -> Option<String> {
    let fmt = literal(left)?;
    let args = items(right)?;
    let mut out = String::new();
    let mut rest = fmt.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let k: usize = rest[open + 1..close].trim().parse().ok()?;
        out.push_str(args.get(k)?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_built_from_literals() {
        for (e, w) in [
            ("('cu'+'rl.exe')", "curl.exe"),
            ("(\"Inv\" + 'oke-WebRequest')", "Invoke-WebRequest"),
            ("-join ('c','u','r','l')", "curl"),
            ("('i','w','r') -join ''", "iwr"),
            ("([char[]](99,117,114,108) -join '')", "curl"),
            ("-join [char[]](105,119,114)", "iwr"),
            ("[string]::Join('', [char[]](105,119,114))", "iwr"),
            ("[char]105+[char]119+[char]114", "iwr"),
            ("(\"{1}{0}\" -f 'rl','cu')", "curl"),
            ("('ce'+'rtu'+'til')", "certutil"),
            ("(gcm I*e-R*d)", "invoke-restmethod"),
            ("(Get-Command -Name '*ke-Exp*')", "invoke-expression"),
            ("(gcm *t-b*sf?r)", "start-bitstransfer"),
        ] {
            assert_eq!(eval(e).as_deref(), Some(w), "{e}");
        }
    }

    #[test]
    fn computed_or_odd_expressions_are_left_alone() {
        for e in [
            "($a + 'rl')",
            "(Get-Date)",
            "('a b' + 'c')",
            "('x' -join $sep)",
            "(\"{5}\" -f 'a')",
            "([char[]](99,99999999) -join '')",
            "(((('a'+",
            "(gcm Invoke-*)",
            "(gcm Get-Date)",
            "",
        ] {
            assert_eq!(eval(e), None, "{e}");
        }
        assert!(looks_built("('cu'+'rl')") && !looks_built("-OutFile") && !looks_built("(iwr x)"));
        assert_eq!(
            paren_groups("& ('c'+')u') x (\"{0}\" -f 'y')"),
            ["('c'+')u')", "(\"{0}\" -f 'y')"]
        );
    }

    // Round 11: the limits, each at its boundary.

    #[test]
    fn expression_and_word_lengths_are_limited() {
        // A word of exactly MAX_WORD characters is built; one more is not.
        let at = |n: usize| format!("('{}'+'b')", "a".repeat(n - 1));
        assert_eq!(eval(&at(MAX_WORD)).map(|w| w.len()), Some(MAX_WORD));
        assert_eq!(eval(&at(MAX_WORD + 1)), None);
        // An expression of exactly MAX_EXPR bytes is looked at; one more
        // is not (blanks pad it; the word it builds stays short).
        let pad = |n: usize| {
            let e = "('cu'+'rl')";
            format!("{e}{}", " ".repeat(n - e.len()))
        };
        assert_eq!(eval(&pad(MAX_EXPR)).as_deref(), Some("curl"));
        assert_eq!(eval(&pad(MAX_EXPR + 1)), None);
    }

    #[test]
    fn at_most_16_paren_groups() {
        let text: String = (0..20).map(|n| format!("('a{n}') ")).collect();
        let g = paren_groups(&text);
        assert_eq!(g.len(), 16);
        assert_eq!(g[15], "('a15')");
    }
}
