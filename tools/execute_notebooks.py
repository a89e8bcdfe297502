"""Re-executes notebooks top to bottom, in place, in this interpreter's kernel; prints each time.

Usage: python tools/execute_notebooks.py notebooks/01_gradient_clipping.ipynb [...]
"""

import re
import sys
import time
from pathlib import Path

import nbformat

from clipedu.course import execution


def coalesce_streams(notebook):
    """Merges consecutive stdout/stderr outputs of a cell into one, as nbval does before comparing."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def drop_unshown_widgets(notebook):
    """Keeps in the stored widget state only the widgets a cell shows and those they refer to.

    A widget made by a cell but never shown (the WGAN Lab's trial runs) would otherwise be saved with
    its picture; the executing client keeps even the widgets that were closed.
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if not state:
        return notebook
    wanted = [o["data"][WIDGET_VIEW]["model_id"] for c in notebook.cells for o in c.get("outputs", [])
              if WIDGET_VIEW in o.get("data", {})]
    kept = set()
    while wanted:
        model_id = wanted.pop()
        if model_id in kept or model_id not in state:
            continue
        kept.add(model_id)
        wanted += re.findall(r"IPY_MODEL_(\w+)", str(state[model_id].get("state", {})))
    notebook.metadata["widgets"][WIDGET_STATE]["state"] = {k: v for k, v in state.items() if k in kept}
    return notebook


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    execution.execute(notebook, path.parent, name=path.name)
    coalesce_streams(notebook)
    drop_unshown_widgets(notebook)
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main(paths):
    if not paths:
        sys.exit("usage: python tools/execute_notebooks.py NOTEBOOK.ipynb [...]")
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
