//! Scripts and command files: recognised by shebang, extension, location
//! and (for crontabs) content. Shell, batch and PowerShell text and every
//! carrier file (cron, units, Dockerfile, Makefile, package.json, YAML,
//! .desktop) go through the command model (`inspect::command`); code
//! languages (Python, Perl, Ruby, JavaScript, PHP, WSH) are matched line by
//! line with their code rules, comments, docstrings and POD left out, and
//! the shell strings they hand to `system`/`exec`/`Run` parsed as commands.
//! Every line with matches gives one hit listing every rule that matched.

use std::collections::BTreeMap;

use crate::catalog::lang::SHELLS;
use crate::catalog::{Catalog, RuleLang};
use crate::finding::Code;
use crate::inspect::command::rules::{Engine, RawHit};
use crate::inspect::command::{Lang, build, carrier, code};
use crate::path::ImagePath;

/// Lines with hits kept per file at most.
const MAX_HITS: usize = 200;

/// The rules that matched one line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// Rule index in the catalogue: the one whose finding code is most severe.
    pub rule: usize,
    /// The other rules that matched the same line.
    #[serde(default)]
    pub also: Vec<usize>,
    /// Every address the matches named is a loopback one (a health check).
    #[serde(default)]
    pub loopback: bool,
    /// 1-based line number.
    pub line: usize,
    /// The command line (trimmed, at most 300 characters).
    pub text: String,
    /// For chains: the download line that came first.
    pub after: Option<(usize, String)>,
}

/// What a script does.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScriptFacts {
    pub lang: String,
    pub hits: Vec<Hit>,
}

impl ScriptFacts {
    /// What the analysis finds in no bytes at all: the language, no hits.
    pub fn empty(lang: &str) -> ScriptFacts {
        ScriptFacts {
            lang: lang.to_string(),
            hits: Vec::new(),
        }
    }
}

/// The script language of a file, from its path and first bytes.
pub fn language(path: &ImagePath, head: &[u8]) -> Option<&'static str> {
    if let Some(rest) = head.strip_prefix(b"#!") {
        return Some(by_shebang(rest));
    }
    let p = String::from_utf8_lossy(path.as_bytes()).to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if ext == "go" && !is_app_go(&p, name) {
        return None;
    }
    match by_extension(ext) {
        Some("js") if is_wsh_jscript(head) => return Some("wsh"),
        Some(l) => return Some(l),
        None => {}
    }
    if let Some(l) = by_name(&p, name) {
        return Some(l);
    }
    // cloud-init user-data (any name: `user-data`, `*.cfg`), by its header.
    if head.starts_with(b"#cloud-config")
        || (head.starts_with(b"## template:")
            && memchr::memmem::find(head, b"\n#cloud-config").is_some())
    {
        return Some("yaml");
    }
    let text = !head.is_empty()
        && head
            .iter()
            .all(|&b| b == b'\n' || b == b'\t' || b == b'\r' || (0x20..0x7f).contains(&b));
    if text
        && memchr::memchr(b'*', head).is_some()
        && carrier::looks_like_crontab(&String::from_utf8_lossy(head))
    {
        return Some("cron");
    }
    // Text in a bin directory: a script without a shebang.
    let in_bin = p.split('/').any(|c| c == "bin" || c == "sbin");
    (in_bin && text).then_some("sh")
}

/// Go source an application would build: not tests (`_test.go`), not the
/// toolchain's own tree (GOROOT: `go-1.NN/`, `/usr/lib/go`, `/usr/local/go`)
/// nor the module cache.
fn is_app_go(p: &str, name: &str) -> bool {
    !name.ends_with("_test.go")
        && !["go-1.", "/lib/go/", "/local/go/", "/pkg/mod/", "/testdata/"]
            .iter()
            .any(|d| p.contains(d))
}

