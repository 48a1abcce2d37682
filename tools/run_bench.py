#!/usr/bin/env python3
"""run_bench.py — boots the benchmark root task under QEMU with instruction counting, collects
its `BENCH <name> <value> <unit>` lines from the serial log, prints a Markdown table and writes
it, with the measuring conditions, to docs/results/ (`make bench`, mk/bench.mk).

QEMU runs with `-icount shift=0,sleep=off` on one CPU: the guest TSC advances exactly one tick
per executed instruction, so every figure is a count of instructions, not of cycles.  The run
fails (exit status 1, results file left alone) on a timeout, an unexpected QEMU exit code, a
kernel panic or user fault, a `bench: error` line, a missing `bench: done` line or a missing
figure.
"""
import argparse
import datetime
import os
import re
import shlex
import subprocess
import sys

QEMU_ARGS = ['-M', 'q35', '-accel', 'tcg', '-icount', 'shift=0,sleep=off',
             '-cpu', 'Skylake-Server', '-smp', '1', '-m', '512M', '-display', 'none',
             '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
CPU_MODEL = 'Skylake-Server'

BENCH = re.compile(r'^BENCH (\S+) (\S+) (\S+)\s*$')
DONE = re.compile(r'^bench: done, (\d+) error\(s\)')

# (BENCH name, operation, SPEC target text, instruction limit, CR3 limit); SPEC.md
# "Performance targets".  The SPEC's "same, 8 untyped words" row does not say which space
# configuration it means, so both 8-word rows carry it.
ROWS = [
    ('ipc.inter.0', 'IPC round trip, two address spaces, 0 untyped words',
     '≤ 350, ≤ 2 CR3 loads', 350, 2),
    ('ipc.intra.0', 'IPC round trip, one address space, 0 untyped words',
     '≤ 300, no CR3 load', 300, 0),
    ('ipc.inter.8', 'IPC round trip, two address spaces, 8 untyped words', '≤ 450', 450, None),
    ('ipc.intra.8', 'IPC round trip, one address space, 8 untyped words', '≤ 450', 450, None),
    ('ipc.inter.63', 'IPC round trip, two address spaces, 63 untyped words', '—', None, None),
    ('ipc.intra.63', 'IPC round trip, one address space, 63 untyped words', '—', None, None),
    ('ipc.inter.0.slow', 'slow path, two address spaces, 0 words (client receive timeout 1 s)',
     '≤ 1,000', 1000, None),
    ('ipc.intra.0.slow', 'slow path, one address space, 0 words (client receive timeout 1 s)',
     '≤ 1,000', 1000, None),
    ('syscall.SystemClock', 'trivial system call (SystemClock), per call', '≤ 80', 80, None),
]

# What the figures depend on: uncommitted changes here are named next to the commit.
SOURCES = ['kernel/', 'abi/', 'lib/', 'servers/sigma0/', 'bench/', 'mk/', 'Makefile']

CALIBRATION = 'calibration.ten'     # a loop of exactly 10 instructions per iteration

ICOUNT_NOTE = ('All figures are instructions, not cycles: under QEMU `-icount shift=0,sleep=off` '
               'the guest TSC advances exactly one tick per executed instruction, and the '
               'benchmark times with `rdtsc` in user mode.')


def run_qemu(args):
    """Boot; return (serial log text, QEMU exit code or None on timeout, stderr)."""
    cmd = shlex.split(args.qemu) + QEMU_ARGS + [
        '-kernel', args.kernel, '-append', args.append, '-initrd', args.initrd,
        '-serial', f'file:{args.log}']
    if os.path.exists(args.log):
        os.remove(args.log)
    print('== bench: ' + ' '.join(shlex.quote(c) for c in cmd), flush=True)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=args.timeout)
        code, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired as e:
        code = None
        err = e.stderr.decode(errors='replace') if isinstance(e.stderr, bytes) else (e.stderr or '')
    try:
        with open(args.log, errors='replace') as f:
            log = f.read().replace('\r', '')
    except OSError:
        log = ''
    return log, code, err, cmd


def parse(log):
    values, units, done, errors = {}, {}, None, []
    for line in log.splitlines():
        m = BENCH.match(line)
        if m:
            values[m.group(1)] = float(m.group(2))
            units[m.group(1)] = m.group(3)
            continue
        m = DONE.match(line)
        if m:
            done = int(m.group(1))
        if line.startswith('bench: error') or 'PANIC' in line or 'KERNEL FAULT' in line or \
                'user fault' in line:
            errors.append(line)
    return values, units, done, errors


def fmt(x, digits):
    return f'{x:,.{digits}f}'


def verdict(values, name, limit, cr3_limit):
    if limit is None:
        return ''
    ok = values[name] <= limit and (cr3_limit is None or values[name + '.cr3'] <= cr3_limit)
    return ' (met)' if ok else ' (missed)'


def table(values):
    lines = ['| operation | instructions per op | CR3 loads | fast path % | SPEC target |',
             '|---|---:|---:|---:|---|']
    for name, what, target, limit, cr3_limit in ROWS:
        fast = values.get(name + '.fastpath')
        lines.append(f'| {what} | {fmt(values[name], 1)} | {fmt(values[name + ".cr3"], 2)} | '
                     f'{"—" if fast is None else fmt(fast, 1)} | '
                     f'{target}{verdict(values, name, limit, cr3_limit)} |')
    return '\n'.join(lines)


