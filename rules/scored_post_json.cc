#include "rules/scored_post_json.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "ingest/base/json_text.h"
#include "ingest/post_json.h"

namespace vigie::rules {
namespace {

// Four decimals are what a reader can use; more only adds float noise to every payload.
double round4(float v) {
  return std::round(static_cast<double>(v) * 10000.0) / 10000.0;
}

// The text of round4(v) for the sentiment figures, from a table of the 20,001 values in [-1, 1] made once
// with the same printer (printing a double is most of the cost of a `vigie score` line); others are printed.
void append_round4(std::string& out, float v) {
  constexpr int kSteps = 10000;
  struct Table {
    std::array<char, 8> text[2 * kSteps + 1];  // "-0.1234" is the longest
    std::uint8_t length[2 * kSteps + 1];
  };
  static const Table* const table = [] {
    auto* t = new Table;
    std::string s;
    for (int k = -kSteps; k <= kSteps; ++k) {
      s.clear();
      ingest::append_json_double(s, static_cast<double>(k) / kSteps);
      std::memcpy(t->text[k + kSteps].data(), s.data(), s.size());
      t->length[k + kSteps] = static_cast<std::uint8_t>(s.size());
    }
    return t;
  }();
  const double scaled = std::round(static_cast<double>(v) * kSteps);
  if (scaled >= -kSteps && scaled <= kSteps) {
    const int i = static_cast<int>(scaled) + kSteps;
    out.append(table->text[i].data(), table->length[i]);
  } else {
    ingest::append_json_double(out, round4(v));  // NaN too
  }
}

}  // namespace

boost::json::object sentiment_to_json(const Sentiment& s) {
  return {{"compound", round4(s.compound)},
          {"pos", round4(s.pos)},
          {"neu", round4(s.neu)},
          {"neg", round4(s.neg)},
          {"label", to_string(s.label)},
          {"scored", s.scored},
          {"lexicon", s.lexicon}};
}

boost::json::array matches_to_json(const std::vector<Match>& matches) {
  boost::json::array out;
  for (const Match& m : matches) {
    boost::json::object o{{"rule", m.rule}, {"kind", to_string(m.kind)}};
    if (m.kind == RuleKind::topic) o["severity"] = to_string(m.severity);
    out.push_back(std::move(o));
  }
  return out;
}

void append_sentiment_json(std::string& out, const Sentiment& s) {
  out += "{\"compound\":";
  append_round4(out, s.compound);
  out += ",\"pos\":";
  append_round4(out, s.pos);
  out += ",\"neu\":";
  append_round4(out, s.neu);
  out += ",\"neg\":";
  append_round4(out, s.neg);
  // Labels, kinds and severities are fixed lower-case words: nothing to escape.
  out += ",\"label\":\"";
  out += to_string(s.label);
  out += '"';
  out += s.scored ? ",\"scored\":true,\"lexicon\":" : ",\"scored\":false,\"lexicon\":";
  ingest::append_json_string(out, s.lexicon);
  out += '}';
}

void append_matches_json(std::string& out, const std::vector<Match>& matches) {
  out += '[';
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Match& m = matches[i];
    if (i) out += ',';
    out += "{\"rule\":";
    ingest::append_json_string(out, m.rule);
    if (m.kind == RuleKind::topic) {
      out += ",\"kind\":\"topic\",\"severity\":\"";
      out += to_string(m.severity);
      out += "\"}";
    } else {
      out += ",\"kind\":\"";
      out += to_string(m.kind);
      out += "\"}";
    }
  }
  out += ']';
}

boost::json::object scored_post_to_json(const ScoredPost& p) {
  boost::json::object o = ingest::post_to_json(p.post);
  o.erase("lang");
  if (!p.post.lang_hint.empty()) o["lang_hint"] = p.post.lang_hint;
  o["lang"] = p.lang;
  o["sentiment"] = sentiment_to_json(p.sentiment);
  o["matches"] = matches_to_json(p.matches);
  return o;
}

}  // namespace vigie::rules
