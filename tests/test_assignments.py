"""Graded assignments: `make assignments` builds them with otter-grader, `python -m clipedu.course.grade`
grades them without Docker, and no hidden answer is in what a student receives."""

import ast
import copy
import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from clipedu.course import assignments, autograding, grade

ROOT = Path(__file__).resolve().parent.parent
# The assignments of this module; 10_wgan_clinic has its own tests (tests/test_clinic.py).
MASTERS = [ROOT / "assignments" / f"{name}.ipynb" for name in ("01_gradient_clipping", "03_weight_clipping_in_keras")]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
GRADED = "01_gradient_clipping"
GRADED_MASTER = ROOT / "assignments" / f"{GRADED}.ipynb"


def _run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=ENV, **kwargs)


def _build(out, masters):
    """Builds ``masters`` into ``out`` with `python -m clipedu.course.assignments` (what `make assignments` runs)."""
    result = _run([sys.executable, "-m", "clipedu.course.assignments", "--out", str(out), *(m.stem for m in masters)],
                  timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The folder into which the graded assignment was built; `make test-slow` builds every one."""
    return _build(tmp_path_factory.mktemp("assignments"), [GRADED_MASTER])


def test_there_are_assignments_with_numeric_choice_and_written_questions():
    for master in MASTERS:
        asked = assignments.questions(nbformat.read(master, as_version=4))
        assert sum(info["manual"] for info in asked.values()) == 1, master.name
        assert all(info["points"] > 0 for info in asked.values())


def _assert_student_notebook_and_autograder_zip(built, masters):
    for master in masters:
        name = master.stem
        assert sorted(p.name for p in (built / name / "student").iterdir()) == [f"{name}.ipynb"]
        with zipfile.ZipFile(built / name / "autograder" / f"{name}-autograder.zip") as archive:
            files = set(archive.namelist())
            config = json.loads(archive.read("otter_config.json"))
            environment = archive.read("environment.yml").decode()
        assert {"run_autograder", "setup.sh", "environment.yml", "files/questions.json"} <= files
        wheel = next(f for f in files if f.startswith("files/clipedu-") and f.endswith(".whl"))
        assert f"/autograder/source/{wheel}" in environment  # Gradescope installs the package it grades with
        assert "clipedu.course.autograding.TrustedGrading" in config["plugins"]
        assert {"clipedu.course.autograding.CellTimeout": {"seconds": 60}} in config["plugins"]
        assert config["show_hidden"] is False


def _assert_public_checks_only(built, masters):
    for master in masters:
        name = master.stem
        student = nbformat.read(built / name / "student" / f"{name}.ipynb", as_version=4)
        sources = [cell.source for cell in student.cells]
        asked = assignments.questions(nbformat.read(master, as_version=4))
        autograded = [q for q, info in asked.items() if not info["manual"]]
        assert [s for s in sources if s.startswith("public_check(")] == [
            f'public_check(grader, "{q}")' for q in autograded]
        assert not any("grader.check(" in s for s in sources)
        assert "Hidden tests grade the values after you submit" in " ".join(sources).replace("\n", " ")
        tests = student.metadata["otter"]["tests"]
        assert sorted(tests) == sorted(autograded)
        for source in tests.values():  # the notebook carries the public tests only
            assert "hidden=False" in source and "hidden=True" not in source


def _hidden_tests(zip_path):
    """(function name, source, {reference values}) of every hidden test case in an autograder zip."""
    found = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if not (name.startswith("tests/") and name.endswith(".py")):
                continue
            source = archive.read(name).decode()
            for node in ast.parse(source).body:
                decorator = node.decorator_list[0] if isinstance(node, ast.FunctionDef) else None
                hidden = decorator and any(k.arg == "hidden" and k.value.value is True for k in decorator.keywords)
                if not hidden:
                    continue
                references = []
                for statement in ast.walk(node):
                    if isinstance(statement, ast.Assign):
                        names = [t.id for t in ast.walk(statement.targets[0]) if isinstance(t, ast.Name)]
                        if "reference" in names:
                            value = ast.literal_eval(statement.value)
                            references.append(value[names.index("reference")] if len(names) > 1 else value)
                messages = [k.value.value for k in decorator.keywords if k.arg.endswith("_message")]
                found.append((node.name, ast.get_source_segment(source, node), references, messages))
    return found


def _spellings(value):
    """The ways a reference value could be written down."""
    if isinstance(value, str):
        return [f'= "{value}"', f"= '{value}'", f'== "{value}"', f"== '{value}'"]
    if isinstance(value, list):
        return [s for v in value for s in _spellings(v)]
    value = float(value)
    spellings = {repr(value), f"{value:.4g}", f"{value:.3e}", f"{value:.2e}", f"{value:.4f}"}
    if abs(value) >= 1:
        spellings.add(f"{value:.2f}")
    return sorted(s.replace("-", "") for s in spellings if len(s.strip("-0.")) >= 3)


def _secrets(built, masters):
    """Everything a student must not receive: hidden tests' names, code, messages and reference values,
    the solutions' code and the rubrics, for every assignment of ``masters``."""
    secrets = {}
    for master in masters:
        name = master.stem
        hidden = _hidden_tests(built / name / "autograder" / f"{name}-autograder.zip")
        asked = assignments.questions(nbformat.read(master, as_version=4))
        assert len(hidden) == sum(not q["manual"] for q in asked.values())  # one hidden test per question
        for function, source, references, messages in hidden:
            assert references, f"{function} names no reference value"
            secrets[f"{name}: {function} name"] = [function]
            secrets[f"{name}: {function} code"] = [line.strip() for line in source.splitlines()[1:]
                                                   if len(line.strip()) > 20]
            secrets[f"{name}: {function} messages"] = messages
            secrets[f"{name}: {function} references"] = [s for r in references for s in _spellings(r)]
        solution, inside = [], False
        for cell in nbformat.read(master, as_version=4).cells:
            if cell.cell_type == "raw":
                inside = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(cell.source.strip(), inside)
            elif inside and cell.cell_type == "markdown":
                solution += [line.strip() for line in cell.source.splitlines() if len(line.strip()) > 25]
            elif inside:
                block = False
                for line in cell.source.splitlines():
                    block = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(line.strip(), block)
                    if (block or line.endswith("# SOLUTION")) and len(line.strip()) > 20:
                        solution.append(line.replace("# SOLUTION", "").strip())
        secrets[f"{name}: solutions and rubric"] = solution
    return {what: [s for s in strings if s] for what, strings in secrets.items()}


def _texts(paths):
    """(where, text) of every file, notebooks also with their JSON escapes undone."""
    for path in paths:
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path.name}:{member}", archive.read(member).decode(errors="ignore")
            continue
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":
            # Execution timestamps are no answer, but their digits can hold one ("01:06:25.097" holds "5.09").
            notebook = json.loads(text)
            for cell in notebook["cells"]:
                cell.get("metadata", {}).pop("execution", None)
            text = json.dumps(notebook, indent=1, ensure_ascii=False)
            text += "\n" + text.replace('\\"', '"').replace("\\n", "\n")
        yield str(path), text


