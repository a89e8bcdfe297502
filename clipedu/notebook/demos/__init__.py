"""The notebooks' interactive demos, grouped by topic; each owns its sliders and its figure.

``base`` holds what they share; ``gradient_clipping`` (notebooks 00–01), ``exploding_gradients``
(02), ``weight_clipping`` (03–04), ``wgan`` (WGAN runs side by side), ``dirac`` (06) and
``per_example_clipping`` (08) and ``vanishing`` (11) hold the demos. All are importable from here.
"""

from clipedu.notebook.demos.base import Demo
from clipedu.notebook.demos.dirac import DiracGANDemo
from clipedu.notebook.demos.exploding_gradients import ExplodingDemo
from clipedu.notebook.demos.gradient_clipping import (
           KINDS,
           GradientClipDemo,
           StepOnSurfaceDemo,
           TwoTensorDemo,
           quadratic_loss,
)
from clipedu.notebook.demos.per_example_clipping import PerExampleClipDemo
from clipedu.notebook.demos.vanishing import GradientThroughTimeDemo
from clipedu.notebook.demos.weight_clipping import WeightDistributionDemo, WeightHistogramDemo
from clipedu.notebook.demos.wgan import SamplesDemo

__all__ = ["KINDS", "Demo", "DiracGANDemo", "ExplodingDemo", "GradientClipDemo", "GradientThroughTimeDemo",
           "PerExampleClipDemo", "SamplesDemo", "StepOnSurfaceDemo", "TwoTensorDemo", "WeightDistributionDemo",
           "WeightHistogramDemo", "quadratic_loss"]
