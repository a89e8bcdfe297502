"""Drawing for the demos: each function draws a state that a demo computed, into a Figure.

Nothing here computes what it shows; the demos (``clipedu.notebook.demos``) do, and tests read the same
numbers from them.
"""

import itertools

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogFormatterSciNotation,
    LogLocator,
    MaxNLocator,
    NullLocator,
)

from clipedu import checks

COLORS = {
    "original": "black",
    "none": "0.45",
    "clipvalue": "tab:orange",
    "clipnorm": "tab:blue",
    "global_clipnorm": "tab:green",
}
LABELS = {
    "original": "gradient",
    "none": "no clipping",
    "clipvalue": "clipvalue",
    "clipnorm": "clipnorm",
    "global_clipnorm": "global_clipnorm",
}


def _fresh_axes(figure, nrows=1, ncols=1, **kwargs):
    """The figure's axes, emptied; made on the first call. Reusing them keeps a redraw fast."""
    axes = getattr(figure, "demo_axes", None)
    if axes is None:
        axes = list(np.atleast_1d(figure.subplots(nrows, ncols, **kwargs)).ravel())
        figure.demo_axes = axes
    else:
        for ax in axes:
            _empty(ax)
    return axes


def _empty(ax):
    """What ``ax.clear()`` does for a redraw, but keeping the axis objects and their ticks: clearing
    re-creates every tick, which was most of a slider move's time."""
    for artist in list(ax.collections):  # first: a contour set removes its own labels
        artist.remove()
    for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.images, *ax.artists, *ax.tables]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect("auto")
    ax.set_prop_cycle(None)  # colours start again from the first
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)


def log_scale(ax):
    """A log y axis labelled 1e-02, 1e+00, ... without minor ticks: plain text and few ticks draw far
    faster than math text and dozens of minor ticks."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))
    ax.yaxis.set_minor_locator(NullLocator())


def fixed_title(ax, text):
    # A title at a fixed height: matplotlib otherwise measures every tick label to place it.
    ax.set_title(text, fontsize=10, y=1.01)


def _arrow(ax, start, end, kind, width=2.0, style="-", label=None, zorder=None, head=14, alpha=1.0):
    ax.annotate("", xy=end, xytext=start, zorder=zorder,
                arrowprops=dict(arrowstyle="-|>", color=COLORS[kind], lw=width, linestyle=style,
                                shrinkA=0, shrinkB=0, mutation_scale=head, alpha=alpha))
    ax.plot([], [], color=COLORS[kind], lw=width, linestyle=style, label=label or LABELS[kind], alpha=alpha)


def _head(ax, vector, reach, largest=14.0):
    """A head size (points) at most 0.4 of the arrow's drawn length, so that a short arrow keeps a shaft."""
    width_points = ax.get_position().width * ax.figure.get_figwidth() * 72
    length_points = np.linalg.norm(vector) / (2 * reach) * width_points
    return float(np.clip(0.4 * length_points, 3.0, largest))


def _once_colorbar(figure, ax, name, norm, cmap, label):
    """A colour bar drawn once per figure for a fixed colour scale; redraws keep it."""
    if getattr(figure, name, None) is None:
        bar = figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(label, fontsize=8)
        bar.ax.tick_params(labelsize=7)
        setattr(figure, name, bar)


def _square_axes(ax, vectors, margin=1.15):
    # Rounded up to 1, 2 or 5 times a power of ten: limits that seldom change keep a redraw's axes.
    reach = nice_ceiling(max(1e-3, max(np.max(np.abs(v)) for v in vectors)) * margin)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)


def clipped_gradient(figure, state):
    """One 2-D gradient and its three clipped versions: the whole picture, and a zoom on the clip.

    The dotted box is where clipvalue lets the elements be, the dotted circle where clipnorm lets
    the vector be. The zoom is drawn in units of the threshold, so that its axes stay as the
    threshold moves.
    """
    t, zoom_reach = state["threshold"], 2.0
    for ax, unit, zoomed in zip(_fresh_axes(figure, 1, 2), [1.0, t], [False, True]):
        ax.add_patch(Rectangle((-t / unit, -t / unit), 2 * t / unit, 2 * t / unit, fill=False,
                               color=COLORS["clipvalue"], lw=1, ls=":"))
        ax.add_patch(Circle((0, 0), t / unit, fill=False, color=COLORS["clipnorm"], lw=1, ls=":"))
        gradient = state["gradient"] / unit
        if zoomed and np.max(np.abs(gradient)) > zoom_reach:  # leaves the zoom: its shaft, cut by the frame
            ax.plot([0, gradient[0]], [0, gradient[1]], color=COLORS["original"], lw=2.5)
            ax.text(0.02, 0.02, "the gradient leaves the zoom", transform=ax.transAxes, fontsize=8)
        else:
            _arrow(ax, (0, 0), gradient, "original", width=2.5)
        _arrow(ax, (0, 0), state["clipped"]["clipvalue"] / unit, "clipvalue", width=3)
        _arrow(ax, (0, 0), state["clipped"]["clipnorm"] / unit, "clipnorm", width=3.5)
        _arrow(ax, (0, 0), state["clipped"]["global_clipnorm"] / unit, "global_clipnorm", style="--",
               label="global_clipnorm (= clipnorm: one tensor)")
    whole, zoom = figure.axes[:2]
    _square_axes(whole, [state["gradient"], np.array([t, t])])
    _square_axes(zoom, [np.array([zoom_reach, zoom_reach])], margin=1.0)
    whole.set_xlabel("g[0]")
    whole.set_ylabel("g[1]")
    zoom.set_xlabel("g[0] / threshold")
    zoom.set_ylabel("g[1] / threshold")
    fixed_title(whole, "the gradient and its clipped versions")
    fixed_title(zoom, f"zoom, in units of the threshold {t:g}")
    figure.axes[0].legend(loc="lower left", fontsize=8, framealpha=0.9)


