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

TEST(PassphraseStrengthTest, MeasuresLikeTheGenerator) {
  // 17 random-looking lowercase letters: 17 * log2(26) = 79.9 -> refused;
  // 18: 84.6 -> accepted.
  EXPECT_EQ(EstimatePassphraseStrength("xkqmvtpwzjrhdgnfc").bits, 79);
  EXPECT_EQ(EstimatePassphraseStrength("xkqmvtpwzjrhdgnfck").bits, 84);
  EXPECT_FALSE(CheckPassphraseStrength(SecretString("xkqmvtpwzjrhdgnfc")).ok());
  EXPECT_TRUE(CheckPassphraseStrength(SecretString("xkqmvtpwzjrhdgnfck")).ok());
  // Mixed classes widen the pool: 14 symbols of 95 = 91 bits.
  EXPECT_EQ(EstimatePassphraseStrength("Tq7#vZ2k!Rw9$m").bits, 91);
  // Non-ASCII (Japanese) counts as a wide class.
  EXPECT_GE(EstimatePassphraseStrength("新潟市情報政策課の預かり証番号四二").bits, 80);
}

TEST(PassphraseStrengthTest, KnownWeakPatternsCountForNothing) {
  struct Case {
    const char* text;
    const char* weakness;
  };
  for (Case c : {Case{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "repeated characters"},
                 Case{"abcdefghijklmnopqrstuvwxyz", "a sequence like abcd or 1234"},
                 Case{"qwertyuiopasdfghjklzxcvbnm", "a keyboard row like qwerty"},
                 Case{"Password1234567890Password", "a common password or word"},
                 Case{"P@ssw0rdP@ssw0rdP@ssw0rd!!", "a common password or word"},
                 Case{"custody-custody-custody-2026", "a common password or word"}}) {
    PassphraseStrength s = EstimatePassphraseStrength(c.text);
    EXPECT_LT(s.bits, kMinimumPassphraseBits) << c.text;
    EXPECT_NE(std::find(s.weaknesses.begin(), s.weaknesses.end(), c.weakness), s.weaknesses.end())
        << c.text;
    Status st = CheckPassphraseStrength(SecretString(c.text));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(st.message().find(c.weakness), std::string::npos) << st.message();
    // The refusal never repeats the passphrase.
    EXPECT_EQ(st.message().find(c.text), std::string::npos);
  }
  EXPECT_EQ(CheckPassphraseStrength(SecretString("")).code(), StatusCode::kInvalidArgument);
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
