// The `vigie` command line: parses argv, dispatches to a subcommand, and maps every failure to an exit code
// (unknown commands and flags print usage and exit 2).
#pragma once

namespace vigie::daemon {

int run_cli(int argc, char** argv);

}  // namespace vigie::daemon
