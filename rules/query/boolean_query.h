// The Boolean query language of brand and topic rules, parsed into a tree.
//
//   acme "service client"            terms and phrases; adjacency means AND
//   boycott*  #acme  @acme_fr  😡     suffix wildcard (at least 2 word characters before '*'), hashtags,
//                                    mentions, emoji
//   =ACME  ="Acme Corp"              exact case and accents (matched on the raw text)
//   a AND b, a OR b, NOT a, ( )      precedence: NEAR > NOT > AND > OR
//   a NEAR/5 b, a ONEAR/5 b          within 5 tokens, either order / a before b
//   lang:fr platform:mastodon author:handle followers:>10000 kind:comment
//
// Matching semantics (implemented by RuleSet, restated by the reference evaluator in query_reference.h):
// - Terms and phrases match on word boundaries as defined in word_boundary.h; unless exact, both the term and
//   the text are folded with fold_text (case, accents, compatibility forms).
// - A phrase is its words in order with only non-word characters (spaces, punctuation, emoji...) between them;
//   a bare term whose folded form contains spaces is a phrase too.
// - Operators are recognized only in upper case: "and", "or", "near" are ordinary terms.
// - NEAR/ONEAR operands are terms, phrases or parenthesized ORs of them, all exact or all folded. Tokens are
//   words and symbols (emoji); two occurrences are within n when they do not overlap and at most n tokens lie
//   between.
// - Field filters: lang compares the post's detected language, platform the post's platform, author the
//   author's handle (case-insensitive, a leading '@' ignored), followers the author's follower count (false
//   when unknown), kind the record kind (post, comment, repost, edit, delete).
//
// Thread-safety: parse_query is pure and safe to call concurrently.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/post.h"

namespace vigie::rules {

enum class QueryField : std::uint8_t { lang, platform, author, followers, kind };
enum class Compare : std::uint8_t { lt, le, eq, ge, gt };

// A term, wildcard or phrase, normalized.
struct QueryLiteral {
  // Words split on spaces, each non-empty: folded unless `exact`, raw otherwise.
  std::vector<std::string> parts;
  bool exact = false;   // '=': match the raw text
  bool prefix = false;  // trailing '*': the last part may be followed by more word characters
};

struct QueryNode {
  enum class Op : std::uint8_t { literal, filter, not_, and_, or_, near, onear };
  Op op = Op::literal;
  std::uint32_t offset = 0;  // byte offset in the query where the node starts (for messages)

  QueryLiteral literal;  // op == literal

  QueryField field = QueryField::lang;  // op == filter
  Compare compare = Compare::eq;
  std::string value;        // lang, platform, author: lower-case ASCII
  std::int64_t number = 0;  // followers
  ingest::Kind kind = ingest::Kind::post;

  std::uint32_t distance = 0;  // near, onear

  std::vector<QueryNode> children;  // not_: 1; and_, or_: 2 or more; near, onear: 2
};

struct QueryError {
  std::uint32_t offset = 0;  // byte offset in the query
  std::string message;       // without location, e.g. "unbalanced ')'"
};

inline constexpr std::uint32_t kMaxNearDistance = 1000;
inline constexpr int kMaxQueryDepth =
    64;  // nesting of parentheses and NOT, so evaluation cannot blow the stack

boost::system::result<QueryNode, QueryError> parse_query(std::string_view query);

// Canonical form, for tests and diagnostics: "(AND acme (OR panne \"hors service\") (NOT test))".
std::string to_string(const QueryNode& node);

}  // namespace vigie::rules
