"""The WGAN Lab in a real JupyterLab: play trains and redraws, c changes while it trains, pause and reset work.

Screenshots of the lab while it plays, after c moved, and after reset go to artifacts/browser/.
"""

import re
import time

from test_notebooks_in_lab import _run_all

NOTEBOOK = "09_wgan_lab.ipynb"


def _readout(lab_view):
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
        page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _run_all(page, NOTEBOOK)
        view = page.locator(".widget-vbox").filter(has=page.locator(".wgan-lab-readout")).first
        view.scroll_into_view_if_needed()
        picture = view.locator(".widget-image")
        assert _readout(view)[0] == 0
        first_picture = picture.get_attribute("src")

        view.locator("button", has_text="play").click()
        assert _wait(lambda: _readout(view)[0] > 0), "play: the iteration counter did not advance"
        assert _wait(lambda: picture.get_attribute("src") != first_picture), "play: the picture did not change"
        counted = _readout(view)[0]
        assert _wait(lambda: _readout(view)[0] > counted), "play: the counter stopped while playing"
        view.screenshot(path=artifacts / "wgan_lab_playing.png")

        assert _wait(lambda: _readout(view)[0] >= 100), "play: fewer than 100 iterations in a minute"
        before = _readout(view)[1]
        c_slider = view.locator(".widget-slider").filter(has_text="c").first
        c_slider.locator(".widget-readout").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.01")
        page.keyboard.press("Enter")
        assert _wait(lambda: _readout(view)[1] > before + 10), (
            f"c = 0.01: the share of weights on ±c did not rise from {before} %")
        view.screenshot(path=artifacts / "wgan_lab_c_lowered.png")

        view.locator("button", has_text="pause").click()
        time.sleep(1.0)  # the last redraw of the background thread may still arrive
        paused = _readout(view)[0]
        time.sleep(2.0)
        assert _readout(view)[0] == paused, "pause: the counter went on"

        view.locator("button", has_text="reset").click()
        assert _wait(lambda: _readout(view)[0] == 0), "reset: the counter did not return to 0"
        view.screenshot(path=artifacts / "wgan_lab_reset.png")
    finally:
        page.close()
