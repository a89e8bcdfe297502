"""The static HTML export shows each slider figure as it was executed, with no widget left."""

import re
import runpy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
export = runpy.run_path(str(ROOT / "tools" / "export_html.py"))


def test_every_widget_view_becomes_its_readout_and_figure():
    notebook = nbformat.read(ROOT / "notebooks" / "01_gradient_clipping.ipynb", as_version=4)
    demo_cells = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and "Demo(" in c.source
                  and "# NBVAL_IGNORE_OUTPUT" in c.source]
    assert len(demo_cells) == 3
    frozen = export["freeze_widgets"](notebook)
    for index in demo_cells:
        outputs = frozen.cells[index].outputs
        kinds = [next(iter(o.data)) for o in outputs]
        assert "text/html" in kinds and "image/png" in kinds, (index, kinds)
        assert "turned by" in outputs[kinds.index("text/html")].data["text/html"] or index != demo_cells[0]
    assert not any(export["WIDGET_VIEW"] in o.get("data", {}) for c in frozen.cells for o in c.get("outputs", []))


def test_html_files_are_written(tmp_path):
    export["main"]([str(tmp_path), str(ROOT / "notebooks" / "00_start_here.ipynb")])
    page = (tmp_path / "00_start_here.html").read_text()
    assert "data:image/png;base64" in page and "set-up OK" in page


def test_formulas_become_mathml_and_code_keeps_its_dollars():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "Clip into $[-c, c]$, then\n\n$$\\lVert g \\rVert_2 \\le c$$\n\n"
        "but `echo $HOME` and\n```\nprice = \"$5\"\n```")])
    source = export["render_math"](notebook).cells[0].source
    assert source.count("<math") == 2 and 'display="block"' in source and "$" not in source.split("`")[0]
    assert "`echo $HOME`" in source and 'price = "$5"' in source


def test_pages_load_nothing_from_the_web_and_hold_no_raw_latex():
    page = export["to_html"](nbformat.read(ROOT / "notebooks" / "05_beyond_weight_clipping.ipynb", as_version=4))
    assert "<math" in page
    assert "mathjax" not in page.lower()
    assert not re.search(r'<script[^>]*src="https?:', page)
    assert not re.search(r"\$\\\w", page), "a formula left as LaTeX"