/// The language a `#!` line names.
fn by_shebang(rest: &[u8]) -> &'static str {
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line).to_ascii_lowercase();
    let mut words = line.split_whitespace();
    let mut prog = words
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if prog == "env" {
        prog = words
            .find(|w| !w.starts_with('-'))
            .unwrap_or_default()
            .to_string();
    }
    // s6-overlay's `#!/usr/bin/with-contenv bash`, execline's
    // `#!/command/execlineb -P` (words and blocks a shell reads alike),
    // expect scripts (`spawn CMD`, Tcl words): command text.
    if matches!(prog.as_str(), "with-contenv" | "execlineb" | "expect") {
        let next = words.find(|w| !w.starts_with('-')).unwrap_or_default();
        let next = next.rsplit('/').next().unwrap_or_default();
        return if next == "execlineb" || next.is_empty() || SHELLS.contains(&next) {
            "sh"
        } else {
            by_shebang(next.as_bytes())
        };
    }
    let prog = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match prog {
        p if SHELLS.contains(&p) => "sh",
        "python" | "pypy" => "python",
        "perl" => "perl",
        "ruby" | "jruby" => "ruby",
        "node" | "nodejs" | "deno" | "bun" => "js",
        "php" => "php",
        "lua" | "luajit" => "lua",
        "pwsh" | "powershell" => "powershell",
        "make" | "gmake" => "makefile",
        _ => "other",
    }
}

fn by_extension(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "sh" | "bash" | "zsh" | "ksh" => "sh",
        "ps1" | "psm1" | "psd1" => "powershell",
        "bat" | "cmd" => "batch",
        "py" | "pyw" => "python",
        "pl" | "pm" | "cgi" => "perl",
        "rb" | "rake" | "gemspec" | "ru" => "ruby",
        "js" | "mjs" | "cjs" => "js",
        "vbs" | "vbe" | "hta" | "wsf" | "wsc" | "sct" | "jse" => "wsh",
        "php" | "phtml" => "php",
        "lua" => "lua",
        "go" => "go",
        "desktop" => "desktop",
        "service" | "timer" | "socket" | "path" => "unit",
        "yml" | "yaml" => "yaml",
        "mk" => "makefile",
        "dockerfile" | "containerfile" => "dockerfile",
        "groovy" | "gradle" | "jenkinsfile" => "groovy",
        "tf" | "hcl" => "provisioner",
        "cmake" => "builddsl",
        _ => return None,
    })
}

/// Carriers known by file name or place: Dockerfile, Makefile,
/// package.json, Rakefile, systemd drop-ins, cron files, shell profiles.
fn by_name(p: &str, name: &str) -> Option<&'static str> {
    let dir = p.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    let dir_name = dir.rsplit('/').next().unwrap_or_default();
    Some(match name {
        "dockerfile" | "containerfile" => "dockerfile",
        n if n.starts_with("dockerfile.") || n.starts_with("containerfile.") => "dockerfile",
        "makefile" | "gnumakefile" => "makefile",
        "package.json" => "package.json",
        "rakefile" | "gemfile" | "guardfile" => "ruby",
        "vagrantfile" => "provisioner",
        "jenkinsfile" => "groovy",
        "procfile" => "procfile",
        "cmakelists.txt" | "build.xml" | "pom.xml" => "builddsl",
        "justfile" | ".justfile" => "justfile",
        "tox.ini" | "supervisord.conf" => "ini",
        n if n.ends_with(".conf")
            && (p.starts_with("etc/supervisor/") || p.contains("/supervisor/conf.d/")) =>
        {
            "ini"
        }
        n if n.ends_with(".pkr.json") || n == "packer.json" => "provisioner",
        n if n.ends_with(".conf")
            && [".service.d", ".socket.d", ".timer.d", ".path.d", ".mount.d"]
                .iter()
                .any(|d| dir_name.ends_with(d)) =>
        {
            "unit"
        }
        _ if p == "etc/crontab" || p.starts_with("etc/cron.d/") => "crontab",
        _ if p.starts_with("var/spool/cron/") => "cron",
        // Python runs the `import` lines of site-packages *.pth at start-up.
        n if n.ends_with(".pth")
            && ["/site-packages", "/dist-packages"]
                .iter()
                .any(|d| dir.ends_with(d)) =>
        {
            "python"
        }
        _ if is_shell_place(p, name) => "sh",
        _ => return None,
    })
}

