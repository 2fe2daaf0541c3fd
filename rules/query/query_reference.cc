#include "rules/query/query_reference.h"

#include <re2/re2.h>

#include <algorithm>
#include <string>

#include "rules/text/text_fold.h"
#include "rules/text/word_boundary.h"

namespace vigie::rules {
namespace {

// A text as code points, with control characters and invalid bytes turned into spaces.
struct Text {
  std::string bytes;
  std::vector<std::int32_t> cps;
  std::vector<std::size_t> starts;  // byte offset of each code point; one extra entry: the end
  std::vector<std::pair<std::size_t, std::size_t>> tokens;

  explicit Text(std::string_view in) {
    std::size_t pos = 0;
    while (pos < in.size()) {
      const std::size_t begin = pos;
      std::int32_t cp = decode_utf8(in, pos);
      if (cp < 0x20 || cp == 0x7F) cp = ' ';  // also covers invalid bytes (-1)
      starts.push_back(bytes.size());
      if (cp == ' ') {
        bytes.push_back(' ');
      } else {
        bytes.append(in.substr(begin, pos - begin));
      }
      cps.push_back(cp);
    }
    starts.push_back(bytes.size());
    for (std::size_t i = 0; i < cps.size();) {
      if (is_word_char(cps[i])) {
        std::size_t j = i;
        while (j < cps.size() && is_word_char(cps[j]))
          ++j;
        tokens.emplace_back(starts[i], starts[j]);
        i = j;
      } else {
        if (is_symbol_char(cps[i])) tokens.emplace_back(starts[i], starts[i + 1]);
        ++i;
      }
    }
  }

