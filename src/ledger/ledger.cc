// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The ledger store: SQLite in WAL mode with synchronous=FULL. Schema and
// invariants are specified in docs/formats/ledger.md.
#include "custody/ledger.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "common/time_util.h"
#include "crypto/encoding.h"
#include "custody/env.h"
#include "ledger/entry.h"
#include "ledger/evidence.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/signer.h"
#include "ledger/sqlite.h"

namespace custody {
namespace {

constexpr const char* kFormat = "custody-ledger-v1";

// Triggers make the append-only rule part of the database: an UPDATE or
// DELETE through SQLite fails even for a tool other than custody. (Someone
// with the file can still drop the triggers; Verify and the checkpoints the
// municipality keeps are what detect that.)
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries(seq INTEGER PRIMARY KEY, entry BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL,
                                 hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS entries_append_only_u BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'custody ledger entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_append_only_d BEFORE DELETE ON entries
  BEGIN SELECT RAISE(ABORT, 'custody ledger entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS nodes_append_only_u BEFORE UPDATE ON nodes
  BEGIN SELECT RAISE(ABORT, 'custody ledger nodes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS nodes_append_only_d BEFORE DELETE ON nodes
  BEGIN SELECT RAISE(ABORT, 'custody ledger nodes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_append_only_u BEFORE UPDATE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'custody ledger checkpoints are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_append_only_d BEFORE DELETE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'custody ledger checkpoints are append-only'); END;
)sql";

// Rolls back an open transaction unless committed.
class Txn {
 public:
  explicit Txn(sqlite::Db* db) : db_(db) {}
  ~Txn() {
    if (open_) db_->Exec("ROLLBACK").IgnoreError();
  }
  Status BeginImmediate() {
    CUSTODY_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    CUSTODY_RETURN_IF_ERROR(db_->Exec("COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite::Db* db_;
  bool open_ = false;
};

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(std::unique_ptr<sqlite::Db> db, std::optional<LedgerSigner> signer,
               note::Verifier verifier, Env* env)
      : db_(std::move(db)), signer_(std::move(signer)), verifier_(std::move(verifier)), env_(env) {}

  Status AttachSigner(LedgerSigner signer) {
    if (signer_) return AlreadyExistsError("the ledger already has a signer");
    signer_ = std::move(signer);
    return Status::Ok();
  }

  Status Prepare() {
    CUSTODY_ASSIGN_OR_RETURN(get_node_, db_->Prepare("SELECT hash FROM nodes WHERE level=? AND idx=?"));
    return Status::Ok();
  }

  Result<LedgerEntry> Append(std::string_view type, std::string_view operator_name,
                             std::string_view data_json) override {
    if (!signer_) return FailedPreconditionError("this ledger was opened without the station key");
    Txn txn(db_.get());
    // BEGIN IMMEDIATE takes the write lock now, so the size read below is
    // the size this entry extends: concurrent appenders queue here.
    CUSTODY_RETURN_IF_ERROR(txn.BeginImmediate());
    CUSTODY_ASSIGN_OR_RETURN(uint64_t size, SizeLocked());
    CUSTODY_ASSIGN_OR_RETURN(std::vector<merkle::Hash> range, ReadNodes(merkle::RangeNodes(0, size)));
    merkle::CompactRange cr = merkle::CompactRange::FromNodes(size, std::move(range));

    std::string time = timeutil::FormatRfc3339Utc(env_->NowUnixMicros());
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry,
                             ledger::MakeEntry(size, time, type, operator_name, data_json));
    std::vector<std::pair<merkle::NodeId, merkle::Hash>> completed;
    cr.Append(merkle::HashLeaf(entry.canonical), &completed);

    CUSTODY_ASSIGN_OR_RETURN(auto ins, db_->Prepare("INSERT INTO entries(seq, entry) VALUES(?,?)"));
    CUSTODY_RETURN_IF_ERROR(ins->Bind(1, static_cast<int64_t>(size)).BindBlob(2, entry.canonical).Run());
    CUSTODY_ASSIGN_OR_RETURN(auto ins_node, db_->Prepare("INSERT INTO nodes(level, idx, hash) VALUES(?,?,?)"));
    for (const auto& [id, hash] : completed) {
      ins_node->Reset();
      CUSTODY_RETURN_IF_ERROR(
          ins_node->Bind(1, id.level).Bind(2, static_cast<int64_t>(id.index)).BindBlob(3, hash).Run());
    }
    note::Checkpoint cp{signer_->origin, size + 1, cr.Root(), {}};
    CUSTODY_ASSIGN_OR_RETURN(std::string signed_note,
                             note::Sign(note::FormatCheckpoint(cp), signer_->origin, signer_->seed));
    CUSTODY_ASSIGN_OR_RETURN(auto ins_cp, db_->Prepare("INSERT INTO checkpoints(size, note) VALUES(?,?)"));
    CUSTODY_RETURN_IF_ERROR(ins_cp->Bind(1, static_cast<int64_t>(size + 1)).BindText(2, signed_note).Run());
    CUSTODY_RETURN_IF_ERROR(txn.Commit());
    spdlog::debug("ledger: appended seq {} type {}", entry.seq, entry.type);
    return entry;
  }

  Result<uint64_t> Size() override { return SizeLocked(); }

  Result<LedgerEntry> Get(uint64_t seq) override {
    CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT entry FROM entries WHERE seq=?"));
    q->Bind(1, static_cast<int64_t>(seq));
    CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return NotFoundError("no ledger entry " + std::to_string(seq));
    auto e = ledger::ParseEntry(q->Blob(0));
    if (!e.ok()) return CorruptionError("entry " + std::to_string(seq) + ": " + e.status().message());
    return e;
  }

  Status Scan(uint64_t from, const std::function<bool(const LedgerEntry&)>& fn) override {
    CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT seq, entry FROM entries WHERE seq>=? ORDER BY seq"));
    q->Bind(1, static_cast<int64_t>(from));
    for (;;) {
      CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) return Status::Ok();
      auto e = ledger::ParseEntry(q->Blob(1));
      if (!e.ok()) return CorruptionError("entry " + std::to_string(q->Int(0)) + ": " + e.status().message());
      if (!fn(*e)) return Status::Ok();
    }
  }

  Result<std::string> LatestCheckpoint() override {
    CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1"));
    CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return NotFoundError("the ledger has no checkpoint yet");
    return q->Blob(0);
  }

  Result<std::string> ProveInclusion(uint64_t seq) override {
    CUSTODY_ASSIGN_OR_RETURN(std::string signed_cp, LatestCheckpoint());
    CUSTODY_ASSIGN_OR_RETURN(std::string text, note::Open(signed_cp, verifier_));
    CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint cp, note::ParseCheckpoint(text));
    if (seq >= cp.size) {
      return NotFoundError("entry " + std::to_string(seq) + " is not in the ledger (it has " +
                           std::to_string(cp.size) + " entries)");
    }
    auto reader = [this](const std::vector<merkle::NodeId>& ids) { return ReadNodes(ids); };
    CUSTODY_ASSIGN_OR_RETURN(std::vector<merkle::Hash> path, merkle::InclusionProof(seq, cp.size, reader));
    // Check the proof before handing it out: the node table is a cache that
    // Verify does not trust, so a damaged node must not yield a bad proof.
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry, Get(seq));
    Status s = merkle::VerifyInclusion(seq, cp.size, merkle::HashLeaf(entry.canonical), path, cp.root_hash);
    if (!s.ok()) {
      return CorruptionError("cannot prove entry " + std::to_string(seq) +
                             ": the ledger's tree does not match its checkpoint; run `custody log verify`");
    }
    note::TlogProof proof;
    proof.index = seq;
    proof.path = std::move(path);
    proof.signed_checkpoint = signed_cp;
    return note::FormatTlogProof(proof);
  }

  Result<std::string> EvidenceBundle(uint64_t seq) override {
    CUSTODY_ASSIGN_OR_RETURN(std::string proof, ProveInclusion(seq));
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry entry, Get(seq));
    return ledger::FormatEvidenceBundle(entry.canonical, proof);
  }

