"""clipedu: gradient clipping and WGAN weight clipping, made visible and verified on Keras 3.

The core (this namespace) needs only Keras; ``clipedu.demos`` and ``clipedu.plots`` add the
sliders and figures of the notebooks, ``clipedu.exercises`` their self-checked exercises and
``clipedu.grading`` the command that grades them.
"""

from importlib.metadata import version

from clipedu import datasets, gradients, lipschitz, measures, recording
from clipedu.constraints import WeightClip, clip_weights, constrain_all, scale_into
from clipedu.lipschitz import spectral_normalize
from clipedu.networks import mlp
from clipedu.wgan import WGAN, fit_seeds, wgan_step

__version__ = version("clipedu")

__all__ = ["WGAN", "WeightClip", "clip_weights", "constrain_all", "datasets", "fit_seeds", "gradients", "lipschitz",
           "measures", "mlp", "recording", "scale_into", "spectral_normalize", "wgan_step"]
