"""The WGAN clinic: its instruments, its behaviour checks, each planted bug's symptom, and the graded
assignment, which must grade a fully fixed, a partly fixed and an unfixed submission correctly."""

import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest

from clipedu import clinic
from clipedu import clinic_cases as cases
from clipedu.course import clinic_grading

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZER_CHECK = "the loop's RMSprop(5e-4), no gradient clipping"


def test_correct_updates_pass_every_check():
    assert clinic.passed(clinic.check_loop(clinic.clip_update, "clip", seed=1))
    assert clinic.passed(clinic.check_loop(clinic.penalty_update, "penalty", seed=1))


@pytest.mark.parametrize("name, failing", [
    ("case_1", {"weights within ±c after every update", "the update is Algorithm 1's"}),
    ("case_2", {"weights within ±c after every update", "the update is Algorithm 1's"}),
    ("case_3", {"weights within ±c after every update", "the update is Algorithm 1's", OPTIMIZER_CHECK}),
    ("case_4", {"α ~ U[0, 1]"}),
    ("case_5", {"interpolates on their segments", "α ~ U[0, 1]", "one α per example"}),
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
    assert {v.name for v in verdicts if not v.passed} == {"α ~ U[0, 1]", "one α per example"}


def _alpha_update(draw):
    def update(critic, optimizer, real, fake, step, seed):
        return _penalty_at(critic, optimizer, real, fake, draw(real, seed))
    return update


@pytest.mark.parametrize("label, draw, failing", [
    ("N(0, 1), case 4's", lambda real, seed: __import__("keras").random.normal((real.shape[0], 1), seed=seed),
     "α ~ U[0, 1]"),
    ("U[0, 0.5]", lambda real, seed: __import__("keras").random.uniform((real.shape[0], 1), 0.0, 0.5, seed=seed),
     "α ~ U[0, 1]"),
    ("U[0, 0.9]", lambda real, seed: __import__("keras").random.uniform((real.shape[0], 1), 0.0, 0.9, seed=seed),
     "α ~ U[0, 1]"),
    ("U[0.02, 0.98]", lambda real, seed: __import__("keras").random.uniform((real.shape[0], 1), 0.02, 0.98, seed=seed),
     "α ~ U[0, 1]"),
    ("N(0.5, 0.25²)", lambda real, seed: __import__("keras").random.normal((real.shape[0], 1), 0.5, 0.25, seed=seed),
     "α ~ U[0, 1]"),
    ("per pixel", lambda real, seed: __import__("keras").random.uniform(real.shape, seed=seed), "one α per example"),
])
@pytest.mark.parametrize("seed", [0, 7])
def test_wrong_alpha_distributions_are_rejected(label, draw, failing, seed):
    verdicts = clinic.check_loop(_alpha_update(draw), "penalty", seed=seed)
    assert failing in {v.name for v in verdicts if not v.passed}, (label, verdicts)


def _numpy_alpha(critic, optimizer, real, fake, step, seed):
    """α drawn with numpy, as code ported from PyTorch may draw it: fresh on every eager call, but drawn once,
    when the update is traced, in the clinic's compiled loop."""
    return _penalty_at(critic, optimizer, real, fake, np.random.uniform(size=(real.shape[0], 1)).astype("float32"))


@pytest.mark.parametrize("seed", [0, 7])
def test_alpha_drawn_with_numpy_is_caught_as_train_runs_it(seed):
    verdicts = clinic.check_loop(_numpy_alpha, "penalty", seed=seed)
    assert "α ~ U[0, 1]" in {v.name for v in verdicts if not v.passed}, verdicts
    # the same 64 values at every update of train, on every seed
    (run,) = clinic.train(_numpy_alpha, "penalty", seeds=[seed], iterations=1)
    np.testing.assert_allclose(run.alphas[0], run.alphas[-1], atol=1e-4)
    assert clinic.passed(clinic.check_loop(clinic.penalty_update, "penalty", seed=seed))


def test_a_clip_that_runs_only_eagerly_fails_as_it_would_in_train():
    def eager_clip(critic, optimizer, real, fake, step, seed):
        result = clinic.unclipped_update(critic, optimizer, real, fake, step, seed)
        critic.set_weights([np.clip(w, -clinic.C, clinic.C) for w in critic.get_weights()])
        return result

    with pytest.raises(NotImplementedError):  # get_weights calls .numpy(), which a traced update cannot
        clinic.train(eager_clip, "clip", seeds=[0], iterations=1)
    with pytest.raises(NotImplementedError):  # get_weights calls .numpy(), which a traced update cannot
        clinic.check_loop(eager_clip, "clip", seed=0)


@pytest.mark.parametrize("scale", ["sum / 64", "λ / 64 × sum"])
def test_a_penalty_divided_by_a_fixed_64_is_caught_at_another_batch_size(scale):
    import keras
    import tensorflow as tf

    def fixed_64(critic, optimizer, real, fake, step, seed):
        alpha = keras.random.uniform((real.shape[0], 1), seed=seed)
        interpolates = alpha * real + (1 - alpha) * fake
        with tf.GradientTape() as tape:
            with tf.GradientTape() as inner:
                inner.watch(interpolates)
                scores = critic(interpolates)
            norms = keras.ops.sqrt(keras.ops.sum(keras.ops.square(inner.gradient(scores, interpolates)), axis=1)
                                   + 1e-12)
            summed = keras.ops.sum(keras.ops.square(norms - 1.0))
            penalty = (clinic.PENALTY_WEIGHT * summed / 64 if scale == "sum / 64"
                       else clinic.PENALTY_WEIGHT / 64 * summed)
            loss = keras.ops.mean(critic(fake)) - keras.ops.mean(critic(real)) + penalty
        optimizer.apply(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)

    verdicts = clinic.check_loop(fixed_64, "penalty", seed=0)
    (failed,) = [v for v in verdicts if not v.passed]
    assert failed.name == "the gradient is WGAN-GP's", verdicts
    assert f"at m = {clinic.SMALL_BATCH}" in failed.measured


def test_uniform_alpha_passes_on_many_seeds():
    """The Kolmogorov–Smirnov limit rejects a correct U[0, 1] draw with probability about 1e-4 per seed."""
    for seed in range(12):
        verdicts = clinic.check_loop(clinic.penalty_update, "penalty", seed=seed)
        assert clinic.passed(verdicts), (seed, verdicts)


def test_uniform_ks_statistic():
    assert clinic.uniform_ks_statistic([0.5]) == pytest.approx(0.5)  # F_n jumps from 0 to 1 at 0.5
    assert clinic.uniform_ks_statistic([0.25, 0.75]) == pytest.approx(0.25)
    assert clinic.uniform_ks_statistic((np.arange(100) + 0.5) / 100) == pytest.approx(0.005)  # a perfect grid
    assert clinic.uniform_ks_statistic([-1.0, 2.0]) == pytest.approx(0.5)  # F = 0 below 0, 1 above 1
    with pytest.raises(ValueError, match="values must not be empty"):
        clinic.uniform_ks_statistic([])


def test_coordinate_alphas():
    real, fake = np.array([[1.0, 2.0], [1.0, 0.0], [1.0, 1.0]]), np.zeros((3, 2))
    points = [[0.5, 1.0], [0.3, 0.0], [0.2, 0.6]]
    # one α (0.5) for both coordinates; one usable coordinate; α of 0.2 and 0.6
    np.testing.assert_allclose(clinic.coordinate_alphas(points, real, fake), [0.0, 0.0, 0.4])


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


def test_gradient_clipping_in_the_optimizer_is_caught_by_its_steps():
    import keras

    for clipping in ({"clipvalue": clinic.C}, {"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipnorm": clinic.C}):
        verdicts = clinic.check_loop(clinic.clip_update, "clip", seed=0,
                                     make_optimizer=lambda c=clipping: keras.optimizers.RMSprop(5e-4, **c))
        (failed,) = [v for v in verdicts if not v.passed]
        assert failed.name == OPTIMIZER_CHECK and "steps" in failed.measured


def test_rmsprop_difference():
    import keras

    assert np.all(clinic.rmsprop_difference(lambda: keras.optimizers.RMSprop(5e-4)) == 0)
    # the loop's rate is 5e-4: at 5e-5 the first step is a tenth as long, 3.1623 × 0.9 learning rates short
    assert clinic.rmsprop_difference(lambda: keras.optimizers.RMSprop(5e-5))[0] == pytest.approx(0.9 * 3.16228,
                                                                                                 abs=1e-3)
    # clipvalue=0.01 turns the first probe gradient into (0.01, -0.01, 0.01, 0.01): a first RMSprop step of
    # 0.01 / sqrt(0.1 * 0.01² + 1e-7) = 3.1466 learning rates against 5 / sqrt(0.1 * 25 + 1e-7) = 3.1623
    first = clinic.rmsprop_difference(lambda: keras.optimizers.RMSprop(5e-4, clipvalue=0.01))[0]
    assert first == pytest.approx(3.16228 - 3.14643, abs=2e-4)


def test_a_clip_before_and_after_the_update_is_algorithm_1():
    """The clip before the step is a no-op once every weight is inside [-c, c], as after any clip."""
    import keras

    def before_and_after(critic, optimizer, real, fake, step, seed):
        for variable in critic.trainable_variables:
            variable.assign(keras.ops.clip(variable, -clinic.C, clinic.C))
        return clinic.clip_update(critic, optimizer, real, fake, step, seed)

    for seed in (0, 7):
        assert clinic.passed(clinic.check_loop(before_and_after, "clip", seed=seed))


def test_the_loops_own_rmsprop_passes_and_adam_fails():
    import keras

    for make_optimizer in (clinic.clip_optimizer, lambda: keras.optimizers.RMSprop(learning_rate=0.0005, rho=0.9,
                                                                                     epsilon=1e-7, weight_decay=0)):
        verdicts = clinic.check_loop(clinic.clip_update, "clip", seed=0, make_optimizer=make_optimizer)
        assert clinic.passed(verdicts), verdicts
    adam = clinic.check_loop(clinic.clip_update, "clip", seed=0, make_optimizer=lambda: keras.optimizers.Adam(5e-4))
    assert {v.name for v in adam if not v.passed} == {"the update is Algorithm 1's", OPTIMIZER_CHECK}


# Each wrong optimizer a learner might hand in with the correct clip, and whether the probe's steps show it
# (False: only the settings read from the optimizer do, for a clip too large to bind or a weight decay).
@pytest.mark.parametrize("settings, seen", [
    ({"learning_rate": 5e-3}, True),
    ({"learning_rate": 1e-4}, True),
    ({"learning_rate": 5e-5}, True),  # the paper's rate, not the loop's
    ({"learning_rate": 5e-4, "clipvalue": 100.0}, False),
    ({"learning_rate": 5e-4, "clipnorm": 1e6}, False),
    ({"learning_rate": 5e-4, "global_clipnorm": 1e6}, False),
    ({"learning_rate": 5e-4, "momentum": 0.9}, True),
    ({"learning_rate": 5e-4, "centered": True}, True),
    ({"learning_rate": 5e-4, "rho": 0.99}, True),
    ({"learning_rate": 5e-4, "epsilon": 1e-8}, True),
    ({"learning_rate": 5e-4, "weight_decay": 1e-4}, False),
])
def test_any_other_optimizer_than_the_loops_rmsprop_fails(settings, seen):
    import keras

    verdicts = clinic.check_loop(clinic.clip_update, "clip", seed=0,
                                 make_optimizer=lambda: keras.optimizers.RMSprop(**settings))
    (optimizer,) = [v for v in verdicts if v.name == OPTIMIZER_CHECK]
    assert not optimizer.passed, optimizer
    assert ("settings beyond plain RMSprop's: none" in optimizer.measured) == seen, optimizer
    assert (clinic.rmsprop_difference(lambda: keras.optimizers.RMSprop(**settings)).max() > 1e-3) == seen


def test_unseen_settings():
    import keras

    assert clinic.unseen_settings(clinic.clip_optimizer()) == {}
    assert clinic.unseen_settings(keras.optimizers.RMSprop(5e-4, weight_decay=0.0)) == {}
    assert clinic.unseen_settings(keras.optimizers.RMSprop(5e-4, clipvalue=100.0, weight_decay=1e-4)) == {
        "clipvalue": 100.0, "weight_decay": 1e-4}
    assert clinic.unseen_settings(keras.optimizers.Adam(global_clipnorm=1e6)) == {"global_clipnorm": 1e6}


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
    # 2×32 + 32×32 + 32×1 kernel weights, 32 + 32 + 1 biases: the NaN reaches every kernel and no bias
    assert clinic.nonfinite_at_zero_gradient(cases.case_6, [0]) == [{"kernels": (1120, 1120), "biases": (0, 65)}]
    assert clinic.nonfinite_at_zero_gradient(clinic.penalty_update, [0]) == [{"kernels": (0, 1120), "biases": (0, 65)}]


def test_slopes_are_read_on_and_beyond_the_segments():
    (run,) = clinic.train(clinic.penalty_update, "penalty", seeds=[1], iterations=1)
    assert len(run.slopes_beyond) == len(run.slopes) == clinic.N_CRITIC
    for on, beyond in zip(run.slopes, run.slopes_beyond):
        assert beyond.shape == on.shape == (clinic.BATCH,) and np.all(np.isfinite(beyond))
        assert not np.allclose(on, beyond)  # other points
    (clipped,) = clinic.train(clinic.clip_update, "clip", seeds=[1], iterations=1)
    assert clipped.slopes == clipped.slopes_beyond == []  # read for penalty loops only


def test_the_interpolates_figure_marks_each_point_as_the_instruments_read_it():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clipedu.notebook import figures

    (run,) = clinic.train(cases.case_4, "penalty", seeds=[2], iterations=1)
    alphas = run.alphas[-1][:8]
    beyond = int(np.sum((alphas < -1e-4) | (alphas > 1 + 1e-4)))
    assert 0 < beyond < 8  # the seed shows both kinds
    figure = plt.figure()
    figures.clinic_interpolates(figure, {"case 4": run})
    assert figure.axes[0].get_title() == f"case 4: {8 - beyond} on, {beyond} beyond, 0 off"
    plt.close(figure)


SEEDS = range(5)


def test_case_3_is_the_loop_without_clipping_bit_for_bit():
    """Notebook 10's control for case 3: clipvalue=0.01 changes no gradient element in these runs."""
    case = clinic.train(cases.case_3, "clip", SEEDS, 6, make_optimizer=cases.case_3_optimizer)
    control = clinic.train(clinic.unclipped_update, "clip", SEEDS, 6)
    for a, b in zip(case, control):
        np.testing.assert_array_equal(a.max_weight, b.max_weight)
        np.testing.assert_array_equal(a.wasserstein, b.wasserstein)
    assert all(r.max_weight[-1] > clinic.C + 10 * 5e-4 for r in control)  # it drifts: 10 learning rates above c


def test_the_clip_with_case_3s_optimizer_reads_like_the_correct_loop():
    """Exercise 3's answer, 'the correct loop', measured."""
    mixed = clinic.train(clinic.clip_update, "clip", SEEDS, 6, make_optimizer=cases.case_3_optimizer)
    correct = clinic.train(clinic.clip_update, "clip", SEEDS, 6)
    for a, b in zip(mixed, correct):
        np.testing.assert_array_equal(a.max_weight, b.max_weight)
        np.testing.assert_array_equal(a.at_bound, b.at_bound)
    assert not clinic.passed(clinic.check_loop(clinic.clip_update, "clip", make_optimizer=cases.case_3_optimizer))


def test_case_7_with_one_sample_per_update_is_the_correct_loop():
    """Exercise 1's answer, 'none', measured: with m = 1 the whole batch's norm is the example's, and case 7
    reads the correct penalty loop's slopes after every update, on five seeds."""
    bugged = clinic.train(cases.case_7, "penalty", SEEDS, 10, batch_size=1)
    correct = clinic.train(clinic.penalty_update, "penalty", SEEDS, 10, batch_size=1)
    for a, b in zip(bugged, correct):
        np.testing.assert_allclose(np.concatenate(a.slopes), np.concatenate(b.slopes), rtol=1e-5)
    assert not np.allclose(np.concatenate(clinic.train(cases.case_7, "penalty", (0,), 10)[0].slopes),
                           np.concatenate(clinic.train(clinic.penalty_update, "penalty", (0,), 10)[0].slopes))


def test_the_unknown_loop_shows_the_symptoms_of_cases_4_5_and_6_only():
    """Exercise 2's answer, {4, 5, 6}, measured with notebook 10's thresholds."""
    runs = clinic.train(cases.unknown, "penalty", SEEDS, 20)
    for run in runs:
        alphas, distances = np.concatenate(run.alphas), np.concatenate(run.distances)
        assert np.any((alphas < -1e-4) | (alphas > 1 + 1e-4))  # I6, case 4's
        assert np.any(distances > 1e-4)  # I7, case 5's
        slopes = np.concatenate(run.slopes[-10:])
        assert np.median(slopes) >= 0.5  # not I9, case 7's
        assert np.mean((slopes >= 0.8) & (slopes <= 1.2)) >= 0.6  # not I10, case 8's
    assert clinic.finite_at_zero_gradient(cases.unknown, SEEDS) == [False] * 5  # I8, case 6's
    verdicts = clinic.check_loop(cases.unknown, "penalty", seed=3)
    assert {v.name for v in verdicts if not v.passed} == {"interpolates on their segments", "α ~ U[0, 1]",
                                                          "one α per example", "finite at a zero input gradient"}


def test_checks_reject_bad_arguments():
    with pytest.raises(ValueError, match="method must be one of"):
        clinic.check_loop(clinic.clip_update, "spectral")
    with pytest.raises(ValueError, match="loop must be one of"):
        clinic_grading.grade_source("loop_9", "", 0)


# The graded assignment: its own eight buggy loops (not the notebook's cases), its hidden tests, run on
# three submissions made from the master notebook's prompts (as handed out) and solutions.

MASTER = ROOT / "assignments" / "10_wgan_clinic.ipynb"
PROMPT = re.compile(r'    """ # BEGIN PROMPT\n(.*?)    """ # END PROMPT\n', re.S)
SOLUTION = re.compile(r"    # BEGIN SOLUTION NO PROMPT\n(.*?)    # END SOLUTION\n", re.S)


def _solved(master_source):
    """A master notebook's solution cell as its solution: the prompt left out, the solution kept."""
    return SOLUTION.sub(lambda m: m[1], PROMPT.sub("", master_source))


def _handed_out(master_source):
    """A master notebook's solution cell as the student receives it: the prompt kept, the solution left out."""
    return PROMPT.sub(lambda m: m[1], SOLUTION.sub("", master_source))


def _answer_cells():
    """{loop: the master's cell that defines its functions, up to the line that stores their source}."""
    cells = json.loads(MASTER.read_text())["cells"]
    found = {}
    for cell in cells:
        source = "".join(cell["source"])
        name = re.search(r"^def fixed_(loop_\d)\(", source, re.M)
        if cell["cell_type"] == "code" and name:
            found[name[1]] = source[:source.index(f"\n\n{name[1]}_source =")] + "\n"
    return found


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


def _submission(fixed, optimizer_only=()):
    """The source each loop's cell stores: the solution for the loops in ``fixed``, the buggy loop as
    handed out for the others; for those in ``optimizer_only``, the optimizer function fixed and the
    update as handed out."""
    values = {}
    for loop, source in _answer_cells().items():
        if loop in optimizer_only:
            optimizer, update = source.split(f"\n\ndef fixed_{loop}(")
            source = _solved(optimizer) + f"\n\ndef fixed_{loop}(" + _handed_out(update)
        values[f"{loop}_source"] = _solved(source) if loop in fixed else _handed_out(source)
    return values


def test_the_assignments_loops_are_not_the_notebooks_cases():
    """Each handed-out loop fails a behaviour check, and none is the body of a notebook case or of the
    unknown loop: a worked answer from solutions/ is not the way to find its bug."""
    bodies = {inspect.getsource(f).split(":", 1)[1].split('"""', 2)[-1].strip()
              for f in [c.update for c in cases.CASES.values()] + [cases.unknown, cases.case_3_optimizer]}
    for loop, source in _answer_cells().items():
        handed_out = _handed_out(source)
        for body in re.split(r"^def \w+\(.*?\):\n", handed_out, flags=re.M)[1:]:
            assert body.strip() not in bodies, loop


@pytest.fixture
def in_process(monkeypatch):
    """The hidden tests' re-runs, in this process (one fresh process per question is slow for a unit test;
    test_rerun_in_a_fresh_process checks that it gives the same verdicts)."""
    graded = {}

    def rerun(loop, source, seed):
        if (loop, source, seed) not in graded:
            graded[loop, source, seed] = clinic_grading.grade_source(loop, source, seed)
        return graded[loop, source, seed]

    monkeypatch.setattr(clinic_grading, "rerun", rerun)


def _score(tests, values):
    earned = {}
    for question, (points, test) in tests.items():
        try:
            test(values[f"{question.removeprefix('q_')}_source"])
            earned[question] = points
        except AssertionError:
            earned[question] = 0.0
    return earned


def test_the_assignment_grades_full_partial_and_unfixed_submissions(in_process):
    tests = _hidden_tests()
    assert set(tests) == {f"q_{loop}" for loop in clinic_grading.QUESTIONS}
    everything = _score(tests, _submission(set(clinic_grading.QUESTIONS)))
    assert everything == {f"q_loop_{n}": 2.0 for n in range(1, 9)}
    # loops 1, 4 and 7 fixed; loop 3's optimizer fixed but its update not: no points for it
    partly = _score(tests, _submission({"loop_1", "loop_4", "loop_7"}, optimizer_only={"loop_3"}))
    assert partly == {f"q_loop_{n}": (2.0 if n in (1, 4, 7) else 0.0) for n in range(1, 9)}
    assert _score(tests, _submission(set())) == {f"q_loop_{n}": 0.0 for n in range(1, 9)}


def test_rerun_in_a_fresh_process():
    source = _answer_cells()["loop_1"]
    verdicts = clinic_grading.rerun("loop_1", _handed_out(source), 7)
    assert [list(v) for v in verdicts] == clinic_grading.grade_source("loop_1", _handed_out(source), 7)
    assert not all(passed for _, passed, _ in verdicts)
    broken = clinic_grading.rerun("loop_1", "def fixed_loop_1(:\n", 7)
    assert broken[0][:2] == ("the update runs", False)


# The same three submissions, end to end: the assignment built as `make assignments` builds it, each
# submission a student notebook, graded by otter through `python -m clipedu.course.grade`.

@pytest.mark.slow
def test_otter_grades_full_partial_and_unfixed_submissions(tmp_path):
    import csv
    import os
    import subprocess
    import sys

    import nbformat

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    built = subprocess.run([sys.executable, "-m", "clipedu.course.assignments", "--out", str(tmp_path / "built"),
                            MASTER.stem], capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assignment = tmp_path / "built" / MASTER.stem
    student = nbformat.read(assignment / "student" / f"{MASTER.stem}.ipynb", as_version=4)
    master = nbformat.read(MASTER, as_version=4)
    solved = {re.search(r"^def (fixed_loop_\d)", c.source, re.M)[1]: _solved(c.source)
              for c in master.cells if c.cell_type == "code" and "# BEGIN SOLUTION NO PROMPT" in c.source}

    def submission(name, fixed, edits=()):
        notebook = nbformat.from_dict(json.loads(json.dumps(student)))
        for cell in notebook.cells:
            found = re.search(r"^def (fixed_loop_\d)\(", cell.source, re.M)
            if found and found[1] in fixed:
                cell.source = solved[found[1]]
            for old, new in edits:
                if old in cell.source:
                    cell.source = cell.source.replace(old, new)
        nbformat.write(notebook, tmp_path / "submissions" / f"{name}.ipynb")

    (tmp_path / "submissions").mkdir()
    submission("full", {f"fixed_loop_{n}" for n in range(1, 9)})
    # loops 1, 4 and 7 fixed; loop 3's gradient clipping removed but its update still clips the kernels only
    submission("partial", {"fixed_loop_1", "fixed_loop_4", "fixed_loop_7"},
               [("RMSprop(learning_rate=5e-4, global_clipnorm=C)", "RMSprop(learning_rate=5e-4)")])
    submission("unfixed", set())
    graded = subprocess.run([sys.executable, "-m", "clipedu.course.grade", str(assignment),
                             str(tmp_path / "submissions"), "-o", str(tmp_path / "grades.csv"), "--jobs", "1"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=3600)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    with open(tmp_path / "grades.csv", newline="") as file:
        rows = {row["submission"]: row for row in csv.DictReader(file)}
    questions = [f"q_loop_{n}" for n in range(1, 9)]
    expected = {  # points per question (2 each), written out by hand
        "full.ipynb": [2, 2, 2, 2, 2, 2, 2, 2],
        "partial.ipynb": [2, 0, 0, 2, 0, 0, 2, 0],
        "unfixed.ipynb": [0, 0, 0, 0, 0, 0, 0, 0],
    }
    assert sorted(rows) == sorted(expected)
    for name, points in expected.items():
        assert [float(rows[name][q]) for q in questions] == points, (name, rows[name])
