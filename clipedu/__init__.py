"""clipedu: gradient clipping and WGAN weight clipping, made visible and verified on Keras 3."""

from importlib.metadata import version

from clipedu import datasets, gradients
from clipedu.constraints import WeightClip, clip_weights, constrain_all

__version__ = version("clipedu")

__all__ = ["WeightClip", "clip_weights", "constrain_all", "datasets", "gradients"]
