#include <gtest/gtest.h>

#include "rules/query/boolean_query.h"

namespace vigie::rules {
namespace {

std::string parsed(std::string_view q) {
  auto r = parse_query(q);
  if (!r) return "error@" + std::to_string(r.error().offset) + ": " + r.error().message;
  return to_string(*r);
}

TEST(QueryParser, TermsAndPhrases) {
  EXPECT_EQ(parsed("acme"), "acme");
  EXPECT_EQ(parsed("\"service client\""), "\"service client\"");
  EXPECT_EQ(parsed("  \"  service   client \" "), "\"service client\"");
  EXPECT_EQ(parsed("#Acme @Acme_FR 😡"), "(AND #acme @acme_fr 😡)");
}

TEST(QueryParser, TermsAreFoldedUnlessExact) {
  EXPECT_EQ(parsed("DÉÇU"), "decu");
  EXPECT_EQ(parsed("=DÉÇU"), "=DÉÇU");
  EXPECT_EQ(parsed("=\"Acme Corp\""), "=\"Acme Corp\"");
  EXPECT_EQ(parsed("ＡＣＭＥ"), "acme");
}

TEST(QueryParser, Wildcard) {
  EXPECT_EQ(parsed("boycott*"), "boycott*");
  EXPECT_EQ(parsed("Boycott* OR #boy*"), "(OR boycott* #boy*)");
  EXPECT_EQ(parsed("\"a*b\""), "a*b");  // inside quotes '*' is an ordinary character
}

TEST(QueryParser, OperatorsAndAdjacency) {
  EXPECT_EQ(parsed("a AND b"), "(AND a b)");
  EXPECT_EQ(parsed("a b c"), "(AND a b c)");
  EXPECT_EQ(parsed("a OR b OR c"), "(OR a b c)");
  EXPECT_EQ(parsed("NOT a"), "(NOT a)");
  EXPECT_EQ(parsed("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(parsed("a and b or c"), "(AND a and b or c)");  // lower case: ordinary terms
}

TEST(QueryParser, Precedence) {
  EXPECT_EQ(parsed("a OR b AND c"), "(OR a (AND b c))");
  EXPECT_EQ(parsed("a AND b OR c"), "(OR (AND a b) c)");
  EXPECT_EQ(parsed("a b OR c d"), "(OR (AND a b) (AND c d))");
  EXPECT_EQ(parsed("NOT a AND b"), "(AND (NOT a) b)");
  EXPECT_EQ(parsed("NOT a OR b"), "(OR (NOT a) b)");
  EXPECT_EQ(parsed("(a OR b) c"), "(AND (OR a b) c)");
  EXPECT_EQ(parsed("NOT (a OR b)"), "(NOT (OR a b))");
  EXPECT_EQ(parsed("a NEAR/3 b AND c"), "(AND (NEAR/3 a b) c)");
  EXPECT_EQ(parsed("NOT a NEAR/3 b"), "(NOT (NEAR/3 a b))");
  EXPECT_EQ(parsed("((a))"), "a");
}

TEST(QueryParser, Near) {
  EXPECT_EQ(parsed("a NEAR/0 b"), "(NEAR/0 a b)");
  EXPECT_EQ(parsed("(a OR \"b c\") ONEAR/10 de*"), "(ONEAR/10 (OR a \"b c\") de*)");
  EXPECT_EQ(parsed("=A NEAR/2 =B"), "(NEAR/2 =A =B)");
}

TEST(QueryParser, FieldFilters) {
  EXPECT_EQ(parsed("lang:FR"), "lang:fr");
  EXPECT_EQ(parsed("platform:Mastodon"), "platform:mastodon");
  EXPECT_EQ(parsed("author:@Acme_Support"), "author:acme_support");
  EXPECT_EQ(parsed("kind:comment"), "kind:comment");
  EXPECT_EQ(parsed("kind:delete"), "kind:delete");
  EXPECT_EQ(parsed("followers:>10000"), "followers:>10000");
  EXPECT_EQ(parsed("followers:>=5"), "followers:>=5");
  EXPECT_EQ(parsed("followers:<5"), "followers:<5");
  EXPECT_EQ(parsed("followers:<=5"), "followers:<=5");
  EXPECT_EQ(parsed("followers:=5"), "followers:=5");
  EXPECT_EQ(parsed("followers:5"), "followers:=5");
  EXPECT_EQ(parsed("acme lang:fr NOT kind:repost"), "(AND acme lang:fr (NOT kind:repost))");
  EXPECT_EQ(parsed("http://acme.com"), "http://acme.com");  // not a known field: a term
  EXPECT_EQ(parsed("=lang:fr"), "=lang:fr");
  EXPECT_EQ(parsed("10:30"), "10:30");  // a time, not a field
  EXPECT_EQ(parsed("note:"), "note:");  // nothing after the colon
}

// A word, a colon and a value is a field filter: an unknown field is an error, never two words quietly.
TEST(QueryParser, UnknownFieldsAreErrors) {
  EXPECT_EQ(
      parsed("foo:bar"),
      "error@0: unknown field 'foo:' (known: lang, platform, author, followers, kind); quote \"foo:bar\" "
      "to search for the text");
  EXPECT_EQ(parsed("acme Lang:fr").substr(0, 34), "error@5: unknown field 'Lang:' (kn");
  EXPECT_EQ(parsed("acme langue:fr").substr(0, 36), "error@5: unknown field 'langue:' (kn");
  EXPECT_EQ(parsed("\"foo:bar\"").rfind("error", 0), std::string::npos);
}

// Every parser message, with the byte offset it points at.
TEST(QueryParser, Errors) {
  EXPECT_EQ(parsed(""), "error@0: empty query");
  EXPECT_EQ(parsed("   "), "error@3: empty query");
  EXPECT_EQ(parsed("acme)"), "error@4: unbalanced ')'");
  EXPECT_EQ(parsed("(acme OR x"), "error@0: unbalanced '('");
  EXPECT_EQ(parsed("a (b"), "error@2: unbalanced '('");
  EXPECT_EQ(parsed("a ()"), "error@2: empty parentheses");
  EXPECT_EQ(parsed("a OR"), "error@2: missing term after 'OR'");
  EXPECT_EQ(parsed("a AND )"), "error@2: missing term after 'AND'");
  EXPECT_EQ(parsed("NOT"), "error@0: missing term after 'NOT'");
  EXPECT_EQ(parsed("OR a"), "error@0: unexpected 'OR'");
  EXPECT_EQ(parsed("a AND OR b"), "error@6: unexpected 'OR'");
  EXPECT_EQ(parsed("NEAR/2 a"), "error@0: unexpected 'NEAR/2'");
  EXPECT_EQ(parsed("a \"b c"), "error@2: unterminated phrase: missing closing '\"'");
  EXPECT_EQ(parsed("a \"\""), "error@2: empty phrase");
  EXPECT_EQ(parsed("a = b"), "error@2: missing term after '='");
  EXPECT_EQ(parsed("boy*cott"), "error@3: '*' is only allowed at the end of a term");
  EXPECT_EQ(parsed("x b*"), "error@2: wildcard needs at least 2 letters or digits before '*'");
  EXPECT_EQ(parsed("a !!!"), "error@2: term '!!!' has no letter, digit or symbol");
  EXPECT_EQ(parsed("\xEF\xB8\x8F"),
            "error@0: term is empty after normalization");  // a lone variation selector
  EXPECT_EQ(parsed("a NEAR b"), "error@2: 'NEAR' needs a distance, e.g. NEAR/5");
  EXPECT_EQ(parsed("a ONEAR b"), "error@2: 'ONEAR' needs a distance, e.g. ONEAR/5");
  EXPECT_EQ(parsed("a NEAR/x b"), "error@2: invalid distance in 'NEAR/x': expected a number from 0 to 1000");
  EXPECT_EQ(parsed("a NEAR/1001 b"),
            "error@2: invalid distance in 'NEAR/1001': expected a number from 0 to 1000");
  EXPECT_EQ(parsed("(a b) NEAR/2 c"),
            "error@1: operands of NEAR/2 must be terms, phrases or OR-groups of them");
  EXPECT_EQ(parsed("a NEAR/2 NOT c"),
            "error@9: operands of NEAR/2 must be terms, phrases or OR-groups of them");
  EXPECT_EQ(parsed("a NEAR/2 b NEAR/2 c"),
            "error@0: operands of NEAR/2 must be terms, phrases or OR-groups of them");
  EXPECT_EQ(parsed("a ONEAR/2 lang:fr"),
            "error@10: operands of ONEAR/2 must be terms, phrases or OR-groups of them");
  EXPECT_EQ(parsed("=a NEAR/2 b"), "error@3: NEAR/2 cannot mix exact (=) and ordinary terms");
  EXPECT_EQ(parsed("lang:"), "error@0: missing value after 'lang:'");
  EXPECT_EQ(parsed("author:@"), "error@0: missing value after 'author:'");
  EXPECT_EQ(parsed("kind:tweet"),
            "error@0: unknown kind 'tweet' in 'kind:tweet' (expected post, comment, repost, edit or delete)");
  EXPECT_EQ(parsed("followers:>many"),
            "error@0: invalid number in 'followers:>many': expected followers:>N, >=N, <N, <=N or =N");
  EXPECT_EQ(parsed("followers:>-1"),
            "error@0: invalid number in 'followers:>-1': expected followers:>N, >=N, <N, <=N or =N");
  EXPECT_EQ(parsed("a \xFF"), "error@2: invalid UTF-8 in query");
  EXPECT_EQ(parsed(std::string(100, '(') + "a" + std::string(100, ')')), "error@64: query nested too deeply");
  std::string nots;
  for (int i = 0; i < 70; ++i)
    nots += "NOT ";
  EXPECT_EQ(parsed(nots + "a"), "error@256: query nested too deeply");
}

TEST(QueryParser, LongFlatQueriesDoNotRecurse) {
  std::string q;
  for (int i = 0; i < 20000; ++i)
    q += "term" + std::to_string(i) + (i % 2 ? " OR " : " ");
  q += "end";
  ASSERT_TRUE(parse_query(q));
  std::string near = "a";
  for (int i = 0; i < 5000; ++i)
    near += " NEAR/1 b";
  EXPECT_FALSE(parse_query(near));  // an error, not a stack overflow
}

}  // namespace
}  // namespace vigie::rules
