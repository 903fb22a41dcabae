#!/usr/bin/env bash
# The console's browser tests (tests/integration/gateway/test_console_browser.py) drive Debian's
# Chromium through Debian's chromedriver (built from the same source package, so their versions
# always match; nothing is downloaded by Selenium). Install them when missing and we are root;
# never fail here: without them the browser test is skipped, saying what to install.
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing chromium chromium-driver with apt"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null) \
    || echo "chromium: could not install it; the console's browser test will be skipped" >&2
else
  echo "chromium: the console's browser test needs Debian's chromium and chromium-driver" >&2
fi
exit 0
