#include "rules/rule_file.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "ingest/base/timestamp.h"

namespace vigie::rules {
namespace {

constexpr std::size_t kNoPosition = static_cast<std::size_t>(-1);

// Thrown inside the loader only; load functions turn it into a Result.
struct LoadError {
  std::size_t pos;  // byte offset in the source, or kNoPosition
  std::string message;
};

std::string locate(std::string_view source, std::string_view name, std::size_t pos) {
  if (pos == kNoPosition) return std::string(name) + ": ";
  pos = std::min(pos, source.size());
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(source.begin(), source.begin() + pos, '\n'));
  const std::size_t line_start = source.rfind('\n', pos == 0 ? 0 : pos - 1);
  const std::size_t column = line_start == std::string_view::npos || pos == 0 ? pos + 1 : pos - line_start;
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// Decoded length of a double-quoted escape at src[p] == '\\': sets `produced` (bytes of the value) and
// returns the escape's length in the source.
std::size_t escape_length(std::string_view src, std::size_t p, std::size_t& produced) {
  produced = 1;
  if (p + 1 >= src.size()) return 1;
  int hex = 0;
  switch (src[p + 1]) {
    case 'x':
      hex = 2;
      break;
    case 'u':
      hex = 4;
      break;
    case 'U':
      hex = 8;
      break;
    case 'N':
    case '_':
      produced = 2;
      return 2;
    case 'L':
    case 'P':
      produced = 3;
      return 2;
    case '\n':
    case '\r': {
      // An escaped line break joins the lines: it and the next line's indentation produce nothing.
      produced = 0;
      std::size_t q = p + 1;
      while (q < src.size() && (src[q] == '\n' || src[q] == '\r'))
        ++q;
      while (q < src.size() && (src[q] == ' ' || src[q] == '\t'))
        ++q;
      return q - p;
    }
    default:
      return 2;
  }
  std::uint32_t cp = 0;
  std::from_chars(src.data() + p + 2, src.data() + std::min(src.size(), p + 2 + hex), cp, 16);
  produced = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  return 2 + static_cast<std::size_t>(hex);
}

}  // namespace

std::size_t scalar_source_offset(std::string_view src, std::size_t scalar_pos, std::string_view value,
                                 std::size_t offset) {
  std::size_t p = std::min(scalar_pos, src.size());
  if (p == src.size()) return p;
  const char style = src[p];
  const bool dquoted = style == '"';
  if (style == '"' || style == '\'') {
    ++p;
  } else if (style == '|' || style == '>') {
    const std::size_t nl = src.find('\n', p);
    p = nl == std::string_view::npos ? src.size() : nl + 1;
  }
  // Walk the value and the source together: every value byte comes from the source in order, except what
  // quoting, escapes, indentation and line folding add or remove.
  std::size_t v = 0;
  auto folds = [&](char value_char, char source_char) {
    return (value_char == ' ' || value_char == '\n') && (source_char == '\n' || source_char == '\r');
  };
  while (p < src.size() && v <= offset && v < value.size()) {
    if (dquoted && src[p] == '\\') {
      std::size_t produced = 0;
      const std::size_t len = escape_length(src, p, produced);
      if (v + produced > offset) return p;
      v += produced;
      p += len;
      continue;
    }
    if (value[v] == src[p] || folds(value[v], src[p])) {
      if (v == offset) return p;
      const bool newline = src[p] == '\n' || src[p] == '\r';
      ++v;
      ++p;
      if (newline) {
        while (p < src.size() && (src[p] == ' ' || src[p] == '\t'))
          ++p;
      }
      continue;
    }
    ++p;  // a doubled quote, indentation, or a space that folding removed
  }
  return p;
}

namespace {

class Loader {
 public:
  Loader(std::string_view source, std::string_view name) : source_(source), name_(name) {}