  Result<LedgerVerifyReport> Verify(std::optional<std::string_view> kept_checkpoint) override;

 private:
  Result<uint64_t> SizeLocked() {
    CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT seq FROM entries ORDER BY seq DESC LIMIT 1"));
    CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
    return row ? static_cast<uint64_t>(q->Int(0)) + 1 : uint64_t{0};
  }

  Result<std::vector<merkle::Hash>> ReadNodes(const std::vector<merkle::NodeId>& ids) {
    std::vector<merkle::Hash> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
      get_node_->Reset();
      get_node_->Bind(1, id.level).Bind(2, static_cast<int64_t>(id.index));
      CUSTODY_ASSIGN_OR_RETURN(bool row, get_node_->Step());
      if (!row) {
        return CorruptionError("ledger tree node (" + std::to_string(id.level) + ", " +
                               std::to_string(id.index) + ") is missing");
      }
      out.push_back(get_node_->Blob(0));
      if (out.back().size() != 32) return CorruptionError("ledger tree node has a bad hash");
    }
    get_node_->Reset();
    return out;
  }

  // Finds the first entry whose content disagrees with the stored signed
  // checkpoints, by recomputing the root at every checkpointed size. Only
  // run once a mismatch is known, so its O(n log n) cost is fine.
  Result<uint64_t> LocateFirstAlteredEntry();
  // Called once verification failed: names the first bad entry.
  Status Diagnose();

