// `replay` source: posts from an NDJSON file (one Post per line, see post_json.h), paced by their created_at.
//
// Config (sources: entry):
//   path: file.ndjson     required; relative to the config file
//   speed: 60x            1x = real time, 60x = an hour a minute, max = as fast as Vigie takes them
//   rebase_time: false    true: shift every created_at so that the file's last post is due "now" when the
//   replay
//                         reaches it (demos, dashboards); the shift is kept in the cursor so that a restart
//                         shifts the same way, and duplicates are recognised
//   paced_last: 6h        only the file's last 6 hours (of created_at) are paced at `speed`; the posts before
//                         go as fast as Vigie takes them (a history for detectors to learn from, then a
//                         live-looking end)
//
// Cursor: "OFFSET" or "OFFSET@SHIFT_MICROS": the byte offset after the last line delivered. A malformed line
// is logged with its line number, counted, and skipped. The source ends at the end of the file.
#pragma once

#include <memory>
#include <string>

#include "ingest/source.h"
#include "ingest/source_metrics.h"

namespace vigie::ingest {

struct ReplayOptions {
  std::string id;
  std::string path;
  double speed = 1.0;  // 0: max
  bool rebase_time = false;
  Micros paced_last = 0;  // > 0: only posts within this of the file's last created_at are paced
  std::size_t batch_size = 256;
};

// "1x", "60x", "0.5x", "max" -> speed factor (0 for max); nullopt when malformed.
std::optional<double> parse_speed(std::string_view s);

class ReplaySource final : public Source {
 public:
  ReplaySource(ReplayOptions options, std::shared_ptr<SourceMetrics> metrics);
  std::string_view id() const override { return options_.id; }
  boost::asio::awaitable<void> run(PostSink& out, std::string cursor) override;

 private:
  ReplayOptions options_;
  std::shared_ptr<SourceMetrics> metrics_;
};

}  // namespace vigie::ingest
