#!/usr/bin/env python3
# capture-acpi.py — boot QEMU without a kernel, dump guest RAM, keep the ACPI tables as test blobs.
#
# The firmware (SeaBIOS, or OVMF for the UEFI configuration) builds the ACPI tables, finds
# nothing to boot and idles; we then save guest physical memory through QMP `pmemsave`,
# locate the RSDP and keep only what tests/host/test_acpi.c needs.
#
# Blob format (all integers little-endian), written to tests/host/data/acpi/<config>.bin:
#     8 bytes   magic "ACPICAP1"
#     records:  u64 phys, u32 len, len bytes        (until end of file)
# Records: the BDA word at 0x40E (EBDA segment), the first KiB of the EBDA, the RSDP, the
# RSDT and/or XSDT, and every table they point to (the DSDT and FACS behind the FADT are
# left out to keep blobs small).
#
# Usage: tools/capture-acpi.py [config ...]     (default: all configurations below)
import json, os, select, struct, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "host", "data", "acpi")
MEM_MB = 256
OVMF = "/usr/share/OVMF/OVMF_CODE.fd"          # Debian package ovmf

# QEMU 7.2 rejects "-numa node,mem=" for current machine types: each node needs a memdev.
NUMA2 = ["-object", "memory-backend-ram,id=m0,size=128M",
         "-object", "memory-backend-ram,id=m1,size=128M",
         "-numa", "node,nodeid=0,cpus=0-1,memdev=m0",
         "-numa", "node,nodeid=1,cpus=2-3,memdev=m1"]

CONFIGS = {
    # name: (extra QEMU arguments, seconds to let the firmware run, minimum RSDP revision)
    "q35-smp1":       (["-M", "q35", "-smp", "1"], 3, 0),
    "q35-smp4-numa2": (["-M", "q35", "-smp", "4"] + NUMA2, 3, 0),
    "pc-smp2":        (["-M", "pc", "-smp", "2"], 3, 0),
    # UEFI: OVMF installs an RSDP revision 2 with an XSDT (and no RSDP in the legacy areas).
    "q35-ovmf-smp2":  (["-M", "q35", "-smp", "2", "-drive",
                        "if=pflash,format=raw,readonly=on,file=" + OVMF], 20, 2),
}


def capture(args, seconds, want_rev):
    """Start QEMU with QMP on stdio, let the firmware run, pmemsave the first MEM_MB MiB and
    extract the tables; dump again a few times if the tables are not (all) there yet."""
    cmd = ["qemu-system-x86_64", "-m", f"{MEM_MB}M", "-display", "none", "-nodefaults",
           "-serial", "none", "-monitor", "none", "-qmp", "stdio", "-no-reboot"] + args
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(obj):
        p.stdin.write(json.dumps(obj) + "\n")
        p.stdin.flush()

    def reply(timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([p.stdout], [], [], 1)
            if not r:
                continue
            line = p.stdout.readline()
            if not line:
                raise RuntimeError("QEMU exited early")
            msg = json.loads(line)
            if "error" in msg:
                raise RuntimeError(f"QMP error: {msg['error']}")
            if "return" in msg:
                return msg
        raise RuntimeError("QMP timeout")

    try:
        p.stdout.readline()                      # greeting
        send({"execute": "qmp_capabilities"}); reply()
        time.sleep(seconds)
        with tempfile.TemporaryDirectory() as tmp:
            dump = os.path.join(tmp, "mem.bin")
            for attempt in range(6):
                send({"execute": "pmemsave",
                      "arguments": {"val": 0, "size": MEM_MB << 20, "filename": dump}})
                reply(120)
                with open(dump, "rb") as f:
                    mem = f.read()
                try:
                    result = extract(mem)
                    if result[2] >= want_rev:
                        break
                except RuntimeError as e:
                    result = e
                time.sleep(5)
            else:
                raise RuntimeError(f"tables not ready: {result}")
        send({"execute": "quit"})
        p.wait(30)
        return result
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def csum_ok(b):
    return sum(b) & 0xFF == 0


def find_rsdp(mem):
    """Legacy areas first (EBDA, E0000-FFFFF, 16-byte aligned).  OVMF publishes its RSDP only
    in the EFI system table, unaligned in RAM: then take the valid one of highest revision."""
    ebda = struct.unpack_from("<H", mem, 0x40E)[0] << 4
    for lo, hi in [(ebda, ebda + 1024), (0xE0000, 0x100000)]:
        for a in range(lo & ~15, min(hi, len(mem)) - 36, 16):
            if mem[a:a + 8] == b"RSD PTR " and csum_ok(mem[a:a + 20]):
                return a
    best, a = None, mem.find(b"RSD PTR ")
    while a >= 0:
        rev = mem[a + 15]
        if csum_ok(mem[a:a + 20]) and (rev < 2 or csum_ok(mem[a:a + 36])):
            if best is None or rev > mem[best + 15]:
                best = a
        a = mem.find(b"RSD PTR ", a + 1)
    if best is None:
        raise RuntimeError("no RSDP found")
    return best


def table(mem, phys):
    length = struct.unpack_from("<I", mem, phys + 4)[0]
    if length < 36 or phys + length > len(mem):
        raise RuntimeError(f"bad table at {phys:#x}")
    return bytes(mem[phys:phys + length])


def extract(mem):
    recs = {}
    ebda = struct.unpack_from("<H", mem, 0x40E)[0] << 4
    recs[0x40E] = bytes(mem[0x40E:0x410])
    if 0x80000 <= ebda < 0xA0000:
        recs[ebda] = bytes(mem[ebda:ebda + 1024])
    rsdp = find_rsdp(mem)
    rev = mem[rsdp + 15]
    recs[rsdp] = bytes(mem[rsdp:rsdp + (36 if rev >= 2 else 20)])
    roots = [(struct.unpack_from("<I", mem, rsdp + 16)[0], 4)]
    if rev >= 2:
        roots.append((struct.unpack_from("<Q", mem, rsdp + 24)[0], 8))
    names = []
    for root, esz in roots:
        if root == 0:
            continue
        t = table(mem, root)
        recs[root] = t
        for off in range(36, len(t) - esz + 1, esz):
            phys = int.from_bytes(t[off:off + esz], "little")
            sub = table(mem, phys)
            recs[phys] = sub
            names.append(sub[:4].decode())
    blob = bytearray(b"ACPICAP1")
    for phys in sorted(recs):
        blob += struct.pack("<QI", phys, len(recs[phys])) + recs[phys]
    return bytes(blob), rsdp, rev, sorted(set(names))


def main():
    names = sys.argv[1:] or list(CONFIGS)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in names:
        args, seconds, want_rev = CONFIGS[name]
        blob, rsdp, rev, tables = capture(args, seconds, want_rev)
        path = os.path.join(OUT_DIR, name + ".bin")
        with open(path, "wb") as f:
            f.write(blob)
        print(f"{name}: RSDP {rsdp:#x} rev {rev}, tables {' '.join(tables)}, {len(blob)} bytes -> "
              f"{os.path.relpath(path, REPO)}")


if __name__ == "__main__":
    main()
