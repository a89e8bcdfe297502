"""Self-checked exercises: ``check(name, answer)`` says whether an answer is right, or what is wrong.

Each notebook poses its exercises by name; the expected answers are computed here by clipedu's
own functions, which the tests check against Keras.
"""

import functools
import math
import numbers

import numpy as np

from clipedu import exploding, gradients

EXERCISES = {}


class Feedback:
    """The verdict on one answer; shows as one line of text in a notebook."""

    def __init__(self, name, correct, message):
        self.name, self.correct, self.message = name, correct, message

    def __repr__(self):
        mark = "Correct" if self.correct else ("No answer yet" if self.correct is None else "Not yet")
        return f"{self.name}: {mark}. {self.message}"


def _exercise(name, question):
    def register(checker):
        EXERCISES[name] = (question, checker)
        return checker
    return register


def _number(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer):
        raise TypeError(f"the answer must be one finite number, got {answer!r}")
    return float(answer)


def _vector(answer, size):
    values = np.asarray(answer, dtype=np.float64).ravel()
    if values.size != size or not np.all(np.isfinite(values)):
        raise TypeError(f"the answer must be {size} finite numbers, got {answer!r}")
    return values


def _option(answer, options):
    # An en dash typed for a hyphen ("seeds 0–4", as the notebooks print it) is the same option.
    if not isinstance(answer, str) or answer.strip().lower().replace("–", "-") not in options:
        raise TypeError(f"the answer must be one of {sorted(options)}, got {answer!r}")
    return answer.strip().lower().replace("–", "-")


def check(name, answer):
    """Checks ``answer`` to the exercise ``name``; returns a Feedback (correct, or what is wrong)."""
    if name not in EXERCISES:
        raise ValueError(f"name must be one of {sorted(EXERCISES)}, got {name!r}")
    if answer is None:
        return Feedback(name, None, "Replace None with your answer and run the cell again.")
    question, checker = EXERCISES[name]
    try:
        correct, message = checker(answer)
    except (TypeError, ValueError) as error:
        return Feedback(name, False, f"{error}. The question: {question}")
    return Feedback(name, correct, message)


G_VALUE = [0.6, -2.0, 1.2]


@_exercise("01.clip_by_value", f"clip the gradient {G_VALUE} with clipvalue=1.0 (a list of 3 numbers)")
def _clip_by_value(answer):
    answer = _vector(answer, 3)
    expected = gradients.clip_by_value(np.array(G_VALUE), 1.0)[0]
    if np.allclose(answer, expected, atol=1e-3):
        return True, "clipvalue clips every element on its own; elements inside [-1, 1] stay as they are."
    if np.allclose(answer, gradients.clip_by_norm(np.array(G_VALUE), 1.0)[0], atol=1e-3):
        return False, "That is what clipnorm gives. Hint: clipvalue looks at each element alone."
    wrong = [i for i in range(3) if not math.isclose(answer[i], expected[i], abs_tol=1e-3)]
    return False, f"Element(s) {wrong} are off. Hint: an element inside [-1, 1] is left alone; the sign stays."


def _rounding_of(answer, exact, least_digits=2):
    """Whether ``answer`` is ``exact``, or ``exact`` rounded to ``least_digits`` or more significant digits."""
    if math.isclose(answer, exact, rel_tol=1e-4):
        return True
    return any(math.isclose(answer, float(f"{exact:.{digits - 1}e}"), rel_tol=1e-9)
               for digits in range(least_digits, 6))


@_exercise("02.longest_clipvalue_step", "the longest possible SGD step of a unit with three weights (w, u, b), "
                                        "each a variable of one value, with learning_rate=0.02 and clipvalue=0.5 "
                                        "(one number, at least two significant digits)")
def _longest_clipvalue_step(answer):
    answer = _number(answer)
    longest = 0.02 * 0.5 * math.sqrt(3)
    if _rounding_of(answer, longest):
        return True, ("All three elements can be clipped to ±0.5 at once: the step is a corner of the cube, "
                      "0.02 · 0.5 · √3 ≈ 0.0173 long, √3 times global_clipnorm's longest step at the same threshold.")
    if _rounding_of(answer, 0.02 * 0.5):
        return False, ("That is global_clipnorm's longest step, and the longest step of one weight. Hint: all three "
                       "elements can be clipped at once.")
    if _rounding_of(answer, 0.02 * 0.5 * math.sqrt(2)):
        return False, "That is the longest step of two weights, as in the notebook; this unit has three."
    if _rounding_of(answer, 0.02 * 0.5 * 3):
        return False, ("That adds the three elements; a step's length is the Euclidean norm of the clipped "
                       "gradient times the learning rate.")
    return False, ("Hint: the clipped gradient lies in the cube [-0.5, 0.5]³; its longest vector reaches a corner. "
                   "Multiply its length by the learning rate.")


def _final_loss(learning_rate, **clip):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverged run is reported by its flag
        run = exploding.train_rnn((1.1, 0.5), learning_rate, 100, **clip)
    return run


BOUNCE_RATE, BOUNCE_SEEDS = 0.027, (0, 1, 2, 3, 4)  # global_clipnorm=1 from (1.1, 0.5), 100 updates
BOUNCE_FORMS = ("cycle", "erratic")


def _bounce_forms(answer):
    if not isinstance(answer, dict):
        raise TypeError(f"the answer must be a dict from seed to form, such as {{1: 'cycle'}}, got {answer!r}")
    forms = {}
    for seed, form in answer.items():
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed not in BOUNCE_SEEDS:
            raise TypeError(f"the answer's keys must be seeds from {list(BOUNCE_SEEDS)}, got {answer!r}")
        forms[int(seed)] = _option(form, BOUNCE_FORMS)
    return forms


@_exercise("02.bounce_seeds", "the data seeds, of 0 to 4, on which the global_clipnorm=1 run at learning_rate=0.027 "
                              "from (1.1, 0.5) bounces after 100 updates, each with its form, 'cycle' or 'erratic' "
                              "(a dict, such as {1: 'cycle'}, or {} for none)")
def _bounce_seeds(answer):
    answer = _bounce_forms(answer)
    runs = exploding.descend((1.1, 0.5), BOUNCE_RATE, 100, "global_clipnorm", 1.0, np.array(BOUNCE_SEEDS))
    bouncing = {s for s in BOUNCE_SEEDS if exploding.bounces(runs["loss"][s])}
    seeds = set(answer)
    if seeds == {0, 1, 4}:
        return False, ("That is the pattern at learning rate 0.03. Hint: compare 0.027 with each seed's stability "
                       "limit 2/λmax printed in section 3.")
    if not seeds:
        return False, ("Clipping does not stop a bounce whose cause is the learning rate. Hint: on which seeds is "
                       "0.027 above the stability limit 2/λmax of section 3?")
    if seeds < bouncing:
        return False, ("Too few: another seed bounces. Hint: read every seed's stability limit 2/λmax in section 3 "
                       "and compare it with 0.027.")
    if seeds != bouncing:
        return False, ("A run settles on a seed whose stability limit 2/λmax is above the learning rate. Hint: which "
                       "seeds' limits in section 3 lie above 0.027?")
    for seed in sorted(bouncing):
        clipped = int(runs["clipped"][seed].sum())
        form = "cycle" if exploding.steady_cycle(runs["loss"][seed]) else "erratic"
        if answer[seed] != form:
            return False, (f"The right seeds; but on seed {seed} the run clipped {clipped} of its 100 updates, and "
                           f"its bounce is {'a steady cycle' if form == 'cycle' else 'erratic'}. Hint: a clipped "
                           "step is lr · τ long, whatever the gradient; on which seeds did section 3 see a bounce "
                           "whose every step was clipped, and what form did it take there?")
    return True, (f"{sorted(bouncing)}: 0.027 is above plain gradient descent's stability limit 2/λmax on these "
                  "seeds only (section 3: 0.0178 on seed 0, 0.024 on seed 4; 0.0287 and more on the others), so "
                  "clipping cannot remove the bounce. But the gradient never fell below τ = 1: every one of the 100 "
                  "updates was clipped on both seeds, so every step is lr · τ = 0.027 long, and, as in every bounce of "
                  "section 3 whose every step was clipped, the bounce is a steady two-step cycle.")


GUARD_RATE = 0.01


@_exercise("02.guard_threshold", "a global_clipnorm threshold for learning_rate=0.01 that acts as a guard: its run "
                                 "stays finite, clips the first update and none from the 10th on, and ends at a "
                                 "loss at most twice the logged run's (one number)")
