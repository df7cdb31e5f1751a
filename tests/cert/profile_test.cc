// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/profile.h"

#include <gtest/gtest.h>

#include "support/fake_env.h"

namespace custody {
namespace {

TEST(ProfileTest, MissingFileIsEmptyProfile) {
  testing::FakeEnv env;
  auto p = LoadProfile("/home", &env);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->station.empty() && p->clients.empty());
}

TEST(ProfileTest, SetSaveLoadRoundTrip) {
  testing::FakeEnv env;
  Profile p;
  auto c = ApplyProfileAssignments(p, "", {"company=株式会社サンプル", "responsible=山田 太郎"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->section, "station");
  EXPECT_EQ(
      c->ToJson(),
      R"({"section":"station","set":{"company":"株式会社サンプル","responsible":"山田 太郎"},"unset":[]})");
  ASSERT_TRUE(ApplyProfileAssignments(
                  p, "niigata", {"municipality=新潟市", "classification=3", "witness_name=鈴木"})
                  .ok());
  ASSERT_TRUE(SaveProfile("/home", p, &env).ok());
  EXPECT_EQ(env.ModeOf("/home/profile.json"), 0600u);
  auto back = LoadProfile("/home", &env);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->station, p.station);
  EXPECT_EQ(back->clients, p.clients);
  // key= removes.
  auto u = ApplyProfileAssignments(p, "", {"responsible="});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->unset, std::vector<std::string>{"responsible"});
  EXPECT_EQ(p.station.count("responsible"), 0u);
}

TEST(ProfileTest, RefusesBadAssignmentsAtomically) {
  Profile p;
  Status s = ApplyProfileAssignments(p, "", {"company=X", "compnay=Y"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("known keys: company"), std::string::npos) << s.message();
  EXPECT_TRUE(p.station.empty()) << "nothing applied";
  EXPECT_FALSE(ApplyProfileAssignments(p, "niigata", {"classification=4"}).ok());
  EXPECT_FALSE(ApplyProfileAssignments(p, "niigata", {"place=somewhere"}).ok());
  EXPECT_FALSE(ApplyProfileAssignments(p, "Niigata City", {"municipality=x"}).ok());
  EXPECT_FALSE(ApplyProfileAssignments(p, "", {"novalue"}).ok());
  EXPECT_FALSE(ApplyProfileAssignments(p, "", {"municipality=x"}).ok()) << "client-only key";
}

TEST(ProfileTest, RefusesCorruptFile) {
  testing::FakeEnv env;
  for (const char* bad :
       {"{", R"({"format":"other"})", R"({"format":"custody-profile-v1","station":{"evil":"x"}})",
        R"({"format":"custody-profile-v1","station":{"company":1}})"}) {
    ASSERT_TRUE(env.WriteFileAtomically("/home/profile.json", bad, 0600).ok());
    EXPECT_EQ(LoadProfile("/home", &env).status().code(), StatusCode::kCorruption) << bad;
  }
}

TEST(ProfileTest, FillsContentClientBeforeStation) {
  Profile p;
  ASSERT_TRUE(ApplyProfileAssignments(p, "",
                                      {"company=株式会社サンプル", "responsible=山田 太郎",
                                       "place=contractor-facility", "place_detail=本社"})
                  .ok());
  ASSERT_TRUE(ApplyProfileAssignments(
                  p, "niigata",
                  {"municipality=新潟市", "department=情報政策課", "classification=2",
                   "place=government-premises", "place_detail=本館", "witness_name=鈴木 一郎"})
                  .ok());
  CertificateContent c;
  std::string issuer;
  ASSERT_TRUE(FillFromProfile(p, "niigata", &c, &issuer).ok());
  EXPECT_EQ(c.client_municipality, "新潟市");
  EXPECT_EQ(c.contractor, "株式会社サンプル");
  EXPECT_EQ(issuer, "株式会社サンプル");
  EXPECT_EQ(c.responsible, "山田 太郎");
  EXPECT_EQ(c.classification, 2);
  EXPECT_EQ(c.place, WorkPlace::kGovernmentPremises);
  EXPECT_EQ(c.place_detail, "本館");
  EXPECT_TRUE(c.witness_present);
  EXPECT_EQ(c.witness_name, "鈴木 一郎");

  CertificateContent station_only;
  ASSERT_TRUE(FillFromProfile(p, "", &station_only, nullptr).ok());
  EXPECT_EQ(station_only.place, WorkPlace::kContractorFacility);
  EXPECT_TRUE(station_only.client_municipality.empty());
  EXPECT_EQ(FillFromProfile(p, "osaka", &c, nullptr).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace custody
