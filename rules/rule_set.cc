#include "rules/rule_set.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <string.h>  // memmem

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "rules/text/text_fold.h"

namespace vigie::rules {
namespace {

// Single-literal finders are tiny; a user's regex may be large but is one pattern.
constexpr std::int64_t kFinderMaxMem = std::int64_t{1} << 20;
constexpr std::int64_t kRegexMaxMem = std::int64_t{8} << 20;

re2::RE2::Options literal_options(std::int64_t max_mem) {
  // Folded and marked text is matched byte for byte: Latin-1 makes every byte one character, so a literal
  // UTF-8 sequence matches itself and [^\x01] is a one-byte class instead of a UTF-8 automaton.
  re2::RE2::Options o;
  o.set_encoding(re2::RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  return o;
}

re2::RE2::Options regex_options(std::int64_t max_mem) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  return o;
}

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80) {
      out.push_back(ch);
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

// Between the words of a phrase only non-word characters may appear, i.e. no marker. Lazy, so that the match
// of a phrase ends at its first possible end, the same occurrence the reference evaluator picks.
constexpr std::string_view kPartSeparator = "[^\\x01]*?";

// The first occurrence of `needle` in `text` at or after `pos`, or npos. Not string_view::find: it looks for
// the needle's first byte and compares from each one, and a marked literal starts with kWordMark, which comes
// before every word of the text; glibc's memmem skips on pairs of bytes instead (3-5 times faster here).
std::size_t find_from(std::string_view text, std::string_view needle, std::size_t pos) {
  if (pos > text.size()) return std::string_view::npos;
  if (needle.empty()) return pos;
  const void* hit = ::memmem(text.data() + pos, text.size() - pos, needle.data(), needle.size());
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data()) : std::string_view::npos;
}

// Where the marked parts i.. end in `text` when part i may start anywhere in the marker-free run from `pos`
// (the separator of a phrase), or npos. The search for a literal outside the sets: candidates are few and
// texts short, so string_view::find beats building anything. Part i is looked for only where it may start,
// within the run: searching on to the end of the text for every occurrence of the first part would make a
// long text that repeats that word cost its length squared.
std::size_t parts_end(std::string_view text, const std::vector<std::string>& parts, std::size_t i,
                      std::size_t pos) {
  if (i == parts.size()) return pos;
  std::size_t limit = text.find(kWordMark, pos);
  if (limit == std::string_view::npos) limit = text.size();
  const std::string_view window = text.substr(0, std::min(text.size(), limit + parts[i].size()));
  for (std::size_t p = find_from(window, parts[i], pos); p != std::string_view::npos && p <= limit;
       p = find_from(window, parts[i], p + 1)) {
    const std::size_t end = parts_end(text, parts, i + 1, p + parts[i].size());
    if (end != std::string_view::npos) return end;
  }
  return std::string_view::npos;
}

// The hash, in [0, 4096), of the two bytes that follow a kWordMark (MatchScratch::word_starts).
int word_start_hash(unsigned char a, unsigned char b) {
  return static_cast<int>(((a * 31u) ^ (b * 131u) ^ (b >> 3)) & 4095u);
}

// Sets, for each kWordMark of `marked` followed by two bytes, the bit of their hash.
void index_word_starts(std::string_view marked, std::uint64_t (&bits)[64]) {
  std::fill(std::begin(bits), std::end(bits), 0);
  for (std::size_t p = marked.find(kWordMark); p != std::string_view::npos && p + 2 < marked.size();
       p = marked.find(kWordMark, p + 1)) {
    const int h =
        word_start_hash(static_cast<unsigned char>(marked[p + 1]), static_cast<unsigned char>(marked[p + 2]));
    bits[h >> 6] |= std::uint64_t{1} << (h & 63);
  }
}

bool literal_occurs(std::string_view text, const std::vector<std::string>& parts) {
  for (std::size_t p = find_from(text, parts[0], 0); p != std::string_view::npos;
       p = find_from(text, parts[0], p + 1)) {
    if (parts_end(text, parts, 1, p + parts[0].size()) != std::string_view::npos) return true;
  }
  return false;
}

// A literal's parts in marked form; a wildcard leaves the end of its last word open.
std::vector<std::string> marked_parts(const QueryLiteral& lit) {
  std::vector<std::string> out;
  std::string m;
  for (std::size_t i = 0; i < lit.parts.size(); ++i) {
    mark_words(lit.parts[i], m);
    if (lit.prefix && i + 1 == lit.parts.size() && !m.empty() && m.back() == kWordMark) m.pop_back();
    out.push_back(m);
  }
  return out;
}

void positive_literals(const QueryNode& n, bool positive, std::vector<const QueryLiteral*>& out) {
  if (n.op == QueryNode::Op::literal) {
    if (positive) out.push_back(&n.literal);
    return;
  }
  for (const QueryNode& c : n.children)
    positive_literals(c, positive != (n.op == QueryNode::Op::not_), out);
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (x != b[i]) return false;  // b is lower case already
  }
  return true;
}

}  // namespace

