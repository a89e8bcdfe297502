"""otter-grader plugins that make a graded notebook's points depend on its answers only.

otter-grader 7.0 runs a submission's cells, then its tests, in one kernel: the student's. Code in the
notebook can replace what the tests call (otter itself included), read the hidden tests from disk,
and a cell that never ends stops grading altogether. The assignments built by
``clipedu.course.assignments`` use two plugins, named in their ``otter_config.json``:

- ``CellTimeout``: every cell gets ``seconds`` of wall time; a cell over it raises ``TimeoutError``
  in the kernel, and execution goes on with the next cell, so the other questions are still graded.
- ``TrustedGrading``: reads the tests into otter's own process and deletes them from disk before
  the student's code runs; after each check cell, and at the end, the kernel writes the values of
  the variables the tests take, as plain JSON (numbers, strings, lists). The tests then run here, in
  otter's process, on those values: whatever the student's code replaced in the kernel, only the
  answers count. A question is graded on its variables as they were after its last check cell, or at
  the end of the notebook if no check cell of it ran. A notebook whose kernel dies (``os._exit``)
  is graded on what it answered before.

Test functions must therefore take the answers as named arguments (not ``env``) and use nothing
but builtins. These modules hold no answers: the tests come from the autograder zip.
"""

import glob
import inspect
import json
import os
import re
import tempfile

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.test_files.abstract_test import TestCaseResult
from otter.test_files.exception_test import ExceptionTestFile

from clipedu.course.public_checks import FAILED, PASSED, public_lines

WATCHDOG = '''\
def _clipedu_cell_timeout(seconds={seconds!r}):
    import signal

    def interrupt(signum, frame):
        raise TimeoutError(f"this cell ran longer than {{seconds}} s; grading goes on with the next cell")

    signal.signal(signal.SIGALRM, interrupt)
    shell = get_ipython()
    shell.events.register("pre_run_cell", lambda info: signal.setitimer(signal.ITIMER_REAL, seconds))
    shell.events.register("post_run_cell", lambda result: signal.setitimer(signal.ITIMER_REAL, 0))


_clipedu_cell_timeout()
del _clipedu_cell_timeout
'''

DUMP = '''\
def _clipedu_dump(question, names, moment, path={path!r}):
    import json
    import numbers

    def plain(value, depth=0):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, numbers.Real):
            return float(value)
        if hasattr(value, "numpy"):
            value = value.numpy()
        if hasattr(value, "tolist"):
            value = value.tolist()
        if isinstance(value, (int, float, str)):
            return plain(value, depth)
        if isinstance(value, (list, tuple)) and depth < 4 and len(value) <= 10000:
            return [plain(v, depth + 1) for v in value]
        return None

    values = {{}}
    for name in names:
        if name in globals():
            try:
                values[name] = plain(globals()[name])
            except Exception:
                values[name] = None
    with open(path, "a") as file:
        file.write(json.dumps({{"question": question, "moment": moment, "values": values}}) + "\\n")


{calls}
del _clipedu_dump
'''

KERNEL_DIED = "The notebook's kernel died before its end; questions not checked before then got 0 points."
_dead_kernels = []  # set by the ExecutePreprocessor that TrustedGrading wraps, read after grading


def _survive_a_dead_kernel():
    """Makes otter's notebook execution end, instead of fail, when the kernel dies: the cells that ran count."""
    from nbclient.exceptions import DeadKernelError
    from nbconvert.preprocessors import ExecutePreprocessor

    execute = ExecutePreprocessor.preprocess
    if getattr(execute, "survives_a_dead_kernel", False):
        return

    def preprocess(self, nb, resources=None, km=None):
        try:
            return execute(self, nb, resources, km)
        except DeadKernelError:
            _dead_kernels.append(True)
            return nb, resources

    preprocess.survives_a_dead_kernel = True
    ExecutePreprocessor.preprocess = preprocess


CHECK_CALL = re.compile(r"""check\(\s*(?:[\w.]+\s*,\s*)?["'](\w+)["']""")


