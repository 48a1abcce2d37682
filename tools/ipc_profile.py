#!/usr/bin/env python3
"""ipc_profile.py — where the kernel's instructions go in one IPC round trip.

Boots the pingpong benchmark (or any root task) under QEMU TCG with `-d in_asm,exec,nochain`
restricted to the kernel half (`-dfilter`), so the log has every translated kernel block with
its instructions and every execution of one.  The kernel-block sequence is cut at each
`syscall_entry`; every kernel entry gets a signature (its block addresses).  The most frequent
signatures are the steady-state operations of the benchmark; for each, the instructions per
kernel function are printed (a function = the symbol of the block's first instruction; blocks
that cross a function boundary are charged to where they start).

  python3 tools/ipc_profile.py --kernel build/kernel.elf --bin build/kernel.bin \
      --initrd "build/sigma0 role=sigma0,build/pingpong role=root" [--top 4]
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import tempfile

KERNEL_RANGE = '0xffffffff80000000..0xffffffffffffffff'


def symbols(elf):
    out = subprocess.run(['nm', '-n', elf], capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tTwW':
            addrs.append(int(f[0], 16))
            names.append(f[2])
    return addrs, names


def sym_of(pc, addrs, names):
    i = bisect.bisect_right(addrs, pc) - 1
    return names[i] if i >= 0 else hex(pc)


def inline_names(elf, pcs):
    """The innermost (inlined) function of each pc, by addr2line -f -i."""
    pcs = sorted(pcs)
    out = subprocess.run(['addr2line', '-f', '-i', '-e', elf], input='\n'.join(hex(p) for p in pcs)
                         + '\n' + '0x0\n', capture_output=True, text=True).stdout.splitlines()
    # -i prints several (function, file:line) pairs per address; the sentinel 0x0 resolves
    # to "??": split on each address by asking one at a time would be slow, so mark ends
    # with a second pass: addr2line -a prints the address before each group.
    out = subprocess.run(['addr2line', '-a', '-f', '-i', '-e', elf],
                         input='\n'.join(hex(p) for p in pcs) + '\n', capture_output=True,
                         text=True).stdout.splitlines()
    names, cur = {}, None
    i = 0
    while i < len(out):
        line = out[i]
        if line.startswith('0x'):
            cur = int(line, 16)
            names[cur] = out[i + 1]                 # the first function is the innermost
            i += 3
            continue
        i += 2                                      # an outer (inlining) function
    return names


def parse(log):
    """Return (instruction addresses per block start, executed block sequence)."""
    size = {}
    seq = []
    cur, n = None, []
    tb_line = re.compile(r'^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/')
    insn = re.compile(r'^0x([0-9a-f]{16}):\s')
    with open(log, errors='replace') as f:
        for line in f:
            m = insn.match(line)
            if m:
                if cur is None:
                    cur = int(m.group(1), 16)
                n.append(int(m.group(1), 16))
                continue
            if cur is not None and not line.strip():
                size[cur] = n
                cur, n = None, []
                continue
            m = tb_line.match(line)
            if m:
                seq.append(int(m.group(1), 16))
    return size, seq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kernel', default='build/kernel.elf')
    ap.add_argument('--bin', default='build/kernel.bin')
    ap.add_argument('--initrd', default='build/sigma0 role=sigma0,build/pingpong role=root')
    ap.add_argument('--append', default='kmem=32')
    ap.add_argument('--top', type=int, default=4)
    ap.add_argument('--log', default=None)
    a = ap.parse_args()
    addrs, names = symbols(a.kernel)
    entry = addrs[names.index('syscall_entry')]
    log = a.log or os.path.join(tempfile.mkdtemp(), 'exec.log')
    if not a.log or not os.path.exists(log):
        subprocess.run(['timeout', '900', 'qemu-system-x86_64', '-M', 'q35', '-accel', 'tcg',
                        '-icount', 'shift=0,sleep=off', '-cpu', 'Skylake-Server', '-m', '512M',
                        '-smp', '1', '-display', 'none', '-no-reboot', '-device',
                        'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', 'null',
                        '-kernel', a.bin, '-append', a.append, '-initrd', a.initrd,
                        '-d', 'in_asm,exec,nochain', '-dfilter', KERNEL_RANGE, '-D', log])
    size, seq = parse(log)
    entries = []
    start = None
    for i, pc in enumerate(seq):
        if pc == entry:
            if start is not None:
                entries.append(tuple(seq[start:i]))
            start = i
    pairs = collections.Counter(zip(entries, entries[1:])).most_common(a.top)
    pcs = set()
    for (e1, e2), _ in pairs:
        for b in e1 + e2:
            pcs.update(size.get(b, []))
    fn = inline_names(a.kernel, pcs)
    for (e1, e2), count in pairs:
        per = collections.Counter()
        for b in e1 + e2:
            for pc in size.get(b, []):
                per[fn.get(pc) or sym_of(pc, addrs, names)] += 1
        total = sum(per.values())
        n1 = sum(len(size.get(p, [])) for p in e1)
        n2 = sum(len(size.get(p, [])) for p in e2)
        print(f'== {count} times: two kernel entries, {total} kernel instructions ({n1} + {n2})')
        for name, n in per.most_common():
            print(f'  {n:5d}  {name}')


if __name__ == '__main__':
    main()
