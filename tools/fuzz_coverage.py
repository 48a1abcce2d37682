#!/usr/bin/env python3
"""fuzz_coverage.py — which kernel functions a run reached, from QEMU's `-d in_asm` log.

QEMU logs every guest block it translates (`-d in_asm -D FILE`: "IN:" and one line per
instruction, "0x<address>:  <instruction>").  A translated kernel block is code the kernel ran
(or was about to run: a block is translated when execution reaches it).  This tool maps those
addresses to the kernel's functions (`nm -n -S -l` of the ELF: text symbols, each reaching to
its size or to the next symbol) and writes the figures as markdown: functions reached, the
fraction, and the functions never reached grouped by source file.  With --baseline LOG (the log
of a boot that runs almost nothing) it also says which functions only the boot reaches.

    tools/fuzz_coverage.py --elf build/kernel.elf --log build/fuzz-inasm.log \\
        [--baseline build/boot-inasm.log] [--suite build/suite-inasm.log] \\
        [--serial build/serial-fuzz.log] --out docs/results/fuzz.md

The output replaces the part of --out between "<!-- coverage:begin -->" and
"<!-- coverage:end -->" (the rest of the page is hand-written); a new page gets only that part.
`make fuzz-coverage` runs the boots and this tool.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

BEGIN, END = '<!-- coverage:begin -->', '<!-- coverage:end -->'
INSN = re.compile(rb'^0x([0-9a-f]{16}):')


def functions(elf):
    """[(start, end, name, file)] of the kernel's text symbols in the higher half."""
    out = subprocess.run(['nm', '-n', '-S', '-l', '--defined-only', elf], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split('\t')
        loc = parts[1] if len(parts) > 1 else ''
        f = parts[0].split()
        if len(f) == 4:
            addr, size, kind, name = int(f[0], 16), int(f[1], 16), f[2], f[3]
        elif len(f) == 3:
            addr, size, kind, name = int(f[0], 16), 0, f[1], f[2]
        else:
            continue
        if kind not in 'tT' or addr < 0xffff800000000000:
            continue
        src = re.sub(r':\d+$', '', loc)
        src = src[src.find('kernel/'):] if 'kernel/' in src else (src or '?')
        syms.append([addr, addr + size, name, src])
    syms.sort()
    for i, s in enumerate(syms):                 # labels without a size reach the next symbol
        nxt = syms[i + 1][0] if i + 1 < len(syms) else s[0] + 16
        if s[1] <= s[0] or s[1] > nxt:
            s[1] = nxt if s[1] <= s[0] else s[1]
    # Drop symbols inside another (local labels of assembly functions) and empty ones.
    keep, end = [], 0
    for s in syms:
        if s[0] >= end and s[1] > s[0] and s[2] != '_text_end':
            if s[3] == '?':
                s[3] = 'assembly (kernel/arch/x86_64/*.S)'
            keep.append(tuple(s))
            end = s[1]
    return keep


def units(funcs):
    """Group the symbols into the units counted: a function with its compiler-made parts
    (.part.N, .lto_priv.N, .constprop.N, .isra.N; .cold parts stay units of their own: they
    are the unlikely paths), and the 256 interrupt entry stubs isr_N apart.
    Returns {unit name: (source, [symbol indices])}."""
    u = collections.OrderedDict()
    for i, (_, _, name, src) in enumerate(funcs):
        base = re.sub(r'\.(part|lto_priv|constprop|isra)\.\d+', '', name)
        u.setdefault(base, (src, []))[1].append(i)
    return u


def instructions(elf):
    """{address: (function, source file)} for every kernel instruction: the innermost
    function the instruction belongs to, inlined ones included (addr2line -f -i), since the
    kernel is built with LTO and most of its functions exist only inlined."""
    dis = subprocess.run(['objdump', '-d', '--no-show-raw-insn', elf], capture_output=True,
                         text=True, check=True).stdout
    addrs = [m.group(1) for m in re.finditer(r'^(ffff[0-9a-f]{12}):', dis, re.M)]
    out = subprocess.run(['addr2line', '-e', elf, '-f', '-i', '-a'], input='\n'.join(addrs) + '\n',
                         capture_output=True, text=True, check=True).stdout.splitlines()
    info, i = {}, 0
    while i < len(out):
        if not out[i].startswith('0x'):
            i += 1
            continue
        a = int(out[i], 16)
        func = out[i + 1] if i + 1 < len(out) else '??'
        loc = out[i + 2] if i + 2 < len(out) else '??'
        src = re.sub(r':.*$', '', loc)
        src = src[src.find('kernel/'):] if 'kernel/' in src else src
        if src in ('', '??') or src.endswith('.o'):
            src = 'assembly (kernel/arch/x86_64/*.S)'
        func = re.sub(r'\.(part|lto_priv|constprop|isra)\.\d+', '', func)
        if not re.fullmatch(r'isr_\d+', func):          # the entry stubs are counted apart
            info[a] = (func, src)
        i += 3
    return info


def reached_addrs(log):
    """The kernel addresses of the instructions in an in_asm log."""
    got = set()
    with open(log, 'rb') as fh:
        for line in fh:
            m = INSN.match(line)
            if m:
                a = int(m.group(1), 16)
                if a >= 0xffff800000000000:
                    got.add(a)
    return got


def reached(log, funcs):
    """Indices of funcs with at least one translated instruction in the in_asm log."""
    starts = [f[0] for f in funcs]
    hit = set()
    with open(log, 'rb') as fh:
        for line in fh:
            m = INSN.match(line)
            if not m:
                continue
            a = int(m.group(1), 16)
            if a < 0xffff800000000000:
                continue
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < funcs[i][1]:
                hit.add(i)
    return hit


def serial_facts(path):
    facts = {}
    if not path or not os.path.exists(path):
        return facts
    text = open(path, errors='replace').read().replace('\r', '')
    m = re.search(r'^# fuzz: (\d+) operations in (\d+) batches, (\d+) ms .*seed (0x[0-9a-f]+)', text, re.M)
    if m:
        facts.update(ops=int(m.group(1)), batches=int(m.group(2)), ms=int(m.group(3)), seed=m.group(4))
    m = re.search(r'^# fuzz: stalls by kind:(.*)$', text, re.M)
    if m:
        facts['stalls'] = m.group(1).strip()
    return facts


def grouped(names, srcs):
    by = collections.defaultdict(list)
    for n in names:
        by[srcs[n]].append(n)
    return by


def render(funcs, hit, base, suite, facts, insns, hit_a, suite_a):
    """hit, base, suite: sets of symbol indices reached (base, suite may be None); insns: the
    instruction map; hit_a, suite_a: reached instruction addresses."""
    u = units(funcs)
    isr = [n for n in u if re.fullmatch(r'isr_\d+', n)]
    names = [n for n in u if n not in isr]
    srcs = {n: u[n][0] for n in u}

    def reach(idx):
        return None if idx is None else {n for n in u if any(i in idx for i in u[n][1])}

    h, b, st = reach(hit), reach(base), reach(suite)
    n = len(names)
    hn = len([x for x in names if x in h])
    lines = [BEGIN, '']
    lines.append('| measure | value |')
    lines.append('|---|---|')
    if facts:
        lines.append(f'| operations | {facts.get("ops", 0):,} in {facts.get("batches", "?")} batches, '
                     f'{facts.get("ms", 0) / 1000:.0f} s, seed `{facts.get("seed", "?")}` |')
    lines.append(f'| kernel functions (compiler-split parts merged, .cold parts apart) | {n} |')
    lines.append(f'| reached in the fuzz boot | {hn} ({100.0 * hn / n:.1f} %) |')
    lines.append(f'| interrupt entry stubs reached | {len([x for x in isr if x in h])} of {len(isr)} |')
    if b is not None:
        bn = len([x for x in names if x in b])
        lines.append(f'| reached by a bare boot (one trivial test) | {bn} ({100.0 * bn / n:.1f} %) |')
        lines.append(f'| reached in the fuzz boot, not by the bare boot | '
                     f'{len([x for x in names if x in h and x not in b])} |')
    if st is not None:
        sn = len([x for x in names if x in st])
        lines.append(f'| reached by the whole test suite (-smp 4) | {sn} ({100.0 * sn / n:.1f} %) |')
    # Source-level functions (inlined ones included) and instructions.
    src_funcs = collections.defaultdict(set)        # (func, src) -> addresses
    for a, key in insns.items():
        src_funcs[key].add(a)
    sf_hit = {k for k, v in src_funcs.items() if v & hit_a}
    ni = len(insns)
    lines.append(f'| source-level functions (inlined ones included, addr2line -i) | {len(src_funcs)} |')
    lines.append(f'| source-level functions reached in the fuzz boot | {len(sf_hit)} '
                 f'({100.0 * len(sf_hit) / len(src_funcs):.1f} %) |')
    ih = len(hit_a & insns.keys())
    lines.append(f'| kernel instructions reached in the fuzz boot | {ih} of {ni} ({100.0 * ih / ni:.1f} %) |')
    sf_suite = None
    if suite_a is not None:
        sf_suite = {k for k, v in src_funcs.items() if v & suite_a}
        lines.append(f'| source-level functions reached by the whole suite | {len(sf_suite)} '
                     f'({100.0 * len(sf_suite) / len(src_funcs):.1f} %) |')
        isu = len(suite_a & insns.keys())
        lines.append(f'| kernel instructions reached by the whole suite | {isu} ({100.0 * isu / ni:.1f} %) |')
    if facts.get('stalls'):
        lines.append(f'| stalls restarted, by kind | {facts["stalls"]} |')
    lines.append('')
    by_src = collections.defaultdict(list)
    for (f, src) in sorted(set(src_funcs) - sf_hit):
        by_src[src].append(f)
    if sf_suite is not None:
        gap = collections.defaultdict(list)
        for (f, src) in sorted(sf_suite - sf_hit):
            gap[src].append(f)
        lines.append(f'### Source-level functions the suite reaches and the fuzzer does not '
                     f'({sum(len(v) for v in gap.values())})')
        lines.append('')
        for src, fs in sorted(gap.items()):
            lines.append(f'- `{src}`: ' + ', '.join(f'`{x}`' for x in fs))
        lines.append('')
    lines.append(f'### Source-level functions never reached in the fuzz boot '
                 f'({sum(len(v) for v in by_src.values())})')
    lines.append('')
    for src, fs in sorted(by_src.items()):
        lines.append(f'- `{src}`: ' + ', '.join(f'`{x}`' for x in fs))
    lines.append('')
    missed = [x for x in names if x not in h]
    if st is not None:
        gap = [x for x in names if x in st and x not in h]
        lines.append(f'### Out-of-line functions the suite reaches and the fuzzer does not ({len(gap)})')
        lines.append('')
        for src, ns in sorted(grouped(gap, srcs).items()):
            lines.append(f'- `{src}`: ' + ', '.join(f'`{x}`' for x in ns))
        lines.append('')
    lines.append(f'### Out-of-line functions (symbols) never reached in the fuzz boot ({len(missed)})')
    lines.append('')
    for src, ns in sorted(grouped(missed, srcs).items()):
        lines.append(f'- `{src}`: ' + ', '.join(f'`{x}`' for x in ns))
    lines.append('')
    lines.append('Interrupt entry stubs never reached: ' +
                 compress([int(x[4:]) for x in isr if x not in h]))
    lines += ['', END]
    return '\n'.join(lines)


def compress(nums):
    """'0-2, 4, 7-9' for [0, 1, 2, 4, 7, 8, 9]."""
    out, i = [], 0
    nums = sorted(nums)
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f'{nums[i]}-{nums[j]}')
        i = j + 1
    return ', '.join(out) or 'none'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--elf', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--baseline')
    ap.add_argument('--suite')
    ap.add_argument('--serial')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    funcs = functions(a.elf)
    if not funcs:
        sys.exit('fuzz_coverage.py: no kernel text symbols')
    hit = reached(a.log, funcs)
    base = reached(a.baseline, funcs) if a.baseline else None
    suite = reached(a.suite, funcs) if a.suite else None
    insns = instructions(a.elf)
    hit_a = reached_addrs(a.log)
    suite_a = reached_addrs(a.suite) if a.suite else None
    part = render(funcs, hit, base, suite, serial_facts(a.serial), insns, hit_a, suite_a)
    if os.path.exists(a.out):
        page = open(a.out).read()
        if BEGIN in page and END in page:
            page = page[:page.index(BEGIN)] + part + page[page.index(END) + len(END):]
        else:
            page = page.rstrip('\n') + '\n\n' + part + '\n'
    else:
        page = '# Fuzzer coverage\n\n' + part + '\n'
    with open(a.out, 'w') as f:
        f.write(page)
    summary = [l for l in part.splitlines() if 'reached in the fuzz boot' in l]
    print('fuzz_coverage.py: ' + '; '.join(summary) + f'; {a.out} written')


if __name__ == '__main__':
    main()
