#!/usr/bin/env python3
# The body of bench/modprobe/run.sh (see there), run inside its private
# mount namespace: prepares the trees, runs the tools, writes RESULTS.md.
import datetime
import glob
import json
import os
import re
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

repo = os.environ['REPO']
k34 = os.environ['KMOD34']
ours = os.path.realpath(sys.argv[1])
other = os.path.realpath(sys.argv[2]) if len(sys.argv) > 2 else None
rounds = int(os.environ.get('ROUNDS', '5'))
runs_single = int(os.environ.get('RUNS_SINGLE', '60'))
runs_batch = int(os.environ.get('RUNS_BATCH', '7'))
rr_single = int(os.environ.get('RR_SINGLE', '150'))
rr_batch = int(os.environ.get('RR_BATCH', '9'))
out = os.environ.get('RESULTS', os.path.join(repo, 'bench/modprobe/RESULTS.md'))
krel = os.uname().release


def sh(*args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw).stdout


def first_line(args):
    try:
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return 'n/a'


# ---- trees: a hard-linked copy each, indexed by kmod 34.2's depmod -------
def default_trees():
    trees = []
    for name in ('amd64', 'trixie-amd64', 'armmp'):
        root = os.path.join(repo, 'build/compat-trees', name)
        mods = os.path.join(root, 'lib/modules')
        if os.path.isdir(mods) and os.listdir(mods):
            trees.append((name, root))
    return trees


trees = [tuple(t.split('=', 1)) for t in os.environ['TREES'].split()] if os.environ.get('TREES') else default_trees()
if not trees:
    sys.exit('run.sh: no trees (tests/compat/trees.sh --trixie makes them)')
work = tempfile.mkdtemp(prefix='bench-modprobe.', dir=os.path.join(repo, 'build'))
GENERATED = {'modules.dep', 'modules.dep.bin', 'modules.alias', 'modules.alias.bin', 'modules.symbols',
             'modules.symbols.bin', 'modules.builtin.bin', 'modules.builtin.alias.bin', 'modules.softdep',
             'modules.devname', 'modules.weakdep'}
depmod34 = os.path.join(k34, 'bin/depmod')


def prepare(name, root):
    ver = sorted(os.listdir(os.path.join(root, 'lib/modules')))[0]
    src = os.path.realpath(os.path.join(root, 'lib/modules', ver))
    dst = os.path.join(work, name, 'lib/modules', ver)
    os.makedirs(os.path.dirname(dst))
    if subprocess.run(['cp', '-al', src, dst], stderr=subprocess.DEVNULL).returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        sh('cp', '-a', src, dst)
    for f in os.listdir(dst):
        if f in GENERATED:
            os.unlink(os.path.join(dst, f))
    sh(depmod34, '-b', os.path.join(work, name), ver)
    return ver, dst


def modaliases(moddir, of, n):
    random.seed(3)
    pats = [l.split()[1] for l in open(os.path.join(moddir, 'modules.alias')) if l.startswith('alias ')]

    def inst(p):
        k, i = '', 0
        while i < len(p):
            c = p[i]
            if c == '*':
                k += random.choice(['', '0', 'A1', 'fsl,imx6ul'])
            elif c == '?':
                k += '0'
            elif c == '[':
                j = p.index(']', i + 1)
                b = p[i + 1:j]
                k += b[0] if b[0] not in '!^' else 'Z'
                i = j
            else:
                k += c
            i += 1
        return k
    if of:
        sel = [p for p in pats if p.startswith('of:')]
    else:
        sel = [p for p in pats if ':' in p and not p.startswith(('of:', 'symbol:'))]
    return [inst(p) for p in random.sample(sel, n)]


# ---- the namespace: the tree under test at /lib/modules/$(uname -r) --------
def mount_modules_dir():
    if os.path.isdir('/lib/modules'):
        sh('mount', '-t', 'tmpfs', 'none', '/lib/modules')
    else:
        # No /lib/modules on this machine: an overlay on the folder that
        # holds it, private to the namespace, gives one.
        lib = os.path.realpath('/lib')
        ov = os.path.join(work, 'overlay')
        os.makedirs(ov)
        sh('mount', '-t', 'tmpfs', 'none', ov)
        for d in ('upper/modules', 'work'):
            os.makedirs(os.path.join(ov, d))
        sh('mount', '-t', 'overlay', 'overlay', '-o',
           f'lowerdir={lib},upperdir={ov}/upper,workdir={ov}/work', lib)
    os.makedirs(f'/lib/modules/{krel}', exist_ok=True)


