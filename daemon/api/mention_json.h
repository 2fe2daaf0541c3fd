// A mention as the API shows it: in /api/v1/brands/{id}/mentions, in an incident's posts, and in the event
// stream. One shape everywhere, so the page reads one kind of object:
//   {"uid","brand","created_at","kind","platform","source","lang","author":{"handle","name","followers"?},
//    "reach","text","url","title"?,"topics":[ids],
//    "sentiment":{"compound","pos","neu","neg","label","scored","lexicon"}}
// `sentiment` is the post's (rules/scored_post_json.h). Mentions stored before the mention rows kept it whole
// (storage mention format 1) have null pos, neu, neg, scored and lexicon.
//
// Also the lists of the "top" views (GET /api/v1/brands/{id}/top, an incident's top_*), built from
// storage::MentionTop:
//   author: {"handle","name","platform","followers" (null: unknown),"mentions","reach","negative"}
//   topic:  {"id","severity" (from the rules in force; null for a topic no longer in them),"mentions","negative"}
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "rules/rule_set.h"
#include "storage/posts/query_types.h"

namespace vigie::daemon {

boost::json::object mention_to_json(const storage::Mention& m);

boost::json::array top_posts_json(const storage::MentionTop& top);
boost::json::array top_authors_json(const storage::MentionTop& top);
// `rules` gives the topics' severities; null: every severity null.
boost::json::array top_topics_json(const storage::MentionTop& top, const rules::RuleSet* rules);

}  // namespace vigie::daemon