def _guard_threshold(answer):
    threshold = _number(answer)
    if threshold <= 0:
        return False, "A threshold is a positive number. Hint: read the log printed above."
    log = _logged_run()["grad_norm"]
    first_norm = float(log[0])
    if threshold >= first_norm:
        return False, (f"The first gradient's norm was {first_norm:.3g}: this never clips it, and the run diverges "
                       "(section 2). Hint: look at the first norm in the log.")
    healthy = float(np.max(log[9:]))
    if threshold <= healthy:
        return False, (f"The log's updates from the 10th on reached {healthy:.3g}: this clips healthy updates too, "
                       "and shortens them. Hint: look at the largest norm from the 10th update on.")
    run = _final_loss(GUARD_RATE, global_clipnorm=threshold)
    late = int(np.count_nonzero(run["clipped"][9:]))
    first_step = f"0.01 · {threshold:g} = {GUARD_RATE * threshold:.3g}"
    if run["diverged"]:
        return False, (f"This run diverged: it clipped the explosion, but to a first step {first_step} long, "
                       "which threw w far past the valley, to where |w| > 1 and the loss overflows. Hint: a guard "
                       "also sets the length of the step it clips, lr · τ.")
    if late:
        return False, (f"Its own run clipped {late} of the updates from the 10th on: a run clipped at {threshold:g} "
                       "is not the logged run (clipped at 10), and its gradients from the 10th update on were not "
                       "those of the log. Hint: leave room above the largest norm of healthy training.")
    bound = 2 * float(_logged_run()["loss"][-1])
    if run["loss"][-1] > bound:
        where = ", past the valley's minimum at w = 0.8," if run["w"][1] < exploding.TRUE_W else ""
        return False, (f"Its run stayed finite, but its first step, {first_step} long, took w from 1.1 to "
                       f"{run['w'][1]:.2g}{where} and after 100 updates its loss is "
                       f"{run['loss'][-1]:.2g}, more than twice the logged run's {bound / 2:.2g}: it did not learn as "
                       "the logged run did. Hint: a guard also sets the length of the step it clips, lr · τ; how "
                       "far from w = 1.1 is the valley?")
    return True, (f"Its run clipped {int(run['clipped'].sum())} update(s), all before the 10th, and ended at loss "
                  f"{run['loss'][-1]:.2g} (the logged run: {bound / 2:.2g}): a guard acts on the explosion, with a "
                  "clipped step, lr · τ, that does not throw the run off, and leaves healthy training alone.")


def _glorot_outside(fan_in, fan_out, bound):
    """The limit L of Glorot-uniform values, U[-L, L], and the share of them outside [-bound, bound]."""
    limit = math.sqrt(6 / (fan_in + fan_out))
    return limit, 1 - bound / limit


@_exercise("03.outside_at_start", "the fraction of a Glorot-uniform Dense(30) kernel on 100 inputs that lies "
                                  "outside [-0.1, 0.1] before training (a number between 0 and 1)")
def _outside_at_start(answer):
    answer = _number(answer)
    limit, expected = _glorot_outside(100, 30, 0.1)
    if math.isclose(answer, expected, abs_tol=0.01):
        return True, f"Uniform on [-{limit:.4f}, {limit:.4f}]: a share 0.1 / {limit:.4f} lies inside."
    if math.isclose(answer, 1 - expected, abs_tol=0.01):
        return False, "That is the share inside [-0.1, 0.1]. Hint: the question asks about outside."
    return False, "Hint: for a uniform distribution on [-L, L], the share inside [-a, a] is a / L."


@_exercise("03.frozen_layer", "how many of the three kernels of a critic of three Dense layers (Glorot-uniform "
                             "kernels), with constrain_all(critic, WeightClip(0.01)) and its middle layer frozen, lie "
                             "inside [-0.01, 0.01] after one training step (one integer)")
def _frozen_layer(answer):
    answer = _number(answer)
    if answer == 2:
        return True, ("The optimizer updates the two trainable layers and applies their constraint right after; the "
                      "frozen layer's kernel is not among the variables it updates, so it keeps its Glorot values, "
                      "mostly outside [-0.01, 0.01].")
    if answer == 3:
        return False, ("Hint: Keras applies a constraint inside the optimizer, to the variables it updates "
                       "(section 3). Does the optimizer update a frozen layer's kernel?")
    if answer in (0, 1):
        return False, ("Hint: the step updates every trainable layer, and the optimizer clips each variable it "
                       "updates right after. How many layers are still trainable?")
    return False, "Hint: the critic has three kernels; which of them does the optimizer update in that step?"


@_exercise("04.glorot_at_bound", "the largest c at which the first clip puts at least half of a Glorot-uniform "
                                 "128 × 128 kernel (section 2's hidden layers) on ±c (one number)")
def _glorot_at_bound(answer):
    answer = _number(answer)
    limit = math.sqrt(6 / (128 + 128))
    half = limit / 2  # 1 - c / L = 1/2
    if math.isclose(answer, half, abs_tol=0.002):
        return True, (f"The values are uniform on [-L, L] with L = sqrt(6 / 256) = {limit:.4f}; the clip moves the "
                      f"share 1 - c / L of them onto ±c, at least half while c ≤ L / 2 = {half:.4f}. Section 2's "
                      "c = 0.01 is far below that: most of the kernel lands on ±c.")
    if math.isclose(answer, limit, abs_tol=0.002):
        return False, ("That is the Glorot limit L itself: at c = L the clip moves nothing. Hint: which share of "
                       "U[-L, L] lies outside [-c, c], and for which c is it one half?")
    if math.isclose(answer, math.sqrt(6 / 128) / 2, abs_tol=0.002):
        return False, ("That is half the limit of a 64 × 64 kernel, sqrt(6 / 128). Hint: Glorot's limit is "
                       "sqrt(6 / (fan_in + fan_out)); what are fan_in and fan_out of a 128 × 128 kernel?")
    return False, ("Hint: Glorot uniform draws from [-L, L] with L = sqrt(6 / (fan_in + fan_out)); the first clip "
                   "moves the share 1 - c / L onto ±c. Solve 1 - c / L = 1/2 for c.")




FIRST_CLIP = [0.1, -3.0]


@_exercise("00.first_clip", f"what clipvalue=0.5 makes of the gradient {FIRST_CLIP} (two numbers)")
def _first_clip(answer):
    answer = _vector(answer, 2)
    expected = gradients.clip_by_value(FIRST_CLIP, 0.5)[0]
    if np.allclose(answer, expected, atol=1e-3):
        return True, "0.1 lies inside [-0.5, 0.5] and stays; -3 is cut to -0.5: every element keeps its sign."
    if np.allclose(answer, -np.asarray(expected) * [-1, 1], atol=1e-3):
        return False, "Hint: clipping cuts an element's size, never its sign: -3 stays negative."
    if np.allclose(answer, gradients.clip_by_norm(FIRST_CLIP, 0.5)[0], atol=1e-3):
        return False, "That is what clipnorm gives. Hint: clipvalue looks at each element on its own."
    return False, "Hint: clip each element into [-0.5, 0.5] on its own."


@functools.cache
def _logged_run():
    """The run whose log exercise 02.guard_threshold shows: its gradient norms (before clipping) and losses."""
    return exploding.train_rnn((1.1, 0.5), 0.01, 100, global_clipnorm=10.0)


def _multiple_choice(name, question, right, message, hints):
    """Registers an exercise answered by one of the strings in ``hints`` or ``right``.

    ``message`` explains the right answer; ``hints`` maps each wrong option to what it gets back.
    """
    hints = {option.lower(): hint for option, hint in hints.items()}  # answers are compared in lower case
    right = right.lower()
    options = set(hints) | {right}

    def checker(answer):
        answer = _option(answer, options)
        return (True, message) if answer == right else (False, hints[answer])

    _exercise(name, question)(checker)


_multiple_choice(
    "01.largest_turn",
    "the largest angle by which clipvalue can turn a gradient of 100 elements: 'below 45', 'between 45 and 90' "
    "or '90 or more' (degrees; a string)",
    "between 45 and 90", "One huge element and 99 at the threshold: the gradient points almost along one axis, "
    "the clipped update (v, v, ..., v) along the diagonal, up to nearly arccos(1/√100) = 84° away. It never reaches "
    "90°: every element keeps its sign, so g · clip(g) > 0.",
    {"below 45": "Hint: in 2-D the worst case was one large element and one at the threshold. With one huge element "
                  "and 99 at the threshold, the clipped update is the diagonal (v, ..., v): how far is the diagonal "
                  "of 100 dimensions from an axis?",
     "90 or more": "Hint: clipvalue keeps every element's sign (section 5). What does that make of g · clip(g), and "
                    "of the angle?"})

