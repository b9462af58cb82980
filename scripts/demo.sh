#!/usr/bin/env bash
# The main job: start the demo deployable (Deployables/demo.yaml: two small QEMU guests under
# libvirt, monitored over ssh), break it three ways and watch pcloud recover, then print a timeline.
#
#   bash scripts/demo.sh            run it, then stop the deployable and everything the demo started
#   bash scripts/demo.sh --keep     leave it all running afterwards (and say how to watch it)
#
# Environment: PCLOUD_BIN (use these pcloud binaries instead of a release build),
# PCLOUD_DEMO_DIR (the demo's store, socket and logs; default /var/lib/pcloud/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  *) die "usage: scripts/demo.sh [--keep]" ;;
esac
need_root
repo=$(pwd)
dir=${PCLOUD_DEMO_DIR:-/var/lib/pcloud/demo}
mkdir -p "$dir"
avail=$(df --output=avail -k "$dir" | tail -1)
[ "$avail" -gt 4000000 ] || die "only $((avail / 1024)) MB free under $dir: the demo needs about 4 GB (base image, guest disks, build); free some space and run it again"

for setup in base ssh libvirt; do bash "scripts/setup/$setup.sh"; done
if [ -n "${PCLOUD_BIN:-}" ]; then
  bin=$PCLOUD_BIN
else
  say "building pcloud (release; the first build takes several minutes)"
  # A line every 200 build steps (and the last), so a first build of ~2000 steps shows it moves;
  # errors are printed as they come.
  progress() {
    awk '/^\[[0-9]+\/[0-9]+\]/ { split(substr($1, 2, length($1) - 2), s, "/"); if (s[1] - last >= 200 || s[1] == s[2]) {
           printf "    %s/%s steps: %s\n", s[1], s[2], $2 " " $3; last = s[1]; fflush() } next }
         /error:/ { print; fflush() }'
  }
  for product in cped pcloudsh; do
    swift build -c release --product "$product" 2>&1 | progress || die "the release build of $product failed (the errors are above)"
  done
  bin=$(swift build -c release --show-bin-path)
fi
say "the debian12 base image (built once, then cached)"
bash scripts/build-image.sh debian12

started_libvirtd="" libvirtd_pid="" started_virtlogd="" started_cped="" follower=""
# stop PID: SIGTERM, then SIGKILL if it is still there after 15 s.
stop() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 30); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$1" 2>/dev/null || true
}
demo_started=0
cleanup() {
  [ -n "$follower" ] && kill "$follower" 2>/dev/null || true
  if [ "$keep" = 0 ] && [ "$demo_started" = 1 ]; then
    # Something failed on the way: stop the guests too, not only the daemons.
    say "stopping the demo deployable after the failure"
    "${sh[@]}" deployable_stop demo --wait --timeout 3m >/dev/null 2>&1 || echo "warning: could not stop the demo deployable" >&2
  fi
  if [ "$keep" = 0 ]; then
    for pid in $started_cped $libvirtd_pid $started_libvirtd $started_virtlogd; do stop "$pid"; done
  fi
}
trap cleanup EXIT

# libvirtd: use the running one, or start one (under tini, so a killed guest is reported at once),
# with virtlogd, which keeps the guests' console logs.
started_virtlogd=""
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
  if ! pgrep -x virtlogd >/dev/null; then
    mkdir -p /var/log/libvirt /var/run/libvirt
    rm -f /run/libvirt/virtlogd-sock /run/libvirt/virtlogd-admin-sock  # left by one that was killed
    setsid virtlogd >>"$dir/virtlogd.log" 2>&1 &
    started_virtlogd=$!
  fi
  say "starting libvirtd"
  mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/qemu
  setsid tini -s -- libvirtd >>"$dir/libvirtd.log" 2>&1 &
  started_libvirtd=$!
  for _ in $(seq 1 60); do virsh -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.5; done
  virsh -c qemu:///system version >/dev/null 2>&1 || die "libvirtd did not start: see $dir/libvirtd.log"
  libvirtd_pid=$(pgrep -P "$started_libvirtd" -x libvirtd || true)
fi

