"""Exports executed notebooks as static HTML that shows every interactive figure without a kernel.

Usage: python tools/export_html.py OUTPUT_DIR notebooks/01_gradient_clipping.ipynb [...]

The pages read offline:
- A widget needs a running kernel (or a widget manager fetched from the web) to show anything; here
  each widget view is replaced by what it showed when the notebook was executed: its readout and its
  figure (an Output widget's, or an Image widget's bytes), read from the widget state stored in the
  notebook.
- Formulas are turned into MathML when the page is written (latex2mathml), which browsers draw
  themselves; nbconvert's pages would load MathJax from the web, and offline show raw LaTeX.
"""

import re
import sys
from pathlib import Path

import nbformat
from latex2mathml.converter import convert
from nbconvert import HTMLExporter

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Code (fenced or in backticks) first, so that a dollar sign inside code is left alone.
CODE_OR_MATH = re.compile(r"(?P<code>```.*?```|`[^`]*`)|\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$]+?)\$", re.S)
MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
WEB_SCRIPT = re.compile(r'<script src="https?://[^"]*"></script>\n?')  # require.js, for widgets, which are frozen


def _frozen(model_id, models):
    """The readout HTML and figure outputs inside the widget ``model_id``, depth first."""
    model = models.get(model_id, {})
    name, state = model.get("model_name"), model.get("state", {})
    if name == "HTMLModel":
        return [nbformat.v4.new_output("display_data", {"text/html": state.get("value", "")})]
    if name == "ImageModel":  # a picture changed in place (the WGAN Lab's): its bytes are a buffer
        return [nbformat.v4.new_output("display_data", {f"image/{state.get('format', 'png')}": buffer["data"]})
                for buffer in model.get("buffers", []) if buffer.get("path") == ["value"]]
    if name == "OutputModel":
        return [nbformat.from_dict(o) for o in state.get("outputs", []) if o.get("output_type") == "display_data"]
    frozen = []
    for child in state.get("children", []):
        frozen += _frozen(child.removeprefix("IPY_MODEL_"), models)
    return frozen


def freeze_widgets(notebook):
    """Replaces every widget view output by the readout and figure its widget state holds."""
    models = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = models.get("state", {})
    for cell in notebook.cells:
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            outputs += _frozen(view["model_id"], models) if view else [output]
        if "outputs" in cell:
            cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return notebook


def _mathml(match):
    if match["code"]:
        return match["code"]
    if match["display"]:
        return convert(match["display"].strip(), display="block")
    return convert(match["inline"])


def render_math(notebook):
    """Replaces every $...$ and $$...$$ formula of the markdown cells by MathML."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = CODE_OR_MATH.sub(_mathml, cell.source)
    return notebook


def to_html(notebook):
    """The page of an executed notebook: widgets frozen, formulas in MathML, no script from the web."""
    body, _ = HTMLExporter().from_notebook_node(render_math(freeze_widgets(notebook)))
    return WEB_SCRIPT.sub("", MATHJAX.sub("", body))


def main(arguments):
    if len(arguments) < 2:
        sys.exit(__doc__)
    folder = Path(arguments[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name in arguments[1:]:
        body = to_html(nbformat.read(name, as_version=4))
        target = folder / (Path(name).stem + ".html")
        target.write_text(body)
        print(f"{target}: {len(body) // 1000} kB")


if __name__ == "__main__":
    main(sys.argv[1:])
