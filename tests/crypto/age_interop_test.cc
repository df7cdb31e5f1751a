// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Interoperability with the reference implementation: the Debian `age` and
// `age-keygen` 1.1.1 binaries. Both directions at chunk-boundary sizes, with
// several recipients, ASCII armor and passphrases (age reads passphrases
// only from a terminal, so those runs go through `script`, which gives it a
// pty fed from our stdin), and X25519 recipient derivation against
// `age-keygen -y`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "crypto/age.h"
#include "custody/env.h"
#include "support/temp_dir.h"

namespace custody::age {
namespace {

constexpr size_t kChunk = 64 * 1024;
// Also around custody's 16-chunk sealing batches (two halves on two threads).
const size_t kSizes[] = {0, 1, kChunk - 1, kChunk, kChunk + 1, 300 * 1024 + 7, 16 * kChunk, 16 * kChunk + 1, 33 * kChunk - 5};

bool HaveTool(const std::string& name) {
  return RunCommand({"sh", "-c", "command -v " + name}).exit_code == 0;
}

#define REQUIRE_TOOL(name)                              \
  if (!HaveTool(name))                                  \
  GTEST_SKIP() << "the `" name                          \
                  "` binary is not installed (apt-get " \
                  "install age)"

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 7;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

X25519Identity NewIdentity() {
  auto id = X25519Identity::Generate(*Env::Default());
  EXPECT_TRUE(id.ok());
  return std::move(*id);
}

// Writes an identity file as age-keygen would (0600).
std::string WriteIdentityFile(const TempDir& dir, const std::string& name,
                              const X25519Identity& id) {
  std::string path = dir.path() + "/" + name;
  WriteFileOrDie(path, std::string(id.ToString().view()) + "\n");
  ::chmod(path.c_str(), 0600);
  return path;
}

Result<std::string> CustodyDecrypt(const std::string& ct,
                                   const std::vector<const IdentityUnwrapper*>& ids) {
  auto pt = Decrypt(ct, ids);
  if (!pt.ok()) return pt.status();
  return std::string(pt->view());
}

TEST(AgeInteropTest, RecipientDerivationMatchesAgeKeygen) {
  REQUIRE_TOOL("age-keygen");
  // Keys made by age-keygen: our parse and derivation equal its public key.
  for (int i = 0; i < 3; ++i) {
    CommandResult gen = RunCommand({"age-keygen"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::string secret, public_key;
    size_t p = gen.out.find("AGE-SECRET-KEY-1");
    ASSERT_NE(p, std::string::npos);
    secret = gen.out.substr(p, gen.out.find('\n', p) - p);
    size_t q = gen.out.find("# public key: ");
    ASSERT_NE(q, std::string::npos);
    public_key = gen.out.substr(q + 14, gen.out.find('\n', q) - q - 14);
    auto id = X25519Identity::Parse(secret);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->Recipient().ToString(), public_key);
    EXPECT_EQ(id->ToString().view(), secret);
  }
  // Keys made by custody: age-keygen -y derives the same recipient.
  for (int i = 0; i < 3; ++i) {
    X25519Identity id = NewIdentity();
    CommandResult y = RunCommand({"age-keygen", "-y"}, std::string(id.ToString().view()) + "\n");
    ASSERT_EQ(y.exit_code, 0) << y.err;
    EXPECT_EQ(y.out, id.Recipient().ToString() + "\n");
  }
}

TEST(AgeInteropTest, AgeEncryptsCustodyDecrypts) {
  REQUIRE_TOOL("age");
  X25519Identity a = NewIdentity(), b = NewIdentity(), stranger = NewIdentity();
  for (bool armor : {false, true}) {
    for (size_t n : kSizes) {
      std::string pt = Pattern(n, static_cast<uint32_t>(n));
      std::vector<std::string> args = {"age", "-r", a.Recipient().ToString(), "-r",
                                       b.Recipient().ToString()};
      if (armor) args.push_back("-a");
      CommandResult enc = RunCommand(args, pt);
      ASSERT_EQ(enc.exit_code, 0) << enc.err;
      for (const X25519Identity* id : {&a, &b}) {
        auto got = CustodyDecrypt(enc.out, {id});
        ASSERT_TRUE(got.ok()) << "armor=" << armor << " n=" << n << ": " << got.status().ToString();
        EXPECT_TRUE(*got == pt) << "armor=" << armor << " n=" << n;
      }
      EXPECT_EQ(CustodyDecrypt(enc.out, {&stranger}).status().code(), StatusCode::kWrongKey);
    }
  }
}

TEST(AgeInteropTest, CustodyEncryptsAgeDecrypts) {
  REQUIRE_TOOL("age");
  TempDir dir;
  X25519Identity a = NewIdentity(), b = NewIdentity(), stranger = NewIdentity();
  std::string a_file = WriteIdentityFile(dir, "a.txt", a);
  std::string b_file = WriteIdentityFile(dir, "b.txt", b);
  std::string stranger_file = WriteIdentityFile(dir, "s.txt", stranger);
  for (bool armor : {false, true}) {
    for (size_t n : kSizes) {
      std::string pt = Pattern(n, static_cast<uint32_t>(n) + 1);
      EncryptOptions options;
      options.armor = armor ? Armor::kArmored : Armor::kBinary;
      auto ct = Encrypt(pt, {&a.Recipient(), &b.Recipient()}, options);
      ASSERT_TRUE(ct.ok()) << ct.status().ToString();
      for (const std::string& file : {a_file, b_file}) {
        CommandResult dec = RunCommand({"age", "-d", "-i", file}, *ct);
        ASSERT_EQ(dec.exit_code, 0) << "armor=" << armor << " n=" << n << ": " << dec.err;
        EXPECT_TRUE(dec.out == pt) << "armor=" << armor << " n=" << n;
      }
      CommandResult wrong = RunCommand({"age", "-d", "-i", stranger_file}, *ct);
      EXPECT_NE(wrong.exit_code, 0);
    }
  }
}

TEST(AgeInteropTest, AgeRejectsTamperedCustodyFiles) {
  REQUIRE_TOOL("age");
  TempDir dir;
  X25519Identity a = NewIdentity();
  std::string a_file = WriteIdentityFile(dir, "a.txt", a);
  std::string pt = Pattern(kChunk + 10, 9);
  auto ct = Encrypt(pt, {&a.Recipient()});
  ASSERT_TRUE(ct.ok());
  // A flipped header byte, a flipped payload byte, a cut at the chunk
  // boundary: age refuses each, as custody does (age_test.cc).
  size_t payload = ct->find("\n--- ") + 49;
  for (size_t i : {size_t{30}, payload + 20, ct->size() - 3}) {
    std::string t = *ct;
    t[i] = static_cast<char>(t[i] ^ 1);
    EXPECT_NE(RunCommand({"age", "-d", "-i", a_file}, t).exit_code, 0) << i;
  }
  std::string cut = ct->substr(0, payload + 16 + kChunk + 16);
  EXPECT_NE(RunCommand({"age", "-d", "-i", a_file}, cut).exit_code, 0);
}

// age -p / age -d on a passphrase file, through a pty from `script`. The
// passphrase goes on the pty's input, never in argv.
CommandResult AgeOnTty(const std::string& command, const std::string& tty_input) {
  return RunCommand({"script", "-qec", command, "/dev/null"}, tty_input);
}

TEST(AgeInteropTest, PassphraseBothDirections) {
  REQUIRE_TOOL("age");
  REQUIRE_TOOL("script");
  TempDir dir;
  const std::string passphrase = "correct horse battery staple";
  std::string pt = Pattern(kChunk + 100, 3);
  WriteFileOrDie(dir.path() + "/plain", pt);

  // age encrypts (its default work factor, 2^18, which the CLI cannot
  // lower); custody decrypts.
  CommandResult enc = AgeOnTty("age -p -o " + dir.path() + "/by_age.age " + dir.path() + "/plain",
                               passphrase + "\n" + passphrase + "\n");
  ASSERT_EQ(enc.exit_code, 0) << enc.out << enc.err;
  std::string by_age = ReadFileOrDie(dir.path() + "/by_age.age");
  ASSERT_NE(by_age.find("\n-> scrypt "), std::string::npos);
  auto id = ScryptIdentity::Create(SecretString(passphrase));
  ASSERT_TRUE(id.ok());
  auto got = CustodyDecrypt(by_age, {&*id});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == pt);

  // custody encrypts; age decrypts. At 2^12 rather than the default 2^18:
  // scrypt at 2^18 costs seconds on a loaded machine, and the work factor
  // changes no byte of the format (age_test.cc checks the default is 18; age
  // accepts any factor up to 2^22).
  auto r = ScryptRecipient::Create(SecretString(passphrase), 12);
  ASSERT_TRUE(r.ok());
  auto ct = Encrypt(pt, {&*r});
  ASSERT_TRUE(ct.ok());
  ASSERT_NE(ct->find(" 12\n"), std::string::npos);
  WriteFileOrDie(dir.path() + "/by_custody.age", *ct);
  CommandResult dec = AgeOnTty("age -d -o " + dir.path() + "/out " + dir.path() + "/by_custody.age",
                               passphrase + "\n");
  ASSERT_EQ(dec.exit_code, 0) << dec.out << dec.err;
  EXPECT_TRUE(ReadFileOrDie(dir.path() + "/out") == pt);
}

}  // namespace
}  // namespace custody::age
