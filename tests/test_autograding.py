"""The otter plugins and the public checks, without running otter: what they write, what they grade."""

import json
import types
import zipfile

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from clipedu.course import autograding, grade, public_checks

TEST_FILE = '''\
from otter.test_files import test_case

OK_FORMAT = False

name = "q_angle"
points = 3

@test_case(points=0, hidden=False, success_message="angle is a number", failure_message="angle must be a number")
def test_angle_form(angle):
    assert not isinstance(angle, (bool, str)) and float(angle) == float(angle)

@test_case(points=None, hidden=True, success_message="angle is right", failure_message="angle is not right")
def test_angle_value(angle):
    reference, tolerance = 12.5, 0.1
    assert type(angle) in (int, float) and abs(angle - reference) <= tolerance
'''


def _test_file(values):
    return autograding.GradedTestFile.from_string(TEST_FILE, path="tests/q_angle.py").run_on(values)


@pytest.mark.parametrize("angle, points", [(12.5, 3), (12.58, 3), (12.7, 0), (None, 0), ("12.5", 0), (True, 0)])
def test_tests_run_on_plain_values_and_give_the_question_its_points(angle, points):
    assert _test_file({"angle": angle}).score == points


def test_public_summaries_say_what_they_checked_and_that_hidden_tests_grade_the_rest():
    wrong = _test_file({"angle": 40.0})  # passes the public test, fails the hidden one
    assert wrong.summary(public_only=True) == (
        "q_angle: 1 of 1 public checks passed. They check the form of your answer only; hidden tests grade the "
        "rest after you submit.\n  ✓ angle is a number")
    assert wrong.summary() == "q_angle: 0 of 3 points\n  ✓ public: angle is a number\n  ✗ hidden: angle is not right"
    assert "passed!" not in wrong.summary(public_only=True) + wrong.summary()


def test_public_check_runs_the_public_tests_on_the_callers_variables():
    class Grader:  # what otter.Notebook.check does with global_env
        def check(self, question, global_env):
            assert question == "q_angle"
            return autograding.GradedTestFile.from_string(TEST_FILE, path="q").run_on(global_env)

    namespace = {"angle": "not a number", "public_check": public_checks.public_check, "grader": Grader()}
    exec("result = public_check(grader, 'q_angle')", namespace)
    assert namespace["result"].passed is False
    assert repr(namespace["result"]).endswith("\n  ✗ angle must be a number")


def test_a_test_that_takes_the_whole_environment_is_refused():
    source = TEST_FILE.replace("def test_angle_value(angle):", "def test_angle_value(env, angle):")
    with pytest.raises(ValueError, match="takes `env`"):
        autograding.test_arguments(autograding.GradedTestFile.from_string(source, path="q"))


def _graded(tmp_path, monkeypatch, cells):
    """Runs TrustedGrading on a notebook of ``cells``, executing its cells with exec as a kernel would."""
    submission = tmp_path / "submission"
    (submission / "tests").mkdir(parents=True)
    (tmp_path / "source" / "tests").mkdir(parents=True)
    for folder in (submission / "tests", tmp_path / "source" / "tests"):
        (folder / "q_angle.py").write_text(TEST_FILE)
    monkeypatch.chdir(submission)
    plugin = autograding.TrustedGrading(str(submission / "s.ipynb"), {}, None)
    notebook = plugin.before_execution(new_notebook(cells=[new_code_cell(c) for c in cells]))
    assert not list((submission / "tests").iterdir()) and not list((tmp_path / "source" / "tests").iterdir())
    kernel = {"public_check": lambda grader, question: None, "grader": None}
    for cell in notebook.cells:
        exec(cell.source, kernel)
    results = types.SimpleNamespace(results={"q_angle": "what the kernel reported"}, _catastrophic_error="error")
    plugin.after_grading(results)
    assert results._catastrophic_error is None
    return notebook, results.results["q_angle"]


def test_trusted_grading_grades_the_values_after_the_last_check_cell(tmp_path, monkeypatch):
    notebook, graded = _graded(tmp_path, monkeypatch, [
        "angle = 1.0", 'public_check(grader, "q_angle")', "angle = 12.5", 'public_check(grader, "q_angle")',
        "angle = 99.0  # after its last check: not graded"])
    assert [c.source.startswith("def _clipedu_dump") for c in notebook.cells] == [
        False, False, True, False, False, True, False, True]
    assert graded.score == 3


def test_trusted_grading_grades_the_end_of_the_notebook_without_a_check_cell(tmp_path, monkeypatch):
    _, graded = _graded(tmp_path, monkeypatch, ["angle = 1.0", "angle = 12.5"])
    assert graded.score == 3


def test_trusted_grading_sees_plain_values_only(tmp_path, monkeypatch):
    _, graded = _graded(tmp_path, monkeypatch, [
        "class Anything(float):\n    def __sub__(self, other):\n        return 0.0\n"
        "    def __eq__(self, other):\n        return True\n\n\nangle = Anything(99.0)"])
    assert graded.score == 0  # Anything(99.0) arrives as 99.0
    _, graded = _graded(tmp_path / "again", monkeypatch, ["import numpy as np\nangle = np.float32(12.5)"])
    assert graded.score == 3


def test_cell_timeout_comes_first_with_its_seconds():
    plugin = autograding.CellTimeout("s.ipynb", {}, {"seconds": 7})
    notebook = plugin.before_execution(new_notebook(cells=[new_code_cell("x = 1")]))
    assert "seconds=7.0" in notebook.cells[0].source and notebook.cells[1].source == "x = 1"
    with pytest.raises(ValueError, match="seconds must be positive"):
        autograding.CellTimeout("s.ipynb", {}, {"seconds": 0}).before_execution(new_notebook())


def test_the_csv_rows_give_every_autograded_question_a_number_and_leave_manual_ones_blank():
    asked = {"q_a": {"points": 3, "manual": False}, "q_b": {"points": 2, "manual": False},
             "q_w": {"points": 3, "manual": True}}
    grades = [grade.Grade("alice.ipynb", points={"q_a": 3.0, "q_b": 1.5}),
              grade.Grade("bob.ipynb", note="not graded: did not finish within 900 s")]
    header, rows = grade.rows(grades, asked)
    assert header == ["submission", "q_a", "q_b", "total", "possible", "q_w", "note"]
    assert rows == [
        {"submission": "alice.ipynb", "q_a": 3, "q_b": 1.5, "total": 4.5, "possible": 5, "q_w": "", "note": ""},
        {"submission": "bob.ipynb", "q_a": 0, "q_b": 0, "total": 0, "possible": 5, "q_w": "",
         "note": "not graded: did not finish within 900 s"}]


def test_the_cell_timeout_of_an_autograder_can_be_changed_for_a_run(tmp_path):
    original = tmp_path / "a-autograder.zip"
    config = {"plugins": ["clipedu.course.autograding.TrustedGrading",
                          {"clipedu.course.autograding.CellTimeout": {"seconds": 60}}]}
    with zipfile.ZipFile(original, "w") as archive:
        archive.writestr("otter_config.json", json.dumps(config))
        archive.writestr("tests/q.py", "name = 'q'")
    (tmp_path / "copy").mkdir()
    copy = grade.with_cell_timeout(original, 10, tmp_path / "copy")
    with zipfile.ZipFile(copy) as archive:
        assert json.loads(archive.read("otter_config.json"))["plugins"] == [
            "clipedu.course.autograding.TrustedGrading", {"clipedu.course.autograding.CellTimeout": {"seconds": 10}}]
        assert archive.read("tests/q.py") == b"name = 'q'"
