// `vigie replay`: crisis detection over past posts, as fast as the machine allows.
//
// The posts are scored and stored in a scratch database (removed at the end) exactly as the daemon stores
// them, in file order, and the same crisis service runs after each batch, in event time only (no wall-clock
// advance). Notifiers are replaced by the report: every incident event, with the event time it happened at.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "daemon/cli/commands.h"
#include "daemon/cli/progress.h"
#include "daemon/config/config.h"
#include "daemon/crisis_service.h"
#include "ingest/base/json_text.h"
#include "ingest/ndjson_posts.h"
#include "rules/post_scorer.h"
#include "storage/database.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

struct ReportLine {
  std::uint64_t incident = 0;
  std::string brand;
  std::string detector;
  std::string event;
  std::string severity;
  Micros at = 0;
  std::string summary;
};

// A scratch directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vigie-replay.XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void print_table(const std::vector<ReportLine>& lines) {
  if (lines.empty()) {
    std::printf("no incident\n");
    return;
  }
  std::printf("%-8s %-20s %-16s %-10s %-9s %-17s %s\n", "INCIDENT", "AT", "BRAND", "EVENT", "SEVERITY",
              "DETECTOR", "SUMMARY");
  for (const ReportLine& l : lines) {
    std::printf("%-8llu %-20s %-16s %-10s %-9s %-17s %s\n", static_cast<unsigned long long>(l.incident),
                format_rfc3339(l.at).c_str(), l.brand.c_str(), l.event.c_str(), l.severity.c_str(),
                l.detector.c_str(), l.summary.c_str());
  }
}

}  // namespace

int replay_command(const ReplayOptions& options) {
  auto config = load_config(options.config);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  const std::string rules_file = options.rules_file.empty() ? config->rules_file : options.rules_file;
  auto scorer = rules::PostScorer::load(rules_file);
  if (!scorer) {
    std::cerr << scorer.error().message << "\n";
    return 2;
  }
  std::optional<Micros> from, to;
  if (!options.from.empty() && !(from = parse_rfc3339(options.from))) {
    std::cerr << "vigie replay: --from: expected RFC 3339, got '" << options.from << "'\n";
    return 2;
  }
  if (!options.to.empty() && !(to = parse_rfc3339(options.to))) {
    std::cerr << "vigie replay: --to: expected RFC 3339, got '" << options.to << "'\n";
    return 2;
  }
  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (options.file != "-") {
    file_in.open(options.file);
    if (!file_in) {
      std::cerr << "vigie replay: cannot read " << options.file << "\n";
      return 1;
    }
    in = &file_in;
  }
  // Progress and incident logs would interleave with the report: only problems are logged.
  spdlog::set_level(spdlog::level::warn);

  ScratchDir scratch;
  if (scratch.path().empty()) {
    std::cerr << "vigie replay: cannot create a scratch directory\n";
    return 1;
  }
  storage::DatabaseOptions dbo;
  dbo.path = scratch.path() + "/db";
  dbo.sync = storage::SyncPolicy::none;  // a scratch copy: a crash loses nothing worth keeping
  dbo.retention_days = {0, 0, 0};        // past data must not expire while it is replayed
  auto db = storage::Database::open(dbo);
  if (!db) {
    std::cerr << db.error().message << "\n";
    return 1;
  }

  std::vector<ReportLine> report;
  CrisisServiceOptions co = crisis_options(config->crisis);
  co.engine.live = false;  // event time only: the wall clock of the replay says nothing of the past
  co.observed = [&report](const Incident& i, std::string_view event, const rules::Finding* f) {
    ReportLine l;
    l.incident = i.id;
    l.brand = i.brand;
    l.event = std::string(event);
    l.severity = std::string(rules::to_string(i.severity));
    l.detector = f ? std::string(rules::to_string(f->detector)) : "";
    l.at = f ? f->at : i.resolved_at;
    l.summary = f ? f->summary : "resolved by " + i.resolved_by;
    report.push_back(std::move(l));
  };
  auto crisis = CrisisService::open(**db, *scorer, std::move(co), nullptr);
  if (!crisis) {
    std::cerr << crisis.error().message << "\n";
    return 1;
  }

  std::uint64_t failed = 0;
  std::vector<rules::ScoredPost> batch;
  const auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    auto w = (*db)->posts().write(batch, {});
    if (!w) {
      std::cerr << "vigie replay: " << w.error().message << "\n";
      return false;
    }
    (*crisis)->after_write(batch);
    batch.clear();
    return true;
  };
  ingest::NdjsonPosts reader(*in);
  std::error_code size_error;
  const std::uint64_t input_size =
      options.file == "-" ? Progress::size_of_fd(0) : std::filesystem::file_size(options.file, size_error);
  Progress progress("vigie replay", in, size_error ? 0 : input_size, Progress::stderr_is_terminal());
  while (const auto line = reader.next()) {
    progress.tick();
    auto post = reader.post(0);
    if (!post) {
      ++failed;
      std::cerr << json::serialize(json::object{{"line", line->number}, {"error", post.error().message}})
                << "\n";
      continue;
    }
    if ((from && post->created_at < *from) || (to && post->created_at >= *to)) continue;
    if (post->received_at == 0) post->received_at = post->created_at;
    batch.push_back((*scorer)->score(*post));
    if (batch.size() == 256 && !flush()) return 1;
  }
  if (!flush()) return 1;
  progress.finish();
  if (auto r = (*crisis)->finish(); !r) {
    std::cerr << "vigie replay: " << r.error().message << "\n";
    return 1;
  }
  if (options.json) {
    std::string out;
    for (const ReportLine& l : report) {
      json::object o{{"incident", std::to_string(l.incident)},
                     {"brand", l.brand},
                     {"detector", l.detector.empty() ? json::value(nullptr) : json::value(l.detector)},
                     {"event", l.event},
                     {"severity", l.severity},
                     {"at", format_rfc3339(l.at)},
                     {"summary", l.summary}};
      ingest::append_json_text(out, o);
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    print_table(report);
  }
  std::fflush(stdout);
  return failed ? 1 : 0;
}

}  // namespace vigie::daemon
