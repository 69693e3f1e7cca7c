#!/usr/bin/env bash
# fuzz.sh [SECONDS] [HARNESS...]: build the libFuzzer harnesses of tests/fuzz with clang
# (ASan + UBSan, tree build-fuzz) and run each for a fixed time, default 30 s each, on a
# copy of its seed corpus and regression inputs (the repository's files are never changed).
# Harnesses: config (INI parser), skill (skill files), store (store readers); store_bytes
# (libhdf5 on raw bytes) only when named, since libhdf5 itself crashes on corrupt files.
# A crash, leak or sanitizer report fails the script; the input that caused it is kept in
# build-fuzz/fuzz-artifacts/HARNESS/ and belongs in tests/fuzz/regress/HARNESS/.
# Prints one line per harness: executions, time, executions per second, corpus growth.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
harnesses=("$@")
if [ "${#harnesses[@]}" -eq 0 ]; then harnesses=(config skill store); fi
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_FUZZ=ON -DSF_WERROR=ON \
  > build-fuzz.log 2>&1 || { cat build-fuzz.log >&2; exit 1; }
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
case " ${harnesses[*]} " in *" store_bytes "*) targets+=(--target suturefleet) ;; esac
cmake --build build-fuzz -j"$(nproc)" "${targets[@]}" >> build-fuzz.log 2>&1 ||
  { tail -40 build-fuzz.log >&2; exit 1; }
rm -f build-fuzz.log

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in "${harnesses[@]}"; do
  corpus="$work/$h"
  artifacts="build-fuzz/fuzz-artifacts/$h"
  mkdir -p "$corpus" "$artifacts"
  if [ "$h" = store_bytes ]; then
    # real stores of the current schema, made by this tree's binary
    cmake -DBIN=build-fuzz/suturefleet -DDIR="$corpus" -P tests/fuzz/store_bytes_corpus.cmake
  else
    cp tests/fuzz/corpus/"$h"/* "$corpus"/
  fi
  if [ -d tests/fuzz/regress/"$h" ]; then cp tests/fuzz/regress/"$h"/* "$corpus"/; fi
  seeds=$(find "$corpus" -type f | wc -l)
  dict=()
  if [ -f tests/fuzz/"$h".dict ]; then dict=(-dict="tests/fuzz/$h.dict"); fi
  log="$work/$h.log"
  if OMP_NUM_THREADS=1 LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
     "build-fuzz/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" > "$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    tail -60 "$log" >&2
  fi
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  added=$(awk '/stat::new_units_added/ {print $2}' "$log")
  printf 'fuzz_%s: %s, %s executions in %s s (%s/s), corpus %s seeds + %s new inputs\n' \
    "$h" "$result" "${runs:-?}" "$seconds" "${rate:-?}" "$seeds" "${added:-?}"
done
exit "$status"
