// Brand and topic rules compiled for matching every post at line rate.
//
// A RuleSet is built once (from a rule file, see rule_file.h, or from specs in code), is immutable afterwards
// and is shared as std::shared_ptr<const RuleSet>: a reload builds a new set off the hot path and swaps the
// pointer, so a post is always matched by one whole set.
//
// How a post is matched: its title and text ("title\ntext") are folded once (fold_text) and marked for word
// boundaries (word_boundary.h). Each query has trigger literals, chosen so that it cannot be true unless one
// of them occurs (an OR needs all its operands' triggers, an AND only the smallest set of one operand). All
// trigger literals of all rules are the patterns of one RE2::Set, which scans the marked text once in a
// single DFA pass (exact (=) literals use a second set over the marked raw text, `regex:` rules a third over
// the raw text; a set exists only when some rule needs it). A rule's Boolean tree is evaluated only when one
// of its triggers hit; its other literals (AND operands, NOT, exclude) are then looked for directly in the
// marked text, once per post. Queries that can match without any term, like `lang:fr` or `NOT spam`, are
// evaluated for every post and keep all their literals in the sets; a topic restricted to brands is evaluated
// only when one of them matched. NEAR/ONEAR finds the occurrences of its operands with per-literal RE2s and
// compares token positions.
//
// Cost per post: one fold-and-mark pass (no allocation), one DFA pass per existing set, then work
// proportional to the candidates only. Memory: the sets' DFA caches grow up to RuleSetSpec::set_max_mem as
// traffic visits states.
//
// Thread-safety: a RuleSet is immutable; match() may be called from many threads at once, each with its own
// MatchScratch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/base/result.h"
#include "ingest/post.h"
#include "rules/detect/detection_options.h"
#include "rules/query/boolean_query.h"
#include "rules/scored_post.h"
#include "rules/sentiment/sentiment_options.h"
#include "rules/text/word_boundary.h"

namespace re2 {
class RE2;
}

namespace vigie::rules {

struct Brand {
  std::string id;
  std::string name;                    // display name; defaults to id
  std::vector<std::string> languages;  // lower case; empty: any language
  std::vector<std::string> platforms;  // lower case; empty: any platform
  QueryNode query;                     // used when regex is empty
  std::string regex;                   // RE2 syntax (UTF-8), matched on the raw "title\ntext"
  std::optional<QueryNode> exclude;    // a post matching it never matches the brand
  // Crisis detection of this brand, when it differs from RuleSetSpec::detection: the defaults with the brand's
  // `detection:` overrides merged in. nullopt: the defaults apply.
  std::optional<DetectionOptions> detection;
};

struct Topic {
  std::string id;
  Severity severity = Severity::info;
  std::vector<std::string> brands;  // ids of brands it applies to; empty: every post
  QueryNode query;
  std::string regex;
};

struct RuleSetSpec {
  std::vector<Brand> brands;
  // The file says `brands: []`: no brand on purpose. A file without brands that does not say so (empty,
  // truncated mid-write) is refused by a reload, which would otherwise stop all matching silently.
  bool no_brands_on_purpose = false;
  std::vector<Topic> topics;
  SentimentOptions sentiment;
  DetectionOptions detection;  // for every brand without its own (Brand::detection)
  // RE2 memory budget of each pattern set: its program and its DFA cache (committed only as states are
  // built). RE2's default (8 MiB) cannot compile 10,000 patterns, and a DFA cache too small for the traffic
  // makes RE2 give up on posts (counted by dfa_fallbacks(); those posts are then matched by a slow exact
  // scan).
  std::int64_t set_max_mem = std::int64_t{1} << 30;
};

class RuleSet;

// A byte range [begin, end) of a post's raw matched text: "title\ntext" when it has a title, else the text.
struct Highlight {
  std::uint32_t begin;
  std::uint32_t end;
  bool operator==(const Highlight&) const = default;
};

// Per-thread working memory for RuleSet::match. Reusing one scratch across posts makes matching
// allocation-free in steady state (buffers only grow). A scratch may be used with successive rule sets (after
// a reload) but by one thread at a time.
class MatchScratch {
 public:
  MatchScratch() = default;

