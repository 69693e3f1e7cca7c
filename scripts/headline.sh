#!/usr/bin/env bash
# headline.sh: the README's headline experiment: the default run (16 fleet robots and 16 solo
# twins for 24 rounds, 4 more of each joining at round 12) for seeds 1..N (default 3), then
# the summary table and the learning-curve plots (docs/). Stores go to runs/headline-<seed>.h5
# (replaced).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-3}"
mkdir -p runs
stores=()
for seed in $(seq 1 "$n"); do
  ./build/suturefleet run --seed "$seed" --store "runs/headline-$seed.h5" --force | tail -n 1
  stores+=("runs/headline-$seed.h5")
done
/usr/bin/python3 scripts/headline.py "${stores[@]}"

# the learning curves over the seeds (README figures)
mkdir -p docs
./build/suturefleet curves "${stores[@]}" --plot docs/headline_success.png \
  --title "Headline experiment: success rate over $n seeds (95% band over seeds)"
./build/suturefleet curves "${stores[@]}" --metric time --plot docs/headline_time.png \
  --title "Headline experiment: completion time over $n seeds (95% band over seeds)"
./build/suturefleet curves "${stores[@]}" --csv docs/headline_success.csv
