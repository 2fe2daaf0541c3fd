// vigie: real-time e-reputation monitoring daemon. See README.md.
#include <exception>
#include <iostream>

#include "daemon/cli/cli.h"

int main(int argc, char** argv) {
  // Start-up code may throw (configuration, libraries); everything after start-up returns errors as values.
  try {
    return vigie::daemon::run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vigie: " << e.what() << "\n";
    return 1;
  }
}
