// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real binary: photos given to `custody disposal record --photo` appear
// as thumbnails on the certificate PDF (pdfimages -list counts them), only
// while the kept file still matches the digest the ledger record carries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class CertPhotoCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    ASSERT_EQ(Run({"init", "--organization", "株式会社サンプル情報サービス", "--name", "office-1",
                   "--operator", "山田太郎", "--default-operator", "山田太郎"})
                  .exit_code,
              0);
    ASSERT_EQ(
        Run({"profile", "set", "company=株式会社サンプル情報サービス", "responsible=山田 太郎"})
            .exit_code,
        0);
    ASSERT_EQ(Run({"profile", "set", "--client", "niigata", "municipality=新潟市",
                   "classification=3", "place=contractor-facility"})
                  .exit_code,
              0);
    // Photos: a page of a real PDF rasterized by poppler, as PNG and as JPEG.
    for (const char* fmt : {"-png", "-jpeg"}) {
      auto r = RunCommand({"pdftoppm", fmt, "-r", "60", "-singlefile",
                           TestDataPath("receipt/valid.pdf"), dir_.path() + "/shredded"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  int ImagesIn(const std::string& pdf) {
    auto r = RunCommand({"pdfimages", "-list", pdf});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    int n = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string page, num, type;
      f >> page >> num >> type;
      n += type == "image";
    }
    return n;
  }
  uint64_t Record(const std::string& serial) {
    auto r = Run({"--json",
                  "disposal",
                  "record",
                  "--media",
                  "hdd",
                  "--serial",
                  serial,
                  "--method",
                  "physical-destruction",
                  "--details",
                  "破砕 (shredder, 10 mm)",
                  "--started",
                  "2026-11-23T01:00:00Z",
                  "--finished",
                  "2026-11-23T01:20:00Z",
                  "--verification",
                  "目視確認",
                  "--photo",
                  dir_.path() + "/shredded.png",
                  "--photo",
                  dir_.path() + "/shredded.jpg"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["seq"].get<uint64_t>();
  }
  TempDir dir_;
  std::string home_;
};

TEST_F(CertPhotoCliTest, RecordedPhotosArePrintedAsThumbnails) {
  uint64_t seq = Record("WX41A0000001");
  const std::string pdf = dir_.path() + "/cert.pdf";
  auto issue = Run({"cert", "issue", "--disposal", std::to_string(seq), "--client", "niigata",
                    "--no-witness", "-o", pdf});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  EXPECT_EQ(ImagesIn(pdf), 2);
  auto text = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
  EXPECT_THAT(text.out, HasSubstr("作業写真"));
  EXPECT_THAT(text.out, HasSubstr("shredded.jpg"));
  // Photos are documentation, not a precondition: the certificate verifies.
  EXPECT_EQ(Run({"cert", "verify", pdf}).exit_code, 0);

  // A kept photo file that no longer matches its digest is not printed.
  uint64_t seq2 = Record("WX41A0000002");
  for (const auto& f : std::filesystem::directory_iterator(home_ + "/photos"))
    if (f.path().extension() == ".jpg") WriteFileOrDie(f.path().string(), "replaced");
  const std::string pdf2 = dir_.path() + "/cert2.pdf";
  auto issue2 = Run({"cert", "issue", "--disposal", std::to_string(seq2), "--client", "niigata",
                     "--no-witness", "-o", pdf2});
  ASSERT_EQ(issue2.exit_code, 0) << issue2.err;
  EXPECT_EQ(ImagesIn(pdf2), 1);
}

}  // namespace
}  // namespace custody
