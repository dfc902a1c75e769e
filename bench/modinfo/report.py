#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes bench/modinfo/RESULTS.md from what bench/modinfo/run.sh measured
(hyperfine JSON files in RB_WORK, the rest in RB_* environment variables)."""

import json
import os
import shlex

E = os.environ
work = E["RB_WORK"]
ours_ok = E["RB_OURS_OK"] == "1"
bb_ok = E["RB_BB_OK"] == "1"
TOOLS = ["kmod", "busybox", "ours"]


def empty(tool, why_bb="not measured", why_ours=None):
    if tool == "ours" and not ours_ok:
        return why_ours or "— (not yet)"
    if tool == "busybox" and not bb_ok:
        return why_bb
    return None


def hyperfine(name):
    """Results by label; each gets the real command line under "cmdline"
    (hyperfine's JSON names a command by its -n label only)."""
    with open(os.path.join(work, name + ".json")) as f:
        data = json.load(f)
    with open(os.path.join(work, name + ".cmds")) as f:
        cmds = dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line)
    res = {}
    for r in data["results"]:
        r["cmdline"] = cmds.get(r["command"], r["command"])
        res[r["command"]] = r
    return res


def ms(x):
    return f"{x * 1000:.1f} ms" if x < 10 else f"{x:.2f} s"


def timing_rows(res, names, ref="kmod"):
    rows = []
    base = res.get(ref)
    for n in names:
        r = res.get(n)
        if r is None:
            cell = empty(n) if n in TOOLS else None
            rows.append(f"| {n} | {cell or 'n/a'} | | | |")
            continue
        rel = f"{r['mean'] / base['mean']:.2f}×" if base else ""
        rows.append(f"| {n} | {ms(r['mean'])} ± {ms(r['stddev'])} | {ms(r['min'])} | "
                    f"{ms(r['max'])} | {rel} |")
    return rows


def cmd(res, n):
    r = res.get(n)
    return r["cmdline"] if r else None


def fmt_int(s):
    try:
        return f"{int(s):,}"
    except ValueError:
        return s


out = []
w = out.append
w("# modinfo benchmarks: kmod 30, busybox, modutils")
w("")
w("Made by `bench/modinfo/run.sh` (run it again to refresh this file; "
  "`bash bench/modinfo/run.sh build/modutils`).")
w("")
w(f"- Date: {E['RB_DATE']}; repository at `{E['RB_GIT']}`")
w(f"- Machine: {E['RB_CPU']}, {E['RB_CORES']} cores, {E['RB_MEM']} RAM; "
  f"kernel {E['RB_KERNEL']}; {E['RB_OS']}; load average {E['RB_LOAD_START']} at the start, "
  f"{E['RB_LOAD']} at the end")
busy = max(float(E["RB_LOAD_START"].split()[0]), float(E["RB_LOAD"].split()[0]))
if busy > 0.5 * int(E["RB_CORES"]):
    w(f"- **The machine was busy with other work (load up to {busy:.1f} on {E['RB_CORES']} cores): "
      "the wall times below are noisy; compare tools within one table, and prefer the "
      "instruction counts and peak RSS, which the load does not change.**")
w(f"- kmod: `{E['RB_KMOD']}` ({E['RB_V_KMOD']}, the `modinfo` link to /usr/bin/kmod)")
w(f"- busybox: `{E['RB_BUSYBOX']} modinfo` ({E['RB_V_BB']})"
  + (f"; {E['RB_BB_NOTE']}" if E["RB_BB_NOTE"] else ""))
if ours_ok:
    note = f"; {E['RB_OURS_LABEL']}" if E.get("RB_OURS_LABEL") else ""
    w(f"- ours: `{E['RB_BINARY']} modinfo` ({E['RB_V_OURS']}, {int(E['RB_SIZE_OURS']):,} bytes{note})")
else:
    w(f"- ours: not measured: {E['RB_OURS_NOTE']}. The column fills in when run.sh is given "
      "a binary with the modinfo applet.")
w(f"- {E['RB_V_HF']}, {E['RB_V_VG']}, {E['RB_V_ZSTD']}, {E['RB_V_XZ']}")
w(f"- Module tree: Debian bookworm `linux-image-{E['RB_ABI']}` "
  f"({E['RB_NFILES']} `.ko` files), `{E['RB_MDIR']}`")
w("")