/// Files the system runs as shell by where they are.
fn is_shell_place(p: &str, name: &str) -> bool {
    [
        "etc/cron.hourly/",
        "etc/cron.daily/",
        "etc/cron.weekly/",
        "etc/cron.monthly/",
        "etc/init.d/",
        "etc/profile.d/",
    ]
    .iter()
    .any(|d| p.starts_with(d))
        || matches!(
            p,
            "etc/profile"
                | "etc/bash.bashrc"
                | "etc/bashrc"
                | "etc/rc.local"
                | "etc/zshrc"
                | "etc/environment"
        )
        || matches!(
            name,
            ".bashrc" | ".profile" | ".bash_profile" | ".bash_login" | ".zshrc" | ".kshrc"
        )
        || is_supervised_script(p, name)
}

/// Scripts a supervisor runs (s6 / s6-overlay, runit, daemontools): `run`,
/// `finish`, `up`, `down` in a service directory, and s6-overlay's
/// cont-init.d / cont-finish.d scripts, with or without a shebang.
fn is_supervised_script(p: &str, name: &str) -> bool {
    let service = [
        "etc/services.d/",
        "etc/service/",
        "etc/sv/",
        "etc/runit/",
        "service/",
    ]
    .iter()
    .any(|d| p.starts_with(d))
        || p.contains("/s6-rc.d/")
        || p.contains("/s6-overlay/");
    service && matches!(name, "run" | "finish" | "up" | "down")
        || ["etc/cont-init.d/", "etc/cont-finish.d/"]
            .iter()
            .any(|d| p.starts_with(d))
}

/// A `.js` file written for the Windows Script Host: it names `WScript`,
/// or creates COM objects (`ActiveXObject`) without touching a web page —
/// browser code falls back to `ActiveXObject("Microsoft.XMLHTTP")` for old
/// Internet Explorer beside `XMLHttpRequest`, `window` and `document`,
/// none of which exists under WSH.
fn is_wsh_jscript(head: &[u8]) -> bool {
    let has = |s: &[u8]| memchr::memmem::find(head, s).is_some();
    let browser = [
        &b"XMLHttpRequest"[..],
        b"window.",
        b"(window",
        b"document.",
        b"navigator.",
    ];
    has(b"WScript") || has(b"ActiveXObject") && !browser.iter().any(|b| has(b))
}

/// Source files of a language's own library (Perl modules, Python
/// site-packages, Ruby gems, node_modules, vendored `third_party` trees).
pub fn is_library_code(path: &ImagePath) -> bool {
    let p = format!("/{}", String::from_utf8_lossy(path.as_bytes()));
    p.ends_with(".pm")
        || [
            "/site-packages/",
            "/dist-packages/",
            "/node_modules/",
            "/gems/",
            "/lib/ruby/",
            "/share/perl",
            "/lib/perl",
            "/lib/python",
            "/share/lua/",
            "/lib/lua/",
            "/go/pkg/mod/",
            "/usr/lib/go",
            "/usr/local/go/",
            "/vendor/",
            "/vendored/",
            "/third_party/",
        ]
        .iter()
        .any(|d| p.contains(d))
}

/// Analyse a file's content in `lang` (a value of [`language`]).
pub fn analyze(catalog: &Catalog, lang: &'static str, content: &[u8]) -> ScriptFacts {
    analyze_file(catalog, lang, content, false)
}

/// Analyse a file's content in `lang`; in a language's own library code
/// (`library`), a download counts only when its line names a remote URL
/// (modules mention downloads all the time), except in package.json, whose
/// lifecycle scripts run at install.
pub fn analyze_file(
    catalog: &Catalog,
    lang: &'static str,
    content: &[u8],
    library: bool,
) -> ScriptFacts {
    analyze_with(catalog, lang, content, library, true)
}

/// [`analyze_file`] without the prefilter ([`super::prefilter`]): every
/// code file goes through the whole line-by-line analysis. The reference
/// the prefilter is tested against (the results must be the same).
pub fn analyze_unfiltered(
    catalog: &Catalog,
    lang: &'static str,
    content: &[u8],
    library: bool,
) -> ScriptFacts {
    analyze_with(catalog, lang, content, library, false)
}

