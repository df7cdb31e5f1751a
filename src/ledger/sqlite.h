// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A minimal RAII adapter over the SQLite C API, turning result codes into
// Status. Used only by the ledger store.
#ifndef CUSTODY_SRC_LEDGER_SQLITE_H_
#define CUSTODY_SRC_LEDGER_SQLITE_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "custody/status.h"

namespace custody::sqlite {

class Db;

class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& BindText(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // True when a row is available, false when done.
  Result<bool> Step();
  Status Run();  // Step to completion, expecting no rows.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string Blob(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  // The column's bytes without a copy: valid until the next Step or Reset.
  std::string_view BlobView(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n))
             : std::string_view();
  }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  Db* db_;
  sqlite3_stmt* s_;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool create, bool read_only);
  ~Db();
  Status Exec(const char* sql);
  Result<std::unique_ptr<Stmt>> Prepare(std::string_view sql);
  Status Error(int rc, std::string_view what) const;
  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }

 private:
  Db() = default;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A read transaction for the scope (BEGIN ... ROLLBACK), so several
// statements share one snapshot and one lock. Why it matters beyond the
// snapshot: outside a transaction every statement takes and drops the
// database's POSIX locks and re-checks the WAL files, about four system calls
// per statement; a proof reads ~20 nodes, and those calls were most of its
// time. Nests: inside a transaction the caller already holds, it does
// nothing.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db* db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  // Whether BEGIN succeeded (or was not needed). If not, statements still
  // run, each in its own implicit transaction.
  [[nodiscard]] const Status& status() const { return status_; }

 private:
  Db* db_;
  bool began_ = false;
  Status status_ = Status::Ok();
};

}  // namespace custody::sqlite

#endif  // CUSTODY_SRC_LEDGER_SQLITE_H_
