"""A figure turned into PNG bytes quickly, for pictures redrawn many times a second."""

import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


class KeptBackground:
    """A figure turned into PNG bytes, its axes drawn once and kept as a background.

    Most of a matplotlib redraw is spent on axes, ticks and their labels, which a slider move or a
    new training picture seldom changes. So they are drawn without the data and kept while every
    axes keeps its place, limits, scales and labels (``_decorations``); ``png`` then copies the
    background and draws the data, titles, legends and frames on top. The first drawing lays the
    axes out with the figure's layout engine, if it has one; later ones keep that layout.
    """

    def __init__(self, figure):
        self.figure = figure
        FigureCanvasAgg(figure)  # drawn straight into pixels, without savefig's detours
        self._background, self._decorations, self.full_redraws = None, None, 0

    def png(self):
        figure, canvas = self.figure, self.figure.canvas
        if figure.get_layout_engine() is not None:
            canvas.draw()
            with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
                figure.set_layout_engine(None)
        front = _front_artists(figure)
        decorations = _decorations(figure)
        if decorations != self._decorations:
            shown = [artist for artist in front if artist.get_visible()]
            for artist in shown:
                artist.set_visible(False)
            canvas.draw()
            for artist in shown:
                artist.set_visible(True)
            self._background, self._decorations = canvas.copy_from_bbox(figure.bbox), decorations
            self.full_redraws += 1
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in front:
            if artist.get_visible():
                artist.draw(renderer)
        png = io.BytesIO()
        # The fastest zlib level: a picture is sent once and dropped.
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(
            png, format="png", compress_level=1)
        return png.getvalue()


def _front_artists(figure):
    """What a redraw draws over the kept background: every axes' data, titles, legend and frame, in
    the order of their zorder, then the figure's own texts (a suptitle)."""
    front = []
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        children = [c for c in ax.get_children() if c not in (ax.xaxis, ax.yaxis, ax.patch)]
        front += sorted(children, key=lambda artist: artist.get_zorder())
    return front + list(figure.texts) + list(figure.legends)


def _decorations(figure):
    """What the background shows: each axes' place, limits, scales, axis labels and tick labels."""
    return [(ax.get_visible(), ax.axison, tuple(ax.get_position().bounds), ax.get_xlim(), ax.get_ylim(),
             ax.get_xscale(), ax.get_yscale(), ax.xaxis.label.get_text(), ax.yaxis.label.get_text(),
             tuple(ax.get_xticks()), tuple(ax.get_yticks())) for ax in figure.axes]