  std::unique_ptr<sqlite::Db> db_;
  std::optional<LedgerSigner> signer_;
  note::Verifier verifier_;
  Env* env_;
  std::unique_ptr<sqlite::Stmt> get_node_;
};

Result<uint64_t> SqliteLedger::LocateFirstAlteredEntry() {
  CUSTODY_ASSIGN_OR_RETURN(auto entries, db_->Prepare("SELECT entry FROM entries ORDER BY seq"));
  CUSTODY_ASSIGN_OR_RETURN(auto cps, db_->Prepare("SELECT size, note FROM checkpoints ORDER BY size"));
  merkle::CompactRange cr;
  CUSTODY_ASSIGN_OR_RETURN(bool cp_row, cps->Step());
  for (;;) {
    CUSTODY_ASSIGN_OR_RETURN(bool row, entries->Step());
    if (!row) break;
    cr.Append(merkle::HashLeaf(entries->Blob(0)));
    while (cp_row && static_cast<uint64_t>(cps->Int(0)) < cr.size()) {
      CUSTODY_ASSIGN_OR_RETURN(cp_row, cps->Step());
    }
    if (cp_row && static_cast<uint64_t>(cps->Int(0)) == cr.size()) {
      auto text = note::Open(cps->Blob(1), verifier_);
      if (!text.ok()) continue;  // Unsigned checkpoints prove nothing either way.
      auto cp = note::ParseCheckpoint(*text);
      if (cp.ok() && cp->root_hash != cr.Root()) return cr.size() - 1;
    }
  }
  return NotFoundError("no stored checkpoint disagrees with the entries");
}

Status SqliteLedger::Diagnose() {
  CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT seq, entry FROM entries ORDER BY seq"));
  for (uint64_t expected = 0;; ++expected) {
    CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    uint64_t seq = static_cast<uint64_t>(q->Int(0));
    if (seq != expected) {
      return VerificationFailedError("entry " + std::to_string(expected) + " is missing (the next stored entry is " +
                                     std::to_string(seq) + "): entries were deleted");
    }
    auto entry = ledger::ParseEntry(q->Blob(1));
    if (!entry.ok()) {
      return VerificationFailedError("entry " + std::to_string(seq) + " was altered: " + entry.status().message());
    }
    if (entry->seq != seq) {
      return VerificationFailedError("entry " + std::to_string(seq) + " was altered: it says it is entry " +
                                     std::to_string(entry->seq) + " (reordered, duplicated or inserted)");
    }
  }
  auto first = LocateFirstAlteredEntry();
  if (first.ok()) {
    return VerificationFailedError("entry " + std::to_string(*first) +
                                   " was altered: its content does not match the checkpoint signed when it was "
                                   "recorded");
  }
  return VerificationFailedError("the ledger's entries do not match its signed checkpoint (root hash differs)");
}

// Builds the Merkle tree of a full verification on a second thread.
// Why: reading the rows from SQLite and hashing them take about the same
// time, so the reader (the caller) and the hasher overlap. At most two
// batches are in flight, so memory stays bounded whatever the ledger's size.
class TreeBuilder {
 public:
  static constexpr size_t kBatchBytes = 1 << 20;
  struct Batch {
    std::string bytes;          // Entries back to back.
    std::vector<size_t> ends;   // End offset of each entry in `bytes`.
    void Add(std::string_view entry) {
      bytes.append(entry);
      ends.push_back(bytes.size());
    }
  };

  explicit TreeBuilder(std::optional<uint64_t> kept_size) : kept_size_(kept_size) {
    if (kept_size_ && *kept_size_ == 0) root_at_kept_ = merkle::EmptyRoot();
    worker_ = std::thread([this] { Run(); });
  }
  // Stops the worker without a result if Finish() was not called (an early
  // return of the reader).
  ~TreeBuilder() { Stop(); }

