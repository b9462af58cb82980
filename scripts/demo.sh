#!/usr/bin/env bash
# The main job: build pcloud, load the demo deployable and show it.
# (Starting it on real guests and recovering injected failures arrives with the controller.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_root
bash scripts/setup/base.sh
say "building pcloud (release)"
swift build -c release --product pcloudsh >/dev/null
bin=$(swift build -c release --show-bin-path)
store=${PCLOUD_STORE:-/var/lib/pcloud/pcloud.sqlite}
say "validating the definitions"
"$bin/pcloudsh" validate .
say "loading Deployables/demo.yaml into $store"
"$bin/pcloudsh" --help >/dev/null
PCLOUD_STORE="$store" "$bin/pcloudsh" deployable_import Deployables/demo.yaml --replace
PCLOUD_STORE="$store" "$bin/pcloudsh" deployable_list
for assembly in $(PCLOUD_STORE="$store" "$bin/pcloudsh" deployable_assembly_list demo --json | python3 -c 'import json,sys; print(" ".join(a["name"] for a in json.load(sys.stdin)))'); do
  echo
  say "assembly $assembly"
  PCLOUD_STORE="$store" "$bin/pcloudsh" assembly_resource_list "$assembly"
done
