#!/usr/bin/env bash
# Installs what the kiosk needs from the system: GL/EGL for Kivy's off-screen and on-screen
# rendering, mtdev (touch input), a CJK font, espeak-ng and sox (speech), Prometheus (for the
# tests). Uses apt-get when root, otherwise names the packages to install and stops.
set -euo pipefail

packages=(libgl1 libegl1 libmtdev1 fonts-noto-cjk)
# systemd-analyze, for the test that scores deploy/kiosk.service's sandbox (tests/deploy).
packages+=(systemd)
# Prometheus and promtool: the suite tests the alert rules and scrapes a kiosk with the real
# server (deploy/prometheus). Debian's package may also enable a prometheus service on :9090.
packages+=(prometheus)
# Speech for the accessible mode (docs/accessibility.md): the engine, and sox's play for the output.
packages+=(espeak-ng sox)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup-system: not a Debian/Ubuntu system; make sure these are installed: ${packages[*]}" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "setup-system: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "setup-system: missing system packages: ${missing[*]}" >&2
    echo "setup-system: run as root:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
