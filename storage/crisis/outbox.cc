// Outbox: the notifications waiting for delivery and the dead letters.
#include "storage/crisis/outbox.h"

#include <rocksdb/write_batch.h>

#include "storage/codec/key_codec.h"
#include "storage/crisis/id_rows.h"
#include "storage/database_impl.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

Result<std::vector<OutboxEntry>> Outbox::entries(std::uint64_t from_seq, std::size_t limit) const {
  std::vector<OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(impl_.db->NewIterator(rocksdb::ReadOptions(), impl_.cf(Cf::outbox)));
  for (it->Seek(id_key(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
    const auto seq = decode_id_key(it->key().ToStringView());
    if (!seq) return error("storage: corrupt outbox key");
    out.push_back({*seq, it->value().ToString()});
  }
  if (!it->status().ok()) return status_error("read outbox", it->status());
  return out;
}

Result<void> Outbox::update(std::uint64_t seq, std::string_view value) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(impl_.cf(Cf::outbox), id_key(seq), slice(value));
  if (s.ok()) s = impl_.write_durably(batch);
  if (!s.ok()) return status_error("update outbox entry " + std::to_string(seq), s);
  return ok();
}

Result<void> Outbox::remove(std::uint64_t seq, std::uint64_t incident_id, std::string_view record) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(impl_.cf(Cf::outbox), id_key(seq));
  if (s.ok() && incident_id != 0)
    s = batch.Put(impl_.cf(Cf::deliveries), delivery_key(incident_id, seq), slice(record));
  if (s.ok()) s = impl_.write_durably(batch);
  if (!s.ok()) return status_error("remove outbox entry " + std::to_string(seq), s);
  return ok();
}

Result<void> Outbox::dead_letter(std::uint64_t seq, std::string_view value) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(impl_.cf(Cf::outbox), id_key(seq));
  if (s.ok()) s = batch.Put(impl_.cf(Cf::dead_letters), id_key(seq), slice(value));
  if (s.ok()) s = impl_.write_durably(batch);
  if (!s.ok()) return status_error("move outbox entry " + std::to_string(seq) + " to dead letters", s);
  return ok();
}

Result<std::vector<OutboxEntry>> Outbox::dead_letters(std::uint64_t before_seq, std::size_t limit) const {
  return newest_first(impl_, Cf::dead_letters, before_seq, limit, "dead letters");
}

}  // namespace vigie::storage
