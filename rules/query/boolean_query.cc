#include "rules/query/boolean_query.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "rules/text/text_fold.h"
#include "rules/text/word_boundary.h"

namespace vigie::rules {
namespace {

using ParseResult = boost::system::result<QueryNode, QueryError>;

QueryError fail(std::size_t offset, std::string message) {
  return QueryError{static_cast<std::uint32_t>(offset), std::move(message)};
}

// Control characters count as spaces so that a stray tab or newline in a YAML scalar separates terms (and the
// marked text, where they are spaces too, agrees).
bool is_space(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
}

struct Tok {
  enum Kind : std::uint8_t { end, lparen, rparen, word, phrase, and_, or_, not_, near, onear };
  Kind kind = end;
  std::uint32_t offset = 0;
  std::string_view text;  // word: the word; phrase: the content between the quotes; operators: the spelling
  bool exact = false;     // word or phrase preceded by '='
  std::uint32_t distance = 0;
};

bool is_operator(Tok::Kind k) {
  return k == Tok::and_ || k == Tok::or_ || k == Tok::not_ || k == Tok::near || k == Tok::onear;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

boost::system::result<std::vector<Tok>, QueryError> lex(std::string_view q) {
  std::vector<Tok> toks;
  std::size_t pos = 0;
  while (true) {
    while (pos < q.size() && is_space(q[pos]))
      ++pos;
    Tok t;
    t.offset = static_cast<std::uint32_t>(pos);
    if (pos == q.size()) {
      toks.push_back(t);
      return toks;
    }
    const char c = q[pos];
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Tok::lparen : Tok::rparen;
      t.text = q.substr(pos, 1);
      ++pos;
      toks.push_back(t);
      continue;
    }
    std::size_t start = pos;
    if (c == '=') {
      t.exact = true;
      ++start;
      if (start == q.size() || is_space(q[start]) || q[start] == '(' || q[start] == ')') {
        return fail(pos, "missing term after '='");
      }
    }
    if (q[start] == '"') {
      const std::size_t close = q.find('"', start + 1);
      if (close == std::string_view::npos) return fail(start, "unterminated phrase: missing closing '\"'");
      t.kind = Tok::phrase;
      t.text = q.substr(start + 1, close - start - 1);
      pos = close + 1;
      toks.push_back(t);
      continue;
    }
    std::size_t stop = start;
    while (stop < q.size() && !is_space(q[stop]) && q[stop] != '(' && q[stop] != ')' && q[stop] != '"')
      ++stop;
    t.kind = Tok::word;
    t.text = q.substr(start, stop - start);
    pos = stop;
    if (!t.exact) {
      const std::string_view w = t.text;
      if (w == "AND") {
        t.kind = Tok::and_;
      } else if (w == "OR") {
        t.kind = Tok::or_;
      } else if (w == "NOT") {
        t.kind = Tok::not_;
      } else if (w == "NEAR" || w == "ONEAR") {
        return fail(t.offset, "'" + std::string(w) + "' needs a distance, e.g. " + std::string(w) + "/5");
      } else if (starts_with(w, "NEAR/") || starts_with(w, "ONEAR/")) {
        t.kind = w[0] == 'N' ? Tok::near : Tok::onear;
        const std::string_view digits = w.substr(w.find('/') + 1);
        std::uint32_t n = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
            n > kMaxNearDistance) {
          return fail(t.offset, "invalid distance in '" + std::string(w) + "': expected a number from 0 to " +
                                    std::to_string(kMaxNearDistance));
        }
        t.distance = n;
      }
    }
    toks.push_back(t);
  }
}

// Builds a literal from the text of a term or phrase. `offset` is where `text` starts in the query.
boost::system::result<QueryLiteral, QueryError> make_literal(std::string_view text, std::size_t offset,
                                                             bool exact, bool phrase,
                                                             std::size_t error_offset) {
  QueryLiteral lit;
  lit.exact = exact;
  std::string_view body = text;
  if (!phrase) {
    if (!body.empty() && body.back() == '*') {
      lit.prefix = true;
      body.remove_suffix(1);
    }
    if (const std::size_t star = body.find('*'); star != std::string_view::npos) {
      return fail(offset + star, "'*' is only allowed at the end of a term");
    }
  }
  const std::string norm = exact ? std::string(body) : fold_text(body);
  std::size_t pos = 0;
  while (pos < norm.size()) {
    while (pos < norm.size() && is_space(norm[pos]))
      ++pos;
    std::size_t stop = pos;
    while (stop < norm.size() && !is_space(norm[stop]))
      ++stop;
    if (stop > pos) lit.parts.emplace_back(norm, pos, stop - pos);
    pos = stop;
  }
  if (lit.parts.empty())
    return fail(error_offset, phrase ? "empty phrase" : "term is empty after normalization");
  bool has_token = false;
  for (const std::string& part : lit.parts) {
    std::size_t p = 0;
    while (p < part.size() && !has_token) {
      const std::int32_t cp = decode_utf8(part, p);
      has_token = is_word_char(cp) || is_symbol_char(cp);
    }
  }
  if (!has_token) {
    return fail(error_offset, "term '" + std::string(text) + "' has no letter, digit or symbol");
  }
  if (lit.prefix) {
    // A one-letter prefix would make nearly every post a candidate and defeat the prefilter.
    int word_chars = 0;
    const std::string& last = lit.parts.back();
    for (std::size_t p = 0; p < last.size();)
      word_chars += is_word_char(decode_utf8(last, p)) ? 1 : 0;
    if (word_chars < 2) return fail(error_offset, "wildcard needs at least 2 letters or digits before '*'");
  }
  return lit;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

boost::system::result<QueryNode, QueryError> make_filter(const Tok& t, std::string_view key,
                                                         std::string_view value) {
  QueryNode n;
  n.op = QueryNode::Op::filter;
  n.offset = t.offset;
  const std::string spelled(t.text);
  if (value.empty()) return fail(t.offset, "missing value after '" + std::string(key) + ":'");
  if (key == "lang") {
    n.field = QueryField::lang;
    n.value = lower_ascii(value);
  } else if (key == "platform") {
    n.field = QueryField::platform;
    n.value = lower_ascii(value);
  } else if (key == "author") {
    n.field = QueryField::author;
    if (value.front() == '@') value.remove_prefix(1);
    if (value.empty()) return fail(t.offset, "missing value after 'author:'");
    n.value = lower_ascii(value);
  } else if (key == "kind") {
    n.field = QueryField::kind;
    const auto k = ingest::parse_kind(lower_ascii(value));
    if (!k) {
      return fail(t.offset, "unknown kind '" + std::string(value) + "' in '" + spelled +
                                "' (expected post, comment, repost, edit or delete)");
    }
    n.kind = *k;
  } else {
    n.field = QueryField::followers;
    std::string_view digits = value;
    if (starts_with(digits, ">=")) {
      n.compare = Compare::ge;
      digits.remove_prefix(2);
    } else if (starts_with(digits, "<=")) {
      n.compare = Compare::le;
      digits.remove_prefix(2);
    } else if (digits.front() == '>') {
      n.compare = Compare::gt;
      digits.remove_prefix(1);
    } else if (digits.front() == '<') {
      n.compare = Compare::lt;
      digits.remove_prefix(1);
    } else if (digits.front() == '=') {
      digits.remove_prefix(1);
    }
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n.number);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n.number < 0) {
      return fail(t.offset, "invalid number in '" + spelled + "': expected followers:>N, >=N, <N, <=N or =N");
    }
  }
  return n;
}