struct RuleSet::Set {
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<std::uint32_t> pattern;  // set index -> pattern id
};

struct RuleSet::EvalContext {
  const ingest::Post& post;
  std::string_view lang;
  std::string_view raw;  // "title\ntext"
  MatchScratch& s;
};

class RuleSet::Compiler {
 public:
  explicit Compiler(RuleSet& rs) : rs_(rs) {}

  Result<void> run() {
    const auto& brands = rs_.spec_.brands;
    const auto& topics = rs_.spec_.topics;
    brand_topics_.resize(brands.size());
    std::unordered_map<std::string_view, std::uint32_t> brand_index;
    for (std::uint32_t i = 0; i < brands.size(); ++i)
      brand_index.emplace(brands[i].id, i);

    for (std::uint32_t i = 0; i < brands.size(); ++i) {
      const Brand& b = brands[i];
      Rule r{RuleKind::brand, i, {}, {}, {}};
      auto trig = compile_rule_query(b.query, b.regex, r.query);
      if (!trig) return trig.error();
      if (b.exclude) r.exclude = emit_program(*b.exclude);
      add_rule(std::move(r), *trig);
    }
    for (std::uint32_t i = 0; i < topics.size(); ++i) {
      const Topic& t = topics[i];
      Rule r{RuleKind::topic, i, {}, {}, {}};
      for (const std::string& id : t.brands) {
        if (auto it = brand_index.find(id); it != brand_index.end()) r.brand_indices.push_back(it->second);
      }
      // A topic restricted to brands that do not exist can never match; keep it so indices stay aligned.
      if (!t.brands.empty() && r.brand_indices.empty()) r.brand_indices.push_back(UINT32_MAX);
      auto trig = compile_rule_query(t.query, t.regex, r.query);
      if (!trig) return trig.error();
      if (r.brand_indices.empty()) {
        add_rule(std::move(r), *trig);
        continue;
      }
      // A topic restricted to brands cannot match before one of them does: the brand match makes it a
      // candidate, not its own (often common) words.
      const auto id = static_cast<std::uint32_t>(rs_.rules_.size());
      for (const std::uint32_t b : r.brand_indices) {
        if (b < brands.size()) brand_topics_[b].push_back(id);
      }
      rs_.rules_.push_back(std::move(r));
    }
    rs_.brand_topic_begin_.push_back(0);
    for (const auto& ts : brand_topics_) {
      rs_.brand_topics_.insert(rs_.brand_topics_.end(), ts.begin(), ts.end());
      rs_.brand_topic_begin_.push_back(static_cast<std::uint32_t>(rs_.brand_topics_.size()));
    }
    return build_sets();
  }

 private:
  using Triggers = std::optional<std::vector<std::uint32_t>>;

  Result<Triggers> compile_rule_query(const QueryNode& query, const std::string& regex, Program& out) {
    if (!regex.empty()) {
      auto id = add_regex(regex);
      if (!id) return id.error();
      out.begin = static_cast<std::uint32_t>(rs_.code_.size());
      rs_.code_.push_back({OpCode::pattern, *id});
      out.end = static_cast<std::uint32_t>(rs_.code_.size());
      return Triggers(std::vector<std::uint32_t>{*id});
    }
    out = emit_program(query);
    return triggers(query);
  }

