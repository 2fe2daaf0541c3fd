#include <prometheus/registry.h>

#include <iostream>

#include "daemon/cli/commands.h"
#include "daemon/config/config.h"
#include "daemon/notify/notifier.h"
#include "daemon/source_factory.h"
#include "rules/post_scorer.h"

namespace vigie::daemon {
namespace {

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

int check_command(const std::string& config_path) {
  auto config = load_config(config_path);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  prometheus::Registry scratch;
  if (auto sources = build_sources(*config, scratch); !sources) {
    std::cerr << sources.error().message << "\n";
    return 2;
  }
  if (auto notifiers = read_notifiers(config->notifiers); !notifiers) {
    std::cerr << notifiers.error().message << "\n";
    return 2;
  }
  auto scorer = rules::PostScorer::load(config->rules_file);
  if (!scorer) {
    std::cerr << scorer.error().message << "\n";
    return 2;
  }
  const rules::RuleSet* r = (*scorer)->rules();
  std::cout << "ok: " << plural(r ? r->brand_count() : 0, "brand") << ", "
            << plural(r ? r->topic_count() : 0, "topic") << ", "
            << plural(r ? r->pattern_count() : 0, "pattern") << "; "
            << plural(config->sources.size(), "source") << ", "
            << plural(config->notifiers.size(), "notifier") << ", " << plural(config->tokens.size(), "token")
            << "\n";
  return 0;
}

}  // namespace vigie::daemon
