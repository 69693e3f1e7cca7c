#!/usr/bin/env python3
"""Summarise headline stores (one per seed) written by `suturefleet run`.

For each store: success rate per round of the initial fleet robots, the late joiners of the
fleet and the solo cohort; episodes per robot until a cohort's success, averaged over three
consecutive rounds, reaches 90 %; the first-episode success of robots joining late, fleet and
solo, against the fleet's success in that round and the solo cohort's first round. Prints a
Markdown table and the per-round means over all stores.
"""
import sys
import warnings

import h5py
import numpy as np


def cohort_rates(ep, rounds, sel):
    return np.array([ep[sel & (ep["round"] == r)]["success"].mean()
                     if np.any(sel & (ep["round"] == r)) else np.nan for r in range(rounds)])


def to_90(rates):
    for r in range(2, len(rates)):
        if np.nanmean(rates[r - 2:r + 1]) >= 0.9:
            return r + 1
    return None


def main(paths):
    warnings.simplefilter("ignore", RuntimeWarning)  # rounds before anyone joined: NaN
    rows, curves = [], []
    for path in paths:
        with h5py.File(path, "r") as f:
            ep = f["episodes"][:]
            seed = int(f.attrs["seed"])
        rounds = int(ep["round"].max()) + 1
        fleet0 = (ep["cohort"] == 0) & (ep["join_round"] == 0)
        solo0 = (ep["cohort"] == 1) & (ep["join_round"] == 0)
        fleet_j = (ep["cohort"] == 0) & (ep["join_round"] > 0)
        solo_j = (ep["cohort"] == 1) & (ep["join_round"] > 0)
        rf, rs = cohort_rates(ep, rounds, fleet0), cohort_rates(ep, rounds, solo0)
        curves.append((rf, cohort_rates(ep, rounds, fleet_j), rs))
        join = int(ep[fleet_j]["join_round"].min()) if np.any(fleet_j) else None
        first_fj = ep[fleet_j & (ep["round"] == join)]["success"].mean() if join else np.nan
        first_sj = ep[solo_j & (ep["round"] == join)]["success"].mean() if join else np.nan
        fleet_then = rf[join] if join else np.nan
        rows.append((seed, rounds, to_90(rf), to_90(rs), join, first_fj, fleet_then,
                     first_sj, rs[0]))
    print("| seed | rounds | fleet: episodes/robot to 90 % | solo: episodes/robot to 90 % | "
          "join round | joiners' 1st-episode success (fleet) | fleet success that round | "
          "ratio | joiners' 1st-episode success (solo) | solo success, round 0 (prior) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for seed, rounds, f90, s90, join, fj, ft, sj, s0 in rows:
        ratio = fj / ft if ft > 0 else float("nan")
        print(f"| {seed} | {rounds} | {f90 if f90 else 'not reached'} | "
              f"{s90 if s90 else f'not reached in {rounds}'} | {join} | {fj:.2f} | {ft:.2f} | "
              f"{ratio:.2f} | {sj:.2f} | {s0:.2f} |")
    mean = [np.nanmean([c[k] for c in curves], axis=0) for k in range(3)]
    print("\nmean success per round (initial fleet robots / fleet joiners / solo):")
    for r in range(len(mean[0])):
        print(f"round {r:2d}: {mean[0][r]:.2f} / "
              f"{'-' if np.isnan(mean[1][r]) else f'{mean[1][r]:.2f}'} / {mean[2][r]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
