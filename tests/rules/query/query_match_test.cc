#include <gtest/gtest.h>

#include <random>

#include "rules/query/query_reference.h"
#include "rules/rule_set.h"
#include "rules/text/text_fold.h"
#include "rules/text/word_boundary.h"

namespace vigie::rules {
namespace {

ingest::Post post_with(std::string text) {
  ingest::Post p;
  p.uid = "test:1";
  p.platform = "mastodon";
  p.text = std::move(text);
  return p;
}

std::shared_ptr<const RuleSet> one_brand(std::string_view query) {
  RuleSetSpec spec;
  Brand b;
  b.id = "b";
  auto q = parse_query(query);
  EXPECT_TRUE(q) << query << ": " << (q ? "" : q.error().message);
  if (!q) return nullptr;
  b.query = std::move(*q);
  spec.brands.push_back(std::move(b));
  auto rs = RuleSet::compile(std::move(spec));
  EXPECT_TRUE(rs);
  return rs ? *rs : nullptr;
}

// Whether `query` matches `post`, checked against the reference evaluator too.
bool matches(std::string_view query, const ingest::Post& post, std::string_view lang = "fr") {
  auto rs = one_brand(query);
  if (!rs) return false;
  MatchScratch scratch;
  std::vector<Match> out;
  rs->match(post, lang, scratch, out);
  const bool engine = !out.empty();
  EXPECT_EQ(engine, reference_eval(rs->brands()[0].query, post, lang))
      << "engine and reference disagree on [" << query << "] for [" << post.text << "]";
  return engine;
}

bool matches(std::string_view query, std::string text) {
  return matches(query, post_with(std::move(text)));
}

TEST(QueryMatch, TermsOnWordBoundaries) {
  EXPECT_TRUE(matches("acme", "I love Acme!"));
  EXPECT_TRUE(matches("acme", "acme"));
  EXPECT_TRUE(matches("acme", "l'acme, vraiment"));
  EXPECT_TRUE(matches("acme", "#acme rocks"));
  EXPECT_TRUE(matches("acme", "acme-ville"));  // '-' is not a word character
  EXPECT_FALSE(matches("acme", "acmeville"));
  EXPECT_FALSE(matches("acme", "superacme"));
  EXPECT_FALSE(matches("acme", "acme_support"));
  EXPECT_FALSE(matches("acme", "acme2"));
}

TEST(QueryMatch, NonAsciiWordBoundaries) {
  // RE2's \b would see a boundary between 'e' and 'é'; ours does not.
  EXPECT_FALSE(matches("=caf", "café"));
  EXPECT_FALSE(matches("caf", "café"));
  EXPECT_FALSE(matches("ete", "étéa"));
  EXPECT_TRUE(matches("ete", "un été chaud"));
  EXPECT_FALSE(matches("москва", "москвабург"));
  EXPECT_TRUE(matches("москва", "Москва!"));
  EXPECT_FALSE(matches("東京", "東京都"));  // no spaces in CJK: a run of ideographs is one word
}

TEST(QueryMatch, CaseAndAccents) {
  for (const char* text : {"décu", "deçu", "DECU", "Déçu", "DÉÇU"}) {
    EXPECT_TRUE(matches("déçu", text)) << text;
    EXPECT_TRUE(matches("DECU", text)) << text;
  }
  EXPECT_TRUE(matches("acme", "ＡＣＭＥ"));
  EXPECT_TRUE(matches("\"j'adore\"", "J’adore"));
}

TEST(QueryMatch, ExactTerms) {
  EXPECT_TRUE(matches("=Orange", "Chez Orange, rien"));
  EXPECT_FALSE(matches("=Orange", "une orange"));
  EXPECT_TRUE(matches("=déçu", "très déçu"));
  EXPECT_FALSE(matches("=déçu", "très decu"));
  EXPECT_FALSE(matches("=déçu", "très DÉÇU"));
  EXPECT_FALSE(matches("=Orange", "Oranges"));
  EXPECT_TRUE(matches("=\"Acme Corp\"", "chez Acme  Corp."));
  EXPECT_FALSE(matches("=\"Acme Corp\"", "chez acme corp"));
}

TEST(QueryMatch, Phrases) {
  EXPECT_TRUE(matches("\"service client\"", "le Service Client est nul"));
  EXPECT_TRUE(matches("\"service client\"", "service-client"));
  EXPECT_TRUE(matches("\"service client\"", "service, client"));
  EXPECT_FALSE(matches("\"service client\"", "service du client"));
  EXPECT_FALSE(matches("\"service client\"", "client service"));
  EXPECT_FALSE(matches("\"service client\"", "services clients"));
  EXPECT_TRUE(matches("\"acme 😡\"", "acme😡"));
}

TEST(QueryMatch, Wildcards) {
  EXPECT_TRUE(matches("boycott*", "boycott"));
  EXPECT_TRUE(matches("boycott*", "on boycotte Acme"));
  EXPECT_TRUE(matches("boycott*", "#Boycotts"));
  EXPECT_FALSE(matches("boycott*", "antiboycott"));
  EXPECT_TRUE(matches("rembours*", "Remboursé ?"));
  EXPECT_FALSE(matches("\"service cli*\"", "service clientèle"));  // in a phrase '*' is a character
}

TEST(QueryMatch, HashtagsMentionsEmoji) {
  EXPECT_TRUE(matches("#acme", "vive #Acme"));
  EXPECT_FALSE(matches("#acme", "vive acme"));
  EXPECT_FALSE(matches("#acme", "vive #acmeville"));
  EXPECT_TRUE(matches("@acme_fr", "merci @Acme_FR !"));
  EXPECT_FALSE(matches("@acme", "merci @acme_fr"));
  EXPECT_TRUE(matches("😡", "acme😡😡"));
  EXPECT_TRUE(matches("acme 😡", "😡 ACME"));
  EXPECT_FALSE(matches("😡", "acme 😀"));
}

TEST(QueryMatch, BooleanOperators) {
  EXPECT_TRUE(matches("acme AND panne", "acme en panne"));
  EXPECT_FALSE(matches("acme AND panne", "acme en forme"));
  EXPECT_TRUE(matches("acme panne", "panne chez acme"));
  EXPECT_TRUE(matches("acme OR globex", "globex"));
  EXPECT_FALSE(matches("acme OR globex", "initech"));
  EXPECT_TRUE(matches("acme NOT test", "acme"));
  EXPECT_FALSE(matches("acme NOT test", "acme test"));
  EXPECT_TRUE(matches("NOT test", "rien"));
  EXPECT_FALSE(matches("NOT test", "un test"));
}

TEST(QueryMatch, Precedence) {
  // a OR b AND c == a OR (b AND c)
  EXPECT_TRUE(matches("a1 OR b1 AND c1", "a1"));
  EXPECT_FALSE(matches("a1 OR b1 AND c1", "b1"));
  EXPECT_TRUE(matches("a1 OR b1 AND c1", "b1 c1"));
  // NOT a AND b == (NOT a) AND b
  EXPECT_TRUE(matches("NOT a1 AND b1", "b1"));
  EXPECT_FALSE(matches("NOT a1 AND b1", "a1 b1"));
  EXPECT_FALSE(matches("NOT a1 AND b1", "c1"));
  EXPECT_TRUE(matches("(a1 OR b1) c1", "b1 c1"));
  EXPECT_FALSE(matches("(a1 OR b1) c1", "b1"));
}

TEST(QueryMatch, Near) {
  EXPECT_TRUE(matches("acme NEAR/2 panne", "acme est en panne"));
  EXPECT_TRUE(matches("acme NEAR/2 panne", "panne chez acme"));
  EXPECT_FALSE(matches("acme NEAR/1 panne", "acme est en panne"));
  EXPECT_TRUE(matches("acme NEAR/0 panne", "acme panne"));
  EXPECT_TRUE(matches("acme NEAR/0 panne", "acme, panne"));    // punctuation is not a token
  EXPECT_FALSE(matches("acme NEAR/0 panne", "acme 😡 panne"));  // an emoji is
  EXPECT_TRUE(matches("acme NEAR/1 panne", "acme 😡 panne"));
  EXPECT_FALSE(matches("acme NEAR/3 acme", "acme"));  // occurrences must not overlap
  EXPECT_TRUE(matches("acme NEAR/3 acme", "acme et acme"));
  EXPECT_TRUE(matches("\"acme corp\" NEAR/2 (panne OR bug*)", "acme corp a des bugs"));
  EXPECT_FALSE(matches("\"acme corp\" NEAR/1 (panne OR bug*)", "acme corp a des bugs"));
  EXPECT_TRUE(matches("acme NEAR/5 panne", "panne x x x x acme ... acme x x x x x x x panne"));
  EXPECT_TRUE(matches("=Acme NEAR/1 =Panne", "Acme Panne"));
  EXPECT_FALSE(matches("=Acme NEAR/1 =Panne", "acme panne"));
}

TEST(QueryMatch, OrderedNear) {
  EXPECT_TRUE(matches("acme ONEAR/2 panne", "acme est en panne"));
  EXPECT_FALSE(matches("acme ONEAR/2 panne", "panne chez acme"));
  EXPECT_TRUE(matches("acme ONEAR/2 panne", "panne chez acme, encore en panne"));
}

TEST(QueryMatch, FieldFilters) {
  ingest::Post p = post_with("acme");
  p.platform = "Mastodon";
  p.kind = ingest::Kind::comment;
  p.author.handle = "Jane_Doe";
  p.author.followers = 12000;
  EXPECT_TRUE(matches("acme lang:fr", p, "fr"));
  EXPECT_FALSE(matches("acme lang:fr", p, "en"));
  EXPECT_TRUE(matches("lang:FR", p, "fr"));
  EXPECT_TRUE(matches("acme platform:mastodon", p));
  EXPECT_FALSE(matches("acme platform:bluesky", p));
  EXPECT_TRUE(matches("acme author:@jane_doe", p));
  EXPECT_FALSE(matches("acme author:john", p));
  EXPECT_TRUE(matches("acme kind:comment", p));
  EXPECT_FALSE(matches("acme kind:post", p));
  EXPECT_TRUE(matches("acme followers:>10000", p));
  EXPECT_FALSE(matches("acme followers:>12000", p));
  EXPECT_TRUE(matches("acme followers:>=12000", p));
  EXPECT_TRUE(matches("acme followers:<=12000", p));
  EXPECT_FALSE(matches("acme followers:<12000", p));
  EXPECT_TRUE(matches("acme followers:=12000", p));
  p.author.followers = -1;  // unknown: no comparison holds
  EXPECT_FALSE(matches("acme followers:<10", p));
  EXPECT_FALSE(matches("acme followers:>10", p));
  EXPECT_TRUE(matches("acme NOT followers:>10", p));
}

TEST(QueryMatch, TitleIsMatchedWithText) {
  ingest::Post p = post_with("est en panne");
  p.title = "Acme";
  EXPECT_TRUE(matches("acme panne", p));
  EXPECT_TRUE(matches("acme NEAR/3 panne", p));
}

TEST(QueryMatch, ControlCharactersAndInvalidUtf8SeparateWords) {
  EXPECT_TRUE(matches("acme",
                      "x\x01"
                      "acme\ty"));
  EXPECT_TRUE(matches("acme",
                      "\xFF"
                      "acme\xC3"));
  EXPECT_TRUE(matches("=acme",
                      "\xFF"
                      "acme\x7F"));
}

TEST(QueryNormalize, MarkWords) {
  std::string m;
  mark_words("l'acme 😡!", m);
  EXPECT_EQ(m,
            "\x01l\x01'\x01"
            "acme\x01 😡!");
  mark_words("#été\tok\xFF", m);
  EXPECT_EQ(m,
            "#\x01"
            "été\x01 \x01ok\x01 ");
  std::vector<Token> tokens;
  mark_words("a, b😡c", m);
  tokenize_marked(m, tokens);
  ASSERT_EQ(tokens.size(), 4u);  // a, b, 😡, c
  EXPECT_EQ(m.substr(tokens[2].begin, tokens[2].end - tokens[2].begin), "😡");
}

// The fused hot path must equal its definition, for every BMP code point in every word context and for random
// mixes of scripts, emoji, controls and invalid bytes.
TEST(QueryNormalize, FusedEqualsFoldThenMark) {
  std::string fused, slow, in;
  for (std::int32_t cp = 0; cp < 0x10000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    for (const char* before : {"a", " ", ""}) {
      in = before;
      append_utf8(in, cp);
      in += "b";
      fold_and_mark(in, fused);
      mark_words(fold_text(in), slow);
      ASSERT_EQ(fused, slow) << "U+" << std::hex << cp;
    }
  }
  std::mt19937 rng(5);
  const std::vector<std::int32_t> pool = {'a',    'Z',    ' ',     '#',     '_',    '\t',    0x7F,
                                          0xE9,   0xC7,   0x2019,  0xFB01,  0xFF21, 0x1F621, 0x1F3FD,
                                          0x200D, 0xFE0F, 0x1D400, 0x10400, 0x4E2D, 0x0301,  0x2460};
  for (int i = 0; i < 20000; ++i) {
    in.clear();
    const int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      if (rng() % 20 == 0) {
        in.push_back(static_cast<char>(0x80 + rng() % 0x80));  // a stray continuation or lead byte
      } else {
        append_utf8(in, pool[rng() % pool.size()]);
      }
    }
    fold_and_mark(in, fused);
    mark_words(fold_text(in), slow);
    ASSERT_EQ(fused, slow) << in;
  }
  // Long, mostly ASCII texts: the 16-byte vector path, its halves and its hand-overs to the scalar loop.
  const std::string ascii = "aZ09_ #@!-'\t\x01\x7F.,:;()[]{}<>~`|+=*&^%$\"/?\\";
  for (int i = 0; i < 20000; ++i) {
    in.clear();
    const int n = static_cast<int>(rng() % 200);
    for (int k = 0; k < n; ++k) {
      if (rng() % 25 == 0) {
        append_utf8(in, pool[rng() % pool.size()]);
      } else {
        in.push_back(ascii[rng() % ascii.size()]);
      }
    }
    fold_and_mark(in, fused);
    mark_words(fold_text(in), slow);
    ASSERT_EQ(fused, slow) << in;
  }
}

// Rule-set level behaviour: ordering, brand options, excludes, topics restricted to brands, regex rules.
class RuleSetMatch : public ::testing::Test {
 protected:
  static QueryNode q(std::string_view text) {
    auto r = parse_query(text);
    EXPECT_TRUE(r) << text;
    return r ? *r : QueryNode{};
  }