def spread(values):
    lines = ['| operation | fastest batch | median batch | slowest batch |', '|---|---:|---:|---:|']
    for name, what, *_ in ROWS:
        lines.append(f'| {what} | {fmt(values[name + ".min"], 1)} | {fmt(values[name], 1)} | '
                     f'{fmt(values[name + ".max"], 1)} |')
    return '\n'.join(lines)


def git(*a):
    try:
        p = subprocess.run(['git', *a], capture_output=True, text=True, check=True)
        return p.stdout.rstrip()
    except (OSError, subprocess.CalledProcessError):
        return ''


def conditions(args, cmd):
    qemu = shlex.split(args.qemu)[0]
    try:
        p = subprocess.run([qemu, '--version'], capture_output=True, text=True)
        qv = p.stdout.splitlines()[0]
    except (OSError, IndexError):
        qv = 'unknown'
    commit = git('rev-parse', '--short', 'HEAD') or 'unknown'
    changed = git('status', '--porcelain', '--', *SOURCES).splitlines()
    dirty = sorted({d for d in SOURCES for l in changed if l[3:].startswith(d)})
    host = 'unknown'
    try:
        with open('/proc/cpuinfo') as f:
            host = next(l.split(':', 1)[1].strip() for l in f if l.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'qemu': qv,
        'cpu': f'{CPU_MODEL} (QEMU TCG, 1 CPU; host CPU: {host}, which does not change the counts)',
        'commit': commit + (f' + uncommitted changes in {", ".join(dirty)}' if dirty else ''),
        'command': ' '.join(shlex.quote(c) for c in cmd),
    }


def write_results(path, c, values, log_lines):
    text = f"""# IPC pingpong (issue 3)

{ICOUNT_NOTE}

- Date: {c['date']}
- Kernel commit: `{c['commit']}`
- QEMU: {c['qemu']}
- CPU model: {c['cpu']}
- Command (`make bench`): `{c['command']}`
- Method: the benchmark root task (`bench/pingpong`) is the client; an echo server runs in its
  own space (second thread) or in a new address space (paged by a thread of the root task that
  maps the root task's pages).  A round trip is the client's `L4_Call` plus the server's
  `L4_ReplyWait`, both with the same number of untyped words.  Each operation: 100 warm-up
  round trips, then 5 batches of 1,000, each timed with `rdtsc`; the table shows the median
  batch per operation, the user-level loop and the libl4 stubs included.  CR3 loads
  (`KDB_STAT_CR3_LOADS`) and fast-path IPCs (`KDB_STAT_FASTPATH_IPC`, share of the 2 IPCs per
  round trip) are counted over all 5 batches.  The slow-path rows give the client a finite
  receive timeout, which the fast path does not take (nor, then, the server's reply).
- Check: a loop of exactly 10 instructions per iteration measured
  {fmt(values[CALIBRATION], 1)} per iteration, so the TSC counts instructions.

## Instructions per operation (median of 5 batches of 1,000)

{table(values)}

## Spread over the 5 batches (instructions per operation)

{spread(values)}

## Raw benchmark output

```
{chr(10).join(log_lines)}
```
"""
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--qemu', default='qemu-system-x86_64')
    ap.add_argument('--kernel', default='build/kernel.bin')
    ap.add_argument('--append', default='kmem=32')
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--log', default='build/bench-serial.log')
    ap.add_argument('--out', default='docs/results/ipc-pingpong.md')
    ap.add_argument('--timeout', type=int, default=300)
    args = ap.parse_args()

    log, code, err, cmd = run_qemu(args)
    values, _, done, errors = parse(log)
    problems = []
    if code is None:
        problems.append(f'QEMU timed out after {args.timeout}s')
    elif code != 1:                     # isa-debug-exit: status 0 -> exit code 1
        status = (code - 1) // 2 if code & 1 else '?'
        problems.append(f'QEMU exit code {code} (benchmark status {status})')
    if done is None:
        problems.append('no "bench: done" line')
    problems += errors
    missing = [CALIBRATION] if CALIBRATION not in values else []
    for name, *_ in ROWS:
        suffixes = ['', '.min', '.max', '.cr3'] + (['.fastpath'] if name.startswith('ipc.') else [])
        missing += [name + s for s in suffixes if name + s not in values]
    if not values:
        problems.append('no BENCH figures in the serial log')
    elif missing:
        problems.append('missing figures: ' + ', '.join(missing))
    cal = values.get(CALIBRATION)
    if cal is not None and abs(cal - 10.0) > 0.15:
        problems.append(f'calibration: a 10-instruction loop measured {cal} per iteration, '
                        'not 10.0: the TSC does not count instructions (-icount shift=0?)')
    if problems:
        print('\n'.join(l for l in log.splitlines()[-40:]))
        if err.strip():
            print(err.strip()[-2000:])
        for p in problems:
            print(f'bench: FAILED: {p}')
        print(f'bench: serial log in {args.log}; {args.out} left unchanged')
        return 1

    c = conditions(args, cmd)
    print()
    print(f'IPC pingpong, {c["date"]}, kernel {c["commit"]}, {c["qemu"]}, {CPU_MODEL}')
    print(ICOUNT_NOTE)
    print()
    print(table(values))
    print()
    bench_lines = [l for l in log.splitlines() if l.startswith('bench:') or l.startswith('BENCH ')]
    write_results(args.out, c, values, bench_lines)
    print(f'bench: written to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
