#!/usr/bin/env python3
"""Mined corpus: every download/upload command line of the public sources the
held-out sets are drawn from, placed in the carriers where it would live in a
container image, scanned by the stowaway binary; prints the misses.

Sources (local git snapshots, read with `git show`, never executed):
  - Atomic Red Team: every test of atomics/T1105, and the tests of the T1059.*,
    T1197, T1218.*, T1140, T1204.*, T1570, T1071.*, T1048.*, T1567.* files whose
    command reaches a remote endpoint (a URL, a UNC path, a url-typed input);
  - LOLBAS: every Command of category Download or Upload, plus every other
    Command that names a {REMOTEURL} or {PATH_SMB} (remote execution reads a
    remote file too; reported as its own group);
  - GTFOBins: every download and upload snippet.

The mined text is never edited to make it pass: placeholders are filled
(ART #{inputs} from their defaults, URLs moved to TEST-NET hosts, LOLBAS
{REMOTEURL}/{PATH}/{PATH_SMB}, GTFOBins attacker.com) and nothing else.
A case is detected when the scan reports a finding >= medium on its path
(the same rule as tests/commands.rs).

    tests/commands/mine/mine.py [--bin target/release/stowaway] [--keep DIR] [-v]
"""

import argparse
import base64
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

MIRROR = "/work/.mirror"
ART = f"{MIRROR}/redcanaryco+atomic-red-team/repo"
LOLBAS = f"{MIRROR}/LOLBAS-Project+LOLBAS/repo"
GTFO = f"{MIRROR}/GTFOBins+GTFOBins.github.io/repo"

REMOTE_URL = "http://198.51.100.23"
REMOTE_HOST = "203.0.113.9"
ART_FILES = re.compile(
    r"^atomics/T1(105|059(\.\d+)?|197|218(\.\d+)?|140|204\.\d+|570|071(\.\d+)?|048(\.\d+)?|567\.\d+)/T[^/]*\.yaml$"
)
SEVERE = {"medium", "high", "critical"}


def git_files(repo):
    out = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout
    return out.split("\n")


def git_show(repo, path):
    return subprocess.run(
        ["git", "-C", repo, "show", f"HEAD:{path}"],
        capture_output=True, text=True, check=True,
    ).stdout


def to_testnet(text):
    """Every non-loopback URL host becomes a TEST-NET address (path kept)."""
    def host(m):
        h = m.group(2)
        if re.match(r"(localhost|127\.|\[::1\])", h):
            return m.group(0)
        return f"{m.group(1)}://198.51.100.23"
    return re.sub(r"\b(https?|ftp|tftp|smb)://([^/\s'\"`)]+)", host, text)


# ---------------------------------------------------------------- ART

def art_value(name, spec):
    default = str(spec.get("default", ""))
    typ = str(spec.get("type", "")).lower()
    default = default.replace("PathToAtomicsFolder", "/opt/atomics")
    default = default.replace("$PathToAtomicsFolder", "/opt/atomics")
    if typ == "url" or "://" in default:
        if "://" in default:
            return to_testnet(default)
        return f"{REMOTE_URL}/{default.rsplit('/', 1)[-1] or 'payload'}"
    if re.search(r"host|server|domain|remote_ip|^ip$|_ip$|address", name.lower()) and "/" not in default and "\\" not in default:
        return REMOTE_HOST
    return default


def art_fill(command, inputs):
    for name, spec in (inputs or {}).items():
        command = command.replace("#{" + name + "}", art_value(name, spec or {}))
    return to_testnet(command)


def reaches_remote(text, inputs):
    if any(str((s or {}).get("type", "")).lower() == "url" for s in (inputs or {}).values()):
        return True
    if re.search(r"\b(https?|ftp|tftp)://(?!(localhost|127\.))", text):
        return True
    return "\\\\" + REMOTE_HOST in text or "198.51.100.23" in text


def art_cases():
    for f in git_files(ART):
        if not ART_FILES.match(f):
            continue
        doc = yaml.safe_load(git_show(ART, f))
        tech = doc.get("attack_technique")
        for i, t in enumerate(doc.get("atomic_tests") or []):
            ex = t.get("executor") or {}
            kind = ex.get("name")
            raw = ex.get("command")
            if kind not in ("sh", "bash", "command_prompt", "powershell") or not raw:
                continue
            inputs = t.get("input_arguments")
            cmd = art_fill(raw, inputs)
            if tech != "T1105" and not reaches_remote(raw + cmd, inputs):
                continue
            lang = {"sh": "sh", "bash": "sh", "command_prompt": "cmd", "powershell": "ps"}[kind]
            group = "art-T1105" if tech == "T1105" else "art-other"
            yield group, f"art-{tech}-{i + 1}", f"ART {tech} #{i + 1} {t.get('name')}", lang, cmd


# ---------------------------------------------------------------- LOLBAS

def lolbas_fill(cmd):
    def sub(m):
        kind, _, ext = m.group(1).partition(":")
        ext = ext or ""
        if kind == "REMOTEURL":
            return f"{REMOTE_URL}/payload{ext or '.exe'}"
        if kind == "PATH_SMB":
            return f"\\\\{REMOTE_HOST}\\share\\payload{ext or '.exe'}"
        if kind == "PATH_ABSOLUTE":
            return f"C:\\Users\\Public\\payload{ext or '.exe'}"
        if kind == "PATH":
            return f"payload{ext or '.exe'}"
        return m.group(0)
    return re.sub(r"\{([A-Z_]+(?::[^}]*)?)\}", sub, cmd)


