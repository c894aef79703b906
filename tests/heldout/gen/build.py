#!/usr/bin/env python3
"""Regenerate ../commands.toml from the part_*.py case definitions."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CASES, dump
import part_sh, part_win, part_script, part_wsh, part_cfg  # noqa: F401  (register cases)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "commands.toml")
ids = [c["id"] for c in CASES]
paths = [c["path"] for c in CASES]
dup_ids = {i for i in ids if ids.count(i) > 1}
dup_paths = {p for p in paths if paths.count(p) > 1}
assert not dup_ids, dup_ids
assert not dup_paths, dup_paths
dump(out)
print(len(CASES), "cases written to", os.path.normpath(out))
