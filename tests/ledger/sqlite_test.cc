// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/sqlite.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/temp_dir.h"

namespace custody::sqlite {
namespace {

class ReadTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.path() + "/t.db", /*create=*/true, /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("PRAGMA journal_mode=WAL").ok());
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(v INTEGER)").ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES(1)").ok());
  }
  int64_t Count(Db* db) {
    auto q = db->Prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE((*q)->Step().value());
    return (*q)->Int(0);
  }
  bool InTransaction(Db* db) { return sqlite3_get_autocommit(db->raw()) == 0; }

  TempDir dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(ReadTransactionTest, HoldsOneSnapshotForItsScope) {
  auto writer = Db::Open(dir_.path() + "/t.db", false, false);
  ASSERT_TRUE(writer.ok());
  {
    ReadTransaction read(db_.get());
    ASSERT_TRUE(read.status().ok());
    EXPECT_TRUE(InTransaction(db_.get()));
    EXPECT_EQ(Count(db_.get()), 1);
    // Another connection's append is not seen inside the snapshot...
    ASSERT_TRUE((*writer)->Exec("INSERT INTO t VALUES(2)").ok());
    EXPECT_EQ(Count(db_.get()), 1);
  }
  // ...and is once the scope ends.
  EXPECT_FALSE(InTransaction(db_.get()));
  EXPECT_EQ(Count(db_.get()), 2);
}

TEST_F(ReadTransactionTest, InsideAnOpenTransactionItNeitherBeginsNorEndsIt) {
  ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES(3)").ok());
  {
    ReadTransaction read(db_.get());
    EXPECT_TRUE(read.status().ok());
    EXPECT_EQ(Count(db_.get()), 2);
  }
  // The caller's transaction is still open with its write.
  EXPECT_TRUE(InTransaction(db_.get()));
  ASSERT_TRUE(db_->Exec("COMMIT").ok());
  EXPECT_EQ(Count(db_.get()), 2);
}

}  // namespace
}  // namespace custody::sqlite
