// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The ledger store: SQLite in WAL mode with synchronous=FULL. Schema and
// invariants are specified in docs/formats/ledger.md.
#include "custody/ledger.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <map>
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
  SqliteLedger(std::string path, std::unique_ptr<sqlite::Db> db, std::optional<LedgerSigner> signer,
               note::Verifier verifier, Env* env)
      : path_(std::move(path)),
        db_(std::move(db)),
        signer_(std::move(signer)),
        verifier_(std::move(verifier)),
        env_(env) {}

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
    if (!get_entry_) {
      CUSTODY_ASSIGN_OR_RETURN(get_entry_, db_->Prepare("SELECT entry FROM entries WHERE seq=?"));
    }
    get_entry_->Reset();
    get_entry_->Bind(1, static_cast<int64_t>(seq));
    auto row = get_entry_->Step();
    if (!row.ok()) {
      get_entry_->Reset();
      return row.status();
    }
    if (!*row) {
      get_entry_->Reset();
      return NotFoundError("no ledger entry " + std::to_string(seq));
    }
    auto e = ledger::ParseEntry(get_entry_->Blob(0));
    get_entry_->Reset();  // Ends the read, so the handle holds no snapshot.
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
    if (!latest_cp_) {
      CUSTODY_ASSIGN_OR_RETURN(latest_cp_, db_->Prepare("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1"));
    }
    latest_cp_->Reset();
    auto row = latest_cp_->Step();
    std::string note;
    if (row.ok() && *row) note = latest_cp_->Blob(0);
    latest_cp_->Reset();
    if (!row.ok()) return row.status();
    if (!*row) return NotFoundError("the ledger has no checkpoint yet");
    return note;
  }

  Result<std::string> ProveInclusion(uint64_t seq) override {
    LedgerEntry entry;
    return ProveInclusion(seq, &entry);
  }

  // Also hands back the entry it proved (read anyway to check the proof).
  Result<std::string> ProveInclusion(uint64_t seq, LedgerEntry* entry_out) {
    // The checkpoint, the nodes and the entry from one snapshot.
    sqlite::ReadTransaction read(db_.get());
    CUSTODY_RETURN_IF_ERROR(read.status());
    CUSTODY_ASSIGN_OR_RETURN(std::string signed_cp, LatestCheckpoint());
    // Why the cache: checking the checkpoint's Ed25519 signature was a third
    // of a proof's time, and a station proving many entries (a certificate
    // with 100 rows) sees the same checkpoint each time. Only byte-identical
    // notes hit it, so a new or altered checkpoint is always checked again.
    if (signed_cp != verified_note_) {
      CUSTODY_ASSIGN_OR_RETURN(std::string text, note::Open(signed_cp, verifier_));
      CUSTODY_ASSIGN_OR_RETURN(note::Checkpoint parsed, note::ParseCheckpoint(text));
      verified_cp_ = std::move(parsed);
      verified_note_ = signed_cp;
    }
    const note::Checkpoint& cp = verified_cp_;
    if (seq >= cp.size) {
      return NotFoundError("entry " + std::to_string(seq) + " is not in the ledger (it has " +
                           std::to_string(cp.size) + " entries)");
    }
    auto reader = [this](const std::vector<merkle::NodeId>& ids) { return ReadNodes(ids); };
    CUSTODY_ASSIGN_OR_RETURN(std::vector<merkle::Hash> path, merkle::InclusionProof(seq, cp.size, reader));
    // Check the proof before handing it out: the node table is a cache that
    // Verify does not trust, so a damaged node must not yield a bad proof.
    CUSTODY_ASSIGN_OR_RETURN(*entry_out, Get(seq));
    Status s = merkle::VerifyInclusion(seq, cp.size, merkle::HashLeaf(entry_out->canonical), path, cp.root_hash);
    if (!s.ok()) {
      return CorruptionError("cannot prove entry " + std::to_string(seq) +
                             ": the ledger's tree does not match its checkpoint; run `custody log verify`");
    }
    note::TlogProof proof;
    proof.index = seq;
    proof.path = std::move(path);
    proof.signed_checkpoint = std::move(signed_cp);
    return note::FormatTlogProof(proof);
  }

  Result<std::string> EvidenceBundle(uint64_t seq) override {
    LedgerEntry entry;
    CUSTODY_ASSIGN_OR_RETURN(std::string proof, ProveInclusion(seq, &entry));
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

  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::optional<LedgerSigner> signer_;
  note::Verifier verifier_;
  Env* env_;
  std::unique_ptr<sqlite::Stmt> get_node_;
  // Prepared once per handle (compiling them was a large part of a proof).
  std::unique_ptr<sqlite::Stmt> get_entry_, latest_cp_;
  // The last checkpoint whose signature checked out, and what it says.
  std::string verified_note_;
  note::Checkpoint verified_cp_;
};

