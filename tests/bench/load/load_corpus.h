// The posts vigie-load sends: a realistic mix for Vigie's scorer (French and English, accents, emoji,
// hashtags and mentions, lengths from a short reply to a long post, about one in twenty naming a brand),
// generated once from a seed, and stamped with a fresh uid each time a batch is built so that no post is
// a duplicate of another (a duplicate is cheaper to ingest, and would flatter the figures).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::load {

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

  std::size_t size() const { return lines_.size(); }
  double mean_bytes() const;

 private:
  Corpus() = default;
  // Each post's JSON without its leading `{"uid":"...",`: the uid is spliced in front.
  std::vector<std::string> lines_;
};

}  // namespace vigie::load
