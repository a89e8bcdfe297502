"""Grading submissions of an assignment with otter-grader, locally, without Docker.

    python -m clipedu.course.grade AUTOGRADER SUBMISSION.ipynb        # one submission, with its feedback
    python -m clipedu.course.grade AUTOGRADER FOLDER [-o grades.csv]  # every .ipynb (or .zip) in FOLDER

AUTOGRADER is an assignment's autograder zip, or its folder ``build/assignments/<name>``. Each
submission runs through ``otter run`` in a process of its own, in this Python environment (which
needs clipedu and otter-grader, as ``make assignments`` installs them): its cells in a kernel of
their own, each cell interrupted after the assignment's cell timeout (``--cell-timeout`` changes it),
the whole submission stopped after ``--timeout`` seconds. The tests run in otter's process on the
answers' values (``clipedu.course.autograding``). A submission that does not run to the end gets 0
for what it did not answer, and a submission that could not be graded at all gets 0 everywhere and a
note saying why.

The CSV has one row per submission: a column per autograded question, ``total`` and ``possible``
(autograded points), a blank column per question graded by hand, and ``note``.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

QUESTIONS_FILE = "files/questions.json"
PLUGIN = "clipedu.course.autograding.CellTimeout"


@dataclass
class Grade:
    """The points of one submission, per autograded question, and otter's feedback on each."""

    submission: str
    points: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)
    note: str = ""
    seconds: float = 0.0


def autograder_zip(path):
    """The autograder zip at ``path``, or in an assignment folder ``<path>/autograder/<name>-autograder.zip``."""
    path = Path(path)
    if path.is_dir():
        path = path / "autograder" / f"{path.name}-autograder.zip"
    if path.suffix != ".zip" or not path.is_file():
        raise ValueError(f"autograder must be an autograder zip or an assignment folder, got {str(path)!r}")
    return path


def questions(zip_path):
    """``{name: {"points": p, "manual": bool}}`` for each question of the assignment, from its autograder."""
    with zipfile.ZipFile(zip_path) as archive:
        if QUESTIONS_FILE in archive.namelist():
            return json.loads(archive.read(QUESTIONS_FILE))
        from clipedu.course.autograding import GradedTestFile

        tests = [GradedTestFile.from_string(archive.read(n).decode(), path=n)
                 for n in sorted(archive.namelist()) if n.startswith("tests/") and n.endswith(".py")]
    return {t.name: {"points": t.possible, "manual": False} for t in tests}


def with_cell_timeout(zip_path, seconds, folder):
    """A copy of the autograder whose CellTimeout plugin interrupts cells after ``seconds``."""
    copy = Path(folder, zip_path.name)
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "otter_config.json":
                config = json.loads(data)
                config["plugins"] = [p for p in config.get("plugins", [])
                                     if not (p == PLUGIN or isinstance(p, dict) and PLUGIN in p)]
                config["plugins"].append({PLUGIN: {"seconds": seconds}})
                data = json.dumps(config, indent=2)
            target.writestr(item, data)
    return copy


def grade(zip_path, submission, *, timeout=900):
    """Grades one submission with ``otter run``; returns its Grade."""
    submission = Path(submission)
    result = Grade(submission.name)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", out, "--no-logo",
                   str(submission)]
        # A session of its own, so that the kernel and whatever it started are stopped with it.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
            if process.returncode != 0:
                lines = output.strip().splitlines() or ["no output"]
                result.note = f"otter run failed: {lines[-1][:200]}"
        except subprocess.TimeoutExpired:
            result.note = f"not graded: did not finish within {timeout:g} s"
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.communicate()
        path = Path(out, "results.json")
        if path.exists():
            graded = json.loads(path.read_text())
            if graded.get("output") and not result.note:
                result.note = graded["output"]
            for test in graded.get("tests", []):
                if "max_score" in test:
                    result.points[test["name"]] = test["score"]
                    result.feedback[test["name"]] = test.get("output", "")
                elif test.get("name") == "Autograder Failed" and not result.note:
                    result.note = "not graded: otter found no results"
        elif not result.note:
            result.note = "not graded: otter wrote no results"
    result.seconds = time.monotonic() - start
    return result