# ---- the tools ------------------------------------------------------------
def link(name, target):
    d = os.path.join(work, 'bin-' + name)
    os.makedirs(d)
    os.symlink(target, os.path.join(d, 'modprobe'))
    return os.path.join(d, 'modprobe')


kmod30 = next((p for p in ('/sbin/modprobe', '/usr/sbin/modprobe') if os.path.exists(p)), None)
k34root = os.path.join(k34, 'root')
busybox = os.path.join(k34root, 'usr/bin/busybox')
TOOLS = [('ours', [link('ours', ours)])]
if other:
    TOOLS.append(('ours (2nd build)', [link('other', other)]))
TOOLS += [
    ('kmod 34.2', [os.path.join(k34root, 'usr/lib64/ld-linux-x86-64.so.2'), '--library-path',
                   os.path.join(k34root, 'usr/lib/x86_64-linux-gnu'), '--argv0', 'modprobe',
                   os.path.join(k34root, 'usr/bin/kmod')]),
    ('kmod 30', [kmod30]),
    ('BusyBox 1.37', [busybox, 'modprobe']),
]


def command(tool, args):
    """The argv of a case for a tool, or None (BusyBox has no -R)."""
    name, base = tool
    if name.startswith('BusyBox'):
        if args == ['--version']:
            return [busybox, 'true']
        if '-R' in args:
            return None
    return base + args


def hyperfine(cmds, runs, warmup, tag):
    js = os.path.join(work, f'hf-{tag}.json')
    argv = ['hyperfine', '-N', '-i', '--style', 'none', '--warmup', str(warmup), '--runs', str(runs),
            '--export-json', js] + [' '.join(c) for c in cmds]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    res = json.load(open(js))['results']
    return [statistics.median(r['times']) for r in res]


RR = os.path.join(work, 'rr')
subprocess.run(['gcc', '-O2', '-o', RR, os.path.join(repo, 'bench/modprobe/rr.c')], check=True)


def interleaved(cmds, rounds_):
    """bench/modprobe/rr.c: the commands in turn, run after run; median wall time (s) of each."""
    argv = [RR, str(rounds_)]
    for i, c in enumerate(cmds):
        argv += ([':::'] if i else []) + c
    res = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout.split('\n')
    return [float(l.split()[0]) / 1e6 for l in res if l.strip()]


def callgrind(cmd):
    r = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for l in r.stderr.splitlines():
        if 'Collected :' in l:
            return int(l.split(':')[-1])
    return None


