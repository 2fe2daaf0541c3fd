#include "ingest/post.h"

namespace vigie::ingest {

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::post:
      return "post";
    case Kind::comment:
      return "comment";
    case Kind::repost:
      return "repost";
    case Kind::edit:
      return "edit";
    case Kind::del:
      return "delete";
  }
  return "post";
}

std::optional<Kind> parse_kind(std::string_view s) {
  if (s == "post") return Kind::post;
  if (s == "comment") return Kind::comment;
  if (s == "repost") return Kind::repost;
  if (s == "edit") return Kind::edit;
  if (s == "delete") return Kind::del;
  return std::nullopt;
}

}  // namespace vigie::ingest
