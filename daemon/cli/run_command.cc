#include <spdlog/spdlog.h>

#include <iostream>

#include "daemon/cli/commands.h"
#include "daemon/config/config.h"
#include "daemon/daemon.h"
#include "daemon/logging.h"

namespace vigie::daemon {

int run_command(const RunOptions& options) {
  auto config = load_config(options.config);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  if (options.listen) {
    if (auto l = parse_listen(*options.listen); !l) {
      std::cerr << "--listen: " << l.error().message << "\n";
      return 2;
    }
    config->http.listen = *options.listen;
  }
  if (options.data_dir) config->data_dir = *options.data_dir;

  setup_logging(config->log);
  auto daemon = Daemon::start(*config);
  if (!daemon) {
    spdlog::critical("cannot start: {}", daemon.error().message);
    return 1;
  }
  (*daemon)->run_until_signal();
  // SIGTERM must end the process within 10 s: 8 s for in-flight work, the rest for closing storage.
  (*daemon)->shutdown(std::chrono::seconds(8));
  return 0;
}

}  // namespace vigie::daemon