  void add_rule(Rule r, const Triggers& trig) {
    const auto id = static_cast<std::uint32_t>(rs_.rules_.size());
    if (!trig) {
      // Evaluated for every post: its literals are cheapest in the sets' single pass.
      put_in_set(r.query);
      put_in_set(r.exclude);
      rs_.rules_.push_back(std::move(r));
      rs_.always_.push_back(id);
      return;
    }
    rs_.rules_.push_back(std::move(r));
    for (const std::uint32_t p : *trig) {
      if (p >= triggers_.size()) triggers_.resize(p + 1);
      triggers_[p].push_back(id);
      rs_.patterns_[p].in_set = true;
    }
  }

  void put_in_set(const Program& prog) {
    for (std::uint32_t i = prog.begin; i < prog.end; ++i) {
      const Instr& in = rs_.code_[i];
      if (in.op == OpCode::pattern) rs_.patterns_[in.arg].in_set = true;
      if (in.op != OpCode::near) continue;
      for (const auto* side : {&rs_.nears_[in.arg].left, &rs_.nears_[in.arg].right}) {
        for (const std::uint32_t f : *side)
          rs_.patterns_[rs_.finders_[f].pattern].in_set = true;
      }
    }
  }

  Program emit_program(const QueryNode& n) {
    Program p;
    p.begin = static_cast<std::uint32_t>(rs_.code_.size());
    emit(n);
    p.end = static_cast<std::uint32_t>(rs_.code_.size());
    return p;
  }

  // Postfix code: operands first, so evaluation needs a stack but no recursion.
  void emit(const QueryNode& n) {
    using Op = QueryNode::Op;
    auto& code = rs_.code_;
    switch (n.op) {
      case Op::literal:
        code.push_back({OpCode::pattern, add_literal(n.literal)});
        return;
      case Op::filter: {
        QueryNode f = n;
        f.children.clear();
        rs_.filters_.push_back(std::move(f));
        code.push_back({OpCode::filter, static_cast<std::uint32_t>(rs_.filters_.size() - 1)});
        return;
      }
      case Op::not_:
        emit(n.children[0]);
        code.push_back({OpCode::not_, 1});
        return;
      case Op::and_:
      case Op::or_:
        for (const QueryNode& c : n.children)
          emit(c);
        code.push_back(
            {n.op == Op::and_ ? OpCode::and_ : OpCode::or_, static_cast<std::uint32_t>(n.children.size())});
        return;
      case Op::near:
      case Op::onear: {
        Near near;
        near.distance = n.distance;
        near.ordered = n.op == Op::onear;
        near.exact = false;
        collect_finders(n.children[0], near.left, near.exact);
        collect_finders(n.children[1], near.right, near.exact);
        rs_.nears_.push_back(std::move(near));
        code.push_back({OpCode::near, static_cast<std::uint32_t>(rs_.nears_.size() - 1)});
        return;
      }
    }
  }

  void collect_finders(const QueryNode& n, std::vector<std::uint32_t>& out, bool& exact) {
    if (n.op != QueryNode::Op::literal) {
      for (const QueryNode& c : n.children)
        collect_finders(c, out, exact);
      return;
    }
    exact = n.literal.exact;
    const std::uint32_t pattern = add_literal(n.literal);
    auto [it, fresh] = finder_of_pattern_.emplace(pattern, static_cast<std::uint32_t>(rs_.finders_.size()));
    if (fresh) {
      auto re = std::make_unique<re2::RE2>(literal_regex_[pattern], literal_options(kFinderMaxMem));
      rs_.finders_.push_back(Finder{pattern, std::move(re)});
    }
    out.push_back(it->second);
  }

  // The pattern ids such that the query cannot be true unless one of them occurs; nullopt when it can
  // (filters, NOT). An AND needs only one of its operands' sets: the smallest keeps the candidates fewest.
  Triggers triggers(const QueryNode& n) {
    using Op = QueryNode::Op;
    switch (n.op) {
      case Op::literal:
        return std::vector<std::uint32_t>{add_literal(n.literal)};
      case Op::filter:
      case Op::not_:
        return std::nullopt;
      case Op::and_:
      case Op::near:
      case Op::onear: {
        Triggers best;
        for (const QueryNode& c : n.children) {
          Triggers t = triggers(c);
          if (t && (!best || t->size() < best->size())) best = std::move(t);
        }
        return best;
      }
      case Op::or_: {
        std::vector<std::uint32_t> all;
        for (const QueryNode& c : n.children) {
          Triggers t = triggers(c);
          if (!t) return std::nullopt;
          all.insert(all.end(), t->begin(), t->end());
        }
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        return all;
      }
    }
    return std::nullopt;
  }

