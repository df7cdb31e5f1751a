// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// age throughput: custody's streaming encryptor/decryptor against the
// reference `age` binary on the same file in the same run, printing MiB/s and
// the ratio. Each side decrypts what the other encrypted, so the run is also
// a large-file interoperability check.
//
//   age_bench [MiB=256]
//
// Links libcustody (src/ on the include path), like the other benchmarks.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "crypto/age.h"
#include "custody/env.h"

namespace {

using custody::Status;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "age_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.ToString());
}

class FileSource final : public custody::ByteSource {
 public:
  explicit FileSource(const std::string& path) : f_(std::fopen(path.c_str(), "rb")) {
    if (f_ == nullptr) Die("cannot open " + path);
  }
  ~FileSource() override { std::fclose(f_); }
  custody::Result<size_t> Read(uint8_t* buf, size_t n) override {
    size_t k = std::fread(buf, 1, n, f_);
    if (k == 0 && std::ferror(f_)) return custody::IoError("read failed");
    return k;
  }

 private:
  FILE* f_;
};

int RunShell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  if (mib == 0) Die("usage: age_bench [MiB]");
  if (RunShell("command -v age >/dev/null") != 0) Die("the reference `age` binary is missing");
  char tmpl[] = "/tmp/custody-age-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) Die("mkdtemp");
  const std::string dir = tmpl;
  const std::string plain = dir + "/plain", by_custody = dir + "/by_custody.age",
                    by_age = dir + "/by_age.age", key_file = dir + "/key.txt";

  // Input: pseudo-random bytes (content does not change ChaCha20's speed).
  {
    FILE* f = std::fopen(plain.c_str(), "wb");
    std::vector<uint32_t> block(1 << 18);
    uint32_t x = 1;
    for (size_t i = 0; i < mib; ++i) {
      for (auto& w : block) w = x = x * 1664525u + 1013904223u;
      std::fwrite(block.data(), 4, block.size(), f);
    }
    std::fclose(f);
  }
  auto id = custody::age::X25519Identity::Generate(*custody::Env::Default());
  if (!id.ok()) Die(id.status().ToString());
  {
    FILE* f = std::fopen(key_file.c_str(), "wb");
    ::chmod(key_file.c_str(), 0600);
    std::fprintf(f, "%s\n", std::string(id->ToString().view()).c_str());
    std::fclose(f);
  }
  const std::string recipient = id->Recipient().ToString();

  // Encrypt: custody, then age.
  auto t0 = Clock::now();
  {
    FILE* out = std::fopen(by_custody.c_str(), "wb");
    custody::FunctionSink sink([&](std::string_view d) {
      return std::fwrite(d.data(), 1, d.size(), out) == d.size() ? Status::Ok()
                                                                  : custody::IoError("write");
    });
    auto enc = custody::age::AgeEncryptor::Create({&id->Recipient()}, &sink);
    if (!enc.ok()) Die(enc.status().ToString());
    FileSource in(plain);
    std::vector<uint8_t> buf(1 << 20);
    while (true) {
      auto n = in.Read(buf.data(), buf.size());
      if (!n.ok()) Die(n.status().ToString());
      if (*n == 0) break;
      Check((*enc)->Write(std::string_view(reinterpret_cast<char*>(buf.data()), *n)), "encrypt");
    }
    Check((*enc)->Finish(), "finish");
    std::fclose(out);
  }
  auto t1 = Clock::now();
  if (RunShell("age -r " + recipient + " -o " + by_age + " " + plain) != 0) Die("age -r failed");
  auto t2 = Clock::now();
  double enc_custody = Seconds(t0, t1), enc_age = Seconds(t1, t2);

  // Decrypt what the other side made: custody reads age's file, age reads ours.
  t0 = Clock::now();
  {
    FileSource in(by_age);
    auto dec = custody::age::AgeDecryptor::Open(&in, {&*id});
    if (!dec.ok()) Die(dec.status().ToString());
    uint64_t total = 0;
    custody::FunctionSink sink([&](std::string_view d) {
      total += d.size();
      return Status::Ok();
    });
    Check((*dec)->ReadAll(&sink), "decrypt");
    if (total != mib << 20) Die("custody decrypted a different size");
  }
  t1 = Clock::now();
  if (RunShell("age -d -i " + key_file + " -o /dev/null " + by_custody) != 0) {
    Die("age -d failed on custody's file");
  }
  t2 = Clock::now();
  double dec_custody = Seconds(t0, t1), dec_age = Seconds(t1, t2);

  std::printf("age v1, X25519, %zu MiB (file to file)\n", mib);
  std::printf("  encrypt: custody %7.1f MiB/s  age %7.1f MiB/s  ratio custody/age %.2f\n",
              mib / enc_custody, mib / enc_age, enc_age / enc_custody);
  std::printf("  decrypt: custody %7.1f MiB/s  age %7.1f MiB/s  ratio custody/age %.2f\n",
              mib / dec_custody, mib / dec_age, dec_age / dec_custody);

  // scrypt at the default work factor (2^18): one wrap, the cost of every
  // passphrase encryption and decryption.
  auto r = custody::age::ScryptRecipient::Create(custody::SecretString("bench passphrase"));
  if (!r.ok()) Die(r.status().ToString());
  t0 = Clock::now();
  auto ct = custody::age::Encrypt("x", {&*r});
  t1 = Clock::now();
  if (!ct.ok()) Die(ct.status().ToString());
  std::printf("  scrypt 2^18 wrap: custody %.2f s\n", Seconds(t0, t1));

  RunShell("rm -rf " + dir);
  return 0;
}
