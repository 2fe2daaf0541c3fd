#include "storage/database.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>

#include "storage/codec/key_codec.h"
#include "storage/codec/value_codec.h"
#include "storage/database_impl.h"
#include "storage/engine/counter_merge_operator.h"
#include "storage/engine/insert_hint_prefixes.h"
#include "storage/engine/retention_filter.h"
#include "storage/status_error.h"

namespace vigie::storage {
namespace {

rocksdb::ColumnFamilyOptions cf_options(const DatabaseOptions& o,
                                        const std::shared_ptr<rocksdb::Cache>& cache, Cf cf) {
  rocksdb::ColumnFamilyOptions c;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;

  const bool busy = cf == Cf::posts || cf == Cf::posts_by_time || cf == Cf::mentions || cf == Cf::series;
  // Quiet tables get small memtables: a memtable is allocated per column family, written or not.
  c.write_buffer_size = busy ? o.write_buffer_bytes : std::size_t{4} << 20;
  c.max_write_buffer_number = busy ? 4 : 2;
  c.compression = rocksdb::kLZ4Compression;
  // Flushes write level 0 uncompressed: its files live minutes before compaction rewrites them, so
  // compressing them is CPU spent on the write path's core for nothing.
  c.compression_per_level = {rocksdb::kNoCompression, rocksdb::kLZ4Compression};
  c.level_compaction_dynamic_level_bytes = true;
  c.disable_auto_compactions = o.scratch;

  int retention_days = 0;
  switch (cf) {
    case Cf::posts:
      // Every write() looks up each uid of its batch, and nearly all are new: bloom filters (in files and
      // in the memtable) answer "absent" without reading a data block.
      t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      t.whole_key_filtering = true;
      // The memtable bloom holds each uid once: the "prefix" (below) is the whole key already, so whole-key
      // filtering would add every uid a second time for the same answers.
      c.memtable_prefix_bloom_size_ratio = 0.05;
      c.write_buffer_size = o.posts_write_buffer_bytes;
      // The table is only ever read by key (never iterated): the "prefix" is the whole key. The memtable is
      // RocksDB's default skiplist. A hashed one (constant-time inserts) was tried and dropped: its flush
      // sorts the whole memtable into a new skiplist, which cost more than the inserts saved, 4.6 against
      // 0.8 us of flush CPU per post and a 15-20% lower http_push throughput, with p99.9 stalls of 250 ms
      // when a flush took the second core from the HTTP threads (storage/README.md).
      c.prefix_extractor.reset(rocksdb::NewNoopTransform());
      retention_days = o.retention_days.posts;
      if (retention_days > 0) {
        c.compaction_filter_factory = make_retention_filter_factory(RowTime::post_value, retention_days);
      }
      break;
    case Cf::posts_by_time:
      retention_days = o.retention_days.posts;
      if (retention_days > 0) {
        c.compaction_filter_factory = make_retention_filter_factory(RowTime::post_time_key, retention_days);
      }
      break;
    case Cf::mentions:
      c.memtable_insert_with_hint_prefix_extractor = make_brand_prefix_transform();
      retention_days = o.retention_days.mentions;
      if (retention_days > 0) {
        c.compaction_filter_factory = make_retention_filter_factory(RowTime::brand_time_key, retention_days);
      }
      break;
    case Cf::series:
      c.merge_operator = make_counter_merge_operator();
      retention_days = o.retention_days.series;
      if (retention_days > 0) {
        c.compaction_filter_factory = make_retention_filter_factory(RowTime::brand_time_key, retention_days);
      }
      break;
    case Cf::expectations:
      // The expected side of the series chart: kept as long as the series it is drawn against.
      retention_days = o.retention_days.series;
      if (retention_days > 0) {
        c.compaction_filter_factory = make_retention_filter_factory(RowTime::brand_time_key, retention_days);
      }
      break;
    default:
      break;
  }
  if (retention_days > 0 && o.periodic_compaction.count() > 0) {
    c.periodic_compaction_seconds = static_cast<std::uint64_t>(o.periodic_compaction.count());
  }
  c.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return c;
}

// Reads the schema version, writing this build's into a database that has none (a new one).
Result<void> check_schema(DatabaseImpl& impl) {
  std::string value;
  const rocksdb::Status s =
      impl.db->Get(rocksdb::ReadOptions(), impl.cf(Cf::meta),
                   rocksdb::Slice(kMetaSchemaVersionKey.data(), kMetaSchemaVersionKey.size()), &value);
  if (s.IsNotFound()) {
    encode_schema_version(kSchemaVersion, value);
    rocksdb::WriteOptions w;
    w.sync = true;
    const rocksdb::Status ps = impl.db->Put(w, impl.cf(Cf::meta), std::string(kMetaSchemaVersionKey), value);
    if (!ps.ok()) return status_error("write schema version of " + impl.options.path, ps);
    return ok();
  }
  if (!s.ok()) return status_error("read schema version of " + impl.options.path, s);
  const auto v = decode_schema_version(value);
  if (!v) return error("storage: database at " + impl.options.path + " has a corrupt schema version");
  if (*v > kSchemaVersion) {
    return error("storage: database at " + impl.options.path + " has schema version " + std::to_string(*v) +
                 ", this build reads up to " + std::to_string(kSchemaVersion) + "; upgrade vigie");
  }
  if (*v < kSchemaVersion) {
    // Every older layout is still read as it is; recording the new number makes older builds refuse the
    // database from now on, since they would misread what this build writes.
    encode_schema_version(kSchemaVersion, value);
    rocksdb::WriteOptions w;
    w.sync = true;
    const rocksdb::Status ps = impl.db->Put(w, impl.cf(Cf::meta), std::string(kMetaSchemaVersionKey), value);
    if (!ps.ok()) return status_error("upgrade schema version of " + impl.options.path, ps);
  }
  return ok();
}

// Sequence numbers are never reused: a dead letter keeps the number it had in the outbox.
Result<void> init_outbox_seq(DatabaseImpl& impl) {
  for (const Cf cf : {Cf::outbox, Cf::dead_letters}) {
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(cf)));
    it->SeekToLast();
    if (it->Valid()) {
      if (const auto seq = decode_id_key(it->key().ToStringView())) {
        impl.next_outbox_seq = std::max(impl.next_outbox_seq, *seq + 1);
      }
    }
    if (!it->status().ok()) return status_error("read outbox of " + impl.options.path, it->status());
  }
  return ok();
}

}  // namespace

