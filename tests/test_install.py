"""clipedu as its users install it: a wheel built from a clean export of the repository, installed
(not editable) into a fresh environment outside it, runs the notebooks copied elsewhere, as Colab and
Binder run them."""

import ast
import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a wheel build and a fresh environment: `make test-slow`

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the wheel, the fresh environment's python, a folder holding a copy of notebooks/)."""
    tmp = tmp_path_factory.mktemp("install")
    export = tmp / "export"
    files = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT).stdout
    for name in filter(None, files.split("\0")):
        if (ROOT / name).is_file():
            (export / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, export / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(tmp / "dist"),
          str(export)])
    (wheel,) = (tmp / "dist").glob("clipedu-*.whl")
    # A fresh environment whose only clipedu is the wheel; its dependencies are this one's packages,
    # reached by a path (.pth) so that this environment's editable clipedu stays out of it.
    _run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "env")])
    python = tmp / "env" / "bin" / "python"
    fresh = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (fresh / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)])
    copied = tmp / "course"
    shutil.copytree(ROOT / "notebooks", copied)
    return wheel, python, copied


def test_the_wheel_holds_every_module_of_the_source_tree(installed):
    wheel, _, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith("clipedu/")}
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "clipedu").rglob("*.py")}
    assert modules - packed == set()
    assert "clipedu/notebook/demos/base.py" in packed


def _imports(notebook):
    """Every import statement of a notebook's code cells, as source lines."""
    lines = []
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        # An IPython magic (the Colab install) becomes a statement that parses.
        source = "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith("%") else line
                           for line in "".join(cell["source"]).splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.append(ast.unparse(node))
    return lines


def test_every_import_of_every_notebook_finds_its_module_in_the_installed_wheel(installed):
    _, python, copied = installed
    imports = {notebook.name: _imports(notebook) for notebook in NOTEBOOKS}
    assert all(any("clipedu" in line for line in lines) for lines in imports.values())
    # One process for all notebooks (TensorFlow is imported once); each notebook's imports run on their own.
    script = (f"import json, traceback\nfailed = {{}}\nfor name, lines in {imports!r}.items():\n"
              "    try:\n        exec('\\n'.join(lines), {})\n"
              "    except Exception:\n        failed[name] = traceback.format_exc(limit=1)\n"
              "import clipedu\nprint(json.dumps([failed, clipedu.__file__]))")
    failed, where = json.loads(_run([str(python), "-c", script], cwd=copied).stdout.splitlines()[-1])
    assert failed == {}
    assert Path(where).is_relative_to(python.parent.parent), where  # the wheel's copy, not the source tree


def test_a_whole_notebook_runs_and_compares_from_the_installed_wheel(installed):
    _, python, copied = installed
    result = _run([str(python), "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "-q",
                   "--rootdir", str(copied), str(copied / "00_start_here.ipynb")], cwd=copied)
    assert " passed" in result.stdout and "failed" not in result.stdout
