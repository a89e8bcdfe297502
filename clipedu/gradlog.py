"""A gradient-norm log of your own run, read: its percentiles, the share of steps a threshold clips, its
spikes, and a threshold τ for each of the two regimes of clipping.

The log is a CSV file with a ``grad_norm`` column (as ``GradientNormHistory.save`` writes), or with a
single numeric column, with or without a header; one row per update, in the order of the rows. A
``step`` column beside ``grad_norm`` gives each row's training step (``GradientNormHistory`` writes
``fit``'s step, which skips numbers under gradient accumulation or when ``LossScaleOptimizer`` skips a
step); the report then names spikes by that step, and otherwise by their row.
From a shell, ``python -m clipedu.gradlog run.csv [--threshold T] [--figure out.png]`` prints the table
(and draws the figure with ``clipedu.notebook.figures.gradient_norm_log``).

The two regimes, and the rule this module suggests a τ by for each:

- **a guard**, which acts only on rare spikes: τ at the 99th percentile of the log *after its spikes are
  left out* (``report``'s ``spikes``): about 1 % of the other steps lie above it. Left in, spikes that
  are more than 1 % of the steps would put τ among them, and it would clip few of them. (A spike is
  judged against the 50 steps before it, so a small one can lie below τ.) Pascanu, Mikolov & Bengio
  (2013) suggest choosing the threshold from statistics of the average norm over many updates; the
  percentile rule is this module's, not theirs.
- **always-on clipping**, which clips nearly every step: τ at the log's 1st percentile, below about 99 %
  of its norms. With plain SGD (no momentum) and ``global_clipnorm``, for a dense gradient on one
  device, every clipped step then has the same length, ``lr · τ``: normalized gradient descent.
  (``clipvalue`` and ``clipnorm`` allow longer steps, as do an ``Embedding`` row used several times
  in a batch and several devices, whose gradients Keras clips one by one before summing them;
  momentum adds earlier steps.) With Adam the step length does not follow τ (notebook 08).

A run clipped at τ goes elsewhere than the run that was logged: read the log of the run you keep too.
"""

import argparse
import csv
import sys
from dataclasses import dataclass

import numpy as np

from clipedu import checks
from clipedu.measures import loss_spikes

GUARD_PERCENTILE = 99
ALWAYS_ON_PERCENTILE = 1
SPIKE_FACTOR, SPIKE_WINDOW = 3.0, 50


def read(path):
    """The gradient norms in a CSV file, as a 1-D float array (``read_log`` gives their steps too).

    The column is the one headed ``grad_norm`` or, in a file of one column, that column, without a
    header or with a header that names a norm (``norm`` in it: a column headed ``loss``, say, is refused).
    Empty lines are skipped.

    Raises:
        ValueError: naming the file, the line (from 1) and the value, for a value that is not a number,
            not finite or negative, a missing column, a single column whose header does not name a norm,
            a file that is not UTF-8 text, or a file without numbers; and, as ``read_log``, for a bad step.
    """
    return read_log(path)[0]


def read_log(path):
    """The gradient norms in a CSV file and the training step of each: ``(norms, steps)``.

    ``norms`` is ``read``'s array. ``steps`` is the file's ``step`` column as a 1-D integer array, or
    None if the file has no such column (then a row's place in the file is all that is known of its step).

    Raises:
        ValueError: as ``read``; and for a step that is not a whole number of at least 0, or not larger
            than the step before it, naming the file, the line and the value.
    """
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        columns, header, norms, steps = None, None, [], []
        try:
            for row in reader:
                columns, header = _read_row(path, reader.line_num, row, columns, header, norms, steps)
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}, after line {reader.line_num}: not UTF-8 text ({error.reason} at byte "
                             f"{error.start} of the block read); save the log as a UTF-8 CSV file") from None
    if not norms:
        raise ValueError(f"{path}, line {max(reader.line_num, 1)}: no gradient norms in the file"
                         + (f" (only the header {header!r})" if header else ""))
    return np.array(norms), (np.array(steps, dtype=np.int64) if columns[1] is not None else None)


