// The JSON form of a scored post: the Post's fields (post_json.h) with "lang" the detected language,
// "lang_hint" what the platform declared, "sentiment" and "matches". Used by the API and `vigie score`.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "rules/scored_post.h"

namespace vigie::rules {

boost::json::object sentiment_to_json(const Sentiment& s);
boost::json::array matches_to_json(const std::vector<Match>& matches);
boost::json::object scored_post_to_json(const ScoredPost& p);

// The JSON text of sentiment_to_json and matches_to_json (as ingest::append_json_text prints them), appended
// to `out` without building the values: for writers of one object a post.
void append_sentiment_json(std::string& out, const Sentiment& s);
void append_matches_json(std::string& out, const std::vector<Match>& matches);

}  // namespace vigie::rules
