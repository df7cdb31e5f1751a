// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The zip package format's libarchive adapters (src/package/zip.cc).
#ifndef CUSTODY_SRC_PACKAGE_ZIP_IO_H_
#define CUSTODY_SRC_PACKAGE_ZIP_IO_H_

#include <cstdint>
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

// Where the parts of a zip package are, as ReadZipLayout found them.
struct ZipLayout {
  uint64_t file_size = 0;
  uint64_t data_offset = 0;         // The entry's data: salt, verifier, ciphertext, HMAC.
  uint64_t compressed_size = 0;     // Of that data (the inner tar + 28 bytes).
  uint64_t uncompressed_size = 0;   // Of the inner tar.
  uint32_t crc32 = 0;               // 0 in AE-2.
  uint16_t aes_vendor_version = 0;  // 1 (AE-1) or 2 (AE-2).
  uint64_t descriptor_offset = 0;   // The data descriptor (PK\7\8) after the data.
  uint64_t central_offset = 0;      // The central directory, right after the descriptor.
  uint64_t central_size = 0;
};

// Reads a zip package's structure directly, with bounded reads, and
// refuses anything but the layout custody writes, so that every zip tool
// (7-Zip reads the central directory first, custody's own reader the local
// header) sees the same single entry: the end record at the very end (no
// bytes after it, no comment; Zip64 end records right before it when
// present), exactly one central directory entry right after the entry's
// data descriptor, naming custody-package.tar at offset 0, encrypted with
// WinZip AES-256 (method 99, extra field 0x9901, stored inner method), with
// the same flags, name, AES field, sizes and CRC as the local header and
// the data descriptor, and AE-2's CRC of 0. kCorruption otherwise
// (kTruncated when the file has no end record at all); the file's own read
// errors as they are.
Result<ZipLayout> ReadZipLayout(RandomAccessFile& file);

// True if the file starts like a zip (local file header).
bool LooksLikeZip(std::string_view first_bytes);

// The decrypted inner tar of a zip package, as a ByteSource. Open checks
// the structure (ReadZipLayout), then reads the entry with libarchive's
// seekable zip reader, which takes the entry's size from the central
// directory just checked (its streaming reader instead ends an AE-2 entry
// at the first "PK\7\8" in the ciphertext: about one 1 GiB package in five
// would fail its HMAC check). Read returns 0 only after the entry
// ended, its HMAC-SHA1 checked by libarchive. kWrongKey for a wrong
// password. `file` must outlive the ZipSource. Holds the C.UTF-8 thread
// locale for its lifetime.
class ZipSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<ZipSource>> Open(RandomAccessFile* file,
                                                 const SecretString& passphrase);
  const ZipLayout& layout() const;
  ~ZipSource() override;
  Result<size_t> Read(uint8_t* buf, size_t n) override;
  struct Impl;

 private:
  explicit ZipSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custody::package

#endif  // CUSTODY_SRC_PACKAGE_ZIP_IO_H_
