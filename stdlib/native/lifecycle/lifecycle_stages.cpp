// Lifecycle stages; see lifecycle_stages.h.
#include "lifecycle/lifecycle_stages.h"

#include <array>
#include <new>

#include "text/trim.h"

namespace syncline::stdlib::lifecycle {
namespace {

constexpr std::array<std::string_view, 8> kDefaultStages = {
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
    "evangelist", "other"};

// Display labels and abbreviations people and the UI use for the default stages.
struct Label {
  std::string_view label, value;
};
constexpr std::array<Label, 11> kLabels = {{
    {"marketing qualified lead", "marketingqualifiedlead"},
    {"mql", "marketingqualifiedlead"},
    {"sales qualified lead", "salesqualifiedlead"},
    {"sql", "salesqualifiedlead"},
    {"marketing_qualified_lead", "marketingqualifiedlead"},
    {"sales_qualified_lead", "salesqualifiedlead"},
    {"marketing-qualified-lead", "marketingqualifiedlead"},
    {"sales-qualified-lead", "salesqualifiedlead"},
    {"subscribers", "subscriber"},
    {"leads", "lead"},
    {"customers", "customer"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

struct LifecycleStages::Impl {
  std::vector<std::string> owned;         // custom lists only
  std::vector<std::string> owned_labels;  // custom lists only: per stage, may be empty
  std::vector<std::string_view> stages;
};

const LifecycleStages& LifecycleStages::hubspot_defaults() noexcept {
  static const LifecycleStages stages = [] {
    auto impl = std::make_shared<Impl>();
    impl->stages.assign(kDefaultStages.begin(), kDefaultStages.end());
    return LifecycleStages(std::move(impl));
  }();
  return stages;
}

LifecycleStages LifecycleStages::custom(std::span<const std::string_view> ordered_values) noexcept {
  return custom(ordered_values, {});
}

LifecycleStages LifecycleStages::custom(std::span<const std::string_view> ordered_values,
                                        std::span<const std::string_view> labels) noexcept {
  auto impl = std::make_shared<Impl>();
  try {
    impl->owned.reserve(ordered_values.size());
    impl->owned_labels.reserve(ordered_values.size());
    for (std::size_t i = 0; i < ordered_values.size(); ++i) {
      const auto v = text::trim(ordered_values[i]);
      if (v.empty()) continue;
      bool repeat = false;
      for (const auto& o : impl->owned) repeat |= o == v;
      if (repeat) continue;
      impl->owned.emplace_back(v);
      impl->owned_labels.emplace_back(i < labels.size() ? text::trim(labels[i])
                                                        : std::string_view{});
    }
    impl->stages.assign(impl->owned.begin(), impl->owned.end());
  } catch (const std::bad_alloc&) {
    impl->owned.clear();
    impl->owned_labels.clear();
    impl->stages.clear();
  }
  return LifecycleStages(std::move(impl));
}

std::size_t LifecycleStages::size() const noexcept {
  return impl_->stages.size();
}
std::string_view LifecycleStages::at(std::size_t rank) const noexcept {
  return rank < impl_->stages.size() ? impl_->stages[rank] : std::string_view{};
}

Result<std::size_t> LifecycleStages::rank(std::string_view stage) const noexcept {
  stage = text::trim(stage);
  if (stage.empty()) return {Status::blank, 0};
  const auto& s = impl_->stages;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == stage) return {Status::ok, i};
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (iequals(s[i], stage)) return {Status::ok, i};
  }
  const auto& labels = impl_->owned_labels;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!labels[i].empty() && iequals(labels[i], stage)) return {Status::ok, i};
  }
  for (const auto& l : kLabels) {
    if (!iequals(l.label, stage)) continue;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == l.value) return {Status::ok, i};
    }
  }
  return {Status::unknown_stage, 0};
}

Result<std::string_view> LifecycleStages::canonical(std::string_view stage) const noexcept {
  const auto r = rank(stage);
  if (!r) return {r.status, {}};
  return {Status::ok, impl_->stages[r.value]};
}

Result<int> LifecycleStages::compare(std::string_view a, std::string_view b) const noexcept {
  const auto ra = rank(a);
  if (!ra) return {ra.status, 0};
  const auto rb = rank(b);
  if (!rb) return {rb.status, 0};
  return {Status::ok, ra.value < rb.value ? -1 : ra.value > rb.value ? 1 : 0};
}

Result<std::string_view> LifecycleStages::later_of(std::string_view a,
                                                   std::string_view b) const noexcept {
  const auto ra = rank(a), rb = rank(b);
  if (ra.status == Status::unknown_stage || rb.status == Status::unknown_stage) {
    return {Status::unknown_stage, {}};
  }
  if (ra.status == Status::blank && rb.status == Status::blank) return {Status::blank, {}};
  if (ra.status == Status::blank) return {Status::ok, impl_->stages[rb.value]};
  if (rb.status == Status::blank) return {Status::ok, impl_->stages[ra.value]};
  return {Status::ok, impl_->stages[ra.value >= rb.value ? ra.value : rb.value]};
}

Result<std::string_view> LifecycleStages::advance_only_forward(
    std::string_view current, std::string_view proposed) const noexcept {
  const auto rc = rank(current), rp = rank(proposed);
  if (rc.status == Status::unknown_stage || rp.status == Status::unknown_stage) {
    return {Status::unknown_stage, {}};
  }
  if (rp.status == Status::blank) {
    return {Status::blank, rc.ok() ? impl_->stages[rc.value] : std::string_view{}};
  }
  if (rc.status == Status::blank || rp.value > rc.value) {
    return {Status::ok, impl_->stages[rp.value]};
  }
  return {Status::ok, impl_->stages[rc.value]};
}

}  // namespace syncline::stdlib::lifecycle
