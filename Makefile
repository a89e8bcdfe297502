# Two commands for everyone: `make lab` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: lab test test-slow test-perturbed test-browser bench notebooks html assignments clean

# Reinstall only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[notebook,course,lab,dev]'
	touch $@

# JupyterLab refuses root unless told; containers and cloud machines often run as root.
lab: $(INSTALLED)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadscope --ignore=tests/browser -m "not slow"

# What a release needs beyond `make test`, minutes of it: the wheel built from a clean export and installed
# (not editable) in a fresh environment, running the notebooks from there; every assignment built;
# the benchmark's quick run.
test-slow: $(INSTALLED)
	$(PY) -m pytest -n 2 --dist loadscope -m slow tests --ignore=tests/browser

# Every notebook re-executed and compared (nbval) as another machine would compute it: once with
# TensorFlow's oneDNN kernels switched on (the notebooks switch them off) and limited to AVX2, numpy's
# OpenBLAS on another kernel, and two threads splitting each operation (the notebooks use one); once as a
# one-CPU machine computes it, one thread for every TensorFlow and numpy operation (the thread counts, not
# the cores they run on, decide the rounding: two notebooks run side by side). A cell may take twice as long
# as alone; nbval's cell timeout (pyproject.toml, 600 s, as for `make test`) guards against a hang, not a
# slow machine: `make bench` measures speed. README: "Reproducible".
test-perturbed: $(INSTALLED)
	TF_ENABLE_ONEDNN_OPTS=1 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Sandybridge TF_NUM_INTRAOP_THREADS=2 \
		$(PY) -m pytest -n 2 --dist loadscope notebooks
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
		$(PY) -m pytest -n 2 --dist loadscope notebooks

# The notebooks in a real JupyterLab and headless Chromium (Debian's: apt-get install chromium), two
# notebooks at a time, each in its own JupyterLab and Chromium, one per core.
# Screenshots of every figure before and after its sliders move go to artifacts/browser/.
test-browser: $(VENV)/.installed-browser
	$(PY) -m pytest tests/browser -v -n 2 --dist load

$(VENV)/.installed-browser: $(INSTALLED)
	$(PY) -m pip install --quiet -e '.[notebook,course,lab,dev,browser]'
	touch $@

# The speed budgets of README.md (Speed), measured side by side: a table, and benchmarks/results.json.
bench: $(INSTALLED)
	$(PY) benchmarks/run.py

# Re-execute every notebook top to bottom, in place, so that the committed outputs are fresh.
notebooks: $(INSTALLED)
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS)

# The executed notebooks as static HTML, for reading first: each slider figure as it was executed.
html: $(INSTALLED)
	$(PY) tools/export_html.py build/html $(NOTEBOOKS)

# Graded assignments (otter-grader), from the master notebooks in $(ASSIGNMENTS): for each,
# build/assignments/<name>/student/ (hand it out) and build/assignments/<name>/autograder/ (the zip
# for Gradescope or for `python -m clipedu.course.grade`; solutions and rubrics). docs/instructors.md.
ASSIGNMENTS ?= assignments
assignments: $(INSTALLED)
	$(PY) -m clipedu.course.assignments --source $(ASSIGNMENTS) --out build/assignments

clean:
	rm -rf $(VENV) build *.egg-info
