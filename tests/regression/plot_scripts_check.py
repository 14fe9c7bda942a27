#!/usr/bin/python3
"""Runs scripts/plot_run.py and scripts/plot_compare.py on small real outputs and checks
that every PNG they report exists and is a non-empty PNG, that the numbers they print
match the HDF5 files (read here with h5py), and that a file that is not a regensim
output, or has another format_version, is refused with exit status 2.

usage: plot_scripts_check.py REGENSIM SRC OUTDIR
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 and "plot_" not in cmd[1]:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def plot(script, *args):
    return run(["/usr/bin/python3", os.path.join(SRC, "scripts", script), *args])


def check_pngs(stdout, expected):
    paths = [line.split(" ", 1)[1] for line in stdout.splitlines() if line.startswith("wrote ")]
    check(len(paths) == expected, f"expected {expected} PNGs, got {paths}")
    for p in paths:
        ok = os.path.isfile(p) and os.path.getsize(p) > 100
        with open(p, "rb") as fh:
            ok = ok and fh.read(8) == b"\x89PNG\r\n\x1a\n"
        check(ok, f"{p} is not a non-empty PNG")


def same(a, b):
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def check_plot_run(out):
    h5 = os.path.join(out, "run.h5")
    run([REGENSIM, "run", os.path.join(SRC, "configs/tissue_block.toml"), "-o", h5, "--overwrite",
         "--quiet", "--threads", "1", "--set", "simulation.dimensions=[20, 20, 6]",
         "--set", "simulation.duration_days=1"])
    r = plot("plot_run.py", h5, "-o", os.path.join(out, "run_plots"), "--days", "0", "1")
    check(r.returncode == 0, f"plot_run.py failed: {r.stderr}")
    with h5py.File(h5, "r") as f:
        t = f["time_days"][:]
        n_fields, n_layers = len(f["fields"]), len(f["tissue"])
        seen = {"metric": 0, "field": 0, "cells": 0}
        for line in r.stdout.splitlines():
            w = line.split()
            if w[0] == "metric":
                check(same(float(w[3]), float(f["metrics"][w[1]][-1])), f"metric: {line}")
            elif w[0] in ("field", "tissue"):
                group = "fields" if w[0] == "field" else "tissue"
                k = int(np.argmin(np.abs(t - float(w[3]))))
                plane = f[group][w[1]][k, int(w[5]), :, :].astype(np.float64)
                check(same(float(w[7]), plane.sum() / plane.size), f"slice: {line}")
            elif w[0] == "cells":
                k = int(np.argmin(np.abs(t - float(w[3]))))
                names = [n.decode() if isinstance(n, bytes) else n
                         for n in f["agents"].attrs["type_names"]]
                g = f[f"agents/{k}"]
                n = int(((g["type"][:] == names.index(w[1])) & (g["z"][:] == int(w[5]))).sum())
                check(int(w[7]) == n, f"cells: {line} (HDF5: {n})")
            if w[0] in seen:
                seen[w[0]] += 1
        check(seen["metric"] == len(f["metrics"]) - 1, f"not every metric printed: {seen}")
        check(seen["field"] == 2 * n_fields, f"not every field slice printed: {seen}")
    check_pngs(r.stdout, 1 + 2 * (1 + (1 if n_layers else 0) + 1))

    # Refusals: not HDF5, not a regensim file, another format_version.
    bad = os.path.join(out, "v2.h5")
    shutil.copy(h5, bad)
    with h5py.File(bad, "r+") as f:
        f.attrs["format_version"] = np.int32(2)
    for path, text in [(os.path.join(SRC, "configs/tissue_block.toml"), "not an HDF5 file"),
                       (bad, "format_version")]:
        r = plot("plot_run.py", path, "-o", os.path.join(out, "bad_plots"))
        check(r.returncode == 2 and text in r.stderr, f"plot_run.py {path}: {r.returncode} {r.stderr}")


def check_plot_compare(out):
    config = os.path.join(out, "compare.toml")
    with open(os.path.join(SRC, "configs/tissue_block.toml")) as src, open(config, "w") as dst:
        dst.write(src.read() + '\n[compare]\nsham = ["rules.injection.count=0"]\n'
                  'outcomes = ["mean_vegf", "mean_oxygen"]\n')
    d = os.path.join(out, "compare")
    run([REGENSIM, "compare", config, "--replicates", "2", "--jobs", "2", "--threads", "1", "-o", d,
         "--overwrite", "--quiet", "--set", "simulation.dimensions=[24, 24, 1]",
         "--set", "simulation.duration_days=1"])
    r = plot("plot_compare.py", d)
    check(r.returncode == 0, f"plot_compare.py failed: {r.stderr}")
    check_pngs(r.stdout, 3)
    with h5py.File(os.path.join(d, "compare.h5"), "r") as f:
        n = 0
        for line in r.stdout.splitlines():
            w = line.split()
            if w[0] == "arm":
                # Against the stored replicates, not the stored summary.
                reps = f["arms"][w[2]]["metrics"][w[1]][:, -1]
                check(same(float(w[4]), float(np.mean(reps))), f"arm: {line}")
                n += 1
            elif w[0] == "effect":
                check(same(float(w[4]), float(f["summary"][w[1]]["effects"][w[2]]["mean"][-1])),
                      f"effect: {line}")
                n += 1
        check(n == 2 * (4 + 4), f"expected 16 numbers, got {n}")
    with h5py.File(os.path.join(d, "compare.h5"), "r") as f:
        phi_d = f["summary/mean_vegf/effects/shapley_differentiation/mean"][-1]
        check(phi_d == 0.0, f"differentiation does not change mean_vegf today, got {phi_d}")

    # Provenance areas appear when the file has them (synthetic here: no model writes
    # provenance metrics yet).
    p = os.path.join(out, "compare_provenance")
    os.makedirs(p, exist_ok=True)
    shutil.copy(os.path.join(d, "compare.h5"), os.path.join(p, "compare.h5"))
    with h5py.File(os.path.join(p, "compare.h5"), "r+") as f:
        t = f["time_days"][:]
        g = f.create_group("provenance")
        for i, name in enumerate(["regenerated_direct_fraction", "regenerated_paracrine_fraction",
                                  "regenerated_spontaneous_fraction"]):
            s = g.create_group(name)
            s.attrs["units"] = "fraction"
            for part in ["mean", "ci_low", "ci_high"]:
                s[part] = (i + 1) * 0.01 * t
    r = plot("plot_compare.py", p)
    check(r.returncode == 0 and os.path.isfile(os.path.join(p, "plots", "provenance.png")),
          f"no provenance plot: {r.stderr}")
    check(f"provenance regenerated_spontaneous_fraction end_mean {0.03 * t[-1]!r}" in r.stdout,
          "provenance numbers")
    with h5py.File(os.path.join(p, "compare.h5"), "r+") as f:
        f.attrs["format_version"] = np.int32(9)
    r = plot("plot_compare.py", p)
    check(r.returncode == 2 and "format_version" in r.stderr, f"v9 accepted: {r.stderr}")
    r = plot("plot_compare.py", out)  # no compare.h5 there
    check(r.returncode == 2 and "no such file" in r.stderr, f"missing accepted: {r.stderr}")


REGENSIM, SRC, OUT = sys.argv[1:4]
os.makedirs(OUT, exist_ok=True)
check_plot_run(OUT)
check_plot_compare(OUT)
for f in failures:
    print("FAIL:", f)
print("plot scripts:", "ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
