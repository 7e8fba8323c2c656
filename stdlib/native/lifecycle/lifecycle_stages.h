// std.lifecycle: HubSpot lifecycle stages in funnel order (R96, A8), comparisons, "the later
// of" and the forward-only rule HubSpot's automation follows (R99, R103), for the default
// stages or a portal's customised list (read from the property's options by displayOrder).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace syncline::stdlib::lifecycle {

// An ordered list of stage internal values. Copies are cheap (shared, immutable); lookups
// never allocate.
class LifecycleStages {
 public:
  // subscriber < lead < marketingqualifiedlead < salesqualifiedlead < opportunity < customer
  // < evangelist < other.
  static const LifecycleStages& hubspot_defaults() noexcept;

  // A customised list, in funnel order (sort the property options by displayOrder first).
  // Values are trimmed; blank values and repeats are skipped.
  static LifecycleStages custom(std::span<const std::string_view> ordered_values) noexcept;
  // The same with each value's label (`labels[i]` for `ordered_values[i]`; missing or blank:
  // none): a portal's own stages have ids as internal values ("1034525871") and names only as
  // labels ("Trial"), which rank() then also accepts.
  static LifecycleStages custom(std::span<const std::string_view> ordered_values,
                                std::span<const std::string_view> labels) noexcept;

  std::size_t size() const noexcept;
  std::string_view at(std::size_t rank) const noexcept;

  // Position of a stage (0 = earliest). Matching is exact on the trimmed internal value,
  // then ASCII case-insensitive, then the list's own labels (ASCII case-insensitive), then
  // the default labels ("Marketing Qualified Lead", "MQL", "SQL") mapped to their internal
  // values. Status: ok, blank, unknown_stage.
  Result<std::size_t> rank(std::string_view stage) const noexcept;

  // The canonical internal value of a stage ("MQL" -> "marketingqualifiedlead").
  Result<std::string_view> canonical(std::string_view stage) const noexcept;

  // <0, 0, >0 like strcmp, by funnel position. Status: ok, or unknown_stage/blank for
  // either side (blank is not "earlier than everything": callers decide).
  Result<int> compare(std::string_view a, std::string_view b) const noexcept;

  // The later of two stages (canonical value). A blank side yields the other one; both
  // blank -> blank; an unknown side -> unknown_stage.
  Result<std::string_view> later_of(std::string_view a, std::string_view b) const noexcept;

  // HubSpot's forward-only rule: the value to store when `proposed` arrives for a record at
  // `current`. The proposed stage when it is later (or current is blank), else current.
  // Status: ok, blank (proposed blank: keep current, value = current canonical or empty),
  // unknown_stage (either unknown).
  Result<std::string_view> advance_only_forward(std::string_view current,
                                                std::string_view proposed) const noexcept;

  struct Impl;

 private:
  explicit LifecycleStages(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace syncline::stdlib::lifecycle