// A NEAR operand is a literal or an OR of literals; `exact` collects which kinds occur (bit 0 folded, bit 1
// exact).
bool valid_near_operand(const QueryNode& n, unsigned& kinds) {
  if (n.op == QueryNode::Op::literal) {
    kinds |= n.literal.exact ? 2u : 1u;
    return true;
  }
  if (n.op != QueryNode::Op::or_) return false;
  for (const QueryNode& c : n.children) {
    if (!valid_near_operand(c, kinds)) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(std::vector<Tok> toks) : toks_(std::move(toks)) {}

  ParseResult parse() {
    auto r = parse_or();
    if (!r) return r;
    if (peek().kind == Tok::rparen) return fail(peek().offset, "unbalanced ')'");
    return r;
  }

 private:
  const Tok& peek() const { return toks_[i_]; }
  const Tok& take() { return toks_[i_++]; }
  const Tok* previous() const { return i_ == 0 ? nullptr : &toks_[i_ - 1]; }

  static bool starts_operand(Tok::Kind k) {
    return k == Tok::word || k == Tok::phrase || k == Tok::lparen || k == Tok::not_;
  }

  ParseResult parse_or() {
    auto first = parse_and();
    if (!first) return first;
    if (peek().kind != Tok::or_) return first;
    QueryNode n;
    n.op = QueryNode::Op::or_;
    n.offset = first->offset;
    n.children.push_back(std::move(*first));
    while (peek().kind == Tok::or_) {
      take();
      auto next = parse_and();
      if (!next) return next;
      n.children.push_back(std::move(*next));
    }
    return n;
  }

  ParseResult parse_and() {
    auto first = parse_unary();
    if (!first) return first;
    QueryNode n;
    n.op = QueryNode::Op::and_;
    n.offset = first->offset;
    n.children.push_back(std::move(*first));
    while (true) {
      if (peek().kind == Tok::and_) {
        take();
      } else if (!starts_operand(peek().kind)) {
        break;
      }
      auto next = parse_unary();
      if (!next) return next;
      n.children.push_back(std::move(*next));
    }
    if (n.children.size() == 1) return std::move(n.children.front());
    return n;
  }

  ParseResult parse_unary() {
    if (peek().kind != Tok::not_) return parse_near();
    const Tok& t = take();
    if (++depth_ > kMaxQueryDepth) return fail(t.offset, "query nested too deeply");
    auto operand = parse_unary();
    --depth_;
    if (!operand) return operand;
    QueryNode n;
    n.op = QueryNode::Op::not_;
    n.offset = t.offset;
    n.children.push_back(std::move(*operand));
    return n;
  }

  ParseResult parse_near() {
    auto left = parse_primary();
    if (!left) return left;
    while (peek().kind == Tok::near || peek().kind == Tok::onear) {
      const Tok& op = take();
      // Not parse_unary for a plain operand: a long NEAR chain must not recurse once per operator.
      auto right = peek().kind == Tok::not_ ? parse_unary() : parse_primary();
      if (!right) return right;
      const std::string spelled(op.text);
      unsigned kinds = 0;
      for (const QueryNode* operand : {&*left, &*right}) {
        if (!valid_near_operand(*operand, kinds)) {
          return fail(operand->offset,
                      "operands of " + spelled + " must be terms, phrases or OR-groups of them");
        }
      }
      if (kinds == 3) return fail(op.offset, spelled + " cannot mix exact (=) and ordinary terms");
      QueryNode n;
      n.op = op.kind == Tok::near ? QueryNode::Op::near : QueryNode::Op::onear;
      n.offset = left->offset;
      n.distance = op.distance;
      n.children.push_back(std::move(*left));
      n.children.push_back(std::move(*right));
      left = std::move(n);
    }
    return left;
  }

  ParseResult parse_primary() {
    const Tok& t = peek();
    switch (t.kind) {
      case Tok::end:
      case Tok::rparen: {
        const Tok* prev = previous();
        if (prev == nullptr) return fail(t.offset, "empty query");
        if (is_operator(prev->kind)) {
          return fail(prev->offset, "missing term after '" + std::string(prev->text) + "'");
        }
        // Only '(' can precede here: a term would have ended the AND/OR loop.
        if (t.kind == Tok::rparen) return fail(prev->offset, "empty parentheses");
        return fail(prev->offset, "unbalanced '('");
      }
      case Tok::and_:
      case Tok::or_:
      case Tok::not_:
      case Tok::near:
      case Tok::onear:
        return fail(t.offset, "unexpected '" + std::string(t.text) + "'");
      case Tok::lparen: {
        take();
        if (++depth_ > kMaxQueryDepth) return fail(t.offset, "query nested too deeply");
        auto inner = parse_or();
        --depth_;
        if (!inner) return inner;
        if (peek().kind != Tok::rparen) return fail(t.offset, "unbalanced '('");
        take();
        return inner;
      }
      case Tok::phrase: {
        take();
        // The phrase text starts after the opening quote (and the '=' of an exact phrase).
        const std::size_t text_offset = t.offset + (t.exact ? 2 : 1);
        auto lit = make_literal(t.text, text_offset, t.exact, true, t.offset);
        if (!lit) return lit.error();
        QueryNode n;
        n.op = QueryNode::Op::literal;
        n.offset = t.offset;
        n.literal = std::move(*lit);
        return n;
      }
      case Tok::word:
        break;
    }
    take();
    if (!t.exact) {
      const std::size_t colon = t.text.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view key = t.text.substr(0, colon);
        const std::string_view value = t.text.substr(colon + 1);
        if (key == "lang" || key == "platform" || key == "author" || key == "followers" || key == "kind") {
          return make_filter(t, key, value);
        }
        // A word, a colon and a value reads as a field filter: a misspelt field must not quietly become a
        // search for two words. A URL ("http://") or a time ("10:30") is not one; quoting keeps the colon.
        const bool field_like =
            !value.empty() && value.front() != '/' && std::all_of(key.begin(), key.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            });
        if (field_like) {
          return fail(t.offset, "unknown field '" + std::string(key) +
                                    ":' (known: lang, platform, author, followers, kind); quote \"" +
                                    std::string(t.text) + "\" to search for the text");
        }
      }
    }
    const std::size_t text_offset = t.offset + (t.exact ? 1 : 0);
    auto lit = make_literal(t.text, text_offset, t.exact, false, t.offset);
    if (!lit) return lit.error();
    QueryNode n;
    n.op = QueryNode::Op::literal;
    n.offset = t.offset;
    n.literal = std::move(*lit);
    return n;
  }

  std::vector<Tok> toks_;
  std::size_t i_ = 0;
  int depth_ = 0;
};

