// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary: vault create, seal, open (read back),
// crypto-erase vault, and the read failing afterwards; the ledger verifies
// and shows the erase. Escrow blocks the erase until recorded destroyed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

class VaultCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル情報", "--name", "office-1",
                  "--operator", "山田太郎", "--default-operator", "山田太郎"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    pass_ = dir_.path() + "/pass.txt";
    ASSERT_EQ(Run({"password", "generate", "-o", pass_}).exit_code, 0);
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  TempDir dir_;
  std::string home_, pass_;
};

TEST_F(VaultCliTest, SealReadBackEraseReadFails) {
  auto create = Run({"vault", "create", "contract-2026", "--passphrase-file", pass_});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_THAT(create.out, HasSubstr("vault contract-2026 created"));
  WriteFileOrDie(dir_.path() + "/住民票.csv", "id,name\n1,山田\n");
  WriteFileOrDie(dir_.path() + "/scan.bin", std::string(100000, '\x7f'));
  const std::string sealed = dir_.path() + "/backup.age";
  auto seal = Run({"--json", "vault", "seal", "contract-2026", dir_.path() + "/住民票.csv",
                   dir_.path() + "/scan.bin", "-o", sealed});
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  std::string digest = nlohmann::json::parse(seal.out)["digest"];
  EXPECT_EQ(digest.size(), 64u);
  auto sha = RunCommand({"sha256sum", sealed});
  EXPECT_EQ(sha.out.substr(0, 64), digest);

  auto open = Run({"vault", "open", "contract-2026", sealed, "-d", dir_.path() + "/restored",
                   "--passphrase-file", pass_});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(ReadFileOrDie(dir_.path() + "/restored/住民票.csv"), "id,name\n1,山田\n");
  EXPECT_EQ(ReadFileOrDie(dir_.path() + "/restored/scan.bin"), std::string(100000, '\x7f'));
  WriteFileOrDie(dir_.path() + "/wrong", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ\n");
  auto wrong = Run({"vault", "open", "contract-2026", sealed, "--list", "--passphrase-file",
                    dir_.path() + "/wrong"});
  EXPECT_EQ(wrong.exit_code, 9) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("wrong keystore passphrase"));

  EXPECT_EQ(Run({"crypto-erase", "vault", "contract-2026"}).exit_code,
            15);  // No terminal, no --yes.
  auto erase = Run({"crypto-erase", "vault", "contract-2026", "--yes"});
  ASSERT_EQ(erase.exit_code, 0) << erase.err;
  EXPECT_THAT(erase.out, HasSubstr("sha256 " + digest));

  auto after =
      Run({"vault", "open", "contract-2026", sealed, "--list", "--passphrase-file", pass_});
  EXPECT_EQ(after.exit_code, 3) << after.err;  // The key no longer exists.

  auto verify = Run({"log", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  auto show = Run({"--json", "log", "show", "--type", "crypto-erase"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto started = nlohmann::json::parse(show.out.substr(0, show.out.find('\n')));
  EXPECT_EQ(started["type"], "crypto-erase.vault.started");
  EXPECT_EQ(started["data"]["sealed"][0]["digest"], digest);
  EXPECT_THAT(show.out, HasSubstr("crypto-erase.vault.completed"));
}

TEST_F(VaultCliTest, ExportedKeyBlocksEraseUntilRecordedDestroyed) {
  ASSERT_EQ(Run({"vault", "create", "v", "--passphrase-file", pass_}).exit_code, 0);
  auto exp = Run({"vault", "export-key", "v", "-o", dir_.path() + "/escrow.key", "--reason",
                  "bank safe", "--passphrase-file", pass_});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  auto list = Run({"key", "list"});
  EXPECT_THAT(list.out, HasSubstr("exported copies exist"));
  auto refused = Run({"crypto-erase", "vault", "v", "--yes"});
  EXPECT_EQ(refused.exit_code, 14);
  EXPECT_THAT(refused.err, HasSubstr("record-copy-destroyed"));
  ASSERT_EQ(Run({"vault", "record-copy-destroyed", "v", "--copies", "1", "--how",
                 "shredded, witness 佐藤"})
                .exit_code,
            0);
  EXPECT_EQ(Run({"crypto-erase", "vault", "v", "--yes"}).exit_code, 0);
  EXPECT_EQ(Run({"key", "destroy", "v", "--yes"}).exit_code, 3);
}

}  // namespace
}  // namespace custody
