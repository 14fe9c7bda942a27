#!/usr/bin/env bash
# Runs the shipped scenario, shortened and shrunk, and checks the file with h5py
# (an implementation independent of the writer). usage: shipped_scenario.sh REGENSIM SRC OUTDIR
set -euo pipefail
regensim=$1 src=$2 out=$3
mkdir -p "$out"
"$regensim" run "$src/configs/tissue_block.toml" -o "$out/scenario.h5" --overwrite --quiet \
  --set 'simulation.dimensions=[30, 30, 8]' --set simulation.duration_days=2
"$regensim" info "$out/scenario.h5" | grep -q "status:.*complete"
/usr/bin/python3 "$src/tests/regression/check_output.py" "$out/scenario.h5"
