#!/usr/bin/python3
"""Checks a regensim output file against format_version 1 (docs/output-format.md)
with h5py, independently of the C++ writer, and checks the XDMF sidecar points into it.

usage: check_output.py FILE.h5 [--expect-status complete]
Exit status 0 when every check passes; prints each failure otherwise.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def as_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--expect-status", default="complete")
    args = ap.parse_args()

    with h5py.File(args.file, "r") as f:
        a = f.attrs
        for key in ["format", "format_version", "software_version", "git_commit", "seed",
                    "threads", "created_utc", "status"]:
            check(key in a, f"root attribute {key} missing")
        check(as_str(a["format"]) == "regensim", "format != regensim")
        check(int(a["format_version"]) == 1, "format_version != 1")
        check(as_str(a["status"]) == args.expect_status,
              f"status {as_str(a['status'])!r} != {args.expect_status!r}")

        config = f["config"][()]
        check(b"[simulation]" in (config if isinstance(config, bytes) else config.encode()),
              "/config does not hold the resolved TOML")

        shape = [int(v) for v in f["grid"].attrs["shape"]]
        nx, ny, nz = shape
        check(float(f["grid"].attrs["voxel_size_um"]) > 0, "voxel_size_um missing or <= 0")

        t = f["time_days"][:]
        T = len(t)
        check(T >= 2, "fewer than two snapshots")
        check(np.all(np.diff(t) > 0), "time_days not increasing")
        check(t[0] == 0.0, "first snapshot not at t = 0")

        check(len(f["fields"]) >= 1, "no fields")
        for name, ds in f["fields"].items():
            check(ds.shape == (T, nz, ny, nx), f"/fields/{name} shape {ds.shape}")
            check(ds.dtype == np.float32, f"/fields/{name} dtype {ds.dtype}")
            check("units" in ds.attrs, f"/fields/{name} has no units")
            check(np.all(np.isfinite(ds[-1])), f"/fields/{name} has non-finite values")
            check(ds.compression == "gzip" and ds.shuffle, f"/fields/{name} not shuffle+deflate")

        for name, ds in f["tissue"].items():
            check(ds.shape == (T, nz, ny, nx), f"/tissue/{name} shape {ds.shape}")
            check(ds.dtype in (np.float32, np.uint8), f"/tissue/{name} dtype {ds.dtype}")

        type_names = [as_str(s) for s in f["agents"].attrs["type_names"]]
        check(len(f["agents"]) == T, f"{len(f['agents'])} agent groups for {T} snapshots")
        for k in range(T):
            g = f[f"agents/{k}"]
            n = int(g.attrs["count"])
            for col in ["id", "type", "x", "y", "z"]:
                check(col in g and g[col].shape == (n,), f"/agents/{k}/{col} missing or wrong size")
            if n:
                check(len(np.unique(g["id"][:])) == n, f"/agents/{k}: duplicate ids")
                xyz = np.stack([g["x"][:], g["y"][:], g["z"][:]], axis=1)
                check(len(np.unique(xyz, axis=0)) == n, f"/agents/{k}: two agents in one voxel")
                check(xyz.min() >= 0 and np.all(xyz.max(axis=0) < [nx, ny, nz]),
                      f"/agents/{k}: coordinates outside the grid")
                check(int(g["type"][:].max()) < len(type_names), f"/agents/{k}: unknown type")

        m = f["metrics"]
        M = len(m["time_days"])
        check(M >= 2, "fewer than two metrics rows")
        for name, ds in m.items():
            check(ds.shape == (M,), f"/metrics/{name} shape {ds.shape}")
            if name != "time_days":
                check("units" in ds.attrs, f"/metrics/{name} has no units")
        for name in ["n_msc", "mean_oxygen"]:
            check(name in m, f"/metrics/{name} missing")

        xmf = os.path.splitext(args.file)[0] + ".xmf"
        check(os.path.exists(xmf), "XDMF sidecar missing")
        if os.path.exists(xmf):
            root = ET.parse(xmf).getroot()
            grids = [g for g in root.iter("Grid") if g.get("GridType") != "Collection"]
            check(len(grids) == T, f"XDMF has {len(grids)} grids for {T} snapshots")
            for item in root.iter("DataItem"):
                text = (item.text or "").strip()
                if ":/" in text:
                    h5name, path = text.split(":", 1)
                    target = os.path.join(os.path.dirname(xmf), h5name)
                    check(os.path.abspath(target) == os.path.abspath(args.file),
                          f"XDMF points at {h5name}")
                    check(path in f, f"XDMF points at missing dataset {path}")

    for what in failures:
        print("FAIL:", what)
    print(f"{args.file}: {'OK' if not failures else str(len(failures)) + ' problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