std::optional<SyncPolicy> parse_sync_policy(std::string_view s) {
  if (s == "every_batch") return SyncPolicy::every_batch;
  if (s == "interval") return SyncPolicy::interval;
  if (s == "none") return SyncPolicy::none;
  return std::nullopt;
}

std::string_view to_string(SyncPolicy p) {
  switch (p) {
    case SyncPolicy::every_batch:
      return "every_batch";
    case SyncPolicy::interval:
      return "interval";
    case SyncPolicy::none:
      return "none";
  }
  return "every_batch";
}

DatabaseImpl::~DatabaseImpl() {
  // Stop the syncer first: its last sync needs the DB.
  wal_syncer.reset();
  if (!db) return;
  for (auto* h : cfs) {
    if (h) db->DestroyColumnFamilyHandle(h);
  }
  for (auto* h : other_cfs)
    db->DestroyColumnFamilyHandle(h);
  db->Close();
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  if (options.path.empty()) return error("storage: no database path given");
  {
    // RocksDB creates the last directory of the path only.
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    if (ec) return error("storage: cannot create " + options.path + ": " + ec.message());
  }
  auto impl = std::make_unique<DatabaseImpl>();
  impl->options = options;
  impl->write_options.disableWAL = options.scratch;

  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  if (options.env) dbo.env = options.env.get();
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = options.background_jobs;
  // Memtable insert hints (the mentions table's) are used only by sequential inserts. Writers are few (the
  // pipeline's writer, crisis detection, people's actions) and group commit merges their batches; the
  // memtable inserts of a group then run in the leader, one after another.
  dbo.allow_concurrent_memtable_write = false;
  dbo.bytes_per_sync = 1 << 20;  // smooths write-back of SST files instead of one big fsync at the end
  // Quiet column families would otherwise pin old WAL files forever: past this size RocksDB flushes them.
  dbo.max_total_wal_size = std::uint64_t{256} << 20;
  dbo.keep_log_file_num = 5;
  dbo.avoid_flush_during_shutdown = options.scratch;

  // Compactions run at the lowest CPU priority (nice 19; the setting is process-wide): on a machine of few
  // cores they otherwise take the writer's core during a burst of posts, and the burst is what must be
  // stored fast. They catch up when it passes; if they fall too far behind, RocksDB's write stalls throttle
  // the writers instead. Flushes (the high-priority pool) keep their priority, since writes wait on them.
  // Best effort: where the platform cannot lower it, compactions simply run at normal priority.
  (void)rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW,
                                                            rocksdb::CpuPriority::kLow);
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  std::vector<std::string> existing;
  // Fails on a new database, which then has no other column family than ours.
  (void)rocksdb::DB::ListColumnFamilies(dbo, options.path, &existing);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (std::size_t i = 0; i < kCfNames.size(); ++i) {
    descriptors.emplace_back(std::string(kCfNames[i]), cf_options(options, cache, static_cast<Cf>(i)));
  }
  for (const std::string& name : existing) {
    bool known = name == rocksdb::kDefaultColumnFamilyName;
    for (auto n : kCfNames)
      known = known || name == n;
    if (!known) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(dbo, options.path, descriptors, &handles, &raw);
  if (!s.ok()) return status_error("cannot open " + options.path, s);
  impl->db.reset(raw);
  impl->other_cfs.push_back(handles[0]);
  for (std::size_t i = 0; i < kCfNames.size(); ++i)
    impl->cfs[i] = handles[1 + i];
  for (std::size_t i = 1 + kCfNames.size(); i < handles.size(); ++i)
    impl->other_cfs.push_back(handles[i]);

  if (auto r = check_schema(*impl); !r) return r.error();
  if (auto r = init_outbox_seq(*impl); !r) return r.error();

  if (options.sync == SyncPolicy::every_batch) {
    impl->wal_syncer = std::make_unique<WalSyncer>(impl->db.get(), std::nullopt);
  } else if (options.sync == SyncPolicy::interval) {
    impl->wal_syncer = std::make_unique<WalSyncer>(impl->db.get(), options.sync_interval);
  }
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

std::optional<rocksdb::Status> DatabaseImpl::write_refusal() const {
  if (options.sync != SyncPolicy::every_batch) return std::nullopt;
  const auto f = wal_syncer->failed();
  if (!f) return std::nullopt;
  return rocksdb::Status::Aborted("an earlier fsync of the WAL failed (" + f->ToString() +
                                  "), so nothing written since can be guaranteed on disk; restart vigie");
}

Result<void> DatabaseImpl::writable() const {
  if (auto refused = write_refusal()) return status_error("write refused", *refused);
  return ok();
}

rocksdb::Status DatabaseImpl::write_durably(rocksdb::WriteBatch& batch) {
  if (options.sync != SyncPolicy::every_batch) return db->Write(write_options, &batch);
  if (auto refused = write_refusal()) return *refused;
  rocksdb::Status s = db->Write(write_options, &batch);
  if (!s.ok()) return s;
  std::promise<rocksdb::Status> synced;
  wal_syncer->after_next_sync([&synced](const rocksdb::Status& st) { synced.set_value(st); });
  return synced.get_future().get();
}

Database::Database(std::unique_ptr<DatabaseImpl> impl)
    : impl_(std::move(impl)), posts_(*impl_), queries_(*impl_), crisis_(*impl_), outbox_(*impl_) {}

Database::~Database() = default;

const std::string& Database::path() const {
  return impl_->options.path;
}

Result<void> Database::writable() const {
  return impl_->writable();
}

Result<void> Database::checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  if (!s.ok()) return status_error("checkpoint to " + dir, s);
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush = 0: flush memtables first, so the copy is made of SST files (hard links) and needs
  // little WAL replay when opened.
  s = cp->CreateCheckpoint(dir, 0);
  if (!s.ok()) return status_error("checkpoint to " + dir, s);
  return ok();
}

