#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Byte-for-byte comparison of kmod's modinfo and modutils' modinfo.

Driven by tests/compat/modinfo-compare.sh (see there for the usage). Every
case runs the reference (kmod, as "modinfo") and the binary under test
("BINARY modinfo ...") with the same arguments, in the same folder, with
LC_ALL=C and no standard input, and compares standard output, standard
error and the exit status exactly. Cases run in a thread pool (-j, default
the number of cores): each worker starts one process at a time, so -j2 is
the same parallelism as "xargs -P2".

A difference is "known" when every one of its differing lines matches a
"match:" regex of an entry in modinfo-differences.txt whose "case:" regex
(if any) matches the case label; such cases are reported separately and
counted as passed.
"""

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

MODULE_RE = re.compile(r"\.ko(\.gz|\.xz|\.zst)?$")


# ---------------------------------------------------------------- known differences
class Known:
    def __init__(self, name):
        self.name = name
        self.why = ""
        self.match = []
        self.case = None
        self.ref = None
        self.count = 0


def load_known(path):
    """Parse modinfo-differences.txt: [name] blocks with why:, match:, case:."""
    entries = []
    cur = None
    if not path or not os.path.exists(path):
        return entries
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^\[(.+)\]\s*$", line)
            if m:
                cur = Known(m.group(1))
                entries.append(cur)
                continue
            m = re.match(r"^(why|match|case|ref):\s?(.*)$", line)
            if not m or cur is None:
                sys.exit(f"modinfo-compare: ERROR: {path}:{n}: expected [name], why:, match:, case: or ref:")
            key, val = m.groups()
            try:
                if key == "why":
                    cur.why = (cur.why + " " + val).strip()
                elif key == "ref":
                    cur.ref = val.strip()
                elif key == "match":
                    cur.match.append(re.compile(val))
                else:
                    cur.case = re.compile(val)
            except re.error as e:
                sys.exit(f"modinfo-compare: ERROR: {path}:{n}: bad regex: {e}")
    for e in entries:
        if not e.match:
            sys.exit(f"modinfo-compare: ERROR: {path}: [{e.name}] has no match: line")
    return entries


# ---------------------------------------------------------------- running
def show(b):
    """Bytes as text for diffs and regexes: NUL as \\0, other bytes kept."""
    return b.decode("utf-8", "backslashreplace").replace("\0", "\\0")


def lines_of(b):
    """Lines for diffing: split after each newline and after each NUL
    (shown as \\0 at the end of its line), so -0 output diffs by record."""
    return show(b).replace("\\0", "\\0\n").splitlines()


def clip(line, width=240):
    return line if len(line) <= width else line[:width] + f"...({len(line) - width} more)"


def run(argv, cwd, executable=None):
    try:
        p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           env=ENV, timeout=60, executable=executable)
        return p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        return e.stdout or b"", (e.stderr or b"") + b"\n<TIMEOUT after 60 s>\n", -999


ENV = dict(os.environ, LC_ALL="C", LANG="C")
ENV.pop("LANGUAGE", None)


class Case:
    __slots__ = ("tree", "kind", "args", "cwd", "ref_args", "ref_cwd", "ref_fix", "malformed", "result")

    def __init__(self, tree, kind, args, cwd=None, ref_args=None, ref_fix=None, malformed=False):
        self.tree = tree        # tree label
        self.kind = kind        # "file" or the variant's name
        self.args = args        # modinfo arguments
        self.cwd = cwd
        self.ref_args = ref_args  # arguments for kmod when they differ (gzip without zlib)
        self.ref_cwd = cwd
        self.ref_fix = ref_fix    # function(bytes) -> bytes applied to kmod's output
        self.malformed = malformed  # a broken file: our own one-line error is fine too
        self.result = None

    def label(self):
        return f"{self.tree}: {self.kind}: modinfo " + " ".join(shlex.quote(a) for a in self.args)


def diff_lines(ref, got):
    """Normalised differing lines: 'stdout- text', 'stderr+ text', 'exit- 1'."""
    out = []
    for i, stream in ((0, "stdout"), (1, "stderr")):
        if ref[i] == got[i]:
            continue
        a = lines_of(ref[i])
        b = lines_of(got[i])
        if a == b:  # only a trailing newline (or \r) differs
            out.append(f"{stream}- <ends {show(ref[i][-1:])!r}>")
            out.append(f"{stream}+ <ends {show(got[i][-1:])!r}>")
            continue
        for line in difflib.unified_diff(a, b, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            out.append(f"{stream}{line[0]} {line[1:]}")
    if ref[2] != got[2]:
        out.append(f"exit- {ref[2]}")
        out.append(f"exit+ {got[2]}")
    return out


def unified(case, max_lines=None):
    text = unified_all(case)
    if max_lines and len(text) > max_lines + 1:
        text = text[:max_lines] + [f"  ... ({len(text) - max_lines} more lines: see --failures FILE)"]
    return "\n".join(text)


def unified_all(case):
    ref, got = case.result[0], case.result[1]
    text = [f"--- {case.label()}"]
    for i, stream in ((0, "stdout"), (1, "stderr")):
        if ref[i] == got[i]:
            continue
        text.append(f"  [{stream}: kmod -, ours +]")
        for line in difflib.unified_diff(lines_of(ref[i]), lines_of(got[i]), lineterm="", n=1):
            if line.startswith(("---", "+++")):
                continue
            text.append("  " + clip(line))
    if ref[2] != got[2]:
        text.append(f"  [exit status: kmod {ref[2]}, ours {got[2]}]")
    return text


# ---------------------------------------------------------------- cases
def find_modules(top):
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for f in sorted(filenames):
            if MODULE_RE.search(f):
                found.append(os.path.join(dirpath, f))
    return found


def read_builtin_names(mdir):
    names = []
    p = os.path.join(mdir, "modules.builtin.modinfo")
    if os.path.exists(p):
        seen = set()
        with open(p, "rb") as f:
            for rec in f.read().split(b"\0"):
                name = rec.split(b".", 1)[0].decode("utf-8", "replace")
                if name and name not in seen:
                    seen.add(name)
                    names.append(name)
    return names


def read_aliases(mdir):
    out = []
    p = os.path.join(mdir, "modules.alias")
    if os.path.exists(p):
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "alias":
                    out.append(parts[1])
    return out


def spread(items, n):
    """n items spread evenly over the (sorted) list."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    picked = [items[int(i * step)] for i in range(n)]
    return picked


