// DID → handle, learnt from Jetstream identity events: bounded, the least recently used pair goes first. Most
// posts come from accounts that sent no identity event since Vigie started: their handle stays the DID.
//
// Thread-safety: none; one per source or per parse.
#pragma once

#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "ingest/bluesky/jetstream_event.h"

namespace vigie::ingest {

class BlueskyHandles {
 public:
  explicit BlueskyHandles(std::size_t capacity) : capacity_(capacity) {}

  std::optional<std::string> find(std::string_view did);
  // Remembers the event's handle, or forgets the DID's when the event says it is unknown or invalid.
  void apply(const JetstreamIdentity& identity);
  // find() as the HandleLookup parse_jetstream_event takes; the cache must outlive it.
  HandleLookup lookup() {
    return [this](std::string_view did) { return find(did); };
  }

 private:
  void remember(const std::string& did, const std::string& handle);
  void forget(const std::string& did);

  using Entry = std::pair<std::string, std::string>;
  std::size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace vigie::ingest
