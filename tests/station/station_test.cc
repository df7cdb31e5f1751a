// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Station: a Ledger* taken before the first Record stays valid after it (the
// signer is attached in place, the ledger is not reopened).
#include "custody/station.h"

#include <gtest/gtest.h>

#include "custody/env.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

TEST(StationTest, LedgerPointerSurvivesTheFirstRecord) {
  TempDir dir;
  StationInitOptions init;
  init.home = dir.path() + "/station";
  init.organization = "株式会社サンプル";
  init.station_name = "desk-1";
  init.operator_name = "山田太郎";
  ASSERT_TRUE(Station::Init(init, Env::Default()).ok());

  auto station = Station::Open(init.home, nullptr, Env::Default());
  ASSERT_TRUE(station.ok()) << station.status().message();
  auto ledger = (*station)->ledger();  // Opened read-only: no key loaded yet.
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(*(*ledger)->Size(), 1u);

  auto entry = (*station)->Record("note.test", "山田太郎", "{}");
  ASSERT_TRUE(entry.ok()) << entry.status().message();
  EXPECT_EQ(entry->seq, 1u);
  auto again = (*station)->ledger();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *ledger);  // The same object, still usable.
  EXPECT_EQ(*(*ledger)->Size(), 2u);
  auto verified = (*ledger)->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->entries, 2u);
}

}  // namespace
}  // namespace custody
