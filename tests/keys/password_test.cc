// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Password generation (unbiased, look-alike free, grouped, >= 100 bits) and
// the strength estimate used to refuse weak operator passphrases.
#include "custody/password.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "custody/env.h"
#include "support/fake_env.h"

namespace custody {
namespace {

// An Env whose random bytes are scripted, to see rejection sampling reject.
class ScriptedRandomEnv final : public Env {
 public:
  explicit ScriptedRandomEnv(std::deque<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  Result<std::string> ReadFile(const std::string&) override { return UnsupportedError("scripted"); }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string&, uint32_t) override {
    return UnsupportedError("scripted");
  }
  Status RenameFile(const std::string&, const std::string&) override {
    return UnsupportedError("scripted");
  }
  Status RemoveFile(const std::string&) override { return UnsupportedError("scripted"); }
  Status CreateDir(const std::string&, uint32_t) override { return UnsupportedError("scripted"); }
  Status SyncDir(const std::string&) override { return UnsupportedError("scripted"); }
  bool FileExists(const std::string&) override { return false; }
  Result<std::vector<std::string>> ListDir(const std::string&) override {
    return UnsupportedError("scripted");
  }
  int64_t NowUnixMicros() override { return 0; }
  Status RandomBytes(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (bytes_.empty()) return IoError("script exhausted");
      out[i] = bytes_.front();
      bytes_.pop_front();
    }
    return Status::Ok();
  }
  size_t left() const { return bytes_.size(); }

