#!/usr/bin/env python3
"""Validate ../commands.toml without running any case content.

- tomllib load, unique ids / paths, required keys, counts;
- no overlap of ids / paths / contents with held-out sets #1-#6 (/work/main/tests/heldout{,2,3,4}/commands.toml and /work/holdout5/commands.toml);
  shared non-trivial lines (>= 30 chars) with those sets are listed as warnings;
- only documentation addresses: every IPv4 literal is in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
  or loopback / 0.0.0.0; hostnames in URLs end in example.com|net|org or .example/.invalid/.test, or are in
  a short allow-list of public hosts that appear only as non-download values in silent cases;
- syntax-only checks (the content is written to a temp file and parsed, never executed):
  `bash -n` (sh, bash-cron), `compile()` (python), `node --check` (js, node, wsh-js), `perl -c` is NOT used
  (it runs BEGIN blocks), json.loads (package-json), yaml.safe_load if PyYAML is installed.
"""
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
TOML = os.path.join(HERE, "..", "commands.toml")
OTHERS = [os.path.join("/work/main/tests", d, "commands.toml") for d in ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6")]

DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                               "127.0.0.0/8", "0.0.0.0/32")]
HOST_OK = re.compile(r"(^|\.)(example\.(com|net|org)|[a-z0-9-]+\.example|[a-z0-9-]+\.invalid|[a-z0-9-]+\.test|"
                     r"example|localhost)$", re.I)
PUBLIC_ALLOW = {"rubygems.org"}  # only in the silent Gemfile case

errors = []
data = tomllib.load(open(TOML, "rb"))
cases = data["case"]
keys = {"id", "source", "carrier", "path", "executable", "expect", "content"}
for c in cases:
    if set(c) != keys:
        errors.append(f"{c.get('id')}: keys {sorted(set(c))}")
ids = [c["id"] for c in cases]
paths = [c["path"] for c in cases]
assert len(set(ids)) == len(ids), "duplicate ids"
assert len(set(paths)) == len(paths), "duplicate paths"

for other in OTHERS:
    if not os.path.exists(other):
        continue
    first = tomllib.load(open(other, "rb"))["case"]
    fi = {c["id"] for c in first}
    fp = {c["path"] for c in first}
    fc = {c["content"] for c in first}
    for c in cases:
        if c["id"] in fi:
            errors.append(f"{c['id']}: id also in {other}")
        if c["path"] in fp:
            errors.append(f"{c['id']}: path also in {other}: {c['path']}")
        if c["content"] in fc:
            errors.append(f"{c['id']}: content identical to a case in {other}")

other_lines = set()
for other in OTHERS:
    if os.path.exists(other):
        for oc in tomllib.load(open(other, "rb"))["case"]:
            other_lines.update(l.strip() for l in oc["content"].splitlines() if len(l.strip()) >= 30)
warnings = []
for c in cases:
    for l in c["content"].splitlines():
        if len(l.strip()) >= 30 and l.strip() in other_lines:
            warnings.append(f"{c['id']}: line shared with an earlier set: {l.strip()[:100]}")
    if not c["id"].startswith("h7-"):
        errors.append(f"{c['id']}: id must start with h7-")

for c in cases:
    text = c["content"]
    for m in re.finditer(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", text):
        try:
            ip = ipaddress.ip_address(m.group(1))
        except ValueError:
            continue
        if not any(ip in n for n in DOC_NETS):
            errors.append(f"{c['id']}: non-documentation IP {ip}")
    for m in re.finditer(r"[a-z][a-z0-9+.-]*://(?:[^/@\s'\"]*@)?([A-Za-z0-9.-]+)", text):
        host = m.group(1).rstrip(".")
        if m.group(0).lower().startswith("s3://"):  # bucket name, not a host
            continue
        if not host or re.fullmatch(r"[\d.]+", host):
            continue
        if re.fullmatch(r"(0x[0-9a-f]+\.?)+", host, re.I):  # hex-obfuscated IPv4 (Sigma obfuscated IP)
            parts = [int(p, 16) for p in host.split(".")]
            ip = ipaddress.ip_address(parts[0]) if len(parts) == 1 else ipaddress.ip_address(".".join(map(str, parts)))
            if not any(ip in n for n in DOC_NETS):
                errors.append(f"{c['id']}: non-documentation hex IP {host}")
            continue
        if HOST_OK.search(host) or host in PUBLIC_ALLOW:
            continue
        errors.append(f"{c['id']}: host {host}")


def check(cmd, suffix, content):
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
        f.write(content)
        name = f.name
    try:
        r = subprocess.run(cmd + [name], capture_output=True, text=True, timeout=30)
        return r.returncode, (r.stdout + r.stderr).strip()
    finally:
        os.unlink(name)


try:
    import yaml
except ImportError:
    yaml = None

checked = {}
for c in cases:
    car, text = c["carrier"], c["content"]
    res = None
    if car in ("sh", "bash-cron", "python") and text.startswith("#!/bin/sh"):
        res = check(["bash", "-n"], ".sh", text)
    elif car in ("sh", "bash-cron") and text.startswith("#!") and "zsh" not in text.splitlines()[0]:
        res = check(["bash", "-n"], ".sh", text)
    elif car == "python":
        try:
            compile(text, c["path"], "exec")
            res = (0, "")
        except SyntaxError as e:
            res = (1, str(e))
    elif car in ("js", "node", "wsh-js") and shutil.which("node"):
        body = text[text.index("\n") + 1:] if text.startswith("#!") else text
        res = check(["node", "--check"], ".mjs" if c["path"].endswith(".mjs") else ".js", body)
    elif car == "package-json":
        try:
            json.loads(text)
            res = (0, "")
        except ValueError as e:
            res = (1, str(e))
    elif car == "yaml" and yaml is not None:
        try:
            yaml.safe_load(text)
            res = (0, "")
        except yaml.YAMLError as e:
            res = (1, str(e))
    if res is not None:
        checked[car] = checked.get(car, 0) + 1
        if res[0] != 0:
            errors.append(f"{c['id']}: syntax: {res[1][:300]}")

import difflib
prev = {}
for other in OTHERS:
    if os.path.exists(other):
        for oc in tomllib.load(open(other, "rb"))["case"]:
            prev.setdefault(oc["carrier"], []).append(oc)
sims = []
for c in cases:
    best = (0.0, None)
    for oc in prev.get(c["carrier"], []):
        sm = difflib.SequenceMatcher(None, c["content"], oc["content"], autojunk=False)
        if sm.real_quick_ratio() < best[0] or sm.quick_ratio() < best[0]:
            continue
        r = sm.ratio()
        if r > best[0]:
            best = (r, oc["id"])
    sims.append((best[0], c["id"], best[1]))
sims.sort(reverse=True)
print("highest similarity to an earlier case of the same carrier:")
for r, a, b in [s for s in sims if s[0] >= 0.6]:
    print(f"  {r:.2f} {a} ~ {b}")
print(len(cases), "cases;", "syntax-checked per carrier:", checked)
for w in warnings:
    print("WARN", w)
for e in errors:
    print("ERROR", e)
sys.exit(1 if errors else 0)
