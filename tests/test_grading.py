import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from clipedu.course.grading import grade

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_start_here.ipynb"


def _student(tmp_path, answers):
    """A copy of notebook 00 with the given answers typed into its exercise cells."""
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        for name, answer in answers.items():
            if f'check("{name}"' in source:
                cell["source"] = source.replace("answer = None", f"answer = {answer!r}")
    path = tmp_path / "student.ipynb"
    path.write_text(json.dumps(notebook))
    return path


def test_solutions_grade_as_correct_and_the_file_is_untouched(tmp_path):
    answers = runpy.run_path(str(ROOT / "solutions" / "00_start_here.py"))["ANSWERS"]
    path = _student(tmp_path, answers)
    before = path.read_text()
    results = grade(path)
    assert [name for name, _, _ in results] == ["00.first_clip", "00.no_turn", "00.keep_direction"]
    assert all(verdict == "Correct" for _, verdict, _ in results), results
    assert path.read_text() == before


def test_wrong_missing_and_failing_answers(tmp_path):
    path = _student(tmp_path, {"00.first_clip": [0.1, 3.0]})
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if 'check("00.no_turn"' in "".join(cell["source"]):
            cell["source"] = "answer = undefined_name\ncheck(\"00.no_turn\", answer)"
    path.write_text(json.dumps(notebook))
    results = dict((name, verdict) for name, verdict, _ in grade(path))
    assert results == {"00.first_clip": "Not yet", "00.no_turn": "Error", "00.keep_direction": "No answer yet"}


def test_the_command_reports_each_exercise_and_fails_unless_all_are_correct():
    result = subprocess.run([sys.executable, "-m", "clipedu.course.grading", str(NOTEBOOK)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "0 of 3 exercises correct" in result.stdout
    assert "00.first_clip" in result.stdout and "No answer yet" in result.stdout


def test_invalid_path():
    with pytest.raises(ValueError, match="path must be an existing .ipynb"):
        grade(ROOT / "README.md")