  std::uint32_t add_literal(const QueryLiteral& lit) {
    std::vector<std::string> parts = marked_parts(lit);
    std::string regex;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) regex += kPartSeparator;
      append_escaped(regex, parts[i]);
    }
    const Space space = lit.exact ? Space::exact : Space::folded;
    auto [it, fresh] =
        ids_[static_cast<int>(space)].emplace(regex, static_cast<std::uint32_t>(rs_.patterns_.size()));
    if (fresh) {
      int word_start = -1;
      if (parts[0].size() >= 3 && parts[0][0] == kWordMark) {
        word_start =
            word_start_hash(static_cast<unsigned char>(parts[0][1]), static_cast<unsigned char>(parts[0][2]));
      }
      rs_.patterns_.push_back(Pattern{space, false, std::move(parts), nullptr, word_start});
      literal_regex_.push_back(regex);
    }
    return it->second;
  }

  Result<std::uint32_t> add_regex(const std::string& regex) {
    auto [it, fresh] =
        ids_[static_cast<int>(Space::regex)].emplace(regex, static_cast<std::uint32_t>(rs_.patterns_.size()));
    if (fresh) {
      auto re = std::make_unique<re2::RE2>(regex, regex_options(kRegexMaxMem));
      if (!re->ok()) return error("invalid regex: " + re->error());
      rs_.patterns_.push_back(Pattern{Space::regex, true, {}, std::move(re)});
      literal_regex_.push_back(regex);
    }
    return it->second;
  }

  Result<void> build_sets() {
    rs_.sets_.resize(3);
    for (int space = 0; space < 3; ++space) {
      auto set = std::make_unique<Set>();
      const std::int64_t mem = rs_.spec_.set_max_mem;
      const auto options =
          space == static_cast<int>(Space::regex) ? regex_options(mem) : literal_options(mem);
      set->set = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
      for (std::uint32_t p = 0; p < rs_.patterns_.size(); ++p) {
        if (static_cast<int>(rs_.patterns_[p].space) != space || !rs_.patterns_[p].in_set) continue;
        std::string err;
        if (set->set->Add(literal_regex_[p], &err) < 0)
          return error("invalid pattern '" + literal_regex_[p] + "': " + err);
        set->pattern.push_back(p);
      }
      if (set->pattern.empty()) continue;
      if (!set->set->Compile()) {
        return error("the rules need more memory than RE2 allows (" + std::to_string(set->pattern.size()) +
                     " patterns)");
      }
      rs_.sets_[space] = std::move(set);
    }
    triggers_.resize(rs_.patterns_.size());
    rs_.trigger_begin_.reserve(triggers_.size() + 1);
    for (const auto& rules : triggers_) {
      rs_.trigger_begin_.push_back(static_cast<std::uint32_t>(rs_.trigger_rules_.size()));
      rs_.trigger_rules_.insert(rs_.trigger_rules_.end(), rules.begin(), rules.end());
    }
    rs_.trigger_begin_.push_back(static_cast<std::uint32_t>(rs_.trigger_rules_.size()));
    return ok();
  }

  RuleSet& rs_;
  std::unordered_map<std::string, std::uint32_t> ids_[3];  // per space: regex text -> pattern id
  std::vector<std::string> literal_regex_;                 // pattern id -> regex text
  std::unordered_map<std::uint32_t, std::uint32_t> finder_of_pattern_;
  std::vector<std::vector<std::uint32_t>> triggers_;      // pattern id -> rules it makes candidates
  std::vector<std::vector<std::uint32_t>> brand_topics_;  // brand index -> topics restricted to it
};

RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;

Result<std::shared_ptr<const RuleSet>> RuleSet::compile(RuleSetSpec spec) {
  std::shared_ptr<RuleSet> rs(new RuleSet());
  rs->spec_ = std::move(spec);
  Compiler c(*rs);
  if (auto r = c.run(); !r) return r.error();
  return std::shared_ptr<const RuleSet>(std::move(rs));
}

const DetectionOptions& RuleSet::detection(std::string_view brand) const {
  for (const Brand& b : spec_.brands) {
    if (b.id == brand) return b.detection ? *b.detection : spec_.detection;
  }
  return spec_.detection;
}

