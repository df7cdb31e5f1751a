// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/sqlite.h"

namespace custody::sqlite {

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "step");
}

Status Stmt::Run() {
  CUSTODY_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Status::Ok();
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create, bool read_only) {
  std::unique_ptr<Db> db(new Db);
  db->path_ = path;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_CANTOPEN) return NotFoundError("cannot open ledger " + path);
    return db->Error(rc, "open");
  }
  sqlite3_extended_result_codes(db->db_, 1);
  // Concurrent appenders wait for the write lock rather than fail.
  sqlite3_busy_timeout(db->db_, 120000);
  return db;
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Status Db::Error(int rc, std::string_view what) const {
  std::string msg = "ledger " + path_ + ": " + std::string(what) + ": " +
                    (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return BusyError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CorruptionError(msg);
    case SQLITE_CONSTRAINT:
      return FailedPreconditionError(msg);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError(msg);
    case SQLITE_CANTOPEN:
      return NotFoundError(msg);
    default:
      return IoError(msg);
  }
}

Status Db::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, "exec");
  return Status::Ok();
}

ReadTransaction::ReadTransaction(Db* db) : db_(db) {
  if (sqlite3_get_autocommit(db->raw()) == 0) return;  // Already inside one.
  status_ = db->Exec("BEGIN");
  began_ = status_.ok();
}

ReadTransaction::~ReadTransaction() {
  if (began_) db_->Exec("ROLLBACK").IgnoreError();
}

Result<std::unique_ptr<Stmt>> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  return std::make_unique<Stmt>(this, s);
}

}  // namespace custody::sqlite
