// What the brands' audience said, as Prometheus series: the metrics a communications dashboard reads.
//
//   vigie_mentions_total{brand, sentiment, platform}   sentiment: positive, neutral, negative, unscored
//   vigie_mention_reach_total{brand}                   sum of the authors' followers (unknown counts 0)
//   vigie_sentiment_compound{brand}                    histogram of the compound score of scored mentions
//   vigie_topic_mentions_total{brand, topic, severity}
//   vigie_incident_events_total{brand, event}          opened, escalated, acknowledged, resolved
//
// Counted once per post, when storage first stores it and it is durable (count()): a duplicate, an edit or a
// delete adds nothing, so a replayed feed or a source re-sending after a restart never counts twice. Counters
// start at 0 with the process, as Prometheus expects.
//
// Labels are bounded: brands and topics come from the rules in force (set_rules()); series of a brand or topic
// a reload removed are removed from the families, and posts or events naming them are no longer counted.
// A brand's series exist from set_rules() on, at 0. So do the (brand, topic) pairs' while the rules hold at
// most kMaxTopicSeriesAtZero of them; past that, a pair's series appears with its first mention: a rule file
// of 1,000 brands and 9,000 topics makes millions of pairs, whose series at 0 took gigabytes and made every
// scrape hundreds of megabytes, where only the pairs people talk about carry information.
// Platforms are taken from the posts, up to kMaxPlatforms distinct values; later ones count as "other". No
// author, post id or URL is ever a label.
//
// Thread-safety: every method may be called from any thread; one mutex guards the cached label handles.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/rule_set.h"
#include "rules/scored_post.h"
#include "storage/posts/write_types.h"

namespace vigie::daemon {

class BrandMetrics {
 public:
  static constexpr std::size_t kMaxPlatforms = 16;
  static constexpr std::size_t kMaxTopicSeriesAtZero = 10'000;
  // The incident events exported (and set to 0 for every brand): what the incident book reports.
  static constexpr std::string_view kIncidentEvents[] = {"opened", "escalated", "acknowledged", "resolved"};

  // `registry` must outlive this.
  explicit BrandMetrics(prometheus::Registry& registry);

  // The rules in force (null: none). Creates every brand's and (within kMaxTopicSeriesAtZero) every (brand,
  // topic) pair's series at 0, so that a dashboard sees a brand before its first mention, and removes those of
  // brands and topics no longer there.
  void set_rules(const rules::RuleSet* rules);

  // A batch just made durable, with what storage did with each post (outcomes[i] is posts[i]'s; a summary
  // without outcomes counts nothing). Only posts stored for the first time count.
  void count(std::span<const rules::ScoredPost> posts, std::span<const storage::PostOutcome> outcomes);

  // One timeline change of an incident of `brand`. Events of a brand no longer in the rules are not counted.
  void incident_event(const std::string& brand, std::string_view event);

  // The brand ids of the rules in force, in file order.
  std::vector<std::string> brands() const;

 private:
  struct Brand {
    prometheus::Counter* reach = nullptr;
    prometheus::Histogram* compound = nullptr;
    std::map<std::string, prometheus::Counter*, std::less<>> mentions;  // by "sentiment\x1fplatform"
    struct Topic {
      std::string severity;
      prometheus::Counter* counter = nullptr;
    };
    std::map<std::string, Topic, std::less<>> topics;  // the topics that apply to the brand, by id
    std::map<std::string, prometheus::Counter*, std::less<>> events;
  };
  // A topic of the rules in force: its severity label, and the brands it applies to (empty: all).
  struct TopicRule {
    std::string severity;
    std::set<std::string, std::less<>> brands;
  };
  // `b`'s series of `topic`, made when missing; nullptr when the topic does not apply to the brand.
  prometheus::Counter* topic_counter(const std::string& brand, Brand& b, std::string_view topic);
  void remove(Brand& b);
  std::string_view platform_label(const std::string& platform);  // with mu_ held

  prometheus::Family<prometheus::Counter>& mentions_;
  prometheus::Family<prometheus::Counter>& reach_;
  prometheus::Family<prometheus::Histogram>& compound_;
  prometheus::Family<prometheus::Counter>& topics_;
  prometheus::Family<prometheus::Counter>& events_;

  mutable std::mutex mu_;
  std::vector<std::string> order_;                    // brand ids in file order
  std::map<std::string, Brand, std::less<>> brands_;  // by id
  std::set<std::string, std::less<>> platforms_;
  std::map<std::string, TopicRule, std::less<>> topic_rules_;  // by id
  std::vector<std::string_view> matched_;                      // scratches of count()
  std::string key_;
};

}  // namespace vigie::daemon
