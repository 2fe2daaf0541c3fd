#include "daemon/crisis/crisis_engine.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include "rules/detect/post_triggers.h"
#include "rules/detect/state_codec.h"
#include "storage/codec/key_codec.h"

namespace vigie::daemon {
namespace {

constexpr std::uint8_t kStateVersion = 1;
constexpr std::string_view kBrandPrefix = "brand/";
constexpr std::string_view kEngineKey = "engine";
// A window is quiet for auto-resolution when its upper-tail p exceeds this.
constexpr double kQuietP = 0.01;
// Posts remembered per brand as having triggered; a storm of more re-triggers at most the oldest ones.
constexpr std::size_t kMaxTriggered = 1024;

// A detector that fits `options`: the given state when it was learned with compatible options, else a fresh
// one. Nullopt when the detector is switched off.
template <class Detector, class Options>
std::optional<Detector> fit(std::optional<std::string_view> state, bool enabled, const Options& options) {
  if (!enabled) return std::nullopt;
  if (state && !state->empty()) {
    if (auto d = Detector::decode(*state, options)) return std::move(*d);
  }
  auto d = Detector::create(options);
  if (!d) return std::nullopt;  // options are validated when the rule file is read
  return std::move(*d);
}

// A stored mention as the per-post detectors read it: the brand and its topics (with their severities from
// the current rules), the author, the text and the sentiment label.
rules::ScoredPost post_of(const storage::Mention& m, const rules::RuleSet& rules) {
  rules::ScoredPost p;
  p.post.uid = m.uid;
  p.post.kind = m.kind;
  p.post.platform = m.platform;
  p.post.created_at = m.created_at;
  p.post.author.handle = m.author_handle;
  p.post.author.name = m.author_name;
  p.post.author.followers = m.followers;
  p.post.title = m.title;
  p.post.text = m.text;
  p.post.url = m.url;
  p.lang = m.lang;
  p.sentiment.compound = m.compound;
  p.sentiment.label = m.label;
  p.sentiment.scored = true;
  p.matches.push_back({m.brand, rules::RuleKind::brand, rules::Severity::info});
  for (const std::string& t : m.topics) {
    for (const rules::Topic& topic : rules.topics()) {
      if (topic.id == t) p.matches.push_back({t, rules::RuleKind::topic, topic.severity});
    }
  }
  return p;
}

// What a volume detector's baseline expects of a bucket now; none during warm-up, when it decides nothing.
std::optional<double> expected_of(const rules::VolumeSpikeDetector& d, Micros bucket_start) {
  const rules::ExpectedCount e = d.baseline().expected(bucket_start);
  if (!e.ready) return std::nullopt;
  return e.mean;
}

// The rows to record after both volume detectors tested the window ending with a bucket: for each bucket of
// their windows, what the test expected of it. Each bucket is in several windows, so its row is written again
// at each test and ends with the last test that held it (the baselines move little meanwhile: anomalous
// buckets are not learned). A bucket in only one detector's window (windows of different lengths) takes the
// other's current expectation, so that rewriting a row never erases a value.
void window_rows(const std::string& brand, const std::optional<rules::VolumeSpikeDetector>& volume,
                 const std::optional<rules::VolumeSpikeDetector>& negative,
                 std::vector<storage::ExpectationRow>& out) {
  std::map<Micros, storage::BucketExpectation> rows;
  if (volume) {
    for (const auto& [b, e] : volume->window_expected())
      rows[b].mentions = e;
  }
  if (negative) {
    for (const auto& [b, e] : negative->window_expected())
      rows[b].negative = e;
  }
  for (auto& [b, e] : rows) {
    if (!e.mentions && volume) e.mentions = expected_of(*volume, b);
    if (!e.negative && negative) e.negative = expected_of(*negative, b);
    out.push_back({brand, b, e});
  }
}

}  // namespace

CrisisEngine::CrisisEngine(const storage::PostQueries& db, const storage::CrisisStore& crisis,
                           IncidentBook& book, CrisisEngineOptions options,
                           std::shared_ptr<const rules::RuleSet> rules)
    : db_(db), crisis_(crisis), book_(book), options_(options) {
  take_rules(std::move(rules));
}

void CrisisEngine::take_rules(std::shared_ptr<const rules::RuleSet> rules) {
  rules_ = std::move(rules);
  // RuleSet::detection() scans the brands: looked up per post, that would cost O(brands) each.
  options_by_brand_.clear();
  for (const rules::Brand& b : rules_->brands())
    options_by_brand_.emplace(b.id, &rules_->detection(b.id));
}

const rules::DetectionOptions* CrisisEngine::options_of(const std::string& brand) const {
  const auto it = options_by_brand_.find(brand);
  return it == options_by_brand_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<CrisisEngine>> CrisisEngine::open(const storage::PostQueries& db,
                                                         const storage::CrisisStore& crisis,
                                                         IncidentBook& book, CrisisEngineOptions options,
                                                         std::shared_ptr<const rules::RuleSet> rules,
                                                         Micros wall_now) {
  if (options.bucket <= 0 || 3600 * kMicrosPerSecond % options.bucket != 0) {
    return error("crisis: the bucket width must divide one hour");
  }
  std::unique_ptr<CrisisEngine> e(new CrisisEngine(db, crisis, book, options, std::move(rules)));
  e->last_arrival_wall_ = wall_now;
  if (auto r = e->load(); !r) return r.error();
  if (auto r = e->recheck_recent_posts(wall_now); !r) return r.error();
  return e;
}

// Layouts (little-endian, rules/detect/state_codec.h): engine = version(1) max_event(8); brand = version(1)
// next_bucket(8), the volume, negative and sentiment detector states, each as length(8) bytes (length 0:
// detector off), then count(4) triggered posts as created_at(8) length(2) uid.
Result<void> CrisisEngine::load() {
  auto states = crisis_.detector_states();
  if (!states) return states.error();
  for (const storage::NamedValue& s : *states) {
    rules::StateReader r(s.value);
    const bool known_version = r.u8() == kStateVersion;
    if (s.name == kEngineKey) {
      max_event_ = r.i64();
      if (!known_version || !r.ok() || !r.at_end()) {
        return error("crisis: stored engine state has an unknown format; upgrade vigie");
      }
      continue;
    }
    if (!s.name.starts_with(kBrandPrefix)) continue;
    const std::string brand = s.name.substr(kBrandPrefix.size());
    Detectors d;
    d.next_bucket = r.i64();
    const std::string_view volume = r.take(r.u64());
    const std::string_view negative = r.take(r.u64());
    const std::string_view sentiment = r.take(r.u64());
    for (std::uint32_t n = r.at_end() ? 0 : r.u32(); n > 0 && r.ok(); --n) {
      const Micros t = r.i64();
      const std::string_view uid = r.take(r.get(2));
      d.triggered.emplace_back(std::string(uid), t);
    }
    if (!known_version || !r.ok() || !r.at_end()) {
      return error("crisis: stored detector state of brand '" + brand +
                   "' has an unknown format; upgrade vigie");
    }
    const rules::DetectionOptions& o = rules_->detection(brand);  // defaults for a brand no longer configured
    d.volume = fit<rules::VolumeSpikeDetector>(volume, o.volume_enabled, o.volume);
    d.negative = fit<rules::VolumeSpikeDetector>(negative, o.negative_volume_enabled, o.negative_volume);
    d.sentiment = fit<rules::SentimentDropDetector>(sentiment, o.sentiment_drop_enabled, o.sentiment_drop);
    brands_[brand] = std::move(d);
  }
  return ok();
}

std::string CrisisEngine::encode_state(const Detectors& d) const {
  rules::StateWriter w;
  w.u8(kStateVersion);
  w.i64(d.next_bucket);
  std::string out = w.take();
  for (const std::string& blob :
       {d.volume ? d.volume->encode() : std::string(), d.negative ? d.negative->encode() : std::string(),
        d.sentiment ? d.sentiment->encode() : std::string()}) {
    rules::put_le(out, blob.size(), 8);
    out += blob;
  }
  rules::put_le(out, d.triggered.size(), 4);
  for (const auto& [uid, t] : d.triggered) {
    const std::size_t n = std::min<std::size_t>(uid.size(), 0xFFFF);
    rules::put_le(out, static_cast<std::uint64_t>(t), 8);
    rules::put_le(out, n, 2);
    out.append(uid, 0, n);
  }
  return out;
}

void CrisisEngine::fit_detectors(const std::string& brand, Detectors& d) {
  const rules::DetectionOptions& o = rules_->detection(brand);
  const auto state = [](const auto& det) -> std::optional<std::string> {
    if (!det) return std::nullopt;
    return det->encode();
  };
  const auto volume = state(d.volume);
  const auto negative = state(d.negative);
  const auto sentiment = state(d.sentiment);
  d.volume = fit<rules::VolumeSpikeDetector>(volume, o.volume_enabled, o.volume);
  d.negative = fit<rules::VolumeSpikeDetector>(negative, o.negative_volume_enabled, o.negative_volume);
  d.sentiment = fit<rules::SentimentDropDetector>(sentiment, o.sentiment_drop_enabled, o.sentiment_drop);
}

void CrisisEngine::set_rules(std::shared_ptr<const rules::RuleSet> rules) {
  std::lock_guard lock(mu_);
  take_rules(std::move(rules));
  for (auto& [brand, d] : brands_) {
    fit_detectors(brand, d);
    dirty_.push_back(brand);
  }
}

CrisisEngine::Detectors& CrisisEngine::start_brand(const std::string& brand, Micros first_event) {
  Detectors& d = brands_[brand];
  d.next_bucket = storage::floor_to(first_event - options_.history, options_.bucket);
  fit_detectors(brand, d);
  dirty_.push_back(brand);
  return d;
}

Micros CrisisEngine::watermark_locked() const {
  if (max_event_ == 0) return 0;
  return max_event_ - options_.allowed_lateness + extra_;
}

Micros CrisisEngine::watermark() const {
  std::lock_guard lock(mu_);
  return watermark_locked();
}

bool CrisisEngine::first_trigger(const std::string& brand, Detectors& d, const std::string& uid, Micros t) {
  for (const auto& [seen, when] : d.triggered) {
    if (seen == uid) return false;
  }
  // Posts older than this can no longer trigger: forgetting them keeps the list to the recent ones.
  const Micros horizon = watermark_locked() - options_.max_trigger_age;
  while (!d.triggered.empty() &&
         (d.triggered.front().second < horizon || d.triggered.size() >= kMaxTriggered))
    d.triggered.pop_front();
  d.triggered.emplace_back(uid, t);
  dirty_.push_back(brand);
  return true;
}

void CrisisEngine::keep_pending(std::vector<CrisisSignal> signals) {
  for (CrisisSignal& s : signals)
    pending_.push_back(std::move(s));
}

Result<void> CrisisEngine::recheck_recent_posts(Micros wall_now) {
  std::lock_guard lock(mu_);
  Micros reference = watermark_locked();
  if (max_event_ == 0) {
    if (!options_.live) return ok();  // a replay starts empty
    reference = wall_now;
  }
  std::vector<CrisisSignal> signals;
  for (const rules::Brand& b : rules_->brands()) {
    const rules::DetectionOptions* o = options_of(b.id);
    storage::MentionQuery q;
    q.brand = b.id;
    q.from = reference - options_.max_trigger_age;
    q.to = std::numeric_limits<Micros>::max() / 2;  // whatever was stored since, late or not
    q.limit = storage::kMaxPageLimit;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = db_.mentions(q);
      if (!page) return page.error();
      for (const storage::Mention& m : page->items) {
        const rules::ScoredPost p = post_of(m, *rules_);
        auto findings = rules::post_trigger_findings(p, b.id, o->post_triggers, rules_.get());
        if (findings.empty()) continue;
        auto it = brands_.find(b.id);
        Detectors& d = it != brands_.end() ? it->second : start_brand(b.id, m.created_at);
        if (!first_trigger(b.id, d, m.uid, m.created_at)) continue;
        for (rules::Finding& f : findings)
          signals.push_back({CrisisSignal::Kind::finding, b.id, f.at, 0, std::move(f)});
      }
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
  }
  auto r = step(std::move(signals));
#if defined(__GLIBC__)
  // A burst of recent mentions makes a step of as many findings, hundreds of megabytes allocated and freed at
  // once, which glibc would keep in its heaps for the life of the process (310 MB resident after a restart
  // with 11M posts stored in the last hours and 10,000 rules): give them back. Once, at start-up.
  ::malloc_trim(0);
#endif
  return r;
}

Result<void> CrisisEngine::observe(std::span<const rules::ScoredPost> posts, Micros wall_now) {
  const std::span<const rules::ScoredPost> one[] = {posts};
  return observe(std::span<const std::span<const rules::ScoredPost>>(one), wall_now);
}

Result<void> CrisisEngine::observe(std::span<const std::span<const rules::ScoredPost>> batches,
                                   Micros wall_now) {
  std::lock_guard lock(mu_);
  last_arrival_wall_ = wall_now;
  std::vector<CrisisSignal> signals;
  std::vector<std::string_view> matched;
  for (const auto posts : batches) {
    for (const rules::ScoredPost& p : posts) {
      if (p.post.kind == ingest::Kind::del) continue;
      Micros t = p.post.created_at;
      if (options_.live) t = std::min(t, wall_now + options_.max_future_skew);
      max_event_ = std::max(max_event_, t);
      rules::matched_brands(p, matched);
      for (const std::string_view matched_brand : matched) {
        const std::string brand(matched_brand);
        const rules::DetectionOptions* o = options_of(brand);
        if (!o) continue;  // matched by rules replaced since
        auto it = brands_.find(brand);
        Detectors& d = it != brands_.end() ? it->second : start_brand(brand, t);
        if (t < watermark_locked() - options_.max_trigger_age) continue;
        auto findings = rules::post_trigger_findings(p, brand, o->post_triggers, rules_.get());
        if (findings.empty() || !first_trigger(brand, d, p.post.uid, t)) continue;
        for (rules::Finding& f : findings)
          signals.push_back({CrisisSignal::Kind::finding, brand, f.at, 0, std::move(f)});
      }
    }
  }
  if (auto r = process_buckets(watermark_locked(), signals); !r) {
    keep_pending(std::move(signals));
    return r;
  }
  return step(std::move(signals));
}

Result<void> CrisisEngine::tick(Micros wall_now) {
  std::lock_guard lock(mu_);
  if (options_.live && wall_now - last_arrival_wall_ >= options_.idle_timeout) {
    // Nothing arrived for a while: whatever is still on its way is later than the lateness allows.
    max_event_ = std::max(max_event_, wall_now - options_.idle_timeout);
  }
  std::vector<CrisisSignal> signals;
  if (auto r = process_buckets(watermark_locked(), signals); !r) {
    keep_pending(std::move(signals));
    return r;
  }
  return step(std::move(signals));
}

Result<void> CrisisEngine::finish() {
  std::lock_guard lock(mu_);
  extra_ = options_.allowed_lateness;
  std::vector<CrisisSignal> signals;
  if (auto r = process_buckets(watermark_locked(), signals); !r) {
    keep_pending(std::move(signals));
    return r;
  }
  return step(std::move(signals));
}

Result<void> CrisisEngine::process_buckets(Micros watermark, std::vector<CrisisSignal>& signals) {
  for (auto& [brand, d] : brands_) {
    if (!options_of(brand)) continue;  // no longer configured: its state is kept, not advanced
    bool advanced = false;
    while (d.next_bucket + options_.bucket <= watermark) {
      const Micros start = d.next_bucket;
      const Micros end = start + options_.bucket;
      auto totals = db_.totals(brand, start, end);
      if (!totals) return totals.error();
      bool fired = false;
      bool quiet = true;
      const auto add = [&](rules::Finding f) {
        fired = true;
        signals.push_back({CrisisSignal::Kind::finding, brand, f.at, 0, std::move(f)});
      };
      if (d.volume) {
        auto r = d.volume->on_bucket(start, totals->count);
        if (!r) return error("crisis: brand '" + brand + "': " + r.error().message);
        if (*r) add(rules::to_finding(**r, brand, rules::DetectorKind::volume));
        quiet = quiet && d.volume->last_p() > kQuietP;
      }
      if (d.negative) {
        auto r = d.negative->on_bucket(start, totals->negative);
        if (!r) return error("crisis: brand '" + brand + "': " + r.error().message);
        if (*r) add(rules::to_finding(**r, brand, rules::DetectorKind::negative_volume));
        quiet = quiet && d.negative->last_p() > kQuietP;
      }
      if (d.sentiment) {
        // Unscored mentions (no lexicon for their language) carry a placeholder 0: not part of the mean.
        auto r = d.sentiment->on_bucket(start, totals->scored, totals->compound_sum());
        if (!r) return error("crisis: brand '" + brand + "': " + r.error().message);
        if (*r) add(rules::to_finding(**r, brand));
        quiet = quiet && !d.sentiment->last_fired();
      }
      signals.push_back({quiet && !fired ? CrisisSignal::Kind::quiet : CrisisSignal::Kind::busy,
                         brand,
                         end,
                         options_.bucket,
                         {}});
      window_rows(brand, d.volume, d.negative, expectations_);
      d.next_bucket = end;
      if (!advanced) dirty_.push_back(brand);
      advanced = true;
    }
  }
  return ok();
}

Result<void> CrisisEngine::step(std::vector<CrisisSignal> signals) {
  std::vector<CrisisSignal> all = std::move(pending_);
  pending_.clear();
  for (CrisisSignal& s : signals)
    all.push_back(std::move(s));
  std::stable_sort(all.begin(), all.end(),
                   [](const CrisisSignal& a, const CrisisSignal& b) { return a.at < b.at; });
  CrisisStep step;
  step.now = watermark_locked();
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  for (const std::string& brand : dirty_) {
    const auto it = brands_.find(brand);
    if (it != brands_.end())
      step.detector_states.push_back({std::string(kBrandPrefix) + brand, encode_state(it->second)});
  }
  if (!step.detector_states.empty()) {
    rules::StateWriter engine;
    engine.u8(kStateVersion);
    engine.i64(max_event_);
    step.detector_states.push_back({std::string(kEngineKey), engine.take()});
  }
  step.signals = std::move(all);
  step.expectations = std::move(expectations_);
  expectations_.clear();
  if (auto r = book_.apply(step); !r) {
    pending_ = std::move(step.signals);  // retried with the next step; dirty_ stays set
    expectations_ = std::move(step.expectations);
    return r;
  }
  dirty_.clear();
  return ok();
}

std::vector<NoticePost> top_posts(const storage::PostQueries& db, const std::string& brand, Micros from,
                                  Micros to, std::size_t n, std::size_t scan) {
  std::vector<storage::Mention> seen;
  storage::MentionQuery q;
  q.brand = brand;
  q.from = from;
  q.to = to;
  q.limit = storage::kMaxPageLimit;
  while (seen.size() < scan) {
    auto page = db.mentions(q);
    if (!page) break;
    for (auto& m : page->items)
      seen.push_back(std::move(m));
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  // Most reach first; the newest among equals.
  std::stable_sort(seen.begin(), seen.end(),
                   [](const storage::Mention& a, const storage::Mention& b) { return a.reach > b.reach; });
  std::vector<NoticePost> out;
  for (std::size_t i = 0; i < seen.size() && i < n; ++i) {
    const storage::Mention& m = seen[i];
    std::string text = m.text;
    if (text.size() > 280) {
      std::size_t cut = 280;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;  // never split a UTF-8 sequence
      text = text.substr(0, cut) + "…";
    }
    out.push_back({m.uid, m.url, m.author_handle, m.followers, std::move(text)});
  }
  return out;
}

}  // namespace vigie::daemon
