#!/usr/bin/python3
"""Plots a sweep summary (regensim collect DIR -> DIR/summary.h5) as PNG files.

For each outcome (final metric value per run): one panel per swept numeric parameter
with every run as a point (and mean +- sd where a parameter takes few values), and,
with two or more parameters, a heat map of the mean outcome over the first two.
Outcomes that are the same in every run are skipped and listed.

    scripts/plot_sweep.py out/sweep/summary.h5 [-o out/sweep/plots] [--outcomes a,b]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # headless: files only, no display needed
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regensim_h5 import save_figure  # noqa: E402

FEW_VALUES = 10  # a parameter with at most this many values is treated as categories


def read_summary(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "regensim-sweep-summary":
            sys.exit(f"plot_sweep: {path}: not a regensim sweep summary (regensim collect)")
        params = {}
        for name, ds in f["parameters"].items():
            if ds.dtype.kind in "fiub":
                params[name] = ds[()].astype(float)
        outcomes = {}
        units = {}
        for name, ds in f["outcomes"].items():
            outcomes[name] = ds[()].astype(float)
            u = ds.attrs.get("units", "")
            units[name] = u.decode() if isinstance(u, bytes) else str(u)
        n = len(f["run_id"])
    return params, outcomes, units, n


def axis_bins(values):
    """Category index per run and tick labels: distinct values, or 6 equal bins."""
    distinct = np.unique(values)
    if len(distinct) <= FEW_VALUES:
        index = np.searchsorted(distinct, values)
        return index, [f"{v:g}" for v in distinct]
    edges = np.linspace(values.min(), values.max(), 7)
    index = np.clip(np.digitize(values, edges) - 1, 0, 5)
    return index, [f"{edges[i]:.3g}-{edges[i + 1]:.3g}" for i in range(6)]


def plot_outcome(name, y, unit, params, outdir):
    keys = list(params)
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.5), squeeze=False)
    for ax, key in zip(axes[0], keys):
        x = params[key]
        ax.scatter(x, y, s=14, alpha=0.6, label="runs")
        distinct = np.unique(x)
        if len(distinct) <= FEW_VALUES:
            means = [y[x == v].mean() for v in distinct]
            sds = [y[x == v].std() for v in distinct]
            ax.errorbar(distinct, means, yerr=sds, color="k", marker="_", markersize=14,
                        linestyle="none", capsize=4, label="mean ± sd")
            ax.legend(fontsize=7)
        ax.set_xlabel(key)
        ax.set_ylabel(f"{name} [{unit}]")
    fig.suptitle(f"{name} at the end of each run")
    return save_figure(fig, outdir, f"{name}.png", dpi=110)


def plot_heatmap(name, y, unit, params, outdir):
    kx, ky = list(params)[:2]
    ix, xlabels = axis_bins(params[kx])
    iy, ylabels = axis_bins(params[ky])
    total = np.zeros((len(ylabels), len(xlabels)))
    count = np.zeros_like(total)
    np.add.at(total, (iy, ix), y)
    np.add.at(count, (iy, ix), 1)
    with np.errstate(invalid="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    im = ax.imshow(mean, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(ylabels)), ylabels, fontsize=7)
    ax.set_xlabel(kx)
    ax.set_ylabel(ky)
    fig.colorbar(im, ax=ax, label=f"mean {name} [{unit}]")
    ax.set_title(f"{name}: mean over runs per cell")
    return save_figure(fig, outdir, f"{name}_heatmap.png", dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("summary", help="summary.h5 written by regensim collect")
    ap.add_argument("-o", "--output", help="directory for the PNGs (default: <summary>_plots)")
    ap.add_argument("--outcomes", help="comma-separated outcome names (default: all that vary)")
    args = ap.parse_args()

    params, outcomes, units, n = read_summary(args.summary)
    if n == 0:
        sys.exit("plot_sweep: the summary holds no complete run")
    if not params:
        sys.exit("plot_sweep: the sweep has no numeric parameter to plot against")
    outdir = args.output or os.path.splitext(args.summary)[0] + "_plots"
    os.makedirs(outdir, exist_ok=True)
    names = args.outcomes.split(",") if args.outcomes else sorted(outcomes)
    written, constant = [], []
    for name in names:
        if name not in outcomes:
            sys.exit(f"plot_sweep: no outcome '{name}' (outcomes: {', '.join(sorted(outcomes))})")
        y = outcomes[name]
        if not args.outcomes and np.nanmax(y) == np.nanmin(y):
            constant.append(name)
            continue
        written.append(plot_outcome(name, y, units[name], params, outdir))
        if len(params) >= 2:
            written.append(plot_heatmap(name, y, units[name], params, outdir))
    for path in written:
        print(path)
    if constant:
        print(f"plot_sweep: same in every run, not plotted: {', '.join(constant)}")


if __name__ == "__main__":
    main()
