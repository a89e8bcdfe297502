"""Grading a student's notebook: execute it and report every exercise's verdict.

    python -m clipedu.course.grading STUDENT.ipynb [MORE.ipynb ...]

The notebook is executed top to bottom in a temporary folder (the student's file is not changed),
going on past cells that fail or do not answer within two minutes; every ``check("name", answer)``
cell is then read back. Prints one line per exercise and a total; the exit status is 0 when every
exercise is correct.
"""

import re
import sys
import tempfile
from pathlib import Path

from clipedu.course import execution

CHECK = re.compile(r'check\(\s*"([^"]+)"')
VERDICT = re.compile(r"^(?P<name>[\w.]+): (?P<verdict>Correct|Not yet|No answer yet)\. (?P<message>.*)$", re.S)


def grade(path, timeout=execution.CELL_TIMEOUT):
    """Executes the notebook at ``path`` and returns one (exercise, verdict, message) per check cell.

    The verdict is "Correct", "Not yet", "No answer yet", or "Error" when the cell failed or did not
    answer within ``timeout`` seconds.
    """
    import nbformat

    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        execution.execute(notebook, folder, name=path.name, timeout=timeout, allow_errors=True)
    results = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or not CHECK.search(cell.source):
            continue
        name = CHECK.search(cell.source).group(1)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        texts = [o.data.get("text/plain", "") for o in cell.outputs if o.output_type == "execute_result"]
        match = VERDICT.match(texts[-1]) if texts else None
        if errors or not match:
            detail = f"{errors[0].ename}: {errors[0].evalue}" if errors else "the cell printed no verdict"
            results.append((name, "Error", detail))
        else:
            results.append((name, match["verdict"], match["message"]))
    return results


def main(paths):
    if not paths:
        sys.exit(__doc__)
    all_correct = True
    for path in paths:
        results = grade(path)
        correct = sum(verdict == "Correct" for _, verdict, _ in results)
        print(f"{path}: {correct} of {len(results)} exercises correct")
        for name, verdict, message in results:
            print(f"  {name:28} {verdict:14} {message}")
        all_correct &= correct == len(results)
    sys.exit(0 if all_correct else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
