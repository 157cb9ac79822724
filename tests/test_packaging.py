"""Packaging: the wheel carries the catalogue (so `convanim gallery` works from an install), the licence and the
project URLs; the sdist carries what its own tests need; the public API is typed for users."""
from __future__ import annotations

import os
import site
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked(*folders: str) -> set[str]:
    out = subprocess.run(["git", "ls-files", *folders], cwd=ROOT, capture_output=True, text=True)
    return set(out.stdout.split()) if out.returncode == 0 else set()


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    pytest.importorskip("build")
    if not (ROOT / ".git").exists():
        pytest.skip("builds distributions from a checkout")
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build needs no network; setuptools is what installed this convanim.
    r = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 and "setuptools" in r.stdout + r.stderr and "requirement" in (r.stdout + r.stderr).lower():
        pytest.skip("this setuptools is too old to build (needs >= 77)")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return next(out.glob("*.whl")), next(out.glob("*.tar.gz"))


def test_wheel_metadata_licence_and_catalogue(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
        assert z.read("convanim/gallery/cases.toml") == (ROOT / "gallery" / "cases.toml").read_bytes()
    assert "License-Expression: MIT" in meta and "License-File: LICENSE" in meta
    assert any(n.endswith("licenses/LICENSE") for n in names) and "convanim/py.typed" in names
    assert "Project-URL: Source, https://" in meta and "Project-URL: Issues, https://" in meta
    assert "Classifier: License" not in meta  # the SPDX expression replaces the licence classifier


def test_sdist_carries_what_its_tests_need(dist):
    _, sdist = dist
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    needed = _tracked("tests", "gallery", "scripts", "convanim") | {"LICENSE", "conftest.py", ".ci/run", "README.md"}
    assert needed and not (needed - names), sorted(needed - names)
    assert not [n for n in names if n.startswith(("gallery/pdf/", "gallery/png/")) or n.endswith(".tmp")]


def _site_packages_of_this_interpreter() -> list[str]:
    """Where this interpreter finds its packages: a virtualenv's own site-packages (and the base ones only if
    that virtualenv sees them), then the user's, in the order ``site`` put them on ``sys.path``."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if os.path.isdir(d)]


def test_gallery_from_an_installed_wheel(dist, tmp_path):
    wheel, _ = dist
    env_dir = tmp_path / "venv"
    # A venv made from inside a virtualenv is based on the *base* interpreter: `system_site_packages` would give
    # it the base's packages, not the ones this virtualenv installed. So the child gets its own empty
    # site-packages, and a .pth file that appends this interpreter's package folders after it (a .pth line
    # is a plain path: the .pth files inside those folders, the checkout's editable hook among them, are not run).
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_convanim_test_parent.pth").write_text("\n".join(_site_packages_of_this_interpreter()) + "\n")
    # --ignore-installed: the convanim this interpreter has (an editable one, often) must not count as installed.
    r = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
                        str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    assert (env_dir / "bin" / "convanim").exists(), "pip did not install the wheel's console script"
    r = subprocess.run([str(env_dir / "bin" / "convanim"), "gallery", "--out", "out", "-j", "2", "dilation", "kernel"],
                       cwd=work, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "gallery: 2 built, 0 up to date, 0 failed" in r.stdout
    where = subprocess.run([str(python), "-c", "import convanim; print(convanim.__file__)"], cwd=work,
                           capture_output=True, text=True, env=env).stdout
    assert str(env_dir) in where  # the installed copy, not the checkout nor this interpreter's convanim
    assert sorted(p.name for p in (work / "out" / "gif").iterdir()) == ["dilation.gif", "kernel.gif"]
    assert (work / "out" / "gif" / "dilation.gif").read_bytes() == (ROOT / "gallery" / "gif" / "dilation.gif").read_bytes()


def test_public_api_is_typed_for_users(tmp_path):
    pytest.importorskip("mypy")
    from mypy import api

    user = tmp_path / "user.py"
    user.write_text("import convanim as ca\n"
                    "reveal_type(ca.render)\nreveal_type(ca.figure)\nreveal_type(ca.animation)\nreveal_type(ca.draw)\n"
                    "path: int = ca.render(ca.Conv(5, 3), 'x.gif')\n")
    out, _, _ = api.run([str(user), "--follow-imports=silent", "--ignore-missing-imports", "--no-incremental",
                         "--config-file", os.devnull])
    lines = [ln for ln in out.splitlines() if ln.startswith(str(user))]
    revealed = [ln for ln in lines if "Revealed type" in ln]
    assert len(revealed) == 4 and not any('"Any"' in ln for ln in revealed), lines
    assert "-> pathlib.Path" in revealed[0] and "-> matplotlib.figure.Figure" in revealed[1]
    assert "ConvAnimation" in revealed[2]
    # a wrong use is caught: render returns a Path, not an int
    assert any("Incompatible types in assignment" in ln for ln in lines), lines


def test_every_lazy_name_is_public():
    import convanim

    assert set(convanim._LAZY) <= set(convanim.__all__)
    assert all(getattr(convanim, name) is not None for name in convanim.__all__)
