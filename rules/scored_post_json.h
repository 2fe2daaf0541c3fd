// The JSON form of a scored post: the Post's fields (post_json.h) with "lang" the detected language,
// "lang_hint" what the platform declared, "sentiment" and "matches". Used by the API and `vigie score`.
#pragma once

#include <boost/json/object.hpp>

#include "rules/scored_post.h"

namespace vigie::rules {

boost::json::object sentiment_to_json(const Sentiment& s);
boost::json::array matches_to_json(const std::vector<Match>& matches);
boost::json::object scored_post_to_json(const ScoredPost& p);

}  // namespace vigie::rules
