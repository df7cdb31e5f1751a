// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/document.h"

#include <gtest/gtest.h>

namespace custody::report {
namespace {

Document Minimal() {
  Document d;
  d.title = {"預かり証", "Receipt"};
  d.created = "2026-11-23T04:05:06Z";
  return d;
}

TEST(DocumentTest, PickShowsTheRequestedLanguage) {
  Label l{"処分方法", "Method"};
  EXPECT_EQ(Pick(l, Language::kJa), "処分方法");
  EXPECT_EQ(Pick(l, Language::kEn), "Method");
  EXPECT_EQ(Pick(l, Language::kJaEn), "処分方法 / Method");
  EXPECT_EQ(Pick({"", "Only"}, Language::kJa), "Only");
  EXPECT_EQ(Pick({"No.", "No."}, Language::kJaEn), "No.");
}

TEST(DocumentTest, MinimalDocumentIsAPdf) {
  auto pdf = RenderPdf(Minimal());
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
}

TEST(DocumentTest, RefusesMissingOrMalformedDate) {
  Document d = Minimal();
  d.created = "";
  EXPECT_EQ(RenderPdf(d).status().code(), StatusCode::kInvalidArgument);
  d.created = "2026-11-23 04:05:06";
  EXPECT_EQ(RenderPdf(d).status().code(), StatusCode::kInvalidArgument);
  d.created = "2026-11-23T04:05:06.123456+09:00";  // Fraction dropped, offset kept.
  auto pdf = RenderPdf(d);
  ASSERT_TRUE(pdf.ok());
  EXPECT_NE(pdf->find("20261123040506+09'00"), std::string::npos);
}

TEST(DocumentTest, RefusesRowWithWrongCellCount) {
  Document d = Minimal();
  d.blocks.push_back(Table{{}, {{{"a", "a"}}, {{"b", "b"}}}, {{"1", "2"}, {"only one"}}});
  Status s = RenderPdf(d).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("row 2"), std::string::npos) << s.message();
}

TEST(DocumentTest, RefusesInvalidUtf8AndNul) {
  Document d = Minimal();
  d.blocks.push_back(Paragraph{"bad \xff byte"});
  EXPECT_EQ(RenderPdf(d).status().code(), StatusCode::kInvalidArgument);
  d = Minimal();
  d.footer_note = std::string("nul\0inside", 10);
  EXPECT_EQ(RenderPdf(d).status().code(), StatusCode::kInvalidArgument);
}

TEST(DocumentTest, RefusesQrPayloadTooLong) {
  Document d = Minimal();
  d.blocks.push_back(SignatureBlock{{}, std::string(4000, 'x'), {}});
  EXPECT_EQ(RenderPdf(d).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeQr(std::string(4000, 'x')).status().code(), StatusCode::kInvalidArgument);
}

TEST(DocumentTest, QrMatrixHasFinderPatterns) {
  auto m = EncodeQr("custody-cert:v1:CERT-1:sha256:00");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((m->size - 17) % 4, 0) << "QR sizes are 17 + 4 * version";
  // The 7x7 finder pattern's dark ring, top-left corner.
  for (int i = 0; i < 7; ++i) {
    EXPECT_TRUE(m->dark(i, 0));
    EXPECT_TRUE(m->dark(0, i));
  }
  EXPECT_FALSE(m->dark(1, 1));
  EXPECT_TRUE(m->dark(3, 3));
}

}  // namespace
}  // namespace custody::report
