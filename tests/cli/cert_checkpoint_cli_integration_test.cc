// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody cert verify --checkpoint KEPT`: a checkpoint the client
// kept before the certificate (proof written at issue time, verified with no
// station), one kept after it (proof computed from the issuing station's
// ledger), a checkpoint of a forked copy of the ledger and one of another
// station (both fail, saying why).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class CertCheckpointCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    ASSERT_EQ(Run(home_, {"init", "--organization", "株式会社サンプル情報サービス", "--name",
                          "office-1", "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
    auto p = Run(
        home_, {"profile", "set", "company=株式会社サンプル情報サービス", "responsible=山田 太郎"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    p = Run(home_, {"profile", "set", "--client", "niigata", "municipality=新潟市",
                    "department=情報政策課", "contract=端末更新", "classification=2",
                    "place=government-premises", "witness_name=鈴木 一郎"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    vkey_ = Json::parse(Run(home_, {"--json", "status"}).out)["verifier_key"];
  }
  CommandResult Run(const std::string& home, std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home});
    return RunCustody(args);
  }
  uint64_t RecordDisposal(const std::string& home, const std::string& serial) {
    auto r = Run(home, {"--json", "disposal", "record", "--media", "hdd", "--serial", serial,
                        "--method", "physical-destruction", "--details", "破砕", "--started",
                        "2026-11-23T01:00:00Z", "--finished", "2026-11-23T01:20:00Z",
                        "--verification", "目視確認", "--witness", "鈴木 一郎"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["seq"].get<uint64_t>();
  }
  std::string KeepCheckpoint(const std::string& home, const std::string& name) {
    auto r = Run(home, {"log", "checkpoint"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string path = dir_.path() + "/" + name;
    WriteFileOrDie(path, r.out);
    return path;
  }
  // Verify as the municipality does: no station of its own.
  CommandResult VerifyOffline(const std::string& pdf, const std::string& kept) {
    return Run(dir_.path() + "/no-station",
               {"cert", "verify", pdf, "--key", vkey_, "--checkpoint", kept});
  }
  TempDir dir_;
  std::string home_, vkey_;
};

TEST_F(CertCheckpointCliTest, EarlierAndLaterKeptCheckpointsAreConsistent) {
  uint64_t d1 = RecordDisposal(home_, "WX41A0000001");
  const std::string early = KeepCheckpoint(home_, "early.txt");  // e.g. at the 預かり証
  RecordDisposal(home_, "WX41A0000002");
  const std::string pdf = dir_.path() + "/cert.pdf";
  auto issue = Run(home_, {"cert", "issue", "--disposal", std::to_string(d1), "--client", "niigata",
                           "--checkpoint", early, "-o", pdf});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_THAT(issue.out, HasSubstr("1 consistency proof(s)"));
  size_t proofs = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path() + "/cert.evidence"))
    proofs += f.path().extension() == ".proof";
  EXPECT_EQ(proofs, 1u);

  // Earlier checkpoint, offline: the proof from the evidence directory.
  auto early_ok = VerifyOffline(pdf, early);
  EXPECT_EQ(early_ok.exit_code, 0) << early_ok.err;
  EXPECT_THAT(early_ok.out, HasSubstr("OK  kept checkpoint: consistent with the checkpoint"));
  // The same certificate's own checkpoint size: no proof needed.
  // A later checkpoint: offline there is no proof; on the station there is.
  RecordDisposal(home_, "WX41A0000003");
  const std::string later = KeepCheckpoint(home_, "later.txt");
  auto offline = VerifyOffline(pdf, later);
  EXPECT_EQ(offline.exit_code, 8);
  EXPECT_THAT(offline.err, HasSubstr("'kept checkpoint' FAILED: no consistency proof links"));
  auto on_station = Run(home_, {"cert", "verify", pdf, "--key", vkey_, "--checkpoint", later});
  EXPECT_EQ(on_station.exit_code, 0) << on_station.err;
  EXPECT_THAT(on_station.out, HasSubstr("proof computed from the station's ledger"));
  // Without the proof file the earlier checkpoint also needs the station.
  std::filesystem::remove_all(dir_.path() + "/cert.evidence");
  EXPECT_EQ(VerifyOffline(pdf, early).exit_code, 8);
  EXPECT_EQ(Run(home_, {"cert", "verify", pdf, "--key", vkey_, "--checkpoint", early}).exit_code,
            0);
}

TEST_F(CertCheckpointCliTest, ForkedLedgerAndOtherStationFail) {
  uint64_t d1 = RecordDisposal(home_, "WX41A0000001");
  const std::string pdf = dir_.path() + "/cert.pdf";
  ASSERT_EQ(Run(home_, {"cert", "issue", "--disposal", std::to_string(d1), "--client", "niigata",
                        "-o", pdf})
                .exit_code,
            0);
  // A copy of the station (a backup restored elsewhere) goes on with other
  // entries: same key, same origin, a different history from here on.
  const std::string fork = dir_.path() + "/fork";
  std::filesystem::copy(home_, fork, std::filesystem::copy_options::recursive);
  RecordDisposal(home_, "WX41A0000002");
  RecordDisposal(fork, "FORK00000002");
  const std::string forked = KeepCheckpoint(fork, "forked.txt");
  auto r = Run(home_, {"cert", "verify", pdf, "--key", vkey_, "--checkpoint", forked});
  EXPECT_EQ(r.exit_code, 8) << r.out;
  EXPECT_THAT(r.err, HasSubstr("'kept checkpoint' FAILED"));
  EXPECT_THAT(r.err, HasSubstr("are not of one history"));
  // Issuing against it is refused before anything is recorded.
  auto size_before = Run(home_, {"--json", "status"}).out;
  auto refused = Run(home_, {"cert", "issue", "--disposal", std::to_string(d1), "--client",
                             "niigata", "--checkpoint", forked, "-o", dir_.path() + "/x.pdf"});
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("nothing was recorded"));
  EXPECT_EQ(Run(home_, {"--json", "status"}).out, size_before);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x.pdf"));

  // Another station's checkpoint.
  const std::string other = dir_.path() + "/other";
  ASSERT_EQ(Run(other, {"init", "--organization", "x", "--name", "office-1", "--operator", "z"})
                .exit_code,
            0);
  auto foreign = VerifyOffline(pdf, KeepCheckpoint(other, "other.txt"));
  EXPECT_EQ(foreign.exit_code, 8);
  EXPECT_THAT(foreign.err, HasSubstr("not signed by the station that issued the certificate"));
}

}  // namespace
}  // namespace custody