 private:
  std::deque<uint8_t> bytes_;
};

TEST(UniformIndexTest, RejectsTheBytesThatWouldBiasTheDraw) {
  // n = 30: 256 = 8*30 + 16, so bytes 240..255 must be rejected (a plain
  // modulo would make indices 0..15 more likely).
  ScriptedRandomEnv env({255, 240, 239, 0, 29, 30});
  EXPECT_EQ(*UniformIndex(env, 30), 239u % 30);  // 255 and 240 rejected.
  EXPECT_EQ(env.left(), 3u);
  EXPECT_EQ(*UniformIndex(env, 30), 0u);
  EXPECT_EQ(*UniformIndex(env, 30), 29u);
  EXPECT_EQ(*UniformIndex(env, 30), 0u);
  EXPECT_EQ(UniformIndex(env, 30).status().code(), StatusCode::kIoError);
  // A power of two never rejects.
  ScriptedRandomEnv pow2({255});
  EXPECT_EQ(*UniformIndex(pow2, 32), 31u);
  EXPECT_EQ(UniformIndex(pow2, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(UniformIndex(pow2, 257).status().code(), StatusCode::kInvalidArgument);
  // A generator stuck on a rejected value is reported, not looped on.
  ScriptedRandomEnv stuck(std::deque<uint8_t>(2000, 250));
  EXPECT_EQ(UniformIndex(stuck, 30).status().code(), StatusCode::kInternal);
}

TEST(UniformIndexTest, IsUniformOverTheOsGenerator) {
  // 64,000 draws over 30 values: chi-square with 29 degrees of freedom;
  // 58.3 is the 0.1% critical value, so a correct sampler fails 1 in 1000.
  std::map<uint32_t, int> counts;
  const int kDraws = 64000;
  for (int i = 0; i < kDraws; ++i) ++counts[*UniformIndex(*Env::Default(), 30)];
  double expected = kDraws / 30.0, chi2 = 0;
  for (uint32_t v = 0; v < 30; ++v) chi2 += std::pow(counts[v] - expected, 2) / expected;
  EXPECT_EQ(counts.size(), 30u);
  EXPECT_LT(chi2, 58.3);
}

TEST(GeneratePasswordTest, DefaultIsHundredBitsGroupedWithoutLookAlikes) {
  auto pw = GeneratePassword(*Env::Default());
  ASSERT_TRUE(pw.ok()) << pw.status().ToString();
  EXPECT_EQ(pw->symbols, 20);
  EXPECT_EQ(pw->entropy_bits, 100);
  std::string_view text = pw->password.view();
  ASSERT_EQ(text.size(), 24u);  // 5 groups of 4, 4 hyphens.
  for (size_t i = 0; i < text.size(); ++i) {
    if (i % 5 == 4) {
      EXPECT_EQ(text[i], '-');
    } else {
      EXPECT_NE(kPasswordAlphabet.find(text[i]), std::string_view::npos) << text[i];
    }
  }
  for (char lookalike : {'0', 'O', '1', 'I', 'o', 'l', 'i'}) {
    EXPECT_EQ(kPasswordAlphabet.find(lookalike), std::string_view::npos) << lookalike;
  }
  EXPECT_EQ(kPasswordAlphabet.size(), 32u);
  EXPECT_EQ(std::set<char>(kPasswordAlphabet.begin(), kPasswordAlphabet.end()).size(), 32u);
  // The ID is random and separate from the password.
  ASSERT_EQ(pw->id.size(), 19u);
  EXPECT_EQ(pw->id.substr(0, 3), "pw-");
  std::string bare;
  for (char c : text) {
    if (c != '-') bare.push_back(c);
  }
  EXPECT_EQ(bare.find(pw->id.substr(3)), std::string::npos);
  // A generated password passes the check it is held to.
  EXPECT_TRUE(CheckPassphraseStrength(pw->password).ok());
  auto second = GeneratePassword(*Env::Default());
  EXPECT_NE(second->password.view(), pw->password.view());
  EXPECT_NE(second->id, pw->id);
}

TEST(GeneratePasswordTest, HonoursBitsAndGroupingAndRefusesNonsense) {
  auto pw = GeneratePassword(*Env::Default(), PasswordOptions{128, 0});
  ASSERT_TRUE(pw.ok());
  EXPECT_EQ(pw->symbols, 26);  // ceil(128 / 5)
  EXPECT_EQ(pw->entropy_bits, 130);
  EXPECT_EQ(pw->password.size(), 26u);
  EXPECT_EQ(std::string(pw->password.view()).find('-'), std::string::npos);
  auto five = GeneratePassword(*Env::Default(), PasswordOptions{100, 5});
  EXPECT_EQ(five->password.size(), 23u);
  EXPECT_EQ(GeneratePassword(*Env::Default(), PasswordOptions{63, 4}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GeneratePassword(*Env::Default(), PasswordOptions{100, -1}).status().code(),
            StatusCode::kInvalidArgument);
  // A failing OS generator is an error, not a weaker password.
  testing::FakeEnv env;
  ScriptedRandomEnv empty({});
  EXPECT_EQ(GeneratePassword(empty).status().code(), StatusCode::kIoError);
}

bool HasWeakness(const PassphraseStrength& s, std::string_view text) {
  for (const std::string& w : s.weaknesses) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string Weaknesses(const PassphraseStrength& s) {
  std::string out = std::to_string(s.bits) + " bits:";
  for (const std::string& w : s.weaknesses) out += " [" + w + "]";
  return out;
}

// Refused, saying `reason` (in the estimate and in the message), never
// repeating the whole passphrase.
void ExpectRefused(std::string_view text, std::string_view reason) {
  PassphraseStrength s = EstimatePassphraseStrength(text);
  EXPECT_LT(s.bits, kMinimumPassphraseBits) << text << ": " << Weaknesses(s);
  EXPECT_TRUE(HasWeakness(s, reason)) << text << ": " << Weaknesses(s);
  Status st = CheckPassphraseStrength(SecretString(text));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << text;
  EXPECT_NE(st.message().find(reason), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("custody password generate"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(text), std::string::npos) << st.message();
}

// The refusal says where the weak part is, not what it is: a refused
// passphrase may be a near miss of one in use, and messages reach --json
// output and logs.
void ExpectNoPieceQuoted(std::string_view text, std::string_view piece) {
  Status st = CheckPassphraseStrength(SecretString(text));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().find(piece), std::string::npos) << "quotes " << piece << ": " << st.message();
}

void ExpectAccepted(std::string_view text) {
  PassphraseStrength s = EstimatePassphraseStrength(text);
  EXPECT_GE(s.bits, kMinimumPassphraseBits) << text << ": " << Weaknesses(s);
  EXPECT_TRUE(CheckPassphraseStrength(SecretString(text)).ok()) << text;
}

TEST(PassphraseStrengthTest, RefusesWhatTheAuditFoundAccepted) {
  // Each was estimated at 86..125 bits before.
  ExpectRefused("acacacacacacacacacacacac", "repeats the piece at characters 1-2 12 times");
  ExpectRefused("Tanaka2024Tanaka2024Tanaka2024", "repeats the piece at characters 1-10 3 times");
  ExpectRefused("あいうえおかきくけこさしす", "follows the kana table (characters 1-13)");
  ExpectRefused("qazwsxedcrfvtgbyhnujmikolp", "follows the keyboard (characters 1-26)");
  ExpectRefused("a1b2c3d4e5f6g7h8i9j0k1l2", "alternates two sequences (characters 1-24)");
  ExpectNoPieceQuoted("acacacacacacacacacacacac", "acac");
  ExpectNoPieceQuoted("Tanaka2024Tanaka2024Tanaka2024", "Tana");
  ExpectNoPieceQuoted("あいうえおかきくけこさしす", "あいう");
  ExpectNoPieceQuoted("qazwsxedcrfvtgbyhnujmikolp", "qazw");
  ExpectNoPieceQuoted("a1b2c3d4e5f6g7h8i9j0k1l2", "a1b2");
  // The unit of a repetition is itself estimated: a surname and a year.
  EXPECT_LT(EstimatePassphraseStrength("Tanaka2024Tanaka2024Tanaka2024").bits, 30);
  EXPECT_LT(EstimatePassphraseStrength("あいうえおかきくけこさしす").bits, 30);
}

TEST(PassphraseStrengthTest, RefusesKnownWeakPatterns) {
  ExpectRefused("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "repeats the piece at character 1 32 times");
  ExpectRefused("abcdefghijklmnopqrstuvwxyz", "contains a sequence (characters 1-26)");
  ExpectRefused("zyxwvutsrqponmlkjihgfedcba", "contains a sequence (characters 1-26)");
  ExpectRefused("qwertyuiopasdfghjklzxcvbnm", "follows a keyboard row (characters ");
  ExpectRefused("1qaz2wsx3edc4rfv5tgb6yhn", "follows the keyboard (characters ");
  ExpectRefused("!QAZ@WSX#EDC$RFV%TGB^YHN", "follows the keyboard (characters ");
  ExpectRefused("アイウエオカキクケコサシスセソタチツテト", "follows the kana table");
  ExpectRefused("Password1234567890Password", "contains a common password (characters 1-8)");
  ExpectRefused("P@ssw0rdP@ssw0rdP@ssw0rd!!", "repeats the piece at characters 1-8 3 times");
  ExpectRefused("P@ssw0rd!Sakura#2024", "contains a common password (characters 1-8) with look-alike");
  ExpectRefused("custody-custody-custody-2026", "repeats the piece at characters ");
  ExpectRefused("drowssap-nakanat-20240315", "contains a common password (characters 1-8) reversed");
  ExpectRefused("watanabe.suzuki.takahashi.1985", "contains a common Japanese surname");
  ExpectRefused("Takahashi19850412Yamamoto", "contains a date (characters ");
  ExpectRefused("yamada-2024-03-15-tokyo-osaka", "contains a date (characters ");
  ExpectRefused("佐藤鈴木高橋田中伊藤渡辺", "contains a common Japanese surname (characters 1-2)");
  ExpectRefused("1a2b3c4d5e6f7g8h9i0j", "alternates two sequences (characters 1-20)");
  ExpectRefused("ｐａｓｓｗｏｒｄ１２３４５６７８", "contains a common password");
  ExpectRefused("qwerty123456", "follows a keyboard row (characters 1-6)");
  // Too short, with no pattern at all: says so.
  Status st = CheckPassphraseStrength(SecretString("Tq7#vZ2k!R"));
  EXPECT_NE(st.message().find("too short"), std::string::npos) << st.message();
  EXPECT_EQ(CheckPassphraseStrength(SecretString("")).code(), StatusCode::kInvalidArgument);
}

TEST(PassphraseStrengthTest, AcceptsStrongHumanPassphrases) {
  ExpectAccepted("correct horse battery staple 2026");  // Used by other tests.
  ExpectAccepted("gravel oyster plinth mulberry rocket whistle");  // Six diceware-like words.
  ExpectAccepted("kumo ni notte tonari no mura e iku michi");
  ExpectAccepted("Kx7-mQ4p-Zr9w-Tb2n-Hc6v");  // Mixed case: not the generator's format.
  ExpectAccepted("v9#Lq2!xR7&mT4@zK8");
  ExpectAccepted("新潟市の情報政策課で預かった台帳の鍵です");
  ExpectAccepted("xkqmvtpwzjrhdgnfck");
  ExpectAccepted("defer stone rusty opera ghost klutz");
  ExpectAccepted("hiking rest stops near deft opals");
  // Random draws that happen to hold pairs such as "De", "Xw" or "77": a
  // pair is what a random draw does, not a pattern (this was refused).
  ExpectAccepted("Mq7#De2!Xw9$Hi");
  ExpectAccepted("Ab3$Kq8!Zy5%Rs");
}

TEST(PassphraseStrengthTest, BoundaryAtEightyBits) {
  // Random-looking lower case: 17 letters are 17 log2 26 = 79.9 bits, 18 are
  // 84.6.
  EXPECT_EQ(EstimatePassphraseStrength("xkqmvtpwzjrhdgnfc").bits, 79);
  EXPECT_EQ(EstimatePassphraseStrength("xkqmvtpwzjrhdgnfck").bits, 84);
  EXPECT_FALSE(CheckPassphraseStrength(SecretString("xkqmvtpwzjrhdgnfc")).ok());
  EXPECT_TRUE(CheckPassphraseStrength(SecretString("xkqmvtpwzjrhdgnfck")).ok());
  // Mixed classes widen the pool: 14 symbols of 95 = 91 bits.
  EXPECT_EQ(EstimatePassphraseStrength("Tq7#vZ2k!Rw9$m").bits, 91);
  // The generator's format: 16 symbols are exactly 80 bits, 15 are 75.
  EXPECT_EQ(EstimatePassphraseStrength("7KQ2-XC9R-T4HB-WNPZ").bits, 80);
  EXPECT_TRUE(CheckPassphraseStrength(SecretString("7KQ2-XC9R-T4HB-WNPZ")).ok());
  EXPECT_EQ(EstimatePassphraseStrength("7KQ2-XC9R-T4HB-WNP").bits, 75);
  EXPECT_FALSE(CheckPassphraseStrength(SecretString("7KQ2-XC9R-T4HB-WNP")).ok());
  EXPECT_EQ(EstimatePassphraseStrength("7KQ2XC9RT4HBWNPZ").bits, 80);
  EXPECT_EQ(EstimatePassphraseStrength("7KQ2-XC9R-T4HB-WNPZ-3LAE").bits, 100);
  // Pairs that look like a run or a sequence are part of a random draw.
  EXPECT_EQ(EstimatePassphraseStrength("EF77-RT4K-9QWX-MHZC").bits, 80);
  // A threshold above the estimate refuses.
  EXPECT_FALSE(CheckPassphraseStrength(SecretString("7KQ2-XC9R-T4HB-WNPZ"), 81).ok());
  // A word and a year cost their list, not their length: 20 lower case
  // letters and digits would be 103 bits; these are far less.
  EXPECT_LT(EstimatePassphraseStrength("sakuratokyo20242025x").bits, 60);
}

TEST(PassphraseStrengthTest, WeakStringsInTheGeneratorsFormatAreCaught) {
  ExpectRefused("AAAA-AAAA-AAAA-AAAA-AAAA", "repeats the piece at character 1 20 times");
  ExpectRefused("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "repeats the piece at character 1 30 times");
  ExpectRefused("ABCD-ABCD-ABCD-ABCD-ABCD", "repeats the piece at characters 1-4 5 times");
  ExpectRefused("2345-6789-ABCD-EFGH-JKLM", "contains a sequence (characters ");
  ExpectRefused("ZYXW-VUTS-RQPN-MLKJ-HGFE", "contains a sequence (characters ");
  ExpectRefused("QWER-TYUP-ASDF-GHJK-ZXCV", "follows a keyboard row");
  ExpectRefused("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "repeats the piece at character 1 4 times");
  ExpectRefused("MASTER-SECRET-SUMMER-WINTER", "contains a common password (characters 1-6)");
}

TEST(PassphraseStrengthTest, LongInputsAreBounded) {
  // Only the first 256 code points count; the work stays small for any input.
  ExpectRefused(std::string(1 << 20, 'a'), "repeats the piece at character 1 256 times");
  std::string random;
  for (int i = 0; i < 1 << 16; ++i) random.push_back(kPasswordAlphabet[(i * 7919 + i / 32) % 32]);
  EXPECT_GE(EstimatePassphraseStrength(random).bits, 80);
  // A short weak passphrase is located, never quoted.
  Status st = CheckPassphraseStrength(SecretString("qwerty"));
  EXPECT_NE(st.message().find("(characters 1-6)"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("qwe"), std::string::npos) << st.message();
  st = CheckPassphraseStrength(SecretString("password"));
  EXPECT_NE(st.message().find("(characters 1-8)"), std::string::npos) << st.message();
  // Invalid UTF-8 still counts, as characters of its own.
  EXPECT_GE(EstimatePassphraseStrength("\xff\xfe\x80" "abc\xc3").bits, 1);
}

// Every password the generator prints passes a threshold at or below its
// bits: 10,000 each at 80 and 100 bits, grouped and not.
TEST(PassphraseStrengthTest, EveryGeneratedPasswordPasses) {
  for (int bits : {80, 100}) {
    for (int group : {4, 0}) {
      int refused = 0;
      for (int i = 0; i < 10000; ++i) {
        auto pw = GeneratePassword(*Env::Default(), PasswordOptions{bits, group});
        ASSERT_TRUE(pw.ok()) << pw.status().ToString();
        PassphraseStrength s = EstimatePassphraseStrength(pw->password.view());
        if (s.bits != pw->entropy_bits || !CheckPassphraseStrength(pw->password, bits).ok()) {
          ++refused;
          ADD_FAILURE() << pw->password.view() << ": " << Weaknesses(s);
        }
      }
      EXPECT_EQ(refused, 0) << bits << " bits, group " << group;
    }
  }
}

TEST(DeliveryChannelTest, ParsesExactlyTheFourChannels) {
  for (const char* c : {"phone", "sms", "letter", "in-person"}) {
    auto ch = ParseDeliveryChannel(c);
    ASSERT_TRUE(ch.ok()) << c;
    EXPECT_EQ(DeliveryChannelName(*ch), c);
  }
  for (const char* c : {"email", "Phone", "", "fax"}) {
    EXPECT_EQ(ParseDeliveryChannel(c).status().code(), StatusCode::kInvalidArgument) << c;
  }
}

}  // namespace
}  // namespace custody