def lolbas_cases():
    for f in git_files(LOLBAS):
        if not (f.startswith("yml/") and f.endswith(".yml")):
            continue
        doc = yaml.safe_load(git_show(LOLBAS, f))
        name = os.path.basename(f)[:-4]
        for i, c in enumerate(doc.get("Commands") or []):
            cmd = c.get("Command") or ""
            cat = c.get("Category")
            if cat in ("Download", "Upload"):
                group = "lolbas-transfer"
            elif "{REMOTEURL" in cmd or "{PATH_SMB" in cmd:
                group = "lolbas-remote-exec"
            else:
                continue
            yield group, f"lolbas-{name}-{i + 1}", f"LOLBAS {name} #{i + 1} ({cat})", "cmd", lolbas_fill(cmd)


# ---------------------------------------------------------------- GTFOBins

def gtfo_cases():
    for f in git_files(GTFO):
        if not f.startswith("_gtfobins/"):
            continue
        text = git_show(GTFO, f)
        try:
            doc = next(yaml.safe_load_all(text))
        except (yaml.YAMLError, StopIteration):
            continue
        fns = (doc or {}).get("functions") or {}
        name = os.path.basename(f)
        for fn in ("download", "upload"):
            for i, e in enumerate(fns.get(fn) or []):
                code = e.get("code") or ""
                code = code.replace("attacker.com", "198.51.100.23")
                yield f"gtfo-{fn}", f"gtfo-{name}-{fn}-{i + 1}", f"GTFOBins {name} {fn} #{i + 1}", "sh", code


# ---------------------------------------------------------------- carriers

def ps_encoded(cmd):
    return base64.b64encode(cmd.encode("utf-16-le")).decode()


def carriers(cid, lang, cmd):
    """(carrier, path, mode, content) for each carrier the command would live in."""
    cmd = cmd.rstrip("\n")
    one_line = "\n" not in cmd
    if lang == "sh":
        yield "sh", f"/usr/local/bin/{cid}", 0o755, f"#!/bin/sh\n{cmd}\n"
        if one_line:
            yield "cron", f"/etc/cron.d/{cid}", 0o644, f"*/10 * * * * root {cmd}\n"
            yield "dockerfile", f"/src/{cid}/Dockerfile", 0o644, f"FROM debian:12\nRUN {cmd}\n"
    elif lang == "cmd":
        yield "batch", f"/opt/win/mined/{cid}.bat", 0o644, f"@echo off\r\n{cmd}\r\n"
        if one_line:
            yield "powershell", f"/opt/win/mined/{cid}.ps1", 0o644, f"{cmd}\n"
    elif lang == "ps":
        yield "powershell", f"/opt/win/mined/{cid}.ps1", 0o644, f"{cmd}\n"
        yield "batch-encoded", f"/opt/win/mined/{cid}-enc.bat", 0o644, (
            f"@echo off\r\npowershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand {ps_encoded(cmd)}\r\n"
        )


def collect():
    cases = []
    seen = set()
    for gen in (art_cases, lolbas_cases, gtfo_cases):
        for group, cid, source, lang, cmd in gen():
            cid = re.sub(r"[^A-Za-z0-9._-]", "_", cid)
            for carrier, path, mode, content in carriers(cid, lang, cmd):
                if path in seen:
                    continue
                seen.add(path)
                cases.append(dict(group=group, id=cid, source=source, path=path,
                                  mode=mode, content=content, carrier=carrier))
    return cases


def scan(binary, root):
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(root, ".xdg"))
    out = subprocess.run(
        [binary, "scan", f"rootfs:{root}/tree", "--no-cache", "--format", "json"],
        capture_output=True, text=True, env=env,
    )
    doc = json.loads(out.stdout)
    hit = set()
    for f in doc["findings"]:
        if f.get("severity") in SEVERE and f.get("path"):
            hit.add(f["path"])
    return hit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/stowaway")
    ap.add_argument("--keep", help="write the tree here and keep it")
    ap.add_argument("-v", action="store_true", help="print each missed file's content")
    args = ap.parse_args()
    cases = collect()
    root = args.keep or tempfile.mkdtemp(prefix="stowaway-mined-")
    try:
        for c in cases:
            p = os.path.join(root, "tree", c["path"].lstrip("/"))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", newline="") as fh:
                fh.write(c["content"])
            os.chmod(p, c["mode"])
        hit = scan(args.bin, root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    by_group = collections.defaultdict(lambda: [0, 0])
    by_carrier = collections.defaultdict(lambda: [0, 0])
    misses = []
    for c in cases:
        ok = c["path"] in hit
        for d, k in ((by_group, c["group"]), (by_carrier, c["carrier"])):
            d[k][0] += ok
            d[k][1] += 1
        if not ok:
            misses.append(c)
    for c in misses:
        print(f"MISS {c['path']}  [{c['source']}]")
        if args.v:
            print("    " + c["content"].rstrip("\n").replace("\n", "\n    "))
    total = sum(v[1] for v in by_group.values())
    found = sum(v[0] for v in by_group.values())
    for name, d in (("group", by_group), ("carrier", by_carrier)):
        for k in sorted(d):
            print(f"{name} {k}: {d[k][0]}/{d[k][1]}")
    print(f"mined corpus: {found}/{total} detected ({100.0 * found / max(total, 1):.1f}%), {total - found} misses")


if __name__ == "__main__":
    sys.exit(main())