  RuleSetSpec load() {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(source_));
    } catch (const YAML::ParserException& e) {
      throw LoadError{mark_pos(e.mark), e.msg};
    }
    // New top-level sections (detectors, ...) are one more entry here, in the order they must be read.
    static const std::pair<std::string_view, void (Loader::*)(const YAML::Node&)> kSections[] = {
        {"brands", &Loader::brands},
        {"topics", &Loader::topics},
        {"sentiment", &Loader::sentiment},
        {"detection", &Loader::detection},
    };
    std::string names;
    for (const auto& section : kSections)
      names += (names.empty() ? "" : ", ") + std::string(section.first);
    if (!root || root.IsNull()) return std::move(spec_);
    if (!root.IsMap()) fail(root, "a rule file is a mapping with the sections " + names);
    std::set<std::string> seen;
    for (const auto& kv : root) {
      const std::string key = scalar(kv.first, "key");
      if (!seen.insert(key).second) fail(kv.first, "duplicate key '" + key + "'");
      if (std::none_of(std::begin(kSections), std::end(kSections),
                       [&](const auto& s) { return s.first == key; })) {
        fail(kv.first, "unknown key '" + key + "' (expected " + names + ")");
      }
    }
    // In table order, whatever the file's order: topics refer to brands.
    for (const auto& [section, read] : kSections) {
      for (const auto& kv : root) {
        if (kv.first.Scalar() == section) (this->*read)(kv.second);
      }
    }
    // Brand overrides are merged once the defaults are known, wherever the sections stand in the file.
    spec_.detection = merge_detection(nullptr, "");
    for (const auto& [index, node] : brand_detection_) {
      Brand& b = spec_.brands[index];
      b.detection = merge_detection(&node, "brand " + quoted(b.id) + " ");
    }
    return std::move(spec_);
  }

 private:
  std::size_t mark_pos(const YAML::Mark& m) const {
    return m.is_null() || m.pos < 0 ? kNoPosition : static_cast<std::size_t>(m.pos);
  }

  [[noreturn]] void fail(const YAML::Node& n, std::string message) const {
    throw LoadError{mark_pos(n.Mark()), std::move(message)};
  }

