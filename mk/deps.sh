#!/usr/bin/env bash
# deps.sh — make sure the tools sigma4 needs are installed (Debian 12).
# As root it installs what is missing with apt-get; otherwise it prints the exact command.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have gcc || need+=(gcc)
have g++ || need+=(g++)
have ld || need+=(binutils)
have make || need+=(make)
have python3 || need+=(python3)
have qemu-system-x86_64 || need+=(qemu-system-x86)
have cppcheck || need+=(cppcheck)             # tools/analyze.sh
# the host unit tests use the sanitizers' runtime libraries
if have gcc && ! echo 'int main(void){return 0;}' | gcc -x c -fsanitize=address,undefined -o /dev/null - 2>/dev/null; then
    need+=(libasan8 libubsan1)
fi

[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    $cmd
else
    echo "deps: missing packages: ${need[*]}" >&2
    echo "deps: run as root:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