def two_tensors(figure, state):
    """A gradient made of two tensors: each tensor's panel with per-tensor and global clipping.

    The gradient is drawn black over a translucent clipnorm arrow, so that it stays visible where
    clipnorm leaves a tensor alone, and the dashed global_clipnorm arrow over both; each arrow's head
    is at most 0.4 of its length, so that a short arrow still reads in its direction.
    """
    axes = _fresh_axes(figure, 1, 2)
    # Placed by hand: the layout engine placed the figure title over the panel titles.
    figure.set_layout_engine(None)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.85, wspace=0.28)
    t = state["threshold"]
    for i, (ax, name) in enumerate(zip(axes, state["names"])):
        ax.add_patch(Circle((0, 0), t, fill=False, color=COLORS["clipnorm"], lw=1, ls=":"))
        _square_axes(ax, [state["gradient"][i], np.array([t, t])])  # each tensor at its own scale
        reach = ax.get_xlim()[1]
        by_norm, by_global, gradient = (state["clipped"]["clipnorm"][i], state["clipped"]["global_clipnorm"][i],
                                        state["gradient"][i])
        _arrow(ax, (0, 0), by_norm, "clipnorm", width=5, alpha=0.45, head=_head(ax, by_norm, reach),
               label="clipnorm (each tensor to norm ≤ threshold)")
        _arrow(ax, (0, 0), by_global, "global_clipnorm", width=2.5, style="--", zorder=6,
               head=_head(ax, by_global, reach), label="global_clipnorm (one factor for both)")
        _arrow(ax, (0, 0), gradient, "original", width=1.5, zorder=5, head=_head(ax, gradient, reach, 11))
        ax.set_xlabel(f"gradient of {name}[0]")
        ax.set_ylabel(f"gradient of {name}[1]")
        fixed_title(ax, f"{name}: gradient norm {state['norms'][i]:.2f}")
        ax.legend(loc="lower left", fontsize=6.5, framealpha=0.9)
    figure.suptitle(
        f"the whole update turned by clipnorm {state['angle']['clipnorm']:.1f}°, "
        f"by global_clipnorm {state['angle']['global_clipnorm']:.1f}° (threshold {t:g}, dotted circle)",
        fontsize=10, y=0.985)


# How each step is drawn, so that two that land together stay visible: clipnorm's dashed arrow over
# clipvalue's wide pale one.
_STEP_LOOKS = {"none": dict(width=2.0, style="-", alpha=1.0, zorder=3),
               "clipvalue": dict(width=5.0, style="-", alpha=0.55, zorder=4),
               "clipnorm": dict(width=2.5, style="--", alpha=1.0, zorder=5)}


def step_on_surface(figure, state, surface, loss):
    """Contours of a 2-D loss (labelled with the loss) and where one step lands with each kind of clipping:
    the whole surface, and a zoom on the two clipped steps.

    ``surface`` is (x, y, loss on that grid) for the whole panel; ``loss(x, y)`` gives the loss anywhere, so
    that the zoom's contours are computed on a grid of its own window. The zoom is a square at most as tall
    as the whole panel, drawn there as a dotted square, which is kept inside the panel (moved off-centre
    near an edge); the zoom's axes are relative to the start, so that they stay while the start moves. A
    step longer than the zoom is drawn as its shaft, and the zoom says so; a step that lands off the whole
    panel is drawn there up to the panel's edge, marked with a red triangle, and the zoom's note names them
    (once, so that the legend stays narrow); where steps land on the same point (the demo's
    ``together``), the zoom says that too.
    """
    whole, zoom = _fresh_axes(figure, 1, 2)
    x, y, surface_loss = surface
    low, high = np.array([x.min(), y.min()]), np.array([x.max(), y.max()])
    start = state["start"]
    steps = {kind: end - start for kind, end in state["landing"].items()}
    reach = nice_ceiling(max(1.15 * max(np.max(np.abs(steps[kind])) for kind in ("clipvalue", "clipnorm")), 0.05))
    reach = min(reach, float(np.min(high - low)) / 2)  # never larger than the whole panel
    centre = np.clip(start, low + reach, high - reach)  # the square stays inside the whole panel
    window = [(centre[i] - reach - start[i], centre[i] + reach - start[i]) for i in range(2)]  # relative to start
    zoom_x, zoom_y = np.meshgrid(np.linspace(*window[0], 121), np.linspace(*window[1], 121))
    levels = [1, 5, 10, 20, 40]
    notes, off_plot = [], []
    for ax, origin, grid in ((whole, np.zeros(2), (x, y, surface_loss)),
                             (zoom, start, (zoom_x, zoom_y, loss(zoom_x + start[0], zoom_y + start[1])))):
        grid_x, grid_y, grid_loss = grid
        contours = ax.contour(grid_x, grid_y, grid_loss, levels=levels, colors="0.55", linewidths=0.8, zorder=1)
        ax.clabel(contours, fontsize=7, fmt="%g", inline_spacing=2)
        ax.plot(*(-origin), marker="*", color="gold", markersize=14, markeredgecolor="k", ls="none", label="minimum")
        ax.plot(*(start - origin), "ko", markersize=5, zorder=6)
        if ax is whole:
            ax.set_xlim(x.min(), x.max())
            ax.set_ylim(y.min(), y.max())
            span = (x.max() - x.min()) / 2
        else:
            ax.set_xlim(*window[0])
            ax.set_ylim(*window[1])
            span = reach
        for kind, step in steps.items():
            look = _STEP_LOOKS[kind]
            head = _head(ax, step, span)
            label = f"{LABELS[kind]}: loss {state['loss_after'][kind]:.3f}"
            outside = ax is zoom and not all(window[i][0] <= step[i] <= window[i][1] for i in range(2))
            off_panel = ax is whole and not np.all((low <= state["landing"][kind]) & (state["landing"][kind] <= high))
            if outside:  # leaves the zoom: its shaft only
                ax.plot([0, step[0]], [0, step[1]], color=COLORS[kind], lw=look["width"], ls=look["style"],
                        alpha=look["alpha"], zorder=look["zorder"])
                notes.append(f"{LABELS[kind]} leaves the zoom")
            elif off_panel:  # lands off the whole panel: its shaft to the edge, and a triangle where it leaves
                edge = _mark_exit(ax, start, state["landing"][kind], low, high)
                ax.plot([start[0], edge[0]], [start[1], edge[1]], color=COLORS[kind], lw=look["width"],
                        ls=look["style"], alpha=look["alpha"], zorder=look["zorder"], label=label)
                off_plot.append(LABELS[kind])
            else:
                _arrow(ax, start - origin, state["landing"][kind] - origin, kind, width=look["width"],
                       style=look["style"], label=label, zorder=look["zorder"], head=head, alpha=look["alpha"])
        ax.set_aspect("equal")
    whole.add_patch(Rectangle(tuple(centre - reach), 2 * reach, 2 * reach, fill=False, color="k", lw=0.8, ls=":"))
    whole.set_xlabel("x")
    whole.set_ylabel("y")
    zoom.xaxis.set_major_locator(MaxNLocator(5))  # tick labels that do not run together
    zoom.yaxis.set_major_locator(MaxNLocator(5))
    if off_plot:
        notes.append(", ".join(off_plot) + (" lands" if len(off_plot) == 1 else " land")
                     + " off the left plot,\npast the red triangle" + ("" if len(off_plot) == 1 else "s"))
    zoom.set_xlabel("x − start x")
    zoom.set_ylabel("y − start y")
    fixed_title(whole, f"one step from loss {state['loss_before']:.3f} (grey contours: the loss)")
    fixed_title(zoom, "zoom on the start (the dotted square)\ncontours at loss 1, 5, 10, 20, 40")
    for legend in list(figure.legends):  # the previous drawing's
        legend.remove()
    figure.legend(*whole.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=8)  # hides nothing
    for kinds in state["together"]:
        names = [LABELS[kind] for kind in kinds]
        clipping = [LABELS[kind] for kind in kinds if kind != "none"]
        why = (" and ".join(clipping) + " clipped nothing" if "none" in kinds
               else "both cut the gradient to the same vector")
        notes.append(", ".join(names[:-1]) + f" and {names[-1]} land on the same point:\n{why}")
    if notes:
        zoom.text(0.02, 0.98, ";\n".join(notes), transform=zoom.transAxes, ha="left", va="top", fontsize=8,
                  bbox=dict(facecolor="white", edgecolor="0.6", alpha=0.9), zorder=7)


