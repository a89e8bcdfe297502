"""The Dirac-GAN demo: the path of (θ, ψ) under each training method, redrawn as a slider moves."""

import ipywidgets as widgets
import numpy as np

from clipedu import checks, dirac
from clipedu.notebook import figures
from clipedu.notebook.demos.base import Demo, choice


class DiracGANDemo(Demo):
    """The Dirac-GAN (``clipedu.dirac``) trained by every method from the same start.

    Buttons choose the method drawn bold; sliders set the clip c, the learning rate and the penalty
    weight λ. Each move recomputes all four trajectories in plain numpy (a few milliseconds), so the
    figure answers at once. R1's control, the GAN loss without its penalty (γ = 0), is drawn over time too.
    """

    def __init__(self, method="weight clipping", c=0.3, learning_rate=0.1, gp_weight=0.3, steps=600,
                 start=(1.0, 1.0), cs=(0.03, 0.1, 0.3, 1.0), learning_rates=(0.03, 0.1, 0.3),
                 gp_weights=(0.1, 0.3, 1.0, 3.0)):
        if len(start) != 2:
            raise ValueError(f"start must be a pair (θ, ψ), got {start!r}")
        self.start = (checks.finite("start", start[0]), checks.finite("start", start[1]))
        self.steps = checks.positive_int("steps", steps)
        chosen = {"method": method, "c": c, "learning_rate": learning_rate, "gp_weight": gp_weight}
        options = {"method": dirac.METHODS, "c": cs, "learning_rate": learning_rates, "gp_weight": gp_weights}
        for name, value in chosen.items():
            if value not in options[name]:
                raise ValueError(f"{name} must be one of {options[name]}, got {value!r}")
        labels = {"c": "c", "learning_rate": "learning rate", "gp_weight": "penalty λ"}
        # Buttons for the method: a slider's readout is too narrow for names like "gradient penalty".
        sliders = {"method": widgets.ToggleButtons(options=dirac.METHODS, value=method, description="method",
                                                   style={"button_width": "auto"})}
        sliders |= {name: choice(labels[name], options[name], chosen[name]) for name in labels}
        super().__init__(sliders, figsize=(10, 4))
        # The axes' limits over every setting of c and the learning rate (about 150 short numpy runs, a
        # fraction of a second), for each method and λ: most moves then keep the axes and redraw only the
        # paths. Only the penalty's path depends on λ, and only a large λ takes it far out.
        paths = {gp: [self._paths(c, lr, gp) for c in cs for lr in learning_rates] for gp in gp_weights}
        thetas = [path[0] for runs in paths.values() for run in runs for path in run.values()]
        thetas += [self._control(lr) for lr in learning_rates]
        self.limits = {"reach": {(m, gp): max(np.abs(run[m]).max() for run in runs)
                                 for gp, runs in paths.items() for m in dirac.METHODS},
                       "theta": (min(t.min() for t in thetas), max(t.max() for t in thetas))}

    R1_WEIGHT = 1.0  # R1's γ: no slider sets it

    def _paths(self, c, learning_rate, gp_weight):
        theta, psi = self.start
        return {m: dirac.trajectory(m, theta=theta, psi=psi, learning_rate=learning_rate, steps=self.steps, c=c,
                                    gp_weight=gp_weight, r1_weight=self.R1_WEIGHT) for m in dirac.METHODS}

    def _control(self, learning_rate):
        """θ over the steps for the GAN loss alone: R1 with γ = 0, the control for R1's penalty."""
        theta, psi = self.start
        return dirac.trajectory("R1", theta=theta, psi=psi, learning_rate=learning_rate, steps=self.steps,
                                r1_weight=0.0)[0]

    def draw(self, figure, state):
        figures.dirac_paths(figure, state)

    def compute(self, method, c, learning_rate, gp_weight):
        if method not in dirac.METHODS:
            raise ValueError(f"method must be one of {dirac.METHODS}, got {method!r}")
        paths = self._paths(c, learning_rate, gp_weight)
        return {"method": method, "limits": self.limits, "c": c, "learning_rate": learning_rate,
                "gp_weight": gp_weight, "r1_weight": self.R1_WEIGHT, "paths": paths,
                "control": self._control(learning_rate),
                "converges": {m: dirac.converges(thetas) for m, (thetas, _) in paths.items()},
                "final_theta": {m: float(thetas[-1]) for m, (thetas, _) in paths.items()}}

    @staticmethod
    def summary(state):
        lines = [f"c = {state['c']}, learning rate {state['learning_rate']}, λ = {state['gp_weight']}"]
        for method, converged in state["converges"].items():
            verdict = "converges to the data" if converged else "does not converge"
            lines.append(f"{method:17} {verdict:22} final θ = {state['final_theta'][method]:+.3f}")
        return "\n".join(lines)
