#include "rules/detect/post_triggers.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "rules/rule_set.h"

namespace vigie::rules {
namespace {

// How much of the text a summary quotes: enough to recognise the post in a notification.
constexpr std::size_t kQuoteCodePoints = 80;

// The start of the post, as a quoted excerpt cut on a code point boundary (never inside a UTF-8 sequence) and
// on a word boundary when one is near, with "…" when something was cut.
std::string quote(const ingest::Post& p) {
  std::string_view text = p.text.empty() ? std::string_view(p.title) : std::string_view(p.text);
  std::size_t end = 0;
  std::size_t code_points = 0;
  while (end < text.size() && code_points < kQuoteCodePoints) {
    ++end;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      ++end;
    ++code_points;
  }
  std::string out = "\"";
  if (end >= text.size()) {
    out.append(text);
  } else {
    const std::size_t space = text.rfind(' ', end);
    if (space != std::string_view::npos && space + 20 > end) end = space;
    std::string_view cut = text.substr(0, end);
    while (!cut.empty() && cut.back() == ' ')
      cut.remove_suffix(1);
    out.append(cut);
    out.append("\xE2\x80\xA6");  // …
  }
  // A title and a text are joined by a newline: a summary is one line.
  std::replace(out.begin(), out.end(), '\n', ' ');
  out.push_back('"');
  return out;
}

std::string by_author(const ingest::Post& p) {
  if (!p.author.handle.empty()) return "by @" + p.author.handle;
  if (!p.platform.empty()) return "on " + p.platform;
  return "";
}

// Whether a topic applies to `brand` according to its `brands:` list; unknown topics are given the benefit of
// the doubt: the match says the post is critical.
bool topic_applies(const RuleSet* rules, std::string_view topic, std::string_view brand) {
  if (rules == nullptr) return true;
  for (const Topic& t : rules->topics()) {
    if (t.id != topic) continue;
    return t.brands.empty() || std::find(t.brands.begin(), t.brands.end(), brand) != t.brands.end();
  }
  return true;
}

Finding base_finding(const ScoredPost& post, std::string_view brand, DetectorKind kind) {
  Finding f;
  f.brand = std::string(brand);
  f.detector = kind;
  f.at = post.post.created_at;
  f.window_start = post.post.created_at;
  f.onset = true;
  f.post_uid = post.post.uid;
  return f;
}

}  // namespace

Result<void> validate(const PostTriggerOptions& o) {
  if (o.followers < 1 || o.critical_followers < o.followers) {
    return error("influencer: need 1 <= followers <= critical_followers");
  }
  return ok();
}

std::string format_followers(std::int64_t n) {
  if (n < 1000) return std::to_string(n);
  // Whole units from two digits on ("150k", "15M"); below, one decimal unless it is zero ("1.2M", "3k").
  const bool millions = n >= 999'500;  // 999,500 would round to "1000k"
  const double v = static_cast<double>(n) / (millions ? 1e6 : 1e3);
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 9.95 ? "%.1f" : "%.0f", v);
  std::string out = buf;
  if (out.ends_with(".0")) out.resize(out.size() - 2);
  return out + (millions ? "M" : "k");
}

std::vector<Finding> post_trigger_findings(const ScoredPost& post, std::string_view brand,
                                           const PostTriggerOptions& options, const RuleSet* rules) {
  std::vector<Finding> out;
  if (post.post.kind == ingest::Kind::del) return out;
  const bool mentions_brand = std::any_of(post.matches.begin(), post.matches.end(), [&](const Match& m) {
    return m.kind == RuleKind::brand && m.rule == brand;
  });
  if (!mentions_brand) return out;

  if (options.critical_keyword_enabled) {
    std::string topics;
    int n = 0;
    for (const Match& m : post.matches) {
      if (m.kind != RuleKind::topic || m.severity != Severity::critical) continue;
      if (!topic_applies(rules, m.rule, brand)) continue;
      topics += (n++ == 0 ? "\"" : ", \"") + m.rule + "\"";
    }
    if (n > 0) {
      Finding f = base_finding(post, brand, DetectorKind::critical_keyword);
      f.severity = Severity::critical;
      f.summary = std::string(n == 1 ? "critical topic " : "critical topics ") + topics + " in a post";
      if (const std::string who = by_author(post.post); !who.empty()) f.summary += " " + who;
      f.summary += ": " + quote(post.post);
      out.push_back(std::move(f));
    }
  }

  const std::int64_t followers = post.post.author.followers;
  if (options.influencer_enabled && followers >= options.followers &&
      post.sentiment.label == Label::negative) {
    Finding f = base_finding(post, brand, DetectorKind::influencer);
    f.severity = followers >= options.critical_followers ? Severity::critical : Severity::warning;
    std::string who = by_author(post.post);
    f.summary = "negative post" + (who.empty() ? std::string() : " " + who) + " (" +
                format_followers(followers) + " followers): " + quote(post.post);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigie::rules