  void Push(Batch batch) {
    if (batch.ends.empty()) return;
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return queue_.size() < 2; });
    queue_.push_back(std::move(batch));
    cv_.notify_all();
  }

  // Waits for every pushed entry; returns the tree and, if a kept size was
  // given and reached, the root at that size.
  std::pair<merkle::CompactRange, std::optional<merkle::Hash>> Finish() {
    Stop();
    return {std::move(cr_), std::move(root_at_kept_)};
  }

 private:
  void Stop() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
  }
  void Run() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
      }
      size_t begin = 0;
      for (size_t end : batch.ends) {
        cr_.Append(merkle::HashLeaf(std::string_view(batch.bytes).substr(begin, end - begin)));
        begin = end;
        if (kept_size_ && cr_.size() == *kept_size_) root_at_kept_ = cr_.Root();
      }
    }
  }

  const std::optional<uint64_t> kept_size_;
  merkle::CompactRange cr_;
  std::optional<merkle::Hash> root_at_kept_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool done_ = false;
  std::thread worker_;
};

// True if a canonical entry starts with "data" and its top-level "seq"
// member (the last ",\"seq\":" in the text) is `seq`, followed by "time".
// Compared in place: this runs once per entry in a full verification.
bool EntryNamesSeq(std::string_view bytes, uint64_t seq) {
  constexpr std::string_view kStart = "{\"data\":", kSeq = ",\"seq\":", kTime = ",\"time\":\"";
  if (bytes.substr(0, kStart.size()) != kStart) return false;
  size_t at = bytes.rfind(kSeq);
  if (at == std::string_view::npos) return false;
  const char* first = bytes.data() + at + kSeq.size();
  const char* last = bytes.data() + bytes.size();
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || value != seq || (*first == '0' && end - first > 1)) return false;
  return std::string_view(end, static_cast<size_t>(last - end)).substr(0, kTime.size()) == kTime;
}

