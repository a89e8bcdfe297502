"""A progress bar for training cells, as a Keras callback."""

from tqdm.auto import tqdm

from clipedu import checks
from clipedu.recording import StepCounter


def progress_bar(total, description="training"):
    """A Keras callback that advances a progress bar by one per batch (generator iteration), also when
    ``fit`` runs several per call (``steps_per_execution``)."""
    total = checks.positive_int("total", total)

    class ProgressBar(StepCounter):
        def __init__(self):
            super().__init__()
            self.bar = tqdm(total=total, desc=description)

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(self.advance(batch))
            if self.bar.n >= self.bar.total:
                self.bar.close()

    return ProgressBar()
