"""The evidence ledger, docs/evidence.md, against the committed notebooks (nothing is executed).

For every notebook with a section in the ledger, two things are checked:

- every cell the section cites exists, with that id at that index, and is *compared* by nbval: a code
  cell with outputs and without ``# NBVAL_IGNORE_OUTPUT``;
- every number written in the notebook's markdown is *printed* by a compared cell of that notebook,
  or is declared in its section as a setting or a quoted constant.

A notebook without a section must be listed on the ledger's ``Pending:`` line; its tests are reported
as skipped, with the reason, never passed silently. The rules for reading numbers are those of
``prose_numbers`` and ``printed`` below, and docs/evidence.md states them for its readers.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEDGER = ROOT / "docs" / "evidence.md"
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

SECTION = re.compile(r"^## notebooks/(\S+)\.ipynb\s*$", re.M)
PENDING = re.compile(r"^Pending:(.*)$", re.M)
DECLARED = re.compile(r"^Settings and quoted constants:(.*)$", re.M)
CITATION = re.compile(r"\bcell (\d+) \(id ([A-Za-z0-9_-]+)\)")
IGNORED = "# NBVAL_IGNORE_OUTPUT"


# --- the ledger -----------------------------------------------------------------------------------


def read_ledger(text=None):
    """The ledger as {"sections": {stem: body}, "pending": [stem, ...]}."""
    text = LEDGER.read_text() if text is None else text
    parts = SECTION.split(text)
    sections = {stem: body for stem, body in zip(parts[1::2], parts[2::2])}
    pending = [stem for line in PENDING.findall(parts[0]) for stem in re.findall(r"\d\d_\w+", line)]
    return {"sections": sections, "pending": pending}


def declared(body):
    """The numbers a section declares as settings and quoted constants; notes in parentheses are not read."""
    lines = DECLARED.findall(body)
    return [number for line in lines for number in prose_numbers(re.sub(r"\([^)]*\)", " ", line))]


# --- numbers in prose -----------------------------------------------------------------------------

# A number: digits grouped by spaces ("775 000"), or plain, with decimals and an exponent ("1.3e-7"),
# not glued to a word before it ("L2", "x86", "float32") and not the "2" of "2-D".
NUMBER = re.compile(r"(?<![\w.])(?<!\w-)(\d{1,3}(?:[ \u2009\u202f]\d{3})+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
                    r"(?:st|nd|rd|th)?(?![\w]|-D\b|\.\d)")
REFERENCE = re.compile(r"(?i)\b(?:sections?|notebooks?|exercises?|algorithm|figure|table|cells?|chapter)"
                       r"\s+\d+(?:\s*(?:[–-]|and|or|,)\s*\d+)*")
NOTEBOOK_NUMBER = re.compile(r"(?<![\w.])0\d(?:\s*[–-]\s*\d\d)?(?![\w.])")
YEAR = re.compile(r"(?:[A-Z][\w'’.-]*|al\.)\s*,?\s*\(?((?:19|20)\d\d)[a-z]?\b")
POWER_OF_TEN = re.compile(r"(\d+(?:\.\d+)?)\s*(?:\\cdot|\\times|·|×)\s*10\^\{?(-?\d+)\}?")


def _plain(markdown):
    """The prose of a markdown cell, with what is not a claim taken out (see docs/evidence.md)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)  # code blocks: code, shown as code
    text = re.sub(r"`[^`]*`", " ", text)  # inline code: names and arguments
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # images (the badges)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"<[^>]+>|https?://\S+", " ", text)
    text = re.sub(r"(?m)^\s*#+\s*\d+(?:\.\d+)*\.?\s", " ", text)  # a heading's section number
    text = re.sub(r"(?m)^(\s*#+\s*)0\d\b", r"\1", text)  # a title's notebook number
    text = re.sub(r"(?m)^\s*\d+\.\s", " ", text)  # ordered-list markers
    text = POWER_OF_TEN.sub(lambda m: f"{m.group(1)}e{m.group(2)}", text)
    text = re.sub(r"10\^\{?(-?\d+)\}?", r"1e\1", text)
    text = re.sub(r"\\t?frac\s*\d\s*\d", " ", text)  # \tfrac12 is notation
    text = re.sub(r"[_^](?:\{[^}]*\}|\w)", " ", text)  # a formula's indices and exponents are notation
    text = REFERENCE.sub(" ", text)
    text = YEAR.sub(" ", text)
    return NOTEBOOK_NUMBER.sub(" ", text)


def prose_numbers(markdown):
    """The numbers a markdown text writes, as written (without sign): ["0.77", "775000", "1.3e-7"]."""
    return [re.sub(r"[ \u2009\u202f]", "", m.group(1)) for m in NUMBER.finditer(_plain(markdown))]


# --- numbers in outputs ---------------------------------------------------------------------------

OUTPUT_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def output_numbers(cell):
    """Every number in a code cell's text/plain and stream outputs."""
    texts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            texts.append("".join(output["text"]))
        elif "text/plain" in output.get("data", {}):
            texts.append("".join(output["data"]["text/plain"]))
    return [float(n) for text in texts for n in OUTPUT_NUMBER.findall(text)]


def printed(written, values):
    """Whether a number written in prose is one of ``values`` at the precision written.

    "0.77" is printed by 0.77 and by 0.7712 (0.7712 rounded to two decimals is 0.77); "1.3e-7" by any
    value that rounds to 1.3e-7 at two significant digits; "775000" by 775000 or by 7.75e+05. Signs are
    ignored: prose writes "−15" as often as "a step of 15 to the left".
    """
    if "e" in written:
        mantissa = written.split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        target = f"{float(written):.{digits}e}"
        return any(f"{abs(v):.{digits}e}" == target for v in values)
    digits = len(written.split(".")[1]) if "." in written else 0
    return any(f"{abs(v):.{digits}f}" == f"{Decimal(written):.{digits}f}" for v in values)


