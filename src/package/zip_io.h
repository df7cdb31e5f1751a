// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The zip package format's libarchive adapters (src/package/zip.cc).
#ifndef CUSTODY_SRC_PACKAGE_ZIP_IO_H_
#define CUSTODY_SRC_PACKAGE_ZIP_IO_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/byte_stream.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody {
class Env;
class RandomAccessFile;
}

namespace custody::package {

// The one entry of a zip package: the same tar an age package carries.
inline constexpr std::string_view kZipInnerName = "custody-package.tar";

struct GeneratedZipPassword {
  SecretString password;
  std::string id;  // Random, independent of the password; recorded.
};
// A password for a zip package: custody/password.h's generator (100 bits,
// grouped) when the keystore layer is built in, else the same construction
// here (32-symbol alphabet without look-alikes, rejection sampling).
Result<GeneratedZipPassword> GenerateZipPassword(Env& env);

// kInvalidArgument unless the password is long, printable ASCII.
Status CheckZipPassphrase(const SecretString& passphrase);

// Reads the zip's central directory (what 7-Zip reads): exactly one entry,
// custody-package.tar. kCorruption otherwise (e.g. a cut after the data);
// the file's own read errors as they are.
Status CheckZipDirectory(RandomAccessFile& file);

// True if the file starts like a zip (local file header).
bool LooksLikeZip(std::string_view first_bytes);

// The decrypted inner tar of a zip package, as a ByteSource. Open reads the
// entry header and refuses anything but one encrypted custody-package.tar;
// Read returns 0 only after the entry ended (its AES-2 HMAC checked by
// libarchive) and no other entry follows. kWrongKey for a wrong password.
// Holds the C.UTF-8 thread locale for its lifetime.
class ZipSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<ZipSource>> Open(ByteSource* source, const SecretString& passphrase);
  ~ZipSource() override;
  Result<size_t> Read(uint8_t* buf, size_t n) override;
  struct Impl;

 private:
  explicit ZipSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_ZIP_IO_H_
