#include "storage/codec/value_codec.h"

#include <bit>
#include <cstring>
#include <initializer_list>

#include "storage/codec/key_codec.h"

namespace vigie::storage {
namespace {

constexpr std::uint8_t kTombstoneFlag = 1;

// Most bytes one LEB128 varint takes, and one length-prefixed string beyond its bytes.
constexpr std::size_t kMaxVarintBytes = 10;

// Writes a value into a buffer sized for its worst case up front, so that each field is a store and a
// pointer bump instead of a capacity check per byte: encode_post and encode_mention run for every stored
// post, on the writer's critical path. finish() trims the buffer to what was written.
class Writer {
 public:
  Writer(std::string& out, std::size_t max_bytes) : out_(out) {
    out.resize(max_bytes);
    p_ = out.data();
  }
  void finish() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }

  void u8(std::uint8_t v) { *p_++ = static_cast<char>(v); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void signed_int(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    varint(s.size());
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void f32(float f) { le(std::bit_cast<std::uint32_t>(f), 4); }
  void le64(std::int64_t v) { le(static_cast<std::uint64_t>(v), 8); }
  void ordered_time(Micros t) {
    put_ordered_time(p_, t);
    p_ += kTimeBytes;
  }

 private:
  void le(std::uint64_t u, int bytes) {
    for (int i = 0; i < bytes; ++i)
      *p_++ = static_cast<char>((u >> (8 * i)) & 0xff);
  }

  std::string& out_;
  char* p_;
};

// Bytes a length-prefixed string takes at most.
constexpr std::size_t str_bound(std::string_view s) {
  return kMaxVarintBytes + s.size();
}

std::int64_t get_le64(const char* p) {
  std::uint64_t u = 0;
  for (int i = 7; i >= 0; --i)
    u = (u << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<std::int64_t>(u);
}

// Sequential reader over a value. Any read past the end sets `bad` and yields zeros, so decoders check once
// at the end instead of after every field.
class Reader {
 public:
  explicit Reader(std::string_view v) : p_(v.data()), end_(v.data() + v.size()) {}

  bool bad() const { return bad_; }
  bool at_end() const { return p_ == end_; }

  std::uint8_t u8() {
    if (p_ >= end_) return fail();
    return static_cast<std::uint8_t>(*p_++);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return fail();
      const auto b = static_cast<std::uint8_t>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }
  std::int64_t signed_int() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string_view str() {
    const std::uint64_t n = varint();
    if (bad_ || n > static_cast<std::uint64_t>(end_ - p_)) {
      fail();
      return {};
    }
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  float f32() {
    if (end_ - p_ < 4) return static_cast<float>(fail());
    std::uint32_t u = 0;
    for (int i = 3; i >= 0; --i)
      u = (u << 8) | static_cast<unsigned char>(p_[i]);
    p_ += 4;
    return std::bit_cast<float>(u);
  }
  Micros ordered_time() {
    if (end_ - p_ < static_cast<std::ptrdiff_t>(kTimeBytes)) return static_cast<Micros>(fail());
    const Micros t = get_ordered_time(p_);
    p_ += kTimeBytes;
    return t;
  }

 private:
  std::uint8_t fail() {
    bad_ = true;
    p_ = end_;
    return 0;
  }

  const char* p_;
  const char* end_;
  bool bad_ = false;
};

Error version_error(std::string_view what, unsigned got, unsigned known) {
  return error("storage: " + std::string(what) + " has format version " + std::to_string(got) +
               ", this build reads up to " + std::to_string(known) + "; upgrade vigie");
}

bool valid_label(std::uint8_t v) {
  return v <= static_cast<std::uint8_t>(rules::Label::positive);
}
bool valid_kind(std::uint8_t v) {
  return v <= static_cast<std::uint8_t>(ingest::Kind::del);
}

// The "scored" byte also says which lexicon scored the post, without a new format version: 0 unscored, 1
// scored in its own language (values written before lexicons were recorded), 2 English, 3 French. Readers
// of the earlier format test the byte for non-zero and still read "scored".
constexpr std::uint8_t kScoredInOwnLanguage = 1;
constexpr std::uint8_t kScoredEnglish = 2;
constexpr std::uint8_t kScoredFrench = 3;

std::uint8_t lexicon_byte(const rules::Sentiment& s) {
  if (!s.scored) return 0;
  if (s.lexicon == "en") return kScoredEnglish;
  if (s.lexicon == "fr") return kScoredFrench;
  return kScoredInOwnLanguage;
}

void read_lexicon_byte(std::uint8_t b, std::string_view lang, rules::Sentiment& s) {
  s.scored = b != 0;
  if (b == kScoredEnglish || (b == kScoredInOwnLanguage && lang == "en")) {
    s.lexicon = "en";
  } else if (b == kScoredFrench || (b == kScoredInOwnLanguage && lang == "fr")) {
    s.lexicon = "fr";
  } else {
    s.lexicon = {};
  }
}

}  // namespace

void encode_post(const rules::ScoredPost& sp, std::string& out) {
  const ingest::Post& p = sp.post;
  std::size_t bound = 1 + kTimeBytes + 1 + 1 + 2 * kMaxVarintBytes + 4 * 4 + 2 + kMaxVarintBytes;
  for (std::string_view f :
       {std::string_view(p.platform), std::string_view(p.source), std::string_view(p.author.handle),
        std::string_view(p.author.name), std::string_view(p.title), std::string_view(p.text),
        std::string_view(p.url), std::string_view(p.lang_hint), std::string_view(p.parent_uid),
        std::string_view(p.root_uid), std::string_view(sp.lang)})
    bound += str_bound(f);
  for (const rules::Match& m : sp.matches)
    bound += str_bound(m.rule) + 2;
  Writer w(out, bound);
  w.u8(kPostValueVersion);
  w.ordered_time(p.created_at);
  w.u8(0);
  w.u8(static_cast<std::uint8_t>(p.kind));
  w.str(p.platform);
  w.str(p.source);
  w.str(p.author.handle);
  w.str(p.author.name);
  w.signed_int(p.author.followers);
  w.str(p.title);
  w.str(p.text);
  w.str(p.url);
  w.str(p.lang_hint);
  w.signed_int(p.received_at);
  w.str(p.parent_uid);
  w.str(p.root_uid);
  w.str(sp.lang);
  w.f32(sp.sentiment.compound);
  w.f32(sp.sentiment.pos);
  w.f32(sp.sentiment.neu);
  w.f32(sp.sentiment.neg);
  w.u8(static_cast<std::uint8_t>(sp.sentiment.label));
  w.u8(lexicon_byte(sp.sentiment));
  w.varint(sp.matches.size());
  for (const rules::Match& m : sp.matches) {
    w.str(m.rule);
    w.u8(static_cast<std::uint8_t>(m.kind));
    w.u8(static_cast<std::uint8_t>(m.severity));
  }
  w.finish();
}

void encode_tombstone(Micros created_at, std::string& out) {
  Writer w(out, 1 + kTimeBytes + 1);
  w.u8(kPostValueVersion);
  w.ordered_time(created_at);
  w.u8(kTombstoneFlag);
  w.finish();
}

Result<StoredPost> decode_post(std::string_view uid, std::string_view value) {
  Reader r(value);
  const std::uint8_t version = r.u8();
  if (!r.bad() && version > kPostValueVersion)
    return version_error("post " + std::string(uid), version, kPostValueVersion);
  StoredPost out;
  rules::ScoredPost& sp = out.scored;
  ingest::Post& p = sp.post;
  p.uid = uid;
  p.created_at = r.ordered_time();
  const std::uint8_t flags = r.u8();
  out.deleted = (flags & kTombstoneFlag) != 0;
  if (!out.deleted && !r.bad()) {
    const std::uint8_t kind = r.u8();
    p.kind = static_cast<ingest::Kind>(kind);
    p.platform = r.str();
    p.source = r.str();
    p.author.handle = r.str();
    p.author.name = r.str();
    p.author.followers = r.signed_int();
    p.title = r.str();
    p.text = r.str();
    p.url = r.str();
    p.lang_hint = r.str();
    p.received_at = r.signed_int();
    p.parent_uid = r.str();
    p.root_uid = r.str();
    sp.lang = r.str();
    sp.sentiment.compound = r.f32();
    sp.sentiment.pos = r.f32();
    sp.sentiment.neu = r.f32();
    sp.sentiment.neg = r.f32();
    const std::uint8_t label = r.u8();
    sp.sentiment.label = static_cast<rules::Label>(label);
    read_lexicon_byte(r.u8(), sp.lang, sp.sentiment);
    const std::uint64_t n = r.varint();
    bool enums_ok = valid_kind(kind) && valid_label(label);
    for (std::uint64_t i = 0; i < n && !r.bad(); ++i) {
      rules::Match m;
      m.rule = r.str();
      const std::uint8_t mk = r.u8();
      const std::uint8_t sev = r.u8();
      enums_ok = enums_ok && mk <= 1 && sev <= 2;
      m.kind = static_cast<rules::RuleKind>(mk);
      m.severity = static_cast<rules::Severity>(sev);
      sp.matches.push_back(std::move(m));
    }
    if (!enums_ok) return error("storage: corrupt post value for " + std::string(uid));
  }
  if (r.bad() || !r.at_end() || version == 0)
    return error("storage: corrupt post value for " + std::string(uid));
  return out;
}

std::optional<Micros> post_value_time(std::string_view value) {
  if (value.size() < 1 + kTimeBytes) return std::nullopt;
  const auto version = static_cast<std::uint8_t>(value[0]);
  if (version == 0 || version > kPostValueVersion) return std::nullopt;
  return get_ordered_time(value.data() + 1);
}

void encode_post_index(std::string_view platform, std::string_view source, std::string& out) {
  Writer w(out, 1 + str_bound(platform) + str_bound(source));
  w.u8(kPostIndexVersion);
  w.str(platform);
  w.str(source);
  w.finish();
}

Result<PostIndexValue> decode_post_index(std::string_view value) {
  Reader r(value);
  const std::uint8_t version = r.u8();
  if (!r.bad() && version > kPostIndexVersion)
    return version_error("post index row", version, kPostIndexVersion);
  PostIndexValue out;
  out.platform = r.str();
  out.source = r.str();
  if (r.bad() || !r.at_end() || version == 0) return error("storage: corrupt post index row");
  return out;
}

void encode_mention(const rules::ScoredPost& sp, std::string& out) {
  const ingest::Post& p = sp.post;
  std::size_t bound = 1 + 1 + 2 * kMaxVarintBytes + 1 + 4 + kMaxVarintBytes + 3 * 4 + 1;
  for (std::string_view f :
       {std::string_view(sp.lang), std::string_view(p.platform), std::string_view(p.source),
        std::string_view(p.author.handle), std::string_view(p.author.name), std::string_view(p.title),
        std::string_view(p.text), std::string_view(p.url)})
    bound += str_bound(f);
  std::size_t topics = 0;
  for (const rules::Match& m : sp.matches) {
    if (m.kind != rules::RuleKind::topic) continue;
    ++topics;
    bound += str_bound(m.rule);
  }
  Writer w(out, bound);
  w.u8(kMentionValueVersion);
  // Head: what the filters test.
  w.u8(static_cast<std::uint8_t>(sp.sentiment.label));
  w.signed_int(p.author.followers);
  w.str(sp.lang);
  w.str(p.platform);
  // Body.
  w.u8(static_cast<std::uint8_t>(p.kind));
  w.str(p.source);
  w.f32(sp.sentiment.compound);
  w.signed_int(reach_of(p));
  w.str(p.author.handle);
  w.str(p.author.name);
  w.str(p.title);
  w.str(p.text);
  w.str(p.url);
  w.varint(topics);
  for (const rules::Match& m : sp.matches) {
    if (m.kind == rules::RuleKind::topic) w.str(m.rule);
  }
  w.f32(sp.sentiment.pos);
  w.f32(sp.sentiment.neu);
  w.f32(sp.sentiment.neg);
  w.u8(lexicon_byte(sp.sentiment));
  w.finish();
}

Mention mention_of(const rules::ScoredPost& sp, std::string_view brand) {
  const ingest::Post& p = sp.post;
  Mention m;
  m.brand = brand;
  m.uid = p.uid;
  m.created_at = p.created_at;
  m.kind = p.kind;
  m.platform = p.platform;
  m.source = p.source;
  m.lang = sp.lang;
  m.author_handle = p.author.handle;
  m.author_name = p.author.name;
  m.followers = p.author.followers;
  m.reach = reach_of(p);
  m.title = p.title;
  m.text = p.text;
  m.url = p.url;
  m.compound = sp.sentiment.compound;
  m.label = sp.sentiment.label;
  m.detailed_sentiment = true;
  m.pos = sp.sentiment.pos;
  m.neu = sp.sentiment.neu;
  m.neg = sp.sentiment.neg;
  // Through the stored byte, so that the lexicon reads exactly as the query will decode it.
  rules::Sentiment s;
  read_lexicon_byte(lexicon_byte(sp.sentiment), sp.lang, s);
  m.scored = s.scored;
  m.lexicon = s.lexicon;
  for (const rules::Match& match : sp.matches) {
    if (match.kind == rules::RuleKind::topic) m.topics.push_back(match.rule);
  }
  return m;
}

namespace {

Result<MentionHead> read_mention_head(Reader& r) {
  const std::uint8_t version = r.u8();
  if (!r.bad() && version > kMentionValueVersion)
    return version_error("mention row", version, kMentionValueVersion);
  MentionHead h;
  const std::uint8_t label = r.u8();
  h.label = static_cast<rules::Label>(label);
  h.followers = r.signed_int();
  h.lang = r.str();
  h.platform = r.str();
  if (r.bad() || version == 0 || !valid_label(label)) return error("storage: corrupt mention row");
  return h;
}

}  // namespace

Result<MentionHead> decode_mention_head(std::string_view value) {
  Reader r(value);
  return read_mention_head(r);
}

Result<void> decode_mention(std::string_view value, Mention& out) {
  Reader r(value);
  auto head = read_mention_head(r);
  if (!head) return head.error();
  const auto version = static_cast<std::uint8_t>(value[0]);
  out.label = head->label;
  out.followers = head->followers;
  out.lang = head->lang;
  out.platform = head->platform;
  const std::uint8_t kind = r.u8();
  out.kind = static_cast<ingest::Kind>(kind);
  out.source = r.str();
  out.compound = r.f32();
  out.reach = r.signed_int();
  out.author_handle = r.str();
  out.author_name = r.str();
  out.title = r.str();
  out.text = r.str();
  out.url = r.str();
  const std::uint64_t n = r.varint();
  out.topics.clear();
  for (std::uint64_t i = 0; i < n && !r.bad(); ++i)
    out.topics.emplace_back(r.str());
  out.detailed_sentiment = version >= 2;
  if (out.detailed_sentiment) {
    rules::Sentiment s;
    s.pos = r.f32();
    s.neu = r.f32();
    s.neg = r.f32();
    read_lexicon_byte(r.u8(), out.lang, s);
    out.pos = s.pos;
    out.neu = s.neu;
    out.neg = s.neg;
    out.scored = s.scored;
    out.lexicon = s.lexicon;
  } else {
    out.pos = 0;
    out.neu = 1;
    out.neg = 0;
    out.scored = false;
    out.lexicon = {};
  }
  if (r.bad() || !r.at_end() || !valid_kind(kind)) return error("storage: corrupt mention row");
  return ok();
}

void encode_expectation(const BucketExpectation& e, std::string& out) {
  Writer w(out, 2 + 2 * 8);
  w.u8(kExpectationVersion);
  w.u8(static_cast<std::uint8_t>((e.mentions ? 1 : 0) | (e.negative ? 2 : 0)));
  w.le64(std::bit_cast<std::int64_t>(e.mentions.value_or(0.0)));
  w.le64(std::bit_cast<std::int64_t>(e.negative.value_or(0.0)));
  w.finish();
}

std::optional<BucketExpectation> decode_expectation(std::string_view v) {
  if (v.size() != 2 + 2 * 8 || static_cast<std::uint8_t>(v[0]) != kExpectationVersion) return std::nullopt;
  const auto flags = static_cast<std::uint8_t>(v[1]);
  BucketExpectation e;
  if (flags & 1) e.mentions = std::bit_cast<double>(get_le64(v.data() + 2));
  if (flags & 2) e.negative = std::bit_cast<double>(get_le64(v.data() + 10));
  return e;
}

void encode_counters(const SeriesCounters& c, std::string& out) {
  Writer w(out, kCountersValueBytes);
  w.u8(kCountersVersion);
  w.le64(c.count);
  w.le64(c.positive);
  w.le64(c.neutral);
  w.le64(c.negative);
  w.le64(c.compound_micros);
  w.le64(c.reach);
  w.le64(c.scored);
  w.finish();
}

std::optional<SeriesCounters> decode_counters(std::string_view v) {
  const bool v1 = v.size() == kCountersV1ValueBytes && static_cast<std::uint8_t>(v[0]) == 1;
  const bool v2 = v.size() == kCountersValueBytes && static_cast<std::uint8_t>(v[0]) == kCountersVersion;
  if (!v1 && !v2) return std::nullopt;
  const char* p = v.data() + 1;
  SeriesCounters c{get_le64(p),      get_le64(p + 8),  get_le64(p + 16),
                   get_le64(p + 24), get_le64(p + 32), get_le64(p + 40)};
  c.scored = v2 ? get_le64(p + 48) : c.count;
  return c;
}

void encode_schema_version(std::uint32_t v, std::string& out) {
  out.clear();
  put_big_endian64(out, v);
}

std::optional<std::uint32_t> decode_schema_version(std::string_view value) {
  if (value.size() != 8) return std::nullopt;
  const std::uint64_t v = get_big_endian64(value.data());
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

}  // namespace vigie::storage