def _found(secrets, paths):
    texts = list(_texts(paths))
    return {(what, secret, where) for what, strings in secrets.items() for secret in strings
            for where, text in texts if secret in text.replace("-", "") or secret in text}


def _assert_no_hidden_answer_in_what_students_receive(built, masters):
    secrets = _secrets(built, masters)
    assert len(secrets) >= 10 * len(masters)
    (wheel,) = (built / GRADED / "autograder").glob("clipedu-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "clipedu/course/autograding.py" in archive.namelist()  # the installed package, as students get it
    received = [p for p in built.glob("*/student/**/*") if p.is_file()] + [wheel]
    received += sorted((ROOT / "solutions").glob("*.py")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(received) == len(masters) + 1 + len(list((ROOT / "solutions").glob("*.py"))) + len(list(
        (ROOT / "notebooks").glob("*.ipynb")))
    assert _found(secrets, received) == set()
    # The search finds them where they are: the instructor's solutions notebook and the autograder.
    autograder = [p for p in built.glob("*/autograder/*") if p.suffix in (".ipynb", ".zip")]
    for path in [p for p in autograder if p.suffix == ".zip"]:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(built / "extracted" / path.stem)
    autograder += [p for p in (built / "extracted").rglob("*.py")]
    missed = {what for what, strings in secrets.items() for s in strings} - {w for w, _, _ in _found(secrets,
                                                                                                      autograder)}
    assert missed == set()


def test_the_graded_assignment_has_a_student_notebook_with_public_checks_and_an_autograder_zip(built):
    _assert_student_notebook_and_autograder_zip(built, [GRADED_MASTER])
    _assert_public_checks_only(built, [GRADED_MASTER])


def test_no_hidden_answer_of_the_graded_assignment_in_what_students_receive(built):
    _assert_no_hidden_answer_in_what_students_receive(built, [GRADED_MASTER])


@pytest.mark.slow
def test_every_assignment_builds_with_public_checks_only_and_no_hidden_answer_where_students_look(tmp_path):
    built = _build(tmp_path, MASTERS)
    _assert_student_notebook_and_autograder_zip(built, MASTERS)
    _assert_public_checks_only(built, MASTERS)
    _assert_no_hidden_answer_in_what_students_receive(built, MASTERS)


def test_every_rubric_is_in_the_instructor_notes():
    notes = (ROOT / "docs" / "instructors.md").read_text()
    for master in MASTERS:
        cells = nbformat.read(master, as_version=4).cells
        rubrics = [c.source.split("**Model answer:**")[0] for c in cells
                   if c.cell_type == "markdown" and c.source.startswith("**Rubric")]
        assert len(rubrics) == 1, master.name
        for line in rubrics[0].splitlines()[1:]:
            assert " ".join(line.split()) in " ".join(notes.split()), line


def test_a_reference_that_the_solution_does_not_reproduce_stops_the_build(built, tmp_path):
    master = nbformat.read(GRADED_MASTER, as_version=4)
    for cell in master.cells:
        cell.source = cell.source.replace("5.088765225965691", "5.188765225965691")  # 0.1° off
    wrong = tmp_path / f"{GRADED}.ipynb"
    nbformat.write(master, wrong)
    (wheel,) = (built / GRADED / "autograder").glob("clipedu-*.whl")
    with pytest.raises(RuntimeError, match="q_turn: 0 of 3 points"):
        assignments.build(wrong, tmp_path / "out", wheel)


# The submissions: right, wrong, partly right, erroring, non-terminating, tampering, and one whose kernel dies.
# Each replaces the student notebook's answer cells.
TURN, STEP, PAIR = "turn = ...", "...\nstep_direction = ...", "...\nsame_pair = ..."
WRITTEN = "_Type your answer here, replacing this text._"
RIGHT_TURN = "turn = gradients.angle_between([kernel, bias], gradients.clip_by_norm([kernel, bias], 1.5))"
RIGHT_STEP = ("clipped = gradients.clip_by_value(np.array([0.2, -1.5, 0.9]), 0.5)[0]\n"
              "step_direction = -clipped / np.linalg.norm(clipped)")
SIGN_FLIPPED_STEP = "step_direction = [0.2722, -0.6804, 0.6804]"  # the direction of the gradient, not of the step
TAMPER = '''turn = 45.0
# Replace what grading might call, make otter pass every test, and rewrite (or read) the tests on disk.
import glob
import re

import otter
import otter.test_files.abstract_test
import otter.test_files.exception_test
from clipedu import gradients

gradients.angle_between = lambda *args, **kwargs: 45.0
gradients.clip_by_norm = lambda grads, threshold: grads


def check(*args, **kwargs):
    return "q_turn: Correct. Well done."


def public_check(*args, **kwargs):
    print("All tests passed!")


def test_turn_value(turn):
    pass


def passed(self, global_environment):
    self.test_case_results = [otter.test_files.abstract_test.TestCaseResult(test_case=case, message="", passed=True)
                              for case in self.test_cases]


otter.test_files.exception_test.ExceptionTestFile.run = passed
for path in glob.glob("tests/*.py") + glob.glob("../source/tests/*.py"):
    found = re.search(r"reference, tolerance = \\(?([-0-9.e]+)", open(path).read())
    if found:
        turn = float(found[1])
    question = path.split("/")[-1][:-3]
    with open(path, "w") as file:
        file.write(f"from otter.test_files import test_case\\nOK_FORMAT = False\\nname = {question!r}\\n"
                   "@test_case(points=3)\\ndef test_all():\\n    pass\\n")
turn'''
SUBMISSIONS = {
    "right": {TURN: RIGHT_TURN, STEP: RIGHT_STEP, PAIR: 'same_pair = "b"', WRITTEN: "Each tensor keeps its direction."},
    "wrong": {TURN: "turn = 0.0", STEP: SIGN_FLIPPED_STEP, PAIR: 'same_pair = "a"'},
    "partly": {TURN: "turn = 5.1", STEP: SIGN_FLIPPED_STEP, PAIR: 'same_pair = " B"'},
    "erroring": {TURN: "turn = gradients.angle_betwen([kernel, bias], [kernel, bias])", STEP: RIGHT_STEP,
                 PAIR: 'same_pair = "b"'},
    "nonterminating": {TURN: RIGHT_TURN, STEP: "while True:\n    pass", PAIR: 'same_pair = "b"'},
    "tampering": {TURN: TAMPER, STEP: "step_direction = [1.0, 0.0, 0.0]", PAIR: 'same_pair = "b"'},
    "crashing": {TURN: RIGHT_TURN, STEP: RIGHT_STEP, PAIR: 'same_pair = "b"\nimport os\n\nos._exit(1)'},
}
# Points written by hand: q_turn (3), q_step_direction (2), q_same_pair (2); total of 7. q_explain_turn is
# graded by hand: its column stays blank.
EXPECTED = {
    "right.ipynb": ["3", "2", "2", "7"],
    "wrong.ipynb": ["0", "0", "0", "0"],
    "partly.ipynb": ["3", "0", "2", "5"],  # 5.1 is within 0.05° of 5.089; " B" is the letter b
    "erroring.ipynb": ["0", "2", "2", "4"],  # its q_turn cell raised AttributeError; the cells after it ran
    "nonterminating.ipynb": ["3", "0", "2", "5"],  # its q_step_direction cell was stopped after 10 s
    "tampering.ipynb": ["0", "0", "2", "2"],  # only its honest answer counts
    "crashing.ipynb": ["3", "2", "0", "5"],  # its kernel died in the q_same_pair cell, before that check
}
NOTES = dict.fromkeys(EXPECTED, "") | {"crashing.ipynb": autograding.KERNEL_DIED}


def _submissions(student, folder):
    folder.mkdir()
    for name, answers in SUBMISSIONS.items():
        notebook = copy.deepcopy(student)
        for old, new in answers.items():
            (cell,) = [c for c in notebook.cells if old in c.source]
            cell.source = cell.source.replace(old, new)
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return folder


def _without_trusted_grading(zip_path, folder):
    plain = folder / "plain-autograder.zip"
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(plain, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "otter_config.json":
                config = json.loads(data)
                config["plugins"] = [p for p in config["plugins"] if p != "clipedu.course.autograding.TrustedGrading"]
                data = json.dumps(config)
            target.writestr(item, data)
    return plain


def _student_session(student, folder):
    """The public checks' outputs when a student runs the right answers in the notebook as handed out."""
    from clipedu.course import execution

    notebook = copy.deepcopy(student)
    for old, new in SUBMISSIONS["right"].items():
        (cell,) = [c for c in notebook.cells if old in c.source]
        cell.source = cell.source.replace(old, new)
    folder.mkdir()
    nbformat.write(notebook, folder / f"{GRADED}.ipynb")  # otter.Notebook reads its public tests from it
    execution.execute(notebook, folder, name=GRADED, timeout=120)
    return [output.data["text/plain"] for cell in notebook.cells if cell.source.startswith("public_check(")
            for output in cell.outputs]


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    """Runs at once: the folder of submissions graded into a CSV, one submission graded with its feedback,
    and the tampering submission graded by otter without TrustedGrading."""
    tmp = tmp_path_factory.mktemp("graded")
    assignment = built / GRADED
    student = nbformat.read(assignment / "student" / f"{GRADED}.ipynb", as_version=4)
    folder = _submissions(student, tmp / "submissions")
    command = [sys.executable, "-m", "clipedu.course.grade", str(assignment)]
    with ThreadPoolExecutor(4) as pool:
        session = pool.submit(_student_session, student, tmp / "student")
        whole = pool.submit(_run, [*command, str(folder), "-o", str(tmp / "grades.csv"), "--jobs", "2",
                                   "--cell-timeout", "10", "--timeout", "600"], timeout=1200)
        one = pool.submit(_run, [*command, str(folder / "partly.ipynb")], timeout=600)
        plain = pool.submit(grade.grade, _without_trusted_grading(
            assignment / "autograder" / f"{GRADED}-autograder.zip", tmp), folder / "tampering.ipynb")
        return {"folder": whole.result(), "csv": tmp / "grades.csv", "one": one.result(), "plain": plain.result(),
                "session": session.result()}


def test_a_student_sees_what_the_public_checks_checked_and_that_hidden_tests_grade_the_rest(graded):
    note = "They check the form of your answer only; hidden tests grade the rest after you submit."
    assert graded["session"] == [
        f"q_turn: 1 of 1 public checks passed. {note}\n  ✓ turn is one number between 0 and 90 (degrees)",
        f"q_step_direction: 1 of 1 public checks passed. {note}\n  ✓ step_direction is three numbers forming a "
        "unit vector",
        f"q_same_pair: 1 of 1 public checks passed. {note}\n  ✓ same_pair is one of the letters a, b, c, d"]


def test_a_folder_of_submissions_grades_into_a_csv_of_every_point(graded):
    assert graded["folder"].returncode == 0, graded["folder"].stdout + graded["folder"].stderr
    with open(graded["csv"], newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["submission", "q_turn", "q_step_direction", "q_same_pair", "total", "possible",
                       "q_explain_turn", "note"]
    assert {row[0]: row[1:] for row in rows[1:]} == {name: [*points, "7", "", NOTES[name]]
                                                      for name, points in EXPECTED.items()}
    assert "7 submissions graded" in graded["folder"].stdout


def test_the_tampering_submission_fools_otter_without_trusted_grading(graded):
    # The control: the same submission, graded by otter running the tests in the student's kernel.
    plain = graded["plain"]
    assert sum(plain.points.values()) > 7 and "All test cases passed!" in plain.feedback["q_turn"]


def test_one_submission_is_graded_with_its_feedback(graded):
    result = graded["one"]
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "partly.ipynb: 5 of 7 autograded points"
    assert "  q_step_direction: 0 of 2 points" in lines
    assert "    ✓ public: step_direction is three numbers forming a unit vector" in lines
    assert "    ✗ hidden: step_direction is not within 0.001 of the direction the weights move in" in lines
    assert "  q_explain_turn: graded by hand, 3 points (rubric: docs/instructors.md)" in lines
    assert "All test cases passed" not in result.stdout
    assert not re.search(r"0\.680|5\.08|def test_", result.stdout)  # no reference value, no test code


def test_the_grading_command_refuses_what_is_not_an_autograder(tmp_path):
    result = _run([sys.executable, "-m", "clipedu.course.grade", str(tmp_path), str(tmp_path)], timeout=60)
    assert result.returncode == 2
    assert "autograder must be an autograder zip or an assignment folder" in result.stderr