 private:
  friend class RuleSet;
  struct Span {
    std::uint32_t first;  // token indices, inclusive
    std::uint32_t last;
  };
  std::string raw;         // "title\ntext" when the post has a title
  std::string marked;      // marked folded text: what the main set scans
  std::string marked_raw;  // marked raw text, for exact literals
  bool marked_raw_ready = false;
  // Per marked text (folded, raw): which pairs of bytes follow a kWordMark, hashed to 4,096 bits. A literal
  // outside the sets whose first word starts with a pair absent here cannot occur: no search of the text.
  std::uint64_t word_starts[2][64] = {};
  bool word_starts_ready[2] = {};
  std::vector<int> set_hits;
  std::vector<std::uint32_t> pattern_stamp;  // == generation: the pattern occurs in this post
  std::vector<std::uint32_t> pattern_known;  // == generation: a pattern outside the sets was looked for
  std::vector<std::uint32_t> rule_stamp;     // == generation: the rule is a candidate
  std::vector<std::uint32_t> brand_stamp;    // == generation: the brand matched
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint8_t> stack;
  std::vector<Token> tokens;
  std::vector<Token> tokens_raw;
  bool tokens_ready = false;
  bool tokens_raw_ready = false;
  std::vector<Span> left;
  std::vector<Span> right;
  std::uint32_t generation = 0;
  // Per set (folded, exact, regex): scans and those that hit, over a sliding window (see RuleSet::scan).
  std::uint32_t recent_scans[3] = {};
  std::uint32_t recent_hits[3] = {};
};

class RuleSet {
 public:
  // Compiles rules whose queries are already parsed. Fails (without a file location) only when an RE2 pattern
  // does not compile or the pattern sets exceed RE2's memory budget. Topic brand ids that name no brand are
  // ignored here; the rule-file loader reports them with their location.
  static Result<std::shared_ptr<const RuleSet>> compile(RuleSetSpec spec);

  // Reads and compiles a rule file; errors read "FILE:LINE:COL: message" (see rule_file.h).
  static Result<std::shared_ptr<const RuleSet>> load_file(const std::string& path);
  // Same for YAML text; `name` stands for the file name in messages.
  static Result<std::shared_ptr<const RuleSet>> load_string(std::string_view yaml, std::string_view name);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  std::size_t brand_count() const { return spec_.brands.size(); }
  std::size_t topic_count() const { return spec_.topics.size(); }
  // Distinct patterns over all prefilter sets (identical literals of different rules count once).
  std::size_t pattern_count() const { return patterns_.size(); }
  // "12 brands, 40 topics, 1832 patterns", for `vigie check` and reload logs.
  std::string summary() const;

  const std::vector<Brand>& brands() const { return spec_.brands; }
  bool no_brands_on_purpose() const { return spec_.no_brands_on_purpose; }
  const std::vector<Topic>& topics() const { return spec_.topics; }
  const SentimentOptions& sentiment() const { return spec_.sentiment; }
  // The effective crisis-detection options of the brand with this id: its own, else the defaults (also for an
  // id that names no brand). Linear in the number of brands: look up once per brand, not per post.
  const DetectionOptions& detection(std::string_view brand) const;

  // Appends to `out` the matches of `post`: brands first, in file order, then topics in file order. A topic
  // with `brands` matches only when one of those brands matched this post. `lang` is the post's detected
  // language
  // ("fr", "en", "und"), compared with brand `languages` and `lang:` filters.
  void match(const ingest::Post& post, std::string_view lang, MatchScratch& scratch,
             std::vector<Match>& out) const;