def grade_all(zip_path, submissions, *, jobs=2, timeout=900):
    """Grades ``submissions``, ``jobs`` at a time; returns their Grades in the same order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda s: grade(zip_path, s, timeout=timeout), submissions))


def rows(grades, asked):
    """CSV rows: one per Grade, every autograded question with a number (0 when not graded)."""
    auto = [q for q, info in asked.items() if not info["manual"]]
    manual = [q for q, info in asked.items() if info["manual"]]
    possible = sum(asked[q]["points"] for q in auto)
    table = []
    for g in grades:
        row = {"submission": g.submission, **{q: _number(g.points.get(q, 0)) for q in auto}}
        row["total"] = _number(sum(g.points.get(q, 0) for q in auto))
        row["possible"] = _number(possible)
        row.update(dict.fromkeys(manual, ""))
        row["note"] = g.note
        table.append(row)
    return ["submission", *auto, "total", "possible", *manual, "note"], table


def _number(value):
    return int(value) if float(value).is_integer() else round(float(value), 4)


def write_csv(path, grades, asked):
    """Writes the gradebook of ``grades`` to ``path``."""
    header, table = rows(grades, asked)
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerows(table)


def feedback(result, asked):
    """The text report of one Grade: its points per question and what each test found."""
    auto = [q for q, info in asked.items() if not info["manual"]]
    total = sum(result.points.get(q, 0) for q in auto)
    possible = sum(asked[q]["points"] for q in auto)
    lines = [f"{result.submission}: {_number(total)} of {_number(possible)} autograded points"]
    if result.note:
        lines.append(f"  note: {result.note}")
    for q in auto:
        text = result.feedback.get(q) or f"{q}: 0 of {_number(asked[q]['points'])} points (not graded)"
        lines += ["  " + line for line in text.splitlines()]
    for q, info in asked.items():
        if info["manual"]:
            lines.append(f"  {q}: graded by hand, {_number(info['points'])} points (rubric: docs/instructors.md)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m clipedu.course.grade", description=__doc__.split("\n")[0])
    parser.add_argument("autograder", help="an autograder zip, or an assignment folder build/assignments/<name>")
    parser.add_argument("submissions", help="one submission (.ipynb), or a folder of them")
    parser.add_argument("-o", "--output", default="grades.csv", help="the CSV for a folder (default: grades.csv)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: one per CPU)")
    parser.add_argument("--cell-timeout", type=float, help="seconds a cell may run (default: the assignment's)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a whole submission may run")
    args = parser.parse_args(argv)
    try:
        zip_path = autograder_zip(args.autograder)
    except ValueError as error:
        parser.error(str(error))
    asked = questions(zip_path)
    target = Path(args.submissions)
    with tempfile.TemporaryDirectory() as tmp:
        if args.cell_timeout is not None:
            zip_path = with_cell_timeout(zip_path, args.cell_timeout, tmp)
        if target.is_dir():
            submissions = sorted(p for p in target.iterdir() if p.suffix in (".ipynb", ".zip"))
            if not submissions:
                parser.error(f"no .ipynb or .zip submissions in {target}")
            start = time.monotonic()
            grades = grade_all(zip_path, submissions, jobs=args.jobs, timeout=args.timeout)
            for g in grades:
                total = sum(g.points.get(q, 0) for q, info in asked.items() if not info["manual"])
                note = f" ({g.note})" if g.note else ""
                print(f"{g.submission}: {_number(total)} points in {g.seconds:.0f} s{note}")
            write_csv(args.output, grades, asked)
            print(f"{len(grades)} submissions graded in {time.monotonic() - start:.0f} s: {args.output}")
        elif target.suffix in (".ipynb", ".zip") and target.is_file():
            print(feedback(grade(zip_path, target, timeout=args.timeout), asked))
        else:
            parser.error(f"submissions must be a .ipynb or .zip file or a folder, got {str(target)!r}")


if __name__ == "__main__":
    main()
