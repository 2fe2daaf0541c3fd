// CrisisStore: incidents, their timelines, detector state and silences, and the commit that appends their
// notifications to the outbox.
#include "storage/crisis/crisis_store.h"

#include <rocksdb/write_batch.h>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/crisis/id_rows.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

Result<std::vector<std::uint64_t>> CrisisStore::commit(const CrisisChanges& changes) {
  std::vector<std::uint64_t> seqs;
  if (changes.empty()) return seqs;
  rocksdb::WriteBatch batch;
  rocksdb::Status s;
  const auto put = [&](Cf cf, std::string_view key, std::string_view value) {
    if (s.ok()) s = batch.Put(impl_.cf(cf), slice(key), slice(value));
  };
  for (const IncidentRow& r : changes.incidents)
    put(Cf::incidents, id_key(r.id), r.value);
  for (const IncidentEventRow& e : changes.events)
    put(Cf::incident_events, incident_event_key(e.incident_id, e.time, e.seq), e.value);
  for (const NamedValue& d : changes.detector_states)
    put(Cf::detectors, d.name, d.value);
  std::string value;
  for (const ExpectationRow& e : changes.expectations) {
    if (!valid_brand_id(e.brand)) continue;  // brands are validated with the rules
    encode_expectation(e.expected, value);
    put(Cf::expectations, series_key(e.brand, e.bucket), value);
  }
  for (const SilenceRow& r : changes.silences)
    put(Cf::silences, id_key(r.id), r.value);
  for (const std::uint64_t id : changes.silences_removed) {
    if (s.ok()) s = batch.Delete(impl_.cf(Cf::silences), id_key(id));
  }

  // Sequence numbers are taken and committed under one lock, so that entries appear in the outbox in
  // sequence order (the delivery worker reads forward from the last entry it saw).
  std::lock_guard lock(impl_.crisis_mu);
  const std::uint64_t first = impl_.next_outbox_seq;
  for (std::size_t i = 0; i < changes.notifications.size(); ++i) {
    const QueuedNotification& n = changes.notifications[i];
    seqs.push_back(first + i);
    put(Cf::outbox, id_key(first + i), n.value);
    if (n.incident_id != 0) put(Cf::deliveries, delivery_key(n.incident_id, first + i), {});
  }
  if (!s.ok()) return status_error("crisis write batch", s);
  s = impl_.write_durably(batch);
  if (!s.ok()) return status_error("crisis write batch", s);
  impl_.next_outbox_seq = first + changes.notifications.size();
  return seqs;
}

Result<std::optional<std::string>> CrisisStore::incident(std::uint64_t id) const {
  std::string value;
  const rocksdb::Status s =
      impl_.db->Get(rocksdb::ReadOptions(), impl_.cf(Cf::incidents), id_key(id), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return status_error("read incident " + std::to_string(id), s);
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<IncidentRow>> CrisisStore::incidents(std::uint64_t before_id, std::size_t limit) const {
  auto rows = newest_first(impl_, Cf::incidents, before_id, limit, "incidents");
  if (!rows) return rows.error();
  std::vector<IncidentRow> out;
  out.reserve(rows->size());
  for (auto& r : *rows)
    out.push_back({r.seq, std::move(r.value)});
  return out;
}

Result<std::uint64_t> CrisisStore::last_incident_id() const {
  auto rows = newest_first(impl_, Cf::incidents, 0, 1, "incidents");
  if (!rows) return rows.error();
  return rows->empty() ? std::uint64_t{0} : rows->front().seq;
}

Result<std::vector<IncidentEventRow>> CrisisStore::incident_events(std::uint64_t incident_id,
                                                                   std::size_t limit) const {
  std::vector<IncidentEventRow> out;
  const std::string prefix = id_key(incident_id);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_.db->NewIterator(rocksdb::ReadOptions(), impl_.cf(Cf::incident_events)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    const auto k = decode_incident_event_key(it->key().ToStringView());
    if (!k) return error("storage: corrupt event key of incident " + std::to_string(incident_id));
    out.push_back({k->incident_id, k->time, k->seq, it->value().ToString()});
  }
  if (!it->status().ok())
    return status_error("list events of incident " + std::to_string(incident_id), it->status());
  return out;
}

Result<std::vector<NamedValue>> CrisisStore::detector_states() const {
  std::vector<NamedValue> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_.db->NewIterator(rocksdb::ReadOptions(), impl_.cf(Cf::detectors)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.push_back({it->key().ToString(), it->value().ToString()});
  if (!it->status().ok()) return status_error("read detector state", it->status());
  return out;
}

Result<std::vector<SilenceRow>> CrisisStore::silences() const {
  auto rows = newest_first(impl_, Cf::silences, 0, SIZE_MAX, "silences");
  if (!rows) return rows.error();
  std::vector<SilenceRow> out;
  for (auto it = rows->rbegin(); it != rows->rend(); ++it)
    out.push_back({it->seq, std::move(it->value)});
  return out;
}

}  // namespace vigie::storage

namespace vigie::storage {

Result<std::vector<ExpectationRow>> CrisisStore::expectations(const std::string& brand, Micros from,
                                                              Micros to) const {
  std::vector<ExpectationRow> out;
  if (!valid_brand_id(brand)) return error("storage: invalid brand id");
  if (from >= to) return out;
  RangeScan it(impl_, Cf::expectations, series_key(brand, from), series_key(brand, to));
  for (it->Seek(it.lower()); it->Valid(); it->Next()) {
    const auto t = time_of_brand_time_key(it->key().ToStringView());
    const auto e = decode_expectation(it->value().ToStringView());
    if (!t || !e) return error("storage: corrupt expectation row of brand " + brand);
    out.push_back({brand, *t, *e});
  }
  if (!it->status().ok()) return status_error("read expectations of brand " + brand, it->status());
  return out;
}

Result<std::vector<IncidentNotificationRow>> CrisisStore::notifications_of(std::uint64_t incident_id,
                                                                           std::size_t limit) const {
  std::vector<IncidentNotificationRow> out;
  // One snapshot for the list and the lookups: the worker removes an entry from the outbox and writes its
  // record in one batch, so within a snapshot a notification is always somewhere.
  const rocksdb::Snapshot* snap = impl_.db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{impl_.db.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  const std::string prefix = id_key(incident_id);
  std::unique_ptr<rocksdb::Iterator> it(impl_.db->NewIterator(ro, impl_.cf(Cf::deliveries)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    const auto k = decode_delivery_key(it->key().ToStringView());
    if (!k) return error("storage: corrupt delivery key of incident " + std::to_string(incident_id));
    IncidentNotificationRow row;
    row.seq = k->seq;
    if (!it->value().empty()) {
      row.place = IncidentNotificationRow::Place::delivered;
      row.value = it->value().ToString();
      out.push_back(std::move(row));
      continue;
    }
    for (const auto& [cf, place] :
         {std::pair{Cf::outbox, IncidentNotificationRow::Place::outbox},
          std::pair{Cf::dead_letters, IncidentNotificationRow::Place::dead_letter}}) {
      const rocksdb::Status s = impl_.db->Get(ro, impl_.cf(cf), id_key(k->seq), &row.value);
      if (s.ok()) {
        row.place = place;
        break;
      }
      if (!s.IsNotFound()) return status_error("read notification " + std::to_string(k->seq), s);
    }
    out.push_back(std::move(row));
  }
  if (!it->status().ok())
    return status_error("list notifications of incident " + std::to_string(incident_id), it->status());
  return out;
}

}  // namespace vigie::storage
