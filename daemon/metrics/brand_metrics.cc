#include "daemon/metrics/brand_metrics.h"

#include <algorithm>

namespace vigie::daemon {
namespace {

std::string_view sentiment_label(const rules::Sentiment& s) {
  return s.scored ? rules::to_string(s.label) : std::string_view("unscored");
}

// A platform name fit for a label: short, lower-case letters, digits, '_' and '-' (what sources write). Any
// other value, from a client pushing posts, is folded to "other" so that it cannot grow the series.
bool plain_platform(std::string_view p) {
  if (p.empty() || p.size() > 32) return false;
  return std::all_of(p.begin(), p.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

BrandMetrics::BrandMetrics(prometheus::Registry& registry)
    : mentions_(
          prometheus::BuildCounter()
              .Name("vigie_mentions_total")
              .Help("Posts stored that mention a brand, by brand, sentiment (positive, neutral, negative, "
                    "unscored) and platform; each post counts once per brand")
              .Register(registry)),
      reach_(prometheus::BuildCounter()
                 .Name("vigie_mention_reach_total")
                 .Help("Sum of the followers of the authors of a brand's mentions (unknown counts 0)")
                 .Register(registry)),
      compound_(prometheus::BuildHistogram()
                    .Name("vigie_sentiment_compound")
                    .Help("Compound sentiment score (-1..1) of a brand's scored mentions")
                    .Register(registry)),
      topics_(prometheus::BuildCounter()
                  .Name("vigie_topic_mentions_total")
                  .Help("Mentions of a brand that also matched a topic, by brand, topic and topic severity")
                  .Register(registry)),
      events_(prometheus::BuildCounter()
                  .Name("vigie_incident_events_total")
                  .Help("Incident lifecycle events by brand and event (opened, escalated, acknowledged, "
                        "resolved)")
                  .Register(registry)) {}

void BrandMetrics::remove(Brand& b) {
  if (b.reach) reach_.Remove(b.reach);
  if (b.compound) compound_.Remove(b.compound);
  for (auto& [key, c] : b.mentions)
    mentions_.Remove(c);
  for (auto& [id, t] : b.topics)
    topics_.Remove(t.counter);
  for (auto& [event, c] : b.events)
    events_.Remove(c);
  b = Brand{};
}

void BrandMetrics::set_rules(const rules::RuleSet* rules) {
  std::lock_guard lock(mu_);
  std::vector<std::string> order;
  std::set<std::string, std::less<>> in_force;
  if (rules) {
    for (const rules::Brand& b : rules->brands()) {
      order.push_back(b.id);
      in_force.insert(b.id);
    }
  }
  for (auto it = brands_.begin(); it != brands_.end();) {
    if (in_force.contains(it->first)) {
      ++it;
      continue;
    }
    remove(it->second);
    it = brands_.erase(it);
  }
  topic_rules_.clear();
  std::size_t pairs = 0;  // (brand, topic) pairs
  if (rules) {
    for (const rules::Topic& t : rules->topics()) {
      TopicRule& r = topic_rules_[t.id];
      r.severity = std::string(rules::to_string(t.severity));
      r.brands.insert(t.brands.begin(), t.brands.end());
      pairs += t.brands.empty() ? order.size() : t.brands.size();
    }
  }
  // Compound scores cluster near 0 (neutral posts) and spread over both signs; the bounds around ±0.05 are
  // VADER's neutral threshold.
  const prometheus::Histogram::BucketBoundaries bounds{-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75, 1};
  for (const std::string& id : order) {
    Brand& b = brands_[id];
    if (!b.reach) b.reach = &reach_.Add({{"brand", id}});
    if (!b.compound) b.compound = &compound_.Add({{"brand", id}}, bounds);
    for (const std::string_view event : kIncidentEvents) {
      if (!b.events.contains(event))
        b.events.emplace(std::string(event), &events_.Add({{"brand", id}, {"event", std::string(event)}}));
    }
    // A topic removed, no longer applying to this brand, or whose severity changed loses its old series.
    for (auto it = b.topics.begin(); it != b.topics.end();) {
      const auto t = topic_rules_.find(it->first);
      if (t != topic_rules_.end() && t->second.severity == it->second.severity &&
          (t->second.brands.empty() || t->second.brands.contains(id))) {
        ++it;
        continue;
      }
      topics_.Remove(it->second.counter);
      it = b.topics.erase(it);
    }
    if (pairs <= kMaxTopicSeriesAtZero) {
      for (const auto& [topic, rule] : topic_rules_)
        (void)topic_counter(id, b, topic);
    }
  }
  order_ = std::move(order);
}

prometheus::Counter* BrandMetrics::topic_counter(const std::string& brand, Brand& b, std::string_view topic) {
  if (const auto it = b.topics.find(topic); it != b.topics.end()) return it->second.counter;
  const auto t = topic_rules_.find(topic);
  if (t == topic_rules_.end() || !(t->second.brands.empty() || t->second.brands.contains(brand)))
    return nullptr;
  const std::string& severity = t->second.severity;
  return b.topics
      .emplace(std::string(topic),
               Brand::Topic{
                   severity,
                   &topics_.Add({{"brand", brand}, {"topic", std::string(topic)}, {"severity", severity}})})
      .first->second.counter;
}

std::string_view BrandMetrics::platform_label(const std::string& platform) {
  if (const auto it = platforms_.find(platform); it != platforms_.end()) return *it;
  if (!plain_platform(platform) || platforms_.size() >= kMaxPlatforms) return "other";
  return *platforms_.insert(platform).first;
}

void BrandMetrics::count(std::span<const rules::ScoredPost> posts,
                         std::span<const storage::PostOutcome> outcomes) {
  const std::size_t n = std::min(posts.size(), outcomes.size());
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < n; ++i) {
    if (outcomes[i] != storage::PostOutcome::inserted) continue;
    const rules::ScoredPost& p = posts[i];
    rules::matched_brands(p, matched_);
    if (matched_.empty()) continue;
    const std::string_view sentiment = sentiment_label(p.sentiment);
    const std::string_view platform = platform_label(p.post.platform);
    const double followers = p.post.author.followers > 0 ? static_cast<double>(p.post.author.followers) : 0;
    for (const std::string_view id : matched_) {
      // A post scored by rules a reload has just replaced may name a brand that is gone: not counted, or its
      // series would come back.
      const auto it = brands_.find(id);
      if (it == brands_.end()) continue;
      Brand& b = it->second;
      key_.assign(sentiment).append(1, '\x1f').append(platform);
      auto m = b.mentions.find(key_);
      if (m == b.mentions.end()) {
        m = b.mentions
                .emplace(key_, &mentions_.Add({{"brand", std::string(id)},
                                               {"sentiment", std::string(sentiment)},
                                               {"platform", std::string(platform)}}))
                .first;
      }
      m->second->Increment();
      b.reach->Increment(followers);
      if (p.sentiment.scored) b.compound->Observe(p.sentiment.compound);
      for (const rules::Match& match : p.matches) {
        if (match.kind != rules::RuleKind::topic) continue;
        if (prometheus::Counter* c = topic_counter(it->first, b, match.rule)) c->Increment();
      }
    }
  }
}

void BrandMetrics::incident_event(const std::string& brand, std::string_view event) {
  std::lock_guard lock(mu_);
  const auto it = brands_.find(brand);
  if (it == brands_.end()) return;
  auto e = it->second.events.find(event);
  if (e == it->second.events.end()) {
    // An event the book emits that kIncidentEvents does not list yet: exported from its first occurrence.
    e = it->second.events
            .emplace(std::string(event), &events_.Add({{"brand", brand}, {"event", std::string(event)}}))
            .first;
  }
  e->second->Increment();
}

std::vector<std::string> BrandMetrics::brands() const {
  std::lock_guard lock(mu_);
  return order_;
}

}  // namespace vigie::daemon
