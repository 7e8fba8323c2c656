#!/usr/bin/env bash
# Runs examples/activities (with the contacts sync of examples/leads-only) against both
# sandboxes: a first run (activities sync from now on, R89), a contact and a note on it in
# HubSpot, a plan, a second run, and the task it made in Salesforce; then a call logged in
# Salesforce on the contact's lead, a third run, and the call engagement it made in HubSpot
# (and no echo either way).
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

# Salesforce -> HubSpot (from_salesforce.sync): a call logged on the lead becomes a HubSpot call.
lead=$(api GET "$sf/services/data/v60.0/query?q=SELECT+Id+FROM+Lead+WHERE+Email=%27ada%40example.com%27" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["Id"])')
api POST "$sf/services/data/v60.0/sobjects/Task" \
  "{\"Subject\":\"Call back\",\"TaskSubtype\":\"Call\",\"Status\":\"Completed\",\"WhoId\":\"$lead\"}" \
  >/dev/null
"$syncline" run --config "$dir/syncline.toml" --once | grep "activities from SF"
api GET "$hs/crm/v3/objects/calls?properties=hs_call_title,hs_call_status" | python3 -c '
import json, sys
calls = json.load(sys.stdin)["results"]
for c in calls:
    print(c["properties"]["hs_call_title"], "|", c["properties"]["hs_call_status"])
sys.exit(0 if len(calls) == 1 and calls[0]["properties"]["hs_call_title"] == "Call: Call back" else 1)'
# No echo: after another run, still one note in HubSpot and two tasks in Salesforce (the
# note's and the call).
"$syncline" run --config "$dir/syncline.toml" --once --quiet >/dev/null
count=$(tasks | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')
[ "$count" = 2 ] || { echo "expected 2 Salesforce tasks, found $count" >&2; exit 1; }
notes=$(api GET "$hs/crm/v3/objects/notes" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')
[ "$notes" = 1 ] || { echo "expected 1 HubSpot note, found $notes" >&2; exit 1; }
