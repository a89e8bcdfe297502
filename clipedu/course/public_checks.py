"""What a graded notebook's public tests say: what they checked, never "all tests passed".

otter-grader's ``grader.check("q")`` answers "All test cases passed!" when the public tests pass,
though hidden tests still grade the answer after submission (otter-grader#138, #383). In the
notebooks built by ``clipedu.course.assignments`` the check cells call ``public_check`` instead:

    q_turn: 1 of 1 public checks passed. They check the form of your answer only; hidden tests
    grade the rest after you submit.
      ✓ turn is one number between 0 and 90 (degrees)
"""

import inspect

HIDDEN_NOTE = "They check the form of your answer only; hidden tests grade the rest after you submit."
PASSED, FAILED = "✓", "✗"


def public_lines(test_file):
    """The lines that describe the public test cases of an otter test file that has run."""
    results = [r for r in test_file.test_case_results if not r.test_case.hidden]
    passed = sum(r.passed for r in results)
    lines = [f"{test_file.name}: {passed} of {len(results)} public checks passed. {HIDDEN_NOTE}"]
    for result in results:
        case = result.test_case
        message = case.success_message if result.passed else case.failure_message
        lines.append(f"  {PASSED if result.passed else FAILED} {message or case.name}")
    return lines


class PublicResult:
    """The outcome of a question's public tests, shown as the lines of ``public_lines``."""

    def __init__(self, test_file):
        self.test_file = test_file

    @property
    def passed(self):
        """Whether every public test case passed."""
        return all(r.passed for r in self.test_file.test_case_results if not r.test_case.hidden)

    def __repr__(self):
        return "\n".join(public_lines(self.test_file))


def public_check(grader, question):
    """Runs the public tests of ``question`` on the caller's variables; returns a PublicResult.

    Args:
        grader: the notebook's ``otter.Notebook``.
        question: the question's name, e.g. ``"q_turn"``.
    """
    caller = inspect.currentframe().f_back.f_globals  # otherwise otter reads this module's globals
    return PublicResult(grader.check(question, global_env=caller))
