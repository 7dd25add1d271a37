#!/usr/bin/env python3
"""Synthesises a large git history as a `git fast-import` stream (benches/history.sh).

    history-gen.py COMMITS FILES SAMPLES.tsv MANIFEST.tsv > stream

A tree of FILES source-like files; each commit edits a few of them (a few lines changed,
inserted or deleted, so each edit is a new blob), now and then adds a file. A side branch
forks at a third of the way. The fake secrets of SAMPLES.tsv (`rule<TAB>line`, assembled at
run time by examples/plant_secrets.rs) are planted in old blobs only, and removed later: half as
a line inserted into an existing file (gone at that file's next edit), half as a new file
deleted a few commits later, a few on the side branch only. MANIFEST.tsv gets
`rule<TAB>path<TAB>line` for each. Deterministic (fixed seed).
"""
import random
import sys

commits, nfiles = int(sys.argv[1]), int(sys.argv[2])
samples = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[3]) if "\t" in l]
manifest = open(sys.argv[4], "w")
manifest.write("rule\tpath\tline\n")
rnd = random.Random(15)
out = sys.stdout.buffer

WORDS = ("value count index buffer config client request response handler token session "
         "user account password cache entry result error state context parser reader writer "
         "stream packet header body secret key record table query row column limit offset").split()


def code_line():
    r = rnd.random()
    a, b = rnd.choice(WORDS), rnd.choice(WORDS)
    n = rnd.randint(0, 9999)
    if r < 0.3:
        return f"    let {a}_{n} = {b}.get({n}).unwrap_or_default();"
    if r < 0.5:
        return f"    // {a} {b}: keep the {a} in step with the {b} ({n})"
    if r < 0.65:
        return f"    if {a}.len() > {n} {{ return Err(Error::{b.capitalize()}); }}"
    if r < 0.8:
        return f'    log::debug!("{a} {b} {{}}", {a}_{n});'
    if r < 0.9:
        return f"fn {a}_{b}_{n}(input: &[u8]) -> Result<{b.capitalize()}, Error> {{"
    return "}"


def new_file():
    return [code_line() for _ in range(rnd.randint(30, 160))]


files = {}
for i in range(nfiles):
    files[f"src/{rnd.choice(WORDS)}{i // 50}/{rnd.choice(WORDS)}_{i}.rs"] = new_file()
paths = sorted(files)

mark = 0
time0 = 1_500_000_000


def data(text):
    b = text.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def commit(branch, n, changes, parent=None):
    """changes: [(path, lines or None)]; returns the commit's mark."""
    global mark
    mark += 1
    out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
    out.write(b"committer Dev <dev@example.com> %d +0000\n" % (time0 + n * 600))
    data(f"change {n}")
    if parent:
        out.write(b"from :%d\n" % parent)
    for path, lines in changes:
        if lines is None:
            out.write(b"D %s\n" % path.encode())
        else:
            out.write(b"M 100644 inline %s\n" % path.encode())
            data("\n".join(lines) + "\n")
    return mark


def edit(lines):
    for _ in range(rnd.randint(1, 4)):
        r, at = rnd.random(), rnd.randrange(len(lines))
        if r < 0.5:
            lines[at] = code_line()
        elif r < 0.8 or len(lines) < 20:
            lines.insert(at, code_line())
        else:
            del lines[at]


# Where the secrets go: spread over the first 60 % of the history; a few on the side branch.
plan = {}
side = []
for k, (rule, text) in enumerate(samples):
    if k % 7 == 3:
        side.append((rule, text))
    else:
        plan.setdefault(rnd.randrange(1, int(commits * 0.6)), []).append((k, rule, text))

commit("main", 0, [(p, files[p]) for p in paths])
pending = {}    # path -> index of a planted line to drop at the next edit
doomed = {}     # commit number -> planted files to delete
fork_at, fork_mark, fork_files = commits // 3, None, None
for n in range(1, commits):
    changes = []
    for _ in range(rnd.randint(1, 4)):
        p = rnd.choice(paths)
        lines = files[p]
        if p in pending:
            del lines[pending.pop(p)]
        edit(lines)
        changes.append((p, list(lines)))
    if rnd.random() < 0.02:
        p = f"src/new/{rnd.choice(WORDS)}_{n}.rs"
        files[p] = new_file()
        paths.append(p)
        changes.append((p, files[p]))
    for k, rule, text in plan.get(n, []):
        if k % 2 == 0:
            # A line in an existing file, dropped at that file's next edit.
            p = rnd.choice([q for q in paths if q not in pending and all(q != c[0] for c in changes)])
            lines = files[p]
            at = rnd.randrange(len(lines))
            lines.insert(at, "    " + text)
            pending[p] = at
            changes.append((p, list(lines)))
            manifest.write(f"{rule}\t{p}\t{at + 1}\n")
        else:
            # A new settings file, deleted a few commits later.
            p = f"config/old_{n}_{k}.env"
            body = ["# service settings", f"SERVICE_NAME=svc{k}", text, "LOG_LEVEL=info"]
            changes.append((p, body))
            doomed.setdefault(n + rnd.randint(1, 50), []).append(p)
            manifest.write(f"{rule}\t{p}\t3\n")
    for p in doomed.pop(n, []):
        changes.append((p, None))
    m = commit("main", n, changes)
    if n == fork_at:
        fork_mark = m
# The side branch: a few commits off the fork point, secrets only there.
prev = fork_mark
for j, (rule, text) in enumerate(side):
    p = f"feature/settings_{j}.env"
    prev = commit("feature", fork_at + j + 1,
                  [(p, ["# feature settings", text, "ENABLED=1"])], parent=prev)
    manifest.write(f"{rule}\t{p}\t2\n")
# Anything still planted at the end is removed in one last commit, so that every planted
# secret lives only in the history.
final = []
for p, at in pending.items():
    del files[p][at]
    final.append((p, list(files[p])))
for ps in doomed.values():
    final.extend((p, None) for p in ps)
commit("main", commits, final, parent=None)
