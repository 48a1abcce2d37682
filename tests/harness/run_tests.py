#!/usr/bin/env python3
"""run_tests.py — sigma4's test harness: host unit tests, then the in-system suite under QEMU.

Host tests are programs printing `ok - host.<m>.<t>` / `not ok - host.<m>.<t>` lines.
The in-system suite is a root task that prints `SIGMA4-TESTS-BEGIN total=T`, one
`ok N - area.name` / `not ok N - area.name` / `ok N - area.name # SKIP reason` line per test,
and `SIGMA4-TESTS-END passed=P failed=F total=T skipped=S`, then leaves QEMU through
isa-debug-exit (exit code 2*status+1).  A skipped test counts neither as passed nor as failed;
the skips are counted in the summary comment lines.

--select PREFIXES (comma-separated test-name prefixes) runs only the matching in-system tests:
the harness copies the test root task (the `testroot` module of --qemu) to
build/testroot-select, writes the list into its ktest_select array (see
tests/system/runner.c) and boots the copy.  --log-name names the serial log of a single run
(build/serial-<name>.log instead of build/serial-smp<N>.log); tools/stress.sh uses both.

--param KEY=VALUE,... writes test parameters into the same copy (its ktest_params array; see
tests/system/runner.c), e.g. the fuzzer's seed and operation count.

--boot NAME=SMP:PREFIXES[:PARAMS] boots the same kernel once more at -smp SMP with only the
tests named by PREFIXES and the parameters PARAMS (KEY=VALUE,...); its results are named
NAME/<test>, its log is build/serial-NAME.log (`make test` runs the fuzzer at scale this way);
--boot-timeout gives these boots a limit of their own (default: --timeout).
--boot-qemu NAME=ARGS adds QEMU arguments to the boot NAME (e.g. -numa options: the numa2 boot).

--variant NAME=KERNEL:PREFIXES boots another kernel (a build variant, e.g. the extensions
compiled out) once at -smp 1 with only the tests named by PREFIXES; its results are named
NAME/<test> and its log is build/serial-NAME.log.

A run fails on any failed test, a missing BEGIN/END sentinel, fewer results than announced, a
kernel panic or fault line, a timeout, or an unexpected QEMU exit code.  Every result goes to
build/test-results.tap; raw serial logs stay in build/serial-*.log.  The last line printed is
`N passed, M failed`; skipped tests are in neither number.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

RESULT = re.compile(r'^(ok|not ok) (?:\d+ )?- (\S+)(?:\s+#\s*SKIP\b\s*(.*))?')
SELECT_MARK = b'SIGMA4-KTEST-SELECT:'   # tests/system/runner.c: KTEST_SELECT_MARK
SELECT_SIZE = 256                       # tests/system/runner.c: KTEST_SELECT_SIZE
PARAM_MARK = b'SIGMA4-KTEST-PARAM:'     # tests/system/runner.c: KTEST_PARAM_MARK
PARAM_SIZE = 256                        # tests/system/runner.c: KTEST_PARAM_SIZE


class Results:
    def __init__(self):
        self.items = []  # (ok, name, diagnostic, skip reason or None)

    def add(self, ok, name, diag='', skip=None):
        self.items.append((ok, name, diag, skip))
        if not ok:
            print(f'not ok - {name}' + (f'  # {diag}' if diag else ''), flush=True)

    @property
    def passed(self):
        return sum(1 for ok, _, _, skip in self.items if ok and skip is None)

    @property
    def failed(self):
        return sum(1 for ok, _, _, _ in self.items if not ok)

    @property
    def skipped(self):
        return sum(1 for ok, _, _, skip in self.items if ok and skip is not None)

    def write_tap(self, path):
        with open(path, 'w') as f:
            f.write('TAP version 13\n')
            f.write(f'1..{len(self.items)}\n')
            for i, (ok, name, diag, skip) in enumerate(self.items, 1):
                f.write(f'{"ok" if ok else "not ok"} {i} - {name}'
                        + (f' # SKIP {skip}' if skip is not None else '') + '\n')
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
                res.add(m.group(1) == 'ok', m.group(2), '\n'.join(diag), m.group(3))
                seen += 1
                diag = []
            elif line.startswith('#'):
                diag.append(line)
        if p.returncode != 0 and not any(not ok for ok, n, _, _ in res.items if n.startswith('host.')):
            res.add(False, f'host.{name}.exit', f'exit code {p.returncode}\n{p.stderr[-2000:]}')
        if seen == 0:
            res.add(False, f'host.{name}.ran', 'no test results printed')


def run_checks(checks, res):
    """Each check is NAME=COMMAND; it passes when the command exits 0."""
    for c in checks:
        name, _, cmd = c.partition('=')
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=300)
        res.add(p.returncode == 0, name, (p.stdout + p.stderr)[-2000:] if p.returncode else '')


def write_array(data, mark, size, text, what):
    """Write `text` after the unique, still empty array that starts with `mark` in `data`."""
    at = data.find(mark + b'\0')
    room = size - len(mark) - 1
    if at < 0 or data.count(mark) != 1 or any(data[at + len(mark):at + size]):
        sys.exit(f'run_tests.py: {what}: no unique empty array {mark!r} in the test program')
    if len(text) > room or not re.fullmatch(rb'[A-Za-z0-9_.,/=-]+', text):
        sys.exit(f'run_tests.py: {what}: bad value {text!r} (at most {room} '
                 'characters of [A-Za-z0-9_.,/=-])')
    data[at + len(mark):at + len(mark) + len(text)] = text


def select_binary(qemu, build, prefixes, name='testroot-select', params=''):
    """A copy (build/<name>) of the testroot module of the QEMU command `qemu` with the test
    selection `prefixes` written into its ktest_select array and `params` into its
    ktest_params array; the command booting the copy instead."""
    m = re.search(r"[^\s,']*testroot(?= role=root)", qemu)
    if not m:
        sys.exit('run_tests.py: --select: no "<path>/testroot role=root" module in --qemu')
    with open(m.group(0), 'rb') as f:
        data = bytearray(f.read())
    if prefixes:
        write_array(data, SELECT_MARK, SELECT_SIZE, prefixes.encode(), '--select')
    if params:
        write_array(data, PARAM_MARK, PARAM_SIZE, params.encode(), '--param')
    out = os.path.join(build, name)
    with open(out, 'wb') as f:
        f.write(data)
    return qemu[:m.start()] + out + qemu[m.end():]


def symbolize(log, build):
    """The kernel's panic report prints `rip <addr>` and backtrace lines `[n] 0x<addr>`; turn
    them into function and source line with addr2line so a panic found by a long run can be read
    from the CI output alone."""
    elf = os.path.join(build, 'kernel.elf')
    addrs = []
    for line in log.splitlines():
        m = re.match(r'^\s*(?:\[(\d+)\] 0x|rip )([0-9a-f]+)\b', line)
        if not m or int(m.group(2), 16) < 0xffffffff80000000:
            continue
        a = int(m.group(2), 16)
        if m.group(1) and m.group(1) != '0':
            a -= 1                                  # a return address: the call before it
        addrs.append(f'{a:x}')
    if not addrs or not os.path.exists(elf):
        return ''
    try:
        out = subprocess.run(['addr2line', '-f', '-i', '-p', '-e', elf] + addrs[:64],
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ''
    return 'symbolized panic addresses:\n' + out


def run_system(qemu, smp, prefix, build, timeout, res, log_name=None):
    log_path = os.path.join(build, f'serial-{log_name or f"smp{smp}"}.log')
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
    first = len(res.items)
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
            res.add(m.group(1) == 'ok', prefix + m.group(2), skip=m.group(3))
    tag = f'{prefix}system'
    problems = []
    if timed_out:
        problems.append(f'QEMU timed out after {timeout}s')
    if 'PANIC' in log or 'KERNEL FAULT' in log:
        problems.append('kernel panic/fault in the serial log')
        sym = symbolize(log, build)
        if sym:
            print(sym, file=sys.stderr, flush=True)
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
    before = len(res.items)
    res.add(not problems, f'{tag}.complete', '; '.join(problems) + (f'\nlog: {log_path}' if problems else ''))
    mine = Results()
    mine.items = res.items[first:before]
    print(f'# in-system suite at -smp {smp}: {len(seen)} results in {elapsed:.0f}s: '
          f'{mine.passed} passed, {mine.failed} failed, {mine.skipped} skipped '
          f'(log {log_path})', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--host-tests', default='')
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--smp', default='1')
    ap.add_argument('--timeout', type=int, default=600)
    ap.add_argument('--boot-timeout', type=int, default=0,
                    help='seconds for each --boot run (default: --timeout)')
    ap.add_argument('--select', default='',
                    help='run only the in-system tests whose names start with one of these '
                         'comma-separated prefixes')
    ap.add_argument('--log-name', default='',
                    help='serial log build/serial-<NAME>.log (one --smp value only)')
    ap.add_argument('--check', action='append', default=[],
                    help='NAME=COMMAND: an extra check that passes if COMMAND exits 0')
    ap.add_argument('--param', default='',
                    help='KEY=VALUE,...: test parameters written into the test program')
    ap.add_argument('--boot', action='append', default=[],
                    help='NAME=SMP:PREFIXES[:PARAMS]: also boot at -smp SMP with only these '
                         'tests and these parameters')
    ap.add_argument('--boot-qemu', action='append', default=[],
                    help='NAME=ARGS: extra QEMU arguments for the --boot NAME')
    ap.add_argument('--variant', action='append', default=[],
                    help='NAME=KERNEL:PREFIXES: also boot KERNEL at -smp 1 with only these tests')
    a = ap.parse_args()
    if a.log_name and len(a.smp.split()) != 1:
        sys.exit('run_tests.py: --log-name needs exactly one --smp value')
    qemu = (select_binary(a.qemu, a.build, a.select, params=a.param)
            if a.select or a.param else a.qemu)
    res = Results()
    run_host_tests(a.host_tests.split(), res)
    run_checks(a.check, res)
    print(f'# host unit tests: {res.passed} passed, {res.failed} failed', flush=True)
    for smp in a.smp.split():
        prefix = '' if smp == '1' else f'smp{smp}/'
        run_system(qemu, int(smp), prefix, a.build, a.timeout, res, a.log_name or None)
    boot_qemu = {}
    for bq in a.boot_qemu:
        name, sep, args = bq.partition('=')
        if not sep or not re.fullmatch(r'[\w-]+', name):
            sys.exit(f'run_tests.py: --boot-qemu: expected NAME=ARGS, got {bq!r}')
        boot_qemu[name] = boot_qemu.get(name, '') + ' ' + args
    for name in boot_qemu:
        if not any(b.startswith(name + '=') for b in a.boot):
            sys.exit(f'run_tests.py: --boot-qemu: no --boot named {name!r}')
    for b in a.boot:
        m = re.fullmatch(r'([\w-]+)=(\d+):([\w.,/-]+)(?::([\w.,/=-]+))?', b)
        if not m:
            sys.exit(f'run_tests.py: --boot: expected NAME=SMP:PREFIXES[:PARAMS], got {b!r}')
        name, smp, prefixes, params = m.groups()
        q = select_binary(a.qemu, a.build, prefixes, f'testroot-{name}', params or '')
        q += boot_qemu.get(name, '')
        run_system(q, int(smp), f'{name}/', a.build, a.boot_timeout or a.timeout, res, name)
    for v in a.variant:
        m = re.fullmatch(r'([\w-]+)=([^:\s]+):([\w.,/-]+)', v)
        if not m:
            sys.exit(f'run_tests.py: --variant: expected NAME=KERNEL:PREFIXES, got {v!r}')
        name, kernel, prefixes = m.groups()
        q, n = re.subn(r'-kernel \S+', f'-kernel {kernel}', a.qemu)
        if n != 1:
            sys.exit('run_tests.py: --variant: no single "-kernel <path>" in --qemu')
        q = select_binary(q, a.build, prefixes, f'testroot-{name}')
        run_system(q, 1, f'{name}/', a.build, a.timeout, res, name)
    tap = os.path.join(a.build, f'test-results{"-" + a.log_name if a.log_name else ""}.tap')
    res.write_tap(tap)
    print(f'# results: {tap}')
    print(f'# skipped: {res.skipped} (neither passed nor failed)')
    print(f'{res.passed} passed, {res.failed} failed')
    sys.exit(1 if res.failed else 0)


if __name__ == '__main__':
    main()
