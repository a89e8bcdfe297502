"""The WGAN clinic: its instruments, its behaviour checks, each planted bug's symptom, and the graded
assignment, which must grade a fully fixed, a partly fixed and an unfixed submission correctly."""

import inspect
import json
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from clipedu import clinic
from clipedu import clinic_cases as cases
from clipedu.course import clinic_grading

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = runpy.run_path(str(ROOT / "solutions" / "10_wgan_clinic.py"))


def test_correct_updates_pass_every_check():
    assert clinic.passed(clinic.check_loop(clinic.clip_update, "clip", seed=1))
    assert clinic.passed(clinic.check_loop(clinic.penalty_update, "penalty", seed=1))


@pytest.mark.parametrize("name, failing", [
    ("case_1", {"weights within ±c after every update", "the update is Algorithm 1's"}),
    ("case_2", {"weights within ±c after every update", "the update is Algorithm 1's"}),
    ("case_3", {"weights within ±c after every update", "the update is Algorithm 1's",
                "plain RMSprop, no gradient clipping"}),
    ("case_4", {"α within [0, 1]"}),
    ("case_5", {"interpolates on their segments"}),
    ("case_6", {"finite at a zero input gradient"}),
    ("case_7", {"the gradient is WGAN-GP's"}),
    ("case_8", {"the gradient is WGAN-GP's"}),
])
def test_each_case_fails_exactly_the_checks_of_its_bug(name, failing):
    case = cases.CASES[name]
    verdicts = clinic.check_loop(case.update, case.method, seed=2, make_optimizer=case.make_optimizer)
    assert {v.name for v in verdicts if not v.passed} == failing


def test_one_alpha_for_the_whole_batch_is_caught():
    import keras

    def one_alpha(critic, optimizer, real, fake, step, seed):
        return _penalty_at(critic, optimizer, real, fake, keras.random.uniform((1, 1), seed=seed))  # mlpack's ε

    verdicts = clinic.check_loop(one_alpha, "penalty", seed=0)
    assert {v.name for v in verdicts if not v.passed} == {"one α per example"}


def _kernels_only_clip(critic, optimizer, real, fake, step, seed):
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
    variables = critic.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)
    for variable in variables:
        if len(variable.shape) == 2:  # the bug: the biases are never clipped
            variable.assign(keras.ops.clip(variable, -clinic.C, clinic.C))


@pytest.mark.parametrize("seed", [0, 7])
def test_a_clip_of_the_kernels_only_is_caught(seed):
    verdicts = clinic.check_loop(_kernels_only_clip, "clip", seed=seed)
    assert "weights within ±c after every update" in {v.name for v in verdicts if not v.passed}
    assert clinic.passed(clinic.check_loop(clinic.clip_update, "clip", seed=seed))


def test_gradient_clipping_in_the_optimizer_is_caught():
    import keras

    for clipping in ({"clipvalue": clinic.C}, {"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
        verdicts = clinic.check_loop(clinic.clip_update, "clip", seed=0,
                                     make_optimizer=lambda c=clipping: keras.optimizers.RMSprop(5e-4, **c))
        (failed,) = [v for v in verdicts if not v.passed]
        assert failed.name == "plain RMSprop, no gradient clipping" and next(iter(clipping)) in failed.measured


def test_any_plain_rmsprop_learning_rate_passes():
    import keras

    for rate in (5e-5, 5e-4):
        verdicts = clinic.check_loop(clinic.clip_update, "clip", seed=0,
                                     make_optimizer=lambda rate=rate: keras.optimizers.RMSprop(rate))
        assert clinic.passed(verdicts), verdicts
    adam = clinic.check_loop(clinic.clip_update, "clip", seed=0, make_optimizer=lambda: keras.optimizers.Adam(5e-4))
    assert {v.name for v in adam if not v.passed} == {"the update is Algorithm 1's",
                                                       "plain RMSprop, no gradient clipping"}


def _penalty_at(critic, optimizer, real, fake, alpha):
    import keras
    import tensorflow as tf

    interpolates = alpha * real + (1 - alpha) * fake
    with tf.GradientTape() as tape:
        with tf.GradientTape() as inner:
            inner.watch(interpolates)
            scores = critic(interpolates)
        norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(inner.gradient(scores, interpolates)), axis=1) + 1e-12)
        loss = (keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real))
                + clinic.PENALTY_WEIGHT * keras.ops.mean(keras.ops.square(norms - 1.0)))
    optimizer.apply(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)
    return {"loss": loss}


def test_segment_position():
    real, fake = np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 2.0]])
    alpha, distance = clinic.segment_position([[0.25, 0.0], [1.0, 1.0]], real, fake)
    np.testing.assert_allclose(alpha, [0.25, 0.5])
    np.testing.assert_allclose(distance, [0.0, 1.0])


