// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Photo thumbnails (report::PhotoGrid): real PNG and JPEG files made by
// poppler's pdftoppm from a rendered page are embedded as downscaled images
// (pdfimages -list shows them and their size); damaged, oversized and
// unknown files become a grey box that says so, never a crash; the output is
// still byte-for-byte deterministic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "report/document.h"
#include "support/temp_dir.h"

namespace custody::report {
namespace {

using ::testing::HasSubstr;

std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

Document Base() {
  Document d;
  d.language = Language::kJa;
  d.title = {"写真テスト", "Photo test"};
  d.created = "2026-11-23T04:05:06Z";
  d.blocks.push_back(Paragraph{"破砕作業の写真 (shredder photos)"});
  return d;
}

class PhotoGridTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Photos to use: a rendered page rasterized by pdftoppm as PNG and JPEG.
    auto pdf = RenderPdf(Base());
    ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
    WriteFileOrDie(dir_.path() + "/page.pdf", *pdf);
    for (const auto& [fmt, dpi] : {std::pair{"-png", "80"}, std::pair{"-jpeg", "200"}}) {
      auto r = RunCommand({"pdftoppm", fmt, "-r", dpi, "-singlefile", dir_.path() + "/page.pdf",
                           dir_.path() + "/photo"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    png_ = ReadFileOrDie(dir_.path() + "/photo.png");
    jpeg_ = ReadFileOrDie(dir_.path() + "/photo.jpg");
  }
  // pdfimages -list rows: {width, height} of each embedded image.
  std::vector<std::pair<int, int>> Images(const std::string& pdf_bytes) {
    WriteFileOrDie(dir_.path() + "/out.pdf", pdf_bytes);
    auto r = RunCommand({"pdfimages", "-list", dir_.path() + "/out.pdf"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::pair<int, int>> out;
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line);  // Header.
    std::getline(lines, line);  // Rule.
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string page, num, type;
      int w = 0, h = 0;
      f >> page >> num >> type >> w >> h;
      if (type == "image") out.push_back({w, h});
    }
    return out;
  }
  TempDir dir_;
  std::string png_, jpeg_;
};

TEST_F(PhotoGridTest, PngAndJpegAreEmbeddedAsThumbnails) {
  Document d = Base();
  PhotoGrid g;
  g.heading = {"作業写真", "Photos"};
  g.photos = {{png_, "No.1 before.png"}, {jpeg_, "No.1 after.jpg"}};
  d.blocks.push_back(g);
  auto pdf = RenderPdf(d);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  auto images = Images(*pdf);
  ASSERT_EQ(images.size(), 2u);
  for (const auto& [w, h] : images) {
    EXPECT_LE(std::max(w, h), 640) << w << "x" << h;  // Downscaled, not the 1654x2339 original.
    EXPECT_GE(std::max(w, h), 600) << w << "x" << h;  // But not lower than asked.
  }
  // Portrait pages stay portrait.
  EXPECT_GT(images[1].second, images[1].first);
  auto again = RenderPdf(d);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*pdf, *again) << "the same photos must render to the same bytes";
  WriteFileOrDie(dir_.path() + "/grid.pdf", *pdf);
  auto text = RunCommand({"pdftotext", "-enc", "UTF-8", dir_.path() + "/grid.pdf", "-"});
  EXPECT_THAT(Squash(text.out), HasSubstr("作業写真"));
  EXPECT_THAT(Squash(text.out), HasSubstr("No.1after.jpg"));
}

TEST_F(PhotoGridTest, UndecodableFilesBecomeABoxThatSaysSo) {
  std::string huge_png = png_;  // IHDR says 100000 x 100000: refused before decoding.
  huge_png.replace(16, 8, std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8));
  std::vector<Photo> photos = {
      {jpeg_.substr(0, 20), "header only.jpg"},         // libjpeg fatal error.
      {jpeg_.substr(0, jpeg_.size() / 2), "half.jpg"},  // Recovers: grey bottom half.
      {png_.substr(0, png_.size() / 2), "half.png"},
      {huge_png, "huge.png"},
      {std::string("\x00\x00\x00\x18"
                   "ftypheic",
                   12),
       "IMG_0001.HEIC"},
      {std::string(), "empty"},
  };
  Document d = Base();
  d.blocks.push_back(PhotoGrid{{"作業写真", "Photos"}, photos});
  auto pdf = RenderPdf(d);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(Images(*pdf).size(), 1u);  // Only the half JPEG decodes.
  WriteFileOrDie(dir_.path() + "/bad.pdf", *pdf);
  std::string text =
      Squash(RunCommand({"pdftotext", "-enc", "UTF-8", dir_.path() + "/bad.pdf", "-"}).out);
  EXPECT_THAT(text, HasSubstr("サムネイル表示不可:notaPNGorJPEGimage"));
  EXPECT_THAT(text, HasSubstr("PNGof100000x100000pixels"));
  EXPECT_THAT(text, HasSubstr("IMG_0001.HEIC"));
  EXPECT_THAT(text, HasSubstr("JPEG:"));
}

TEST_F(PhotoGridTest, ManyPhotosFlowOverPages) {
  Document d = Base();
  PhotoGrid g{{"作業写真", "Photos"}, {}};
  for (int i = 0; i < 14; ++i) g.photos.push_back({png_, "photo " + std::to_string(i + 1)});
  d.blocks.push_back(g);
  auto pdf = RenderPdf(d);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(Images(*pdf).size(), 14u);
  WriteFileOrDie(dir_.path() + "/many.pdf", *pdf);
  auto info = RunCommand({"pdfinfo", dir_.path() + "/many.pdf"});
  EXPECT_THAT(Squash(info.out), HasSubstr("Pages:2"));
  std::string text =
      Squash(RunCommand({"pdftotext", "-enc", "UTF-8", dir_.path() + "/many.pdf", "-"}).out);
  EXPECT_THAT(text, HasSubstr("作業写真（続き）"));
  EXPECT_THAT(text, HasSubstr("photo14"));
}

}  // namespace
}  // namespace custody::report
