"""The package's three layers: the core needs Keras and numpy only, and no import changes the process."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clipedu"
CORE = sorted(p for p in PACKAGE.glob("*.py"))
NOTEBOOK_PACKAGES = {"ipywidgets", "IPython", "matplotlib", "PIL", "tqdm"}
COURSE_PACKAGES = {"nbclient", "nbformat", "jupyter_client", "traitlets", "ipykernel", "otter"}


def _imports(path):
    """(module, names) for every import in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={k: v for k, v in os.environ.items() if not k.startswith("TF_")})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("module", ["clipedu", "clipedu.dirac", "clipedu.gradients", "clipedu.datasets",
                                    "clipedu.checks", "clipedu.measures", "clipedu.gradlog", "clipedu.notebook",
                                    "clipedu.course"])
def test_importing_leaves_tensorflow_out_and_the_environment_as_it_was(module):
    loaded = _run(f"import json, os, sys; before = dict(os.environ); import {module}; "
                  "print(json.dumps([sorted(m for m in ('tensorflow', 'keras') if m in sys.modules), "
                  "dict(os.environ) == before]))")
    assert loaded == [[], True]


def test_numpy_clipping_functions_run_without_tensorflow():
    loaded = _run("import json, sys; from clipedu import gradients; "
                  "g = gradients.clip_by_value([0.1, 3.0], 0.5); "
                  "print(json.dumps([g[0].tolist(), 'tensorflow' in sys.modules]))")
    assert loaded == [[0.1, 0.5], False]


def test_every_public_name_of_clipedu_resolves_to_what_its_module_defines():
    import clipedu

    for name in clipedu.__all__:
        value = getattr(clipedu, name)
        module = getattr(value, "__module__", None) or value.__name__
        assert module.startswith("clipedu."), (name, module)
    with pytest.raises(AttributeError, match="no attribute 'plots'"):
        clipedu.plots  # noqa: B018


# The one exception: gradlog's command line draws its figure (--figure) with the notebook layer, which it
# imports inside main() only then; importing clipedu.gradlog loads no matplotlib (tests/test_gradlog.py).
COMMAND_LINE_FIGURES = {("gradlog.py", "clipedu.notebook.figures"), ("gradlog.py", "matplotlib.figure")}


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_imports_neither_the_notebook_nor_the_course_layer(path):
    for module, _ in _imports(path):
        top = module.split(".")[0]
        if (path.name, module) in COMMAND_LINE_FIGURES:
            continue
        assert not module.startswith(("clipedu.notebook", "clipedu.course")), f"{path.name} imports {module}"
        assert top not in NOTEBOOK_PACKAGES | COURSE_PACKAGES, f"{path.name} imports {module}"


def test_the_notebook_layer_does_not_import_the_course_layer():
    for path in (PACKAGE / "notebook").rglob("*.py"):
        for module, _ in _imports(path):
            assert not module.startswith("clipedu.course") and module.split(".")[0] not in COURSE_PACKAGES, \
                f"{path.relative_to(ROOT)} imports {module}"


def test_no_module_imports_another_modules_private_names():
    for path in PACKAGE.rglob("*.py"):
        for module, names in _imports(path):
            if module.startswith("clipedu"):
                private = [n for n in names if n.startswith("_")] + [part for part in module.split(".")
                                                                       if part.startswith("_")]
                assert not private, f"{path.relative_to(ROOT)} imports {private} from {module}"
