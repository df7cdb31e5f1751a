// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The interface language: Japanese from the locale or --lang ja (even where
// the ja_JP locale is not generated), English otherwise or with --lang en;
// and the catalog translates every string the command marks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kJapaneseEnv = {"LANG=ja_JP.UTF-8",
                                               "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="};
const std::vector<std::string> kEnglishEnv = {"LANG=C.UTF-8",
                                              "LC_ALL=", "LC_MESSAGES=", "LANGUAGE="};

TEST(I18nTest, HelpFollowsTheLocaleAndLangOverridesIt) {
  auto ja = RunCustody({"--help"}, "", kJapaneseEnv);
  EXPECT_EQ(ja.exit_code, 0);
  EXPECT_THAT(ja.out, HasSubstr("ステーション（ディレクトリ・署名鍵・台帳）を作成する"));
  EXPECT_THAT(ja.out, HasSubstr("オプション"));

  auto en = RunCustody({"--help"}, "", kEnglishEnv);
  EXPECT_THAT(en.out, HasSubstr("Create a station (directory, signing key, ledger)"));
  EXPECT_THAT(en.out, Not(HasSubstr("ステーション（")));

  auto forced_en = RunCustody({"--lang", "en", "log", "--help"}, "", kJapaneseEnv);
  EXPECT_THAT(forced_en.out, HasSubstr("Recompute and check the whole ledger"));
  auto forced_ja = RunCustody({"log", "verify", "--help", "--lang=ja"}, "", kEnglishEnv);
  EXPECT_THAT(forced_ja.out, HasSubstr("台帳全体を再計算して検証する"));
  EXPECT_THAT(forced_ja.out, HasSubstr("以前に保管した署名付きチェックポイント"));

  auto bad = RunCustody({"--lang", "fr", "status"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(I18nTest, OutputAndErrorsInJapanese) {
  TempDir dir;
  const std::string home = dir.path() + "/station";
  auto init = RunCustody({"--home", home, "init", "--organization", "株式会社サンプル", "--name",
                          "desk-1", "--operator", "山田太郎"},
                         "", kJapaneseEnv);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_THAT(init.out, HasSubstr("検証鍵は別の経路で自治体に渡してください"));
  auto status = RunCustody({"--home", home, "status"}, "", kJapaneseEnv);
  EXPECT_THAT(status.out, HasSubstr("台帳の記録数: 1"));
  auto missing = RunCustody({"--home", dir.path() + "/none", "status"}, "", kJapaneseEnv);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("custody: エラー: "));
}

// Every string marked with _() in src/cli has a Japanese translation: the
// marked strings are extracted afresh with xgettext and compared with
// po/ja.po by msgcmp, which fails on any msgid the catalog lacks.
TEST(I18nTest, CatalogCoversEveryMarkedString) {
  if (RunCommand({"sh", "-c", "command -v xgettext && command -v msgcmp"}).exit_code != 0) {
    GTEST_SKIP() << "gettext tools missing (scripts/setup.sh installs gettext)";
  }
  TempDir dir;
  const std::string src = CUSTODY_SOURCE_DIR;
  auto extract = RunCommand({"sh", "-c",
                             "xgettext --from-code=UTF-8 --language=C++ --keyword=_ --output='" +
                                 dir.path() + "/fresh.pot' '" + src + "'/src/cli/*.cc"});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  auto compare = RunCommand({"msgcmp", src + "/po/ja.po", dir.path() + "/fresh.pot"});
  EXPECT_EQ(compare.exit_code, 0) << compare.err;
  auto check =
      RunCommand({"msgfmt", "--check", "--statistics", "-o", "/dev/null", src + "/po/ja.po"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.err, Not(HasSubstr("untranslated")));
  EXPECT_THAT(check.err, Not(HasSubstr("fuzzy")));
}

}  // namespace
}  // namespace custody
