"""The notebook layer: the demos with their sliders, the WGAN Lab and the figures.

Needs the ``notebook`` extra (ipywidgets, matplotlib, IPython, tqdm). ``setup`` is the first call of
every notebook of the course.
"""

import os
import sys


def setup(seed=0):
    """Prepares TensorFlow for a notebook whose printed numbers are compared; returns ``keras``.

    Call it before anything imports TensorFlow. It changes this process, as a notebook's set-up
    cell should and a library must not:

    - ``TF_ENABLE_ONEDNN_OPTS=0`` (unless set already): TensorFlow's oneDNN kernels choose their
      arithmetic, and with it their rounding, by CPU (with AVX-512 or without); switching them off
      removes that source of CPU-dependent rounding (numpy's BLAS and the thread count can still
      round differently, so a notebook prints such numbers only as far as they are stable);
    - ``TF_NUM_INTRAOP_THREADS=1`` (unless set already): the course's networks are small, and splitting
      one small operation across threads costs more than it saves (notebooks 04 and 08 ran 16 % and
      22 % faster this way on a 2-core machine); independent operations still run side by side;
    - ``TF_CPP_MIN_LOG_LEVEL=3`` (unless set already), and file descriptor 2 silenced while Keras
      imports TensorFlow: its C++ start-up messages (a CUDA probe, CPU features) would otherwise land
      in the cell's output and differ from one machine to the next;
    - ``keras.utils.set_random_seed(seed)``: Python's, numpy's and Keras' generators.

    Prints which Keras runs on which backend, and raises RuntimeError if it is not Keras 3.
    """
    from clipedu import checks

    seed = checks.seed(seed)
    if seed is None:
        raise ValueError("seed must be a non-negative integer, got None: the notebooks are seeded")
    if "tensorflow" in sys.modules:
        raise RuntimeError("setup() must run before TensorFlow is imported: restart the kernel and run the "
                           "set-up cell first")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    saved_stderr, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    if not keras.__version__.startswith("3."):
        raise RuntimeError(f"these notebooks need Keras 3, found {keras.__version__}")
    keras.utils.set_random_seed(seed)
    print("ready: Keras", keras.__version__.split(".")[0], "on", keras.backend.backend())
    return keras