Result<uint64_t> SqliteLedger::LocateFirstAlteredEntry() {
  CUSTODY_ASSIGN_OR_RETURN(auto entries, db_->Prepare("SELECT entry FROM entries ORDER BY seq"));
  CUSTODY_ASSIGN_OR_RETURN(auto cps, db_->Prepare("SELECT size, note FROM checkpoints ORDER BY size"));
  merkle::CompactRange cr;
  CUSTODY_ASSIGN_OR_RETURN(bool cp_row, cps->Step());
  for (;;) {
    CUSTODY_ASSIGN_OR_RETURN(bool row, entries->Step());
    if (!row) break;
    cr.AppendLeafData(entries->Blob(0));
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

// The Merkle tree of entries [begin, end) (end: to the last row), built as a
// tree of its own: leaf `begin` is its leaf 0. `kept` (relative to begin)
// asks for the root at that size too. Checks each row's seq as it goes;
// `intact` is false when a row is out of place or names another seq, and the
// caller then diagnoses.
struct RangeTree {
  Status status = Status::Ok();
  bool intact = true;
  merkle::CompactRange cr;
  std::optional<merkle::Hash> root_at_kept;
};

RangeTree HashRange(sqlite::Db& db, uint64_t begin, std::optional<uint64_t> end, std::optional<uint64_t> kept) {
  RangeTree out;
  if (kept && *kept == 0) out.root_at_kept = merkle::EmptyRoot();
  auto q = db.Prepare(end ? "SELECT seq, entry FROM entries WHERE seq>=? AND seq<? ORDER BY seq"
                          : "SELECT seq, entry FROM entries WHERE seq>=? ORDER BY seq");
  if (!q.ok()) {
    out.status = q.status();
    return out;
  }
  (*q)->Bind(1, static_cast<int64_t>(begin));
  if (end) (*q)->Bind(2, static_cast<int64_t>(*end));
  for (uint64_t expected = begin;; ++expected) {
    auto row = (*q)->Step();
    if (!row.ok()) {
      out.status = row.status();
      return out;
    }
    if (!*row) {
      if (end && expected != *end) out.intact = false;  // Rows missing at the end of the range.
      return out;
    }
    uint64_t seq = static_cast<uint64_t>((*q)->Int(0));
    std::string_view bytes = (*q)->BlobView(1);
    // The top-level "seq" member is the last one: it follows data and
    // operator, and a quote inside a JSON string is always escaped.
    if (seq != expected || !EntryNamesSeq(bytes, seq)) {
      out.intact = false;
      return out;
    }
    out.cr.AppendLeafData(bytes);
    if (kept && out.cr.size() == *kept) out.root_at_kept = out.cr.Root();
  }
}

// The largest power of two smaller than n (n >= 2): RFC 9162's split point,
// MTH(D[0:n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
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
  //
  // Why two connections: reading the rows out of SQLite is as slow as
  // hashing them, and one thread doing both ran at 4.7x the time of the
  // hashing alone. The tree splits where RFC 9162 splits it (k, the largest
  // power of two below the size): a second connection reads and hashes
  // [0, k) while this one does [k, n), and the root is HASH(0x01 || left ||
  // right). Entries below k never change in an append-only ledger, so the
  // second connection may read them in its own snapshot; [k, n), the size
  // and the latest checkpoint are read in one read transaction here, so an
  // append by another process during the verification cannot be mistaken
  // for an inserted or truncated entry.
  sqlite::ReadTransaction read(db_.get());
  CUSTODY_RETURN_IF_ERROR(read.status());
  // A one-pass scan gains nothing from SQLite's 2 MB page cache, and filling
  // it cost ~1,000 page faults per connection (at ~25 us each on a
  // virtualized host). 64 pages hold the B-tree's interior path.
  db_->Exec("PRAGMA cache_size=64").IgnoreError();
  struct RestoreCache {
    sqlite::Db* db;
    ~RestoreCache() { db->Exec("PRAGMA cache_size=-2000").IgnoreError(); }
  } restore_cache{db_.get()};
  CUSTODY_ASSIGN_OR_RETURN(uint64_t n, SizeLocked());
  const uint64_t k = n >= 2 ? SplitPoint(n) : 0;
  // Which half the kept checkpoint's size falls in.
  std::optional<uint64_t> left_kept, right_kept;
  if (kept) {
    if (k > 0 && kept->size <= k) {
      left_kept = kept->size;
    } else {
      right_kept = kept->size - k;
    }
  }
  RangeTree left;
  std::thread left_thread;
  if (k > 0) {
    auto second = sqlite::Db::Open(path_, /*create=*/false, /*read_only=*/true);
    if (!second.ok()) return second.status();
    (*second)->Exec("PRAGMA cache_size=64").IgnoreError();
    left_thread = std::thread([&left, db = std::move(*second), k, left_kept]() mutable {
      left = HashRange(*db, 0, k, left_kept);
    });
  }
  RangeTree right = HashRange(*db_, k, std::nullopt, right_kept);
  if (left_thread.joinable()) left_thread.join();
  CUSTODY_RETURN_IF_ERROR(left.status);
  CUSTODY_RETURN_IF_ERROR(right.status);
  if (!left.intact || !right.intact) return Diagnose();
  const uint64_t size = k + right.cr.size();
  const merkle::Hash root = k == 0                  ? right.cr.Root()
                            : right.cr.size() == 0 ? left.cr.Root()
                                                   : merkle::HashChildren(left.cr.Root(), right.cr.Root());
  std::optional<merkle::Hash> root_at_kept;
  if (left_kept) {
    root_at_kept = left.root_at_kept;
  } else if (right_kept && right.root_at_kept) {
    root_at_kept = k == 0 ? *right.root_at_kept : merkle::HashChildren(left.cr.Root(), *right.root_at_kept);
  }

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
  if (cp->size > size) {
    return VerificationFailedError("the ledger was truncated: its signed checkpoint covers " +
                                   std::to_string(cp->size) + " entries but only " + std::to_string(size) +
                                   " are present (entries " + std::to_string(size) + " to " +
                                   std::to_string(cp->size - 1) + " are gone)");
  }
  if (cp->size < size) {
    return VerificationFailedError("entries " + std::to_string(cp->size) + " to " + std::to_string(size - 1) +
                                   " are not covered by any signed checkpoint: they were inserted");
  }
  if (cp->root_hash != root) return Diagnose();
  if (kept) {
    if (kept->size > size) {
      return VerificationFailedError("the ledger was truncated: the checkpoint you kept covers " +
                                     std::to_string(kept->size) + " entries but the ledger has only " +
                                     std::to_string(size));
    }
    if (!root_at_kept || *root_at_kept != kept->root_hash) {
      return VerificationFailedError(
          "the ledger has forked: at size " + std::to_string(kept->size) +
          " its root differs from the checkpoint you kept (history was rewritten or a backup was restored and "
          "continued)");
    }
  }
  LedgerVerifyReport report;
  report.entries = size;
  report.root_hash_hex = encoding::HexEncode(root);
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
  auto ledger = std::make_unique<SqliteLedger>(path, std::move(db), std::move(signer), std::move(verifier), env);
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
