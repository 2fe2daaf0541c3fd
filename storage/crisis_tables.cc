// Database's primitives over the crisis tables: incidents, incident_events and outbox.
#include "storage/database_impl.h"
#include "storage/key_codec.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

Result<void> Database::put_incident(std::string_view id, std::string_view value) {
  if (id.empty()) return error("storage: empty incident id");
  const rocksdb::Status s =
      impl_->db->Put(impl_->write_options, impl_->cf(Cf::incidents), slice(id), slice(value));
  if (!s.ok()) return status_error("write incident " + std::string(id), s);
  return ok();
}

Result<std::optional<std::string>> Database::incident(std::string_view id) const {
  std::string value;
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(Cf::incidents), slice(id), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return status_error("read incident " + std::string(id), s);
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<IncidentRow>> Database::incidents(std::string_view after_id, std::size_t limit) const {
  std::vector<IncidentRow> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::incidents)));
  it->Seek(slice(after_id));
  if (it->Valid() && !after_id.empty() && it->key().ToStringView() == after_id) it->Next();
  for (; it->Valid() && out.size() < limit; it->Next()) {
    out.push_back({it->key().ToString(), it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("list incidents", it->status());
  return out;
}

Result<void> Database::put_incident_event(std::string_view incident_id, Micros t, std::uint64_t seq,
                                          std::string_view value) {
  if (!valid_brand_id(incident_id)) {
    return error("storage: incident ids must be 1 to " + std::to_string(kMaxBrandIdBytes) + " bytes");
  }
  const rocksdb::Status s = impl_->db->Put(impl_->write_options, impl_->cf(Cf::incident_events),
                                           incident_event_key(incident_id, t, seq), slice(value));
  if (!s.ok()) return status_error("write event of incident " + std::string(incident_id), s);
  return ok();
}

Result<std::vector<IncidentEventRow>> Database::incident_events(std::string_view incident_id,
                                                                std::size_t limit) const {
  std::vector<IncidentEventRow> out;
  if (!valid_brand_id(incident_id)) return out;
  const std::string prefix = incident_events_prefix(incident_id);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::incident_events)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    const auto k = decode_incident_event_key(it->key().ToStringView());
    if (!k) return error("storage: corrupt event key of incident " + std::string(incident_id));
    out.push_back({std::string(k->incident_id), k->time, k->seq, it->value().ToString()});
  }
  if (!it->status().ok())
    return status_error("list events of incident " + std::string(incident_id), it->status());
  return out;
}

Result<std::uint64_t> Database::outbox_push(std::string_view value) {
  const std::uint64_t seq = impl_->next_outbox_seq.fetch_add(1);
  const rocksdb::Status s =
      impl_->db->Put(impl_->write_options, impl_->cf(Cf::outbox), outbox_key(seq), slice(value));
  if (!s.ok()) return status_error("append to outbox", s);
  return seq;
}

Result<std::vector<OutboxEntry>> Database::outbox(std::uint64_t from_seq, std::size_t limit) const {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(Cf::outbox)));
  for (it->Seek(outbox_key(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
    const auto seq = decode_outbox_key(it->key().ToStringView());
    if (!seq) return error("storage: corrupt outbox key");
    out.push_back({*seq, it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("read outbox", it->status());
  return out;
}

Result<void> Database::outbox_erase(std::uint64_t seq) {
  const rocksdb::Status s = impl_->db->Delete(impl_->write_options, impl_->cf(Cf::outbox), outbox_key(seq));
  if (!s.ok()) return status_error("erase outbox entry " + std::to_string(seq), s);
  return ok();
}

}  // namespace vigie::storage