# --- the notebooks --------------------------------------------------------------------------------


def _cells(stem):
    return json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def compared(cell):
    """Whether nbval compares this cell's outputs: a code cell with outputs, not marked to be ignored."""
    return cell["cell_type"] == "code" and bool(cell.get("outputs")) and IGNORED not in _source(cell)


def _covered_or_skip(stem):
    ledger = read_ledger()
    if stem not in ledger["sections"]:
        assert stem in ledger["pending"], f"{stem} has no section in docs/evidence.md and is not listed as pending"
        pytest.skip(f"{stem}: pending, no section in docs/evidence.md yet")
    return ledger["sections"][stem]


def test_every_notebook_has_a_section_or_is_pending():
    ledger = read_ledger()
    sections, pending = set(ledger["sections"]), set(ledger["pending"])
    assert sections, "docs/evidence.md has no section"
    assert not sections & pending, f"both covered and pending: {sorted(sections & pending)}"
    assert sections | pending == set(NOTEBOOKS), (
        f"without a section and not pending: {sorted(set(NOTEBOOKS) - sections - pending)}; "
        f"not a notebook: {sorted((sections | pending) - set(NOTEBOOKS))}")
    print(f"covered: {sorted(sections)}; pending: {sorted(pending)}")


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_cited_cell_exists_and_is_compared(stem):
    body = _covered_or_skip(stem)
    cells = _cells(stem)
    index_of = {cell.get("id"): i for i, cell in enumerate(cells)}
    citations = CITATION.findall(body)
    assert citations, f"the section of {stem} cites no cell"
    wrong = []
    for index, cell_id in citations:
        if cell_id not in index_of:
            wrong.append(f"cell {index} (id {cell_id}): no cell has this id")
        elif index_of[cell_id] != int(index):
            wrong.append(f"cell {index} (id {cell_id}): that id is cell {index_of[cell_id]} now")
        elif not compared(cells[index_of[cell_id]]):
            wrong.append(f"cell {index} (id {cell_id}): not compared by nbval (no outputs, markdown, or "
                         f"{IGNORED})")
    assert not wrong, f"{stem}, docs/evidence.md:\n" + "\n".join(wrong)


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_number_in_markdown_is_printed_or_declared(stem):
    body = _covered_or_skip(stem)
    cells = _cells(stem)
    values = [v for cell in cells if compared(cell) for v in output_numbers(cell)]
    constants = [abs(float(n)) for n in declared(body)]
    missing = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for written in prose_numbers(_source(cell)):
            if not (printed(written, values) or any(float(written) == c for c in constants)):
                missing.append(f"cell {index} (id {cell.get('id')}): {written}")
    assert not missing, (f"{stem}: numbers in markdown that no compared cell prints and that its section of "
                         "docs/evidence.md does not declare:\n" + "\n".join(missing))


# --- the rules themselves -------------------------------------------------------------------------


@pytest.mark.parametrize("markdown, numbers", [
    ("## 3. Two tensors, as in section 4 and sections 3–4 of notebook 01", []),
    ("Pascanu, Mikolov & Bengio (2013) and Touvron et al. 2023 found 0.77", ["0.77"]),
    ("1. **Run** the cells; see [08 · practice](08_clipping_in_practice.ipynb) and notebooks 01–02", []),
    ("a 2-D gradient, an L2 norm, `clipvalue=0.5`, the 10th update", ["10"]),
    ("about 775 000, so 7 750 long; below 1.3e-7", ["775000", "7750", "1.3e-7"]),
    ("$h_t = w\\,h_{t-1}$, up to $w^{97}$, a factor $3 \\cdot 10^8$, $\\tfrac12 x^2$", ["3e8"]),
    ("into [−15, 15], by 9.4°, 93 %", ["15", "15", "9.4", "93"]),
])
def test_prose_numbers(markdown, numbers):
    assert prose_numbers(markdown) == numbers


@pytest.mark.parametrize("written, values, expected", [
    ("0.77", [0.7712], True), ("0.77", [0.7751], False), ("775000", [775000.0], True),
    ("7750", [7737.0], False), ("1.3e-7", [1.29e-7], True), ("1.3e-7", [1.2e-7], False),
    ("15", [-15.0], True), ("0.0001", [1e-4], True), ("3e8", [3.1e8], True), ("3e8", [3.6e8], False),
])
def test_printed(written, values, expected):
    assert printed(written, values) is expected


def test_citations_and_declarations_are_read():
    ledger = read_ledger("# L\nPending: 03_a, 04_b\n## notebooks/01_x.ipynb\n"
                         "Settings and quoted constants: 0.5 (threshold 3), 15\n| c | cell 4 (id c04) |\n")
    assert ledger["pending"] == ["03_a", "04_b"]
    body = ledger["sections"]["01_x"]
    assert declared(body) == ["0.5", "15"]
    assert CITATION.findall(body) == [("4", "c04")]


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_no_markdown_cell_holds_a_control_character(stem):
    """A TAB or other control character in markdown is an escape gone wrong (\\t of \\text read as a TAB)."""
    bad = [(index, repr(character)) for index, cell in enumerate(_cells(stem)) if cell["cell_type"] == "markdown"
           for character in _source(cell) if ord(character) < 32 and character != "\n"]
    assert not bad, f"{stem}: (cell, character) {bad}"
