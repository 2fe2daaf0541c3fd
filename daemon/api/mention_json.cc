#include "daemon/api/mention_json.h"

#include <cmath>

namespace vigie::daemon {

namespace json = boost::json;

namespace {

// Four decimals, as the posts' sentiment (rules/scored_post_json.cc).
double round4(float v) {
  return std::round(static_cast<double>(v) * 10000.0) / 10000.0;
}

json::object sentiment_json(const storage::Mention& m) {
  json::object s{{"compound", round4(m.compound)}};
  if (m.detailed_sentiment) {
    s["pos"] = round4(m.pos);
    s["neu"] = round4(m.neu);
    s["neg"] = round4(m.neg);
  } else {
    s["pos"] = nullptr;
    s["neu"] = nullptr;
    s["neg"] = nullptr;
  }
  s["label"] = to_string(m.label);
  s["scored"] = m.detailed_sentiment ? json::value(m.scored) : json::value(nullptr);
  s["lexicon"] = m.detailed_sentiment ? json::value(std::string(m.lexicon)) : json::value(nullptr);
  return s;
}

}  // namespace

json::object mention_to_json(const storage::Mention& m) {
  json::array topics;
  for (const auto& t : m.topics)
    topics.emplace_back(t);
  json::object author{{"handle", m.author_handle}, {"name", m.author_name}};
  if (m.followers >= 0) author["followers"] = m.followers;
  json::object o{{"uid", m.uid},
                 {"brand", m.brand},
                 {"created_at", format_rfc3339(m.created_at)},
                 {"kind", ingest::to_string(m.kind)},
                 {"platform", m.platform},
                 {"source", m.source},
                 {"lang", m.lang},
                 {"author", std::move(author)},
                 {"reach", m.reach},
                 {"text", m.text},
                 {"url", m.url},
                 {"sentiment", sentiment_json(m)},
                 {"topics", std::move(topics)}};
  if (!m.title.empty()) o["title"] = m.title;
  return o;
}

json::array top_posts_json(const storage::MentionTop& top) {
  json::array a;
  for (const storage::Mention& m : top.posts)
    a.push_back(mention_to_json(m));
  return a;
}

json::array top_authors_json(const storage::MentionTop& top) {
  json::array a;
  for (const storage::AuthorTally& t : top.authors) {
    a.push_back(
        json::object{{"handle", t.handle},
                     {"name", t.name},
                     {"platform", t.platform},
                     {"followers", t.followers >= 0 ? json::value(t.followers) : json::value(nullptr)},
                     {"mentions", t.mentions},
                     {"reach", t.reach},
                     {"negative", t.negative}});
  }
  return a;
}

json::array top_topics_json(const storage::MentionTop& top, const rules::RuleSet* rules) {
  json::array a;
  for (const storage::TopicTally& t : top.topics) {
    json::value severity = nullptr;
    if (rules) {
      for (const rules::Topic& rt : rules->topics()) {
        if (rt.id == t.id) severity = json::value(rules::to_string(rt.severity));
      }
    }
    a.push_back(json::object{
        {"id", t.id}, {"severity", std::move(severity)}, {"mentions", t.mentions}, {"negative", t.negative}});
  }
  return a;
}

}  // namespace vigie::daemon
