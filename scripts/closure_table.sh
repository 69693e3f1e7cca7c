#!/usr/bin/env bash
# closure_table.sh [EPISODES] [BINARY]: how wound closure and cut-through move with the pull
# tension and the stitch spacing, through the whole physics (eval on the fast scene). Tension:
# the reference skill with pull_tension_N from 0.2 to 6 N on the shipped scene, one stitch and
# four (pairs 8 mm apart). Spacing: two stitches on the shipped scene with its two first pairs
# moved to S mm apart along the wound (S = 4 .. 24 mm), the reference skill at pull tensions
# 0.8, 1.6 and 3.2 N. EPISODES episodes per cell (default 40, seed 1). Writes
# studies/results/closure.csv and prints Markdown tables.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
episodes=${1:-40}
bin=$(realpath "${2:-$root/build/suturefleet}")
out="$root/studies/results"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ref="41.81 0 0 0 0 60 122 20"
csv="$out/closure.csv"
echo "table,stitches,spacing_mm,pull_tension_N,episodes,success_rate,wound_closure,wound_closure_min,cut_through_rate,thread_tension_max_N" > "$csv"

# one cell: eval, one CSV row
cell() {  # table stitches spacing tension model
  printf '%s %s 40\n' "$ref" "$4" > "$work/skill.txt"
  "$bin" eval --skill "$work/skill.txt" --stitches "$2" --episodes "$episodes" --seed 1 \
    --model "$5" --json |
    python3 -c "import json,sys; d=json.load(sys.stdin); n=d['episodes']; print(','.join(str(x) for x in ['$1',$2,$3,$4,n,d['success_rate'],d['wound_closure'],d['wound_closure_min'],round(d['cut_through']/n,4),d['thread_tension_max_N']]))" >> "$csv"
}

for st in 1 4; do
  for t in 0.2 0.4 0.6 0.8 1.0 1.2 1.6 2.4 3.2 4.0 6.0; do
    cell tension "$st" 8 "$t" "$root/models/suture_scene.xml"
  done
done

# the shipped scene with pairs 0 and 1 S mm apart, centred on the wound's middle
for s in 4 8 12 16 20 24; do
  mkdir -p "$work/s$s"
  cp "$root"/models/*.xml "$work/s$s/"
  python3 - "$work/s$s/suture_base.xml" "$s" <<'PY'
import re, sys
path, s = sys.argv[1], float(sys.argv[2]) / 1000
text = open(path).read()
for k, x in ((0, -s / 2), (1, s / 2)):
    for kind in ("entry", "exit"):
        text = re.sub(r'(<site name="%s_%d"\s+pos=")\s*[-0-9.]+' % (kind, k),
                      lambda m: m.group(1) + "%.4f" % x, text)
open(path, "w").write(text)
PY
  for t in 0.8 1.6 3.2; do
    cell spacing 2 "$s" "$t" "$work/s$s/suture_scene.xml"
  done
done

python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def f(v): return "%.2f" % float(v)
for st in ("1", "4"):
    print(f"\nTension, {st} stitch(es) 8 mm apart:\n")
    print("| pull tension (N) | success | closure (span) | closure (worst point) | cut-through rate | largest tension at the needle (N) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if r["table"] == "tension" and r["stitches"] == st:
            print(f"| {r['pull_tension_N']} | {f(r['success_rate'])} | {f(r['wound_closure'])} | {f(r['wound_closure_min'])} | {f(r['cut_through_rate'])} | {f(r['thread_tension_max_N'])} |")
print("\nSpacing, 2 stitches (closure over the span / at its worst point; cut-through rate):\n")
ts = sorted({r["pull_tension_N"] for r in rows if r["table"] == "spacing"}, key=float)
print("| spacing (mm) | " + " | ".join(f"{t} N" for t in ts) + " |")
print("|---|" + "---|" * len(ts))
for s in sorted({r["spacing_mm"] for r in rows if r["table"] == "spacing"}, key=float):
    cells = []
    for t in ts:
        r = next(r for r in rows if r["table"] == "spacing" and r["spacing_mm"] == s and r["pull_tension_N"] == t)
        cells.append(f"{f(r['wound_closure'])} / {f(r['wound_closure_min'])}; {f(r['cut_through_rate'])}")
    print(f"| {s} | " + " | ".join(cells) + " |")
PY