def _read_row(path, line, row, columns, header, norms, steps):
    """Reads one CSV row into ``norms`` (and ``steps``); returns the columns (the norm's, the step's or
    None) and the header, found on the first row."""
    if not any(field.strip() for field in row):
        return columns, header
    if columns is None:
        names = [field.strip() for field in row]
        if "grad_norm" in names:
            return (names.index("grad_norm"), names.index("step") if "step" in names else None), "grad_norm"
        if len(row) > 1:
            raise ValueError(f"{path}, line {line}: no 'grad_norm' column in {','.join(row)!r}")
        columns = (0, None)
        if not _is_number(row[0]):
            if "norm" not in names[0].lower():
                raise ValueError(f"{path}, line {line}: the one column is headed {names[0]!r}, which names no norm; "
                                 "head a column of gradient norms grad_norm, or give it no header")
            return columns, names[0]
    for column, name in zip(columns, (header, "step")):
        if column is not None and column >= len(row):
            raise ValueError(f"{path}, line {line}: no value in the {name!r} column: {','.join(row)!r}")
    norms.append(_norm(row[columns[0]], f"{path}, line {line}"))
    if columns[1] is not None:
        steps.append(_step(row[columns[1]], f"{path}, line {line}", steps[-1] if steps else None))
    return columns, header


def share_clipped(norms, threshold):
    """The fraction of ``norms`` strictly above ``threshold``: the share of steps that clipping at τ =
    ``threshold`` changes (a norm equal to τ passes unchanged)."""
    threshold = checks.positive_finite("threshold", threshold)
    return float(np.mean(_checked(norms) > threshold))


@dataclass(frozen=True)
class Report:
    """What ``report`` reads from a log; ``str(report)`` is its table.

    Attributes:
        count: the number of updates (rows of the log).
        percentiles: {50: median, 90: ..., 99: ..., 100: the largest norm}.
        spikes: the places in the log (0-based) of the norms that exceed 3 times the median of the 50
            norms before them (``clipedu.measures.loss_spikes``' rule; the first 50 are never one).
        guard, always_on: the suggested τ for each regime (the module's docstring gives the rules).
        threshold: the τ asked about, or None.
        shares: for each of "guard", "always-on" and, if given, "threshold", the share of steps it clips.
        steps: the training step of each norm (the log's ``step`` column), or None: then ``str`` names
            a spike by its row, counted from 1.
    """

    count: int
    percentiles: dict
    spikes: np.ndarray
    guard: float
    always_on: float
    threshold: float | None
    shares: dict
    steps: np.ndarray | None = None

    def __str__(self):
        p = self.percentiles
        where, names = ("steps", self.steps[self.spikes]) if self.steps is not None else ("rows", self.spikes + 1)
        shown = ", ".join(str(s) for s in names[:10]) + (", ..." if len(self.spikes) > 10 else "")
        rows = [("guard, 99th percentile without spikes", self.guard, self.shares["guard"]),
                ("always-on, 1st percentile", self.always_on, self.shares["always-on"])]
        if self.threshold is not None:
            rows.append(("yours", self.threshold, self.shares["threshold"]))
        return "\n".join([
            f"gradient-norm log: {self.count} updates",
            f"percentiles: median {p[50]:.4g}, 90th {p[90]:.4g}, 99th {p[99]:.4g}, largest {p[100]:.4g}",
            f"spikes (norm above {SPIKE_FACTOR:g} × the median of the {SPIKE_WINDOW} norms before): "
            f"{len(self.spikes)}" + (f", at {where} {shown}" if len(self.spikes) else "")
            + (" (counted from 1)" if len(self.spikes) and self.steps is None else ""),
            f"{'threshold':40} {'τ':>10} {'share clipped':>14}",
            *[f"{label:40} {tau:10.4g} {share:13.1%}" for label, tau, share in rows],
            "always-on: with plain SGD and global_clipnorm (no momentum; a dense gradient on one device), every "
            "clipped step is lr · τ long",
        ])


