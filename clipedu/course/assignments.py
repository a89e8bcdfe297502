"""Graded assignments: otter-grader master notebooks built into what students get and what grades them.

    python -m clipedu.course.assignments [--source assignments] [--out build/assignments] [NAME ...]

Each master notebook ``<source>/<name>.ipynb`` (otter-assign format: questions, solutions, public and
hidden tests, rubrics) becomes

- ``<out>/<name>/student/<name>.ipynb``: the questions, with public checks that say what they
  check (``clipedu.course.public_checks``); no solutions, no hidden tests, no rubric;
- ``<out>/<name>/autograder/<name>-autograder.zip``: otter's autograder for Gradescope or for
  ``python -m clipedu.course.grade``, holding the hidden tests, a wheel of clipedu (the grading
  environment's copy, which the plugins of ``clipedu.course.autograding`` come from) and
  ``questions.json`` (each question's points, and whether it is graded by hand);
- ``<out>/<name>/autograder/<name>.ipynb``: the solutions and rubrics, for the instructor.

``otter assign`` runs the solutions against every test before it writes the zip: a reference value
that the solution does not reproduce stops the build. Run it from the project's root (the folder of
pyproject.toml): the wheel is built from there.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CONFIG = "# ASSIGNMENT CONFIG"
QUESTION = "# BEGIN QUESTION"
CHECK_CELL = re.compile(r"""^grader\.check\(\s*["'](\w+)["']\s*\)\s*$""")
INIT_IMPORT = "from clipedu.course.public_checks import public_check"
QUESTIONS_FILE = "questions.json"


def _yaml(cell, header):
    import yaml

    return yaml.safe_load(cell.source.split(header, 1)[1]) or {}


def questions(master):
    """``{name: {"points": p, "manual": bool}}`` for every question of a master notebook, in order."""
    found = {}
    for cell in master.cells:
        if cell.cell_type == "raw" and cell.source.lstrip().startswith(QUESTION):
            config = _yaml(cell, QUESTION)
            if not isinstance(config.get("points"), (int, float)):
                raise ValueError(f"question {config.get('name')!r} must set its points")
            found[config["name"]] = {"points": config["points"], "manual": bool(config.get("manual", False))}
    return found


def build_wheel(project, folder):
    """Builds clipedu's wheel from ``project`` (the package and pyproject.toml only) into ``folder``."""
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp, "clipedu")
        shutil.copytree(Path(project, "clipedu"), export / "clipedu",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(Path(project, name), export / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                        "-w", str(folder), str(export)], check=True)
    (wheel,) = Path(folder).glob("clipedu-*.whl")
    return wheel


def _with_packaging(master, wheel):
    """The master, its config extended with what Gradescope's grading environment needs: clipedu's wheel."""
    import yaml

    for cell in master.cells:
        if cell.cell_type == "raw" and cell.source.lstrip().startswith(CONFIG):
            config = _yaml(cell, CONFIG)
            config["autograder_files"] = [*config.get("autograder_files", []), wheel.name, QUESTIONS_FILE]
            config["requirements"] = [*config.get("requirements", []), f"/autograder/source/files/{wheel.name}"]
            cell.source = CONFIG + "\n" + yaml.safe_dump(config, sort_keys=False)
            return master
    raise ValueError("the master notebook has no '# ASSIGNMENT CONFIG' cell")


def _public_checks(path):
    """Rewrites otter's check cells to ``public_check``, which never says "all tests passed"."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith("# Initialize Otter") and INIT_IMPORT not in cell.source:
            cell.source += "\n" + INIT_IMPORT
        match = CHECK_CELL.match(cell.source.strip())
        if match:
            cell.source = f'public_check(grader, "{match[1]}")'
    nbformat.write(notebook, path)


def _check_tests(zip_path, expected):
    """Every autograded question has public and hidden tests worth its points, which take named answers."""
    from clipedu.course.autograding import GradedTestFile, test_arguments

    with zipfile.ZipFile(zip_path) as archive:
        tests = [GradedTestFile.from_string(archive.read(n).decode(), path=n)
                 for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py")]
    graded = {q for q, info in expected.items() if not info["manual"]}
    if {t.name for t in tests} != graded:
        raise ValueError(f"tests for {sorted(t.name for t in tests)}, autograded questions {sorted(graded)}")
    for test in tests:
        test_arguments(test)
        hidden = [case for case in test.test_cases if case.hidden]
        if not hidden or len(hidden) == len(test.test_cases):
            raise ValueError(f"{test.name} needs public and hidden test cases")
        if sum(case.points for case in hidden) != expected[test.name]["points"]:
            raise ValueError(f"{test.name}: its hidden tests are not worth the question's points")


def build(master_path, out, wheel):
    """Builds one assignment into ``out/<name>/{student,autograder}``; returns that folder and its questions."""
    import nbformat

    master_path = Path(master_path)
    name = master_path.stem
    master = nbformat.read(master_path, as_version=4)
    asked = questions(master)
    target = Path(out, name)
    shutil.rmtree(target, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(wheel, Path(tmp, wheel.name))
        Path(tmp, QUESTIONS_FILE).write_text(json.dumps(asked, indent=1) + "\n")
        nbformat.write(_with_packaging(master, wheel), Path(tmp, master_path.name))
        result = subprocess.run([sys.executable, "-m", "otter", "assign", master_path.name, str(target.resolve())],
                                cwd=tmp, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"otter assign {master_path} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    (zip_path,) = (target / "autograder").glob(f"{name}-autograder_*.zip")
    zip_path = zip_path.rename(target / "autograder" / f"{name}-autograder.zip")
    _check_tests(zip_path, asked)
    for notebook in (target / "student" / f"{name}.ipynb", target / "autograder" / f"{name}.ipynb"):
        _public_checks(notebook)
    return target, asked


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m clipedu.course.assignments", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="assignments to build (default: every master notebook)")
    parser.add_argument("--source", default="assignments", help="folder of master notebooks")
    parser.add_argument("--out", default="build/assignments", help="output folder")
    parser.add_argument("--project", default=".", help="the project's root, from which clipedu's wheel is built")
    args = parser.parse_args(argv)
    masters = sorted(Path(args.source).glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        masters = [m for m in masters if m.stem in args.names]
        if len(masters) != len(args.names):
            parser.error(f"no master notebook in {args.source} for some of {args.names}")
    if not masters:
        parser.error(f"no master notebooks NN_name.ipynb in {args.source}")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(args.project, tmp)
        for master in masters:
            start = time.monotonic()
            target, asked = build(master, args.out, wheel)
            auto = sum(q["points"] for q in asked.values() if not q["manual"])
            manual = sum(q["points"] for q in asked.values() if q["manual"])
            print(f"{target}: {len(asked)} questions, {auto} points autograded, {manual} by hand "
                  f"({time.monotonic() - start:.0f} s)")
            for kind in ("student", "autograder"):
                for path in sorted((target / kind).iterdir()):
                    print(f"  {path}")


if __name__ == "__main__":
    main()
