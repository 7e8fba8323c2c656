// Crash recovery of the write journal. Every write is recorded as a pending intent before its
// API call and completed (with the links and base values it produced) in one transaction after
// it; a crash leaves pending intents whose outcome is unknown. On start, the engine reconciles
// each one by reading the target CRM back (by the created record's unique field, or by comparing
// the updated fields) before it does anything else.
#pragma once

#include <functional>
#include <string>

#include "connectors/connector.h"
#include "state/state_store.h"

namespace syncline::state {

struct IntentOutcome {
  enum Kind { kApplied, kNotApplied, kUnknown } kind = kUnknown;
  std::string result_id;  // kApplied: the record the write produced or touched
  std::string message;
};

// What the engine does once an intent's outcome is known: for kApplied, record the link and
// base values the write would have recorded (in the same transaction as the completion).
using AppliedHandler = std::function<void(const Intent&, const std::string& result_id)>;

struct RecoveryReport {
  int applied = 0, not_applied = 0, unknown = 0;
};

// Resolves every pending intent with `resolve`: applied ones are completed (calling on_applied
// inside the transaction), not-applied ones abandoned (the next sync pass redoes the write from
// fresh reads: nothing is lost), unknown ones stay pending (no connectivity: try again later;
// the engine must not start writing while any remain).
RecoveryReport RecoverJournal(StateStore& store,
                              const std::function<IntentOutcome(const Intent&)>& resolve,
                              const AppliedHandler& on_applied, int64_t now_ms);

// The standard resolver: creates and upserts are found again by lookup_field/lookup_value;
// updates count as applied when every field of the payload already has the intended value;
// deletes when the record is gone.
//
// A create without a unique field (an account, an opportunity, a ticket) is found by content:
// the records whose first text field of the payload (a name) has the written value, modified no
// earlier than five minutes before the intent, and not `taken` (already linked to another
// record); the smallest such id is the one the write made. None: not applied.
IntentOutcome ResolveWithConnector(connectors::Connector& connector, const Intent& intent,
                                   const std::function<bool(const std::string& id)>& taken = {});

}  // namespace syncline::state