SPARSE_BATCH = [1, 1, 2]  # exercise 01.sparse_repeats's batch: row 1 used twice, row 2 once
SPARSE_SLICE = [3.0, 0.0]  # the gradient each use gives its row, as in notebook 01's section 2
SPARSE_CLIPS = {"clipnorm": 1.0, "global_clipnorm": 1.0, "clipvalue": 0.5}


def _sparse_ratios():
    """Row 1's step over row 2's, for SPARSE_BATCH, with each argument: clipped as Keras clips an IndexedSlices on
    the TensorFlow backend (the stored slices as one tensor, one slice per use), then added row by row."""
    slices = np.tile(SPARSE_SLICE, (len(SPARSE_BATCH), 1))
    clip = {"clipnorm": gradients.clip_by_norm, "global_clipnorm": gradients.clip_by_global_norm,
            "clipvalue": gradients.clip_by_value}
    ratios = {}
    for argument, threshold in SPARSE_CLIPS.items():
        clipped = clip[argument](slices, threshold)[0]
        rows = {row: np.linalg.norm(clipped[np.array(SPARSE_BATCH) == row].sum(axis=0)) for row in (1, 2)}
        ratios[argument] = float(rows[1] / rows[2])
    return ratios


def _sparse_right_option():
    keep = [argument for argument, ratio in _sparse_ratios().items() if math.isclose(ratio, 2.0, rel_tol=1e-9)]
    names = {("clipnorm", "global_clipnorm", "clipvalue"): "all three", ("clipnorm", "global_clipnorm"):
             "clipnorm and global_clipnorm", ("clipvalue",): "clipvalue", (): "none"}
    return names[tuple(keep)]


_multiple_choice(
    "01.sparse_repeats",
    f"notebook 01's Embedding(3, 2) at zero, each use of a row giving the slice {SPARSE_SLICE}, the batch "
    f"{SPARSE_BATCH}: one SGD step (learning rate 1, TensorFlow backend) with clipnorm=1.0, with global_clipnorm=1.0 "
    "and with clipvalue=0.5 in turn. With which of them does row 1 still move exactly twice as far as row 2: "
    "'all three', 'clipnorm and global_clipnorm', 'clipvalue' or 'none' (a string)",
    _sparse_right_option(),
    "The clip acts on the three stored slices, (3, 0) each, before the slices of row 1 are added. clipnorm and "
    "global_clipnorm take one norm over the stored slices, √27 = 5.2, and scale every slice by 1/5.2: row 1 moves "
    "1.15, row 2 0.58. clipvalue cuts every slice to (0.5, 0): row 1 moves 1, row 2 0.5. Every slice is clipped "
    "alike, so no argument can change the ratio between rows; with the same gradient made dense, clipvalue would "
    "cut row 1's (6, 0) and row 2's (3, 0) both to (0.5, 0) and move them equally far.",
    {"clipnorm and global_clipnorm": "Hint: that holds for a dense gradient, where clipvalue cuts row 1's (6, 0) "
                                     "and row 2's (3, 0) both to (0.5, 0). Here the gradient is sparse: what does "
                                     "clipvalue cut, the row's gradient or each stored slice (section 2), and how "
                                     "many slices does row 1 have?",
     "clipvalue": "Hint: clipnorm and global_clipnorm take one norm over all the stored slices and scale every "
                  "slice by the same factor (section 2). Can one factor change the ratio between two rows?",
     "none": "Hint: what does each argument do to each stored slice (section 2), and are the slices of row 1 and "
             "row 2 treated differently?"})


_multiple_choice(
    "03.reach_one",
    "which one change lets section 7's 2-32-32-1 ReLU network, every weight and bias in [-0.01, 0.01], inputs in "
    "[-1, 1]², give an output of 1 for some weights and some input: 'deeper' (a third hidden layer of 32 units), "
    "'256 wide' (both hidden layers 256 wide) or '1024 wide' (both 1024 wide) (a string)",
    "1024 wide", "Section 7's bound, layer by layer (n·c·b + c): 2 · 0.01 + 0.01 = 0.03, then 1024 · 0.01 · 0.03 + "
                 "0.01 = 0.317, then 1024 · 0.01 · 0.317 + 0.01 = 3.3, which every weight at +0.01 reaches at the "
                 "input (1, 1). At 256 units the bound is 0.23; a third hidden layer of 32 lowers it to 0.015, since "
                 "a layer whose n·c is below 1 shrinks it. Being able to reach 1 is not learning to: what training "
                 "finds is another question (section 7's control).",
    {"deeper": "Hint: section 7's bound grows layer by layer as n·c·b + c. A hidden layer of 32 units multiplies it "
               "by at most 32 · 0.01 = 0.32 and adds 0.01: does a third such layer raise 0.016 or lower it?",
     "256 wide": "Hint: work section 7's bound layer by layer with n = 256: 2 · 0.01 + 0.01 = 0.03 after the first "
                 "layer, then 256 · 0.01 · 0.03 + 0.01, then once more for the output. Is that above 1?"})

_multiple_choice(
    "03.after_load",
    "whether a critic whose variables got variable.constraint = WeightClip(0.01) (and no layer attribute), trained, "
    "saved to .keras and loaded, has all its weights inside [-0.01, 0.01] after one more training step that pushes "
    "weights past 0.01: 'yes' or 'no' (a string)",
    "no", "A .keras file saves each layer's config, which holds its *_constraint attributes, and not the variables' "
          "constraint. The loaded layers are built with no constraint, so the optimizer clips nothing: the step "
          "pushes weights past 0.01. constrain_all sets both places (section 4).",
    {"yes": "Hint: what does a saved model keep of a constraint, the layer's *_constraint attribute or the variable's "
            "constraint (section 4)? Which of the two did the colleague set, and what does the loaded layer build "
            "its variables with?"})

_multiple_choice(
    "04.adam_steps",
    "for section 4's stalled c = 0.001 critic (seed 0's median gradient 1.4e-10), trained with Keras' Adam (epsilon = "
    "1e-7 added to the root of its second moment, outside it) at the same learning rate instead of Keras' RMSprop "
    "(epsilon inside the root): are Adam's steps 'longer', 'about as long' or 'shorter' (a string)",
    "longer", "Keras' RMSprop divides g by √(v + 1e-7) ≈ 3.2e-4 for gradients this small: 4.4e-7 learning rates "
              "per step. Adam divides by √v + 1e-7, and √v, about |g| = 1.4e-10 at most, is far below 1e-7: its step "
              "is at most about 1.4e-10 / 1e-7 = 1.4e-3 learning rates, less in its first thousands of steps, where "
              "its bias correction scales it by √(1 - 0.999ᵗ) (Keras: 4.4e-5 at the first, half the limit after "
              "about 290 steps, 0.9 of it after about 1 700). A hundred to thousands of times "
              "RMSprop's, though still far shorter than the learning rate: ε outside the root competes with |g|, "
              "inside it with g², as with PyTorch's RMSprop in section 4. Whether thousands of such steps move the "
              "weights out of the stall, this notebook does not run: try it on section 4's critic.",
    {"about as long": "Hint: both add ε = 1e-7, but in different places. For g ≈ 1e-10, which is smaller: √(g² + 1e-7) "
                      "or |g| + 1e-7? The step is the learning rate times g divided by it.",
     "shorter": "Hint: compare the denominators for g ≈ 1e-10: √(g² + 1e-7) for RMSprop, about |g| + 1e-7 for Adam. "
                "Which is smaller, and what does a smaller denominator do to the step?"})

_multiple_choice(
    "04.gap_width",
    "two WGANs trained alike with Algorithm 1's settings and c = 0.01, differing only in the critic's width (3 × 128 "
    "against 3 × 512); the wider critic's score gap ends 30 times larger. Does that show that its generator is "
    "farther from the data: 'yes' or 'no' (a string)",
    "no", "A clipped critic's gap is at most K·W, and c, the width and the depth set K: with three hidden layers of n "
          "units the largest K any critic clipped at c can have is c⁴·√(2n)·n·n·√n, 64 times larger at n = 512 than "
          "at n = 128. A 30 times larger gap fits a generator as close to the data, or closer: gaps of critics with "
          "different K do not compare (Arjovsky et al.: \"hard to compare models with different critics\"). Compare "
          "the samples with the data instead.",
    {"yes": "Hint: a clipped critic's gap is at most K·W (section 4). What sets K besides c, and is it the same for "
            "the two critics?"})

