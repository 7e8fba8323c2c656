// Recovery after a create whose outcome is unknown (the connection dropped after sending):
// both connectors read the records back by a unique field instead of sending blindly again.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "connectors/connector.h"

namespace syncline::connectors {

// Looks up `items[which]` by `dedupe_field`; those found already exist and are marked created
// in `out`. Returns the indexes still to send, or the error of the look-up.
std::variant<std::vector<size_t>, Error> ReadBackCreated(Connector& connector,
                                                         const std::string& object,
                                                         const std::vector<WriteItem>& items,
                                                         const std::vector<size_t>& which,
                                                         const std::string& dedupe_field,
                                                         std::vector<WriteResult>& out);

}  // namespace syncline::connectors
