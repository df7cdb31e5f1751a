// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#ifndef CUSTODY_TESTS_LEDGER_LEDGER_TEST_UTIL_H_
#define CUSTODY_TESTS_LEDGER_LEDGER_TEST_UTIL_H_

#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "crypto/ed25519.h"
#include "custody/env.h"
#include "custody/ledger.h"
#include "ledger/note.h"

namespace custody::testing {

struct TestKey {
  std::string origin;
  crypto::Ed25519KeyPair kp;
  std::string vkey;
  LedgerSigner signer() const { return LedgerSigner{origin, kp.seed.Clone()}; }
};

inline TestKey MakeTestKey(const std::string& origin = "test.example/ledger") {
  auto kp = crypto::Ed25519Generate();
  if (!kp.ok()) throw std::runtime_error("keygen failed");
  TestKey k{origin, std::move(*kp), ""};
  k.vkey = note::FormatVerifierKey(origin, k.kp.public_key);
  return k;
}

// Raw SQL on a ledger file, as an attacker with the file would do it: the
// append-only triggers are dropped first.
inline void TamperSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open");
  const std::string all =
      "DROP TRIGGER IF EXISTS entries_append_only_u; DROP TRIGGER IF EXISTS entries_append_only_d;"
      "DROP TRIGGER IF EXISTS nodes_append_only_u; DROP TRIGGER IF EXISTS nodes_append_only_d;"
      "DROP TRIGGER IF EXISTS checkpoints_append_only_u; DROP TRIGGER IF EXISTS checkpoints_append_only_d;" +
      sql;
  char* err = nullptr;
  int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("tamper SQL failed: " + msg);
}

// Runs SQL without dropping triggers; returns the SQLite error text or "".
inline std::string TrySql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* err = nullptr;
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  return msg;
}

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_LEDGER_LEDGER_TEST_UTIL_H_