_multiple_choice(
    "05.needs_control",
    "what a classmate's conclusion 'clipping kept the critics from marking the modes', drawn from clipped critics "
    "(c = 0.01, 3000 updates, as section 2) that are one bump on 5 of 5 seeds on sixteen Gaussians on a ring, "
    "still needs: 'nothing', 'more seeds', 'the penalty's critics, trained the same way' or 'the same critics "
    "trained without the clip' (a string)",
    "the same critics trained without the clip",
    "A single bump says what the clipped critics learned, not why. The conclusion is about what the clip took away, "
    "so it needs the same critics trained the same way without the clip: if they mark the sixteen modes and the "
    "clipped ones do not, the clip is the difference. In section 2 the critics without a constraint were one bump on "
    "every data set too: one bump comes without the clip as well (why, section 2 does not show). The penalty's "
    "critics differ in another constraint as well: if they mark the modes, that shows what the penalty adds (as on "
    "section 2's 8 Gaussians), not what the clip takes away.",
    {"nothing": "Hint: in section 2, what did the critics without any constraint, trained the same way, look like?",
     "more seeds": "Hint: 5 of 5 seeds already agree. Would more clipped seeds tell the clip apart from the short "
                   "training, or does that take a row without the clip?",
     "the penalty's critics, trained the same way": "Hint: the penalty's critics differ from the clipped ones in two "
                                                    "things, no clip and a penalty. If they mark the modes, which of "
                                                    "the two did it? In section 2, what did critics with neither look "
                                                    "like?"})

_multiple_choice(
    "05.penalty_budget",
    "assuming the short training (3000 updates) and the small width (64 units) are the only suspects (section 3 "
    "lists other differences from the paper and its code), supposing two runs beside section 2's penalty row on the "
    "25 Gaussians, which the notebook did not make: the same critics trained for 30 000 updates mark the 25 modes, "
    "and critics 512 units wide trained for 3000 updates are still one bump. What kept section 2's penalty critics "
    "from resolving the modes: 'the short training', 'the small width' or 'both' (a string)",
    "the short training", "Each run changes one suspect beside section 2's row. The longer run changed only the "
                          "length, at 64 units, and resolved the modes: at this width 3000 updates were too few, and "
                          "no wider critic was needed. The wider run changed only the width and stayed one bump: "
                          "width alone did not make up for the short training. Whether a wider critic would resolve "
                          "them in fewer updates than 30 000 only the run that changes both could say; it is not what "
                          "kept section 2's row from it.",
    {"the small width": "Hint: the 512-wide critics, trained for 3000 updates, were still one bump. And the longer "
                        "run, which resolved the modes, was how wide?",
     "both": "Hint: the longer run resolved the modes at 64 units. Was a wider critic needed for that?"})

_multiple_choice(
    "12.ceiling_width",
    "for which of two 16-layer ReLU critics clipped at c = 0.005, one 128 units wide and one 256 units wide, trained "
    "as section 1 trains and both ending with g below 0.9, you can say without any further run that the gradient "
    "had to decay whatever training did: 'the 128-wide', 'the 256-wide', 'both' or 'neither' (a string)",
    "the 128-wide",
    "Back through a hidden layer of n units the gradient is multiplied by at most the kernel's largest singular value, "
    "which is at most its Frobenius norm, n·c for an n × n kernel with entries in [-c, c] (the ReLUs only zero "
    "entries). For the 128-wide critic the ceiling is 128 · 0.005 = 0.64, below 1: every hidden layer shrinks the "
    "gradient whatever the weights inside the box, as at c = 0.01 and 0.001 in section 1. For the 256-wide one it is "
    "1.28, above 1: the bound allows growth, so its decay may be the first clip's (its clipped start), training's, or "
    "the clip's during training, and only runs can tell: the clipped start's g, and the same training from the "
    "clipped start without the clip, as for c = 0.1 in section 1.",
    {"the 256-wide": "Hint: a wider layer has more entries in each row. Work out each critic's ceiling, n·c: which "
                     "one is below 1?",
     "both": "Hint: work out 256 · 0.005. Does a ceiling above 1 force a decay, or only allow one?",
     "neither": "Hint: work out 128 · 0.005. If every hidden layer multiplies the gradient by at most that, what "
                "must it do over 15 layers, whatever training does?"})

_multiple_choice(
    "12.barely_trained",
    "which run or measurement settles, whichever way its result comes out, 'the clip holds the kernels in place' for "
    "a critic of 3 hidden layers 256 units wide, clipped at c = 0.01 and trained with RMSprop as notebook 12 trains "
    "its clipped critics, 93 % of whose kernel entries sit on ±c right after its first clip and after 200 generator "
    "iterations, and whose kernels moved by less than 1 % of their size from that start: 'the share of kernel "
    "entries on ±c, layer by layer', 'the largest kernel-gradient entry against √ε' or 'the same start trained "
    "without the clip' (a string)",
    "the same start trained without the clip",
    "Taking the clip away, one change, from the same start settles it either way: if the kernels then move, the clip "
    "was holding them in place; if they stay put, it was not. The largest kernel-gradient entry against √ε can only "
    "rule the claim out: Keras' RMSprop moves a weight by at most lr · |g| / √ε in an update, so if that bound is a "
    "vanishing share of c at every update, no update could have moved an entry, clip or no clip (notebook 12 measures "
    "it at the two ends of its runs at c = 0.01 and 0.001); a large bound says that a step could have been long, not "
    "that any step pushed an entry beyond ±c. The share on ±c did not change, which both explanations allow.",
    {"the share of kernel entries on ±c, layer by layer": "Hint: the share stayed at 93 %. Would it differ if the "
                                                          "clip put entries back at every update, or if no update "
                                                          "moved them at all? Which run changes the clip alone?",
     "the largest kernel-gradient entry against √ε": "Hint: a large bound lr · |g| / √ε says that a step could have "
                                                     "been long, not that any step pushed an entry beyond ±c: it can "
                                                     "rule the claim out, not confirm it. Which run shows what the "
                                                     "clip itself does?"})

_multiple_choice(
    "12.between_the_ends",
    "which of section 1's verdicts (grows: g > 1.1; decays: g < 0.9; level between) you can rule out without any "
    "further run at generator iteration 100, which no cell measured, for a critic of 12 hidden layers of 64 ReLU "
    "units clipped at c = 0.015 and trained as section 1 trains its clipped critics, whose g was measured at its "
    "start and after 200 generator iterations only: 'grows', 'grows and level' or 'none' (a string)",
    "grows",
    "The clip puts every weight back into [-c, c] after every critic update, so at iteration 100, as at every "
    "iteration, measured or not, each 64 × 64 hidden kernel multiplies the gradient's norm by at most 64c = 0.96, "
    "and g, the geometric mean of those factors, is at most 0.96: never above 1.1, so never 'grows'. But 0.96 is "
    "not below 0.9, the line under which section 1 calls a gradient 'decays': the box [-c, c] holds critics whose "
    "g lies between 0.9 and 0.96, which section 1 calls 'level'. The critic with every weight at +c reaches "
    "g = 0.96 exactly (after the first layer every ReLU is active, and each layer multiplies the gradient by 64c), "
    "and with every weight at 0.95c, g = 0.912. A ceiling below 1 rules out growth; only a ceiling below 0.9 "
    "forces 'decays', as 0.64 does at c = 0.01. Section 1's runs at c = 0.01 kept g near where the first clip put "
    "it, which suggests 'decays' here too; but that is another c, measured at two ends, not a bound: only a run "
    "that records g at iteration 100 would rule 'level' out.",
    {"grows and level": "Hint: 64c = 0.96 is below 1, so no hidden layer can make the gradient grow; but does the "
                        "ceiling force g below 0.9, where section 1's verdict 'decays' begins?",
     "none": "Hint: the clip puts every weight back into [-c, c] after every critic update, at iteration 100 too. "
             "What does the ceiling 64c say about g of any critic whose weights lie there, measured or not?"})

