#!/usr/bin/env bash
# Runs examples/activities (with the contacts sync of examples/leads-only) against both
# sandboxes: a first run (activities sync from now on, R89), a contact and a note on it in
# HubSpot, a plan, a second run, and the task it made in Salesforce.
#   bash examples/activities/try.sh [build/syncline]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
syncline=$(realpath "${1:-$repo/build/syncline}")
dir=$(mktemp -d)
export HS_TOKEN=example-token SF_TOKEN=example-token
"$syncline" sandbox serve --seed empty --token example-token >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q "Press Ctrl-C" "$dir/serve.log" && break; sleep 0.1; done
hs=$(grep -m1 "base URL" "$dir/serve.log" | grep -o 'http://[^ ]*')
sf=$(grep -m1 "instance URL" "$dir/serve.log" | grep -o 'http://[^ ]*')
cat >"$dir/syncline.toml" <<TOML
rules = ["$repo/examples/leads-only", "$repo/examples/activities"]
state = "$dir/state.db"
[hubspot]
url = "$hs"
token_env = "HS_TOKEN"
rate_limit = false
[salesforce]
url = "$sf"
token_env = "SF_TOKEN"
TOML
api() {  # METHOD URL [JSON]
  curl -sf -X "$1" -H "Authorization: Bearer example-token" -H "Content-Type: application/json" \
    ${3:+-d "$3"} "$2"
}
id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

"$syncline" run --config "$dir/syncline.toml" --once --quiet  # first run: activities start now
sleep 1  # HubSpot timestamps have millisecond resolution: be clearly after the first run
contact=$(api POST "$hs/crm/v3/objects/contacts" \
  '{"properties":{"email":"ada@example.com","lastname":"Lovelace"}}' | id)
note=$(api POST "$hs/crm/v3/objects/notes" \
  '{"properties":{"hs_timestamp":"2026-11-30T10:00:00Z","hs_note_body":"Asked for a quote"}}' | id)
api POST "$hs/crm/v4/associations/notes/contacts/batch/associate/default" \
  "{\"inputs\":[{\"from\":{\"id\":\"$note\"},\"to\":{\"id\":\"$contact\"}}]}" >/dev/null
tasks() {
  api GET "$sf/services/data/v60.0/query?q=SELECT+Subject,Description,Status,WhoId+FROM+Task"
}
"$syncline" plan --config "$dir/syncline.toml"
planned=$(tasks | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')
"$syncline" run --config "$dir/syncline.toml" --once
tasks | python3 -c '
import json, sys
records = json.load(sys.stdin)["records"]
for r in records:
    print(r["Subject"], "|", r["Description"], "|", r["Status"], "| WhoId", r["WhoId"])
sys.exit(0 if len(records) == 1 and records[0]["WhoId"] else 1)'
[ "$planned" = 0 ] || { echo "plan wrote $planned tasks" >&2; exit 1; }
