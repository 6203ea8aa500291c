#!/bin/sh
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it;
# it cannot download a browser of its own here). Installs it when missing.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Chromium from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q chromium >/dev/null
  }
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "no Chromium at /usr/bin/chromium and no way to install one" >&2
  exit 1
fi
