// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it ("vigie-writer", "vigie-http-0"...), so
// that an operator can tell which of Vigie's threads is busy. Linux keeps 15 bytes; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace vigie {

inline void set_thread_name(std::string_view name) {
  const std::string n(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), n.c_str());
}

}  // namespace vigie
