# Shared helpers for pcloud's scripts: sourced, not run.
export PATH="$PATH:/opt/swift/usr/bin"
export DEBIAN_FRONTEND=noninteractive

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "this needs root (it installs packages and starts daemons): run it with sudo"
}

# apt_install PKG...: installs what is missing; refreshes the package lists only when an install
# cannot find what it needs (a fresh machine), so repeated runs stay fast.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  # All of apt's output to a file, never to our stdout or stderr: a daemon a package's postinst
  # starts (no systemd here, so some start at once) would otherwise hold the caller's pipe open, and
  # whoever reads it (CI) would wait for its end long after this script is done.
  local log=/tmp/pcloud-apt.log
  if ! apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1 </dev/null; then
    apt-get update -qq >>"$log" 2>&1 </dev/null || { tail -20 "$log" >&2; die "apt-get update failed: check the network and /etc/apt/sources.list"; }
    apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1 </dev/null || { tail -20 "$log" >&2; die "could not install ${missing[*]} (see $log)"; }
  fi
}