def maxrss(cmd, n=5):
    vals = []
    for _ in range(n):
        r = subprocess.run(['/usr/bin/time', '-v'] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for l in r.stderr.splitlines():
            if 'Maximum resident set size' in l:
                vals.append(int(l.split(':')[-1]))
    return statistics.median(vals) if vals else None


def run_case(label, args, batch, tag):
    tools = [(t, command(t, args)) for t in TOOLS]
    tools = [(t, c) for t, c in tools if c is not None]
    names = [t[0] for t, _ in tools]
    per_round = []
    for r in range(rounds):
        k = r % len(tools)
        order = tools[k:] + tools[:k]
        meds = hyperfine([c for _, c in order], runs_batch if batch else runs_single, 2 if batch else 10, f'{tag}-{r}')
        per_round.append({t[0]: m for (t, _), m in zip(order, meds)})
    res = {'label': label, 'args': args, 'tools': names, 'cmds': {t[0]: c for t, c in tools}, 'rounds': per_round}
    rr = interleaved([c for _, c in tools], rr_batch if batch else rr_single)
    res['rr'] = dict(zip(names, rr))
    res['wall'] = {n: statistics.median(pr[n] for pr in per_round) for n in names}
    res['ratio'] = {n: statistics.median(pr['ours'] / pr[n] for pr in per_round) for n in names}
    res['instr'] = {t[0]: callgrind(c) for t, c in tools}
    res['rss'] = {t[0]: maxrss(c) for t, c in tools}
    return res


def fmt_ms(s):
    return f'{s * 1000:.3f}' if s is not None else 'n/a'


# ---- run --------------------------------------------------------------------
load_before = sh('uptime').strip()
started = datetime.datetime.now(datetime.timezone.utc)
mount_modules_dir()
results = []
for name, root in trees:
    ver, moddir = prepare(name, root)
    of = name.startswith('armmp')
    aliases = modaliases(moddir, of, 50 if of else 200)
    sh('mount', '--bind', moddir, f'/lib/modules/{krel}')
    try:
        cases = []
        if not of:
            cases += [('start-up: --version (BusyBox: true)', ['--version'], False),
                      ('-D btrfs', ['-D', 'btrfs'], False),
                      (f'-D {aliases[0]}', ['-D', aliases[0]], False),
                      ('-D no_such_module (missing)', ['-D', 'no_such_module'], False)]
        n = len(aliases)
        kind = 'of: modaliases' if of else 'modaliases'
        cases += [(f'-D -a: {n} {kind}', ['-D', '-a'] + aliases, True),
                  (f'-R -a: {n} {kind}', ['-R', '-a'] + aliases, True)]
        tree_res = []
        for i, (label, args, batch) in enumerate(cases):
            r = run_case(label, args, batch, f'{name}-{i}')
            print(f'{name}: {label[:40]}: ' + ', '.join(f'{t} {fmt_ms(r["wall"][t])} ms' for t in r['tools']),
                  file=sys.stderr)
            tree_res.append(r)
        nmods = sum(1 for _ in open(os.path.join(moddir, 'modules.dep')))
        results.append((name, ver, nmods, aliases, tree_res))
    finally:
        subprocess.run(['umount', f'/lib/modules/{krel}'])
load_after = sh('uptime').strip()


# ---- versions -----------------------------------------------------------------
def dpkg_ver(pkg):
    r = subprocess.run(['dpkg-query', '-W', '-f', '${Version}', pkg], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() or 'n/a'


def libc_of(root):
    libdir = os.path.join(root, 'usr/lib/x86_64-linux-gnu')
    line = first_line([os.path.join(root, 'usr/lib64/ld-linux-x86-64.so.2'), '--library-path', libdir,
                       os.path.join(libdir, 'libc.so.6')])
    return line.replace('GNU C Library ', '').split(' release')[0]


def header_ver(inc, header, names):
    try:
        text = open(os.path.join(inc, header)).read()
    except OSError:
        return None
    parts = []
    for n in names:
        m = re.search(r'#define\s+' + n + r'\s+"?([0-9.]+)', text)
        if m is None:
            return None
        parts.append(m.group(1))
    return '.'.join(parts)


def libs_of(binary):
    """What a static build of ours links: the libraries built from source
    into its $(O)/sysroot-libs (their headers say the versions), else the
    host's -dev packages."""
    inc = os.path.join(os.path.dirname(os.path.realpath(binary)), 'sysroot-libs/usr/include')
    lz = header_ver(inc, 'lzma/version.h', ['LZMA_VERSION_MAJOR', 'LZMA_VERSION_MINOR', 'LZMA_VERSION_PATCH'])
    zs = header_ver(inc, 'zstd.h', ['ZSTD_VERSION_MAJOR', 'ZSTD_VERSION_MINOR', 'ZSTD_VERSION_RELEASE'])
    zl = header_ver(inc, 'zlib.h', ['ZLIB_VERSION'])
    if lz and zs and zl:
        return f'liblzma {lz}, libzstd {zs}, zlib {zl} (built from Debian 13 sources)'
    return (f'liblzma {dpkg_ver("liblzma-dev")}, libzstd {dpkg_ver("libzstd-dev")}, '
            f'zlib {dpkg_ver("zlib1g-dev")} (the host\'s)')


def libc_of_ours(binary):
    with open(binary, 'rb') as f:
        musl = b'musl' in f.read()
    return f'musl {dpkg_ver("musl-dev")}' if musl else f'glibc {dpkg_ver("libc6-dev")}'


versions = [
    f'ours: `{sys.argv[1]}` ({os.path.getsize(ours)} bytes; {",".join(first_line(["file", "-b", ours]).split(",")[0:2])}); '
    f'git {first_line(["git", "-C", repo, "describe", "--always", "--dirty"])}; static, {libc_of_ours(ours)}, '
    f'{libs_of(ours)}' + (f'; 2nd build: `{sys.argv[2]}` ({os.path.getsize(sys.argv[2])} bytes), static, '
                          f'{libc_of_ours(sys.argv[2])}, {libs_of(sys.argv[2])}' if other else ''),
    f'kmod 34.2: {first_line(TOOLS[-3][1] + ["--version"])}, Debian 13 binary with its own loader and '
    f'libraries (glibc {libc_of(k34root)}, '
    f'liblzma {os.path.basename(os.path.realpath(os.path.join(k34root, "usr/lib/x86_64-linux-gnu/liblzma.so.5")))}, '
    f'libzstd {os.path.basename(os.path.realpath(os.path.join(k34root, "usr/lib/x86_64-linux-gnu/libzstd.so.1")))})',
    f'kmod 30: {kmod30} ({first_line([kmod30, "--version"])}; Debian 12 kmod {dpkg_ver("kmod")}, '
    f'host glibc {dpkg_ver("libc6")})',
    f'BusyBox 1.37: {first_line([busybox])} (static)',
    f'hyperfine {first_line(["hyperfine", "--version"]).split()[-1]}, {first_line(["valgrind", "--version"])}',
]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')


# ---- RESULTS.md -------------------------------------------------------------------
def verdict(ok):
    return 'met' if ok else '**missed**'


lines = ['# modprobe benchmark', '',
         f'Made by `bench/modprobe/run.sh {" ".join(sys.argv[1:])}` (ROUNDS={rounds} RUNS_SINGLE={runs_single} RUNS_BATCH={runs_batch}) on '
         f'{started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, {cpu}; kernel {krel}.',
         f'Load before: `{load_before}`', f'Load after: `{load_after}`', '',
         'The machine is shared with other jobs: absolute times move from run to run; the ratios are',
         'taken within each hyperfine run (the same minute, the tools interleaved), then their median.', '']
lines += ['Tools:', ''] + [f'- {v}' for v in versions] + ['']
lines += ['Every tool reads the same files: each tree is a hard-linked copy indexed by kmod 34.2\'s',
          'depmod, bound at `/lib/modules/$(uname -r)` in a private mount namespace; no tool gets `-d`/`-S`.',
          f'Wall: `hyperfine -N -i --warmup W --runs N CMD...` (single lookups N={runs_single}, W=10; batches N={runs_batch}, W=2),',
          f'{rounds} runs per case with the tools\' order turned each time; the time is the median of a run\'s',
          'times, the table shows the median over the runs. Instructions: `valgrind --tool=callgrind`, one',
          'run. Peak RSS: `/usr/bin/time -v`, median of 5 runs. The modaliases are made from each tree\'s own',
          'patterns (wildcards filled in, seed 3), 200 device ones (pci:, usb:, acpi:, ...) on amd64, 50 of: on armmp.',
          '']
for name, ver, nmods, aliases, tree_res in results:
    names = tree_res[0]['tools']
    lines += [f'## {name}: {ver}, {nmods} modules', '']
    lines += ['Wall time, ms, by hyperfine (median over the runs; lower is better), and ours as a ratio of each:', '']
    lines += ['| case | ' + ' | '.join(names) + ' | ours / kmod 34.2 | ours / BusyBox | targets |',
              '| --- | ' + ' | '.join('---:' for _ in names) + ' | ---: | ---: | --- |']
    for r in tree_res:
        rk = r['ratio'].get('kmod 34.2')
        rb = r['ratio'].get('BusyBox 1.37')
        if r['args'] == ['--version']:
            tgt = '(start-up floor)'
        elif '-a' in r['args']:
            tgt = f'<= 0.5 kmod 34.2: {verdict(rk <= 0.5)}'
        else:
            tgt = f'<= 0.5 kmod 34.2: {verdict(rk <= 0.5)}; <= 0.8 BusyBox: {verdict(rb is not None and rb <= 0.8)}'
        lines.append(f'| {r["label"]} | ' + ' | '.join(fmt_ms(r['wall'].get(n)) for n in names) +
                     f' | {rk:.2f} | ' + (f'{rb:.2f}' if rb is not None else 'n/a') + f' | {tgt} |')
    lines += ['', f'Wall time, ms, interleaved run by run (`bench/modprobe/rr.c`: each tool once in turn, '
              f'{rr_single} rounds for a single lookup, {rr_batch} for a batch, after 5 warm-up rounds; median), '
              'and ours as a ratio of each:', '',
              '| case | ' + ' | '.join(names) + ' | ours / kmod 34.2 | ours / BusyBox | targets |',
              '| --- | ' + ' | '.join('---:' for _ in names) + ' | ---: | ---: | --- |']
    for r in tree_res:
        rr = r['rr']
        rk = rr['ours'] / rr['kmod 34.2']
        rb = rr['ours'] / rr['BusyBox 1.37'] if 'BusyBox 1.37' in rr else None
        if r['args'] == ['--version']:
            tgt = '(start-up floor)'
        elif '-a' in r['args']:
            tgt = f'<= 0.5 kmod 34.2: {verdict(rk <= 0.5)}'
        else:
            tgt = f'<= 0.5 kmod 34.2: {verdict(rk <= 0.5)}; <= 0.8 BusyBox: {verdict(rb is not None and rb <= 0.8)}'
        lines.append(f'| {r["label"]} | ' + ' | '.join(fmt_ms(rr.get(n)) for n in names) +
                     f' | {rk:.2f} | ' + (f'{rb:.2f}' if rb is not None else 'n/a') + f' | {tgt} |')
    lines += ['', 'Instructions (callgrind):', '',
              '| case | ' + ' | '.join(names) + ' |', '| --- | ' + ' | '.join('---:' for _ in names) + ' |']
    for r in tree_res:
        lines.append(f'| {r["label"]} | ' + ' | '.join(f'{r["instr"].get(n):,}' if r['instr'].get(n) else 'n/a'
                                                      for n in names) + ' |')
    lines += ['', 'Peak RSS, KiB (`/usr/bin/time -v`, median of 5):', '',
              '| case | ' + ' | '.join(names) + ' | target |', '| --- | ' + ' | '.join('---:' for _ in names) + ' | --- |']
    for r in tree_res:
        rss = r['rss']
        tgt = ''
        if '-a' in r['args'] and rss.get('BusyBox 1.37'):
            tgt = f'ours <= BusyBox: {verdict(rss["ours"] <= rss["BusyBox 1.37"])}'
        lines.append(f'| {r["label"]} | ' + ' | '.join(f'{rss.get(n):.0f}' if rss.get(n) else 'n/a' for n in names) +
                     f' | {tgt} |')
    lines += ['', 'Per run (ms, in the order run):', '']
    for r in tree_res:
        lines.append(f'- {r["label"]}: ' + '; '.join(', '.join(f'{n} {fmt_ms(pr[n])}' for n in pr)
                                                     for pr in r['rounds']))
    lines.append('')
lines += ['Commands (ALIASES: the modaliases above, one argument each):', '']
seen = set()
for _, _, _, aliases, tree_res in results[:1]:
    for r in tree_res:
        for n, c in r['cmds'].items():
            s = ' '.join(c).replace(' '.join(aliases), 'ALIASES')
            if s not in seen:
                seen.add(s)
                lines.append(f'    {s}')
lines.append('')

# Sections other scripts write (longdeps.sh) or written by hand are kept.
KEEP = ('## Start-up', '## Long dependency lines')
keep = ''
if os.path.exists(out):
    text = open(out).read()
    for sect in KEEP:
        i = text.find('\n' + sect + '\n')
        if i >= 0:
            j = text.find('\n## ', i + 1)
            keep += '\n' + text[i + 1:j if j >= 0 else len(text)].rstrip('\n') + '\n'
open(out, 'w').write('\n'.join(lines) + keep)
shutil.rmtree(work, ignore_errors=True)
print(open(out).read())
