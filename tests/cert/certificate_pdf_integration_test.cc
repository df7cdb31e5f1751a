// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The certificate PDF read back with poppler and zbar, in each language.
// Page images are kept under <build>/tests/artefacts/cert/.
#include <gtest/gtest.h>

#include <filesystem>

#include "cert/cert_test_util.h"
#include "custody/certificate.h"
#include "custody/env.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using testing::SampleContent;
using testing::SignSample;

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

std::string ArtefactDir() {
  std::string dir = std::filesystem::current_path().string() + "/artefacts/cert";
  std::filesystem::create_directories(dir);
  return dir;
}

const CertificateEvidenceSummary kEvidence{124, std::string(64, 'c'), "01234567"};

struct LangCase {
  DocumentLanguage lang;
  const char* name;
};

class CertificatePdfTest : public ::testing::TestWithParam<LangCase> {
 protected:
  std::string Render(const SignedCertificate& c, const std::string& path) {
    Status s = WriteCertificatePdf(c, GetParam().lang, kEvidence, path, Env::Default());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return path;
  }
  std::string Text(const std::string& pdf) {
    CommandResult r = RunCommand({"pdftotext", "-enc", "UTF-8", pdf, "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return Squash(r.out);
  }
};

TEST_P(CertificatePdfTest, ShowsEveryRequiredField) {
  TempDir dir;
  auto s = SignSample(SampleContent());
  std::string text = Text(Render(s.cert, dir.path() + "/c.pdf"));
  const CertificateContent& c = s.cert.certificate.content;
  const DocumentIssuance& i = s.cert.certificate.issuance;
  // Seed 003 §8.3 and the issue's list: number, date, issuer, client,
  // contractor, responsible, operators, witness, place, devices, method and
  // details, times, verification, destination, remarks, ledger evidence.
  std::vector<std::string> values = {i.number,
                                     i.issuer_station,
                                     i.issuer_verifier_key,
                                     c.client_municipality,
                                     c.client_department,
                                     c.client_contract,
                                     c.contractor,
                                     c.responsible,
                                     c.witness_name,
                                     c.witness_department,
                                     c.place_detail,
                                     c.destination,
                                     c.remarks,
                                     i.content_sha256_hex,
                                     "#123",
                                     "size124"};
  for (const auto& o : c.operators) values.push_back(o);
  for (const CertificateDevice& d : c.devices) {
    for (const std::string* v :
         {&d.maker, &d.model, &d.serial, &d.asset_tag, &d.interface, &d.method.standard,
          &d.verification.method, &d.verification.coverage, &d.method.tool_name})
      values.push_back(*v);
    for (const auto& cmd : d.method.commands) values.push_back(cmd);
    values.push_back("#" + std::to_string(d.sources[0].seq));
  }
  values.push_back("1.0TB");
  values.push_back("500.1GB");
  values.push_back("2026-11-2209:00:00JST〜11:30:00JST");  // Device 1, in JST.
  values.push_back("2026-11-2212:00:00JST〜12:05:00JST");  // Device 2.
  const bool ja = GetParam().lang != DocumentLanguage::kEn;
  const bool en = GetParam().lang != DocumentLanguage::kJa;
  if (ja) {
    for (const char* label : {"データ消去証明書",
                              "証明書番号",
                              "発行日",
                              "令和8年11月23日",
                              "委託元",
                              "作業事業者名",
                              "作業責任者名",
                              "作業者",
                              "立会者",
                              "作業場所",
                              "庁舎内",
                              "リース返却",
                              "機密性2",
                              "処分方法",
                              "上書き消去",
                              "ファームウェア消去(Purge)",
                              "シリアル番号",
                              "管理番号",
                              "作業日時",
                              "検証方法・結果",
                              "合格",
                              "処分後の行き先",
                              "御中",
                              "印"})
      values.push_back(label);
  }
  if (en) {
    for (const char* label :
         {"CertificateofDataSanitization", "CertificateNo.", "Issued", "Client", "Contractor",
          "Responsibleperson", "Witness", "Place", "Leasereturn", "Class2", "Overwrite",
          "Firmwaresanitize(Purge)", "Serial", "Verification", "Passed", "Destination"})
      values.push_back(label);
  }
  for (const std::string& v : values) EXPECT_NE(text.find(Squash(v)), std::string::npos) << v;
  EXPECT_EQ(text.find("作業責任者名") != std::string::npos, ja);
  EXPECT_EQ(text.find("Responsibleperson") != std::string::npos, en);
}

TEST_P(CertificatePdfTest, FontsEmbeddedQrDecodesToBodyDigest) {
  TempDir dir;
  auto s = SignSample(SampleContent());
  std::string pdf = Render(s.cert, dir.path() + "/c.pdf");
  CommandResult fonts = RunCommand({"pdffonts", pdf});
  ASSERT_EQ(fonts.exit_code, 0);
  EXPECT_EQ(fonts.out.find(" no "), std::string::npos) << fonts.out;

  std::string png = ArtefactDir() + "/certificate_" + GetParam().name;
  ASSERT_EQ(
      RunCommand({"pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, png})
          .exit_code,
      0);
  // The QR may be on the last page when the certificate runs long.
  CommandResult pages = RunCommand({"pdftoppm", "-r", "100", "-png", pdf, dir.path() + "/p"});
  ASSERT_EQ(pages.exit_code, 0);
  std::string decoded;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() != ".png") continue;
    CommandResult z =
        RunCommand({"zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", e.path().string()});
    if (z.exit_code == 0) decoded += z.out;
  }
  std::string expected =
      CertificateQrPayload(s.cert.certificate.issuance.number, *BodyDigestHex(s.cert.certificate));
  EXPECT_EQ(decoded, expected + "\n");
  auto q = ParseCertificateQrPayload(expected);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->number, s.cert.certificate.issuance.number);

  // The same payload is in the PDF metadata, for `custody cert verify CERT.pdf`.
  auto from_pdf = QrPayloadFromCertificatePdf(ReadFileOrDie(pdf));
  ASSERT_TRUE(from_pdf.ok()) << from_pdf.status().ToString();
  EXPECT_EQ(*from_pdf, expected);
}

TEST_P(CertificatePdfTest, SameCertificateSameBytes) {
  auto s = SignSample(SampleContent());
  auto a = RenderCertificatePdf(s.cert, GetParam().lang, kEvidence);
  auto b = RenderCertificatePdf(s.cert, GetParam().lang, kEvidence);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

INSTANTIATE_TEST_SUITE_P(Languages, CertificatePdfTest,
                         ::testing::Values(LangCase{DocumentLanguage::kJa, "ja"},
                                           LangCase{DocumentLanguage::kEn, "en"},
                                           LangCase{DocumentLanguage::kJaEn, "ja_en"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CertificatePdfIncompleteTest, SaysIncompleteProminently) {
  CertificateContent c = SampleContent();
  c.devices[1].outcome = Outcome::kInterrupted;
  auto v = ValidateContent(c, /*allow_incomplete=*/true);
  ASSERT_TRUE(v.ok());
  auto s = SignSample(SampleContent());
  s.cert.certificate.content = *v;
  TempDir dir;
  std::string pdf = dir.path() + "/i.pdf";
  ASSERT_TRUE(
      WriteCertificatePdf(s.cert, DocumentLanguage::kJaEn, kEvidence, pdf, Env::Default()).ok());
  // On the first page: the title and the red notice.
  std::string first = Squash(RunCommand({"pdftotext", "-f", "1", "-l", "1", pdf, "-"}).out);
  EXPECT_NE(first.find("【未完了】データ消去証明書"), std::string::npos);
  EXPECT_NE(first.find("[INCOMPLETE]"), std::string::npos);
  EXPECT_NE(first.find("No.2(S4EWNX0R123456)"), std::string::npos);
  EXPECT_NE(Squash(RunCommand({"pdftotext", pdf, "-"}).out).find("中断"), std::string::npos);
  ASSERT_EQ(RunCommand({"pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1", pdf,
                        ArtefactDir() + "/certificate_incomplete"})
                .exit_code,
            0);
}

// 一括廃棄: one certificate for 60 devices paginates, every serial printed.
TEST(CertificatePdfBatchTest, ManyDevicesPaginate) {
  CertificateContent c = SampleContent();
  CertificateDevice proto = c.devices[0];
  c.devices.clear();
  for (int i = 0; i < 60; ++i) {
    CertificateDevice d = proto;
    d.serial = "SER" + std::to_string(100000 + i);
    c.devices.push_back(d);
  }
  auto s = SignSample(c);
  TempDir dir;
  std::string pdf = dir.path() + "/b.pdf";
  ASSERT_TRUE(
      WriteCertificatePdf(s.cert, DocumentLanguage::kJa, kEvidence, pdf, Env::Default()).ok());
  CommandResult r = RunCommand({"pdftotext", pdf, "-"});
  std::string text = Squash(r.out);
  for (int i = 0; i < 60; ++i)
    EXPECT_NE(text.find("SER" + std::to_string(100000 + i)), std::string::npos) << i;
  CommandResult info = RunCommand({"pdfinfo", pdf});
  EXPECT_EQ(info.out.find("Pages:           1\n"), std::string::npos) << "one page for 60 devices?";
}

}  // namespace
}  // namespace custody