_multiple_choice(
    "06.deep_penalty",
    "what the gradient penalty did to the eleven 64 × 64 layers of a critic of 12 hidden layers of 64 ReLU units "
    "(He-uniform start), five seeds, whose largest singular values lie between 2.6 and 3.0 before training, between "
    "3.6 and 4.4 after it, and between 3.5 and 4.5 when the same critic, from the same start, is trained the same way "
    "without the penalty; paired seed by seed and layer by layer, the penalty's σ after training is below the "
    "control's in 29 of the 55 pairs: 'pushed them up', 'held them below the control's' or 'nothing these numbers "
    "show' (a string)",
    "nothing these numbers show", "Training raised the layers' σ with the penalty (2.6 to 3.0 before, 3.6 to 4.4 "
    "after) and without it (3.5 to 4.5): the rise comes with the training both runs share, not with the penalty. "
    "Whether the penalty held them below the control's, the ranges cannot say (overlapping ranges can hide a "
    "difference that every pair shows: notebook 03, section 7); the pairs can. A hold-down would put the penalty's "
    "σ below the control's in most pairs, as section 4's 20 of 20 did; 29 of 55 is about half, close to what no "
    "effect would give. These numbers show no hold-down, which does not show that the penalty has no effect on σ: "
    "the 55 pairs come from 5 runs, and a small effect could hide in them. (What the penalty acts on, the gradient "
    "where it measures it, these σ do not show.)",
    {"pushed them up": "Hint: where did the same critic's σ end when it was trained without the penalty? Does "
                       "the rise follow the penalty, or the training both runs share?",
     "held them below the control's": "Hint: read the pairs, not the ranges. In section 4 a hold-down showed as "
                                      "the penalty's σ below its control's in 20 of 20 pairs; in how many of these "
                                      "55 pairs is it below, and would that be far from what no effect gives?"})

R1_EIGENVALUE = -0.5  # R1's (gamma = 1) field Jacobian at the Dirac-GAN's equilibrium: -0.5 twice (section 6)


@_exercise("06.simultaneous_r1_rate", "the learning rate h from which on simultaneous steps of the Dirac-GAN with R1 "
                                      "(GAN loss, gamma = 1), the matrix I + hJ, no longer converge near the "
                                      "equilibrium in the long run (one number)")
def _simultaneous_r1_rate(answer):
    answer = _number(answer)
    limit = -2 / R1_EIGENVALUE  # |1 + h·λ| < 1 for real λ < 0 exactly while 0 < h < -2/λ
    if math.isclose(answer, limit, abs_tol=0.05):
        return True, (f"A simultaneous step multiplies the displacement by I + hJ, whose eigenvalue is "
                      f"1 + h·({R1_EIGENVALUE}) = 1 - h/2 (twice). Its modulus is below 1 while 0 < h < {limit:g}, "
                      f"and then the displacement shrinks in the long run; at h = {limit:g} it is -1, and beyond it "
                      "the steps overshoot the equilibrium by more and more. J has only one eigenvector, so I + hJ is "
                      "not a pure scaling: a single step can lengthen the displacement even below the limit (at "
                      "h = 2 the first step from (1, 1) doubles it, the second lands on the equilibrium).")
    if math.isclose(answer, -1 / R1_EIGENVALUE, abs_tol=0.05):
        return False, ("At h = 2 the step's eigenvalue 1 - h/2 is 0: there the displacement vanishes after two "
                       "steps, the opposite of no longer converging. Hint: for which h does |1 - h/2| reach 1 again?")
    return False, (f"Hint: R1's field has the eigenvalue {R1_EIGENVALUE} (twice); in the long run the displacement "
                   "shrinks exactly while every eigenvalue 1 + h·λ of I + hJ has modulus below 1. For which h is "
                   "that so?")


_multiple_choice(
    "06.wgan_r1",
    "what the Dirac-GAN does with the WGAN loss and R1's penalty (critic ascent direction -theta - gamma*psi, "
    "generator's psi), gamma = 1, at the slider's learning rates: 'converge', 'circle' or 'come to rest away from "
    "the data' (a string)",
    "converge", "The field's Jacobian at (0, 0) is [[0, 1], [-1, -γ]]: eigenvalues -γ/2 ± i·sqrt(1 - γ²/4) = "
                "-0.5 ± 0.87i, negative real parts. One training step's eigenvalues have modulus sqrt(1 - hγ) < 1 "
                "(0.98, 0.95 and 0.84 at h = 0.03, 0.1 and 0.3), so (θ, ψ) spirals into the equilibrium: as with R1 "
                "and the GAN loss, the penalty's -γψ damps the circling.",
    {"circle": "Hint: the WGAN's field had purely imaginary eigenvalues. What does the penalty's -γψ add to the "
               "Jacobian's critic row, and what does that do to the eigenvalues' real parts?",
     "come to rest away from the data": "Hint: the gradient penalty came to rest away from the data because its pull "
                                        "2λ·sign(ψ) does not vanish at ψ = 0. Does R1's pull -γψ vanish there?"})

_multiple_choice(
    "07.control_first",
    "a WGAN whose critic is clipped at c = 0.05, its kernels scaled into [-c, c] before the first step, trained with "
    "Adam at 1e-3, covers 2 of 8 modes after 1 000 iterations (the median of five seeds); its author compares it "
    "with notebook 07's unconstrained row and concludes that clipping held the generator back: the run to ask for "
    "first, on the same five seeds: 'unconstrained, start scaled to 0.05, Adam 1e-3', 'unconstrained, start scaled "
    "to 0.05, Adam 5e-4' or 'clipped at 0.05, Glorot start, Adam 1e-3' (a string)",
    "unconstrained, start scaled to 0.05, Adam 1e-3",
    "A claim about what clipping does needs the same run without the clip, and nothing else changed: the critic "
    "scaled into [-0.05, 0.05] as before, Adam at 1e-3 as before, trained without a constraint (in "
    "clipedu.notebook.eight_gaussians, Row(None, 'scaled', learning_rate=1e-3, scale=0.05)). Against section 1's "
    "unconstrained row, whose critic starts as Glorot drew it and trains at 5e-4, three things change: the clip, "
    "the start and the learning rate; scaling the kernels changes the scale of the function the critic starts as "
    "(notebook 06, section 2). The unconstrained run at 5e-4 still changes the learning rate besides the clip; the "
    "clipped run from a Glorot start is clipped too, and tests the start, not the clip. In section 3 the "
    "unconstrained row also left the median seed at three modes on the notebook's machine: without the control, "
    "nothing says clipping was the cause.",
    {"unconstrained, start scaled to 0.05, Adam 5e-4": "Hint: against that run, what changes besides the clip? "
                                                        "Which learning rate does the author's run train at?",
     "clipped at 0.05, Glorot start, Adam 1e-3": "Hint: that run is clipped as well. What does it change: whether "
                                                 "the critic is clipped, or where it starts? Which run differs from "
                                                 "the author's in the clip alone?"})

_multiple_choice(
    "07.estimate_reading",
    "a WGAN with a critic clipped at c = 0.1 and started as notebook 07's row 'clip 0.1', trained for 5 000 "
    "iterations: over its fifty records its estimate rises while the set distance falls and its mode count rises "
    "from two to eight (rank correlation -0.8 between estimate and distance): the run or measurement to ask for "
    "first: 'the set distance against 10 000 data points at every record', 'the same run on five more seeds' or "
    "'a copy of the critic trained to convergence at a few records, its gap read again' (a string)",
    "a copy of the critic trained to convergence at a few records, its gap read again",
    "This is the curve of issue #2 of the WGAN reference code (martinarjovsky/WassersteinGAN): a user's loss rose "
    "while the images improved, and Arjovsky answered that such a curve \"is a strong sign that the discriminator "
    "isn't trained till optimality (and therefore it's error doesn't correspond to the performance of the "
    "generator)\". The estimate is the score gap of a critic trained five updates per generator iteration; it "
    "can track the distance only if that critic is near the best one the clip allows, and even then it is at most "
    "K·W, K the Lipschitz constant the clip sets (the WGAN paper calls it W up to a multiplicative constant only if "
    "the clipped family attains the supremum, 'a pretty strong assumption'). A copy trained on, with the generator "
    "held at a record, until its gap stops rising, gives that gap at "
    "that record: if those gaps fall over the records while the estimate rises, the training critic was far from its "
    "optimum; if they rise too, the rise is not that critic's distance from its optimum. Notebook 07 did not run "
    "this test. The mode count and the set distance agree that the samples improved, and over 1 000 iterations the "
    "same setting's estimate fell with the distance on most seeds; neither rules out what 5 000 iterations do, "
    "which this test would show. A more precise distance would measure the samples again, which both measures "
    "already agree on; more seeds would say how common the curve is, not what this critic's gap means. This run "
    "has momentum, a cause the reference code's README names; in notebook 14 removing it (beta_1 = 0 for both "
    "networks, 1 000 iterations, five seeds) left the median seed at four modes or fewer and the median rank "
    "correlation above 0.5, as with it (per seed both moved both ways): five seeds show no difference, which is "
    "not evidence of none.",
    {"the set distance against 10 000 data points at every record": "Hint: the mode count rose from two to eight "
                                                                    "as the distance fell: do the two measures "
                                                                    "disagree about the samples? Which quantity "
                                                                    "is in question here?",
     "the same run on five more seeds": "Hint: more seeds say how often such a curve occurs. Would they tell you "
                                        "whether this critic's gap estimates a distance? What did Arjovsky name "
                                        "as the sign of in issue #2?"})

