#!/usr/bin/python3
"""Plots one regensim run: metric time courses, field and tissue slices at chosen days
(the middle z-plane of a 3D lattice) and a map of cell types. Writes PNG files and
prints the numbers it plotted, so they can be checked against the HDF5 file.

usage: plot_run.py OUT.h5 [-o DIR] [--days D [D ...]]
  -o DIR   where the PNGs go (default: OUT_plots beside the file)
  --days   simulated days to slice at; each picks the nearest snapshot
           (default: the first, middle and last snapshot)
Exit status 0 on success, 2 for a file that is not a regensim output of a
format_version this script reads.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regensim_h5 import grid_panels, open_checked, save_figure  # noqa: E402

FORMAT = "regensim"
FORMAT_VERSION = 1


def as_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def plot_metrics(f, out_dir):
    t = f["metrics/time_days"][:]
    names = [n for n in f["metrics"] if n != "time_days"]
    fig, axes = grid_panels(len(names), width=3.6, height=2.6)
    for ax, name in zip(axes, names):
        ds = f["metrics"][name]
        y = ds[: len(t)]
        ax.plot(t, y, lw=1.2)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("day", fontsize=8)
        ax.set_ylabel(as_str(ds.attrs.get("units", "")), fontsize=8)
        ax.tick_params(labelsize=7)
        print(f"metric {name} final {y[-1]!r}" if len(y) else f"metric {name} final nan")
    return save_figure(fig, out_dir, "metrics.png")


def slice_panels(f, group, k, z, day, out_dir, stem):
    names = list(f[group]) if group in f else []
    if not names:
        return None
    fig, axes = grid_panels(len(names), width=3.4, height=3.0)
    for ax, name in zip(axes, names):
        ds = f[group][name]
        plane = ds[k, z, :, :]
        im = ax.imshow(plane, origin="lower", cmap="viridis", interpolation="nearest")
        ax.set_title(f"{name} [{as_str(ds.attrs.get('units', ''))}]", fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8)
        ax.tick_params(labelsize=7)
        print(f"{group[:-1] if group == 'fields' else group} {name} day {day!r} z {z} "
              f"slice_mean {float(np.mean(plane, dtype=np.float64))!r}")
    fig.suptitle(f"day {day:g}, z = {z}", fontsize=10)
    return save_figure(fig, out_dir, f"{stem}_day{day:g}.png")


def cell_map(f, k, z, nz, shape, day, out_dir):
    g = f[f"agents/{k}"]
    names = [as_str(n) for n in f["agents"].attrs["type_names"]]
    types, x, y, zz = g["type"][:], g["x"][:], g["y"][:], g["z"][:]
    # A 3D lattice shows the cells in the middle plane, like the slices.
    keep = zz == z if nz > 1 else np.ones(len(types), dtype=bool)
    fig, ax = plt.subplots(figsize=(5, 4.2))
    for code, name in enumerate(names):
        sel = keep & (types == code)
        print(f"cells {name} day {day!r} z {z} count {int(sel.sum())}")
        if sel.any():
            ax.scatter(x[sel], y[sel], s=8, label=name)
    ax.set_xlim(-0.5, shape[0] - 0.5)
    ax.set_ylim(-0.5, shape[1] - 0.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x (voxel)")
    ax.set_ylabel("y (voxel)")
    ax.set_title(f"cell types, day {day:g}" + (f", z = {z}" if nz > 1 else ""), fontsize=10)
    if keep.any():
        ax.legend(fontsize=7, loc="upper right")
    return save_figure(fig, out_dir, f"cells_day{day:g}.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="directory for the PNGs")
    ap.add_argument("--days", type=float, nargs="+", help="days to slice at")
    args = ap.parse_args()

    f = open_checked(args.file, FORMAT, FORMAT_VERSION)
    with f:
        out_dir = args.output or os.path.splitext(args.file)[0] + "_plots"
        os.makedirs(out_dir, exist_ok=True)
        written = [plot_metrics(f, out_dir)]
        t = f["time_days"][:]
        if len(t) == 0:
            print("no snapshots written yet", file=sys.stderr)
        else:
            shape = [int(v) for v in f["grid"].attrs["shape"]]
            nz = shape[2]
            z = nz // 2
            if args.days:
                ks = sorted({int(np.argmin(np.abs(t - d))) for d in args.days})
            else:
                ks = sorted({0, (len(t) - 1) // 2, len(t) - 1})
            for k in ks:
                day = float(t[k])
                written.append(slice_panels(f, "fields", k, z, day, out_dir, "fields"))
                written.append(slice_panels(f, "tissue", k, z, day, out_dir, "tissue"))
                if f"agents/{k}" in f:
                    written.append(cell_map(f, k, z, nz, shape, day, out_dir))
        for path in written:
            if path:
                print(f"wrote {path}")


if __name__ == "__main__":
    main()
