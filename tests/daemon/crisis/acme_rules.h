// The rule file of the crisis tests: one brand, and a critical topic that opens its incidents at once.
#pragma once

#include <string_view>

namespace vigie::daemon::testing {

inline constexpr std::string_view kAcmeRules = R"(
brands:
  - id: acme
    name: Acme Bank
    query: acme
topics:
  - id: breach
    query: '"data breach"'
    severity: critical
    brands: [acme]
)";

}  // namespace vigie::daemon::testing
