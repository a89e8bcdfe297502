"""The static pages of `make html`, opened from disk in Chromium with the network off."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
export = runpy.run_path(str(ROOT / "tools" / "export_html.py"))


def test_formulas_and_figures_render_offline(browser, artifacts, tmp_path):
    export["main"]([str(tmp_path), str(ROOT / "notebooks" / "05_beyond_weight_clipping.ipynb")])
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
    requests = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto((tmp_path / "05_beyond_weight_clipping.html").as_uri())
    page.wait_for_load_state("load")
    page.locator("math[display=block]").first.scroll_into_view_if_needed()
    power = page.locator("msup").first  # the square of (‖∇D‖ - 1) in the penalty
    base, exponent = (power.locator(f":scope > :nth-child({i})").bounding_box() for i in (1, 2))
    page.screenshot(path=str(artifacts / "static_page_05_formula.png"))
    context.close()
    # Typeset by the browser: the exponent is raised above its base, not written beside it on one line.
    assert exponent["y"] + exponent["height"] / 2 < base["y"] + base["height"] / 2 - 2, (base, exponent)
    web = [url for url in requests if url.startswith("http") and "badge" not in url]
    assert not web, web