def gz_reference(tree_root, sibling_root, suffix=b".gz"):
    """kmod without zlib: run it on the uncompressed sibling tree and put the
    compressed paths back into its output."""
    sib = sibling_root.encode()
    root = tree_root.encode()
    # One pass: the sibling root, and with it a module path ending in .ko.
    ko = re.compile(re.escape(sib) + rb"(?![\w.-])(/[^\n\0']*?\.ko(?![\w.]))?")

    def repl(m):
        p = m.group(1)
        if p and os.path.exists(root + p + suffix):
            p += suffix
        return root + (p or b"")

    def fix(b):
        return ko.sub(repl, b)

    def path(x):
        if x.startswith(tree_root + "/") or x == tree_root:
            x = sibling_root + x[len(tree_root):]
        return x

    def args(a, cwd=None):
        """kmod's arguments and folder: module paths (relative ones too,
        when the case runs inside the tree) point into the sibling."""
        out = []
        for x in a:
            x = path(x)
            inside = x.startswith(sibling_root + "/") or (cwd and path(cwd) != cwd and "/" not in x)
            if inside and x.endswith(".ko" + suffix.decode()):
                x = x[:-len(suffix)]
            out.append(x)
        return out, (path(cwd) if cwd else cwd)
    return args, fix


def tree_cases(label, root, opts, gzref):
    """Cases for a module tree ROOT/lib/modules/VERSION."""
    cases = []
    mroot = os.path.join(root, "lib", "modules")
    versions = sorted(d for d in os.listdir(mroot) if os.path.isdir(os.path.join(mroot, d)))
    if not versions:
        sys.exit(f"modinfo-compare: ERROR: {mroot} has no VERSION folder")
    ver = versions[-1]
    mdir = os.path.join(mroot, ver)
    mods = find_modules(mdir)
    if not mods:
        sys.exit(f"modinfo-compare: ERROR: no module files under {mdir}")
    if not os.path.exists(os.path.join(mdir, "modules.dep")):
        print(f"modinfo-compare: WARNING: {mdir}/modules.dep missing (run tests/compat/trees.sh); "
              "name lookups will fail on both sides", file=sys.stderr)

    def mk(kind, args, cwd=None):
        """A case naming files (on a -gz tree kmod reads the sibling's)."""
        c = Case(label, kind, args, cwd)
        if gzref:
            ra, fix = gzref
            (c.ref_args, c.ref_cwd), c.ref_fix = ra(args, cwd), fix
        cases.append(c)

    def look(kind, args):
        """A lookup in the tree's own indexes. On a -gz tree kmod's depmod
        (no zlib) left modules.dep empty: both sides must say "not found"
        there, so kmod runs on the same tree, not on the sibling."""
        cases.append(Case(label, kind, args))

    for m in mods[::opts.every]:
        mk("file", [m])
    if opts.files_only:
        return cases, len(mods)

    sample = spread(mods, opts.sample)
    for m in sample:
        for variant in (["-F", "vermagic"], ["-F", "parm"], ["-0"], ["-a"], ["-d"], ["-l"],
                        ["-p"], ["-n"], ["-0", "-F", "alias"], ["-F", "depends"],
                        ["-F", "signer"], ["-F", "nosuchfield"], ["-F", "License"]):
            mk(" ".join(variant), variant + [m])
    # several files in one call; a relative path; a missing file among good ones
    for i in range(0, min(len(sample), 30), 3):
        mk("several files", sample[i:i + 3])
        mk("several, -F name", ["-F", "name"] + sample[i:i + 3])
    for m in sample[:10]:
        mk("relative path", [os.path.basename(m)], cwd=os.path.dirname(m))
        mk("missing among files", [m, m + ".missing", sample[0]])

    base = ["-k", ver, "-b", root]
    names = sorted({MODULE_RE.sub("", os.path.basename(m)) for m in mods})
    for n in spread(names, opts.sample):
        look("by name", base + [n])
        look("by name -m", base + ["-m", n])
        look("by name -F filename", base + ["-F", "filename", n])
        alt = n.replace("_", "-") if "_" in n else n.replace("-", "_")
        if alt != n:
            look("by name, - and _ swapped", base + [alt])
    aliases = read_aliases(mdir)
    plain = sorted({a for a in aliases if not any(ch in a for ch in "*?[")})
    wild = sorted({a for a in aliases if any(ch in a for ch in "*?[")})
    for a in spread(plain, opts.sample // 2) + spread(wild, opts.sample // 4):
        look("by alias", base + [a])
        look("by alias -F name", base + ["-F", "name", a])
    for a in spread(plain, 10):
        look("alias with -m", base + ["-m", a])
    builtins = read_builtin_names(mdir)
    for n in spread(builtins, opts.sample // 2):
        look("builtin", base + [n])
        look("builtin -F license", base + ["-F", "license", n])
        look("builtin -0 -p", base + ["-0", "-p", n])
    # errors and odd arguments
    look("error: unknown name", base + ["no_such_module_xyz"])
    mk("error: missing file", [os.path.join(mdir, "kernel", "nonexistent.ko")])
    mk("error: folder", [mdir])
    look("error: empty name", base + [""])
    look("error: no argument", base)
    look("error: unknown version", ["-k", "0.0.0-none", "-b", root, names[0]])
    mk("error: unknown option", ["-Z", mods[0]])
    mk("error: -F without a field", ["-F"])
    if not gzref:
        look("name and file mixed", base + [names[0], mods[-1], "no_such_module_xyz"])
    return cases, len(mods)


def one_line_error(got):
    """Our policy for broken files: exactly one line "modinfo: ERROR: ..."
    on stderr and exit status 1 (stdout may hold what came before the
    error, as kmod prints the filename line first)."""
    out, err, rc = got
    return (rc == 1 and err.startswith(b"modinfo: ERROR: ")
            and err.endswith(b"\n") and err.count(b"\n") == 1)


def dir_cases(label, top, opts):
    """Cases for a plain folder of files (fixtures): every regular file,
    each with a few option variants. In a folder named "malformed" (or
    holding a file named MALFORMED) a case also passes when ours gives
    a one-line error and exit 1, whatever kmod did."""
    malformed = label == "malformed" or os.path.exists(os.path.join(top, "MALFORMED"))
    cases = []
    files = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            if (os.path.isfile(p) and f != "MALFORMED"
                    and not f.endswith((".txt", ".md", ".log", ".pem", ".x509", ".der", ".key", ".cnf", ".sig"))):
                files.append(p)
    for p in files:
        cases.append(Case(label, "file", [p], malformed=malformed))
        if opts.files_only or malformed:
            continue
        for variant in (["-F", "vermagic"], ["-0"], ["-p"], ["-F", "alias"], ["-F", "signer"],
                        ["-F", "sig_hashalgo"], ["-F", "name"]):
            cases.append(Case(label, " ".join(variant), variant + [p]))
    return cases, len(files)


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(prog="modinfo-compare.sh")
    ap.add_argument("binary")
    ap.add_argument("trees", nargs="*")
    ap.add_argument("--kmod", required=True, help="kmod's modinfo (a link named modinfo)")
    ap.add_argument("--self", action="store_true", help="BINARY is kmod itself (harness self-check)")
    ap.add_argument("--known", default=None)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--show", type=int, default=10, help="diffs shown (default 10)")
    ap.add_argument("--sample", type=int, default=40, help="sampled modules/names per tree for the option variants")
    ap.add_argument("--files-only", action="store_true", help="only the plain 'modinfo FILE' pass")
    ap.add_argument("--every", type=int, default=1,
                    help="'modinfo FILE' for every Nth module file of a tree (default 1: each)")
    ap.add_argument("--gz-reference", choices=("auto", "yes", "no"), default="auto")
    ap.add_argument("--failures", default=None, help="write every failing case's diff to this file")
    opts = ap.parse_args()

    known = load_known(opts.known)
    # "ref: 30": an entry for one kmod version only (where kmod 30 and 34.2
    # differ and we follow 34.2).
    v = subprocess.run([opts.kmod, "--version"], capture_output=True, env=ENV).stdout
    m = re.match(rb"kmod version (\S+)", v)
    kmod_version = m.group(1).decode() if m else ""
    known = [k for k in known if k.ref is None or k.ref == kmod_version]
    kmod_nozlib = False
    if opts.gz_reference != "no" and not opts.self:
        v = subprocess.run([opts.kmod, "--version"], capture_output=True, env=ENV)
        kmod_nozlib = b"-ZLIB" in v.stdout or opts.gz_reference == "yes"

    trees = []
    for t in opts.trees:
        t = os.path.abspath(t)
        label = os.path.basename(t)
        if os.path.isdir(os.path.join(t, "lib", "modules")):
            gzref = None
            if label.endswith("-gz") and kmod_nozlib:
                sib = t[:-3]
                if os.path.isdir(os.path.join(sib, "lib", "modules")):
                    gzref = gz_reference(t, sib)
                    print(f"modinfo-compare: {label}: kmod has no zlib support; its reference output "
                          f"comes from the uncompressed {os.path.basename(sib)} tree, paths put back")
                else:
                    print(f"modinfo-compare: {label}: kmod has no zlib support and {sib} is missing; "
                          "expect known differences")
            cs, n = tree_cases(label, t, opts, gzref)
        elif os.path.isdir(t):
            cs, n = dir_cases(label, t, opts)
        else:
            sys.exit(f"modinfo-compare: ERROR: not a folder: {t}")
        trees.append((label, cs, n))

    # kmod runs as a user types it: argv[0] "modinfo" (its getopt messages
    # name argv[0]); ours as "BINARY modinfo".
    ours = ["modinfo"] if opts.self else [opts.binary, "modinfo"]
    ours_exe = opts.binary if opts.self else None

    def work(c):
        ref_args = c.ref_args if c.ref_args is not None else c.args
        ref = run(["modinfo"] + ref_args, c.ref_cwd, opts.kmod)
        if c.ref_fix:
            ref = (c.ref_fix(ref[0]), c.ref_fix(ref[1]), ref[2])
        got = run(ours + c.args, c.cwd, ours_exe)
        c.result = (ref, got)
        return c

    total_pass = total_fail = total_known = 0
    failing = []
    t0 = time.monotonic()
    for label, cases, nfiles in trees:
        t1 = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
            list(ex.map(work, cases, chunksize=16))
        stats = {}
        for c in cases:
            ref, got = c.result
            s = stats.setdefault(c.kind, [0, 0, 0, 0])
            if ref == got:
                s[0] += 1
                continue
            if c.malformed and one_line_error(got):
                s[3] += 1
                continue
            lines = diff_lines(ref, got)
            lab = c.label()
            hit = set()
            ok = True
            for ln in lines:
                for k in known:
                    if k.case and not k.case.search(lab):
                        continue
                    if any(r.search(ln) for r in k.match):
                        hit.add(k)
                        break
                else:
                    ok = False
                    break
            if ok and hit:
                s[2] += 1
                for k in hit:
                    k.count += 1
            else:
                s[1] += 1
                failing.append(c)
        p = sum(s[0] for s in stats.values())
        f = sum(s[1] for s in stats.values())
        k = sum(s[2] for s in stats.values())
        e = sum(s[3] for s in stats.values())
        total_pass += p + k + e
        total_fail += f
        total_known += k
        own = f", {e} own one-line errors" if e else ""
        print(f"tree {label}: {nfiles} module files, {len(cases)} cases: {p} identical, "
              f"{k} known differences{own}, {f} failed ({time.monotonic() - t1:.1f} s)")
        for kind, s in stats.items():
            if s[1] or s[2]:
                print(f"    {kind}: {s[0]} identical, {s[2]} known, {s[1]} failed")
    if total_known:
        print("known differences (modinfo-differences.txt):")
        for k in known:
            if k.count:
                print(f"    [{k.name}] {k.count} cases: {k.why}")
    if failing:
        print(f"first {min(opts.show, len(failing))} of {len(failing)} failing cases:")
        for c in failing[:opts.show]:
            print(unified(c, 40))
        if opts.failures:
            with open(opts.failures, "w", encoding="utf-8") as f:
                for c in failing:
                    f.write(unified(c) + "\n")
            print(f"all failing cases: {opts.failures}")
    print(f"time: {time.monotonic() - t0:.1f} s, -j{opts.jobs}")
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