fn analyze_with(
    catalog: &Catalog,
    lang: &'static str,
    content: &[u8],
    library: bool,
    prefilter: bool,
) -> ScriptFacts {
    let mut facts = ScriptFacts {
        lang: lang.to_string(),
        hits: Vec::new(),
    };
    let commands = !matches!(
        lang,
        "python" | "perl" | "ruby" | "js" | "php" | "wsh" | "lua" | "go" | "other"
    );
    let disguised = commands
        && (memchr::memmem::find(content, b"://").is_some()
            || matches!(lang, "batch" | "powershell")
                && memchr::memmem::find(content, b"\\\\").is_some());
    if !catalog.triggered(content) && !disguised {
        return facts;
    }
    let text = String::from_utf8_lossy(content);
    let mut eng = Engine::new(catalog);
    for s in segments(catalog, lang, &text) {
        eng.run(s.lang, &s.text, s.line, 0);
    }
    // Groovy pipelines and build DSLs (CMake, Ant, Maven) are code as well:
    // `new URL(…).withInputStream`, `file(DOWNLOAD …)`, `<get src=…>`.
    if !commands || matches!(lang, "groovy" | "builddsl") {
        let code_lang = RuleLang::from_name(lang).unwrap_or(RuleLang::Code);
        let lines = code::code_lines(code_lang, &text);
        if prefilter && !super::prefilter::may_hit(catalog, code_lang, &lines) {
            return facts;
        }
        code::scan_lines(&mut eng, code_lang, &lines, prefilter);
    }
    let mut raw = eng.hits;
    if library && lang != "package.json" {
        raw.retain(|h| catalog.rule_codes[h.rule] != Code::DownloadCommand || h.url);
    }
    facts.hits = merge(catalog, raw);
    facts
}

/// The command text of a carrier, in segments of one language.
fn segments(catalog: &Catalog, lang: &str, text: &str) -> Vec<carrier::Segment> {
    let is_program = |w: &str| !catalog.rules_for_program(w).is_empty();
    let whole = |lang: Lang| {
        vec![carrier::Segment {
            lang,
            text: text.to_string(),
            line: 1,
        }]
    };
    match lang {
        "sh" => whole(Lang::Sh),
        "batch" => whole(Lang::Batch),
        "powershell" => whole(Lang::PowerShell),
        "crontab" => carrier::cron(text, true, &is_program),
        "cron" => carrier::cron(text, false, &is_program),
        "unit" => carrier::unit(text),
        "dockerfile" => dockerfile(catalog, text),
        "makefile" => carrier::makefile(text),
        "package.json" => carrier::package_json(text),
        "yaml" => yaml(catalog, text),
        "desktop" => carrier::desktop(text),
        "groovy" => build::groovy(text),
        "ini" => build::ini(text),
        "procfile" => build::procfile(text),
        "justfile" => build::justfile(text),
        "provisioner" => build::provisioners(text),
        _ => Vec::new(),
    }
}

/// A Dockerfile's build steps, and the command files it writes from
/// here-docs (`COPY <<EOF /etc/cron.d/x`) read as the carrier their
/// destination is (cron, script, unit…), at their lines in the Dockerfile.
fn dockerfile(catalog: &Catalog, text: &str) -> Vec<carrier::Segment> {
    let mut out = carrier::dockerfile(text);
    for (dest, body, line) in carrier::dockerfile_files(text) {
        let path = ImagePath::new(dest.trim_start_matches('/').as_bytes());
        let Some(lang) = language(&path, body.as_bytes()).filter(|l| *l != "dockerfile") else {
            continue;
        };
        out.extend(segments(catalog, lang, &body).into_iter().map(|mut s| {
            s.line += line - 1;
            s
        }));
    }
    out
}

/// A YAML file's commands, and the files it writes from its own text
/// (cloud-init `write_files`, Ansible `copy: content:`) read as the
/// carrier their destination is, at their lines in the YAML.
fn yaml(catalog: &Catalog, text: &str) -> Vec<carrier::Segment> {
    let mut out = carrier::yaml(text);
    for (dest, body, line) in carrier::yaml_files(text) {
        let path = ImagePath::new(dest.trim_start_matches('/').as_bytes());
        let Some(lang) = language(&path, body.as_bytes()).filter(|l| *l != "yaml") else {
            continue;
        };
        out.extend(segments(catalog, lang, &body).into_iter().map(|mut s| {
            s.line += line - 1;
            s
        }));
    }
    out
}

