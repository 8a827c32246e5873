"""PNG plots of a training run: loss and mIoU curves, confusion matrices.

matplotlib is imported inside the functions with the Agg backend, so nothing needs a display
and importing the training package stays light.
"""

import numpy as np

from ..atomic import atomic_path

__all__ = ["plot_losses", "plot_metrics", "plot_confusion"]


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _finish_epoch_axes(ax, ylabel):
    """Label an (epoch, value) plot, with whole epochs on the x axis."""
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(alpha=0.3)


def _save(fig, path):
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:  # a kill mid-write leaves the previous plot whole
            fig.savefig(tmp, dpi=100, format="png")
    finally:
        _pyplot().close(fig)
    return path


def plot_losses(history, path):
    """Train and validation loss per epoch."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = history.column("epoch")
    ax.plot(epochs, history.column("train_loss"), "o-", label="train")
    ax.plot(epochs, history.column("val_loss"), "o-", label="val")
    _finish_epoch_axes(ax, "weighted cross-entropy")
    return _save(fig, path)


def plot_metrics(history, path):
    """Validation mIoU, mean class accuracy and global pixel accuracy per epoch (in %)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = history.column("epoch")
    for column, label in (("val_miou", "mIoU"), ("val_mean_class_accuracy", "mean class acc."),
                          ("val_pixel_accuracy", "global acc.")):
        ax.plot(epochs, [100.0 * v for v in history.column(column)], "o-", label=label)
    best = history.best()
    if best is not None:
        ax.axvline(best["epoch"], color="grey", ls="--", lw=1)
    _finish_epoch_axes(ax, "validation %")
    return _save(fig, path)


def plot_confusion(matrix, class_names, path, title="confusion"):
    """Row-normalised confusion matrix (row = ground truth, column = prediction), in %."""
    plt = _pyplot()
    counts = np.asarray(matrix, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = 100.0 * counts / counts.sum(axis=1, keepdims=True)
    shares = np.nan_to_num(shares)
    size = 3 + 0.45 * len(class_names)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=100)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xticklabels(class_names, rotation=60, ha="right")
    ax.set_yticklabels(class_names)
    if len(class_names) <= 20:
        for row in range(len(class_names)):
            for col in range(len(class_names)):
                ax.text(col, row, "{:.0f}".format(shares[row, col]), ha="center", va="center",
                        fontsize=7, color="white" if shares[row, col] > 60 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("ground truth")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="% of the true class")
    return _save(fig, path)
