// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/csv.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace custody::report {
namespace {

TEST(CsvTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvRecord({"a", "新潟市", ""}), "a,新潟市,\r\n");
  EXPECT_EQ(CsvRecord({"a,b", "say \"hi\"", "two\nlines"}),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
  EXPECT_EQ(CsvRecord({" lead"}), "\" lead\"\r\n");
}

TEST(CsvTest, NeutralizesFormulas) {
  EXPECT_EQ(CsvRecord({"=HYPERLINK(\"x\")", "-1", "@a", "+b"}),
            "\"'=HYPERLINK(\"\"x\"\")\",\"'-1\",\"'@a\",\"'+b\"\r\n");
}

TEST(CsvTest, StartsWithBomAndParsesWithPythonCsv) {
  std::string csv =
      Csv({"証明書番号", "備考"}, {{"s-000001", "破砕, 溶解"}, {"s-000002", "改行\nあり"}});
  ASSERT_EQ(csv.rfind(kUtf8Bom, 0), 0u);
  TempDir dir;
  WriteFileOrDie(dir.path() + "/r.csv", csv);
  // An independent reader: Python's csv module with the BOM-aware codec.
  CommandResult r =
      RunCommand({"python3", "-c",
                  "import csv,sys,json; rows=list(csv.reader(open(sys.argv[1],encoding='utf-8-sig',"
                  "newline=''))); print(json.dumps(rows,ensure_ascii=False))",
                  dir.path() + "/r.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "[[\"証明書番号\", \"備考\"], [\"s-000001\", \"破砕, 溶解\"], [\"s-000002\", "
            "\"改行\\nあり\"]]\n");
}

}  // namespace
}  // namespace custody::report
