"""Keras, imported with TensorFlow's C++ start-up log kept out of notebook outputs.

TensorFlow writes its start-up messages from C++ straight to file descriptor 2 before its
logging is configured, so ``TF_CPP_MIN_LOG_LEVEL`` alone cannot hide them; they would land in
the first notebook cell that imports Keras and make its output differ from one machine to the
next. Every clipedu module imports ``keras`` from here.
"""

import os

# Later C++ messages (e.g. a failed CUDA probe on a CPU machine) obey this level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_keras_quietly():
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    return keras


keras = _import_keras_quietly()
