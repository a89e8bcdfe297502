"""Every notebook, run in a real JupyterLab: no errors, every widget rendered, every slider moved.

For each interactive figure every slider is moved once (a new value typed into its readout, or
its handle dragged to the next option); then the figure's image must have changed and the readout must show
exactly what the demo in the kernel computes for the new slider values. Screenshots of each figure
before and after go to artifacts/browser/.

The WGAN Lab (notebook 09) is played: play trains and redraws, c changes while it trains, pause and
reset work; screenshots of it playing, after c moved, and after reset go there too.
"""

import json
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_TIMEOUT = 600  # a hang, not a slow machine: two notebooks share the two cores


KERNEL_READY = """() => {
    const session = window.jupyterapp?.shell.currentWidget?.sessionContext?.session;
    return session?.kernel?.connectionStatus === "connected" && session.kernel.status === "idle";
}"""


def _run_all(page, notebook):
    page.wait_for_function(KERNEL_READY, timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    cells = page.locator(".jp-CodeCell")
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        prompts = cells.locator(".jp-InputPrompt").all_inner_texts()
        if prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts):
            page.wait_for_function(KERNEL_READY, timeout=60_000)
            return prompts
        time.sleep(1)
    pytest.fail(f"{notebook}: not all cells finished within {RUN_TIMEOUT} s")


def _kernel_text(client, code):
    chunks = []
    reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: chunks.append(
        msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(chunks)


def _move(slider, page, selection):
    """Moves one slider to another value: types into a numeric slider's readout; drags the handle of a
    SelectionSlider (whose readout shows an option, and whose handle's value is the option's index)."""
    readout = slider.locator(".widget-readout")
    handle = slider.locator(".noUi-handle")
    now, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
    low = float(handle.get_attribute("aria-valuemin"))
    if not selection:
        target = round((now + high) / 2, 2) if high - now > 0.1 * (high - low) else round((now + low) / 2, 2)
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(f"{target}")
        page.keyboard.press("Enter")
    else:
        target = now - 1 if now >= high else now + 1
        track = slider.locator(".noUi-base").bounding_box()
        grip = handle.bounding_box()
        page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] * (target - low) / (high - low), grip["y"] + grip["height"] / 2,
                        steps=5)
        page.mouse.up()