std::string RuleSet::summary() const {
  return std::to_string(brand_count()) + " brands, " + std::to_string(topic_count()) + " topics, " +
         std::to_string(pattern_count()) + " patterns";
}

void RuleSet::hit(std::uint32_t pattern, MatchScratch& s) const {
  s.pattern_stamp[pattern] = s.generation;
  for (std::uint32_t i = trigger_begin_[pattern]; i < trigger_begin_[pattern + 1]; ++i) {
    const std::uint32_t rule = trigger_rules_[i];
    if (s.rule_stamp[rule] == s.generation) continue;
    s.rule_stamp[rule] = s.generation;
    s.candidates.push_back(rule);
  }
}

void RuleSet::scan(Space space, std::string_view text, MatchScratch& s) const {
  const Set& set = *sets_[static_cast<int>(space)];
  re2::RE2::Set::ErrorInfo info{re2::RE2::Set::kNoError};
  const re2::StringPiece piece(text.data(), text.size());
  // Asking which patterns matched makes RE2 allocate a set as large as the pattern list, on every call;
  // asking whether any matched allocates nothing and stops at the first hit. While this thread sees hits in
  // under a quarter of its scans (the usual firehose: triggers are brand names), asking that first is
  // cheaper.
  std::uint32_t& scans = s.recent_scans[static_cast<int>(space)];
  std::uint32_t& hits = s.recent_hits[static_cast<int>(space)];
  const bool precheck = hits * 4 < scans;
  if (++scans >= 1024) {  // a sliding window: halve, so the rate follows the traffic
    scans /= 2;
    hits /= 2;
  }
  if (precheck && !set.set->Match(piece, nullptr, &info)) {
    if (info.kind != re2::RE2::Set::kNoError) {
      dfa_fallbacks_.fetch_add(1, std::memory_order_relaxed);
      fallback_scan(space, text, s);
    }
    return;
  }
  if (!set.set->Match(piece, &s.set_hits, &info)) {
    // Match() returns false both for "nothing matched" and for a DFA that ran out of memory; only the
    // latter needs the exact (slow) scan, or matches would be lost silently.
    if (info.kind != re2::RE2::Set::kNoError) {
      dfa_fallbacks_.fetch_add(1, std::memory_order_relaxed);
      fallback_scan(space, text, s);
    }
    return;
  }
  ++hits;
  for (const int i : s.set_hits)
    hit(set.pattern[static_cast<std::size_t>(i)], s);
}

void RuleSet::fallback_scan(Space space, std::string_view text, MatchScratch& s) const {
  const Set& set = *sets_[static_cast<int>(space)];
  for (const std::uint32_t p : set.pattern) {
    const Pattern& pat = patterns_[p];
    const bool found = space == Space::regex
                           ? re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *pat.regex)
                           : literal_occurs(text, pat.marked_parts);
    if (found) hit(p, s);
  }
}

