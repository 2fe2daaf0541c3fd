// The crisis engine: runs every brand's detectors in event time and hands their signals to the incident book.
//
// Window detectors (volume, negative_volume, sentiment_drop) read each 5-minute bucket from the stored series
// once the watermark has passed its end. The watermark is the latest created_at seen minus the allowed
// lateness, so posts arriving out of order within that lateness are counted in their own bucket; posts later
// than that are stored (and shown) but the detectors have already moved past their bucket. Since buckets are
// read from storage, which holds every acknowledged post, a restart (even after SIGKILL) resumes from the
// last bucket whose processing was committed and counts nothing twice. A failed read or commit keeps the
// signals already made for the next step.
//
// Per-post detectors (critical_keyword, influencer) run on each post as it is stored, at once. Posts created
// more than max_trigger_age before the watermark trigger nothing (an old post backfilled is not news). Each
// brand remembers the posts that triggered (committed with its state), so a post seen again triggers nothing.
// At start-up, every mention created since max_trigger_age before the last committed watermark (or the wall
// clock, on a database that never committed one) is checked again: a post stored just before a crash, whose
// finding was not committed yet, still triggers.
//
// Live, the watermark also advances with the wall clock when no post arrived for idle_timeout, so quiet
// periods elapse, incidents resolve and reminders go out even when nothing is said about any brand; post
// times more than max_future_skew ahead of the wall clock are clamped. In replay, only event time counts.
// idle_timeout must exceed the longest silence of a working source (a feed's poll interval): posts arriving
// after the watermark jumped are stored but too late for their buckets.
//
// State (per brand: the detectors and the next bucket; globally: the latest event time) is committed with the
// incident changes of the same step, in one atomic write, and so is what the volume detectors expected of each
// bucket they tested (CrisisStore::expectations: the baseline the incident page draws the counts against):
// per bucket, what the last test whose window held it expected of it (VolumeSpikeDetector::window_expected).
// Recorded rather than recomputed on demand: the baseline depends on every bucket learned since the brand
// started (days of history), on which buckets were judged anomalous, and on the options in force at the
// time; replaying that per page view would cost the whole history and could disagree with what the detector
// actually compared after an options change, a restart from a reset state or retention of old series.
//
// Thread-safety: all public methods may be called from any thread; one mutex serializes them.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/crisis/incident_book.h"
#include "ingest/base/result.h"
#include "rules/detect/sentiment_drop.h"
#include "rules/detect/volume/volume_spike.h"
#include "rules/rule_set.h"
#include "rules/scored_post.h"
#include "storage/database.h"

namespace vigie::daemon {

struct CrisisEngineOptions {
  Micros bucket = 5 * 60 * kMicrosPerSecond;
  Micros allowed_lateness = 2 * 60 * kMicrosPerSecond;
  Micros max_trigger_age = 6 * 3600 * kMicrosPerSecond;
  bool live = true;
  Micros idle_timeout = 5 * 60 * kMicrosPerSecond;  // live only
  Micros max_future_skew = 60 * kMicrosPerSecond;   // live only
  // A brand seen for the first time starts this far back from its first post (its stored series are read
  // from then): detectors then learn from history instead of starting cold. Every bucket of that span is
  // read once, on the writer thread.
  Micros history = 0;
};

class CrisisEngine {
 public:
  static Result<std::unique_ptr<CrisisEngine>> open(const storage::PostQueries& db,
                                                    const storage::CrisisStore& crisis, IncidentBook& book,
                                                    CrisisEngineOptions options,
                                                    std::shared_ptr<const rules::RuleSet> rules,
                                                    Micros wall_now);

  // Takes new rules: brands' detection options change from the next bucket on (a detector whose learned state
  // no longer fits its options restarts).
  void set_rules(std::shared_ptr<const rules::RuleSet> rules);

  // Posts just stored, in the order they were written.
  Result<void> observe(std::span<const rules::ScoredPost> posts, Micros wall_now);
  // Several batches in order, as one step (one commit): how a detection that fell behind catches up.
  Result<void> observe(std::span<const std::span<const rules::ScoredPost>> batches, Micros wall_now);
  // Live: advances the watermark by the wall clock when idle, processes due buckets and reminders.
  Result<void> tick(Micros wall_now);
  // End of a replay: processes every bucket up to the last event time (no lateness left to wait for).
  Result<void> finish();

  Micros watermark() const;

 private:
  struct Detectors {
    Micros next_bucket = 0;  // start of the next bucket to process
    std::optional<rules::VolumeSpikeDetector> volume;
    std::optional<rules::VolumeSpikeDetector> negative;
    std::optional<rules::SentimentDropDetector> sentiment;
    // Posts that already raised a per-post finding (uid, created_at), oldest first: a post seen again (a
    // restart re-reads recent posts, a source repeats one, an edit) raises nothing, even once its incident
    // is resolved.
    std::deque<std::pair<std::string, Micros>> triggered;
  };

  CrisisEngine(const storage::PostQueries& db, const storage::CrisisStore& crisis, IncidentBook& book,
               CrisisEngineOptions options, std::shared_ptr<const rules::RuleSet> rules);
  void take_rules(std::shared_ptr<const rules::RuleSet> rules);
  const rules::DetectionOptions* options_of(const std::string& brand) const;  // nullptr: not configured
  Result<void> load();
  Result<void> recheck_recent_posts(Micros wall_now);
  // Records that `uid` raised per-post findings; false when it already had.
  bool first_trigger(const std::string& brand, Detectors& d, const std::string& uid, Micros t);
  void keep_pending(std::vector<CrisisSignal> signals);
  void fit_detectors(const std::string& brand, Detectors& d);
  Detectors& start_brand(const std::string& brand, Micros first_event);
  Result<void> process_buckets(Micros watermark, std::vector<CrisisSignal>& signals);
  Result<void> step(std::vector<CrisisSignal> signals);
  std::string encode_state(const Detectors& d) const;
  Micros watermark_locked() const;

  const storage::PostQueries& db_;
  const storage::CrisisStore& crisis_;
  IncidentBook& book_;
  CrisisEngineOptions options_;
  std::shared_ptr<const rules::RuleSet> rules_;
  std::unordered_map<std::string, const rules::DetectionOptions*> options_by_brand_;  // into rules_
  mutable std::mutex mu_;
  std::map<std::string, Detectors> brands_;
  std::vector<std::string> dirty_;  // brands whose state changed since the last commit
  Micros max_event_ = 0;            // latest created_at seen (clamped live)
  Micros last_arrival_wall_ = 0;
  Micros extra_ = 0;  // finish(): lateness no longer waited for
  bool global_dirty_ = false;
  std::vector<CrisisSignal> pending_;  // signals of a step whose commit failed, retried with the next one
  // What the volume detectors expected of each bucket processed since the last commit, committed with the
  // next step (the incident page draws counts against it).
  std::vector<storage::ExpectationRow> expectations_;
};

// The `n` mentions of a brand in [from, to) with the largest reach (at most `scan` examined), for incident
// timelines and notices.
std::vector<NoticePost> top_posts(const storage::PostQueries& db, const std::string& brand, Micros from,
                                  Micros to, std::size_t n = 5, std::size_t scan = 2000);

}  // namespace vigie::daemon
