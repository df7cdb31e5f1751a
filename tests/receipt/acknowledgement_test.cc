// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Package acknowledgements between two real stations: station-signed and
// one-off-key acknowledgements imported by the sender; a different package,
// a tampered file, a wrong one-off key, a failed verification and a second
// import are refused or recorded as such.
#include "custody/acknowledgement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "custody/env.h"
#include "custody/ledger.h"
#include "custody/register.h"
#include "custody/station.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;

const std::string kDigest(64, 'a');

std::unique_ptr<Station> MakeStation(const std::string& home, const std::string& org) {
  StationInitOptions o;
  o.home = home;
  o.organization = org;
  o.station_name = "s";
  o.operator_name = "op";
  auto s = Station::Init(o, Env::Default());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

class AckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sender_ = MakeStation(dir_.path() + "/sender", "株式会社サンプル情報");
    recipient_ = MakeStation(dir_.path() + "/city", "新潟市");
    ASSERT_TRUE(sender_ && recipient_);
    // The event `custody package create` records (docs/formats/events.md).
    nlohmann::json created = {{"package_id", "pkg-1"},
                              {"digest", kDigest},
                              {"format", "age"},
                              {"size", 1000},
                              {"file_count", 2},
                              {"total_size", 900},
                              {"recipient_organization", "新潟市"},
                              {"purpose", "移行"},
                              {"classification", "機密性2"},
                              {"recipients", nlohmann::json::array()},
                              {"file_name", "p.age"}};
    ASSERT_TRUE(sender_->Record("package.created", "op", created.dump()).ok());
  }
  AckBody Body() {
    AckBody b;
    b.package_id = "pkg-1";
    b.package_digest = kDigest;
    b.sender_organization = "株式会社サンプル情報";
    b.sender_verifier_key = sender_->config().verifier_key;
    b.file_count = 2;
    b.total_size = 900;
    b.received_at = "2026-11-23T01:00:00Z";
    b.recipient_name = "佐藤花子";
    b.recipient_organization = "新潟市";
    return b;
  }
  std::string Text(const SignedAck& a) {
    auto t = SerializeAck(a);
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : "";
  }
  TempDir dir_;
  std::unique_ptr<Station> sender_, recipient_;
};

TEST_F(AckTest, StationAckIsImportedOnceAndShowsInStatus) {
  auto pending = ListSentPackages(*sender_);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_FALSE((*pending)[0].acknowledged);

  auto ack = IssueStationAck(*recipient_, "佐藤花子", Body());
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  std::string text = Text(*ack);
  auto parsed = ParseAck(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(VerifyAck(*parsed, "").ok());
  // The recipient's own ledger has the ack.
  EXPECT_EQ((*recipient_->ledger())->Get(1)->type, "package.ack-issued");

  auto imported = ImportAck(*sender_, "op", text, "");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->package_entry, 1u);
  EXPECT_EQ(ImportAck(*sender_, "op", text, "").status().code(), StatusCode::kAlreadyExists);
  auto status = ListSentPackages(*sender_);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE((*status)[0].acknowledged);
  EXPECT_FALSE((*status)[0].failed);
  EXPECT_EQ((*status)[0].ack_recipient, "佐藤花子");

  // The handover register shows it.
  RegisterRequest req;
  req.kind = RegisterKind::kHandover;
  req.station_name = "s";
  auto reg = BuildRegister(**sender_->ledger(), sender_->config().verifier_key, req);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  ASSERT_EQ(reg->rows.size(), 1u);
  EXPECT_EQ(reg->rows[0][1], "pkg-1");
  EXPECT_EQ(reg->rows[0][7], "確認済");
  EXPECT_EQ(reg->rows[0][9], "佐藤花子 (新潟市)");
}

TEST_F(AckTest, OneOffAckNeedsTheKeyFromThePaperCopy) {
  auto ack = IssueOneOffAck(Body());
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_THAT(ack->signer_verifier_key, HasSubstr("custody-ack-one-off+"));
  EXPECT_TRUE(ack->evidence_bundle.empty());
  std::string text = Text(*ack);
  EXPECT_EQ(ImportAck(*sender_, "op", text, "").status().code(), StatusCode::kInvalidArgument);
  auto other = IssueOneOffAck(Body());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->signer_verifier_key, ack->signer_verifier_key);
  EXPECT_EQ(ImportAck(*sender_, "op", text, other->signer_verifier_key).status().code(),
            StatusCode::kVerificationFailed);
  auto fp = AckKeyFingerprint(ack->signer_verifier_key);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->size(), 8u + 1 + 19);
  EXPECT_TRUE(ImportAck(*sender_, "op", text, ack->signer_verifier_key).ok());
}

