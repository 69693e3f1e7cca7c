#!/usr/bin/env bash
# rates_study.sh [EPISODES] [BINARY]: how eval's results move with the physics timestep and the
# controller and tissue rates. Each setting is the shipped scene with its timestep and rates
# changed (custom numerics suturefleet_control_hz / suturefleet_tissue_hz); each is evaluated
# on the fast and the soft scene with the reference skill, the wrong bite
# (datasets/skills/wrong_bite.txt) and the reference skill with each robot's calibration error
# (--calibration robot), EPISODES episodes each (default 200, seed 1). Writes
# studies/rates/results.csv (one row per setting, scene and condition) and prints the table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
episodes=${1:-200}
bin=$(realpath "${2:-$root/build/suturefleet}")
out="$root/studies/rates"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# settings: name timestep_s control_hz tissue_hz
settings="0.5ms-500-1000 0.0005 500 1000
1ms-500-1000 0.001 500 1000
1ms-250-500 0.001 250 500
2ms-500-500 0.002 500 500"

csv="$out/results.csv"
echo "setting,timestep_s,control_hz,tissue_hz,scene,condition,episodes,success_rate,ci_lo,ci_hi,entry_err_mm,exit_err_mm,trauma_mm2,peak_force_N,wall_s" > "$csv"
while read -r name dt ctrl tissue; do
  # the scene with this setting
  mkdir -p "$work/$name"
  cp "$root"/models/*.xml "$work/$name/"
  sed -i "s|<option timestep=\"[0-9.e-]*\"|<option timestep=\"$dt\"|" "$work/$name/suture_base.xml"
  sed -i "s|^</mujoco>|  <custom>\n    <numeric name=\"suturefleet_control_hz\" data=\"$ctrl\"/>\n    <numeric name=\"suturefleet_tissue_hz\" data=\"$tissue\"/>\n  </custom>\n</mujoco>|" \
    "$work/$name/suture_base.xml"
  for scene in fast soft; do
    model="$work/$name/suture_scene.xml"
    [ "$scene" = soft ] && model="$work/$name/suture_scene_soft.xml"
    for cond in reference wrong_bite calibration_robot; do
      args=(--skill reference)
      [ "$cond" = wrong_bite ] && args=(--skill "$root/datasets/skills/wrong_bite.txt")
      [ "$cond" = calibration_robot ] && args=(--skill reference --calibration robot)
      t0=$(date +%s.%N)
      "$bin" eval "${args[@]}" --model "$model" --episodes "$episodes" --seed 1 --json > "$work/r.json"
      t1=$(date +%s.%N)
      /usr/bin/python3 - "$work/r.json" "$name,$dt,$ctrl,$tissue,$scene,$cond" "$t0" "$t1" >> "$csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = lambda v: "" if v is None else "%.4f" % v
lo, hi = d["success_ci95"]
cells = [f(d["success_rate"]), f(lo), f(hi), f(d["entry_err_mm"]), f(d["exit_err_mm"]),
         f(d["trauma"]), f(d["peak_force_N"]), "%.1f" % (float(sys.argv[4]) - float(sys.argv[3]))]
print("%s,%d,%s" % (sys.argv[2], d["episodes"], ",".join(cells)))
PY
      tail -1 "$csv"
    done
  done
done <<< "$settings"
