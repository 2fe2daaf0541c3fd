// A mention as the API shows it: in /api/v1/brands/{id}/mentions, in an incident's posts, and in the event
// stream. One shape everywhere, so the page reads one kind of object.
#pragma once

#include <boost/json/object.hpp>

#include "storage/posts/query_types.h"

namespace vigie::daemon {

boost::json::object mention_to_json(const storage::Mention& m);

}  // namespace vigie::daemon
