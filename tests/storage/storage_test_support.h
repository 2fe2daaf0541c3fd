// What the storage tests share: a temporary directory and a builder of scored posts.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rules/scored_post.h"
#include "storage/database.h"

namespace vigie::storage::testing {

// A fresh directory under TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vigie_storage_test.XXXXXX";
    if (!mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline constexpr Micros kMinute = 60 * kMicrosPerSecond;
inline constexpr Micros kHour = 60 * kMinute;
inline constexpr Micros kDay = 24 * kHour;
// 2026-11-22T14:05:00Z: a fixed "now" for tests that do not involve retention.
inline constexpr Micros kT0 = 1795356300LL * kMicrosPerSecond;

struct PostSpec {
  std::string uid;
  Micros created_at = kT0;
  std::vector<std::string> brands;
  std::vector<std::string> topics;
  rules::Label label = rules::Label::neutral;
  float compound = 0;
  std::int64_t followers = 100;
  ingest::Kind kind = ingest::Kind::post;
  std::string platform = "mastodon";
  std::string source = "masto-fr";
  std::string lang = "fr";
  std::string text = "un texte";
};

inline rules::ScoredPost make_post(const PostSpec& s) {
  rules::ScoredPost p;
  p.post.uid = s.uid;
  p.post.platform = s.platform;
  p.post.kind = s.kind;
  p.post.author.handle = "user_" + s.uid;
  p.post.author.name = "User " + s.uid;
  p.post.author.followers = s.followers;
  p.post.text = s.text;
  p.post.url = "https://example.org/" + s.uid;
  p.post.created_at = s.created_at;
  p.post.received_at = s.created_at + kMicrosPerSecond;
  p.post.source = s.source;
  p.lang = s.lang;
  p.sentiment.compound = s.compound;
  p.sentiment.label = s.label;
  p.sentiment.scored = true;
  for (const auto& b : s.brands)
    p.matches.push_back({b, rules::RuleKind::brand, rules::Severity::info});
  for (const auto& t : s.topics)
    p.matches.push_back({t, rules::RuleKind::topic, rules::Severity::warning});
  return p;
}

inline std::unique_ptr<Database> open_db(const std::string& path, DatabaseOptions o = {}) {
  o.path = path;
  auto db = Database::open(o);
  if (!db) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace vigie::storage::testing
