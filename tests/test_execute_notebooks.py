"""tools/execute_notebooks.py keeps the widgets a notebook shows, and drops the others."""

import runpy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
tool = runpy.run_path(str(ROOT / "tools" / "execute_notebooks.py"))


def _model(name, **state):
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


def test_only_shown_widgets_and_what_they_refer_to_are_kept():
    state = {
        "box": _model("VBoxModel", children=["IPY_MODEL_image", "IPY_MODEL_slider"], layout="IPY_MODEL_box_layout"),
        "box_layout": _model("LayoutModel"),
        "image": _model("ImageModel", layout="IPY_MODEL_image_layout"),
        "image_layout": _model("LayoutModel"),
        "slider": _model("FloatSliderModel", style="IPY_MODEL_slider_style"),
        "slider_style": _model("SliderStyleModel"),
        "hidden": _model("ImageModel", layout="IPY_MODEL_hidden_layout"),
        "hidden_layout": _model("LayoutModel"),
    }
    view = nbformat.v4.new_output("display_data", {tool["WIDGET_VIEW"]: {"model_id": "box", "version_major": 2}})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("lab", outputs=[view])])
    notebook.metadata["widgets"] = {tool["WIDGET_STATE"]: {"state": state, "version_major": 2}}
    kept = tool["drop_unshown_widgets"](notebook).metadata["widgets"][tool["WIDGET_STATE"]]["state"]
    assert set(kept) == {"box", "box_layout", "image", "image_layout", "slider", "slider_style"}
