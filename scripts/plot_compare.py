#!/usr/bin/python3
"""Plots a `regensim compare` directory: each outcome per arm with its 95% CI over time,
the effect split (Shapley shares, interaction, total benefit) at the end as a bar chart,
and the provenance of regenerated tissue in arm `both` as stacked areas when the runs
have it. Writes PNG files and prints the numbers it plotted.

usage: plot_compare.py DIR [-o PLOTS]
  -o PLOTS  where the PNGs go (default: DIR/plots)
Exit status 0 on success, 2 when DIR/compare.h5 is missing, not a regensim comparison
or of a format_version this script does not read.
"""
import argparse
import os

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regensim_h5 import grid_panels, open_checked, save_figure  # noqa: E402

FORMAT = "regensim_compare"
FORMAT_VERSION = 1
SPLIT = ["shapley_differentiation", "shapley_paracrine", "interaction", "total_benefit"]


def as_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def outcome_over_time(f, name, t, out_dir):
    g = f["summary"][name]
    units = as_str(g.attrs.get("units", ""))
    fig, ax = plt.subplots(figsize=(6, 4))
    for arm in [as_str(a) for a in f["arms"].attrs["names"]]:
        s = g["arms"][arm]
        mean, low, high = s["mean"][:], s["ci_low"][:], s["ci_high"][:]
        ax.plot(t, mean, lw=1.5, label=arm)
        ax.fill_between(t, low, high, alpha=0.2)
        print(f"arm {name} {arm} end_mean {mean[-1]!r} ci {low[-1]!r} {high[-1]!r}")
    ax.set_xlabel("day")
    ax.set_ylabel(f"{name} [{units}]")
    ax.set_title(f"{name}: mean and 95% CI over {int(f.attrs['replicates'])} replicates",
                 fontsize=10)
    ax.legend(fontsize=8)
    return save_figure(fig, out_dir, f"outcome_{name}.png")


def effect_split(f, outcomes, t, out_dir):
    fig, axes = grid_panels(len(outcomes), width=4.6, height=3.6)
    for ax, name in zip(axes, outcomes):
        e = f["summary"][name]["effects"]
        means = np.array([e[k]["mean"][-1] for k in SPLIT])
        low = np.array([e[k]["ci_low"][-1] for k in SPLIT])
        high = np.array([e[k]["ci_high"][-1] for k in SPLIT])
        err = np.vstack([means - low, high - means])
        ax.bar(range(len(SPLIT)), means, yerr=err, capsize=4,
               color=["tab:orange", "tab:blue", "tab:gray", "tab:green"])
        ax.axhline(0.0, color="black", lw=0.6)
        ax.set_xticks(range(len(SPLIT)))
        ax.set_xticklabels(["differentiation\n(Shapley)", "paracrine\n(Shapley)", "interaction",
                            "total\nbenefit"], fontsize=7)
        ax.set_title(f"{name} [{as_str(f['summary'][name].attrs.get('units', ''))}], "
                     f"day {t[-1]:g}", fontsize=9)
        for k, m, lo, hi in zip(SPLIT, means, low, high):
            print(f"effect {name} {k} end_mean {m!r} ci {lo!r} {hi!r}")
    return save_figure(fig, out_dir, "effect_split.png")


def provenance(f, t, out_dir):
    g = f["provenance"]
    names = list(g)
    means = [g[n]["mean"][:] for n in names]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.stackplot(t, *means, labels=[n.replace("regenerated_", "") for n in names], alpha=0.8)
    ax.set_xlabel("day")
    ax.set_ylabel(as_str(g[names[0]].attrs.get("units", "")))
    ax.set_title(f"provenance of regenerated tissue, arm {as_str(g.attrs.get('arm', 'both'))} "
                 "(mean over replicates)", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    for n, m in zip(names, means):
        print(f"provenance {n} end_mean {m[-1]!r}")
    return save_figure(fig, out_dir, "provenance.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("-o", "--output", help="directory for the PNGs")
    args = ap.parse_args()

    f = open_checked(os.path.join(args.dir, "compare.h5"), FORMAT, FORMAT_VERSION)
    with f:
        out_dir = args.output or os.path.join(args.dir, "plots")
        os.makedirs(out_dir, exist_ok=True)
        t = f["time_days"][:]
        outcomes = [as_str(o) for o in f["summary"].attrs["outcomes"]]
        written = [outcome_over_time(f, name, t, out_dir) for name in outcomes]
        written.append(effect_split(f, outcomes, t, out_dir))
        if "provenance" in f:
            written.append(provenance(f, t, out_dir))
        for path in written:
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