bool valid_utf8(std::string_view s, std::size_t& bad) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t start = pos;
    if (decode_utf8(s, pos) < 0) {
      bad = start;
      return false;
    }
  }
  return true;
}

const char* compare_text(Compare c) {
  switch (c) {
    case Compare::lt:
      return "<";
    case Compare::le:
      return "<=";
    case Compare::eq:
      return "=";
    case Compare::ge:
      return ">=";
    case Compare::gt:
      return ">";
  }
  return "=";
}

}  // namespace

ParseResult parse_query(std::string_view query) {
  std::size_t bad = 0;
  if (!valid_utf8(query, bad)) return fail(bad, "invalid UTF-8 in query");
  auto toks = lex(query);
  if (!toks) return toks.error();
  Parser p(std::move(*toks));
  return p.parse();
}

std::string to_string(const QueryNode& n) {
  using Op = QueryNode::Op;
  switch (n.op) {
    case Op::literal: {
      std::string s = n.literal.exact ? "=" : "";
      if (n.literal.parts.size() > 1) s += '"';
      for (std::size_t i = 0; i < n.literal.parts.size(); ++i) {
        if (i > 0) s += ' ';
        s += n.literal.parts[i];
      }
      if (n.literal.parts.size() > 1) s += '"';
      if (n.literal.prefix) s += '*';
      return s;
    }
    case Op::filter:
      switch (n.field) {
        case QueryField::lang:
          return "lang:" + n.value;
        case QueryField::platform:
          return "platform:" + n.value;
        case QueryField::author:
          return "author:" + n.value;
        case QueryField::kind:
          return "kind:" + std::string(ingest::to_string(n.kind));
        case QueryField::followers:
          return std::string("followers:") + compare_text(n.compare) + std::to_string(n.number);
      }
      return "?";
    case Op::not_:
    case Op::and_:
    case Op::or_:
    case Op::near:
    case Op::onear: {
      std::string s = "(";
      if (n.op == Op::not_) s += "NOT";
      if (n.op == Op::and_) s += "AND";
      if (n.op == Op::or_) s += "OR";
      if (n.op == Op::near) s += "NEAR/" + std::to_string(n.distance);
      if (n.op == Op::onear) s += "ONEAR/" + std::to_string(n.distance);
      for (const QueryNode& c : n.children)
        s += " " + to_string(c);
      return s + ")";
    }
  }
  return "?";
}

}  // namespace vigie::rules
