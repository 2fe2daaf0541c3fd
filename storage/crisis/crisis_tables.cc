// Database's crisis tables: incidents, their timelines, the notification outbox and dead letters, detector
// state and silences.
#include <rocksdb/write_batch.h>

#include "storage/codec/key_codec.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

// Rows of a table keyed by id_key, newest (largest id) first, ids strictly below `before` (0: all).
Result<std::vector<OutboxEntry>> newest_first(const Database::Impl& impl, Cf cf, std::uint64_t before,
                                              std::size_t limit, std::string_view what) {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(cf)));
  if (before == 0) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(id_key(before - 1));
  }
  for (; it->Valid() && out.size() < limit; it->Prev()) {
    const auto id = decode_id_key(it->key().ToStringView());
    if (!id) return error("storage: corrupt key in " + std::string(what));
    out.push_back({*id, it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("list " + std::string(what), it->status());
  return out;
}

}  // namespace

Result<std::vector<std::uint64_t>> Database::commit_crisis(const CrisisChanges& changes) {
  std::vector<std::uint64_t> seqs;
  if (changes.empty()) return seqs;
  rocksdb::WriteBatch batch;
  rocksdb::Status s;
  const auto put = [&](Cf cf, std::string_view key, std::string_view value) {
    if (s.ok()) s = batch.Put(impl_->cf(cf), slice(key), slice(value));
  };
  for (const IncidentRow& r : changes.incidents)
    put(Cf::incidents, id_key(r.id), r.value);
  for (const IncidentEventRow& e : changes.events)
    put(Cf::incident_events, incident_event_key(e.incident_id, e.time, e.seq), e.value);
  for (const NamedValue& d : changes.detector_states)
    put(Cf::detectors, d.name, d.value);
  for (const SilenceRow& r : changes.silences)
    put(Cf::silences, id_key(r.id), r.value);
  for (const std::uint64_t id : changes.silences_removed) {
    if (s.ok()) s = batch.Delete(impl_->cf(Cf::silences), id_key(id));
  }

  // Sequence numbers are taken and committed under one lock, so that entries appear in the outbox in
  // sequence order (the delivery worker reads forward from the last entry it saw).
  std::lock_guard lock(impl_->crisis_mu);
  const std::uint64_t first = impl_->next_outbox_seq;
  for (std::size_t i = 0; i < changes.notifications.size(); ++i) {
    seqs.push_back(first + i);
    put(Cf::outbox, id_key(first + i), changes.notifications[i]);
  }
  if (!s.ok()) return status_error("crisis write batch", s);
  s = impl_->write_durably(batch);
  if (!s.ok()) return status_error("crisis write batch", s);
  impl_->next_outbox_seq = first + changes.notifications.size();
  return seqs;
}

Result<std::optional<std::string>> Database::incident(std::uint64_t id) const {
  std::string value;
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(Cf::incidents), id_key(id), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return status_error("read incident " + std::to_string(id), s);
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<IncidentRow>> Database::incidents(std::uint64_t before_id, std::size_t limit) const {
  auto rows = newest_first(*impl_, Cf::incidents, before_id, limit, "incidents");
  if (!rows) return rows.error();
  std::vector<IncidentRow> out;
  out.reserve(rows->size());
  for (auto& r : *rows)
    out.push_back({r.seq, std::move(r.value)});
  return out;
}

Result<std::uint64_t> Database::last_incident_id() const {
  auto rows = newest_first(*impl_, Cf::incidents, 0, 1, "incidents");
  if (!rows) return rows.error();
  return rows->empty() ? std::uint64_t{0} : rows->front().seq;
}

Result<std::vector<IncidentEventRow>> Database::incident_events(std::uint64_t incident_id,
                                                                std::size_t limit) const {
  std::vector<IncidentEventRow> out;
  const std::string prefix = id_key(incident_id);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::incident_events)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    const auto k = decode_incident_event_key(it->key().ToStringView());
    if (!k) return error("storage: corrupt event key of incident " + std::to_string(incident_id));
    out.push_back({k->incident_id, k->time, k->seq, it->value().ToString()});
  }
  if (!it->status().ok())
    return status_error("list events of incident " + std::to_string(incident_id), it->status());
  return out;
}

Result<std::vector<OutboxEntry>> Database::outbox(std::uint64_t from_seq, std::size_t limit) const {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::outbox)));
  for (it->Seek(id_key(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
    const auto seq = decode_id_key(it->key().ToStringView());
    if (!seq) return error("storage: corrupt outbox key");
    out.push_back({*seq, it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("read outbox", it->status());
  return out;
}

Result<void> Database::outbox_update(std::uint64_t seq, std::string_view value) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(impl_->cf(Cf::outbox), id_key(seq), slice(value));
  if (s.ok()) s = impl_->write_durably(batch);
  if (!s.ok()) return status_error("update outbox entry " + std::to_string(seq), s);
  return ok();
}

Result<void> Database::outbox_remove(std::uint64_t seq) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(impl_->cf(Cf::outbox), id_key(seq));
  if (s.ok()) s = impl_->write_durably(batch);
  if (!s.ok()) return status_error("remove outbox entry " + std::to_string(seq), s);
  return ok();
}

Result<void> Database::outbox_dead_letter(std::uint64_t seq, std::string_view value) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(impl_->cf(Cf::outbox), id_key(seq));
  if (s.ok()) s = batch.Put(impl_->cf(Cf::dead_letters), id_key(seq), slice(value));
  if (s.ok()) s = impl_->write_durably(batch);
  if (!s.ok()) return status_error("move outbox entry " + std::to_string(seq) + " to dead letters", s);
  return ok();
}

Result<std::vector<OutboxEntry>> Database::dead_letters(std::uint64_t before_seq, std::size_t limit) const {
  return newest_first(*impl_, Cf::dead_letters, before_seq, limit, "dead letters");
}

Result<std::vector<NamedValue>> Database::detector_states() const {
  std::vector<NamedValue> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::detectors)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.push_back({it->key().ToString(), it->value().ToString()});
  if (!it->status().ok()) return status_error("read detector state", it->status());
  return out;
}

Result<std::vector<SilenceRow>> Database::silences() const {
  auto rows = newest_first(*impl_, Cf::silences, 0, SIZE_MAX, "silences");
  if (!rows) return rows.error();
  std::vector<SilenceRow> out;
  for (auto it = rows->rbegin(); it != rows->rend(); ++it)
    out.push_back({it->seq, std::move(it->value)});
  return out;
}

}  // namespace vigie::storage
