"""The set-up files agree with each other, and every notebook is committed executed."""

import ast
import importlib.metadata
import json
import os
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = sorted(set(project["dependencies"] + [r for name in ("notebook", "course", "lab", "dev")
                                                     for r in extras[name]]))
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = environment["dependencies"]
    pip_section = next(d["pip"] for d in conda if isinstance(d, dict) and "pip" in d)
    assert "python=" + project["requires-python"].removeprefix(">=") in conda
    assert sorted(r.replace(" ", "") for r in pip_section) == sorted(r.replace(" ", "") for r in wanted)


def test_every_notebook_is_committed_executed_top_to_bottom():
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        counts = [c["execution_count"] for c in cells]
        assert counts == list(range(1, len(cells) + 1)), f"{path.name}: re-run `make notebooks`"
        errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
        assert not errors, f"{path.name} holds an error output"
        text = path.read_text()
        assert "absl::InitializeLog" not in text and "cuda_platform" not in text, path.name


def test_binder_builds_the_environment_and_installs_clipedu():
    from packaging.requirements import Requirement

    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d)
    for requirement in pip_section:
        Requirement(requirement)  # raises on a line pip would reject
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "Binder runs postBuild only if it is executable"
    assert "pip install --no-deps .\n" in post_build.read_text()  # as users install it, not editable


def test_every_notebook_opens_with_badges_and_the_colab_install_and_ends_with_where_next():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first = "".join(cells[0]["source"])
        assert f"colab.research.google.com/github/clipedu/clipedu/blob/main/notebooks/{path.name}" in first, path.name
        assert f"mybinder.org/v2/gh/clipedu/clipedu/main?labpath=notebooks%2F{path.name}" in first, path.name
        assert 'find_spec("clipedu") is None' in "".join(cells[1]["source"]), f"{path.name}: no Colab install cell"
        assert "Where next" in "".join(cells[-1]["source"]), f"{path.name}: no 'where next' at the end"


def _imported_modules(paths):
    modules = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"clipedu"}


def test_every_imported_package_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = [project["dependencies"], *project["optional-dependencies"].values()]
    declared = {_name(r).replace("_", "-") for group in groups for r in group}
    sources = [p for folder in ("clipedu", "tests", "tools", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    distributions = importlib.metadata.packages_distributions()
    missing = {module: distributions.get(module, [module]) for module in _imported_modules(sources)
               if not any(d.lower().replace("_", "-") in declared for d in distributions.get(module, [module]))}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_pre_commit_hooks_run_what_make_test_runs():
    # make test runs ruff and the committed-executed check itself; the hooks must run the same commands
    # (running them here would run the suite twice).
    hooks = {hook["id"]: hook for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for hook in repo["hooks"]}
    assert hooks["ruff"]["entry"] == ".venv/bin/python -m ruff check"
    assert "$(PY) -m ruff check ." in (ROOT / "Makefile").read_text()
    entry = hooks["notebooks-executed"]["entry"].split()
    assert entry[:4] == [".venv/bin/python", "-m", "pytest", "tests/test_project.py"]
    selected = entry[entry.index("-k") + 1]
    assert selected in "test_every_notebook_is_committed_executed_top_to_bottom"
