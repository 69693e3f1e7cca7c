#!/usr/bin/env python3
"""check_layers.py SOURCE_DIR: the module graph of sim/ runs downward only.

Every module (a .c and its .h, named by the file's base name) belongs to one layer below;
a module may include the headers of its own layer and the layers under it, never one above,
the core (sim/) never includes the app (sim/app/), and the graph of modules has no cycle.
Exit 1 naming each offending include; a module missing from the table is an error too, so a
new file must be placed in a layer.
"""
import os
import re
import sys

# lowest first: physics -> task -> episode -> learning -> configuration -> store -> fleet -> app
LAYERS = [
    ("base", ["status", "rng", "vec3", "order", "plugin"]),
    ("physics", ["arm", "ik", "needle", "tissue", "suture", "edges", "rope", "grip", "scene"]),
    ("task", ["score", "skill", "controller", "scripted_arc"]),
    ("episode", ["episode"]),
    ("learning", ["policy", "cmaes", "elite", "learner"]),
    ("configuration", ["config"]),
    ("store", ["lock", "journal", "store", "store_check", "robots"]),
    ("distribution", ["dist"]),
    ("fleet", ["fleet"]),
    ("app", ["json", "progress", "bench", "curves", "render", "replay", "study", "cli", "main"]),
]
LAYER = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}
APP = LAYER["cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)\.h"', re.M)


def main(root):
    errors = []
    edges = {}
    for sub in ("sim", "sim/app"):
        for name in sorted(os.listdir(os.path.join(root, sub))):
            if not name.endswith((".c", ".h")):
                continue
            mod = name[:-2]
            path = os.path.join(sub, name)
            if mod not in LAYER:
                errors.append(f"{path}: module '{mod}' is in no layer of check_layers.py")
                continue
            if (LAYER[mod] >= APP) != (sub == "sim/app"):
                errors.append(f"{path}: layer '{LAYERS[LAYER[mod]][0]}' belongs in "
                              f"{'sim/app' if LAYER[mod] >= APP else 'sim'}")
            with open(os.path.join(root, path), encoding="utf-8") as f:
                text = f.read()
            for dep in INCLUDE.findall(text):
                if dep == mod:
                    continue
                if dep not in LAYER:
                    errors.append(f"{path}: includes \"{dep}.h\", a module in no layer")
                    continue
                edges.setdefault(mod, set()).add(dep)
                if LAYER[dep] > LAYER[mod]:
                    errors.append(f"{path}: includes \"{dep}.h\" of layer "
                                  f"'{LAYERS[LAYER[dep]][0]}', above its own "
                                  f"'{LAYERS[LAYER[mod]][0]}'")

    # no cycle among modules (within a layer too)
    state = {}

    def visit(m, stack):
        state[m] = 1
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                errors.append("include cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    for e in errors:
        print(e)
    nedge = sum(len(v) for v in edges.values())
    print(f"check_layers: {len(LAYER)} modules in {len(LAYERS)} layers, {nedge} include edges, "
          f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