TEST_F(AckTest, ThePrintedPdfImportsAsTheAckFileItCarries) {
  auto ack = IssueStationAck(*recipient_, "佐藤花子", Body());
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  auto pdf = RenderAckPdf(*ack, "ja");
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  ASSERT_EQ(pdf->substr(0, 5), "%PDF-");

  // A PDF with its record altered fails the signature, and one without a
  // record says so; neither is recorded.
  auto recorded = [&] { return (*sender_->ledger())->Size().value(); };
  const uint64_t before = recorded();
  auto altered = nlohmann::json::parse(Text(*ack));
  altered["body"]["file_count"] = 3;
  std::string forged = *pdf;
  const size_t tag = forged.find("record=");
  ASSERT_NE(tag, std::string::npos);
  const size_t end = forged.find(')', tag);
  ASSERT_NE(end, std::string::npos);
  forged = forged.substr(0, tag + 7) + encoding::Base64Encode(altered.dump()) + forged.substr(end);
  auto r = ImportAck(*sender_, "op", forged, "");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().code(), StatusCode::kAlreadyExists);
  std::string no_record = *pdf;
  no_record[tag + 5] = 'x';  // "record=" -> "recorx=".
  r = ImportAck(*sender_, "op", no_record, "");
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("no custody acknowledgement record"));
  EXPECT_EQ(recorded(), before);

  // The genuine PDF imports, with the ACK file's own digest: importing the
  // JSON afterwards is the same acknowledgement a second time.
  auto imported = ImportAck(*sender_, "op", *pdf, "");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->package_entry, 1u);
  EXPECT_EQ(imported->ack.body.recipient_name, "佐藤花子");
  EXPECT_EQ(ImportAck(*sender_, "op", Text(*ack), "").status().code(), StatusCode::kAlreadyExists);
}

TEST_F(AckTest, ADifferentPackageATamperedFileAndAForgedOneAreRefused) {
  AckBody wrong = Body();
  wrong.package_digest = std::string(64, 'b');
  auto w = IssueStationAck(*recipient_, "x", wrong);
  ASSERT_TRUE(w.ok());
  auto r = ImportAck(*sender_, "op", Text(*w), "");
  EXPECT_EQ(r.status().code(), StatusCode::kVerificationFailed);
  EXPECT_THAT(r.status().message(), HasSubstr("different package"));

  AckBody unknown = Body();
  unknown.package_id = "pkg-9";
  auto u = IssueStationAck(*recipient_, "x", unknown);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(ImportAck(*sender_, "op", Text(*u), "").status().code(), StatusCode::kNotFound);

  auto good = IssueStationAck(*recipient_, "x", Body());
  ASSERT_TRUE(good.ok());
  std::string text = Text(*good);
  std::string tampered = text;
  size_t at = tampered.find("佐藤花子");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, std::string("佐藤花子").size(), "鈴木一郎");
  EXPECT_EQ(ImportAck(*sender_, "op", tampered, "").status().code(),
            StatusCode::kVerificationFailed);
  EXPECT_EQ(ImportAck(*sender_, "op", text.substr(0, text.size() - 5), "").status().code(),
            StatusCode::kTruncated);
  std::string unknown_member = text;
  unknown_member.insert(1, "\"a\":1,");
  EXPECT_EQ(ImportAck(*sender_, "op", unknown_member, "").status().code(), StatusCode::kCorruption);

  // Re-signed by another key claiming to be the station: the evidence fails.
  SignedAck forged = *good;
  auto one_off = IssueOneOffAck(Body());
  ASSERT_TRUE(one_off.ok());
  forged.signature = one_off->signature;
  EXPECT_EQ(ImportAck(*sender_, "op", Text(forged), "").status().code(),
            StatusCode::kVerificationFailed);

  // An ack addressed to another sender station.
  AckBody other_sender = Body();
  other_sender.sender_verifier_key = recipient_->config().verifier_key;
  auto o = IssueStationAck(*recipient_, "x", other_sender);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(ImportAck(*sender_, "op", Text(*o), "").status().code(),
            StatusCode::kVerificationFailed);
  // Nothing was recorded by the refused imports.
  EXPECT_EQ(*(*sender_->ledger())->Size(), 2u);
}

TEST_F(AckTest, AFailedVerificationIsRecordedAndReported) {
  AckBody failed = Body();
  failed.result = AckResult::kFailed;
  EXPECT_EQ(IssueOneOffAck(failed).status().code(), StatusCode::kInvalidArgument);  // needs detail
  failed.detail = "file data/a.csv was modified after packaging";
  auto ack = IssueStationAck(*recipient_, "x", failed);
  ASSERT_TRUE(ack.ok());
  auto r = ImportAck(*sender_, "op", Text(*ack), "");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("data/a.csv"));
  auto status = ListSentPackages(*sender_);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE((*status)[0].acknowledged);
  EXPECT_TRUE((*status)[0].failed);
}

}  // namespace
}  // namespace custody
