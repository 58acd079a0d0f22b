"""The README's quick start stays two pasteable commands, and CI runs the second one."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_blocks():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    return re.findall(r"```\n(.*?)```", section, flags=re.S)[:2]


def test_quick_start_is_two_one_line_commands():
    start, test = quick_start_blocks()
    assert start.count("\n") == 1 and test.count("\n") == 1
    assert start.startswith("python3 -m venv .venv && ")
    for step in ("pip install", "flask --app codesign init", "flask --app codesign demo",
                 "flask --app codesign run"):
        assert step in start
    assert "pip install -q -e '.[test]'" in test and test.strip().endswith("python -m pytest -n auto")  # (xdist: a process per core)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "README.md" in ci and "CODESIGN_TEST_DATABASE_URL" in ci and "CODESIGN_REQUIRE_BROWSER=1" in ci
