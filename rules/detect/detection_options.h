// How crisis detection is configured for a brand: which detectors run and with what thresholds. Read from the
// rule file's `detection:` sections (rule_file.h): the top-level one sets defaults for every brand, a brand's
// own overrides individual keys. Consumed by the daemon, which builds one set of detectors per brand and an
// incident book around them.
#pragma once

#include "ingest/base/timestamp.h"
#include "rules/detect/post_triggers.h"
#include "rules/detect/sentiment_drop.h"
#include "rules/detect/volume/volume_spike.h"

namespace vigie::rules {

struct DetectionOptions {
  // Spike of all mentions (`volume:` in the rule file).
  bool volume_enabled = true;
  VolumeSpikeOptions volume;
  // Spike of negative mentions (`negative_volume:`): every key not given takes the value of `volume` once
  // merged, at any level; `enabled` is the exception, each series is switched on and off on its own.
  bool negative_volume_enabled = true;
  VolumeSpikeOptions negative_volume = [] {
    VolumeSpikeOptions o;
    o.subject = "negative mentions";
    return o;
  }();
  // Fall of the mean compound (`sentiment_drop:`).
  bool sentiment_drop_enabled = true;
  SentimentDropOptions sentiment_drop;
  // Critical-keyword and influencer posts (`critical_keyword:`, `influencer:`).
  PostTriggerOptions post_triggers;
  // An incident resolves once its detectors have been quiet this long (window detectors: p > 0.01, or not
  // firing), and a still-open incident is notified again at most this often.
  Micros quiet_period = 30 * 60 * kMicrosPerSecond;
  Micros repeat_interval = 4 * 3600 * kMicrosPerSecond;
};

}  // namespace vigie::rules