  std::vector<Match> run(const ingest::Post& p, std::string_view lang = "fr") {
    std::vector<Match> out;
    rs_->match(p, lang, scratch_, out);
    const std::vector<Match> ref = reference_match(spec_, p, lang);
    EXPECT_EQ(describe(out), describe(ref)) << p.text;
    return out;
  }

  static std::string describe(const std::vector<Match>& ms) {
    std::string s;
    for (const Match& m : ms) {
      s += std::string(to_string(m.kind)) + ":" + m.rule;
      if (m.kind == RuleKind::topic) s += "/" + std::string(to_string(m.severity));
      s += " ";
    }
    return s;
  }

  void SetUp() override {
    Brand acme;
    acme.id = "acme";
    acme.query = q("acme OR #acme");
    acme.exclude = q("acmeville OR \"road runner\"");
    Brand globex;
    globex.id = "globex";
    globex.query = q("globex");
    globex.languages = {"en"};
    globex.platforms = {"bluesky"};
    Brand re;
    re.id = "initech";
    re.regex = "(?i)\\binitech\\s+(inc|corp)\\b";
    spec_.brands = {acme, globex, re};
    Topic outage;
    outage.id = "outage";
    outage.severity = Severity::critical;
    outage.brands = {"acme", "initech"};
    outage.query = q("panne OR outage");
    Topic anywhere;
    anywhere.id = "french";
    anywhere.query = q("lang:fr NOT spam");
    Topic money;
    money.id = "money";
    money.severity = Severity::warning;
    money.regex = "[0-9]+ ?€";
    spec_.topics = {outage, anywhere, money};
    auto rs = RuleSet::compile(spec_);
    ASSERT_TRUE(rs) << rs.error().message;
    rs_ = *rs;
  }