def report(norms, threshold=None, steps=None):
    """Percentiles, spikes, a τ for each regime and the share of steps each τ clips, for one log.

    Args:
        norms: one gradient norm per update, finite and non-negative (``read``'s result, or
            ``GradientNormHistory.norms``).
        threshold: a τ of your own to report on too, a positive number, or None.
        steps: the training step of each norm, increasing whole numbers (``read_log``'s steps, or
            ``GradientNormHistory.steps``), or None.

    Returns:
        A ``Report``.
    """
    norms = _checked(norms)
    if steps is not None:
        steps = _checked_steps(steps, len(norms))
    spikes = loss_spikes(norms, SPIKE_FACTOR, SPIKE_WINDOW)
    healthy = np.delete(norms, spikes)
    guard = float(np.percentile(healthy, GUARD_PERCENTILE))
    always_on = float(np.percentile(norms, ALWAYS_ON_PERCENTILE))
    # Both rules give 0 for a log of zeros; there is nothing to clip then.
    shares = {"guard": float(np.mean(norms > guard)), "always-on": float(np.mean(norms > always_on))}
    if threshold is not None:
        shares["threshold"] = share_clipped(norms, threshold)
        threshold = float(threshold)
    percentiles = dict(zip((50, 90, 99, 100), np.percentile(norms, [50, 90, 99, 100]).tolist()))
    return Report(len(norms), percentiles, spikes, guard, always_on, threshold, shares, steps)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _norm(text, where):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {text.strip()!r} is not a number") from None
    if not np.isfinite(value):
        raise ValueError(f"{where}: {text.strip()!r} is not finite (cut a diverged run before it)")
    if value < 0:
        raise ValueError(f"{where}: {text.strip()!r} is negative, and a norm cannot be")
    return value


def _step(text, where, previous):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: the step {text.strip()!r} is not a number") from None
    if not (np.isfinite(value) and value >= 0 and value.is_integer()):
        raise ValueError(f"{where}: the step {text.strip()!r} is not a whole number of at least 0")
    if previous is not None and value <= previous:
        raise ValueError(f"{where}: the step {text.strip()!r} is not larger than the step before it, {previous}")
    return int(value)


def _checked_steps(steps, count):
    """``steps`` as a 1-D integer array of ``count`` increasing whole numbers ≥ 0; raises naming a bad one."""
    try:
        array = np.asarray(steps, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"steps must be a sequence of whole numbers, got {type(steps).__name__}") from error
    if array.shape != (count,):
        raise ValueError(f"steps must be one whole number per norm, {count}, got an array of shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0) | (array != np.round(array)))
    if len(bad):
        raise ValueError(f"steps must be whole numbers of at least 0, got steps[{bad[0]}] = {float(array[bad[0]])!r}")
    bad = np.flatnonzero(np.diff(array) <= 0)
    if len(bad):
        raise ValueError(f"steps must increase, got steps[{bad[0] + 1}] = {float(array[bad[0] + 1])!r} after "
                         f"{float(array[bad[0]])!r}")
    return array.astype(np.int64)


def _checked(norms):
    """``norms`` as a 1-D float array, every norm finite and ≥ 0; raises naming the first bad one."""
    try:
        array = np.asarray(norms, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"norms must be a sequence of numbers, got {type(norms).__name__}") from error
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(f"norms must be one number per step, at least one, got an array of shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if len(bad):
        raise ValueError(f"norms must be finite and non-negative, got norms[{bad[0]}] = {float(array[bad[0]])!r}")
    return array


def main(argv=None):
    """The command line: prints the report of a log; exits with 2 and the reason on a bad file."""
    parser = argparse.ArgumentParser(prog="python -m clipedu.gradlog", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a CSV file: a grad_norm column, or one numeric column")
    parser.add_argument("--threshold", type=float, help="a clipping threshold τ to report the share it clips")
    parser.add_argument("--figure", help="also draw the log into this image file (needs matplotlib)")
    args = parser.parse_args(argv)
    try:
        norms, steps = read_log(args.path)
        result = report(norms, args.threshold, steps)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(result)
    if args.figure:
        # The figure belongs to the notebook layer, loaded only when a figure is asked for.
        from matplotlib.figure import Figure

        from clipedu.notebook.figures import gradient_norm_log

        figure = Figure(figsize=(11, 3.6), dpi=100)
        gradient_norm_log(figure, result, norms)
        figure.savefig(args.figure)
        print(f"figure: {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
