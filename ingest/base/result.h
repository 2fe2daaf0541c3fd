// Errors as values, shared by every module (ingest is the lowest layer, so the vocabulary lives here).
//
// A failure that a caller may meet at run time (bad input, I/O) is returned as `Result<T>`, never thrown.
// `Error::message` says what failed, where and why, ready to be shown to a user or logged as is.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <utility>

namespace vigie {

struct Error {
  std::string message;
};

template <class T>
using Result = boost::system::result<T, Error>;

// A Result<void> that succeeded.
inline Result<void> ok() {
  return {};
}

inline Error error(std::string message) {
  return Error{std::move(message)};
}

// Called by Result::value() on an error: only start-up code calls value() unchecked, and main() catches.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace vigie
