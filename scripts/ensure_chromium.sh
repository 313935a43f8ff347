#!/usr/bin/env sh
# Make sure Debian's headless-capable Chromium is at /usr/bin/chromium (the hub UI tests drive it
# over the DevTools protocol). Installs the `chromium` package with apt-get when it is missing,
# as root or through sudo, and says what it did.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "ensure_chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "ensure_chromium: /usr/bin/chromium is missing and I am neither root nor allowed to sudo;" >&2
    echo "ensure_chromium: install it with: apt-get install -y chromium" >&2
    exit 1
fi

echo "ensure_chromium: /usr/bin/chromium is missing; installing Debian's chromium package"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
echo "ensure_chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