Result<void> Database::compact() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(impl_->cfs.begin(), impl_->cfs.end());
  rocksdb::Status s = impl_->db->Flush(rocksdb::FlushOptions(), all);
  if (!s.ok()) return status_error("flush " + impl_->options.path, s);
  rocksdb::CompactRangeOptions cro;
  // Without kForce a file alone in the last level is not rewritten, and its expired rows would stay.
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (std::size_t i = 0; i < all.size(); ++i) {
    s = impl_->db->CompactRange(cro, all[i], nullptr, nullptr);
    if (!s.ok()) return status_error("compact " + std::string(kCfNames[i]), s);
  }
  return ok();
}

StorageStats Database::stats() const {
  StorageStats st;
  rocksdb::DB& db = *impl_->db;
  std::uint64_t v = 0;
  if (db.GetAggregatedIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &v)) st.sst_bytes = v;
  if (db.GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &v)) st.memtable_bytes = v;
  if (db.GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v)) {
    st.pending_compaction_bytes = v;
  }
  if (db.GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &v)) st.delayed_write_rate = v;
  if (db.GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &v)) st.write_stopped = v != 0;
  for (auto* h : impl_->cfs) {
    std::map<std::string, std::string> m;
    if (!db.GetMapProperty(h, rocksdb::DB::Properties::kCFStats, &m)) continue;
    const auto num = [&m](const char* key) -> std::uint64_t {
      const auto it = m.find(key);
      return it == m.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
    };
    st.write_stall_slowdowns += num("io_stalls.total_slowdown");
    st.write_stall_stops += num("io_stalls.total_stop");
  }
  rocksdb::VectorLogPtr wals;
  if (db.GetSortedWalFiles(wals).ok()) {
    for (const auto& w : wals) {
      if (w->Type() == rocksdb::kAliveLogFile) st.wal_bytes += w->SizeFileBytes();
    }
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(impl_->options.path, ec)) {
    std::error_code fec;
    if (!e.is_regular_file(fec)) continue;
    const std::uintmax_t size = e.file_size(fec);  // a file compacted away meanwhile reports an error
    if (!fec) st.disk_bytes += size;
  }
  impl_->metrics.fill(st);
  if (impl_->wal_syncer) st.wal_sync_failures = impl_->wal_syncer->failures();
  return st;
}

}  // namespace vigie::storage