def test_train_reads_the_instruments_and_is_repeatable():
    runs = clinic.train(cases.case_1, "clip", seeds=[0, 0], iterations=2)
    a, b = runs
    assert len(a.max_weight) == 2 * clinic.N_CRITIC
    np.testing.assert_array_equal(a.max_weight, b.max_weight)  # the same seed, the same run
    assert np.any(a.max_weight > clinic.C) and a.alphas[0].size == 0
    (penalty,) = clinic.train(clinic.penalty_update, "penalty", seeds=[3], iterations=1)
    assert all(len(s) == clinic.BATCH for s in penalty.slopes)
    assert np.all(penalty.distances[0] < 1e-5) and np.all((penalty.alphas[0] >= 0) & (penalty.alphas[0] <= 1))
    assert np.all(np.isfinite(penalty.penalty))


def test_zero_gradient_probe():
    assert clinic.finite_at_zero_gradient(clinic.penalty_update, [0, 1]) == [True, True]
    assert clinic.finite_at_zero_gradient(cases.case_6, [0, 1]) == [False, False]


def test_checks_reject_bad_arguments():
    with pytest.raises(ValueError, match="method must be one of"):
        clinic.check_loop(clinic.clip_update, "spectral")
    with pytest.raises(ValueError, match="case must be one of"):
        clinic_grading.grade_source("case_9", "", 0)


# The graded assignment: its hidden tests, run on three submissions.

MASTER = ROOT / "assignments" / "10_wgan_clinic.ipynb"


def _hidden_tests():
    """{question: (points, test function)} from the master notebook's hidden test cells."""
    cells = json.loads(MASTER.read_text())["cells"]
    tests, question, points = {}, None, None
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw" and source.startswith("# BEGIN QUESTION"):
            question = re.search(r"name: (\w+)", source)[1]
            points = float(re.search(r"points: (\d+)", source)[1])
        if cell["cell_type"] == "code" and "hidden: true" in source:
            namespace = {}
            exec(source, namespace)
            (function,) = [v for k, v in namespace.items() if k.startswith("test_")]
            tests[question] = (points, function)
    return tests


def _source(function, name):
    """A function's source, renamed to what the assignment asks for."""
    source = inspect.getsource(function)
    return re.sub(r"^def \w+\(", f"def {name}(", source, count=1)


def _submission(fixed):
    """The values a submission's cells leave: ``fixed`` cases get the worked answers, the others the
    buggy updates as handed out."""
    values = {}
    for name in clinic_grading.QUESTIONS:
        if name == "case_3":
            pair = SOLUTIONS["ANSWERS"]["10.case_3"] if "case_3" in fixed else (cases.case_3_optimizer, cases.case_3)
            if fixed.get("case_3") == "half":  # clipvalue removed, but still no weight clipped
                pair = (SOLUTIONS["case_3_optimizer_fixed"], cases.case_3)
            values["case_3_source"] = (_source(pair[0], "fixed_case_3_optimizer") + "\n"
                                       + _source(pair[1], "fixed_case_3"))
        else:
            update = SOLUTIONS["ANSWERS"][f"10.{name}"] if name in fixed else getattr(cases, name)
            values[f"{name}_source"] = _source(update, f"fixed_{name}")
    return values


@pytest.fixture
def in_process(monkeypatch):
    """The hidden tests' re-runs, in this process (one fresh process per question is slow for a unit test;
    test_rerun_in_a_fresh_process checks that it gives the same verdicts)."""
    graded = {}

    def rerun(case, source, seed):
        if (case, source, seed) not in graded:
            graded[case, source, seed] = clinic_grading.grade_source(case, source, seed)
        return graded[case, source, seed]

    monkeypatch.setattr(clinic_grading, "rerun", rerun)


def _score(tests, values):
    earned = 0.0
    for question, (points, test) in tests.items():
        try:
            test(values[f"{question.removeprefix('q_')}_source"])
            earned += points
        except AssertionError:
            pass
    return earned


def test_the_assignment_grades_full_partial_and_unfixed_submissions(in_process):
    tests = _hidden_tests()
    assert set(tests) == {f"q_{name}" for name in clinic_grading.QUESTIONS}
    total = sum(points for points, _ in tests.values())
    helpers = {"_clipped_update": SOLUTIONS["_clipped_update"], "_penalty_update": SOLUTIONS["_penalty_update"]}

    def with_helpers(values):  # the worked answers call two helpers of the solutions file: inline their source
        extra = "\n".join(inspect.getsource(f) for f in helpers.values())
        return {k: extra + "\n" + v for k, v in values.items()}

    everything = with_helpers(_submission({name: True for name in clinic_grading.QUESTIONS}))
    assert _score(tests, everything) == total
    partly = with_helpers(_submission({"case_1": True, "case_4": True, "case_7": True, "case_3": "half"}))
    assert _score(tests, partly) == 3 * 2  # cases 1, 4 and 7; case 3 half fixed earns nothing
    assert _score(tests, _submission({})) == 0


def test_rerun_in_a_fresh_process():
    source = inspect.getsource(cases.case_1).replace("def case_1(", "def fixed_case_1(")
    verdicts = clinic_grading.rerun("case_1", source, 7)
    assert [list(v) for v in verdicts] == clinic_grading.grade_source("case_1", source, 7)
    assert not all(passed for _, passed, _ in verdicts)
    broken = clinic_grading.rerun("case_1", "def fixed_case_1(:\n", 7)
    assert broken[0][:2] == ("the update runs", False)
