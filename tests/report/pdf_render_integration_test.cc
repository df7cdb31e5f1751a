// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Renders real PDFs and reads them back with the tools an auditor would use:
// poppler (pdftotext, pdffonts, pdfinfo, pdftoppm) and zbar (zbarimg).
// Rendered pages are kept under <build>/tests/artefacts/report/ for a person
// to look at.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "custody/env.h"
#include "report/document.h"
#include "support/fake_env.h"
#include "support/temp_dir.h"

namespace custody::report {
namespace {

const char kPayload[] =
    "custody-cert:v1:CERT-2026-000123:"
    "sha256:3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";

std::string ArtefactDir() {
  std::string dir = std::filesystem::current_path().string() + "/artefacts/report";
  std::filesystem::create_directories(dir);
  return dir;
}

// Removes all whitespace: pdftotext breaks lines where the layout wrapped
// them and may space CJK text, neither of which is a rendering error.
std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

Document SampleDocument(Language lang) {
  Document d;
  d.language = lang;
  d.title = {"データ消去証明書", "Certificate of Data Sanitization"};
  d.subtitle = {"総行情第77号に基づく廃棄等証明", "Disposal certificate per MIC notice No. 77"};
  d.document_number = "No. CERT-2026-000123";
  d.header_right = {"発行日 2026年11月23日"};
  d.addressee = "新潟市 総務部 情報政策課 御中";
  d.issuer = {"株式会社サンプル情報サービス", "作業責任者 山田 太郎", "station: niigata-office-1"};
  d.blocks.push_back(Paragraph{
      "下記のとおり、記録媒体に記録された情報を復元困難な状態に消去したことを証明します。"});
  d.blocks.push_back(Paragraph{"記", Align::kCenter, 11});
  KeyValueSection kv;
  kv.heading = {"作業の概要", "Summary"};
  kv.fields = {
      {{"委託元", "Client"}, "新潟市 総務部 情報政策課 (契約: 令和8年度 端末更新業務)"},
      {{"作業事業者名", "Contractor"}, "株式会社サンプル情報サービス"},
      {{"作業責任者名", "Responsible person"}, "山田 太郎"},
      {{"作業者", "Operator"}, "佐藤 花子"},
      {{"立会者", "Witness"}, "鈴木 一郎 (情報政策課)"},
      {{"作業場所", "Place"}, "庁舎内 (新潟市役所 本館 3階 サーバ室)"},
      {{"処分方法", "Method"},
       "上書き消去 (Overwrite) — NIST SP 800-88 Clear, 1 pass zeros, full verify"},
      {{"作業日時", "Work period"}, "2026-11-22 09:00 〜 2026-11-22 17:30 (JST)"},
  };
  d.blocks.push_back(kv);
  Table t;
  t.heading = {"対象機器・媒体", "Devices and media"};
  t.columns = {{{"No.", "No."}, 0.5, Align::kRight},       {{"種別", "Type"}, 1.2},
               {{"メーカー・型番", "Maker / model"}, 2.2}, {{"シリアル番号", "Serial"}, 2},
               {{"容量", "Capacity"}, 1, Align::kRight},   {{"結果", "Result"}, 1, Align::kCenter}};
  t.rows = {{"1", "HDD (SATA)", "Seagate ST1000DM010", "Z9A1B2C3", "1.0 TB", "完了 OK"},
            {"2", "SSD (NVMe)", "Samsung MZ-V8V500", "S4EWNX0R123456", "500 GB", "完了 OK"}};
  d.blocks.push_back(t);
  d.blocks.push_back(
      WarningBox{{"警告", "Warning"},
                 {"No.2 はSSDのため、上書き消去では予備領域のデータが残る可能性があります。",
                  "Overwriting an SSD may leave data in spare blocks."}});
  d.blocks.push_back(SignatureBlock{
      {{{"作業責任者", "Responsible"}, "山田 太郎"}, {{"立会者", "Witness"}, "鈴木 一郎"}},
      kPayload,
      {"検証用QR (custody cert verify)", "Verification QR"}});
  d.footer_note = "本証明書は custody により電子署名されています / Signed by custody";
  d.created = "2026-11-23T04:05:06Z";
  d.author = "株式会社サンプル情報サービス";
  return d;
}

std::vector<std::string> AllValues(const Document& d) {
  std::vector<std::string> v = {d.document_number, d.addressee, d.footer_note};
  for (const auto& s : d.issuer) v.push_back(s);
  for (const Block& b : d.blocks) {
    if (auto* kv = std::get_if<KeyValueSection>(&b))
      for (const Field& f : kv->fields) v.push_back(f.value);
    if (auto* t = std::get_if<Table>(&b))
      for (const auto& row : t->rows)
        for (const auto& c : row) v.push_back(c);
    if (auto* w = std::get_if<WarningBox>(&b))
      for (const auto& l : w->lines) v.push_back(l);
    if (auto* s = std::get_if<SignatureBlock>(&b))
      for (const Seal& seal : s->seals) v.push_back(seal.name);
  }
  return v;
}

std::string PdfText(const std::string& pdf, int first = 0, int last = 0) {
  std::vector<std::string> argv = {"pdftotext", "-enc", "UTF-8"};
  if (first > 0) {
    argv.insert(argv.end(), {"-f", std::to_string(first), "-l", std::to_string(last)});
  }
  argv.insert(argv.end(), {pdf, "-"});
  CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "poppler complained about the PDF";
  return r.out;
}

int PageCount(const std::string& pdf) {
  CommandResult r = RunCommand({"pdfinfo", pdf});
  std::smatch m;
  static const std::regex re(R"(Pages:\s+(\d+))");
  if (r.exit_code != 0 || !std::regex_search(r.out, m, re)) return -1;
  return std::stoi(m[1]);
}

std::string RenderToFile(const Document& d, const std::string& path) {
  Status s = WritePdf(d, path, Env::Default());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return path;
}

class PdfRenderTest : public ::testing::TestWithParam<Language> {};

TEST_P(PdfRenderTest, TextHasEveryValueAndLabels) {
  TempDir dir;
  Document d = SampleDocument(GetParam());
  std::string pdf = RenderToFile(d, dir.path() + "/c.pdf");
  std::string text = Squash(PdfText(pdf));
  for (const std::string& v : AllValues(d)) EXPECT_NE(text.find(Squash(v)), std::string::npos) << v;
  const bool ja = GetParam() != Language::kEn, en = GetParam() != Language::kJa;
  EXPECT_EQ(text.find("作業責任者名") != std::string::npos, ja);
  EXPECT_EQ(text.find("Responsibleperson") != std::string::npos, en);
  const std::string n = std::to_string(PageCount(pdf));
  EXPECT_NE(text.find("1/" + n), std::string::npos) << "page number";
}

TEST_P(PdfRenderTest, AllFontsEmbedded) {
  TempDir dir;
  std::string pdf = RenderToFile(SampleDocument(GetParam()), dir.path() + "/c.pdf");
  CommandResult r = RunCommand({"pdffonts", pdf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int fonts = 0;
  bool mincho = false, gothic = false;
  while (std::getline(lines, line)) {
    if (line.rfind("name", 0) == 0 || line.rfind("----", 0) == 0) continue;
    ++fonts;
    // Columns: name type encoding emb sub uni object-id.
    EXPECT_NE(line.find(" yes yes yes "), std::string::npos)
        << "not embedded+subset+unicode: " << line;
    mincho |= line.find("IPAexMincho") != std::string::npos;
    gothic |= line.find("IPAexGothic") != std::string::npos;
  }
  EXPECT_GE(fonts, 2);
  EXPECT_TRUE(mincho && gothic) << r.out;
}

// The QR decodes from a rendering at 100 dpi, and at scanner-like resolutions
// below and above (module edges fall at other fractions of a pixel).
TEST_P(PdfRenderTest, QrOnRenderedPageDecodesToPayload) {
  TempDir dir;
  std::string pdf = RenderToFile(SampleDocument(GetParam()), dir.path() + "/c.pdf");
  const char* lang = GetParam() == Language::kJa   ? "ja"
                     : GetParam() == Language::kEn ? "en"
                                                   : "ja_en";
  CommandResult r = RunCommand({"pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1",
                                "-singlefile", pdf, ArtefactDir() + "/sample_" + lang});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int pages = PageCount(pdf);
  for (const char* dpi : {"72", "100", "150"}) {
    std::string base = dir.path() + "/p" + dpi;
    ASSERT_EQ(RunCommand({"pdftoppm", "-r", dpi, "-png", pdf, base}).exit_code, 0);
    std::string decoded;
    for (int page = 1; page <= pages; ++page) {
      r = RunCommand({"zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
                      base + "-" + std::to_string(page) + ".png"});
      if (r.exit_code == 0) decoded += r.out;
    }
    EXPECT_EQ(decoded, std::string(kPayload) + "\n") << dpi << " dpi";
  }
}

TEST_P(PdfRenderTest, SameDocumentSameBytes) {
  Document d = SampleDocument(GetParam());
  auto a = RenderPdf(d);
  auto b = RenderPdf(d);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  // The date comes from the document, and changing it changes the bytes.
  EXPECT_NE(a->find("/CreationDate (20261123040506Z)"), std::string::npos);
  d.created = "2026-11-24T04:05:06Z";
  auto c = RenderPdf(d);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
}

INSTANTIATE_TEST_SUITE_P(Languages, PdfRenderTest,
                         ::testing::Values(Language::kJa, Language::kEn, Language::kJaEn));

// Another process (fresh font caches, different heap addresses) must produce
// the same bytes: run this test binary again to render the sample.
TEST(PdfRenderProcessTest, SameBytesAcrossProcesses) {
  if (const char* out = std::getenv("CUSTODY_TEST_RENDER_SAMPLE_TO")) {
    RenderToFile(SampleDocument(Language::kJaEn), out);
    return;
  }
  TempDir dir;
  std::string path = dir.path() + "/other.pdf";
  CommandResult r = RunCommand({"/proc/self/exe", "--gtest_filter=PdfRenderProcessTest.*"}, "",
                               {"CUSTODY_TEST_RENDER_SAMPLE_TO=" + path});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto here = RenderPdf(SampleDocument(Language::kJaEn));
  ASSERT_TRUE(here.ok());
  EXPECT_EQ(ReadFileOrDie(path), *here);
}

TEST(PdfRenderPaginationTest, LongTableRepeatsHeaderOnEveryPage) {
  TempDir dir;
  Document d;
  d.language = Language::kJaEn;
  d.orientation = Orientation::kLandscape;
  d.title = {"持出管理簿", "Media take-out register"};
  d.subtitle = {"期間 2026-04-01 〜 2027-03-31", "Period 2026-04-01 to 2027-03-31"};
  d.footer_note = "checkpoint custody/niigata-office-1 size 1234";
  d.created = "2027-04-01T00:00:00Z";
  Table t;
  t.columns = {{{"媒体管理番号", "Medium ID"}, 1.2},
               {{"格納情報", "Contents"}, 2.5},
               {{"持ち出した者", "Taken by"}, 1.2},
               {{"持ち出し日時", "Taken at"}, 1.5}};
  for (int i = 1; i <= 200; ++i) {
    char id[32];
    snprintf(id, sizeof id, "USB-%04d", i);
    t.rows.push_back({id, "住民基本台帳データ 抽出 第" + std::to_string(i) + "回", "佐藤 花子",
                      "2026-05-01 10:00"});
  }
  d.blocks.push_back(t);
  std::string pdf = RenderToFile(d, dir.path() + "/r.pdf");
  CommandResult info = RunCommand({"pdfinfo", pdf});
  EXPECT_NE(info.out.find("841.89 x 595.276 pts (A4)"), std::string::npos) << info.out;
  int pages = PageCount(pdf);
  ASSERT_GE(pages, 4);
  int rows_seen = 0;
  for (int p = 1; p <= pages; ++p) {
    std::string text = Squash(PdfText(pdf, p, p));
    EXPECT_NE(text.find("媒体管理番号"), std::string::npos) << "header missing on page " << p;
    EXPECT_NE(text.find("MediumID"), std::string::npos) << "header missing on page " << p;
    EXPECT_NE(text.find(std::to_string(p) + "/" + std::to_string(pages)), std::string::npos)
        << "page number on page " << p;
    for (size_t pos = 0; (pos = text.find("USB-", pos)) != std::string::npos; ++pos) ++rows_seen;
  }
  EXPECT_EQ(rows_seen, 200) << "every row exactly once";
  ASSERT_EQ(RunCommand({"pdftoppm", "-r", "60", "-png", "-f", "2", "-l", "2", "-singlefile", pdf,
                        ArtefactDir() + "/register_page2"})
                .exit_code,
            0);
}

// A value taller than a page is split between lines across pages, not cut off.
TEST(PdfRenderPaginationTest, ValueLongerThanAPageContinuesOverleaf) {
  TempDir dir;
  Document d;
  d.title = {"備考", "Remarks"};
  d.created = "2026-11-23T04:05:06Z";
  std::string remark;
  for (int i = 0; i < 200; ++i)
    remark += "備考" + std::to_string(i) + "：媒体は破砕後に産業廃棄物として処理した。\n";
  d.blocks.push_back(KeyValueSection{{"", ""}, {{{"備考", "Remarks"}, remark}}});
  std::string pdf = RenderToFile(d, dir.path() + "/long.pdf");
  EXPECT_GE(PageCount(pdf), 3);
  std::string text = Squash(PdfText(pdf));
  for (int i = 0; i < 200; ++i) {
    std::string needle = "備考" + std::to_string(i) + "：";
    size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << i;
    EXPECT_EQ(text.find(needle, at + 1), std::string::npos) << "drawn twice: " << i;
  }
  ASSERT_EQ(RunCommand({"pdftoppm", "-r", "60", "-png", "-f", "2", "-l", "2", "-singlefile", pdf,
                        ArtefactDir() + "/long_value_page2"})
                .exit_code,
            0);
}

TEST(PdfRenderWriteTest, FailedWriteLeavesNoFile) {
  testing::FakeEnv env;
  env.FailNext(testing::FakeEnv::Op::kSync);
  Status s = WritePdf(SampleDocument(Language::kJa), "/out/c.pdf", &env);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_FALSE(env.FileExists("/out/c.pdf"));
  ASSERT_TRUE(WritePdf(SampleDocument(Language::kJa), "/out/c.pdf", &env).ok());
  auto bytes = env.ReadFile("/out/c.pdf");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->rfind("%PDF-", 0), 0u);
  EXPECT_NE(bytes->find("%%EOF"), std::string::npos);
}

}  // namespace
}  // namespace custody::report