def _mark_exit(ax, a, b, low, high):
    """Marks with a red triangle, pointing outwards, where the segment from ``a`` (inside the box from ``low``
    to ``high``) to ``b`` (outside it) crosses the box's edge; returns that point."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        fractions = [((low[i] if b[i] < low[i] else high[i]) - a[i]) / (b[i] - a[i])
                     if not low[i] <= b[i] <= high[i] else 1.0 for i in range(2)]
    edge = a + min(fractions) * (b - a)
    if fractions[0] <= fractions[1]:
        marker = "<" if b[0] < low[0] else ">"
    else:
        marker = "v" if b[1] < low[1] else "^"
    ax.plot(*edge, marker=marker, color="red", markersize=9, markeredgecolor="k", zorder=6, clip_on=False, ls="none")
    return edge


def exploding_runs(figure, state, surface):
    """Trajectories on a recurrent unit's loss surface, the loss and the gradient norm per update.

    The gradient-norm panel draws the threshold τ as a dotted line: the norms above it were clipped.
    A run that leaves the surface's window is marked with a red triangle where it leaves, and its
    legend entry says so.
    """
    ax_surface, ax_loss, ax_grad = _fresh_axes(figure, 1, 3, gridspec_kw={"width_ratios": [1.3, 1, 1]})
    w, u, log_loss = surface
    ax_surface.imshow(log_loss, origin="lower", extent=(w[0], w[-1], u[0], u[-1]), aspect="auto",
                      cmap="viridis", vmin=-3, vmax=8, interpolation="nearest")
    _once_colorbar(figure, ax_surface, "demo_loss_colorbar", Normalize(-3, 8), "viridis",
                   "log10(loss + 0.001), clipped to [-3, 8]")
    fixed_title(ax_surface, "loss surface and the runs")
    for kind, run in state["runs"].items():
        # clipnorm often retraces clipvalue here: draw it dashed over a wider clipvalue line.
        style = dict(color=COLORS[kind], lw=3 if kind == "clipvalue" else 1.5, ls="--" if kind == "clipnorm" else "-")
        points = np.stack([run["w"], run["u"]], 1)
        inside = (points[:, 0] >= w[0]) & (points[:, 0] <= w[-1]) & (points[:, 1] >= u[0]) & (points[:, 1] <= u[-1])
        label = LABELS[kind]
        if not inside.all():
            leaves = int(np.argmin(inside))  # the first point outside; the start is inside
            _mark_exit(ax_surface, points[leaves - 1], points[leaves], (w[0], u[0]), (w[-1], u[-1]))
            label += " (left the plot at the red triangle)"
        ax_surface.plot(run["w"], run["u"], label=label, **style)
        ax_loss.plot(run["loss"], **style)
        ax_grad.plot(np.arange(1, len(run["grad_norm"]) + 1), run["grad_norm"], **style)
        if state["diverged"][kind]:
            finite = np.flatnonzero(np.isfinite(run["loss"]) & (run["loss"] < 1e30))
            ax_loss.plot(finite[-1], run["loss"][finite[-1]], "x", color="red", markersize=10, mew=2)
            ax_loss.annotate(f"{LABELS[kind]}:\ndiverged after {state['updates'][kind]} update(s)",
                             (0.97, 0.97), xycoords="axes fraction", ha="right", va="top", fontsize=8, color="red")
    ax_grad.axhline(state["threshold"], color="black", ls=":", lw=1.2, zorder=5)
    ax_grad.annotate(f"threshold τ = {state['threshold']:g}", (0.97, state["threshold"]),
                     xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=8)
    ax_surface.plot(*state["start"], "o", color="white", markeredgecolor="k", markersize=7)
    ax_surface.set_xlim(w[0], w[-1])
    ax_surface.set_ylim(u[0], u[-1])
    ax_surface.locator_params(nbins=5)  # fewer tick labels: text is most of a redraw's cost
    ax_surface.set_xlabel("w (recurrent weight)")
    ax_surface.set_ylabel("u (input weight)")
    ax_surface.legend(loc="upper left", fontsize=7, framealpha=0.9)
    for ax, title, key, ylabel in [(ax_loss, "loss", "loss", "loss (mean squared error)"),
                                   (ax_grad, "gradient norm before clipping", "grad_norm", "global gradient norm")]:
        log_scale(ax)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.set_ylim(*state["limits"][key])  # over every run of the demo: a slider move keeps the axes
        updates = max(len(run[key]) for run in state["runs"].values())
        ax.set_xlim(-0.03 * updates, 1.03 * updates)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlabel("update")
        fixed_title(ax, title)


def weight_histogram(figure, state):
    """A histogram of a network's weights after training, its start outlined, the bounds ±c marked."""
    (ax,) = _fresh_axes(figure)
    c = state["c"]
    ax.stairs(*state["histogram"], fill=True, color="tab:purple", label="after training")
    ax.stairs(*state["start_histogram"], color="black", lw=1.2, label="at the start")
    for bound in (-c, c):
        ax.axvline(bound, color="tab:red", ls=":", lw=1.5)
    log_scale(ax)
    ax.set_ylim(bottom=0.8)  # every bar drawn from one count up, so the interior is not cut off
    ax.set_xlabel("weight value (dotted: ±c)")
    ax.set_ylabel("count of weights")
    ax.legend(loc="upper center", fontsize=8)
    fixed_title(ax, f"c = {c:g}, seed {state['seed']}: {100 * state['start_at_bound']:.1f}% at ±c at the start, "
                    f"{100 * state['at_bound']:.0f}% after training")


