#!/usr/bin/env python3
"""Regenerate ../commands.toml from the part_*.py case definitions and print counts."""
import collections
import os
import re
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CASES, dump  # noqa: E402
import part_unix, part_cfg, part_win, part_lang  # noqa: F401,E402  (register cases)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "commands.toml")
ids = [c["id"] for c in CASES]
paths = [c["path"] for c in CASES]
dup_ids = {i for i in ids if ids.count(i) > 1}
dup_paths = {p for p in paths if paths.count(p) > 1}
assert not dup_ids, dup_ids
assert not dup_paths, dup_paths
for c in CASES:
    assert c["path"].startswith("/"), c["id"]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c["id"]), c["id"]
dump(out)
with open(out, "rb") as f:
    data = tomllib.load(f)
assert len(data["case"]) == len(CASES)
for a, b in zip(data["case"], CASES):
    assert a["content"] == b["content"], a["id"]
    assert a["executable"] == b["executable"], a["id"]
cnt = collections.Counter((c["carrier"], c["expect"]) for c in CASES)
print(len(CASES), "cases written to", os.path.normpath(out))
for car in sorted({c["carrier"] for c in CASES}):
    print(f"  {car:13s} detect={cnt[(car, 'detect')]:3d} silent={cnt[(car, 'silent')]:3d}")
print("  total detect", sum(v for (k, e), v in cnt.items() if e == "detect"),
      "silent", sum(v for (k, e), v in cnt.items() if e == "silent"))