  // For display: replaces `out` with where the rule `m` (a match returned for this post) hit: the occurrences
  // of the literals of its query that are not under NOT (or the matches of its regex), as sorted, merged byte
  // ranges of the raw text. Folds the post again with offsets and allocates: meant for the few posts a user
  // looks at, not for every post. Empty when `m` names no rule of this set.
  void highlight(const ingest::Post& post, const Match& m, std::vector<Highlight>& out) const;

  // How many times an RE2::Set gave up (DFA out of memory) and matching fell back to the slow exact scan.
  // Should stay 0; exported as a metric by the daemon.
  std::uint64_t dfa_fallbacks() const { return dfa_fallbacks_.load(std::memory_order_relaxed); }

 private:
  enum class Space : std::uint8_t { folded, exact, regex };
  struct Pattern {
    Space space;
    bool in_set = false;  // scanned by a set; otherwise looked for only when a candidate rule needs it
    std::vector<std::string>
        marked_parts;                 // folded/exact: the literal's parts, marked (for the fallback scan)
    std::unique_ptr<re2::RE2> regex;  // regex space: the user's regex (for the fallback scan)
    // Folded/exact literals whose first part starts with kWordMark and two more bytes: the hash of those two
    // bytes (MatchScratch::word_starts); -1 otherwise.
    int word_start = -1;
  };
  enum class OpCode : std::uint8_t { pattern, filter, near, not_, and_, or_ };
  struct Instr {
    OpCode op;
    std::uint32_t arg;  // pattern, filter or near index; arity of and_/or_
  };
  struct Program {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;  // empty: no program
  };
  struct Finder {
    std::uint32_t pattern;
    std::unique_ptr<re2::RE2> re;  // the literal as a regex over marked text, to find each occurrence
  };
  struct Near {
    std::vector<std::uint32_t> left;  // finder indices
    std::vector<std::uint32_t> right;
    std::uint32_t distance;
    bool ordered;
    bool exact;
  };
  struct Rule {
    RuleKind kind;
    std::uint32_t index;  // into spec_.brands or spec_.topics
    Program query;
    Program exclude;
    std::vector<std::uint32_t> brand_indices;  // topics: the brands they apply to
  };
  struct Set;  // one RE2::Set and its index -> pattern map
  class Compiler;
  struct EvalContext;

  RuleSet();
  void scan(Space space, std::string_view text, MatchScratch& s) const;
  void fallback_scan(Space space, std::string_view text, MatchScratch& s) const;
  void hit(std::uint32_t pattern, MatchScratch& s) const;
  bool present(std::uint32_t pattern, EvalContext& c) const;
  std::string_view marked_text(bool exact, EvalContext& c) const;
  bool eval(const Program& p, EvalContext& c) const;
  bool eval_filter(const QueryNode& f, const EvalContext& c) const;
  bool eval_near(const Near& n, EvalContext& c) const;
  void find_spans(std::uint32_t finder, std::string_view marked, const std::vector<Token>& tokens,
                  std::vector<MatchScratch::Span>& out) const;

  RuleSetSpec spec_;
  std::vector<Pattern> patterns_;
  std::vector<std::unique_ptr<Set>> sets_;  // indexed by Space; null when no pattern lives there
  std::vector<Instr> code_;
  std::vector<QueryNode> filters_;
  std::vector<Finder> finders_;
  std::vector<Near> nears_;
  std::vector<Rule> rules_;                   // brands, then topics
  std::vector<std::uint32_t> trigger_begin_;  // pattern -> [begin, next begin) in trigger_rules_
  std::vector<std::uint32_t> trigger_rules_;
  std::vector<std::uint32_t> always_;             // rules evaluated for every post
  std::vector<std::uint32_t> brand_topic_begin_;  // brand -> [begin, next begin) in brand_topics_
  std::vector<std::uint32_t> brand_topics_;  // topics restricted to brands, made candidates by their match
  mutable std::atomic<std::uint64_t> dfa_fallbacks_{0};
};

}  // namespace vigie::rules
