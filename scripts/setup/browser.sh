#!/usr/bin/env bash
# What the dashboard's browser tests need: Debian's headless Chromium, its WebDriver
# (chromedriver) and Selenium for Debian's own python3 (/usr/bin/python3, not a venv).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install chromium chromium-driver python3-selenium
