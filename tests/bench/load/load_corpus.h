// The posts vigie-load sends: a realistic mix for Vigie's scorer (French and English, accents, emoji,
// hashtags and mentions, lengths from a short reply to a long post, about one in twenty naming a brand),
// generated once from a seed, and stamped with a fresh uid each time a batch is built so that no post is
// a duplicate of another (a duplicate is cheaper to ingest, and would flatter the figures).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/timestamp.h"

namespace vigie::load {

// A month of a brand's posts in a file, for `vigie replay` and anything else that reads NDJSON: `posts` posts
// created over `days` days from `from`, more in the evening than at night (a daily cycle), in time order
// within a minute's jitter (the allowed lateness absorbs it). Over three hours in the afternoon of the day
// two thirds through, one post in six is an outage complaint about the first brand: detectors have a real
// spike to find among ordinary buckets.
struct MonthOptions {
  std::uint64_t posts = 1'000'000;
  int days = 30;
  Micros from = 1'793'491'200 * kMicrosPerSecond;  // 2026-11-01T00:00:00Z
};

struct CorpusOptions {
  std::vector<std::string> brands = {"Acme Bank", "Volta"};  // named in about `brand_share` of the posts
  double brand_share = 0.05;
  std::size_t size = 20'000;  // distinct posts before the corpus repeats (with new uids)
  std::uint32_t seed = 20261203;
};

class Corpus {
 public:
  explicit Corpus(const CorpusOptions& options);
  // Posts read from an NDJSON file, one JSON object a line; their `uid` is replaced. Empty on a bad file.
  static Corpus from_file(const std::string& path, std::string* error);

  // Appends `n` NDJSON lines, the posts numbered [first, first + n), with uids "<prefix><number>".
  void append_batch(std::string& body, std::string_view uid_prefix, std::uint64_t first, int n) const;

  // Writes the month to `path`; false (and `error`) when the file cannot be written. A generated corpus
  // writes a new post each time; one read from a file, its posts in turn.
  bool write_month(const std::string& path, const MonthOptions& month, std::string* error) const;

  std::size_t size() const { return lines_.size(); }
  double mean_bytes() const;

 private:
  Corpus() = default;
  std::optional<CorpusOptions> generated_;  // how the posts were made; none when read from a file
  // Each post's JSON without its leading `{"uid":"...",`: the uid is spliced in front.
  std::vector<std::string> lines_;
};

}  // namespace vigie::load
