#!/usr/bin/env python3
"""run_tests.py — sigma4's test harness: host unit tests, then the in-system suite under QEMU.

Host tests are programs printing `ok - host.<m>.<t>` / `not ok - host.<m>.<t>` lines.
The in-system suite is a root task that prints `SIGMA4-TESTS-BEGIN total=T`, one
`ok N - area.name` / `not ok N - area.name` line per test, and `SIGMA4-TESTS-END passed=P
failed=F total=T`, then leaves QEMU through isa-debug-exit (exit code 2*status+1).

A run fails on any failed test, a missing BEGIN/END sentinel, fewer results than announced, a
kernel panic or fault line, a timeout, or an unexpected QEMU exit code.  Every result goes to
build/test-results.tap; raw serial logs stay in build/serial-*.log.  The last line printed is
`N passed, M failed`.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

RESULT = re.compile(r'^(ok|not ok) (?:\d+ )?- (\S+)')


class Results:
    def __init__(self):
        self.items = []  # (ok, name, diagnostic)

    def add(self, ok, name, diag=''):
        self.items.append((ok, name, diag))
        if not ok:
            print(f'not ok - {name}' + (f'  # {diag}' if diag else ''), flush=True)

    @property
    def passed(self):
        return sum(1 for ok, _, _ in self.items if ok)

    @property
    def failed(self):
        return sum(1 for ok, _, _ in self.items if not ok)

    def write_tap(self, path):
        with open(path, 'w') as f:
            f.write('TAP version 13\n')
            f.write(f'1..{len(self.items)}\n')
            for i, (ok, name, diag) in enumerate(self.items, 1):
                f.write(f'{"ok" if ok else "not ok"} {i} - {name}\n')
                if diag:
                    for line in diag.splitlines():
                        f.write(f'  # {line}\n')


def run_host_tests(binaries, res):
    for b in binaries:
        name = os.path.basename(b)
        try:
            p = subprocess.run([b], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            res.add(False, f'host.{name}', 'timed out')
            continue
        seen = 0
        diag = []
        for line in p.stdout.splitlines():
            m = RESULT.match(line)
            if m:
                res.add(m.group(1) == 'ok', m.group(2), '\n'.join(diag))
                seen += 1
                diag = []
            elif line.startswith('#'):
                diag.append(line)
        if p.returncode != 0 and not any(not ok for ok, n, _ in res.items if n.startswith('host.')):
            res.add(False, f'host.{name}.exit', f'exit code {p.returncode}\n{p.stderr[-2000:]}')
        if seen == 0:
            res.add(False, f'host.{name}.ran', 'no test results printed')


def run_checks(checks, res):
    """Each check is NAME=COMMAND; it passes when the command exits 0."""
    for c in checks:
        name, _, cmd = c.partition('=')
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=300)
        res.add(p.returncode == 0, name, (p.stdout + p.stderr)[-2000:] if p.returncode else '')


def run_system(qemu, smp, prefix, build, timeout, res):
    log_path = os.path.join(build, f'serial-smp{smp}.log')
    cmd = shlex.split(qemu) + ['-smp', str(smp), '-serial', f'file:{log_path}']
    start = time.time()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
        code, timed_out = p.returncode, False
        qemu_err = p.stderr
    except subprocess.TimeoutExpired as e:
        code, timed_out = None, True
        qemu_err = (e.stderr or b'').decode(errors='replace') if isinstance(e.stderr, bytes) else (e.stderr or '')
    elapsed = time.time() - start
    try:
        with open(log_path, errors='replace') as f:
            log = f.read().replace('\r', '')
    except OSError:
        log = ''
    total = None
    end = None
    seen = {}
    for line in log.splitlines():
        m = re.match(r'^SIGMA4-TESTS-BEGIN total=(\d+)', line)
        if m:
            total = int(m.group(1))
            continue
        m = re.match(r'^SIGMA4-TESTS-END passed=(\d+) failed=(\d+) total=(\d+)', line)
        if m:
            end = tuple(int(x) for x in m.groups())
            continue
        m = RESULT.match(line)
        if m:
            seen[m.group(2)] = m.group(1) == 'ok'
            res.add(m.group(1) == 'ok', prefix + m.group(2))
    tag = f'{prefix}system'
    problems = []
    if timed_out:
        problems.append(f'QEMU timed out after {timeout}s')
    if 'PANIC' in log or 'KERNEL FAULT' in log:
        problems.append('kernel panic/fault in the serial log')
    if total is None:
        problems.append('no SIGMA4-TESTS-BEGIN line')
    if end is None:
        problems.append('no SIGMA4-TESTS-END sentinel')
    elif total is not None and (end[2] != total or len(seen) != total):
        problems.append(f'announced {total} tests, saw {len(seen)} results, END says {end[2]}')
    if end is not None and not timed_out:
        want = 2 * (1 if end[1] else 0) + 1
        if code != want:
            problems.append(f'QEMU exit code {code}, expected {want}')
    if qemu_err.strip():
        print(qemu_err.strip()[-1000:], file=sys.stderr)
    res.add(not problems, f'{tag}.complete', '; '.join(problems) + (f'\nlog: {log_path}' if problems else ''))
    print(f'# in-system suite at -smp {smp}: {len(seen)} results in {elapsed:.0f}s '
          f'(log {log_path})', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--host-tests', default='')
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--smp', default='1')
    ap.add_argument('--timeout', type=int, default=600)
    ap.add_argument('--check', action='append', default=[],
                    help='NAME=COMMAND: an extra check that passes if COMMAND exits 0')
    a = ap.parse_args()
    res = Results()
    run_host_tests(a.host_tests.split(), res)
    run_checks(a.check, res)
    print(f'# host unit tests: {res.passed} passed, {res.failed} failed', flush=True)
    for smp in a.smp.split():
        prefix = '' if smp == '1' else f'smp{smp}/'
        run_system(a.qemu, int(smp), prefix, a.build, a.timeout, res)
    tap = os.path.join(a.build, 'test-results.tap')
    res.write_tap(tap)
    print(f'# results: {tap}')
    print(f'{res.passed} passed, {res.failed} failed')
    sys.exit(1 if res.failed else 0)


if __name__ == '__main__':
    main()