class GradedTestFile(ExceptionTestFile):
    """An otter test file whose summaries say what was checked, never "all test cases passed"."""

    def summary(self, public_only=False):
        if public_only:
            return "\n".join(public_lines(self))
        lines = [f"{self.name}: {self.score:g} of {self.possible:g} points"]
        for result in self.test_case_results:
            case = result.test_case
            message = case.success_message if result.passed else case.failure_message
            kind = "hidden" if case.hidden else "public"
            lines.append(f"  {PASSED if result.passed else FAILED} {kind}: {message or case.name}")
        return "\n".join(lines)

    def run_on(self, values):
        """Runs every test case on ``values`` (a dict of plain data), here, in this process."""
        self.test_case_results = []
        for case in self.test_cases:
            try:
                case.body.call_func(values)
                passed, message = True, "passed"
            except Exception as error:  # a failed assert, or an answer of the wrong kind
                passed, message = False, f"failed ({type(error).__name__})"
            self.test_case_results.append(TestCaseResult(test_case=case, message=message, passed=passed))
        return self


def test_arguments(test_file):
    """The names of the variables that the test cases of an otter test file take."""
    names = set()
    for case in test_file.test_cases:
        parameters = inspect.signature(case.body.test_func).parameters
        if "env" in parameters:
            raise ValueError(f"{test_file.name}: a test takes `env`; name the variables it needs instead")
        names.update(parameters)
    return sorted(names)


class CellTimeout(AbstractOtterPlugin):
    """Interrupts a cell after ``seconds`` (plugin configuration, default 60) and goes on with the next."""

    def before_execution(self, submission):
        seconds = float((self.plugin_config or {}).get("seconds", 60))
        if not seconds > 0:
            raise ValueError(f"CellTimeout: seconds must be positive, got {seconds!r}")
        submission.cells.insert(0, nbformat.v4.new_code_cell(WATCHDOG.format(seconds=seconds)))
        return submission


class TrustedGrading(AbstractOtterPlugin):
    """Grades from the answers' plain values, in otter's process, with tests read before the student's code ran."""

    def before_execution(self, submission):
        _survive_a_dead_kernel()
        _dead_kernels.clear()
        self.tests = {}
        for path in sorted(glob.glob(os.path.join("tests", "*.py"))):
            with open(path) as file:
                source = file.read()
            test_file = GradedTestFile.from_string(source, path=path)
            self.tests[test_file.name] = test_file
        for pattern in (os.path.join("tests", "*.py"), os.path.join("..", "source", "tests", "*.py")):
            for path in glob.glob(pattern):
                os.remove(path)  # the student's kernel cannot read what it is graded against
        names = {question: test_arguments(test_file) for question, test_file in self.tests.items()}
        fd, self.dump_path = tempfile.mkstemp(suffix=".jsonl")
        os.close(fd)

        def dump(questions, moment):
            calls = "\n".join(f"_clipedu_dump({q!r}, {names[q]!r}, {moment!r})" for q in questions)
            return nbformat.v4.new_code_cell(DUMP.format(path=self.dump_path, calls=calls))

        cells = []
        for cell in submission.cells:
            cells.append(cell)
            if cell.cell_type == "code":
                checked = [q for q in dict.fromkeys(CHECK_CALL.findall(cell.source)) if q in names]
                if checked:
                    cells.append(dump(checked, "check"))
        cells.append(dump(sorted(names), "end"))
        submission.cells = cells
        return submission

    def after_grading(self, results):
        answers = {}
        try:
            with open(self.dump_path) as file:
                lines = file.read().splitlines()
            os.remove(self.dump_path)
        except OSError:
            lines = []
        for line in lines:
            try:
                entry = json.loads(line)
                question, moment, values = entry["question"], entry["moment"], dict(entry["values"])
            except (ValueError, KeyError, TypeError):
                continue
            if moment == "check" or answers.get(question, ("end",))[0] == "end":
                answers[question] = (moment, values)
        results.results = {question: test_file.run_on(answers.get(question, (None, {}))[1])
                           for question, test_file in self.tests.items()}
        results._catastrophic_error = None  # the kernel's own results, if any, are not used
        if _dead_kernels:
            results.output = KERNEL_DIED
