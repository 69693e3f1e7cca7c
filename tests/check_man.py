#!/usr/bin/env python3
"""check_man.py SUTUREFLEET MANPAGE: docs/suturefleet.1 keeps up with --help.

Every command listed by `suturefleet --help` must have its own section (.SS name) in the man
page, and every option token (--xxx) of `suturefleet --help` and of `suturefleet <command>
--help` must appear in the page (roff's \\- read as -). Exit 1 naming each missing one.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def help_text(exe, *args):
    r = subprocess.run([exe, *args, "--help"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"check_man: '{' '.join([exe, *args])} --help' exited {r.returncode}")
    return r.stdout


def main(exe, manpage):
    with open(manpage, encoding="utf-8") as f:
        man = f.read().replace("\\-", "-")
    top = help_text(exe)

    # the commands: the indented first words of the lines after "commands:"
    block = top.split("commands:", 1)[1].split("\n\n", 1)[0]
    commands = [line.split()[0] for line in block.splitlines() if line.startswith("  ")]
    if len(commands) < 7:
        sys.exit(f"check_man: found only {commands} in 'suturefleet --help'")

    # each command's section: from its ".SS name" to the next .SS or .SH
    sections = {}
    for m in re.finditer(r"^\.SS\s+(\S+)\n(.*?)(?=^\.S[SH]\s|\Z)", man, re.M | re.S):
        sections[m.group(1)] = m.group(2)

    # every option of a command's help in its section, of the top-level help anywhere
    errors = []
    noptions = 0
    for cmd, text in [("", top)] + [(c, help_text(exe, c)) for c in commands]:
        if cmd and cmd not in sections:
            errors.append(f"command '{cmd}' has no '.SS {cmd}' section in {manpage}")
            continue
        where = set(OPTION.findall(sections[cmd] if cmd else man))
        for opt in sorted(set(OPTION.findall(text)) - {"--help"}):
            noptions += 1
            if opt not in where:
                errors.append(f"option {opt} of 'suturefleet {cmd} --help' is not in "
                              f"{'section ' + cmd if cmd else ''} of {manpage}")
    if "--help" not in man:
        errors.append(f"--help is not in {manpage}")
    for e in errors:
        print(e)
    print(f"check_man: {len(commands)} commands, {noptions} options checked, {len(errors)} missing")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check_man.py SUTUREFLEET MANPAGE")
    sys.exit(main(sys.argv[1], sys.argv[2]))