  std::string scalar(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) fail(n, "'" + std::string(what) + "' must be a string");
    return n.Scalar();
  }

  // Language and platform names compare case-insensitively: they are stored lower case.
  std::vector<std::string> string_list(const YAML::Node& n, std::string_view key, const std::string& rule,
                                       bool lower) const {
    const std::string what = "'" + std::string(key) + "' of " + rule + " must be a list of strings";
    if (!n.IsSequence()) fail(n, what);
    std::vector<std::string> out;
    for (const auto& item : n) {
      if (!item.IsScalar() || item.Scalar().empty()) fail(item, what);
      std::string s = item.Scalar();
      if (lower) {
        for (char& c : s)
          c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  double number(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a number");
    const std::string& s = n.Scalar();
    double d = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) fail(n, what + " must be a number");
    return d;
  }

  QueryNode query(const YAML::Node& n, std::string_view role, const std::string& rule) const {
    if (!n.IsScalar()) fail(n, "'" + std::string(role) + "' of " + rule + " must be a string");
    const std::string& text = n.Scalar();
    auto q = parse_query(text);
    if (!q) {
      const std::size_t pos = mark_pos(n.Mark());
      const std::size_t at =
          pos == kNoPosition ? pos : scalar_source_offset(source_, pos, text, q.error().offset);
      throw LoadError{at, q.error().message + " in " + std::string(role) + " of " + rule};
    }
    return std::move(*q);
  }

  std::string regex(const YAML::Node& n, const std::string& rule) const {
    if (!n.IsScalar() || n.Scalar().empty()) fail(n, "'regex' of " + rule + " must be a non-empty string");
    const std::string& text = n.Scalar();
    re2::RE2 re(text, re2::RE2::Quiet);
    if (!re.ok()) {
      // Point at the fragment RE2 complains about when it can be found in the pattern.
      std::size_t at = mark_pos(n.Mark());
      const std::size_t frag = re.error_arg().empty() ? std::string::npos : text.find(re.error_arg());
      if (at != kNoPosition && frag != std::string::npos) at = scalar_source_offset(source_, at, text, frag);
      throw LoadError{at, "invalid regex in " + rule + ": " + re.error()};
    }
    return text;
  }

  // The id of a brand or topic mapping, read before its other keys so that every message can name the rule.
  std::string rule_id(const YAML::Node& item, std::string_view kind, std::set<std::string>& ids) const {
    if (!item.IsMap()) fail(item, "each " + std::string(kind) + " must be a mapping with an 'id'");
    for (const auto& kv : item) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "id") {
        if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
          fail(kv.second.IsNull() ? kv.first : kv.second,
               "'id' of a " + std::string(kind) + " must be a non-empty string");
        }
        const std::string id = kv.second.Scalar();
        if (!ids.insert(id).second) fail(kv.second, "duplicate " + std::string(kind) + " id " + quoted(id));
        return id;
      }
    }
    fail(item, std::string(kind) + " has no 'id'");
  }

  // Visits every key of a rule mapping once, rejecting duplicates and keys outside `known`.
  template <class F>
  void each_key(const YAML::Node& item, const std::string& rule,
                std::initializer_list<std::string_view> known, F&& visit) const {
    std::set<std::string> seen;
    for (const auto& kv : item) {
      const std::string key = scalar(kv.first, "key");
      if (!seen.insert(key).second) fail(kv.first, "duplicate key '" + key + "' in " + rule);
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (const std::string_view k : known)
          list += (list.empty() ? "" : ", ") + std::string(k);
        fail(kv.first, "unknown key '" + key + "' in " + rule + " (expected " + list + ")");
      }
      // A key with no value (`query:`) has a null node without position: report at the key.
      visit(key, kv.second.IsNull() ? kv.first : kv.second, kv.second.IsNull());
    }
  }

  void brands(const YAML::Node& n) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) fail(n, "'brands' must be a list");
    spec_.no_brands_on_purpose = n.size() == 0;
    std::set<std::string> ids;
    for (const auto& item : n) {
      Brand b;
      b.id = rule_id(item, "brand", ids);
      const std::string rule = "brand " + quoted(b.id);
      bool has_query = false;
      bool has_regex = false;
      each_key(item, rule, {"id", "name", "query", "regex", "languages", "platforms", "exclude", "detection"},
               [&](const std::string& key, const YAML::Node& v, bool null) {
                 if (key == "name") {
                   b.name = scalar(v, "name");
                 } else if (key == "query" || key == "regex") {
                   if (has_query || has_regex) fail(v, rule + " has both 'query' and 'regex'");
                   if (null) fail(v, "'" + key + "' of " + rule + " is empty");
                   if (key == "query") {
                     b.query = query(v, "query", rule);
                     has_query = true;
                   } else {
                     b.regex = regex(v, rule);
                     has_regex = true;
                   }
                 } else if (key == "languages") {
                   b.languages = string_list(v, key, rule, true);
                 } else if (key == "platforms") {
                   b.platforms = string_list(v, key, rule, true);
                 } else if (key == "exclude") {
                   if (null) fail(v, "'exclude' of " + rule + " is empty");
                   b.exclude = query(v, "exclude", rule);
                 } else if (key == "detection") {
                   if (null) return;
                   if (!v.IsMap()) fail(v, "'detection' of " + rule + " must be a mapping");
                   brand_detection_.emplace_back(spec_.brands.size(), v);
                 }
               });
      if (!has_query && !has_regex) fail(item, rule + " needs a 'query' or a 'regex'");
      if (b.name.empty()) b.name = b.id;
      brand_ids_.insert(b.id);
      spec_.brands.push_back(std::move(b));
    }
  }

  void topics(const YAML::Node& n) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) fail(n, "'topics' must be a list");
    std::set<std::string> ids;
    for (const auto& item : n) {
      Topic t;
      t.id = rule_id(item, "topic", ids);
      const std::string rule = "topic " + quoted(t.id);
      bool has_query = false;
      bool has_regex = false;
      each_key(
          item, rule, {"id", "query", "regex", "severity", "brands"},
          [&](const std::string& key, const YAML::Node& v, bool null) {
            if (key == "query" || key == "regex") {
              if (has_query || has_regex) fail(v, rule + " has both 'query' and 'regex'");
              if (null) fail(v, "'" + key + "' of " + rule + " is empty");
              if (key == "query") {
                t.query = query(v, "query", rule);
                has_query = true;
              } else {
                t.regex = regex(v, rule);
                has_regex = true;
              }
            } else if (key == "severity") {
              const std::string s = null ? "" : scalar(v, "severity");
              const auto severity = parse_severity(s);
              if (!severity) {
                fail(v, "invalid severity '" + s + "' in " + rule + " (expected info, warning or critical)");
              }
              t.severity = *severity;
            } else if (key == "brands") {
              t.brands = string_list(v, key, rule, false);
              std::size_t i = 0;
              for (const auto& b : v) {
                if (!brand_ids_.count(t.brands[i++])) {
                  fail(b, "unknown brand " + quoted(b.Scalar()) + " in " + rule);
                }
              }
            }
          });
      if (!has_query && !has_regex) fail(item, rule + " needs a 'query' or a 'regex'");
      spec_.topics.push_back(std::move(t));
    }
  }

  void sentiment(const YAML::Node& n) {
    if (n.IsNull()) return;
    if (!n.IsMap()) fail(n, "'sentiment' must be a mapping");
    SentimentOptions& o = spec_.sentiment;
    each_key(
        n, "sentiment", {"extra", "thresholds", "default_language"},
        [&](const std::string& key, const YAML::Node& v, bool null) {
          if (null) return;
          if (key == "default_language") {
            const std::string lang = scalar(v, "default_language");
            if (lang != "en" && lang != "fr") {
              fail(
                  v,
                  "sentiment default_language must be \"en\" or \"fr\" (the languages with a lexicon), not " +
                      quoted(lang));
            }
            o.default_language = lang;
          } else if (key == "extra") {
            if (!v.IsMap()) fail(v, "'extra' of sentiment must be a mapping of term to valence");
            for (const auto& kv : v) {
              const std::string term = scalar(kv.first, "term");
              const double valence = number(kv.second, "valence of " + quoted(term));
              if (valence < -4 || valence > 4)
                fail(kv.second, "valence of " + quoted(term) + " must be between -4 and 4");
              o.extra.emplace_back(term, static_cast<float>(valence));
            }
          } else {
            if (!v.IsMap()) fail(v, "'thresholds' of sentiment must be a mapping");
            each_key(v, "sentiment thresholds", {"positive", "negative"},
                     [&](const std::string& k, const YAML::Node& x, bool) {
                       const auto value = static_cast<float>(number(x, "threshold '" + k + "'"));
                       (k == "positive" ? o.positive_threshold : o.negative_threshold) = value;
                     });
            if (o.negative_threshold > o.positive_threshold) {
              fail(v, "sentiment threshold 'negative' must not be above 'positive'");
            }
          }
        });
  }

  // ---- detection ------------------------------------------------------------------------------------------
  //
  // A `detection:` mapping (top level or in a brand) is applied onto DetectionOptions key by key, so that a
  // brand's mapping overrides only what it names. The top-level node is kept and applied again under each
  // brand's: the merge needs no record of which fields were set. `where` prefixes section names in messages:
  // "" at the top level, "brand \"acme\" " in a brand.

  void detection(const YAML::Node& n) {
    if (n.IsNull()) return;
    if (!n.IsMap()) fail(n, "'detection' must be a mapping");
    detection_.reset(n);
  }

  // The options for one brand (or the defaults when `brand` is null): built-in defaults, then the top-level
  // section, then the brand's; negative_volume starts from the merged volume and takes its own keys from both
  // levels, in the same order.
  DetectionOptions merge_detection(const YAML::Node* brand, const std::string& where) const {
    DetectionOptions o;
    std::vector<std::pair<YAML::Node, std::string>> negative;
    if (detection_.IsMap()) apply_detection(detection_, "", o, negative);
    if (brand) apply_detection(*brand, where, o, negative);
    std::string subject = std::move(o.negative_volume.subject);
    o.negative_volume = o.volume;
    o.negative_volume.subject = std::move(subject);
    for (const auto& [node, section] : negative)
      apply_volume(node, section, o.negative_volume, o.negative_volume_enabled);
    // The checks above speak the file's language; this one is a backstop for a combination they missed.
    const YAML::Node& at = brand ? *brand : detection_;
    const std::string ctx = where + "detection: ";
    for (const Result<void>& r :
         {VolumeSpikeDetector::validate(o.volume), VolumeSpikeDetector::validate(o.negative_volume),
          SentimentDropDetector::validate(o.sentiment_drop), validate(o.post_triggers)}) {
      if (!r) {
        if (at.IsMap()) fail(at, ctx + r.error().message);
        throw LoadError{kNoPosition, ctx + r.error().message};
      }
    }
    return o;
  }

  void apply_detection(const YAML::Node& n, const std::string& where, DetectionOptions& o,
                       std::vector<std::pair<YAML::Node, std::string>>& negative) const {
    const std::string section = where + "detection";
    each_key(n, section,
             {"volume", "negative_volume", "sentiment_drop", "critical_keyword", "influencer", "quiet_period",
              "repeat_interval"},
             [&](const std::string& key, const YAML::Node& v, bool null) {
               const std::string sub = section + "." + key;
               if (key == "quiet_period" || key == "repeat_interval") {
                 const Micros d = duration(v, null, "'" + key + "' of " + section);
                 (key == "quiet_period" ? o.quiet_period : o.repeat_interval) = d;
                 return;
               }
               if (null) return;
               if (!v.IsMap()) fail(v, "'" + sub + "' must be a mapping");
               if (key == "volume") {
                 apply_volume(v, sub, o.volume, o.volume_enabled);
               } else if (key == "negative_volume") {
                 negative.emplace_back(v, sub);
               } else if (key == "sentiment_drop") {
                 apply_sentiment_drop(v, sub, o.sentiment_drop, o.sentiment_drop_enabled);
               } else if (key == "critical_keyword") {
                 each_key(v, sub, {"enabled"}, [&](const std::string& k, const YAML::Node& x, bool nul) {
                   o.post_triggers.critical_keyword_enabled = boolean(x, nul, "'" + k + "' of " + sub);
                 });
               } else {
                 apply_influencer(v, sub, o.post_triggers);
               }
             });
  }

  void apply_volume(const YAML::Node& n, const std::string& section, VolumeSpikeOptions& o,
                    bool& enabled) const {
    each_key(n, section,
             {"enabled", "window", "p_fire", "p_critical", "min_count", "min_ratio", "critical_ratio",
              "warmup", "half_life", "weekly_after"},
             [&](const std::string& key, const YAML::Node& v, bool null) {
               const std::string what = "'" + key + "' of " + section;
               if (key == "enabled") {
                 enabled = boolean(v, null, what);
               } else if (key == "window") {
                 o.window_buckets = window(v, null, what, o.bucket);
               } else if (key == "p_fire" || key == "p_critical") {
                 const double p = number(v, null, what);
                 if (!(p > 0 && p < 1)) fail(v, what + " must be between 0 and 1, exclusive");
                 (key == "p_fire" ? o.p_fire : o.p_critical) = p;
               } else if (key == "min_count") {
                 o.min_count = integer(v, null, what);
               } else if (key == "min_ratio") {
                 o.min_ratio = number(v, null, what);
                 if (o.min_ratio < 0) fail(v, what + " must not be negative");
               } else if (key == "critical_ratio") {
                 o.critical_ratio = number(v, null, what);
                 if (!(o.critical_ratio > 0)) fail(v, what + " must be positive");
               } else {
                 const Micros d = duration(v, null, what);
                 if (key == "half_life" && d < o.bucket) fail(v, what + " must be at least 5m");
                 (key == "warmup" ? o.warmup : key == "half_life" ? o.half_life : o.weekly_after) = d;
               }
             });
    if (o.p_critical > o.p_fire) fail(n, "'p_critical' of " + section + " must not be above 'p_fire'");
  }

  void apply_sentiment_drop(const YAML::Node& n, const std::string& section, SentimentDropOptions& o,
                            bool& enabled) const {
    each_key(n, section, {"enabled", "window", "drop", "critical_drop", "min_volume", "warmup", "half_life"},
             [&](const std::string& key, const YAML::Node& v, bool null) {
               const std::string what = "'" + key + "' of " + section;
               if (key == "enabled") {
                 enabled = boolean(v, null, what);
               } else if (key == "window") {
                 o.window_buckets = window(v, null, what, o.bucket);
               } else if (key == "drop" || key == "critical_drop") {
                 // Compound scores lie in [-1, 1]: no drop can exceed 2.
                 const double d = number(v, null, what);
                 if (!(d > 0 && d <= 2)) fail(v, what + " must be above 0 and at most 2");
                 (key == "drop" ? o.drop : o.critical_drop) = d;
               } else if (key == "min_volume") {
                 o.min_volume = integer(v, null, what);
               } else {
                 const Micros d = duration(v, null, what);
                 if (key == "half_life" && d < o.bucket) fail(v, what + " must be at least 5m");
                 (key == "warmup" ? o.warmup : o.half_life) = d;
               }
             });
    if (o.critical_drop < o.drop) fail(n, "'critical_drop' of " + section + " must not be below 'drop'");
  }

  void apply_influencer(const YAML::Node& n, const std::string& section, PostTriggerOptions& o) const {
    each_key(n, section, {"enabled", "followers", "critical_followers"},
             [&](const std::string& key, const YAML::Node& v, bool null) {
               const std::string what = "'" + key + "' of " + section;
               if (key == "enabled") {
                 o.influencer_enabled = boolean(v, null, what);
               } else {
                 (key == "followers" ? o.followers : o.critical_followers) = integer(v, null, what);
               }
             });
    if (o.critical_followers < o.followers) {
      fail(n, "'critical_followers' of " + section + " must not be below 'followers'");
    }
  }

  // A key given with no value is reported at the key, like every empty value of the file.
  const YAML::Node& present(const YAML::Node& v, bool null, const std::string& what) const {
    if (null) fail(v, what + " is empty");
    return v;
  }

  bool boolean(const YAML::Node& v, bool null, const std::string& what) const {
    const YAML::Node& n = present(v, null, what);
    if (n.IsScalar() && n.Scalar() == "true") return true;
    if (n.IsScalar() && n.Scalar() == "false") return false;
    fail(n, what + " must be true or false");
  }

  // A whole number >= 1 (counts of mentions and followers).
  std::int64_t integer(const YAML::Node& v, bool null, const std::string& what) const {
    const YAML::Node& n = present(v, null, what);
    const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
    std::int64_t i = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || i < 1) {
      fail(n, what + " must be a whole number of at least 1");
    }
    return i;
  }

  double number(const YAML::Node& v, bool null, const std::string& what) const {
    const double d = number(present(v, null, what), what);
    if (!std::isfinite(d)) fail(v, what + " must be a finite number");
    return d;
  }

  // The config's duration grammar (parse_duration: "90s", "5m", "1.5h", "3d", "500ms"), positive, at most
  // a year: a year is plenty for any of these, and the bound keeps sums of them far from overflowing.
  Micros duration(const YAML::Node& v, bool null, const std::string& what) const {
    const YAML::Node& n = present(v, null, what);
    const auto d = n.IsScalar() ? parse_duration(n.Scalar()) : std::nullopt;
    constexpr Micros kMax = 366 * 24 * 3600 * kMicrosPerSecond;
    const Micros us = d ? std::chrono::duration_cast<std::chrono::microseconds>(*d).count() : 0;
    if (us < 1 || us > kMax) {
      fail(n, what + " must be a positive duration like 30s, 5m, 4h or 3d (at most a year)");
    }
    return us;
  }

  // A window as a whole number of buckets, from 1 bucket to a day.
  int window(const YAML::Node& v, bool null, const std::string& what, Micros bucket) const {
    const Micros d = duration(v, null, what);
    if (d % bucket != 0 || d > 24 * 3600 * kMicrosPerSecond) {
      fail(v, what + " must be a multiple of 5m, at most 24h");
    }
    return static_cast<int>(d / bucket);
  }

  std::string_view source_;
  std::string_view name_;
  RuleSetSpec spec_;
  std::set<std::string> brand_ids_;
  YAML::Node detection_;  // the top-level `detection:` mapping, if any
  std::vector<std::pair<std::size_t, YAML::Node>> brand_detection_;  // brand index, its `detection:` mapping
};

}  // namespace

Result<RuleSetSpec> parse_rule_file(std::string_view yaml, std::string_view name) {
  try {
    return Loader(yaml, name).load();
  } catch (const LoadError& e) {
    return error(locate(yaml, name, e.pos) + e.message);
  } catch (const YAML::Exception& e) {
    // A conversion the checks above did not foresee: still an error of the file, not a crash.
    return error(locate(yaml, name, e.mark.is_null() ? kNoPosition : static_cast<std::size_t>(e.mark.pos)) +
                 e.msg);
  }
}

Result<std::shared_ptr<const RuleSet>> RuleSet::load_string(std::string_view yaml, std::string_view name) {
  auto spec = parse_rule_file(yaml, name);
  if (!spec) return spec.error();
  auto rs = compile(std::move(*spec));
  if (!rs) return error(std::string(name) + ": " + rs.error().message);
  return rs;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(path + ": cannot open rule file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error(path + ": cannot read rule file");
  return load_string(text.str(), path);
}

}  // namespace vigie::rules