_multiple_choice(
    "13.report_setting",
    "a clipped WGAN setting (not section 2's) chosen on its seeds 0-4 covered 7 or 8 modes on eight of fifteen "
    "fresh seeds; trained on fifteen further seeds (20-34), on four of them. Which do you report for this setting, "
    "each with its 95 % interval: '8 of 15 (0.27 to 0.79)', '4 of 15 (0.08 to 0.55)' or '12 of 30 (0.23 to 0.59)' "
    "(a string)",
    "12 of 30 (0.23 to 0.59)",
    "Nothing chose either set of fifteen seeds, so both estimate the same success rate, and neither is the better "
    "estimate: at a rate of 0.4, two sets of fifteen lie four or more apart about one time in five (section 3; a "
    "Fisher exact test on 8 of 15 against 4 of 15 gives p = 0.26). Pooled, thirty seeds estimate it more closely "
    "than either set: the narrower interval.",
    {"8 of 15 (0.27 to 0.79)": "Hint: did the seeds 5-19 choose the setting? If not, what makes the first fresh set "
                               "a better estimate than the second? Section 3: how far apart do two sets of fifteen "
                               "seeds of one setting fall by chance?",
     "4 of 15 (0.08 to 0.55)": "Hint: is a later set of seeds a better estimate than an earlier one when nothing "
                               "chose either? Section 3: how far apart do two sets of fifteen seeds of one setting "
                               "fall by chance, and what do thirty seeds say that fifteen do not?"})

_multiple_choice(
    "13.separate_settings",
    "two clipped settings tried on seeds 0-4: A covered 7 or 8 modes on three, B on two, so A was chosen; on fifteen "
    "fresh seeds each (other seeds for each), A covered 7 or 8 modes on two, B on eleven. Which do you report: 'A, "
    "which won on seeds 0-4', 'B, which did better on the fresh seeds' or 'these runs do not separate them' (a string)",
    "B, which did better on the fresh seeds",
    "The seeds 0-4 chose A, so they favour it: the best of several settings looks lucky on the seeds that chose it "
    "(section 3), and three against two of five is a difference chance gives often. The fresh seeds chose nothing, "
    "and two against eleven of fifteen is a difference chance rarely gives: Fisher's exact test gives p = 0.0025 "
    "(two-sided; clipedu.chance.fisher_exact(2, 11, 15)). Report B as the better setting. Its 11 of 15 has now "
    "chosen it, so "
    "the share to report, with its interval, comes from further seeds that choose nothing (with two candidates this "
    "far apart the bias is small, but the rule is the same).",
    {"A, which won on seeds 0-4": "Hint: which seeds chose A? Section 3: how good does the best of several equally "
                                  "good settings look on the seeds that chose it? What do the fresh seeds, which "
                                  "chose nothing, say?",
     "these runs do not separate them": "Hint: two sets of fifteen seeds of one setting lie four or more successes "
                                        "apart about one time in five (section 3). How often would they lie nine "
                                        "apart? clipedu.chance.fisher_exact(2, 11, 15) says."})

_multiple_choice(
    "14.lambda_budget",
    "a classmate writes that lambda = 10 fails on the eight Gaussians, citing section 2. Which one experiment would "
    "best test that sentence: 'lambda = 10 and lambda = 1 at the paper's Adam, each run until its set distance and "
    "mode count stop changing' (Adam at 1e-4, beta_1 = 0, beta_2 = 0.9), 'lambda = 10 with n_critic = 100 at this "
    "budget' or 'lambda = 10 on five more seeds' (a string)",
    "lambda = 10 and lambda = 1 at the paper's Adam, each run until its set distance and mode count stop changing",
    "The sentence is about lambda = 10 on the eight Gaussians, not at this budget. Section 2 ran lambda = 10 only at "
    "five times the paper's learning rate, with beta_1 = 0.5 where the paper has 0, for 1 000 iterations. At the "
    "paper's Adam, with steps five times shorter, a run stopped at a set length could fail for want of iterations. "
    "Run both until each has levelled off (gan_toy.py runs 100 000 iterations): gan_toy.py says a smaller lambda is "
    "faster, so stopping where lambda = 1 succeeds could still count a slower lambda = 10 as failing. lambda = 1 "
    "beside it, at the same settings, shows that these networks, this data and this Adam can cover the modes at "
    "all; lambda = 10's levelled-off result is then lambda's, for these networks and this data (on several seeds, "
    "as here). "
    "n_critic = 100 at this budget is gan_toy.py's remedy: if lambda = 10 then covered the modes it would refute "
    "the sentence, but if it still failed, the learning rate, beta_1 and the 1 000 iterations would still be this "
    "budget's. More seeds at this budget make the failure here surer, not more general.",
    {"lambda = 10 with n_critic = 100 at this budget":
         "Hint: it could refute the sentence, if lambda = 10 then covered the modes. If it still failed, which of "
         "section 2's departures from the paper would still be in place, and what would say that the run was long "
         "enough?",
     "lambda = 10 on five more seeds": "Hint: section 2's lambda = 10 already left the median seed at four modes or "
                                       "fewer. Would more seeds at the same budget say whether that is lambda's "
                                       "doing or the budget's?"})

_multiple_choice(
    "14.step_evidence",
    "a classmate says notebook 13's tuned row (critic clipped at c = 0.3, Keras' Adam at 1e-3, beta_1 = 0.5) runs at "
    "a 'high learning rate' in Arjovsky et al.'s sense, its learning rate being twenty times the paper's. Over the "
    "critic updates of iterations 500 to 1 000, one run each, the median of |dw| / c was measured, with the steps at "
    "which the clip held a weight on +-c (it does not move) counted apart: the tuned row 20 % held, 0.0021 over all "
    "steps, 0.0027 over those off +-c; the paper's settings in Keras (RMSprop 5e-5 at c = 0.01, eps = 1e-7 inside "
    "the root) 1 % held, 0.00002 and 0.00002; the paper's settings as main.py runs them (PyTorch's RMSprop, "
    "eps = 1e-8 outside the root) 60 % held, 0 and 0.0029. Do the tuned row's critic's weights move, per update and "
    "relative to c, 'more than twice as far as the paper's', 'about as far as the paper's' or 'less than half as far "
    "as the paper's' (a string)",
    "about as far as the paper's",
    "Compare like with like. The paper's critic is main.py's: PyTorch's RMSprop, whose eps = 1e-8 sits outside the "
    "root. Keras' RMSprop puts its eps = 1e-7 inside the root, where it shortens the steps of weights whose "
    "gradients are small (notebook 04, section 4; section 3's cell shows it beginning at a gradient of 1e-3), so "
    "the Keras run's 0.00002 measures Keras' eps, not the paper's critic. A weight held on +-c moves zero whatever "
    "the learning rate (section 3: a weight on +-c whose update points outwards does not move): with 60 % of the "
    "paper's critic's steps held there, its median over all steps is 0, which says how often the clip holds a "
    "weight, not how far the others move. Off the bound, as main.py runs it, the paper's critic moved 0.0029 of c "
    "per update and the tuned row's 0.0027: about as far. By how far its weights move relative to c, the twenty-fold "
    "learning rate is not a larger step; the paper does not define a 'high learning rate', and these steps give the "
    "classmate no support. To measure it yourself, measure the paper's run with eps as in its code (PyTorch "
    "RMSprop, 1e-8 outside the root), and report weights held on +-c separately.",
    {"more than twice as far as the paper's": "Hint: which of the two runs at the paper's settings steps as its "
                                               "code, main.py, does? Keras' RMSprop puts eps inside the root "
                                               "(notebook 04, section 4). And what is the median of a set of which "
                                               "60 % are zeros: does it say how far the other weights moved?",
     "less than half as far as the paper's": "Hint: the learning rate over c (1e-3 / 0.3 against 5e-5 / 0.01) is "
                                             "not what was measured. Which two medians compare like with like, each "
                                             "critic run as its code runs it and only the steps the clip does not "
                                             "hold, and what is their ratio?"})

