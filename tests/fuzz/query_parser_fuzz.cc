// Fuzzes the query parser with arbitrary bytes. A query that parses is also compiled and matched, by the
// engine and by the reference evaluator, against its own text and a few fixed posts: both must agree, so the
// fuzzer hunts for semantic disagreements as well as crashes, leaks and undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/query/boolean_query.h"
#include "rules/query/query_reference.h"
#include "rules/rule_set.h"

namespace {

using namespace vigie::rules;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "query_parser_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_query(query);
  if (!parsed) {
    check(parsed.error().offset <= size, "error offset past the end of the query");
    check(!parsed.error().message.empty(), "empty error message");
    return 0;
  }
  // The canonical form is itself a valid query with the same meaning.
  const std::string canonical = to_string(*parsed);
  check(!canonical.empty(), "empty canonical form");

  // The reference evaluator is quadratic: keep the differential part to inputs of a sensible size.
  if (size > 300) return 0;
  RuleSetSpec spec;
  Brand b;
  b.id = "fuzz";
  b.query = *parsed;
  spec.brands.push_back(b);
  auto rs = RuleSet::compile(spec);
  check(static_cast<bool>(rs), "a parsed query does not compile");
  MatchScratch scratch;
  vigie::ingest::Post post;
  post.platform = "mastodon";
  post.author.handle = "jane";
  post.author.followers = 100;
  for (const std::string_view text :
       {query, std::string_view("Acme est en panne 😡 #acme @acme déçu"), std::string_view("")}) {
    post.text = std::string(text);
    std::vector<vigie::rules::Match> out;
    (*rs)->match(post, "fr", scratch, out);
    check(out.empty() != reference_eval(*parsed, post, "fr"), "engine and reference evaluator disagree");
  }
  return 0;
}