# (i)
w("## (i) `modinfo btrfs.ko`: instructions (callgrind) and wall time")
w("")
one = hyperfine("one")
w("| tool | instructions (Ir) | vs kmod | wall time (mean ± σ) | min |")
w("| --- | ---: | ---: | ---: | ---: |")
irs = {"kmod": E["RB_IR_KMOD"], "busybox": E["RB_IR_BUSYBOX"], "ours": E["RB_IR_OURS"]}
for t in TOOLS:
    e = empty(t)
    if e:
        w(f"| {t} | {e} | | | |")
        continue
    rel = ""
    try:
        rel = f"{int(irs[t]) / int(irs['kmod']):.2f}×"
    except ValueError:
        pass
    r = one.get(t)
    wall = f"{ms(r['mean'])} ± {ms(r['stddev'])} | {ms(r['min'])}" if r else "| "
    w(f"| {t} | {fmt_int(irs[t])} | {rel} | {wall} |")
w("")
w("Commands (instructions: the whole process, dynamic loading and libcrypto included):")
w("")
w("```sh")
for t in TOOLS:
    c = cmd(one, t)
    if c:
        w(f"valgrind --tool=callgrind --callgrind-out-file=OUT {c}   # total Ir: 'summary:' line of OUT")
w(f"hyperfine -N --warmup 3 --runs {int(E['RB_RUNS']) * 4} "
  + " ".join(shlex.quote(r["cmdline"]) for r in one.values()))
w("```")
w("")

# (ii)
w(f"## (ii) all {E['RB_NFILES']} module files in one invocation")
w("")
allr = hyperfine("all")
w("| tool | mean ± σ | min | max | vs kmod |")
w("| --- | ---: | ---: | ---: | ---: |")
out.extend(timing_rows(allr, TOOLS))
w("")
w(f"Every tool is started once with all {E['RB_NFILES']} paths (relative to the tree's "
  "`lib/modules/VERSION`; run.sh checks that xargs does not split them). "
  f"`hyperfine --warmup 1 --runs {E['RB_RUNS']}`, output to /dev/null:")
w("")
w("```sh")
for t in TOOLS:
    c = cmd(allr, t)
    if c:
        w(c)
w("```")
w("")

# (iii)
w("## (iii) peak RSS, `modinfo amdgpu.ko`")
w("")
sz = os.path.getsize(E["RB_AMDGPU"])
w(f"amdgpu.ko is {sz:,} bytes. Median of 3 runs of `/usr/bin/time -v`, "
  "\"Maximum resident set size\":")
w("")
w("| tool | peak RSS |")
w("| --- | ---: |")
rss = {"kmod": E["RB_RSS_KMOD"], "busybox": E["RB_RSS_BUSYBOX"], "ours": E["RB_RSS_OURS"]}
for t in TOOLS:
    e = empty(t)
    w(f"| {t} | {e or (fmt_int(rss[t]) + ' KiB')} |")
w("")
w("```sh")
for t in TOOLS:
    c = cmd(one, t)
    if c:
        w("/usr/bin/time -v " + c.replace(E["RB_BTRFS"], E["RB_AMDGPU"]) + " >/dev/null")
w("```")
w("")

# (iv)
w("## (iv) compressed: amdgpu.ko.zst and amdgpu.ko.xz")
w("")
zres, xres = hyperfine("zst"), hyperfine("xz")
w(f"`{os.path.basename(E['RB_ZST'])}`: {os.path.getsize(E['RB_ZST']):,} bytes; "
  f"`{os.path.basename(E['RB_XZ'])}`: {os.path.getsize(E['RB_XZ']):,} bytes "
  "(made like the kernel's modules_install: `zstd`, `xz --check=crc32 --lzma2=dict=1MiB`). "
  "The decompressor alone is the floor.")
w("")
w("| file | tool | mean ± σ | min | max | vs kmod |")
w("| --- | --- | ---: | ---: | ---: | ---: |")
for label, res, dec in ((".ko.zst", zres, "zstd -dc"), (".ko.xz", xres, "xz -dc")):
    for row in timing_rows(res, TOOLS + [dec]):
        if label == ".ko.zst" and row.startswith("| busybox |"):
            row = "| busybox | n/a: busybox 1.35 has no zstd (prints the filename line only) | | | |"
        w(f"| {label} " + row)
w("")
w("```sh")
for res in (zres, xres):
    w(f"hyperfine -N --warmup 1 --runs {int(E['RB_RUNS']) * 2} "
      + " ".join(shlex.quote(r["cmdline"]) for r in res.values()))
w("```")
w("")
w("Raw data: hyperfine JSON and callgrind output in `build/bench/modinfo/` (not committed).")
w("")

with open(E["RB_OUT"], "w") as f:
    f.write("\n".join(out))