# cped: the demo's own, on a private store and socket.
socket="$dir/cped.sock"
store="$dir/pcloud.sqlite"
export PCLOUD_SOCKET=$socket PCLOUD_STORE=$store
sh=("$bin/pcloudsh")
if ! "${sh[@]}" deployable_list >/dev/null 2>&1 || [ ! -S "$socket" ]; then
  say "starting cped (log: $dir/cped.log)"
  setsid "$bin/cped" --config "$dir/no-settings.yaml" --socket "$socket" --store "$store" --definitions "$repo" >>"$dir/cped.log" 2>&1 &
  started_cped=$!
  for _ in $(seq 1 60); do [ -S "$socket" ] && break; sleep 0.5; done
  [ -S "$socket" ] || die "cped did not start: see $dir/cped.log"
fi

# A stopped copy of the definitions (importing writes the deployable's uuid back into its file).
defs="$dir/definitions"
rm -rf "$defs" && mkdir -p "$defs" && cp -r Assemblies Deployables "$defs/"
if "${sh[@]}" deployable_status demo --json 2>/dev/null | grep -q '"state" *: *"\(running\|starting\|recovering\|degraded\)"'; then
  say "stopping the demo left running by an earlier --keep"
  "${sh[@]}" deployable_stop demo --wait --timeout 5m
fi
"${sh[@]}" deployable_import "$defs/Deployables/demo.yaml" --replace >/dev/null
first=$("${sh[@]}" events --json | tail -1 | python3 -c 'import json,sys; l=sys.stdin.read().strip(); print(json.loads(l)["seq"] if l else 0)')

say "starting the demo deployable: two QEMU guests under TCG (one to three minutes)"
"${sh[@]}" events --follow --deployable demo --after "$first" &
follower=$!
demo_started=1
"${sh[@]}" deployable_start demo --wait --timeout 15m

address() {
  "${sh[@]}" deployable_status demo --json | python3 -c "import json,sys; print(next(a['address'] for a in json.load(sys.stdin)['assemblies'] if a['name']=='$1'))"
}
in_guest() {
  ssh -i /var/lib/pcloud/ssh/id_ed25519 -o BatchMode=yes -o LogLevel=ERROR -o StrictHostKeyChecking=accept-new \
    -o UserKnownHostsFile="$dir/known_hosts" -o ConnectTimeout=20 "root@$(address "$1")" "$2"
}
last_seq() { "${sh[@]}" events --json --deployable demo --after "$first" | tail -1 | python3 -c 'import json,sys; l=sys.stdin.read().strip(); print(json.loads(l)["seq"] if l else 0)'; }
# Each failure: note when it was injected, then wait until pcloud has noticed it and recovered.
marks="$dir/injections"
: >"$marks"
inject() { seq=$(last_seq); echo "$(date +%s.%N) $1" >>"$marks"; }
wait_recovered() {
  "${sh[@]}" deployable_wait demo --for recovering --after "$seq" --timeout 2m >/dev/null
  "${sh[@]}" deployable_wait demo --for running --after "$seq" --timeout 15m >/dev/null
}

say "1. killing the back end's web server inside its guest: pcloud restarts the resource"
rm -f "$dir/known_hosts"
inject "backend killed"
in_guest demo-back 'pkill -f "^busybox httpd -p 8080"' || true
wait_recovered
say "2. killing it twice more within two minutes: escalation fences the guest and starts a new one"
for n in 2 3; do
  inject "backend killed ($n of 3)"
  in_guest demo-back 'pkill -f "^busybox httpd -p 8080"' || true
  wait_recovered
  rm -f "$dir/known_hosts"
done
say "3. killing the front end's QEMU process: libvirt reports it at once and pcloud restarts the guest"
inject "front end's qemu killed"
pkill -9 -f "guest=pcloud-demo-demo-front" || die "no QEMU process for demo-front"
wait_recovered
sleep 1
kill "$follower" 2>/dev/null || true
follower=""

say "timeline"
"${sh[@]}" events --json --deployable demo --after "$first" | python3 scripts/demo-timeline.py "$marks"

if [ "$keep" = 1 ]; then
  say "left running. Watch it with:"
  echo "  PCLOUD_SOCKET=$socket $bin/pcloudsh events --follow"
  echo "  PCLOUD_SOCKET=$socket $bin/pcloudsh deployable_status demo"
  echo "Stop it with: PCLOUD_SOCKET=$socket $bin/pcloudsh deployable_stop demo --wait"
else
  say "stopping the demo"
  "${sh[@]}" deployable_stop demo --wait --timeout 5m
fi
demo_started=0