void RuleSet::match(const ingest::Post& post, std::string_view lang, MatchScratch& s,
                    std::vector<Match>& out) const {
  if (++s.generation == 0) {
    // Stamps from 2^32 posts ago would look current: start over.
    std::fill(s.pattern_stamp.begin(), s.pattern_stamp.end(), 0);
    std::fill(s.pattern_known.begin(), s.pattern_known.end(), 0);
    std::fill(s.rule_stamp.begin(), s.rule_stamp.end(), 0);
    std::fill(s.brand_stamp.begin(), s.brand_stamp.end(), 0);
    s.generation = 1;
  }
  if (s.pattern_stamp.size() < patterns_.size()) {
    s.pattern_stamp.resize(patterns_.size());
    s.pattern_known.resize(patterns_.size());
  }
  if (s.rule_stamp.size() < rules_.size()) s.rule_stamp.resize(rules_.size());
  if (s.brand_stamp.size() < spec_.brands.size()) s.brand_stamp.resize(spec_.brands.size());
  s.tokens_ready = false;
  s.tokens_raw_ready = false;
  s.marked_raw_ready = false;
  s.word_starts_ready[0] = s.word_starts_ready[1] = false;
  s.candidates.clear();

  std::string_view raw = post.text;
  if (!post.title.empty()) {
    s.raw.assign(post.title);
    s.raw.push_back('\n');
    s.raw.append(post.text);
    raw = s.raw;
  }
  fold_and_mark(raw, s.marked);
  if (sets_[static_cast<int>(Space::folded)]) scan(Space::folded, s.marked, s);
  EvalContext c{post, lang, raw, s};
  if (sets_[static_cast<int>(Space::exact)]) scan(Space::exact, marked_text(true, c), s);
  if (sets_[static_cast<int>(Space::regex)]) scan(Space::regex, raw, s);
  for (const std::uint32_t r : always_) {
    if (s.rule_stamp[r] != s.generation) s.candidates.push_back(r);
  }
  if (s.candidates.empty()) return;
  // Rule ids list brands before topics, in file order: sorting gives the output order and evaluates every
  // brand before the topics that depend on it.
  std::sort(s.candidates.begin(), s.candidates.end());

  const auto brand_rules = static_cast<std::uint32_t>(spec_.brands.size());
  std::size_t k = 0;
  // Brands are a prefix of the sorted candidates; a matched brand appends its topics at the end.
  for (; k < s.candidates.size() && s.candidates[k] < brand_rules; ++k) {
    const Rule& rule = rules_[s.candidates[k]];
    const Brand& b = spec_.brands[rule.index];
    // An undetermined post ("und": emoji, a word or two) is not in another language: it passes.
    if (!b.languages.empty() && lang != "und" &&
        std::none_of(b.languages.begin(), b.languages.end(),
                     [&](const std::string& l) { return iequal(lang, l); })) {
      continue;
    }
    if (!b.platforms.empty() &&
        std::none_of(b.platforms.begin(), b.platforms.end(),
                     [&](const std::string& p) { return iequal(post.platform, p); })) {
      continue;
    }
    if (!eval(rule.query, c)) continue;
    if (rule.exclude.end != rule.exclude.begin && eval(rule.exclude, c)) continue;
    s.brand_stamp[rule.index] = s.generation;
    out.push_back(Match{b.id, RuleKind::brand, Severity::info});
    for (std::uint32_t i = brand_topic_begin_[rule.index]; i < brand_topic_begin_[rule.index + 1]; ++i) {
      const std::uint32_t topic = brand_topics_[i];
      if (s.rule_stamp[topic] == s.generation) continue;
      s.rule_stamp[topic] = s.generation;
      s.candidates.push_back(topic);
    }
  }
  std::sort(s.candidates.begin() + static_cast<std::ptrdiff_t>(k), s.candidates.end());
  for (; k < s.candidates.size(); ++k) {
    const Rule& rule = rules_[s.candidates[k]];
    const Topic& t = spec_.topics[rule.index];
    if (!rule.brand_indices.empty() &&
        std::none_of(rule.brand_indices.begin(), rule.brand_indices.end(), [&](std::uint32_t b) {
          return b < s.brand_stamp.size() && s.brand_stamp[b] == s.generation;
        })) {
      continue;
    }
    if (!eval(rule.query, c)) continue;
    out.push_back(Match{t.id, RuleKind::topic, t.severity});
  }
}

std::string_view RuleSet::marked_text(bool exact, EvalContext& c) const {
  if (!exact) return c.s.marked;
  if (!c.s.marked_raw_ready) {
    mark_words(c.raw, c.s.marked_raw);
    c.s.marked_raw_ready = true;
  }
  return c.s.marked_raw;
}

bool RuleSet::present(std::uint32_t pattern, EvalContext& c) const {
  MatchScratch& s = c.s;
  if (s.pattern_stamp[pattern] == s.generation) return true;
  const Pattern& pat = patterns_[pattern];
  // A set reports every pattern it holds; the others are looked for once per post, when first needed.
  if (pat.in_set || s.pattern_known[pattern] == s.generation) return false;
  s.pattern_known[pattern] = s.generation;
  const bool exact = pat.space == Space::exact;
  const std::string_view text = marked_text(exact, c);
  if (pat.word_start >= 0) {
    if (!s.word_starts_ready[exact]) {
      index_word_starts(text, s.word_starts[exact]);
      s.word_starts_ready[exact] = true;
    }
    if (!(s.word_starts[exact][pat.word_start >> 6] & (std::uint64_t{1} << (pat.word_start & 63))))
      return false;
  }
  if (!literal_occurs(text, pat.marked_parts)) return false;
  s.pattern_stamp[pattern] = s.generation;
  return true;
}

