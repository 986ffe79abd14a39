#!/usr/bin/env python3
"""Checks the install snippets of editors/README.md.

Every ```toml and ```json block must parse (tomllib / json), and the blocks under known
headings must say what the clients really accept: the server command ends in `lsp`, VS Code
keys exist in the extension's package.json, settings sit under the `stablestack` key.

Usage: readme_snippets_test.py editors/README.md
Writes "ok - readme: ..." / "not ok - readme: ...: reason" lines to $EDITORS_RESULTS (or
stdout) and exits 1 if any check failed.
"""

import json
import os
import re
import sys
import tomllib
from pathlib import Path

FENCE = re.compile(r"^```(\w+)\s*$")


def blocks(text):
    """Yields (heading, language, body, line number) for each fenced block."""
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        m = FENCE.match(line)
        if m:
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            yield heading, m.group(1), "\n".join(body), start
        i += 1


def vscode_keys(manifest):
    return set(manifest["contributes"]["configuration"]["properties"])


def check_semantics(heading, lang, data, manifest):
    """Raises AssertionError when a known snippet names something the client rejects."""
    if heading == "VS Code" and lang == "json":
        unknown = set(data) - vscode_keys(manifest)
        assert not unknown, f"keys not in package.json: {sorted(unknown)}"
    elif heading == "Helix":
        server = data["language-server"]["stablestack"]
        assert server["command"] == "stablestack" and server["args"] == ["lsp"], server
        assert "stablestack" in server["config"], "config must nest settings under stablestack"
        names = {lang["name"] for lang in data["language"]}
        assert {"python", "javascript", "typescript", "tsx", "jsx"} <= names, names
        for entry in data["language"]:
            assert "stablestack" in entry["language-servers"], entry
    elif heading == "Zed":
        lsp = data["lsp"]["stablestack"]
        assert lsp["binary"]["arguments"] == ["lsp"], lsp
        assert "stablestack" in lsp["initialization_options"], lsp
        for name in ("Python", "JavaScript", "TypeScript", "TSX"):
            assert "stablestack" in data["languages"][name]["language_servers"], name
    elif heading.startswith("Sublime"):
        client = data["clients"]["stablestack"]
        assert client["command"] == ["stablestack", "lsp"], client
        for scope in ("source.python", "source.js", "source.ts", "source.tsx"):
            assert scope in client["selector"], scope
        assert "stablestack" in client["initializationOptions"], client
    elif lang == "json" and heading.startswith("StableStack in your editor"):
        settings = data["stablestack"]
        assert {"requests", "window", "severity", "rules"} <= set(settings), settings
        levels = {"error", "warning", "information", "hint"}
        assert set(settings["severity"].values()) <= levels, settings["severity"]


def main():
    readme = Path(sys.argv[1])
    manifest = json.loads((readme.parent / "vscode" / "package.json").read_text())
    out_path = os.environ.get("EDITORS_RESULTS")
    out = open(out_path, "a", encoding="utf-8") if out_path else sys.stdout
    failures = 0
    checked = 0
    for heading, lang, body, line in blocks(readme.read_text(encoding="utf-8")):
        if lang not in ("toml", "json"):
            continue
        checked += 1
        name = f"readme: {heading} {lang} snippet (line {line})"
        try:
            data = tomllib.loads(body) if lang == "toml" else json.loads(body)
            check_semantics(heading, lang, data, manifest)
        except Exception as err:  # noqa: BLE001 - every failure is reported the same way
            failures += 1
            reason = f"{type(err).__name__}: {err}".replace("\n", " | ")
            out.write(f"not ok - {name}: {reason}\n")
        else:
            out.write(f"ok - {name}\n")
    expected = {"toml": 1, "json": 4}
    for lang, n in expected.items():
        found = sum(1 for _, l, _, _ in blocks(readme.read_text(encoding="utf-8")) if l == lang)
        if found < n:
            failures += 1
            out.write(f"not ok - readme: expected at least {n} {lang} snippets, found {found}\n")
    if checked == 0:
        failures += 1
        out.write("not ok - readme: no snippets found\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
