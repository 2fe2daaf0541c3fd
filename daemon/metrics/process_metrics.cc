#include "daemon/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/metrics/metrics.h"

namespace vigie::daemon {
namespace {

struct Stat {
  double cpu_seconds = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

// /proc/self/stat: the command (field 2) is in parentheses and may hold spaces, so fields are counted from
// the last ')'. utime and stime are fields 14 and 15 (clock ticks), vsize 23 (bytes), rss 24 (pages).
bool read_stat(Stat& out) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0, vsize = 0, rss = 0;
  for (int i = 3; i <= 24 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
    if (i == 23) vsize = std::stod(f);
    if (i == 24) rss = std::stod(f);
  }
  if (!fields) return false;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  out.cpu_seconds = (utime + stime) / ticks;
  out.virtual_bytes = vsize;
  out.resident_bytes = rss * page;
  return true;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  Stat s;
  if (read_stat(s)) {
    out.push_back(single_metric("process_cpu_seconds_total",
                                "Total user and system CPU time spent in seconds", MetricType::Counter,
                                s.cpu_seconds));
    out.push_back(single_metric("process_resident_memory_bytes", "Resident memory size in bytes",
                                MetricType::Gauge, s.resident_bytes));
    out.push_back(single_metric("process_virtual_memory_bytes", "Virtual memory size in bytes",
                                MetricType::Gauge, s.virtual_bytes));
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  if (!ec && fds > 0) {
    // The iterator's own descriptor is among those listed.
    out.push_back(single_metric("process_open_fds", "Number of open file descriptors", MetricType::Gauge,
                                static_cast<double>(fds - 1)));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(single_metric("process_max_fds", "Maximum number of open file descriptors",
                                MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace vigie::daemon
