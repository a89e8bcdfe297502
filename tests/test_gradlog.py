"""clipedu.gradlog: reading a gradient-norm log, its report, and its command line."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from clipedu import gradlog

ROOT = Path(__file__).resolve().parent.parent

# Eleven steps, out of order; sorted they are 1, 2, ..., 10, 100. numpy's percentiles interpolate between
# sorted values at position p/100 · (11 - 1): the 50th is the 6th value, 6; the 90th the 10th, 10; the
# 99th lies at position 9.9, 10 + 0.9 · (100 - 10) = 91; the 1st at position 0.1, 1 + 0.1 · (2 - 1) = 1.1.
RUN = """step,grad_norm,clipped
0,3,0
1,1,0
2,10,0
3,2,0
4,100,1
5,4,0
6,6,0
7,5,0
8,8,0
9,7,0
10,9,0
"""
NORMS = [3, 1, 10, 2, 100, 4, 6, 5, 8, 7, 9]


def _write(tmp_path, text, name="run.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_takes_the_grad_norm_column_in_the_order_of_the_rows(tmp_path):
    norms = gradlog.read(_write(tmp_path, RUN))
    assert norms.dtype == np.float64 and norms.ndim == 1
    assert norms.tolist() == NORMS


def test_read_log_gives_the_step_column_as_written_or_none(tmp_path):
    norms, steps = gradlog.read_log(_write(tmp_path, RUN))
    assert norms.tolist() == NORMS and steps.dtype == np.int64 and steps.tolist() == list(range(11))
    # under gradient accumulation GradientNormHistory writes every second step
    norms, steps = gradlog.read_log(_write(tmp_path, "grad_norm,step\n0.5,1\n1.5,3\n2.5,5\n"))
    assert norms.tolist() == [0.5, 1.5, 2.5] and steps.tolist() == [1, 3, 5]
    assert gradlog.read_log(_write(tmp_path, "grad_norm\n0.5\n1.5\n"))[1] is None
    assert gradlog.read_log(_write(tmp_path, "0.5\n1.5\n"))[1] is None


def test_report_of_a_hand_computed_log(tmp_path):
    result = gradlog.report(gradlog.read(_write(tmp_path, RUN)), threshold=6)
    assert result.count == 11
    assert result.percentiles == pytest.approx({50: 6, 90: 10, 99: 91, 100: 100}, rel=1e-12)
    assert len(result.spikes) == 0  # eleven steps: none has 50 before it
    assert result.guard == pytest.approx(91, rel=1e-12)  # no spikes to leave out: the 99th percentile
    assert result.always_on == pytest.approx(1.1, rel=1e-12)
    # guard: only 100 is above 91; always-on: all but 1; τ = 6: 7, 8, 9, 10 and 100, not 6 itself
    assert result.shares == {"guard": 1 / 11, "always-on": 10 / 11, "threshold": 5 / 11}
    table = str(result)
    assert "11 updates" in table and "median 6," in table and "99th 91," in table and "largest 100" in table
    assert "45.5%" in table and "90.9%" in table and "9.1%" in table


def test_share_clipped_counts_only_norms_strictly_above_the_threshold():
    assert gradlog.share_clipped([1.0, 2.0, 2.0, 3.0], 2.0) == 0.25
    assert gradlog.share_clipped([1.0, 2.0, 2.0, 3.0], 1.999) == 0.75
    assert gradlog.share_clipped([0.0, 0.5], 3) == 0.0


def test_spikes_are_found_and_the_guard_leaves_them_out():
    norms = np.ones(100)
    norms[[60, 70, 80]] = 50.0
    result = gradlog.report(norms)
    assert result.spikes.tolist() == [60, 70, 80]  # each above 3 × the median (1) of the 50 steps before
    # With the spikes in, the 99th percentile (position 98.01 of the sorted 97 ones and three 50s) is 50 and
    # would clip none of them; without them it is 1, and the guard clips exactly the three spikes.
    assert np.percentile(norms, 99) == 50.0
    assert result.guard == 1.0 and result.shares["guard"] == 0.03
    # without steps the table names the rows, counted from 1; with them, the steps
    assert "3, at rows 61, 71, 81 (counted from 1)" in str(result)
    stepped = gradlog.report(norms, steps=2 * np.arange(100) + 1)
    assert stepped.spikes.tolist() == [60, 70, 80] and "3, at steps 121, 141, 161\n" in str(stepped)


@pytest.mark.parametrize("text", ["0.5\n1.5\n2.5\n", "grad_norm\n0.5\n1.5\n2.5\n", "norm\n0.5\n\n1.5\n2.5\n"])
def test_a_single_column_with_or_without_a_header(tmp_path, text):
    assert gradlog.read(_write(tmp_path, text)).tolist() == [0.5, 1.5, 2.5]


def test_a_saved_gradient_norm_history_reads_back_as_its_norms(tmp_path):
    import keras

    from clipedu.recording import GradientNormHistory

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = (x @ np.array([[3.0], [-2.0], [1.0]], "float32")) ** 2
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05, global_clipnorm=1.0), loss="mse")
    history = GradientNormHistory()
    model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[history])
    path = tmp_path / "history.csv"
    history.save(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "step,grad_norm,clipped,update_norm" and len(lines) == 1 + 12
    assert lines[1].split(",")[2] in ("0", "1")
    norms = gradlog.read(path)
    np.testing.assert_array_equal(norms, history.norms)
    assert gradlog.read_log(path)[1].tolist() == history.steps == list(range(12))
    assert gradlog.share_clipped(norms, 1.0) == np.mean(history.clipped) > 0


@pytest.mark.parametrize("text, where", [
    ("norm\nworld\n", r"line 2: 'world' is not a number"),
    ("loss\n0.5\n", r"line 1: the one column is headed 'loss', which names no norm"),
    ("", r"line 1: no gradient norms in the file"),
    ("grad_norm\n", r"line 1: no gradient norms in the file \(only the header 'grad_norm'\)"),
    ("grad_norm\n1.0\n-0.5\n", r"line 3: '-0.5' is negative"),
    ("0.5\nnan\n", r"line 2: 'nan' is not finite"),
    ("0.5\n1\ninf\n", r"line 3: 'inf' is not finite"),
    ("step,loss\n0,1.0\n", r"line 1: no 'grad_norm' column in 'step,loss'"),
    ("step,grad_norm\n0,1.0\n1\n", r"line 3: no value in the 'grad_norm' column: '1'"),
    ("step,grad_norm\n0,1.0\n1,n/a\n", r"line 3: 'n/a' is not a number"),
    ("step,grad_norm\n0,1.0\nlast,2.0\n", r"line 3: the step 'last' is not a number"),
    ("step,grad_norm\n0.5,1.0\n", r"line 2: the step '0.5' is not a whole number of at least 0"),
    ("step,grad_norm\n-1,1.0\n", r"line 2: the step '-1' is not a whole number of at least 0"),
    ("step,grad_norm\n3,1.0\n3,2.0\n", r"line 3: the step '3' is not larger than the step before it, 3"),
    ("grad_norm,step\n1.0,0\n2.0\n", r"line 3: no value in the 'step' column: '2.0'"),
])
def test_read_names_the_file_the_line_and_the_value(tmp_path, text, where):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=re.escape(f"{path}, ") + where):
        gradlog.read(path)


@pytest.mark.parametrize("norms, threshold, error, match", [
    ([1.0, 2.0], 0, ValueError, "threshold must be a positive finite number, got 0.0"),
    ([1.0, 2.0], float("nan"), ValueError, "threshold must be a positive finite number, got nan"),
    ([1.0, 2.0], "1", TypeError, "threshold must be a positive finite number, got '1'"),
    ([1.0, -2.0], 1.0, ValueError, r"norms must be finite and non-negative, got norms\[1\] = -2.0"),
    ([1.0, np.inf], 1.0, ValueError, r"norms\[1\] = inf"),
    ([], 1.0, ValueError, r"at least one, got an array of shape \(0,\)"),
])
def test_share_clipped_and_report_reject_bad_arguments(norms, threshold, error, match):
    with pytest.raises(error, match=match):
        gradlog.share_clipped(norms, threshold)
    with pytest.raises(error, match=match):
        gradlog.report(norms, threshold=threshold)


@pytest.mark.parametrize("steps, error, match", [
    ([0, 1], ValueError, r"one whole number per norm, 3, got an array of shape \(2,\)"),
    ([0, 2, 1], ValueError, r"steps must increase, got steps\[2\] = 1.0 after 2.0"),
    ([0, 1.5, 2], ValueError, r"whole numbers of at least 0, got steps\[1\] = 1.5"),
    ([-1, 0, 1], ValueError, r"whole numbers of at least 0, got steps\[0\] = -1.0"),
    (["a", "b", "c"], TypeError, "steps must be a sequence of whole numbers, got list"),
])
def test_report_rejects_bad_steps(steps, error, match):
    with pytest.raises(error, match=match):
        gradlog.report([1.0, 2.0, 3.0], steps=steps)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "clipedu.gradlog", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_the_command_line_prints_the_table(tmp_path):
    result = _cli(_write(tmp_path, RUN), "--threshold", 6)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(gradlog.report(NORMS, threshold=6, steps=range(11)))
    assert "yours" in result.stdout and "45.5%" in result.stdout


def test_the_command_line_exits_with_2_and_the_reason_on_bad_input(tmp_path):
    path = _write(tmp_path, "grad_norm\n1.0\n-0.5\n")
    result = _cli(path)
    assert result.returncode == 2 and result.stdout == ""
    assert f"{path}, line 3: '-0.5' is negative" in result.stderr
    result = _cli(_write(tmp_path, RUN, "good.csv"), "--threshold", -1)
    assert result.returncode == 2 and "threshold must be a positive finite number, got -1.0" in result.stderr
    assert _cli(tmp_path / "missing.csv").returncode == 2


def test_the_command_line_draws_the_figure_only_when_asked(tmp_path):
    figure = tmp_path / "log.png"
    result = _cli(_write(tmp_path, RUN), "--figure", figure)
    assert result.returncode == 0, result.stderr
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = ("import json, sys, clipedu.gradlog; print(json.dumps(sorted(m for m in ('matplotlib', "
            "'clipedu.notebook', 'tensorflow') if m in sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert json.loads(loaded.stdout) == []


def test_the_figure_labels_its_axes_and_marks_every_threshold():
    from matplotlib.figure import Figure

    from clipedu.notebook.figures import gradient_norm_log

    norms = np.ones(100)
    norms[[60, 70, 80]] = 50.0
    figure = Figure()
    gradient_norm_log(figure, gradlog.report(norms, threshold=2.0), norms)
    steps, histogram = figure.axes
    assert steps.get_yscale() == "log" and steps.get_xlabel() == "row of the log"
    assert steps.lines[0].get_xdata()[0] == 1 and steps.lines[1].get_xdata().tolist() == [61, 71, 81]
    assert histogram.get_ylabel() == "updates" and histogram.get_xscale() == "log"
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels == ["gradient norm", "spike (3)", "guard τ = 1: clips 3.0%", "always-on τ = 1: clips 3.0%",
                      "your τ = 2: clips 3.0%"]
    stepped = Figure()
    gradient_norm_log(stepped, gradlog.report(norms, steps=2 * np.arange(100) + 1), norms)
    assert stepped.axes[0].get_xlabel() == "step"
    assert stepped.axes[0].lines[1].get_xdata().tolist() == [121, 141, 161]  # the spikes, at their steps


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"grad_norm\n0.5\n\xff\xfe1.0\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}, after line") + r" \d+: not UTF-8 text"):
        gradlog.read(path)
