# clipedu first: it imports Keras with TensorFlow's C++ start-up log silenced.
import clipedu  # noqa: F401
