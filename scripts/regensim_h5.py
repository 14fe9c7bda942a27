"""Shared by the plotting scripts: opening a regensim HDF5 file with a clear error
(exit status 2) when it is not one, or is of a format_version the script does not read;
figure layout and saving."""
import math
import os
import sys

import h5py
import matplotlib.pyplot as plt


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def open_checked(path, expected_format, expected_version):
    """Opens `path` read-only; exits 2 unless its root attributes say
    format == expected_format and format_version == expected_version."""
    try:
        f = h5py.File(path, "r")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except OSError as e:
        fail(f"{path}: not an HDF5 file ({e})")
    fmt = f.attrs.get("format")
    fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    if fmt != expected_format:
        f.close()
        fail(f"{path}: not a {expected_format} file (root attribute format = {fmt!r})")
    version = f.attrs.get("format_version")
    if version is None or int(version) != expected_version:
        f.close()
        fail(f"{path}: format_version {version!r}; this script reads format_version "
             f"{expected_version} (docs/output-format.md)")
    return f


def grid_panels(n, width, height):
    """A figure with n axes in a near-square grid; unused axes are hidden."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def save_figure(fig, out_dir, file_name, dpi=90):
    """Lays out `fig`, writes it to out_dir/file_name, closes it; returns the path."""
    fig.tight_layout()
    path = os.path.join(out_dir, file_name)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