def _wait_for_new_image(figure, before, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        images = figure.locator(".widget-output img")
        if images.count() and images.first.get_attribute("src") != before:
            return images.first.get_attribute("src")
        time.sleep(0.2)
    return None


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_and_its_sliders_work(notebook, lab, browser, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _run_all(page, notebook)

        cells = page.locator(".jp-Cell").all()
        code_cells = [(i, c) for i, c in enumerate(cells) if "jp-CodeCell" in c.get_attribute("class")]
        for index, cell in code_cells:
            text = " ".join(cell.locator(".jp-OutputArea-output").all_inner_texts())
            where = f"{notebook}, cell {index}"
            assert "Traceback" not in text and "Error displaying widget" not in text, f"{where}: {text[:500]}"
            assert not re.search(r"\b(VBox|HBox|FloatSlider)\(", text), f"{where}: a widget shown as text"
            assert "<Figure size" not in " ".join(cell.locator(".widget-output").all_inner_texts()), (
                f"{where}: a figure shown as text inside a widget")

        figures = [(i, c) for i, c in code_cells if c.locator(".widget-output img").count()]
        source_cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
        expected_figures = sum(_shows_demo(c) for c in source_cells if c["cell_type"] == "code")
        assert len(figures) == expected_figures, (
            f"{notebook}: {len(figures)} of {expected_figures} interactive figures rendered")
        if not figures:
            return
        client = lab.kernel_client(notebook)
        try:
            for index, cell in figures:
                name = cell.locator(".jp-InputArea .cm-content").inner_text().strip().splitlines()[-1].strip()
                figure = cell.locator(".widget-vbox").first
                tag = f"{notebook.removesuffix('.ipynb')}_{name}"
                figure.screenshot(path=artifacts / f"{tag}_before.png")
                sliders = figure.locator(".widget-slider")
                assert sliders.count(), f"{notebook}, {name}: no slider"
                kinds = json.loads(_kernel_text(client, "import json; print(json.dumps({s.description: "
                                                        f"type(s).__name__ for s in {name}.sliders.values()}}))"))
                for i in range(sliders.count()):
                    slider = sliders.nth(i)
                    label = slider.locator(".widget-label").inner_text()
                    where = f"{notebook}, cell {index}, {name}, slider {label!r}"
                    before = figure.locator(".widget-output img").first.get_attribute("src")
                    _move(slider, page, selection=kinds[label] == "SelectionSlider")
                    changed = _wait_for_new_image(figure, before) is not None
                    assert changed, f"{where}: the figure did not change"
                    expected = _kernel_text(client, f"print({name}.summary({name}.state))")
                    shown = figure.locator(".widget-html-content pre").inner_text()
                    assert _lines(shown) == _lines(expected), (
                        f"{where}: readout\n{shown}\nbut the demo computes\n{expected}")
                figure.screenshot(path=artifacts / f"{tag}_after.png")
        finally:
            client.stop_channels()
    finally:
        page.close()


def _shows_demo(cell):
    """A cell that displays an interactive demo: it ends with the demo's name and ignores its output."""
    source = "".join(cell["source"])
    return "# NBVAL_IGNORE_OUTPUT" in source and re.search(r"Demo\(", source) is not None


def _lines(text):
    return [line.rstrip() for line in text.strip("\n").splitlines()]


LAB_NOTEBOOK = "09_wgan_lab.ipynb"


def _lab_readout(lab_view):
    text = lab_view.locator(".wgan-lab-readout").inner_text()
    iteration = int(re.search(r"iteration (\d+)", text).group(1))
    at_bound = float(re.search(r"weights at ±c ([\d.]+) %", text).group(1))
    return iteration, at_bound


def _wait(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_play_move_c_pause_and_reset(lab, browser, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{lab.url}/lab/tree/{LAB_NOTEBOOK}?token={lab.token}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _run_all(page, LAB_NOTEBOOK)
        view = page.locator(".widget-vbox").filter(has=page.locator(".wgan-lab-readout")).first
        view.scroll_into_view_if_needed()
        picture = view.locator(".widget-image")
        assert _lab_readout(view)[0] == 0
        first_picture = picture.get_attribute("src")

        view.locator("button", has_text="play").click()
        assert _wait(lambda: _lab_readout(view)[0] > 0), "play: the iteration counter did not advance"
        assert _wait(lambda: picture.get_attribute("src") != first_picture), "play: the picture did not change"
        counted = _lab_readout(view)[0]
        assert _wait(lambda: _lab_readout(view)[0] > counted), "play: the counter stopped while playing"
        view.screenshot(path=artifacts / "wgan_lab_playing.png")

        assert _wait(lambda: _lab_readout(view)[0] >= 100), "play: fewer than 100 iterations in a minute"
        before = _lab_readout(view)[1]
        c_slider = view.locator(".widget-slider").filter(has_text="c").first
        c_slider.locator(".widget-readout").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.01")
        page.keyboard.press("Enter")
        assert _wait(lambda: _lab_readout(view)[1] > before + 10), (
            f"c = 0.01: the share of weights on ±c did not rise from {before} %")
        view.screenshot(path=artifacts / "wgan_lab_c_lowered.png")

        view.locator("button", has_text="pause").click()
        time.sleep(1.0)  # the last redraw of the background thread may still arrive
        paused = _lab_readout(view)[0]
        time.sleep(2.0)
        assert _lab_readout(view)[0] == paused, "pause: the counter went on"

        view.locator("button", has_text="reset").click()
        assert _wait(lambda: _lab_readout(view)[0] == 0), "reset: the counter did not return to 0"
        view.screenshot(path=artifacts / "wgan_lab_reset.png")
    finally:
        page.close()