bool RuleSet::eval(const Program& p, EvalContext& c) const {
  auto& st = c.s.stack;
  st.clear();
  for (std::uint32_t i = p.begin; i < p.end; ++i) {
    const Instr& in = code_[i];
    switch (in.op) {
      case OpCode::pattern:
        st.push_back(present(in.arg, c));
        break;
      case OpCode::filter:
        st.push_back(eval_filter(filters_[in.arg], c));
        break;
      case OpCode::near:
        st.push_back(eval_near(nears_[in.arg], c));
        break;
      case OpCode::not_:
        st.back() = !st.back();
        break;
      case OpCode::and_:
      case OpCode::or_: {
        const std::size_t first = st.size() - in.arg;
        bool v = in.op == OpCode::and_;
        for (std::size_t k = first; k < st.size(); ++k)
          v = in.op == OpCode::and_ ? (v && st[k]) : (v || st[k]);
        st.resize(first);
        st.push_back(v);
        break;
      }
    }
  }
  return st.back() != 0;
}

bool RuleSet::eval_filter(const QueryNode& f, const EvalContext& c) const {
  switch (f.field) {
    case QueryField::lang:
      return iequal(c.lang, f.value);
    case QueryField::platform:
      return iequal(c.post.platform, f.value);
    case QueryField::author: {
      std::string_view h = c.post.author.handle;
      if (!h.empty() && h.front() == '@') h.remove_prefix(1);
      return iequal(h, f.value);
    }
    case QueryField::kind:
      return c.post.kind == f.kind;
    case QueryField::followers: {
      const std::int64_t n = c.post.author.followers;
      if (n < 0) return false;  // unknown: no comparison holds
      switch (f.compare) {
        case Compare::lt:
          return n < f.number;
        case Compare::le:
          return n <= f.number;
        case Compare::eq:
          return n == f.number;
        case Compare::ge:
          return n >= f.number;
        case Compare::gt:
          return n > f.number;
      }
    }
  }
  return false;
}

void RuleSet::find_spans(std::uint32_t finder, std::string_view marked, const std::vector<Token>& tokens,
                         std::vector<MatchScratch::Span>& out) const {
  const re2::RE2& re = *finders_[finder].re;
  const re2::StringPiece text(marked.data(), marked.size());
  re2::StringPiece m;
  std::size_t pos = 0;
  // Restart one byte after each match start, not at its end, so overlapping occurrences are all seen.
  while (pos < marked.size() && re.Match(text, pos, marked.size(), re2::RE2::UNANCHORED, &m, 1)) {
    const auto begin = static_cast<std::uint32_t>(m.data() - marked.data());
    const auto end = static_cast<std::uint32_t>(begin + m.size());
    const auto first =
        std::partition_point(tokens.begin(), tokens.end(), [&](const Token& t) { return t.end <= begin; });
    const auto stop =
        std::partition_point(first, tokens.end(), [&](const Token& t) { return t.begin < end; });
    if (first != stop) {
      out.push_back({static_cast<std::uint32_t>(first - tokens.begin()),
                     static_cast<std::uint32_t>(stop - tokens.begin() - 1)});
    }
    pos = begin + 1;
  }
}

bool RuleSet::eval_near(const Near& n, EvalContext& c) const {
  MatchScratch& s = c.s;
  auto any_present = [&](const std::vector<std::uint32_t>& fs) {
    return std::any_of(fs.begin(), fs.end(),
                       [&](std::uint32_t f) { return present(finders_[f].pattern, c); });
  };
  if (!any_present(n.left) || !any_present(n.right)) return false;
  const std::string_view marked = marked_text(n.exact, c);
  std::vector<Token>& tokens = n.exact ? s.tokens_raw : s.tokens;
  bool& ready = n.exact ? s.tokens_raw_ready : s.tokens_ready;
  if (!ready) {
    tokenize_marked(marked, tokens);
    ready = true;
  }
  s.left.clear();
  s.right.clear();
  for (const std::uint32_t f : n.left) {
    if (present(finders_[f].pattern, c)) find_spans(f, marked, tokens, s.left);
  }
  for (const std::uint32_t f : n.right) {
    if (present(finders_[f].pattern, c)) find_spans(f, marked, tokens, s.right);
  }
  // Is some span of `before` followed, at most `distance` words later, by a span of `after`? For each span of
  // `after` in start order, the nearest candidate is the latest-ending span of `before` that ends before it:
  // two sorted sweeps, so that a long text full of both words costs n log n, never their product.
  const auto followed_within = [&n](std::vector<MatchScratch::Span>& before,
                                    std::vector<MatchScratch::Span>& after) {
    std::sort(before.begin(), before.end(), [](const auto& x, const auto& y) { return x.last < y.last; });
    std::sort(after.begin(), after.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::size_t i = 0;
    for (const auto& b : after) {
      while (i < before.size() && before[i].last < b.first)
        ++i;
      if (i > 0 && b.first - before[i - 1].last - 1 <= n.distance) return true;
    }
    return false;
  };
  return followed_within(s.left, s.right) || (!n.ordered && followed_within(s.right, s.left));
}

}  // namespace vigie::rules

