#!/usr/bin/env bash
# The real OpenStack code the PCloudOpenStack tests run against (Tests/NovaHarness): Nova with
# placement and Nova's own functional-test fixtures, and Keystone, in one cached virtualenv
# (Keystone only adds Flask and a few packages to Nova's dependencies, so one venv halves the
# install). Idempotent: a venv whose stamp matches its requirements is left alone (a few ms).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install python3 python3-venv

CACHE=${PCLOUD_CACHE:-/var/cache/pcloud}
REQUIREMENTS="nova openstack-placement keystone testtools oslotest fixtures wsgi-intercept requests-mock testscenarios"
VENV="$CACHE/openstack-venv"

# make_venv DIR REQUIREMENTS...: (re)creates DIR when its stamp does not match the requirements.
make_venv() {
  local dir=$1; shift
  local stamp="$dir/.pcloud-stamp" want="$*"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/bin/python" ]; then return 0; fi
  say "creating $dir ($want)"
  local started=$SECONDS
  rm -rf "$dir"
  /usr/bin/python3 -m venv "$dir"
  "$dir/bin/pip" install -q "$@" || die "pip could not install $want into $dir"
  echo "$want" > "$stamp"
  say "$dir ready in $((SECONDS - started)) s"
}

mkdir -p "$CACHE"
make_venv "$VENV" $REQUIREMENTS
# nova.api.wsgi.Loader looks for api-paste.ini next to the installed package's data files.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ ! -f "$site/etc/nova/api-paste.ini" ]; then
  mkdir -p "$site/etc/nova"
  cp "$VENV/etc/nova/api-paste.ini" "$site/etc/nova/api-paste.ini"
fi
