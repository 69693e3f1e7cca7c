#!/usr/bin/env bash
# same_stores.sh BEFORE AFTER [PLUGIN]: check that two builds of suturefleet behave the same.
# Each binary runs the same five experiments (fleet with joiners and all trajectories, solo with
# two stitches, a plug-in controller, --from another store, two MPI ranks when mpirun is there)
# and an eval; the stores must be equal byte for byte, and so must info (text and JSON), h5dump
# and eval --json. Exit 0 when everything is the same, 1 (with the files that differ) when not.
# PLUGIN (default: the example impedance_arc.so of AFTER's build tree) is used by both.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: scripts/same_stores.sh BEFORE_BINARY AFTER_BINARY [PLUGIN.so]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
before=$(realpath "$1"); after=$(realpath "$2")
plugin=$(realpath "${3:-$(dirname "$after")/examples/impedance_arc.so}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# one model file for both, so the stored model path is the same
cp -r "$root/models" "$work/models"
export SUTUREFLEET_MODEL="$work/models/suture_scene.xml"

# outputs of one binary into a folder
outputs() {
  local bin=$1 dir=$2
  mkdir -p "$dir" && cd "$dir"
  "$bin" run --robots 4 --rounds 3 --join 2@1 --record all --seed 3 --threads 2 --store A.h5 --quiet
  "$bin" run --robots 3 --rounds 3 --mode solo --stitches 2 --seed 5 --threads 1 --join none \
    --store B.h5 --quiet
  "$bin" run --robots 2 --rounds 2 --controller "$plugin" --join none --seed 7 --store C.h5 --quiet
  "$bin" run --robots 2 --rounds 2 --mode fleet --from A.h5 --join none --seed 4 --store D.h5 --quiet
  if command -v mpirun >/dev/null; then
    mpirun --allow-run-as-root --oversubscribe -np 2 "$bin" run --robots 4 --rounds 2 --join 1@1 \
      --threads 1 --seed 9 --store E.h5 --quiet
  fi
  "$bin" eval --episodes 12 --seed 2 --stitches 2 --calibration robot --json > eval.json
  for s in *.h5; do
    "$bin" info "$s" > "$s.info"
    "$bin" info "$s" --json > "$s.info.json"
    h5dump "$s" > "$s.dump"
  done
}
(outputs "$before" "$work/before") > "$work/before.log" 2>&1 || { cat "$work/before.log"; exit 1; }
(outputs "$after" "$work/after") > "$work/after.log" 2>&1 || { cat "$work/after.log"; exit 1; }

# compare
n=0
for f in "$work"/before/*; do
  name=$(basename "$f")
  if ! cmp -s "$f" "$work/after/$name"; then
    echo "differs: $name"
    n=$((n + 1))
  fi
done
total=$(ls "$work/before" | wc -l)
if [ "$(ls "$work/after" | wc -l)" -ne "$total" ]; then
  echo "the two builds wrote different sets of files"
  exit 1
fi
echo "$((total - n)) of $total outputs identical"
[ "$n" -eq 0 ]
