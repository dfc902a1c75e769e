#!/usr/bin/env python3
"""A module tree whose one module depends on N others, for the cost of long
dependency lines:

    mkdepline.py N [--text-only] [--chain] [--no-files] [--loaded[=K] | --idle]

lib/modules/6.1.0-test/ gets modules.dep with "kernel/top/deptop.ko: " and N
dependency paths kernel/dep/dNNNNN.ko in a fixed shuffled order, a line of
its own for each of them, the modules as empty files (kmod stats every
dependency path) and modules.dep.bin in kmod's index format (name -> line).
--chain: dependency i also depends on every later one in the line, as
modules.dep lists the closure of a chain (input quadratic in N: keep N small).
--text-only: no modules.dep.bin (our text fallback).
--no-files: no module files (ours reads only the index for -D and -r, kmod
stats each dependency and without them lists none; 100,000 files take half
a minute to make on some disks).
--loaded[=K]: deptop and every K-th dependency of its line (default: all)
loaded as the kernel has them: proc/modules and sys/module (initstate,
refcnt, holders/), each used by the loaded modules whose line names it.
--idle: all loaded and unused (refcnt 0), as no kernel has them, so that
modprobe -r -n goes on to every dependency.
"""
import os, random, struct, sys

n = int(sys.argv[1])
text_only = '--text-only' in sys.argv
chain = '--chain' in sys.argv
every = 0
for a in sys.argv:
    if a == '--loaded' or a == '--idle':
        every = 1
    elif a.startswith('--loaded='):
        every = int(a[9:])
idle = '--idle' in sys.argv
files = '--no-files' not in sys.argv
K = 'lib/modules/6.1.0-test'
os.makedirs(K + '/kernel/dep', exist_ok=True)
os.makedirs(K + '/kernel/top', exist_ok=True)
rng = random.Random(7)
deps = ['kernel/dep/d%05d.ko' % i for i in range(n)]
rng.shuffle(deps)
lines = {'deptop': 'kernel/top/deptop.ko: ' + ' '.join(deps)}
for i, p in enumerate(deps):
    lines[os.path.basename(p)[:-3]] = p + ':' + (' ' + ' '.join(deps[i + 1:]) if chain and i + 1 < n else '')
for p in deps + ['kernel/top/deptop.ko'] if files else []:
    open(K + '/' + p, 'wb').close()
with open(K + '/modules.dep', 'w') as f:
    for name in sorted(lines):
        f.write(lines[name] + '\n')


def write_index(path, entries):
    """kmod's index: a trie of keys, nodes after their children (kmod <= 33)."""
    out = bytearray(12)

    def node(keys, depth):
        # keys: sorted, sharing key[:depth]; the longest common prefix after it
        first, last = keys[0], keys[-1]
        end = depth
        while end < len(first) and end < len(last) and first[end] == last[end]:
            end += 1
        prefix = first[depth:end]
        values = [k for k in keys if len(k) == end]
        rest = [k for k in keys if len(k) > end]
        children = {}
        for k in rest:
            children.setdefault(k[end], []).append(k)
        refs = {c: node(ks, end + 1) for c, ks in children.items()}
        off = len(out)
        flags = 0
        if prefix:
            flags |= 8
            out.extend(prefix.encode() + b'\0')
        if refs:
            flags |= 2
            lo, hi = min(map(ord, refs)), max(map(ord, refs))
            out.extend(bytes([lo, hi]))
            for c in range(lo, hi + 1):
                out.extend(struct.pack('>I', refs.get(chr(c), 0)))
        if values:
            flags |= 4
            out.extend(struct.pack('>I', len(values)))
            for k in values:
                out.extend(struct.pack('>I', 0) + entries[k].encode() + b'\0')
        return flags << 28 | off

    root = node(sorted(entries), 0)
    out[0:12] = struct.pack('>III', 0xB007F457, 0x00020001, root)
    with open(path, 'wb') as f:
        f.write(out)


if not text_only:
    write_index(K + '/modules.dep.bin', lines)

if every:
    names = {p: os.path.basename(p)[:-3] for p in deps}
    on = ['deptop'] + [names[p] for i, p in enumerate(deps) if i % every == 0]
    users = {n: [] for n in on}
    if not idle:
        for n in on:
            for p in lines[n].partition(':')[2].split():
                if names[p] in users:
                    users[names[p]].append(n)
    os.makedirs('proc', exist_ok=True)
    with open('proc/modules', 'w') as f:
        for n in on:
            u = ''.join(x + ',' for x in users[n]) or '-'
            f.write('%s 4096 %d %s Live 0x0000000000000000\n' % (n, len(users[n]), u))
            d = 'sys/module/' + n
            os.makedirs(d + '/holders', exist_ok=True)
            open(d + '/initstate', 'w').write('live\n')
            open(d + '/refcnt', 'w').write('%d\n' % len(users[n]))
            for x in users[n]:
                os.symlink('../../' + x, d + '/holders/' + x)