namespace vigie::rules {

void RuleSet::highlight(const ingest::Post& post, const Match& m, std::vector<Highlight>& out) const {
  out.clear();
  const QueryNode* query = nullptr;
  const std::string* regex = nullptr;
  if (m.kind == RuleKind::brand) {
    for (const Brand& b : spec_.brands) {
      if (b.id == m.rule) {
        query = &b.query;
        regex = &b.regex;
      }
    }
  } else {
    for (const Topic& t : spec_.topics) {
      if (t.id == m.rule) {
        query = &t.query;
        regex = &t.regex;
      }
    }
  }
  if (query == nullptr) return;
  const std::string raw = post.title.empty() ? post.text : post.title + "\n" + post.text;
  if (!regex->empty()) {
    const re2::RE2 re(*regex, regex_options(kRegexMaxMem));
    re2::StringPiece match;
    std::size_t pos = 0;
    while (pos <= raw.size() && re.Match(raw, pos, raw.size(), re2::RE2::UNANCHORED, &match, 1)) {
      const auto begin = static_cast<std::size_t>(match.data() - raw.data());
      if (!match.empty())
        out.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(begin + match.size())});
      pos = begin + std::max<std::size_t>(match.size(), 1);
    }
  } else {
    // Folded text with the raw offset of each byte; marking adds markers and otherwise keeps bytes one for
    // one.
    std::string folded;
    std::vector<std::uint32_t> offsets;
    fold_text(raw, folded, &offsets);
    std::string marked_folded;
    std::string marked_raw;
    mark_words(folded, marked_folded);
    mark_words(raw, marked_raw);
    auto unmarked_index = [](std::string_view marked) {
      std::vector<std::uint32_t> index(marked.size() + 1);
      std::uint32_t n = 0;
      for (std::size_t i = 0; i < marked.size(); ++i) {
        index[i] = n;
        n += marked[i] == kWordMark ? 0 : 1;
      }
      index[marked.size()] = n;
      return index;
    };
    const std::vector<std::uint32_t> folded_at = unmarked_index(marked_folded);
    const std::vector<std::uint32_t> raw_at = unmarked_index(marked_raw);
    std::vector<const QueryLiteral*> literals;
    positive_literals(*query, true, literals);
    for (const QueryLiteral* lit : literals) {
      const std::vector<std::string> parts = marked_parts(*lit);
      const std::string_view text = lit->exact ? marked_raw : marked_folded;
      for (std::size_t p = text.find(parts[0]); p != std::string_view::npos; p = text.find(parts[0], p + 1)) {
        const std::size_t end = parts_end(text, parts, 1, p + parts[0].size());
        if (end == std::string_view::npos) continue;
        if (lit->exact) {
          out.push_back({raw_at[p], raw_at[end]});
          continue;
        }
        // Folded bytes [fb, fe) came from the raw code points starting at offsets[fb] .. offsets[fe - 1].
        const std::uint32_t fb = folded_at[p];
        const std::uint32_t fe = folded_at[end];
        if (fb >= fe) continue;
        std::size_t last = offsets[fe - 1];
        decode_utf8(raw, last);
        out.push_back({offsets[fb], static_cast<std::uint32_t>(last)});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Highlight& a, const Highlight& b) { return a.begin < b.begin; });
  std::vector<Highlight> merged;
  for (const Highlight& h : out) {
    if (!merged.empty() && h.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, h.end);
    } else {
      merged.push_back(h);
    }
  }
  out = std::move(merged);
}

}  // namespace vigie::rules