def weight_distribution(figure, state):
    """A critic's weights divided by c at one iteration, and the fraction at ±c over training."""
    ax_hist, ax_line = _fresh_axes(figure, 1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    ax_hist.stairs(*state["histogram"], fill=True, color="tab:purple")
    log_scale(ax_hist)
    # every bar drawn from one count up, so the interior is not cut off (the limits are set below)
    ax_hist.set_xlabel("weight / c")
    ax_hist.set_ylabel("count")
    counts = state["histogram"][0]
    # up to the decade above the number of weights, which no bar can pass: the axes stay as c and
    # the iteration move
    ax_hist.set_ylim(0.8, 10.0 ** np.ceil(np.log10(max(2.0, np.sum(counts)))))
    fixed_title(ax_hist, f"c = {state['c']:g}, iteration {state['iteration']}: {100 * state['at_bound']:.0f}% at ±c")
    for c, fractions in state["at_bound_over_training"].items():
        chosen = c == state["c"]
        ax_line.plot(state["iterations"], 100 * fractions, lw=2.5 if chosen else 1, alpha=1 if chosen else 0.5,
                     label=f"c = {c:g}")
    ax_line.axvline(state["iteration"], color="0.5", ls=":")
    ax_line.set_xlabel("generator iteration")
    ax_line.set_ylabel("% of weights at ±c")
    ax_line.legend(fontsize=8)


def surface_seeds(figure, surfaces, peaks, centres, titles, marks="mode centre"):
    """Value surfaces of many critics, a row per setting and a column per seed, each scaled to its own
    range (0 at its minimum, 1 at its maximum) on one shared colour bar. ``surfaces[(row, column)] =
    (axis, values)``; ``peaks[(row, column)]`` the positions of its peaks, an array (n, 2), drawn as red
    dots; ``centres`` the data's mode centres (or its samples), drawn as small white crosses labelled
    ``marks``; ``titles[(row, column)]`` each panel's title."""
    rows = list(dict.fromkeys(r for r, _ in surfaces))
    columns = list(dict.fromkeys(c for _, c in surfaces))
    axes = np.array(figure.subplots(len(rows), len(columns), squeeze=False, sharex=True, sharey=True))
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            ax = axes[i, j]
            axis, values = surfaces[(row, column)]
            scaled = (values - values.min()) / np.ptp(values)
            image = ax.imshow(scaled, origin="lower", extent=(axis[0], axis[-1], axis[0], axis[-1]), cmap="viridis",
                              vmin=0, vmax=1, interpolation="nearest")
            ax.plot(*np.asarray(centres).T, "x", color="white", ms=2.5, mew=0.6,
                    label=marks if (i, j) == (0, 0) else None)
            points = np.asarray(peaks[(row, column)]).reshape(-1, 2)
            ax.plot(*points.T, "o", color="tab:red", ms=3, mec="white", mew=0.5, clip_on=False,
                    label="peak" if (i, j) == (0, 0) else None)
            ax.set_title(titles[(row, column)], fontsize=9)
            ax.tick_params(labelsize=8)
            if j == 0:
                ax.set_ylabel(f"{row}\nx₁", fontsize=9)
            if i == len(rows) - 1:
                ax.set_xlabel("x₀", fontsize=9)
    bar = figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, pad=0.01)
    bar.set_label("D(x), scaled to the surface's own range (0 = its minimum, 1 = its maximum)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    axes[0, 0].legend(loc="lower left", fontsize=7, markerscale=1.5, framealpha=0.6)


def layer_profiles(figure, norms, floor, earlier=None, start=None, names=("at the end", "earlier", "start")):
    """Gradient norms per critic layer, a panel per setting sharing one log axis, a line per seed in the
    seed's colour; a norm of exactly 0 is drawn as a cross at ``floor``, below every non-zero norm.
    ``norms`` maps a label to an array (seeds, layers); ``earlier`` and ``start``, if given, map some
    labels to arrays of the same shape, drawn dashed (an earlier measurement) and dotted (a start);
    ``names`` says in the legend what the solid, dashed and dotted lines are."""
    axes = np.atleast_1d(figure.subplots(1, len(norms), sharey=True, squeeze=False)[0])
    styles = [(norms, "-", "o"), (earlier or {}, "--", None), (start or {}, ":", None)]
    for ax, label in zip(axes, norms):
        layers = np.arange(1, norms[label].shape[1] + 1)
        for which, (arrays, style, marker) in enumerate(styles):
            for s, seed_norms in enumerate(arrays.get(label, [])):
                shown = np.where(seed_norms > 0, seed_norms, np.nan)
                ax.plot(layers, shown, ls=style, marker=marker, ms=2, lw=1 if which == 0 else 0.8, color=f"C{s}",
                        alpha=0.8, label=f"seed {s}" if which == 0 else None)
                zeros = seed_norms == 0
                ax.plot(layers[zeros], np.full(zeros.sum(), floor), "x", color=f"C{s}", ms=5)
        ax.set_title(label, fontsize=9)
        ax.set_yscale("log")
        ax.set_xticks(layers[::2])
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    figure.supxlabel("layer (1-12 hidden, 1 = input side; 13 = output)", fontsize=8)
    axes[0].set_ylabel("‖∂ critic loss / ∂ layer output‖ (no unit)", fontsize=8)
    handles = [Line2D([], [], color="0.3", ls=style, lw=1) for _, style, _ in styles]
    used = [i for i, (arrays, _, _) in enumerate(styles) if arrays]
    legend = axes[0].legend(fontsize=7, loc="lower left")
    axes[-1].legend([handles[i] for i in used], [names[i] for i in used], fontsize=7, loc="lower right")
    axes[0].add_artist(legend)


def weight_histograms(figure, weights, bounds, start=None, window=None):
    """Histograms of critic weights, a panel per label of ``weights`` (a list of arrays, one per seed, each
    drawn as a step line in the seed's colour); dashed lines at ±``bounds[label]`` where it is not None;
    ``start[label]``, if given, the weights before training, drawn as a grey filled histogram behind;
    ``window[label]``, if given, a half-width: the panel shows [-window, window] in 60 bins, and its
    legend says what share of the weights before training lies outside it."""
    axes = np.atleast_1d(figure.subplots(1, len(weights)))
    for ax, (label, per_seed) in zip(axes, weights.items()):
        before = [] if start is None else [start[label]]
        half = (window or {}).get(label)
        if half is None:
            edges = np.linspace(min(w.min() for w in [*per_seed, *before]), max(w.max() for w in [*per_seed, *before]),
                                61)
        else:
            edges = np.linspace(-half, half, 61)
        for values in before:
            outside = "" if half is None else f", {np.mean(np.abs(values) > half):.0%} of it beyond ±{half:g}"
            ax.hist(values, bins=edges, histtype="stepfilled", color="0.8", label=f"before training{outside}")
        for s, values in enumerate(per_seed):
            ax.hist(values, bins=edges, histtype="step", color=f"C{s}", label=f"seed {s}")
        if bounds.get(label) is not None:
            for bound in (-bounds[label], bounds[label]):
                ax.axvline(bound, color="0.3", ls="--", lw=0.8)
        ax.set_yscale("log")
        # Minor ticks labelled where the counts span under two decades, so that no panel is left with one label.
        ax.yaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_title(label if half is None else f"{label} (bins {2 * half / 60:.2g} wide)", fontsize=9)
        ax.set_xlabel("weight value", fontsize=8)
        ax.set_ylabel("number of weights", fontsize=8)
        ax.tick_params(which="both", labelsize=7)
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3)  # below, off the data


