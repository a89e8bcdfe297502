"""The machinery every demo shares: sliders, a readout and a figure, redrawn when a slider moves.

``demo.compute(**values)`` returns the state for any slider values without drawing, so tests and
compared notebook cells read the same numbers that the figure and the readout show.
``demo.state`` is the state for the sliders' current values; ``demo.summary(state)`` the text of
the readout. Display a demo by leaving it as the last expression of a cell.
"""

import gc

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, clear_output, display
from matplotlib.figure import Figure

from clipedu.notebook import rendering


def slider(description, value, low, high, step):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=".2f",
                               style={"description_width": "initial"})


def choice(description, options, value):
    return widgets.SelectionSlider(options=list(options), value=value, description=description,
                                   continuous_update=True, style={"description_width": "initial"})


class Demo:
    """Sliders, a text readout and a figure, redrawn whenever a slider moves."""

    def __init__(self, sliders, figsize):
        self.sliders = sliders
        self.figure = Figure(figsize=figsize, dpi=72, layout="constrained")
        self._picture = rendering.KeptBackground(self.figure)
        self.readout = widgets.HTML()
        self.output = widgets.Output()
        self._moving_several = False
        for slider in sliders.values():
            slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(sliders.values()), layout={"flex_flow": "row wrap"}),
                                    self.readout, self.output])

    @property
    def values(self):
        return {name: slider.value for name, slider in self.sliders.items()}

    @property
    def state(self):
        return self.compute(**self.values)

    def set(self, **values):
        """Moves sliders by name, e.g. ``demo.set(threshold=1.0)``; the figure follows."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(f"no slider named {sorted(unknown)}; sliders: {sorted(self.sliders)}")
        self._moving_several = True  # one redraw for all of them, not one per slider
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._moving_several = False
        self.update()

    def _on_change(self, change):
        if not self._moving_several:
            self.update()

    def update(self):
        state = self.state
        self.readout.value = f"<pre style='margin:0'>{self.summary(state)}</pre>"
        self.draw(self.figure, state)
        png = self._render()
        with self.output:
            clear_output(wait=True)
            display(Image(data=png, format="png"))

    def _render(self):
        """The figure as PNG bytes (a Figure shows as text unless pyplot's inline backend is active)."""
        return self._picture.png()

    @property
    def full_redraws(self):
        """How many redraws drew the whole figure, axes included (``rendering.KeptBackground``)."""
        return self._picture.full_redraws

    def _ipython_display_(self):
        _freeze_imported_objects()
        self.update()
        display(self.widget)


def _freeze_imported_objects():
    """Moves every object alive now out of the garbage collector's reach, once per process.

    TensorFlow and Keras leave some 300 000 objects that every full collection scans again; each
    then took about 140 ms, a visible stall every few slider moves. Frozen, a full pass takes about
    3 ms (``make bench`` shows the worst move). It is done when the first demo is shown, when all
    of them are imported: the objects frozen then are never collected, as imported modules are not.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def vector(v):
    return "[" + ", ".join(f"{x:7.3f}" for x in np.ravel(v)) + "]"


def common_iterations(histories):
    """The iterations at which every one of ``histories`` was recorded; they must all agree."""
    iterations = [h.iterations for h in histories]
    if any(i != iterations[0] for i in iterations):
        raise ValueError(f"every run must be recorded at the same iterations, got {iterations}")
    return iterations[0]


