#!/usr/bin/python3
"""A store reader written only from datasets/README.md (the store's contract).

Usage: read_store.py SUTUREFLEET_BINARY DATASETS_README SCRATCH_DIR

Runs a short experiment into SCRATCH_DIR/py_store.h5, then reads it with h5py using nothing
but what the README documents: the root attributes, and the tables /episodes, /robots and
/knowledge with their field names, types and order (parsed from the README's tables), the
/data demos; and checks relations the README states. Exits 0 when every check passes, 1
listing the failures, 77 (skipped) when h5py or numpy is missing.
"""
import json
import os
import re
import subprocess
import sys

try:
    import h5py
    import numpy as np
except ImportError as exc:  # the test is skipped, not failed
    print(f"skipped: {exc}")
    sys.exit(77)

FAILURES = []
CHECKS = [0]


def check(ok, what):
    """Record a failed check (with what was expected and what was found)."""
    CHECKS[0] += 1
    if not ok:
        FAILURES.append(what)
        print(f"FAIL: {what}")
    return ok


def readme_sections(text):
    """The README's '## ' sections: title -> body."""
    parts = re.split(r"^## +(.*)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def readme_table(body):
    """Rows of the first markdown table in body: lists of cells (header and rule dropped)."""
    rows = []
    for line in body.splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append(cells)
    return rows[2:]


def name_of(cell):
    """The name in a cell's backticks."""
    m = re.search(r"`([^`]+)`", cell)
    return m.group(1) if m else cell


SCALARS = {"int64": np.int64, "int32": np.int32, "uint8": np.uint8, "uint64": np.uint64,
           "float64": np.float64}


def dtype_of(readme_type):
    """README type -> numpy dtype: a scalar, scalar[N], or string (N) (fixed N-byte strings);
    None for a type the README should not use"""
    t = readme_type.replace(" ", "")
    m = re.fullmatch(r"(\w+)\[(\d+)\]", t)
    if m and m.group(1) in SCALARS:
        return np.dtype((SCALARS[m.group(1)], (int(m.group(2)),)))
    m = re.fullmatch(r"string\((\d+)\)", t)
    if m:
        return np.dtype(f"S{m.group(1)}")
    return np.dtype(SCALARS[t]) if t in SCALARS else None


def check_table(f, name, rows):
    """The dataset /name holds exactly the documented fields, in order, of the documented
    types; returns its rows."""
    if not check(name in f, f"/{name} exists (documented in the README)"):
        return None
    ds = f[name]
    check(ds.ndim == 1, f"/{name} is one-dimensional, shape {ds.shape}")
    want = [(name_of(r[0]), r[1]) for r in rows]
    got = list(ds.dtype.names or [])
    print(f"/{name}: {len(ds)} rows, {len(got)} fields in the file, {len(want)} in the README")
    names = [w[0] for w in want]
    check(set(got) == set(names), f"/{name} fields: in the file but not the README "
          f"{sorted(set(got) - set(names))}, in the README but not the file "
          f"{sorted(set(names) - set(got))}")
    check(set(got) != set(names) or got == names,
          f"/{name} fields in the README's order: file {got}, README {names}")
    for field, t in want:
        if field in (ds.dtype.names or []):
            check(ds.dtype[field] == dtype_of(t),
                  f"/{name}.{field}: type {ds.dtype[field]} == README {t}")
    return ds[:]


def check_attributes(f, rows, seed):
    """Root attributes: present, of the documented types, with the documented values."""
    for r in rows:
        name, t = name_of(r[0]), r[1]
        if not check(name in f.attrs, f"root attribute '{name}' exists"):
            continue
        dt = f.attrs.get_id(name).dtype
        if t == "string":
            check(dt.kind == "S", f"attribute {name} is a string ({dt})")
        else:
            check(dt == dtype_of(t), f"attribute {name}: type {dt} == README {t}")

    def text(name):
        v = f.attrs.get(name, b"")
        return v.decode() if isinstance(v, bytes) else str(v)

    check(text("format") == "suturefleet", f"format == 'suturefleet', got {text('format')!r}")
    check(int(f.attrs.get("schema_version", -1)) == 5, "schema_version == 5")
    check(re.fullmatch(r"[0-9a-f]{16}", text("model_hash")) is not None,
          f"model_hash is 16 hex digits, got {text('model_hash')!r}")
    check(re.fullmatch(r"\d+\.\d+\.\d+", text("mujoco_version")) is not None,
          f"mujoco_version like 2.2.2, got {text('mujoco_version')!r}")
    check(int(f.attrs.get("seed", -1)) == seed, f"seed == {seed}")
    cfg = text("configuration")
    check(cfg.startswith("[run]\n") and "robots = 2\n" in cfg and "threads" not in cfg,
          f"configuration is an INI [run] section without threads: {cfg!r}")


def check_episodes(ep, robots, stitches):
    """Relations the README states for /episodes."""
    n = len(ep)
    check(np.array_equal(ep["episode_id"], np.arange(n)),
          f"episode_id consecutive from 0: {ep['episode_id'].tolist()}")
    order = list(zip(ep["round"].tolist(), ep["robot"].tolist()))
    check(order == sorted(order), f"rows in (round, robot) order: {order}")
    check(set(ep["success"].tolist()) <= {0, 1}, "success in {0, 1}")
    for k, e in enumerate(ep):
        nt = int(e["n_theta"])
        th = e["theta"]
        check(0 < nt <= len(th) and np.all(np.isfinite(th[:nt])) and np.all(np.isnan(th[nt:])),
              f"episode {k}: theta has n_theta = {nt} finite values, NaN after: {th.tolist()}")
        r = robots[robots["robot"] == e["robot"]]
        if check(len(r) == 1, f"episode {k}: robot {e['robot']} is in /robots"):
            r = r[0]
            check(e["cohort"] == r["cohort"] and e["join_round"] == r["join_round"],
                  f"episode {k}: cohort and join_round as in /robots")
            check(e["round"] >= r["join_round"], f"episode {k}: not before the robot joined")
        if e["success"]:
            ok = (e["completed"] and not e["dropped"] and not e["fault"] and not e["diverged"]
                  and e["trauma_mm2"] <= 2 and e["entry_err_mm"] <= 2.5
                  and e["exit_err_mm"] <= 2.5 and e["tip_out_mm"] >= 5
                  and e["throws_ok"] == e["stitches"])
            check(ok, f"episode {k}: success implies the README's criteria")
        end = int(e["end_reason"])
        check(0 <= end <= 8, f"episode {k}: end_reason {end} is one of the README's 0..8")
        check(bool(e["ended_early"]) == (end >= 2),
              f"episode {k}: ended_early exactly when end_reason is neither done nor time limit")
        check(bool(e["completed"]) == (end == 0), f"episode {k}: completed exactly when end_reason is 0")
        if end == 4:
            check(e["trauma_mm2"] > 8, f"episode {k}: ended for trauma with trauma_mm2 > 8")
        if end == 2:
            check(bool(e["dropped"]), f"episode {k}: ended for a drop with dropped set")
        if not e["completed"]:
            check(e["time_s"] == 14.0 * e["stitches"],
                  f"episode {k}: time_s is the 14 s per throw limit when not completed")
        check(e["stitches"] == stitches, f"episode {k}: stitches == {stitches}")
        # schema 5: the handovers, counts, and their mean time NaN exactly when there is none;
        # a one-stitch run is in the one-arm scene, where nothing is handed over
        h, hf, ht = int(e["handovers"]), int(e["handovers_failed"]), float(e["handover_time_s"])
        check(h >= 0 and hf >= 0, f"episode {k}: handovers {h} and handovers_failed {hf} >= 0")
        check(np.isnan(ht) == (h == 0) and (h == 0 or ht >= 0),
              f"episode {k}: handover_time_s {ht} is NaN exactly when handovers ({h}) is 0")
        if stitches == 1:
            check(h == 0 and hf == 0, f"episode {k}: one stitch, one arm: no handovers ({h}, {hf})")


def check_robots(robots, fleet, joiners):
    """Relations the README states for /robots in --mode both."""
    n = len(robots)
    check(np.array_equal(robots["robot"], np.arange(n)), "robot ids 0 .. R-1")
    check(n == 2 * (fleet + joiners), f"{n} robots == 2 x ({fleet} + {joiners})")
    half = n // 2
    check(np.all(robots["cohort"][:half] == 0) and np.all(robots["cohort"][half:] == 1),
          "fleet cohort first, then the solo cohort")
    for i in range(half, n):
        twin = robots[robots["robot"] == robots["context_robot"][i]][0]
        check(twin["cohort"] == 0 and twin["robot"] == i - half,
              f"solo robot {i}: context_robot is its fleet twin {i - half}")
        check(np.array_equal(twin["calib_bias_mm"], robots["calib_bias_mm"][i]),
              f"solo robot {i}: the twin's calibration")
    for i in range(half):
        check(robots["context_robot"][i] == i, f"fleet robot {i} is its own context robot")


def check_knowledge(kn, ep):
    """Relations the README states for /knowledge."""
    rounds = sorted(set(ep["round"].tolist()))
    for r in [-1] + rounds:
        fleet = kn[(kn["round"] == r) & (kn["cohort"] == 0) & (kn["robot"] == -1)]
        if not check(len(fleet) == 1, f"one fleet knowledge row after round {r}"):
            continue
        pooled = int(np.sum((ep["cohort"] == 0) & (ep["round"] <= r)))
        check(fleet[0]["episodes"] == pooled,
              f"round {r}: fleet knowledge from {fleet[0]['episodes']} episodes == {pooled}")
    for k, row in enumerate(kn):
        nt = int(row["n_theta"])
        check(np.all(np.isfinite(row["mean"][:nt])) and np.all(row["sd"][:nt] > 0)
              and np.all(np.isnan(row["mean"][nt:])) and np.all(np.isnan(row["sd"][nt:])),
              f"knowledge row {k}: n_theta = {nt} means and positive SDs, NaN after")
    solo_robots = set(ep["robot"][ep["cohort"] == 1].tolist())
    for r in rounds:
        for i in solo_robots:
            active = np.any((ep["robot"] == i) & (ep["round"] == r))
            rows = kn[(kn["round"] == r) & (kn["cohort"] == 1) & (kn["robot"] == i)]
            if active:
                own = int(np.sum((ep["robot"] == i) & (ep["round"] <= r)))
                check(len(rows) == 1 and rows[0]["episodes"] == own,
                      f"round {r}: solo robot {i} knowledge from its own {own} episodes")


def check_data(f, body, ep, every):
    """/data in the robomimic layout the README describes."""
    if not check("data" in f, "/data exists"):
        return
    data = f["data"]
    check("total" in data.attrs and "env_args" in data.attrs, "/data attributes total, env_args")
    env = data.attrs.get("env_args", b"{}")
    env = json.loads(env.decode() if isinstance(env, bytes) else env)
    check(env.get("env_name") == "suturefleet-suture", f"env_args env_name: {env}")
    ids = [int(e) for e in ep["episode_id"] if e % every == 0]
    names = sorted(data.keys())
    check(names == sorted(f"demo_{i}" for i in ids), f"demos {names} for episode ids {ids}")
    shapes = {}
    for row in readme_table(body):
        names = re.findall(r"`([^`]+)`", row[0])
        for name, shape in zip(names, re.findall(r"\(([^)]*)\)", row[1])):
            shapes[name] = [s.strip() for s in shape.split(",") if s.strip()]
    check(len(shapes) >= 10, f"README documents the demo datasets: {sorted(shapes)}")
    total = 0
    for i in ids:
        g = data.get(f"demo_{i}")
        if g is None:
            continue
        e = ep[ep["episode_id"] == i][0]
        n = int(g.attrs.get("num_samples", -1))
        total += n
        for key in ("episode_id", "robot", "round", "success"):
            check(int(g.attrs.get(key, -99)) == int(e[key] if key != "episode_id" else i),
                  f"demo_{i} attribute {key} as in /episodes")
        for name, shape in shapes.items():
            if not check(name in g, f"demo_{i}/{name} exists"):
                continue
            got = g[name].shape
            check(len(got) == len(shape), f"demo_{i}/{name} rank {got} vs {shape}")
            for dim, want in zip(got, shape):
                if want == "N":
                    check(dim == n, f"demo_{i}/{name}: {dim} samples == num_samples {n}")
                elif want.isdigit():
                    check(dim == int(want), f"demo_{i}/{name}: dimension {dim} == {want}")
        if "obs/needle_holder" in g:
            holder = g["obs/needle_holder"]
            check(holder.dtype == np.int8, f"demo_{i}/obs/needle_holder is int8 ({holder.dtype})")
            values = set(np.unique(holder[:]).tolist())
            # one stitch: the one-arm scene, so psm1 (0) or neither (-1), never psm2 (1)
            check(values <= {-1, 0}, f"demo_{i}/obs/needle_holder values {values} in {{-1, 0}}")
            check(n == 0 or holder[0, 0] == 0, f"demo_{i}: the needle starts in psm1's jaws")
        if n > 0 and "rewards" in g and "dones" in g:
            rew, done = g["rewards"][:], g["dones"][:]
            check(rew[-1] == e["success"] and not np.any(rew[:-1]),
                  f"demo_{i}: sparse reward, the success at the last sample")
            check(done[-1] == 1 and not np.any(done[:-1]), f"demo_{i}: done at the last sample")
    check(int(data.attrs.get("total", -1)) == total, f"/data total == {total} samples")


def main():
    binary, readme, scratch = sys.argv[1:4]
    store = os.path.join(scratch, "py_store.h5")
    if os.path.exists(store):
        os.unlink(store)

    # 2 robots from round 0, 1 joining at round 1, both cohorts, 2 rounds, every 2nd recorded
    run = subprocess.run([binary, "run", "--robots", "2", "--join", "1@1", "--mode", "both",
                          "--rounds", "2", "--seed", "3", "--record", "every:2", "--store", store],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout, run.stderr)
        return 1

    with open(readme, encoding="utf-8") as fh:
        text = fh.read()
    sections = readme_sections(text)
    check("schema version 5" in text.splitlines()[0], "the README describes schema version 5")
    with h5py.File(store, "r") as f:
        check_attributes(f, readme_table(sections.get("Root attributes", "")), 3)
        tables = {}
        for name in ("episodes", "robots", "knowledge"):
            body = sections.get(f"`/{name}`")
            if check(body is not None, f"the README documents /{name}"):
                tables[name] = check_table(f, name, readme_table(body))
        ep, rb, kn = (tables.get(k) for k in ("episodes", "robots", "knowledge"))
        if ep is not None and rb is not None:
            check(len(ep) == 4 + 6, f"{len(ep)} episodes == 4 in round 0 + 6 in round 1")
            check_episodes(ep, rb, 1)
            check_robots(rb, 2, 1)
        if ep is not None and kn is not None:
            check_knowledge(kn, ep)
        data_body = next((b for t, b in sections.items() if t.startswith("`/data`")), None)
        if check(data_body is not None, "the README documents /data") and ep is not None:
            check_data(f, data_body, ep, 2)
    print(f"{CHECKS[0]} checks, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