def panel_grid(count, columns):
    """(rows, columns) for ``count`` panels at most ``columns`` to a row, the rows as even as they can be: five
    panels at most four to a row make rows of three and two, not four and one."""
    count, columns = checks.positive_int("count", count), checks.positive_int("columns", columns)
    rows = -(-count // columns)
    return rows, -(-count // rows)


def samples_side_by_side(figure, state, columns=4):
    """Real samples (grey) and each run's generated samples (colour), one panel per run, at most ``columns`` per
    row; a grid cell left over is removed, and every panel with no panel below it shows its x tick labels."""
    count = len(state["samples"])
    rows, columns = panel_grid(count, columns)
    axes = _fresh_axes(figure, rows, columns, sharex=True, sharey=True)
    if len(axes) > count:  # the first drawing: no empty cell is left in the figure
        for ax in axes[count:]:
            figure.delaxes(ax)
        axes = figure.demo_axes = axes[:count]
    reach = state["reach"]
    for index, (ax, (label, samples)) in enumerate(zip(axes, state["samples"].items())):
        # Line markers draw several times faster than scatter's collections.
        ax.plot(*state["real"].T, ".", ms=2.5, color="0.7", label="real")
        ax.plot(*samples.T, ".", ms=2.5, color="tab:red", alpha=0.6, label="generated")
        outside = state["outside"][label]
        fixed_title(ax, f"{label}: distance {state['distance'][label]:.3f}"
                        + (f"\n{outside:.0%} of the samples outside [−{reach:g}, {reach:g}]²" if outside else ""))
        ax.set_aspect("equal")
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        if index + columns >= count:  # nothing below: this panel's x axis is the one to read
            ax.tick_params(labelbottom=True)
            ax.set_xlabel("x₁ (data units)")
        ax.legend(loc="lower left", fontsize=8, markerscale=3)
    for ax in axes[::columns]:
        ax.set_ylabel("x₂ (data units)")
    note = f", {state['note']}" if state.get("note") else ""
    figure.suptitle(f"after {state['iteration']} generator iterations{note}", fontsize=10)


def samples_and_critic(ax, real, fake, surface, title=None):
    """Real and generated samples over the critic's value surface, in one axes, with a colour bar for D(x)."""
    axis, values = surface
    contours = ax.contourf(axis, axis, values, levels=20, cmap="coolwarm")
    colorbar = ax.figure.colorbar(contours, ax=ax, shrink=0.85, pad=0.02)
    colorbar.set_label("critic value D(x)", fontsize=8)
    colorbar.ax.tick_params(labelsize=7)
    ax.scatter(*real.T, s=3, color="black", label="real")
    ax.scatter(*fake.T, s=3, color="gold", alpha=0.7, label="generated")
    ax.set_xlim(axis[0], axis[-1])
    ax.set_ylim(axis[0], axis[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("x₁ (data units)")
    ax.set_ylabel("x₂ (data units)")
    if title:
        fixed_title(ax, title)
    ax.legend(loc="lower left", fontsize=8, markerscale=3)


def dirac_paths(figure, state):
    """The Dirac-GAN: the chosen method's path in the (θ, ψ) plane, and θ over the steps for every method and
    for R1's control, the GAN loss alone (dashed)."""
    plane, over_time = _fresh_axes(figure, 1, 2)
    chosen = state["method"]
    thetas, psis = state["paths"][chosen]
    if chosen == "weight clipping":
        plane.axhspan(-state["c"], state["c"], color="tab:orange", alpha=0.15, lw=0, label="|ψ| ≤ c")
    plane.plot(thetas, psis, color="tab:blue", lw=1.2)
    plane.plot(*thetas[:1], *psis[:1], "o", color="black", ms=7, label="start")
    plane.plot(thetas[-1], psis[-1], "s", color="tab:red", ms=7, label="end")
    plane.plot(0, 0, "*", color="gold", mec="black", ms=14, label="equilibrium: θ on the data")
    reach = nice_ceiling(max(1.2, 1.1 * state["limits"]["reach"][chosen, state["gp_weight"]]))  # see DiracGANDemo
    plane.set_xlim(-reach, reach)
    plane.set_ylim(-reach, reach)
    plane.set_aspect("equal")
    plane.locator_params(nbins=5)  # fewer tick labels: text is most of a full redraw's cost
    plane.axhline(0, color="0.85", lw=0.8, zorder=0)
    plane.axvline(0, color="0.85", lw=0.8, zorder=0)
    plane.set_xlabel("θ: where the generator puts its samples")
    plane.set_ylabel("ψ: the critic's slope, D(x) = ψ x")
    plane.legend(fontsize=8, loc="lower left")
    fixed_title(plane, chosen)
    settings = {"weight clipping": f" (c = {state['c']:g})", "gradient penalty": f" (λ = {state['gp_weight']:g})",
                "R1": f" (GAN loss, γ = {state['r1_weight']:g})"}
    for method, (thetas, _) in state["paths"].items():
        bold = method == chosen
        over_time.plot(thetas, lw=2.2 if bold else 1, alpha=1 if bold else 0.45,
                       label=method + settings.get(method, ""))
    over_time.plot(state["control"], color="0.3", ls="--", lw=1, label="GAN loss alone (γ = 0)")
    over_time.axhline(0, color="0.5", lw=0.8, zorder=0)
    over_time.set_xlim(0, max(len(path[0]) for path in state["paths"].values()) - 1)
    over_time.set_ylim(*steady_limits(None, *state["limits"]["theta"]))
    over_time.set_xlabel("training step")
    over_time.set_ylabel("θ")
    over_time.legend(fontsize=8, loc="upper right")
    fixed_title(over_time, f"θ over training, every method, learning rate {state['learning_rate']:g}")


def _apart(angle):
    return "undefined" if angle is None else f"{angle:.1f}°" + (": they coincide" if angle < 0.05 else "")


def per_example_directions(figure, state):
    """Each example's direction of descent, and those of the batch-clipped and per-example-clipped updates.

    Every arrow has unit length; the legend gives each update's true length and how far the outlier moved
    it, and a dotted arrow shows each update without the outlier. The batch-clipped arrows are drawn
    wide and pale under the per-example-clipped ones, with a ring at the tip of the dotted one and a dot
    at the other's, so that two that point the same way both stay visible; the legend says how far
    apart the two point."""
    (ax,) = _fresh_axes(figure)
    grads = state["per_example"]
    norms = np.linalg.norm(grads, axis=1, keepdims=True)
    units = -grads / np.where(norms > 0, norms, 1)
    for i, unit in enumerate(units):
        ax.annotate("", xy=unit, xytext=(0, 0),
                    arrowprops={"arrowstyle": "->", "lw": 1.2, "color": "tab:red" if i == len(units) - 1 else "0.6"})
    ax.text(*(1.12 * units[-1]), "outlier", color="tab:red", fontsize=10, ha="center")
    drawn = {"batch": dict(color="tab:blue", alpha=0.55, zorder=3, solid=4.5, dotted=3.5, tip=dict(ms=11, mfc="none",
                                                                                                   mew=2)),
             "per-example": dict(color="tab:green", alpha=1.0, zorder=4, solid=2.0, dotted=1.5, tip=dict(ms=5))}
    for kind, look in drawn.items():
        for update, style in ((state["without"][kind], ":"), (state["updates"][kind], "-")):
            if np.any(update):
                direction = -update / np.linalg.norm(update)
                ax.annotate("", xy=direction, xytext=(0, 0), zorder=look["zorder"],
                            arrowprops={"arrowstyle": "-|>", "lw": look["solid" if style == "-" else "dotted"],
                                        "color": look["color"], "alpha": look["alpha"], "mutation_scale": 14,
                                        "linestyle": style, "shrinkA": 0, "shrinkB": 0})
                if style == ":":
                    ax.plot(*(1.06 * direction), "o", color=look["color"], zorder=look["zorder"], **look["tip"])
        length = np.linalg.norm(state["updates"][kind])
        ax.plot([], [], color=look["color"], lw=look["solid"], alpha=look["alpha"],
                label=f"{kind} clipping: length {length:.3f}; the outlier moves it by {state['influence'][kind]:.3f}")
    ax.plot([], [], color="0.3", lw=1.5, ls=":", marker="o", ms=5, mfc="none",
            label="dotted, ring or dot beyond the tip: each update without the outlier")
    ax.plot([], [], color="0.6", lw=1.2, label="each clean example")
    ax.plot([], [], color="tab:red", lw=1.2, label="the outlier")
    ax.plot([], [], ls="none", label=f"angle between batch and per-example: {_apart(state['apart']['with'])}; "
                                     f"dotted, {_apart(state['apart']['without'])}")
    ax.set_xlim(-1.15, 1.25)
    ax.set_ylim(-1.15, 1.25)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("direction in w₁")
    ax.set_ylabel("direction in w₂")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    fixed_title(ax, f"directions of descent at w = 0 (unit arrows), C = {state['clipnorm']:g}")


def nice_ceiling(value):
    """The smallest of 1, 2, 5 times a power of ten that is at least ``value`` (> 0)."""
    exponent = np.floor(np.log10(value))
    for step in (1, 2, 5, 10):
        if step * 10 ** exponent >= value:
            return float(step * 10 ** exponent)


def steady_limits(current, low, high, log=False):
    """Axis limits that hold [low, high]: the current ones while they hold it and are not more than
    four times too wide, else new rounded ones. Limits that rarely change let a redraw reuse the
    axes as they were drawn."""
    if log:
        low, high = max(low, 1e-30), max(high, 1e-30)
        if current and current[0] <= low and high <= current[1] and high / low > current[1] / current[0] / 1e4:
            return current
        return 10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high) + 1e-9)
    span = max(high - low, 1e-12 * max(abs(low), abs(high)), 1e-30)
    if current and current[0] <= low and high <= current[1] and current[1] - current[0] <= 4 * span:
        return current
    step = nice_ceiling(span / 4)
    return float(np.floor(low / step) * step), float(np.ceil(high / step) * step + (step if high == low else 0))


def gradient_norm_log(figure, report, norms):
    """A gradient-norm log (``clipedu.gradlog``): the norm at each step (the report's steps, or else the
    log's rows, counted from 1) with its spikes marked, and how often each norm occurred, with a line at
    each suggested τ (and at the τ asked about)."""
    ax_steps, ax_hist = _fresh_axes(figure, 1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    norms = np.asarray(norms, dtype=np.float64)
    where = report.steps if report.steps is not None else np.arange(1, len(norms) + 1)
    ax_steps.plot(where, norms, lw=0.6, color="0.35", label="gradient norm")
    ax_steps.plot(where[report.spikes], norms[report.spikes], "v", color="tab:red", ms=5,
                  label=f"spike ({len(report.spikes)})")
    positive = norms[norms > 0]  # a log axis has no place for a norm of 0
    if len(positive):
        bins = np.geomspace(positive.min(), positive.max() * 1.0001, 41)
        ax_hist.hist(positive, bins=bins, color="0.55")
    taus = [("guard", report.guard, "tab:red", "--"), ("always-on", report.always_on, "tab:blue", ":")]
    if report.threshold is not None:
        taus.append(("threshold", report.threshold, "tab:green", "-"))
    for name, tau, color, style in taus:
        if tau > 0:
            label = f"{'your' if name == 'threshold' else name} τ = {tau:.3g}: clips {report.shares[name]:.1%}"
            ax_steps.axhline(tau, color=color, ls=style, lw=1.2, label=label)
            ax_hist.axvline(tau, color=color, ls=style, lw=1.2, label=label)
    ax_steps.set_yscale("log")
    ax_steps.set_xlabel("step" if report.steps is not None else "row of the log")
    ax_steps.set_ylabel("global gradient norm")
    fixed_title(ax_steps, f"{report.count} updates")
    ax_hist.set_xscale("log")
    ax_hist.set_xlabel("global gradient norm")
    ax_hist.set_ylabel("updates")
    fixed_title(ax_hist, "how often each norm occurred")
    # One legend for both panels, under them, where it hides no step of the log.
    figure.set_layout_engine("constrained")
    figure.legend(*ax_steps.get_legend_handles_labels(), loc="outside lower center", ncols=len(taus) + 2, fontsize=8)


_CLINIC_STYLES = [  # wide solid lines with large open markers below, thin dashed and dotted ones with small filled
    # markers on top: where two lines coincide, the one below shows around the one on top
    dict(color="tab:blue", ls="-", marker="o", ms=8, mfc="none", mew=1.4, lw=3.5, alpha=0.8, zorder=2),
    dict(color="tab:orange", ls="--", marker="s", ms=3.5, lw=1.3, zorder=3),
    dict(color="tab:green", ls="-", marker="^", ms=9, mfc="none", mew=1.4, lw=3.5, alpha=0.8, zorder=2),
    dict(color="tab:red", ls=":", marker="v", ms=4, lw=1.6, zorder=3)]


def clinic_weights(figure, runs, c, learning_rate, epoch=None):
    """The WGAN clinic's clipped loops, one line per loop (``runs``: {label: a ``clinic.Run``}), read
    right after every critic update: how far the largest critic weight lies above c, in learning rates,
    and the share of weights on ±c (a symmetric log axis, linear below 0.001, so that 0 and 0.001 are
    apart). ``epoch``: critic updates per epoch, marked by dotted verticals at each epoch's first update."""
    left, right = _fresh_axes(figure, 1, 2)
    for (label, run), style in zip(runs.items(), itertools.cycle(_CLINIC_STYLES)):
        steps = np.arange(1, len(run.max_weight) + 1)
        left.plot(steps, (run.max_weight - c) / learning_rate, label=label, **style)
        right.plot(steps, run.at_bound, label=label, **style)
    for ax in (left, right):
        if epoch:
            for k, start in enumerate(range(1, len(steps) + 1, epoch)):
                ax.axvline(start, color="0.6", ls=(0, (1, 3)), lw=1, zorder=0,
                           label="an epoch's first update" if k == 0 else None)
        ax.set_xlabel("critic update")
    left.legend(fontsize="small", loc="upper left")
    right.legend(fontsize="small", loc="center right")
    left.set_ylabel("largest |w| − c, in learning rates")
    left.set_title("largest weight above c")
    right.set_yscale("symlog", linthresh=1e-3, linscale=0.5)
    right.set_ylim(bottom=-1e-4)
    right.set_ylabel("share of critic weights on ±c")
    right.set_title("weights on ±c (symmetric log scale)")
    figure.suptitle("read right after each critic update", fontsize="medium")
    figure.tight_layout()


def clinic_interpolates(figure, runs, pairs=8):
    """Where penalty loops put their interpolates (``runs``: {label: a ``clinic.Run``}), at the run's last
    critic update: the first ``pairs`` real samples (blue dots), generated ones (red dots), the segment
    between each pair (grey), and the loop's interpolate for that pair, marked by where it lies: on its
    segment (black ×), on the pair's line beyond an end of the segment (orange ×, the line extended
    to it dotted) or off the line (purple +, a dotted line to its projection on the line), as the run's
    instruments read it (``alphas`` and ``distances`` of the last update, thresholds 1e-4)."""
    axes = _fresh_axes(figure, 1, len(runs), sharex=True, sharey=True)
    kinds = {"on": dict(marker="x", color="black", s=30, label="interpolate on its segment"),
             "beyond": dict(marker="x", color="tab:orange", s=40, lw=2, label="interpolate beyond the segment's end"),
             "off": dict(marker="+", color="tab:purple", s=60, lw=2, label="interpolate off the pair's line")}
    for ax, (label, run) in zip(axes, runs.items()):
        real, fake = run.points["real"][:pairs], run.points["fake"][:pairs]
        for a, b in zip(real, fake):
            ax.plot([a[0], b[0]], [a[1], b[1]], color="0.6", lw=1, zorder=1)
        ax.scatter(*real.T, s=16, color="tab:blue", label="real", zorder=2)
        ax.scatter(*fake.T, s=16, color="tab:red", label="generated", zorder=2)
        shown = {"on": 0, "beyond": 0, "off": 0}
        if run.points["interpolates"] is not None:
            points = run.points["interpolates"][:pairs]
            alpha, distance = run.alphas[-1][:pairs], run.distances[-1][:pairs]  # the instruments' reading
            for point, a, r, f, d in zip(points, alpha, real, fake, distance):
                on_line = f + a * (r - f)
                kind = "off" if d > 1e-4 else "beyond" if (a < -1e-4 or a > 1 + 1e-4) else "on"
                shown[kind] += 1
                if kind == "beyond":
                    end = r if a > 1 else f
                    ax.plot([end[0], point[0]], [end[1], point[1]], color="tab:orange", ls=":", lw=1, zorder=1)
                if kind == "off":
                    ax.plot([on_line[0], point[0]], [on_line[1], point[1]], color="tab:purple", ls=":", lw=1, zorder=1)
                ax.scatter(*point, zorder=3, **{k: v for k, v in kinds[kind].items() if k != "label"})
        ax.set_title(f"{label}: {shown['on']} on, {shown['beyond']} beyond, {shown['off']} off", fontsize="medium")
        ax.set_xlabel("x₁")
        ax.set_aspect("equal", adjustable="box")
    axes[0].set_ylabel("x₂")
    handles = [axes[0].scatter([], [], s=16, color="tab:blue", label="real sample"),
               axes[0].scatter([], [], s=16, color="tab:red", label="generated sample"),
               *(axes[0].scatter([], [], **kind) for kind in kinds.values())]
    figure.legend(handles=handles, loc="lower center", ncol=5, fontsize="small", frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))


def clinic_slopes(figure, slopes):
    """Histograms of the critic's gradient norm ‖∇D(x̂)‖ at interpolates (``slopes``: {label: array}),
    on a log axis, with 1, the penalty's target, dashed."""
    ax = _fresh_axes(figure)[0]
    values = np.concatenate([np.asarray(v) for v in slopes.values()])
    bins = np.geomspace(max(values.min(), 1e-3) * 0.9, values.max() * 1.1, 40)
    for label, value in slopes.items():
        ax.hist(value, bins=bins, histtype="step", lw=2, label=label)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", ls="--", lw=1, label="1, the penalty's target")
    ax.set_xlabel("‖∇D(x̂)‖ at interpolates drawn correctly (log scale)")
    ax.set_ylabel("count (interpolates × updates × seeds)")
    ax.legend(fontsize="small")
    figure.tight_layout()


def gradient_through_time(figure, state):
    """``GradientThroughTimeDemo``'s figure: each cell's ‖∂loss/∂x_t‖ relative to the last step's, on fixed
    log axes so that a slider move shows the profile rising or falling."""
    (ax,) = _fresh_axes(figure)
    colors = {"SimpleRNN": "black", "LSTM": "tab:brown", "GRU": "tab:gray"}
    for cell, values in state["cells"].items():
        if values is None:
            ax.plot([], [], color=colors.get(cell, "0.5"), lw=1.5, label=f"{cell}: not trained this far")
            continue
        relative = values["relative"]
        ax.plot(np.arange(1, len(relative) + 1), relative, color=colors.get(cell, "0.5"), lw=1.5,
                label=f"{cell}: step 1 / last step = 10^{np.log10(values['ratio']):.1f}")
    log_scale(ax)
    ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(-12, 4, 3)))  # 1e+00, the last step's level, a tick
    ax.set_ylim(1e-13, 1e3)
    ax.set_xlabel("input step t")
    ax.set_ylabel("‖∂loss/∂x_t‖ / ‖∂loss/∂x_last‖ (1 at the last step)")
    fixed_title(ax, f"after {state['step']} training steps, seed {state['seed']}")
    ax.legend(loc="lower right", fontsize=8)
