import math

import numpy as np
import pytest

from clipedu import dirac
from clipedu.notebook.demos import DiracGANDemo


def _sigmoid(t):
    return 1 / (1 + math.exp(-t))


def test_one_step_of_each_method_by_hand():
    # WGAN: the critic climbs -ψθ (ψ -= lr θ), then the generator climbs ψθ (θ += lr ψ).
    thetas, psis = dirac.trajectory("WGAN", theta=1.0, psi=1.0, learning_rate=0.1, steps=1)
    assert psis[1] == pytest.approx(0.9) and thetas[1] == pytest.approx(1.09)
    # Weight clipping: ψ starts clipped to c = 0.3, steps to 0.2.
    thetas, psis = dirac.trajectory("weight clipping", theta=1.0, psi=1.0, learning_rate=0.1, steps=1, c=0.3)
    assert psis[0] == pytest.approx(0.3) and psis[1] == pytest.approx(0.2) and thetas[1] == pytest.approx(1.02)
    # Gradient penalty λ(|ψ| - 1)², λ = 1, at ψ = 0.5: the penalty's pull 2λ(1 - 0.5) = 1 cancels -θ.
    thetas, psis = dirac.trajectory("gradient penalty", theta=1.0, psi=0.5, learning_rate=0.1, steps=1, gp_weight=1.0)
    assert psis[1] == pytest.approx(0.5) and thetas[1] == pytest.approx(1.05)
    # R1 (γ = 1): critic gradient -θσ(ψθ) - γψ; generator gradient ψσ(-ψθ) (non-saturating loss).
    thetas, psis = dirac.trajectory("R1", theta=1.0, psi=1.0, learning_rate=0.1, steps=1, r1_weight=1.0)
    psi = 1.0 + 0.1 * (-_sigmoid(1.0) - 1.0)
    assert psis[1] == pytest.approx(psi)
    assert thetas[1] == pytest.approx(1.0 + 0.1 * psi * _sigmoid(-psi))


def test_r1_converges_and_the_wgans_do_not():
    for learning_rate in (0.03, 0.1, 0.3):
        results = {m: dirac.converges(dirac.trajectory(m, learning_rate=learning_rate, steps=1000)[0])
                   for m in dirac.METHODS}
        assert results == {"WGAN": False, "weight clipping": False, "gradient penalty": False, "R1": True}


def test_unconstrained_wgan_circles_and_clipping_swings_within_about_c():
    thetas, psis = dirac.trajectory("WGAN", learning_rate=0.1, steps=2000)
    radius = np.hypot(thetas, psis)
    assert radius.min() > 0.9 and radius.max() < 1.6  # neither into the equilibrium nor out to infinity
    for c in (0.1, 0.3):
        thetas, _ = dirac.trajectory("weight clipping", learning_rate=0.1, steps=2000, c=c)
        assert 0.5 * c < np.abs(thetas[-200:]).max() < 1.1 * c


def test_converges_reads_the_last_tenth():
    assert dirac.converges(np.r_[np.ones(90), np.linspace(0.005, 0.0, 10)])
    assert not dirac.converges(np.r_[np.zeros(90), 0.02 * np.ones(10)])
    assert not dirac.converges(np.r_[np.zeros(90), [0, 0, 0, 0, 0, 0.005, 0.005, 0.006, 0.006, 0.006]])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "SGD"}, ValueError, "method must be one of"),
    ({"method": "WGAN", "learning_rate": 0}, ValueError, "learning_rate must be a positive finite number, got 0"),
    ({"method": "WGAN", "theta": float("nan")}, ValueError, "theta must be a finite number, got nan"),
    ({"method": "WGAN", "psi": "1"}, TypeError, "psi must be a finite number, got '1'"),
    ({"method": "WGAN", "steps": 0}, ValueError, "steps must be a positive integer, got 0"),
    ({"method": "weight clipping", "c": -1}, ValueError, "c must be a positive finite number, got -1"),
])
def test_trajectory_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        dirac.trajectory(**kwargs)


def test_converges_rejects_short_input():
    with pytest.raises(ValueError, match="at least 10 values, got shape"):
        dirac.converges([0.0, 0.0])


def test_demo_state_follows_the_sliders_and_matches_trajectory():
    demo = DiracGANDemo(method="weight clipping", c=0.3, learning_rate=0.1)
    demo.set(c=0.1, method="R1")
    state = demo.state
    assert state["method"] == "R1" and state["c"] == 0.1
    expected, _ = dirac.trajectory("weight clipping", learning_rate=0.1, steps=600, c=0.1, gp_weight=0.3)
    np.testing.assert_array_equal(state["paths"]["weight clipping"][0], expected)
    assert state["converges"] == {"WGAN": False, "weight clipping": False, "gradient penalty": False, "R1": True}
    assert "R1                converges to the data" in demo.summary(state)
    control, _ = dirac.trajectory("R1", learning_rate=0.1, steps=600, r1_weight=0.0)
    np.testing.assert_array_equal(state["control"], control)  # R1's control: the GAN loss alone, γ = 0
    demo.update()
    labels = demo.figure.axes[1].get_legend_handles_labels()[1]
    assert "GAN loss alone (γ = 0)" in labels
    # each method with the setting that reaches it, the learning rate in the title
    assert {"WGAN", "weight clipping (c = 0.1)", "gradient penalty (λ = 0.3)", "R1 (GAN loss, γ = 1)"} <= set(labels)
    assert demo.figure.axes[1].get_title().endswith("learning rate 0.1")


