"""clipedu: gradient clipping and WGAN weight clipping, made visible and verified on Keras 3.

Three layers, each importing only the ones below it:

- the core, this package's modules: constraints, gradients, WGAN (and several of its runs trained as
  one), critics trained against a fixed generator, Lipschitz tools, networks, data, measures,
  recorders, probes of a gradient penalty's term, the gradient-norm log reader, the Dirac-GAN, the
  exploding-gradient toy and many small recurrent runs on the adding problem at once, and the WGAN
  clinic's loop and cases; it needs Keras and numpy only, and its plain-numpy modules (``dirac``,
  ``gradients``, ``datasets``, ``measures``, ``gradlog``) import without TensorFlow;
- ``clipedu.notebook``: the demos with their sliders, the WGAN Lab and the figures (the ``notebook``
  extra: ipywidgets, matplotlib);
- ``clipedu.course``: the self-checked exercises, graded assignments and notebook execution (the ``course``
  extra: nbclient and the Jupyter kernel tools).

The names below load their module, and with it Keras, when first used; importing ``clipedu``
itself imports neither TensorFlow nor anything that changes the process.
"""

import importlib
from importlib.metadata import version

__version__ = version("clipedu")

_NAMES = {
    "WGAN": "clipedu.wgan", "GradientPenalty": "clipedu.wgan", "WeightClipping": "clipedu.wgan",
    "fit_seeds": "clipedu.wgan", "wgan_step": "clipedu.wgan",
    "WeightClip": "clipedu.constraints", "clip_weights": "clipedu.constraints",
    "constrain_all": "clipedu.constraints", "scale_into": "clipedu.constraints",
    "spectral_normalize": "clipedu.lipschitz", "mlp": "clipedu.networks",
}
_MODULES = ("adding", "batched", "clinic", "clinic_cases", "datasets", "dirac", "exploding", "fixed_generator",
            "gradients", "gradlog", "lipschitz", "measures", "penalty_probes", "recording")

__all__ = sorted([*_NAMES, *_MODULES])


def __getattr__(name):
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"clipedu.{name}")
    raise AttributeError(f"module 'clipedu' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
