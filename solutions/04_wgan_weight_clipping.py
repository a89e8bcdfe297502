"""Answers to the exercises of notebooks/04_wgan_weight_clipping.ipynb, worked by hand."""

ANSWERS = {
    # L = sqrt(6 / (128 + 128)) = 0.1531; the clip moves the share 1 - c / L onto ±c, which is 1/2 at c = L / 2.
    "04.glorot_at_bound": 0.0765,
    # RMSprop divides g by √(g² + 1e-7) ≈ 3.2e-4; Adam by √v + 1e-7 ≈ 1e-7 for g ≈ 1e-10 (ε outside the root
    # competes with |g|, not g²): up to 1.4e-3 learning rates against 4.4e-7. Longer; whether enough steps that
    # long leave the stall, this notebook does not run: train section 4's c = 0.001 critic with Adam and see.
    "04.adam_steps": "longer",
    # A gap is at most K·W and the width sets K: c⁴·√(2n)·n·n·√n is 64 times larger at n = 512 than at 128, so a
    # 30 times larger gap says nothing about which generator is closer.
    "04.gap_width": "no",
}