def test_demo_rejects_values_not_on_its_sliders():
    with pytest.raises(ValueError, match=r"c must be one of \(0.03, 0.1, 0.3, 1.0\), got 0.2"):
        DiracGANDemo(c=0.2)
    with pytest.raises(ValueError, match="start must be a finite number, got inf"):
        DiracGANDemo(start=(float("inf"), 1.0))


def test_field_jacobian_at_the_equilibrium_by_hand():
    # WGAN: v = (ψ, -θ); clipping is the same inside the clip.
    for method in ("WGAN", "weight clipping"):
        np.testing.assert_array_equal(dirac.field_jacobian(method), [[0, 1], [-1, 0]])
    # Penalty: v_ψ = -θ - 2λ(|ψ| - 1)sign(ψ), slope -2λ in ψ on either side of 0.
    np.testing.assert_allclose(dirac.field_jacobian("gradient penalty", gp_weight=3.0), [[0, 1], [-1, -6]])
    np.testing.assert_allclose(dirac.field_jacobian("gradient penalty", 6.0, -0.5, gp_weight=3.0), [[0, 1], [-1, -6]])
    # R1 at (0, 0): v_θ = ψσ(-ψθ) → (0, σ(0)); v_ψ = -θσ(ψθ) - γψ → (-σ(0), -γ); σ(0) = 1/2.
    np.testing.assert_allclose(dirac.field_jacobian("R1", r1_weight=2.0), [[0, 0.5], [-0.5, -2.0]])
    np.testing.assert_allclose(dirac.field_jacobian("R1", r1_weight=0.0), [[0, 0.5], [-0.5, 0.0]])


@pytest.mark.parametrize("method, point, kwargs", [
    ("R1", (0.0, 0.0), {"r1_weight": 1.0}),
    ("R1", (0.7, -0.4), {"r1_weight": 0.5}),
    ("WGAN", (0.3, 0.2), {}),
    ("gradient penalty", (2.0, 0.5), {"gp_weight": 1.0}),
    ("weight clipping", (0.5, 0.05), {"c": 0.1}),
])
def test_field_jacobian_matches_finite_differences_of_one_small_step(method, point, kwargs):
    # One step of size h moves ψ by h·v_ψ; θ's step uses the new ψ, which changes it by O(h²) only.
    h, eps = 1e-6, 1e-4

    def field(theta, psi):
        thetas, psis = dirac.trajectory(method, theta=theta, psi=psi, learning_rate=h, steps=1, **kwargs)
        return np.array([thetas[1] - theta, psis[1] - psi]) / h

    theta, psi = point
    numeric = np.column_stack([(field(theta + eps, psi) - field(theta - eps, psi)) / (2 * eps),
                               (field(theta, psi + eps) - field(theta, psi - eps)) / (2 * eps)])
    np.testing.assert_allclose(dirac.field_jacobian(method, theta, psi, **kwargs), numeric, atol=1e-4)


def test_step_jacobian_by_hand_and_by_finite_differences():
    # WGAN, h = 0.1: ψ' = ψ - hθ, θ' = θ + hψ' → [[1 - h², h], [-h, 1]], determinant 1: it circles.
    np.testing.assert_allclose(dirac.step_jacobian("WGAN", learning_rate=0.1), [[0.99, 0.1], [-0.1, 1.0]])
    assert np.abs(np.linalg.eigvals(dirac.step_jacobian("WGAN", learning_rate=0.3))) == pytest.approx([1.0, 1.0])
    eps = 1e-6

    def step(theta, psi):
        thetas, psis = dirac.trajectory("R1", theta=theta, psi=psi, learning_rate=0.3, steps=1)
        return np.array([thetas[1], psis[1]])

    numeric = np.column_stack([(step(eps, 0) - step(-eps, 0)) / (2 * eps), (step(0, eps) - step(0, -eps)) / (2 * eps)])
    np.testing.assert_allclose(dirac.step_jacobian("R1", learning_rate=0.3), numeric, atol=1e-8)
    assert np.abs(np.linalg.eigvals(numeric)).max() < 1


def test_r1_weight_zero_is_the_unregularized_gan_and_does_not_converge():
    thetas, _ = dirac.trajectory("R1", r1_weight=0.0, learning_rate=0.1, steps=1000)
    assert not dirac.converges(thetas)
    assert np.abs(thetas[-100:]).max() > 0.1


@pytest.mark.parametrize("call, error, match", [
    (lambda: dirac.field_jacobian("SGD"), ValueError, "method must be one of"),
    (lambda: dirac.field_jacobian("weight clipping", psi=0.2, c=0.1), ValueError, "psi must lie inside the clip"),
    (lambda: dirac.field_jacobian("R1", r1_weight=-1), ValueError,
     "r1_weight must be a non-negative finite number, got -1"),
    (lambda: dirac.field_jacobian("WGAN", theta=float("inf")), ValueError, "theta must be a finite number"),
    (lambda: dirac.step_jacobian("WGAN", learning_rate=0), ValueError,
     "learning_rate must be a positive finite number"),
    (lambda: dirac.trajectory("R1", r1_weight=-0.5), ValueError, "r1_weight must be a non-negative finite number"),
])
def test_jacobians_reject_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
