#include "storage/posts/series_counters.h"

#include <cmath>

namespace vigie::storage {

SeriesCounters& SeriesCounters::operator+=(const SeriesCounters& o) {
  count += o.count;
  positive += o.positive;
  neutral += o.neutral;
  negative += o.negative;
  compound_micros += o.compound_micros;
  reach += o.reach;
  scored += o.scored;
  return *this;
}

SeriesCounters SeriesCounters::operator-() const {
  return {-count, -positive, -neutral, -negative, -compound_micros, -reach, -scored};
}

bool SeriesCounters::is_zero() const {
  return *this == SeriesCounters{};
}

std::int64_t reach_of(const ingest::Post& post) {
  return post.author.followers > 0 ? post.author.followers : 0;
}

SeriesCounters contribution(const rules::ScoredPost& p) {
  SeriesCounters c;
  c.count = 1;
  switch (p.sentiment.label) {
    case rules::Label::positive:
      c.positive = 1;
      break;
    case rules::Label::neutral:
      c.neutral = 1;
      break;
    case rules::Label::negative:
      c.negative = 1;
      break;
  }
  c.compound_micros = std::llround(static_cast<double>(p.sentiment.compound) * kCompoundScale);
  c.reach = reach_of(p.post);
  c.scored = p.sentiment.scored ? 1 : 0;
  return c;
}

}  // namespace vigie::storage
