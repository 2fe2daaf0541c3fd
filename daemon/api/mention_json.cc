#include "daemon/api/mention_json.h"

#include <boost/json/array.hpp>
#include <cmath>

namespace vigie::daemon {

namespace json = boost::json;

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
                 {"sentiment",
                  {{"compound", std::round(m.compound * 10000.0) / 10000.0}, {"label", to_string(m.label)}}},
                 {"topics", std::move(topics)}};
  if (!m.title.empty()) o["title"] = m.title;
  return o;
}

}  // namespace vigie::daemon
