#include "ingest/bluesky/bluesky_handles.h"

namespace vigie::ingest {

std::optional<std::string> BlueskyHandles::find(std::string_view did) {
  auto it = index_.find(std::string(did));
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void BlueskyHandles::apply(const JetstreamIdentity& identity) {
  if (identity.handle.empty()) {
    forget(identity.did);
  } else {
    remember(identity.did, identity.handle);
  }
}

void BlueskyHandles::remember(const std::string& did, const std::string& handle) {
  if (capacity_ == 0) return;
  if (auto it = index_.find(did); it != index_.end()) {
    it->second->second = handle;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
  order_.emplace_front(did, handle);
  index_.emplace(did, order_.begin());
}

void BlueskyHandles::forget(const std::string& did) {
  auto it = index_.find(did);
  if (it == index_.end()) return;
  order_.erase(it->second);
  index_.erase(it);
}

}  // namespace vigie::ingest
