"""The files the repository generates from its sources: how each is made, and rewriting them.

    make docs     # docs/rules.md, from rules/
    make golden   # tests/golden/*.json, the reports of examples/
    make readme   # the outputs shown in README.md (its `$ .venv/bin/preflight ...` and `$ curl ... | jq`
                  # transcripts, replayed; a transcript with any other command is left as written)

(each is ``python -m tests.regenerate TARGET``). The tests compare every such file with what is
made here and, when one is stale, fail naming the make target, with a short diff.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
#: The examples with golden reports (tests/golden/<stem>.<lang>.json), in both languages.
GOLDEN_EXAMPLES = ("ready.json", "blocked.yaml", "audit-office.json", "invalid.json", "not-json.txt")
LANGS = ("nl", "en")
#: Lines of diff shown when a file is stale (the make target rewrites it whole).
DIFF_LINES = 40


def rules_doc() -> dict[Path, str]:
    """docs/rules.md: `preflight rules --format markdown`."""
    from preflight.rule_docs import rules_markdown
    from preflight.rulebook import default_rulebook

    return {ROOT / "docs" / "rules.md": rules_markdown(default_rulebook())}


def golden_path(example: str, lang: str) -> Path:
    return GOLDEN / f"{example.rsplit('.', 1)[0]}.{lang}.json"


def golden_reports() -> dict[Path, str]:
    """tests/golden/*.json: what `preflight check examples/X --format json --lang L` prints (default engine)."""
    from .in_process import run_cli

    return {
        golden_path(example, lang): run_cli("check", f"examples/{example}", "--format", "json", "--lang", lang).stdout
        for example in GOLDEN_EXAMPLES
        for lang in LANGS
    }


def readme() -> dict[Path, str]:
    """README.md with the output of every `$ ...` transcript replaced by what the commands print now."""
    path = ROOT / "README.md"
    return {path: replay_transcripts(path.read_text(encoding="utf-8"))}


TARGETS: dict[str, Callable[[], dict[Path, str]]] = {"docs": rules_doc, "golden": golden_reports, "readme": readme}


# --- README transcripts ------------------------------------------------------------------------

#: The moment the README's audits run (2026-11-20 06:00 in Amsterdam), for reproducible dates.
README_EPOCH = "1795154400"

#: A fenced block whose first line is a shell prompt: a transcript of commands and their output.
_TRANSCRIPT = re.compile(r"^```(?:console|text)\n(\$ .*?)^```$", re.S | re.M)


def replay_transcripts(text: str) -> str:
    """Run each transcript's commands in a scratch folder (with examples/ in it) and put their output back."""
    return _TRANSCRIPT.sub(lambda m: m.group(0).replace(m.group(1), _replay(m.group(1))), text)


def _replayable(words: list[str]) -> bool:
    return words[:1] == [".venv/bin/preflight"] or words == ["echo", "$?"] or (words[:1] == ["curl"] and "|" in words)


def _replay(transcript: str) -> str:
    commands = _commands(transcript)
    if not all(_replayable(words) for _, words in commands):
        return transcript  # e.g. `make run` while the port is taken: shown, not replayed here
    out: list[str] = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="preflight-readme-") as scratch:
        os.symlink(ROOT / "examples", Path(scratch) / "examples")
        for shown, words in commands:
            out.append(shown)
            if words == ["echo", "$?"]:
                printed = f"{status}\n"
            else:
                status, printed = _run(words, Path(scratch))
            out.append(printed)
    return "".join(out)


def _commands(transcript: str) -> list[tuple[str, list[str]]]:
    """(the command as shown, its words) for each `$ ` line and its `\\` continuation lines."""
    commands: list[tuple[str, list[str]]] = []
    lines = transcript.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            continue  # output: replaced by what the command prints now
        shown = line
        while shown.rstrip("\n").endswith("\\") and index < len(lines):
            shown += lines[index]
            index += 1
        commands.append((shown, shlex.split(shown[2:].replace("\\\n", " "))))
    return commands


def _run(words: list[str], cwd: Path) -> tuple[int, str]:
    """Run one transcript command: `.venv/bin/preflight ...` in-process, or the README's curl | jq."""
    if words[0] == ".venv/bin/preflight":
        return _preflight(words[1:], cwd)
    return _curl_jq(words, cwd)


def _preflight(args: list[str], cwd: Path) -> tuple[int, str]:
    from .in_process import run_cli

    # An audit's run date is part of its output (and of a baseline compared later): a fixed one,
    # as SOURCE_DATE_EPOCH sets it, keeps the README's transcripts reproducible.
    result = run_cli(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": README_EPOCH})
    return result.status, result.stdout


def _curl_jq(words: list[str], cwd: Path) -> tuple[int, str]:
    """`curl -s -H 'Content-Type: T' --data-binary @FILE 'URL' | jq -c '[.a, .b]'`, through the app's test client."""
    from urllib.parse import urlsplit

    from preflight.web import create_app

    curl, jq = words[: words.index("|")], words[words.index("|") + 1:]
    content_type = curl[curl.index("-H") + 1].split(":", 1)[1].strip()
    body = (cwd / curl[curl.index("--data-binary") + 1].removeprefix("@")).read_bytes()
    url = urlsplit(curl[-1])
    fields = re.fullmatch(r"\[((?:\.\w+, )*\.\w+)\]", jq[-1]) if jq[:2] == ["jq", "-c"] else None
    if fields is None:
        raise ValueError(f"README: cannot replay {shlex.join(jq)!r} (only jq -c '[.a, .b]')")
    response = create_app({"TESTING": True}).test_client().post(
        url.path, query_string=url.query, data=body, content_type=content_type
    )
    answer = response.get_json()
    picked = [answer[name.strip().removeprefix(".")] for name in fields.group(1).split(",")]
    return 0, json.dumps(picked, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- checking and writing ----------------------------------------------------------------------


def stale(target: str) -> list[str]:
    """One message per file of ``target`` that differs from what would be generated now."""
    messages = []
    for path, expected in TARGETS[target]().items():
        actual = path.read_text(encoding="utf-8") if path.exists() else ""
        if actual != expected:
            messages.append(stale_message(path, actual, expected, target))
    return messages


def stale_message(path: Path, actual: str, expected: str, target: str) -> str:
    """'FILE is stale: run `make TARGET`', then the first lines of a unified diff (file → generated)."""
    name = path.relative_to(ROOT).as_posix()
    diff = list(difflib.unified_diff(actual.splitlines(), expected.splitlines(), f"{name} (in the repository)",
                                     f"{name} (generated now)", n=1, lineterm=""))
    shown = diff[:DIFF_LINES] + ([f"… {len(diff) - DIFF_LINES} more diff lines"] if len(diff) > DIFF_LINES else [])
    return "\n".join([f"{name} is stale: run `make {target}` to rewrite it, and review the diff:", *shown])


def write(target: str) -> list[Path]:
    """Rewrite the files of ``target`` that changed; returns them."""
    changed = []
    for path, expected in TARGETS[target]().items():
        if not path.exists() or path.read_text(encoding="utf-8") != expected:
            path.write_text(expected, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    os.environ.setdefault("PREFLIGHT_LOG_LEVEL", "warning")  # the replayed API call's request log line
    if not argv or any(target not in TARGETS for target in argv):
        print(f"usage: python -m tests.regenerate {'|'.join(TARGETS)}…", file=sys.stderr)
        return 2
    for target in argv:
        changed = write(target)
        for path in changed:
            print(f"make {target}: rewrote {path.relative_to(ROOT).as_posix()}")
        if not changed:
            print(f"make {target}: nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