  bool word(std::size_t i) const { return i < cps.size() && is_word_char(cps[i]); }
};

std::int32_t first_cp(std::string_view s) {
  std::size_t p = 0;
  return decode_utf8(s, p);
}

std::int32_t last_cp(std::string_view s) {
  std::size_t start = s.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
    --start;
  std::size_t p = start;
  return decode_utf8(s, p);
}

// If part `k` of `lit` occurs at code point `i` with its boundaries, returns the code point index after it.
std::optional<std::size_t> part_at(const Text& t, const QueryLiteral& lit, std::size_t k, std::size_t i) {
  const std::string& part = lit.parts[k];
  if (i >= t.cps.size() || t.bytes.compare(t.starts[i], part.size(), part) != 0) return std::nullopt;
  const std::size_t end_byte = t.starts[i] + part.size();
  const auto after = std::lower_bound(t.starts.begin(), t.starts.end(), end_byte);
  if (after == t.starts.end() || *after != end_byte) return std::nullopt;
  const auto next = static_cast<std::size_t>(after - t.starts.begin());
  if (is_word_char(first_cp(part)) && i > 0 && t.word(i - 1)) return std::nullopt;
  const bool open_end = lit.prefix && k + 1 == lit.parts.size();
  if (!open_end && is_word_char(last_cp(part)) && t.word(next)) return std::nullopt;
  return next;
}

// Tries parts k.. from code point i, part k (k > 0) allowed to start after a run of non-word code points.
// Takes the earliest start of each part first, so the occurrence found is the one that ends first.
std::optional<std::size_t> parts_from(const Text& t, const QueryLiteral& lit, std::size_t k, std::size_t i) {
  if (k == lit.parts.size()) return i;
  for (std::size_t j = i;; ++j) {
    if (auto next = part_at(t, lit, k, j)) {
      if (auto end = parts_from(t, lit, k + 1, *next)) return end;
    }
    if (k == 0 || j >= t.cps.size() || t.word(j)) return std::nullopt;
  }
}

struct Occurrence {
  std::size_t first;  // token indices
  std::size_t last;
};

std::vector<Occurrence> occurrences(const Text& t, const QueryLiteral& lit) {
  std::vector<Occurrence> out;
  for (std::size_t i = 0; i < t.cps.size(); ++i) {
    const auto end = parts_from(t, lit, 0, i);
    if (!end) continue;
    const std::size_t b = t.starts[i];
    const std::size_t e = t.starts[*end];
    std::optional<std::size_t> first;
    std::size_t last = 0;
    for (std::size_t k = 0; k < t.tokens.size(); ++k) {
      if (t.tokens[k].second > b && t.tokens[k].first < e) {
        if (!first) first = k;
        last = k;
      }
    }
    if (first) out.push_back({*first, last});
  }
  return out;
}

void collect_literals(const QueryNode& n, std::vector<const QueryLiteral*>& out) {
  if (n.op == QueryNode::Op::literal) {
    out.push_back(&n.literal);
    return;
  }
  for (const QueryNode& c : n.children)
    collect_literals(c, out);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

struct Context {
  const ingest::Post& post;
  std::string_view lang;
  Text folded;
  Text raw;
};

std::string raw_text(const ingest::Post& post) {
  return post.title.empty() ? post.text : post.title + "\n" + post.text;
}

bool eval(const QueryNode& n, const Context& c) {
  using Op = QueryNode::Op;
  switch (n.op) {
    case Op::literal: {
      const Text& t = n.literal.exact ? c.raw : c.folded;
      for (std::size_t i = 0; i < t.cps.size(); ++i) {
        if (parts_from(t, n.literal, 0, i)) return true;
      }
      return false;
    }
    case Op::filter:
      switch (n.field) {
        case QueryField::lang:
          return lower(c.lang) == n.value;
        case QueryField::platform:
          return lower(c.post.platform) == n.value;
        case QueryField::author: {
          std::string h = lower(c.post.author.handle);
          if (!h.empty() && h[0] == '@') h.erase(0, 1);
          return h == n.value;
        }
        case QueryField::kind:
          return c.post.kind == n.kind;
        case QueryField::followers: {
          const std::int64_t f = c.post.author.followers;
          if (f < 0) return false;
          switch (n.compare) {
            case Compare::lt:
              return f < n.number;
            case Compare::le:
              return f <= n.number;
            case Compare::eq:
              return f == n.number;
            case Compare::ge:
              return f >= n.number;
            case Compare::gt:
              return f > n.number;
          }
          return false;
        }
      }
      return false;
    case Op::not_:
      return !eval(n.children[0], c);
    case Op::and_:
      return std::all_of(n.children.begin(), n.children.end(),
                         [&](const QueryNode& k) { return eval(k, c); });
    case Op::or_:
      return std::any_of(n.children.begin(), n.children.end(),
                         [&](const QueryNode& k) { return eval(k, c); });
    case Op::near:
    case Op::onear: {
      std::vector<const QueryLiteral*> left_lits, right_lits;
      collect_literals(n.children[0], left_lits);
      collect_literals(n.children[1], right_lits);
      std::vector<Occurrence> left, right;
      for (const QueryLiteral* l : left_lits) {
        const auto o = occurrences(l->exact ? c.raw : c.folded, *l);
        left.insert(left.end(), o.begin(), o.end());
      }
      for (const QueryLiteral* l : right_lits) {
        const auto o = occurrences(l->exact ? c.raw : c.folded, *l);
        right.insert(right.end(), o.begin(), o.end());
      }
      for (const Occurrence& a : left) {
        for (const Occurrence& b : right) {
          if (a.last < b.first && b.first - a.last - 1 <= n.distance) return true;
          if (n.op == Op::near && b.last < a.first && a.first - b.last - 1 <= n.distance) return true;
        }
      }
      return false;
    }
  }
  return false;
}

bool eval_rule(const QueryNode& query, const std::string& regex, const Context& c) {
  if (regex.empty()) return eval(query, c);
  const re2::RE2 re(regex, re2::RE2::Quiet);
  return re.ok() && re2::RE2::PartialMatch(raw_text(c.post), re);
}

}  // namespace

bool reference_eval(const QueryNode& query, const ingest::Post& post, std::string_view lang) {
  const std::string raw = raw_text(post);
  const Context c{post, lang, Text(fold_text(raw)), Text(raw)};
  return eval(query, c);
}

std::vector<Match> reference_match(const RuleSetSpec& spec, const ingest::Post& post, std::string_view lang) {
  const std::string raw = raw_text(post);
  const Context c{post, lang, Text(fold_text(raw)), Text(raw)};
  std::vector<Match> out;
  std::vector<std::string> matched_brands;
  for (const Brand& b : spec.brands) {
    if (!b.languages.empty() &&
        std::find(b.languages.begin(), b.languages.end(), lower(lang)) == b.languages.end()) {
      continue;
    }
    if (!b.platforms.empty() &&
        std::find(b.platforms.begin(), b.platforms.end(), lower(post.platform)) == b.platforms.end()) {
      continue;
    }
    if (!eval_rule(b.query, b.regex, c)) continue;
    if (b.exclude && eval(*b.exclude, c)) continue;
    matched_brands.push_back(b.id);
    out.push_back(Match{b.id, RuleKind::brand, Severity::info});
  }
  for (const Topic& t : spec.topics) {
    if (!t.brands.empty() && std::none_of(t.brands.begin(), t.brands.end(), [&](const std::string& id) {
          return std::find(matched_brands.begin(), matched_brands.end(), id) != matched_brands.end();
        })) {
      continue;
    }
    if (!eval_rule(t.query, t.regex, c)) continue;
    out.push_back(Match{t.id, RuleKind::topic, t.severity});
  }
  return out;
}

}  // namespace vigie::rules
