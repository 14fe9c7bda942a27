#!/usr/bin/env bash
# The cluster workflow for real: a one-node SLURM cluster on localhost
# (scripts/local_slurm), a small sweep submitted with `regensim sweep --slurm --submit`,
# waited for, collected, every run checked; then a longer run sent SIGTERM by SLURM (as
# at a time limit), which checkpoints, and the script submitted again, which resumes it.
# At the end the daemons this test started are stopped. Exit 77 (ctest: skipped) when the machine cannot run the cluster (no
# slurm-wlm/munge, not root).
# Usage: slurm_sweep_test.sh REGENSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
regensim=$1
source_dir=$2
work=$3

rm -rf "$work"
mkdir -p "$work"
set +e
"$source_dir/scripts/local_slurm" start "$work/slurm"
status=$?
set -e
if ((status == 77)); then
  echo "SKIPPED: this machine cannot run a local SLURM cluster (see the message above)"
  exit 77
fi
((status == 0)) || { echo "FAIL: scripts/local_slurm start exited $status"; exit 1; }
trap '"$source_dir/scripts/local_slurm" stop "$work/slurm"' EXIT
export SLURM_CONF=$work/slurm/slurm.conf

cat >"$work/sweep.toml" <<TOML
[sweep]
base = "$source_dir/configs/tissue_block.toml"
replicates = 2
[sweep.set]
"simulation.dimensions" = [24, 24, 1]
"simulation.duration_days" = 0.25
[sweep.grid]
"rules.injection.count" = [10, 20]
[slurm]
time = "00:05:00"
cpus_per_task = 1
TOML

out=$("$regensim" sweep "$work/sweep.toml" -o "$work/sweep" --slurm --submit)
echo "$out"
job=$(sed -n 's/^submitted job \([0-9]*\)$/\1/p' <<<"$out")
[[ -n $job ]] || { echo "FAIL: no job id from --submit"; exit 1; }

wait_job() {
  local deadline=$((SECONDS + 120))
  while [[ -n $(squeue -h -j "$1" -t pending,running,configuring,completing 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || { echo "FAIL: job $1 still queued after 120 s"; squeue -t all; exit 1; }
    sleep 0.2
  done
  squeue -t all -j "$1" || true
}
wait_job "$job"

"$regensim" collect "$work/sweep" | tee "$work/collect.txt"
grep -q "collected 4 of 4 runs" "$work/collect.txt" || {
  echo "FAIL: not every run completed"; cat "$work"/sweep/logs/*; exit 1; }
for i in 0 1 2 3; do
  grep -q "run_000$i: starting with 1 threads" "$work/sweep/logs/slurm-${job}_$i.out" || {
    echo "FAIL: task $i did not take its threads from SLURM_CPUS_PER_TASK"; exit 1; }
done
echo "PASS: job $job ran 4 array tasks; all collected"

# A time limit: SLURM signals the task, the run checkpoints; submitting again resumes it.
cat >"$work/long.toml" <<TOML
[sweep]
base = "$source_dir/configs/tissue_block.toml"
[sweep.set]
"simulation.dimensions" = [60, 60, 1]
"simulation.duration_days" = 30.0
TOML
out=$("$regensim" sweep "$work/long.toml" -o "$work/long" --slurm --submit)
job=$(sed -n 's/^submitted job \([0-9]*\)$/\1/p' <<<"$out")
deadline=$((SECONDS + 60))
until [[ -f $work/long/runs/run_0000.xmf ]]; do  # the first snapshot is out
  ((SECONDS < deadline)) || { echo "FAIL: the long run did not start"; exit 1; }
  sleep 0.1
done
scancel --batch --signal=TERM "${job}_0"
wait_job "$job"
[[ -f $work/long/runs/run_0000.checkpoint.h5 ]] || {
  echo "FAIL: no checkpoint after SIGTERM"; cat "$work/long/logs/run_0000.log"; exit 1; }
"$regensim" collect "$work/long" | grep -q "collected 0 of 1" || {
  echo "FAIL: the signalled run counts as complete"; exit 1; }
job2=$(sbatch --parsable "$work/long/sweep.slurm")
wait_job "$job2"
grep -q "resuming from its checkpoint" "$work/long/logs/slurm-${job2}_0.out" || {
  echo "FAIL: the resubmitted task did not resume"; cat "$work/long/logs/slurm-${job2}_0.out"; exit 1; }
"$regensim" collect "$work/long" | grep -q "collected 1 of 1" || {
  echo "FAIL: the resumed run did not complete"; cat "$work/long/logs/run_0000.log"; exit 1; }
echo "PASS: SIGTERM from SLURM checkpointed job $job; job $job2 resumed and completed it"