_multiple_choice(
    "08.outlier_step",
    "Keras' Adam(1e-3), no clipping, on section 3's sequence of 500 gradients with step 400's gradient 10 000 times "
    "longer instead of 100 times: after the x100 outlier the median step over steps 401-499 was 0.000315; after the "
    "x10 000 one it is 'about the same' (within a factor 2), 'much shorter' (more than 2 times shorter) or 'longer' "
    "(a string)",
    "much shorter",
    "At the outlier itself Adam's step is bounded, whatever its size (it tends to 1.82 η at step 400). After it, v "
    "keeps (1 − β2) times its square and forgets it only by a factor e every 1 000 steps: a gradient 100 times longer "
    "than the x100 one leaves √v about 100 times larger. m keeps an echo of the outlier, shrinking by β1 = 0.9 a "
    "step, and a larger outlier's echo outlasts the ordinary gradients for longer (most of the 100 steps after x10 "
    "000, about a third after x100). Either way each step m / (√v + ε) is much shorter: the echo over a √v that "
    "shrinks far more slowly, or an ordinary gradient over a √v about 100 times larger (measured: median 2.0e-5, 16 "
    "times shorter than 0.000315). A guard at a high percentile would have cut either outlier to τ.",
    {"about the same": "Hint: that holds at step 400 itself, where m and √v both grow with the outlier. After it, "
                       "m's echo of the outlier shrinks by β1 = 0.9 a step; how long does v keep it "
                       "(section 3: its e-folding time), and how much larger is it than after the x100 outlier?",
     "longer": "Hint: right after the outlier m's echo of it makes a few steps longer, but that echo shrinks by "
               "β1 = 0.9 a step and √v by only about 0.9995: which of the two dominates over most of the next 100 "
               "steps, and what does that do to their median?"})


_multiple_choice(
    "08.adam_always_on",
    "Keras' Adam (epsilon 1e-7) on a model of 1e8 weights, its gradient spread evenly over all of them, with "
    "global_clipnorm=0.001 clips every step. Halving tau makes the median step: 'unchanged', 'shorter' or 'longer' "
    "(a string)",
    "shorter",
    "Spread evenly, a clipped gradient is 0.001 / √(1e8) = 1e-7 per weight, Keras' ε itself, so τ no longer "
    "cancels: Keras' m / (√v + ε) falls when m and √v halve and ε does not (ε is added to the uncorrected √v, so "
    "it counts even more in the first steps). Section 3 saw the start of this with three weights at τ = 1e-6 "
    "(about 6e-7 per weight), where the median step was a third shorter; τ cancelled only while the clipped "
    "gradients were far above ε.",
    {"unchanged": "Hint: in section 3, τ cancelled only while the clipped gradients were much larger than ε, per "
                  "weight. Spread evenly over 1e8 weights, how large is a gradient of norm 0.001 per weight, and is "
                  "that much larger than Keras' ε?",
     "longer": "Hint: in Keras' m / (√v + ε), what happens to the ratio when m and √v both halve and ε stays?"})


@_exercise("08.replica_step", "the longest possible update of SGD(0.1, global_clipnorm=1.0) under a MirroredStrategy "
                              "with four replicas, on the TensorFlow backend as in section 7 (one number)")
def _replica_step(answer):
    answer = _number(answer)
    if math.isclose(answer, 0.1 * 1.0 * 4, rel_tol=1e-2):
        return True, ("Keras clips each replica's gradient to norm 1 before the replicas' gradients are summed "
                      "(section 7), so the sum can be 4 long and the step 0.1 · 4.")
    if math.isclose(answer, 0.1, rel_tol=1e-2):
        return False, ("That would be the bound if Keras clipped the summed gradient. Hint: section 7 measured which "
                       "gradient it clips on two devices.")
    if math.isclose(answer, 4.0, rel_tol=1e-2):
        return False, ("That is how long the summed gradient can be; the update is the learning rate times it. Hint: "
                       "what does SGD(0.1) multiply the gradient by?")
    if math.isclose(answer, 0.1 * 2, rel_tol=1e-2):
        return False, ("That is the bound with section 7's two replicas; this setup has four. Hint: how many clipped "
                       "gradients are summed here?")
    if math.isclose(answer, 0.1 / 4, rel_tol=1e-2):
        return False, ("That divides by the number of replicas; Keras sums the four clipped gradients, so "
                       "multiply. Hint: each replica's gradient is clipped to norm at most τ before the four are "
                       "summed; how long can a sum of four vectors of length at most 1 be?")
    return False, "Hint: how long can each replica's clipped gradient be, and what does Keras do with the four of them?"


_multiple_choice(
    "09.raise_c",
    "a critic clipped at c = 0.01, trained with Adam at learning rate 5e-4, has 70 % of its weights on ±c; c is "
    "raised to 0.1 while it trains: right after the next iteration (five critic updates), is the share on ±c "
    "'higher', 'lower' or 'the same' (a string)",
    "lower", "The weights that sat on ±0.01 are now far inside ±0.1: five Adam steps of about the learning rate each "
             "(a few 1e-3 at most) cannot carry them to ±0.1, and the clip moves no weight that is inside. Section 2 "
             "saw the mirror image: lowering c piled weights onto the new bound at once.",
    dict.fromkeys(["higher", "the same"],
                  "Hint: after the change, how far is a weight at 0.01 from the new bound 0.1, and how far can five "
                  "Adam steps of about 5e-4 each move it? The clip changes only weights outside [-c, c]."))

_multiple_choice(
    "09.compare_across_c",
    "two clipped WGANs on the same data, alike but for c (0.01 and 0.02), report Wasserstein estimates of 3e-5 and "
    "4e-4: whose generator is closer to the data: 'first', 'second' or 'cannot tell' (a string)",
    "cannot tell", "A clipped critic's scale is set by c, and its estimate with it: the ratio here, about 13, is "
                   "close to the (0.02 / 0.01)^4 = 16 that c alone gives a bias-free critic of four layers with "
                   "every weight on the bound (section 2). In section 2, at the same iteration, the critic with c "
                   "lowered to 0.01 reported more than a thousand times less than the one with c kept at 0.1, from "
                   "one change, while its generator ended farther from the data than the control's: the smaller "
                   "estimate came with the worse samples. Compare estimates of one c only, or a measure of the "
                   "samples such as the distance to the data.",
    dict.fromkeys(["first", "second"],
                  "Hint: in section 2, at iteration 401, what made one critic's estimate more than a thousand times "
                  "smaller than the other's: the one change between the two runs, or their samples?"))

_multiple_choice(
    "09.which_estimate",
    "two WGANs with the lab's networks (3 hidden layers of 64 ReLU units) on the eight Gaussians, every generated "
    "sample inside [-2, 2]^2, report Wasserstein estimates of 0.4 and 0.00003; one critic is clipped at c = 0.01, the "
    "other trained with the gradient penalty: which one reported 0.4: 'clipping', 'penalty' or 'cannot tell' "
    "(a string)",
    "penalty", "The clipped critic cannot have: notebook 06 bounds its Lipschitz constant K by the product of its "
               "layers' norm bounds, 3.7e-3 at c = 0.01 for this network, and a score gap is at most K times the "
               "Wasserstein distance. With every sample in [-2, 2]^2 (the data inside it too), no sample moves "
               "farther than the square's diagonal, 5.7, so the gap is at most 3.7e-3 × 5.7 ≈ 0.02. The penalty "
               "asks for gradients of norm 1; in section 2 its estimate was within a factor of 10 of the c = 0.1 "
               "critic's.",
    dict.fromkeys(["clipping", "cannot tell"],
                  "Hint: notebook 06 bounds a clipped critic's Lipschitz constant K by its layers' norm bounds "
                  "(3.7e-3 for this network at c = 0.01), and a score gap is at most K times the Wasserstein "
                  "distance. How far apart can two distributions inside [-2, 2]^2 be, and how large a gap can the "
                  "clipped critic report?"))


def _loop_exercise(name, method, question, hint, takes_optimizer=False):
    """Registers an exercise answered by a critic update (``takes_optimizer``: a pair (make_optimizer,
    update)), graded by ``clinic.check_loop``: by what the update does, never by its text."""

    def checker(answer):
        from clipedu import clinic

        make_optimizer, update = answer if takes_optimizer and isinstance(answer, tuple) else (None, answer)
        if takes_optimizer and not callable(make_optimizer):
            raise TypeError("the answer must be a pair: (your optimizer function, your critic update)")
        if not callable(update):
            raise TypeError(f"the answer must be your critic update, a function, got {update!r}")
        try:
            verdicts = clinic.check_loop(update, method, seed=0, make_optimizer=make_optimizer)
        except Exception as error:  # the learner's code, run by the check: say what it raised
            return False, f"your update raised {type(error).__name__}: {error}. Hint: {hint}"
        failed = [v for v in verdicts if not v.passed]
        if not failed:
            return True, "every check passed: " + "; ".join(v.name for v in verdicts) + "."
        return False, ("failed: " + "; ".join(f"{v.name} ({v.measured})" for v in failed) + f". Hint: {hint}")

    _exercise(name, question)(checker)


