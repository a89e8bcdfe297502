"""Drawing for the demos: each function draws a state that a demo computed, into a Figure.

Nothing here computes what it shows; the demos (``clipedu.demos``) do, and tests read the same
numbers from them.
"""

import numpy as np
from matplotlib.patches import Circle, Rectangle

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


def _arrow(ax, start, end, kind, width=2.0, style="-", label=None):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=COLORS[kind], lw=width, linestyle=style,
                                shrinkA=0, shrinkB=0, mutation_scale=14))
    ax.plot([], [], color=COLORS[kind], lw=width, linestyle=style, label=label or LABELS[kind])


def _square_axes(ax, vectors, margin=1.15):
    reach = max(1e-3, max(np.max(np.abs(v)) for v in vectors)) * margin
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)


def clipped_gradient(figure, state):
    """One 2-D gradient and its three clipped versions: the whole picture, and a zoom on the clip.

    The dotted box is where clipvalue lets the elements be, the dotted circle where clipnorm lets
    the vector be.
    """
    figure.clear()
    t = state["threshold"]
    for ax, reach in zip(figure.subplots(1, 2), [None, 1.6 * t]):
        ax.add_patch(Rectangle((-t, -t), 2 * t, 2 * t, fill=False, color=COLORS["clipvalue"], lw=1, ls=":"))
        ax.add_patch(Circle((0, 0), t, fill=False, color=COLORS["clipnorm"], lw=1, ls=":"))
        _arrow(ax, (0, 0), state["gradient"], "original", width=2.5)
        _arrow(ax, (0, 0), state["clipped"]["clipvalue"], "clipvalue", width=3)
        _arrow(ax, (0, 0), state["clipped"]["clipnorm"], "clipnorm", width=3.5)
        _arrow(ax, (0, 0), state["clipped"]["global_clipnorm"], "global_clipnorm", style="--",
               label="global_clipnorm (= clipnorm: one tensor)")
        _square_axes(ax, [state["gradient"], np.array([t, t])] if reach is None else [np.array([reach, reach])], 
                     margin=1.15 if reach is None else 1.0)
        ax.set_xlabel("g[0]")
        ax.set_ylabel("g[1]")
    figure.axes[0].set_title("the gradient and its clipped versions", fontsize=10)
    figure.axes[1].set_title(f"zoom: the threshold {t:g}", fontsize=10)
    figure.axes[0].legend(loc="lower left", fontsize=8, framealpha=0.9)


def two_tensors(figure, state):
    """A gradient made of two tensors: each tensor's panel with per-tensor and global clipping."""
    figure.clear()
    axes = figure.subplots(1, 2)
    t = state["threshold"]
    for i, (ax, name) in enumerate(zip(axes, state["names"])):
        ax.add_patch(Circle((0, 0), t, fill=False, color=COLORS["clipnorm"], lw=1, ls=":"))
        _arrow(ax, (0, 0), state["gradient"][i], "original", width=2.5)
        _arrow(ax, (0, 0), state["clipped"]["clipnorm"][i], "clipnorm", width=3.5,
               label="clipnorm (each tensor to norm ≤ threshold)")
        _arrow(ax, (0, 0), state["clipped"]["global_clipnorm"][i], "global_clipnorm", style="--",
               label="global_clipnorm (one factor for both)")
        _square_axes(ax, [state["gradient"][0], state["gradient"][1], np.array([t, t])])
        ax.set_title(f"{name}: norm {state['norms'][i]:.2f}", fontsize=10)
    axes[0].legend(loc="lower left", fontsize=7, framealpha=0.9)
    figure.suptitle(
        f"turn of the whole update: clipnorm {state['angle']['clipnorm']:.1f}°, "
        f"global_clipnorm {state['angle']['global_clipnorm']:.1f}°", fontsize=10)


def step_on_surface(figure, state, surface):
    """Contours of a 2-D loss and where one step lands with each kind of clipping."""
    figure.clear()
    ax = figure.subplots()
    x, y, loss = surface
    ax.contour(x, y, loss, levels=np.geomspace(0.05, loss.max(), 14), colors="0.75", linewidths=0.8)
    ax.plot(0, 0, marker="*", color="gold", markersize=14, markeredgecolor="k", label="minimum")
    start = state["start"]
    ax.plot(*start, "ko", markersize=5)
    for kind, end in state["landing"].items():
        _arrow(ax, start, end, kind, label=f"{LABELS[kind]}: loss {state['loss_after'][kind]:.2f}")
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(y.min(), y.max())
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"one step from loss {state['loss_before']:.2f}", fontsize=10)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)


def exploding_runs(figure, state, surface):
    """Trajectories on a recurrent unit's loss surface, the loss and the gradient norm per update."""
    figure.clear()
    ax_surface, ax_loss, ax_grad = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.3, 1, 1]})
    w, u, log_loss = surface
    image = ax_surface.imshow(log_loss, origin="lower", extent=(w[0], w[-1], u[0], u[-1]), aspect="auto",
                              cmap="viridis", vmin=-3, vmax=8)
    figure.colorbar(image, ax=ax_surface, label="log10 loss", shrink=0.9)
    for kind, run in state["runs"].items():
        # clipnorm often retraces clipvalue here: draw it dashed over a wider clipvalue line.
        style = dict(color=COLORS[kind], lw=3 if kind == "clipvalue" else 1.5, ls="--" if kind == "clipnorm" else "-")
        ax_surface.plot(run["w"], run["u"], marker=".", markersize=3, label=LABELS[kind], **style)
        ax_loss.plot(run["loss"], **style)
        ax_grad.plot(np.arange(1, len(run["grad_norm"]) + 1), run["grad_norm"], marker=".", markersize=2, **style)
        if state["diverged"][kind]:
            finite = np.flatnonzero(np.isfinite(run["loss"]) & (run["loss"] < 1e30))
            ax_loss.plot(finite[-1], run["loss"][finite[-1]], "x", color="red", markersize=10, mew=2)
            ax_loss.annotate(f"{LABELS[kind]}: diverged after {state['updates'][kind]} update(s)",
                             (0.97, 0.97), xycoords="axes fraction", ha="right", va="top", fontsize=8, color="red")
    ax_surface.plot(*state["start"], "o", color="white", markeredgecolor="k", markersize=7)
    ax_surface.set_xlim(w[0], w[-1])
    ax_surface.set_ylim(u[0], u[-1])
    ax_surface.set_xlabel("w (recurrent weight)")
    ax_surface.set_ylabel("u (input weight)")
    ax_surface.legend(loc="upper left", fontsize=7, framealpha=0.9)
    for ax, title in [(ax_loss, "loss"), (ax_grad, "gradient norm before clipping")]:
        ax.set_yscale("log")
        ax.set_xlabel("update")
        ax.set_title(title, fontsize=10)
    figure.suptitle(f"learning rate {state['learning_rate']:g}, threshold {state['threshold']:g}", fontsize=10)
