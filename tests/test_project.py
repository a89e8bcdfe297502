"""The set-up files agree with each other, and every notebook is committed executed."""

import json
import os
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = sorted(project["dependencies"] + project["optional-dependencies"]["dev"])
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
    assert "pip install --no-deps -e ." in post_build.read_text()


def test_every_notebook_opens_with_badges_and_the_colab_install_and_ends_with_where_next():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first = "".join(cells[0]["source"])
        assert f"colab.research.google.com/github/clipedu/clipedu/blob/main/notebooks/{path.name}" in first, path.name
        assert f"mybinder.org/v2/gh/clipedu/clipedu/main?labpath=notebooks%2F{path.name}" in first, path.name
        assert 'find_spec("clipedu") is None' in "".join(cells[1]["source"]), f"{path.name}: no Colab install cell"
        assert "Where next" in "".join(cells[-1]["source"]), f"{path.name}: no 'where next' at the end"