_loop_exercise("10.case_1", "clip", "fix case 1's critic update (a function)",
               "Algorithm 1 clips every weight right after each update, so the critic that the generator sees is "
               "inside [-c, c]. Where does this update clip?")
_loop_exercise("10.case_2", "clip", "fix case 2's critic update (a function)",
               "Algorithm 1 clips after every critic update, not once per epoch.")
_loop_exercise("10.case_3", "clip", "fix case 3's optimizer and critic update (a pair of functions)",
               "clipvalue clips each gradient element before the update; it never bounds a weight. Algorithm 1 "
               "uses plain RMSprop and clips the weights after each update: keep the loop's RMSprop(5e-4) with "
               "Keras' other defaults, and add no clipping argument of any size.", takes_optimizer=True)
_loop_exercise("10.case_4", "penalty", "fix case 4's critic update (a function)",
               "x̂ must lie on the segment between its real and generated sample: α drawn from U[0, 1].")
_loop_exercise("10.case_5", "penalty", "fix case 5's critic update (a function)",
               "One α per example, of shape (m, 1), broadcast over the coordinates; one per coordinate moves x̂ off "
               "the segment.")
_loop_exercise("10.case_6", "penalty", "fix case 6's critic update (a function)",
               "The derivative of sqrt(s) is 1 / (2 sqrt(s)), infinite at s = 0; put a small ε inside the root: "
               "1e-7 or less (keras.backend.epsilon() is 1e-7) keeps the penalty's gradient within the check's "
               "0.1 % of WGAN-GP's, while a much larger one, such as 1e-4, can move it further and fail.")
_loop_exercise("10.case_7", "penalty", "fix case 7's critic update (a function)",
               "The penalty asks for one norm per example: sum the squares over the coordinates (axis=1) only.")
_loop_exercise("10.case_8", "penalty", "fix case 8's critic update (a function)",
               "The penalty is the mean of (‖∇D(x̂)‖ - 1)² over the examples: square each example's deviation "
               "first, then average.")


_multiple_choice(
    "10.one_sample",
    "case 7 (one norm for the whole batch) trained with m = 1 sample per critic update instead of 64, all else the "
    "same: which instrument tells it from the correct penalty loop trained with m = 1: 'I9', 'I10' or 'none' (a "
    "string)",
    "none",
    "Section 4 measured what case 7 holds at 1: √m times the root mean square of the slopes, the norm of all m "
    "slopes together. With one example that norm is the example's own, the one WGAN-GP's penalty holds at 1: case 7 "
    "is then the correct loop and makes its updates (at m = 1, the same slopes as the correct loop's on five seeds). "
    "The symptom grows with m and vanishes at m = 1: judge a loop at the batch size it will run with.",
    {"I9": "Hint: section 4 measured √m × the root mean square of case 7's slopes near 1. At m = 1, what is that "
           "number, and what does the correct penalty hold at 1?",
     "I10": "Hint: case 7's penalty takes one norm over all m examples. With m = 1, whose norm is that, and how does "
            "its penalty then differ from WGAN-GP's?"})


@_exercise("10.which_bugs", "which of cases 4-8 the unknown loop contains, from its instruments (a set of case "
                            "numbers, e.g. {7})")
def _which_bugs(answer):
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise TypeError(f"the answer must be a set of case numbers from 4 to 8, got {answer!r}")
    numbers_given = list(answer)
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and 4 <= n <= 8 for n in numbers_given):
        raise TypeError(f"the answer must be a set of case numbers from 4 to 8, got {answer!r}")
    given = set(numbers_given)
    if given == {4, 5, 6}:
        return True, ("I6 (α outside [0, 1]) is case 4's symptom alone, I7 (off the segments) case 5's alone, I8 (NaN "
                      "at a zero input gradient) case 6's alone; neither slope symptom (I9 case 7, I10 case 8) shows. "
                      "Its α is drawn from N(0, 1), one per coordinate, and its root has no ε.")
    missing, extra = sorted({4, 5, 6} - given), sorted(given - {4, 5, 6})
    hints = {4: "Which case put α outside [0, 1] (I6)?", 5: "Which case put its interpolates off their segments (I7), "
             "with α inside [0, 1]?", 6: "Which case turned NaN after one update at a zero input gradient (I8)?",
             7: "Case 7 holds the median slope below 0.5 (I9); does the unknown loop's?",
             8: "Case 8 spreads the slopes: less than 60 % within [0.8, 1.2] (I10); does the unknown loop?"}
    return False, "Hint: " + " ".join(hints[n] for n in missing + extra)


_multiple_choice(
    "10.clipvalue_and_clip",
    "a clipped loop clips every weight right after every update, as Algorithm 1 does, but trains with case 3's "
    "optimizer, RMSprop(5e-4, clipvalue=0.01): over the five seeds, its instruments I2-I5 read like 'the correct "
    "loop', 'case 1' or 'case 3' (a string)",
    "the correct loop", "Case 3 and the loop without any clipping were the same, bit for bit: in these runs clipvalue "
                        "changed no gradient element. With the clip after every update, this loop makes the correct "
                        "loop's updates. Only a look at the optimizer finds it (check('10.case_3', ...) rejects "
                        "clipvalue).",
    {"case 3": "Hint: what made case 3 drift, its clipvalue or its missing weight clip? Section 2 compared it with "
               "the loop without any clipping.",
     "case 1": "Hint: case 1's excess came from the update after the clip. Where does this loop clip, and what did "
               "clipvalue change in case 3's runs?"})


_multiple_choice(
    "11.sooner_with_clipping",
    "a SimpleRNN trained with Adam on the adding problem at length 100, one seed: with global_clipnorm=0.1 its loss "
    "fell sooner than without. Which explanation can notebook 11's evidence rule out: 'same weights, larger share' "
    "(at the same weights, clipping gives the early steps a larger share of the gradient), 'another path' (clipping "
    "changed where training took the weights, and with Adam how long its steps were) or 'chance' (one seed of a "
    "chaotic run) (a string)",
    "same weights, larger share",
    "At given weights global_clipnorm multiplies every time step's part of the weight gradient by the same factor, so "
    "no share changes (section 2): that explanation is ruled out by arithmetic. The other two stand: clipping changed "
    "where training went and, with Adam, lengthened the early updates (sections 3 and 4; with Adam, always-on clipping "
    "left the SimpleRNN's ratio lower after 100 steps, not higher), and one seed of a chaotic run can be chance "
    "(section 3 saw no effect of clipping on five seeds). What to ask for: more seeds, and the unclipped run beside "
    "each.",
    {"another path": "Hint: can these runs rule out that clipping changed where training took the weights? Section 4 "
                     "compared the always-on runs' ratio with the unclipped runs' of the same seeds after 100 steps.",
     "chance": "Hint: the runs are chaotic, and the colleague has one seed. Can anything in this notebook rule out "
               "chance for her run? Which of the three explanations does section 2 rule out by arithmetic alone?"})

_multiple_choice(
    "11.test_the_cause",
    "section 4: the GRU's ratio rose more than 1000-fold before its loss fell, an order in time. Which experiment "
    "would test whether the gradient's reach to the first half is what lets it learn: 'more seeds', 'truncate the "
    "gradient' (the same GRU, data and optimizer, with the gradient stopped after 25 steps back in time, so that "
    "every second marked number and no first one is within its reach) or 'clip harder' (a string)",
    "truncate the gradient",
    "Stopping the gradient 25 steps back changes one thing, how far back the gradient reaches, and leaves the "
    "network's forward computation, its data and its optimizer as they were; every second marked number (steps 26 "
    "to 50) stays within reach and no first one (steps 1 to 25) does. If the reach to the first half is what lets "
    "the GRU learn, the truncated run goes down to about the second-only loss (0.085) and no lower, while the "
    "untruncated control learns. More seeds of the same runs make the order surer, not a cause. Clipping does not "
    "set the gradient's reach: at given weights it cannot change which steps the gradient comes from (section 2), "
    "and whatever it does to the reach over training comes through the weights' path, uncontrolled.",
    {"more seeds": "Hint: more seeds would show the same order in time on more runs. Does an order, however sure, "
                   "show a cause? What has to change, one thing only, beside a control?",
     "clip harder": "Hint: section 2: at given weights, can norm clipping change which steps the gradient comes from? "
                    "An experiment on the cause has to set the gradient's reach itself; does clipping set it?"})
