import json
import re
import runpy
from pathlib import Path

import pytest

from clipedu.course.exercises import EXERCISES, check

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.py"))


def _answers():
    return {name: answer for path in SOLUTIONS for name, answer in runpy.run_path(str(path))["ANSWERS"].items()}


def _asked_in_notebooks():
    asked = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for name in re.findall(r'check\("([^"]+)"', "".join(cell["source"])):
                asked[name] = path.stem
    return asked


def test_every_solution_is_correct():
    answers = _answers()
    assert answers
    for name, answer in answers.items():
        feedback = check(name, answer)
        assert feedback.correct is True, repr(feedback)


def test_every_exercise_is_asked_in_its_notebook_and_has_a_solution():
    asked = _asked_in_notebooks()
    assert set(asked) == set(EXERCISES) == set(_answers())
    for name, notebook in asked.items():
        assert notebook.startswith(name.split(".")[0]), f"{name} is asked in {notebook}"
        assert (ROOT / "solutions" / f"{notebook}.py").exists()


@pytest.mark.parametrize("name, wrong, hint", [
    ("01.clip_by_value", [0.6, -2.0, 1.2], "off"),
    ("01.clip_by_value", [0.249, -0.830, 0.498], "clipnorm"),  # [0.6, -2, 1.2] / 2.408
    ("01.unturned_gradient", [0.5, 0.5], "unchanged"),
    ("01.unturned_gradient", [3.0, 1.5], "turns"),
    ("01.unturned_gradient", [0.0, 2.0], "non-zero"),
    ("01.per_tensor_norm", 1.0, "global_clipnorm"),
    ("01.per_tensor_norm", 5.0, "Hint"),
    ("02.longest_global_step", 0.1, "Hint"),
    ("02.longest_clipvalue_step", 0.01, "one weight"),
    ("01.keep_direction", "clipnorm", "ratio changes"),
    ("01.keep_direction", "clipvalue", "element by element"),
    ("02.threshold_from_log", 1.0, "clip healthy updates"),  # below 1.55, the largest from the 10th on
    ("02.threshold_from_log", 1e6, "never clips"),  # above the explosion, 7.75e5
    ("03.diagnose_loss", "capacity", "largest output"),
    ("04.stalled_critic", "more iterations", "sqrt(v + epsilon)"),
    ("05.gradient_profile", "raise", "grow or shrink"),
    ("06.which_method", "gradient penalty", "near 1"),
    ("06.which_method", "spectral normalization", "at 1"),
    ("06.scale_with_c", "n_critic", "more critic updates"),
    ("06.settle_dirac", "smaller c", "move that slider"),
])
def test_wrong_answers_are_told_what_is_wrong(name, wrong, hint):
    feedback = check(name, wrong)
    assert feedback.correct is False
    assert hint in feedback.message
    assert "Not yet" in repr(feedback)


def test_no_answer_and_malformed_answers():
    assert check("01.per_tensor_norm", None).correct is None
    malformed = check("01.per_tensor_norm", "about one")
    assert malformed.correct is False and "one finite number" in malformed.message
    assert check("01.clip_by_value", [1, 2]).correct is False
    with pytest.raises(ValueError, match="name must be one of"):
        check("99.nothing", 1.0)
    unknown = check("05.gradient_profile", "keep")
    assert unknown.correct is False and "one of ['lower', 'raise']" in unknown.message
