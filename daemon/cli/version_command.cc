#include <iostream>

#include "daemon/cli/commands.h"
#include "daemon/version.h"

namespace vigie::daemon {

int version_command() {
  std::cout << "vigie " << kVersion << " (revision " << kRevision << ", " << kCompiler << ")\n";
  return 0;
}

}  // namespace vigie::daemon