/// One hit per line: every rule that matched, the most severe first.
fn merge(catalog: &Catalog, raw: Vec<RawHit>) -> Vec<Hit> {
    let mut by_line: BTreeMap<usize, Vec<RawHit>> = BTreeMap::new();
    for h in raw {
        by_line.entry(h.line).or_default().push(h);
    }
    let sev = |r: usize| catalog.rule_codes[r].info().severity;
    let mut hits: Vec<Hit> = Vec::new();
    for (line, hs) in by_line {
        let best = hs
            .iter()
            .enumerate()
            .max_by_key(|(i, h)| (sev(h.rule), std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let mut also: Vec<usize> = Vec::new();
        for h in &hs {
            if h.rule != hs[best].rule && !also.contains(&h.rule) {
                also.push(h.rule);
            }
        }
        hits.push(Hit {
            rule: hs[best].rule,
            also,
            loopback: hs.iter().all(|h| h.loopback),
            line,
            text: hs[best].text.clone(),
            after: hs.iter().find_map(|h| h.after.clone()),
        });
        if hits.len() >= MAX_HITS {
            break;
        }
    }
    // A chain says everything its download line says.
    let covered: Vec<usize> = hits
        .iter()
        .filter(|h| catalog.rule_codes[h.rule] == Code::DownloadExecChain)
        .filter_map(|h| h.after.as_ref().map(|a| a.0))
        .collect();
    hits.retain(|h| {
        !(catalog.rule_codes[h.rule] == Code::DownloadCommand && covered.contains(&h.line))
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_script_is_what_the_analysis_finds_in_no_bytes() {
        let cat = crate::catalog::get();
        let langs = [
            "batch",
            "builddsl",
            "cron",
            "crontab",
            "desktop",
            "dockerfile",
            "go",
            "groovy",
            "ini",
            "js",
            "justfile",
            "lua",
            "makefile",
            "other",
            "package.json",
            "perl",
            "php",
            "powershell",
            "procfile",
            "provisioner",
            "python",
            "ruby",
            "sh",
            "unit",
            "wsh",
            "yaml",
        ];
        for lang in langs {
            for library in [false, true] {
                assert_eq!(
                    analyze_file(cat, lang, b"", library),
                    ScriptFacts::empty(lang)
                );
            }
        }
        assert_ne!(ScriptFacts::empty("sh"), ScriptFacts::empty("python"));
    }

    #[test]
    fn carriers_by_name_and_place() {
        let l = |p: &str, head: &[u8]| language(&ImagePath::new(p.as_bytes()), head);
        let dropin = "etc/systemd/system/ssh.service.d/override.conf";
        assert_eq!(l(dropin, b"[Service]\n"), Some("unit"));
        assert_eq!(l("etc/ssh/sshd_config.d/x.conf", b"Port 22\n"), None);
        assert_eq!(l("app/lib/tasks/x.rake", b"task :a\n"), Some("ruby"));
        assert_eq!(l("srv/app/Rakefile", b"task :a\n"), Some("ruby"));
        assert_eq!(l("x/GNUmakefile", b"all:\n"), Some("makefile"));
        assert_eq!(l("opt/x", b"#!/usr/bin/env -S ruby -w\n"), Some("ruby"));
        assert_eq!(l("opt/x.php", b"<?php\n"), Some("php"));
        assert_eq!(l("opt/x", b"#!/command/execlineb -P\n"), Some("sh"));
        assert_eq!(l("opt/x", b"#!/usr/bin/with-contenv bash\n"), Some("sh"));
        assert_eq!(
            l("opt/x", b"#!/usr/bin/with-contenv python3\n"),
            Some("python")
        );
        assert_eq!(l("opt/x", b"#!/usr/bin/expect -f\n"), Some("sh"));
        assert_eq!(l("etc/sv/app/run", b"exec chpst -u app app\n"), Some("sh"));
        assert_eq!(
            l("etc/s6-overlay/s6-rc.d/x/up", b"foreground { x }\n"),
            Some("sh")
        );
        assert_eq!(
            l("etc/cont-init.d/10-adduser", b"groupmod -o abc\n"),
            Some("sh")
        );
        assert_eq!(l("srv/www/run", b"not a script\n"), None);
    }
}
