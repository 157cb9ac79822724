"""The README cannot rot: its Python blocks run, its shell commands run (outputs compared where it shows them),
its two commands are the ones CI runs, and every `--help` example runs."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ENV = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

TWO_COMMANDS = [
    "python -m pip install -e . && python scripts/build_gallery.py         # set up and build the gallery",
    "python -m pip install -e '.[test]' torch==2.13.0 && python -m pytest   # set up and run the tests",
]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    # `python` is this interpreter, whatever the PATH says.
    command = re.sub(r"(^|&& |\| )python ", lambda m: m.group(1) + shlex.quote(sys.executable) + " ", command)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")  # a notebook cell's last line
@pytest.mark.parametrize("code", blocks("python"), ids=lambda c: c.strip().splitlines()[0][:40])
def test_python_blocks_run(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    namespace: dict = {"__name__": "__readme__"}
    # A block may register a view or a format: the registries are left as they were for the other tests.
    from convanim.drawing.views import base
    from convanim.io import formats

    monkeypatch.setattr(base, "_REGISTRY", list(base._REGISTRY))
    monkeypatch.setattr(formats, "_FORMATS", dict(formats._FORMATS))
    monkeypatch.setattr(formats, "_ONE_FRAME", set(formats._ONE_FRAME))
    import matplotlib

    with contextlib.redirect_stdout(out), matplotlib.rc_context():  # a block's rcParams stay its own
        exec(compile(code, "README.md", "exec"), namespace)
    # What a comment says a print shows, it shows.
    for line in code.splitlines():
        m = re.match(r"print\((.*)\)\s+#\s*(.+?)(\s+--.*)?$", line)
        if m:
            assert m.group(2).strip() in out.getvalue(), (line, out.getvalue())
    if 'ca.render(spec.transpose(), "t.gif"' in code:
        assert Image.open(tmp_path / "t.gif").n_frames == 36
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", (tmp_path / "ps.pdf").read_bytes())) == 9


def test_the_two_commands_are_the_ones_ci_runs():
    two = [b for b in blocks("bash") if "build_gallery.py" in b]
    assert len(two) == 1 and two[0].strip().splitlines() == TWO_COMMANDS
    ci = (ROOT / ".ci" / "run").read_text()
    assert TWO_COMMANDS[1].split("#")[0].strip() in ci
    # The first command's build is run by tests/test_gallery.py (the same script, --out a temporary folder),
    # which also checks that it rebuilds the committed GIFs byte for byte.


def _shell_lines() -> list[str]:
    lines = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and "pip install" not in line:
                lines.append(line)
    return lines


@pytest.mark.parametrize("command", _shell_lines())
def test_shell_commands_run(command, tmp_path):
    r = shell(command, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "the command wrote nothing"


def _console_sessions() -> list[tuple[str, list[str]]]:
    sessions = []
    for block in blocks("console"):
        command, expected = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    sessions.append((command, expected))
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command is not None:
            sessions.append((command, expected))
    return sessions


def test_console_sessions_print_what_the_readme_shows(tmp_path):
    sessions = _console_sessions()
    assert len(sessions) >= 5
    for command, expected in sessions:
        r = shell(command, tmp_path)
        assert r.returncode == 0, (command, r.stderr)
        got = [re.sub(r" in \d+\.\d s$", " in S s", ln) for ln in r.stdout.splitlines()]
        want = [re.sub(r" in \d+\.\d s$", " in S s", ln) for ln in expected]
        assert got == want, command
    frames = sorted((tmp_path / "frames").glob("max_*.png"))
    assert [p.name for p in frames] == [f"max_{t:02d}.png" for t in range(9)]
    assert Image.open(tmp_path / "anim.gif").n_frames == 4
    assert Image.open(tmp_path / "rect.gif").n_frames == 3 * 4
    assert sorted(p.name for p in (tmp_path / "my_gallery" / "gif").iterdir()) == ["dilation.gif", "padding_strides.gif"]


@pytest.mark.slow  # a process per example
def test_every_help_example_runs(tmp_path):
    from convanim.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    examples = []
    for name in ("shape", "render"):
        epilog = subparsers[name].epilog or ""
        examples += [ln.strip() for ln in epilog.splitlines() if ln.strip().startswith("python -m convanim")]
    assert len(examples) >= 8
    for command in examples:
        r = shell(command, tmp_path)
        assert r.returncode == 0, (command, r.stderr)
    assert len(list(tmp_path.glob("f_*.png"))) == 9