  RuleSetSpec spec_;
  std::shared_ptr<const RuleSet> rs_;
  MatchScratch scratch_;
};

TEST_F(RuleSetMatch, BrandsThenTopicsInFileOrder) {
  const auto out = run(post_with("panne chez Acme, 30€ perdus"));
  EXPECT_EQ(describe(out), "brand:acme topic:outage/critical topic:french/info topic:money/warning ");
}

TEST_F(RuleSetMatch, ExcludeVetoesTheBrandAndItsTopics) {
  EXPECT_EQ(describe(run(post_with("panne à acmeville, acme"), "en")), "");
  EXPECT_EQ(describe(run(post_with("road runner vs acme"), "en")), "");
}

TEST_F(RuleSetMatch, TopicRestrictedToBrands) {
  EXPECT_EQ(describe(run(post_with("grosse panne"), "en")), "");
  EXPECT_EQ(describe(run(post_with("Initech Corp outage"), "en")), "brand:initech topic:outage/critical ");
}

TEST_F(RuleSetMatch, BrandLanguagesAndPlatforms) {
  ingest::Post p = post_with("globex");
  EXPECT_EQ(describe(run(p, "en")), "");  // platform mastodon
  p.platform = "Bluesky";
  EXPECT_EQ(describe(run(p, "en")), "brand:globex ");
  EXPECT_EQ(describe(run(p, "fr")), "topic:french/info ");
}

TEST_F(RuleSetMatch, SummaryCountsDistinctPatterns) {
  // acme, #acme, acmeville, "road runner", globex, initech regex, panne, outage, spam, money regex
  EXPECT_EQ(rs_->summary(), "3 brands, 3 topics, 10 patterns");
}

TEST_F(RuleSetMatch, ScratchSurvivesARuleSetSwap) {
  run(post_with("acme"));
  RuleSetSpec small;
  Brand b;
  b.id = "x";
  b.query = q("xyz");
  small.brands.push_back(b);
  auto other = RuleSet::compile(small);
  ASSERT_TRUE(other);
  std::vector<Match> out;
  (*other)->match(post_with("xyz acme"), "fr", scratch_, out);
  EXPECT_EQ(describe(out), "brand:x ");
  out.clear();
  rs_->match(post_with("acme"), "fr", scratch_, out);
  EXPECT_EQ(describe(out), "brand:acme topic:french/info ");
}

TEST_F(RuleSetMatch, HighlightsMapBackToRawText) {
  std::vector<Highlight> h;
  const ingest::Post p = post_with("Panne chez #ACME, acme!");
  rs_->highlight(p, Match{"acme", RuleKind::brand, Severity::info}, h);
  EXPECT_EQ(h,
            (std::vector<Highlight>{{11, 16}, {18, 22}}));  // "#acme" and "acme" overlap in "#ACME": merged
  rs_->highlight(p, Match{"outage", RuleKind::topic, Severity::critical}, h);
  EXPECT_EQ(h, (std::vector<Highlight>{{0, 5}}));
  rs_->highlight(post_with("Initech Corp"), Match{"initech", RuleKind::brand, Severity::info}, h);
  EXPECT_EQ(h, (std::vector<Highlight>{{0, 12}}));
  rs_->highlight(p, Match{"nope", RuleKind::brand, Severity::info}, h);
  EXPECT_TRUE(h.empty());
}

TEST(RuleSetHighlight, FoldedAndExactLiterals) {
  RuleSetSpec spec;
  Brand b;
  b.id = "b";
  b.query = *parse_query("(déçu OR \"service client\" OR =Acme) NOT test");
  spec.brands.push_back(b);
  auto rs = RuleSet::compile(spec);
  ASSERT_TRUE(rs);
  ingest::Post p = post_with("Très DÉÇU du Service-Client d'Acme");
  p.title = "ﬁn";
  // Raw text is "ﬁn\nTrès DÉÇU ...": the title's 3-byte ligature shifts everything by 4 + 1.
  std::vector<Highlight> h;
  (*rs)->highlight(p, Match{"b", RuleKind::brand, Severity::info}, h);
  EXPECT_EQ(h, (std::vector<Highlight>{{11, 17}, {21, 35}, {38, 42}}));
  const std::string raw = p.title + "\n" + p.text;
  EXPECT_EQ(raw.substr(11, 6), "DÉÇU");
  EXPECT_EQ(raw.substr(21, 14), "Service-Client");
  EXPECT_EQ(raw.substr(38, 4), "Acme");
}

// A budget too small for the patterns is a compile error, never a crash or a silently partial set.
TEST(RuleSetCompile, BudgetTooSmallIsAnError) {
  RuleSetSpec spec;
  for (int i = 0; i < 400; ++i) {
    Brand b;
    b.id = "b" + std::to_string(i);
    b.query = *parse_query("w" + std::to_string(i) + "x OR \"w" + std::to_string(i) + " yes\"");
    spec.brands.push_back(std::move(b));
  }
  spec.set_max_mem = 64 << 10;
  auto rs = RuleSet::compile(spec);
  ASSERT_FALSE(rs);
  EXPECT_EQ(rs.error().message, "the rules need more memory than RE2 allows (800 patterns)");
  spec.set_max_mem = 1 << 20;
  ASSERT_TRUE(RuleSet::compile(spec));
}

TEST(RuleSetCompile, TenThousandPatternsCompile) {
  // The default RE2 max_mem fails on a set this size.
  RuleSetSpec spec;
  for (int i = 0; i < 10000; ++i) {
    Brand b;
    b.id = "b" + std::to_string(i);
    b.query = *parse_query("brand" + std::to_string(i) + " OR \"brand" + std::to_string(i) + " corp\"");
    spec.brands.push_back(std::move(b));
  }
  auto rs = RuleSet::compile(std::move(spec));
  ASSERT_TRUE(rs) << rs.error().message;
  EXPECT_EQ((*rs)->pattern_count(), 20000u);
  MatchScratch scratch;
  std::vector<Match> out;
  (*rs)->match(post_with("j'aime Brand9999 corp et brand17"), "fr", scratch, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule, "b17");
  EXPECT_EQ(out[1].rule, "b9999");
  EXPECT_EQ((*rs)->dfa_fallbacks(), 0u);
}

}  // namespace
}  // namespace vigie::rules
