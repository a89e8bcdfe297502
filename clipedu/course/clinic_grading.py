"""Grading the WGAN clinic's fixes by what they do: a submitted critic update, as source text, is run
for a short seeded training next to the correct one and measured (``clipedu.clinic.check_loop``).

    python -m clipedu.course.clinic_grading LOOP SEED < source.py    # prints the verdicts as JSON

A graded assignment (``assignments/10_wgan_clinic.ipynb``) gives the student eight buggy critic updates
of its own (not notebook 10's cases) and hands each fix to its hidden tests as the source of the
student's functions; ``rerun`` executes that source in a fresh Python process (not the
process of the tests, and not the student's kernel) with seeds the student never saw, and returns the
verdicts as plain data. The source's text is never compared with anything: only the measurements
count.
"""

import functools
import json
import os
import subprocess
import sys

# the assignment's loop: (its method, the update's name, the optimizer function's name or None)
QUESTIONS = {
    "loop_1": ("clip", "fixed_loop_1", None),
    "loop_2": ("clip", "fixed_loop_2", None),
    "loop_3": ("clip", "fixed_loop_3", "fixed_loop_3_optimizer"),
    "loop_4": ("penalty", "fixed_loop_4", None),
    "loop_5": ("penalty", "fixed_loop_5", None),
    "loop_6": ("penalty", "fixed_loop_6", None),
    "loop_7": ("penalty", "fixed_loop_7", None),
    "loop_8": ("penalty", "fixed_loop_8", None),
}
TIMEOUT = 300  # seconds for one re-run, TensorFlow's import included


def grade_source(loop, source, seed):
    """Executes ``source`` (which must define the loop's functions, see ``QUESTIONS``) in a fresh
    namespace, in this process, and runs ``clinic.check_loop`` on it with ``seed``.

    Returns a list of [check, passed, measured] (plain data). A source that does not run, or does not
    define the functions, gets one failed entry that says why.
    """
    import keras
    import tensorflow as tf

    from clipedu import clinic

    if loop not in QUESTIONS:
        raise ValueError(f"loop must be one of {sorted(QUESTIONS)}, got {loop!r}")
    method, update_name, optimizer_name = QUESTIONS[loop]
    namespace = {"keras": keras, "tf": tf, "C": clinic.C, "PENALTY_WEIGHT": clinic.PENALTY_WEIGHT,
                 "N_CRITIC": clinic.N_CRITIC, "STEPS_PER_EPOCH": clinic.STEPS_PER_EPOCH}
    try:
        exec(compile(source, f"<{loop}>", "exec"), namespace)
        update = namespace[update_name]
        make_optimizer = namespace[optimizer_name] if optimizer_name else None
        verdicts = clinic.check_loop(update, method, seed=seed, make_optimizer=make_optimizer)
    except Exception as error:  # the submission's code: whatever it raises is a failed check
        return [["the update runs", False, f"{type(error).__name__}: {error}"]]
    return [[v.name, bool(v.passed), v.measured] for v in verdicts]


@functools.lru_cache(maxsize=64)
def rerun(loop, source, seed, timeout=TIMEOUT):
    """``grade_source`` in a fresh Python process; returns its verdicts as a tuple of (check, passed,
    measured). A process that fails or runs longer than ``timeout`` seconds gets one failed entry."""
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    try:
        result = subprocess.run([sys.executable, "-m", "clipedu.course.clinic_grading", loop, str(int(seed))],
                                input=source, capture_output=True, text=True, timeout=timeout, env=environment)
        verdicts = json.loads(result.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return (("the update runs", False, f"no answer within {timeout} s"),)
    except (ValueError, IndexError):
        return (("the update runs", False, f"the grading process failed: {result.stderr[-500:]}"),)
    return tuple(tuple(v) for v in verdicts)


def main(argv):
    if len(argv) != 2 or argv[0] not in QUESTIONS:
        sys.exit(__doc__)
    print(json.dumps(grade_source(argv[0], sys.stdin.read(), int(argv[1]))))


if __name__ == "__main__":
    main(sys.argv[1:])