Result<LedgerVerifyReport> SqliteLedger::Verify(std::optional<std::string_view> kept_checkpoint) {
  // A kept checkpoint is checked first: its signature and form do not
  // depend on the ledger.
  std::optional<note::Checkpoint> kept;
  if (kept_checkpoint) {
    auto text = note::Open(*kept_checkpoint, verifier_);
    if (!text.ok()) {
      return VerificationFailedError("the checkpoint you kept does not verify with this station's key (" +
                                     text.status().message() + ")");
    }
    auto cp = note::ParseCheckpoint(*text);
    if (!cp.ok()) return VerificationFailedError("the checkpoint you kept is malformed: " + cp.status().message());
    if (cp->origin != verifier_.name) {
      return VerificationFailedError("the checkpoint you kept is for log \"" + cp->origin + "\", not \"" +
                                     verifier_.name + "\"");
    }
    kept = std::move(*cp);
  }

  // One streaming pass: seq continuity, each entry's own seq, the tree.
  // Why not a full JSON parse of every entry here: the signed root already
  // binds every byte, and parsing costs ten times the hashing. Entries were
  // canonicalized when appended; when anything fails, Diagnose() parses them
  // all to name the first bad entry precisely.
  CUSTODY_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT seq, entry FROM entries ORDER BY seq"));
  std::optional<uint64_t> kept_size;
  if (kept) kept_size = kept->size;
  TreeBuilder tree(kept_size);
  TreeBuilder::Batch batch;
  for (uint64_t expected = 0;; ++expected) {
    CUSTODY_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    uint64_t seq = static_cast<uint64_t>(q->Int(0));
    if (seq != expected) return Diagnose();
    std::string_view bytes = q->BlobView(1);
    // The top-level "seq" member is the last one: it follows data and
    // operator, and a quote inside a JSON string is always escaped.
    if (!EntryNamesSeq(bytes, seq)) return Diagnose();
    batch.Add(bytes);
    if (batch.bytes.size() >= TreeBuilder::kBatchBytes) tree.Push(std::exchange(batch, {}));
  }
  tree.Push(std::move(batch));
  auto [cr, root_at_kept] = tree.Finish();

  CUSTODY_ASSIGN_OR_RETURN(std::string latest, LatestCheckpoint());
  auto text = note::Open(latest, verifier_);
  if (!text.ok()) {
    return VerificationFailedError("the ledger's latest checkpoint is not signed by this station's key (" +
                                   text.status().message() + ")");
  }
  auto cp = note::ParseCheckpoint(*text);
  if (!cp.ok()) return VerificationFailedError("the ledger's latest checkpoint is malformed: " + cp.status().message());
  if (cp->origin != verifier_.name) {
    return VerificationFailedError("the ledger's checkpoint is for log \"" + cp->origin + "\"");
  }
  if (cp->size > cr.size()) {
    return VerificationFailedError("the ledger was truncated: its signed checkpoint covers " +
                                   std::to_string(cp->size) + " entries but only " + std::to_string(cr.size()) +
                                   " are present (entries " + std::to_string(cr.size()) + " to " +
                                   std::to_string(cp->size - 1) + " are gone)");
  }
  if (cp->size < cr.size()) {
    return VerificationFailedError("entries " + std::to_string(cp->size) + " to " + std::to_string(cr.size() - 1) +
                                   " are not covered by any signed checkpoint: they were inserted");
  }
  if (cp->root_hash != cr.Root()) return Diagnose();
  if (kept) {
    if (kept->size > cr.size()) {
      return VerificationFailedError("the ledger was truncated: the checkpoint you kept covers " +
                                     std::to_string(kept->size) + " entries but the ledger has only " +
                                     std::to_string(cr.size()));
    }
    if (*root_at_kept != kept->root_hash) {
      return VerificationFailedError(
          "the ledger has forked: at size " + std::to_string(kept->size) +
          " its root differs from the checkpoint you kept (history was rewritten or a backup was restored and "
          "continued)");
    }
  }
  LedgerVerifyReport report;
  report.entries = cr.size();
  report.root_hash_hex = encoding::HexEncode(cr.Root());
  report.checkpoint = latest;
  return report;
}

}  // namespace

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path, bool create,
                                             std::optional<LedgerSigner> signer, std::string verifier_key,
                                             Env* env) {
  CUSTODY_ASSIGN_OR_RETURN(note::Verifier verifier, note::ParseVerifierKey(verifier_key));
  if (!create && !env->FileExists(path)) return NotFoundError("no ledger at " + path);
  CUSTODY_ASSIGN_OR_RETURN(auto db, sqlite::Db::Open(path, create, /*read_only=*/false));
  // WAL lets readers (verify, show) run while one writer appends; FULL makes
  // every committed append survive power loss.
  CUSTODY_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  CUSTODY_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  CUSTODY_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  if (create) {
    CUSTODY_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
    Status s = db->Exec(kSchema);
    if (s.ok()) {
      s = db->Exec((std::string("INSERT OR IGNORE INTO meta(key, value) VALUES('format', '") + kFormat + "')").c_str());
    }
    if (s.ok()) {
      auto st = db->Prepare("INSERT OR IGNORE INTO meta(key, value) VALUES('origin', ?)");
      s = st.ok() ? (*st)->BindText(1, verifier.name).Run() : st.status();
    }
    if (!s.ok()) {
      db->Exec("ROLLBACK").IgnoreError();
      return s;
    }
    CUSTODY_RETURN_IF_ERROR(db->Exec("COMMIT"));
  }
  {
    auto q = db->Prepare("SELECT value FROM meta WHERE key='format'");
    if (!q.ok()) return CorruptionError(path + " is not a custody ledger");
    auto row = (*q)->Step();
    if (!row.ok() || !*row || (*q)->Blob(0) != kFormat) {
      return CorruptionError(path + " is not a custody ledger (format " + kFormat + ")");
    }
  }
  if (signer && signer->origin != verifier.name) {
    return InvalidArgumentError("signer origin does not match the verifier key name");
  }
  auto ledger = std::make_unique<SqliteLedger>(std::move(db), std::move(signer), std::move(verifier), env);
  CUSTODY_RETURN_IF_ERROR(ledger->Prepare());
  return std::unique_ptr<Ledger>(std::move(ledger));
}

namespace ledger_internal {
Status AttachSigner(Ledger* ledger, LedgerSigner signer) {
  auto* sqlite_ledger = dynamic_cast<SqliteLedger*>(ledger);
  if (sqlite_ledger == nullptr) return InvalidArgumentError("not a ledger opened by Ledger::Open");
  return sqlite_ledger->AttachSigner(std::move(signer));
}
}  // namespace ledger_internal

}  // namespace custody
