// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// AES-256 zip packages (WinZip AE-2, written by libarchive and patched) for
// recipients who only have 7-Zip. docs/formats/package.md, "Zip packages", lists the
// format's weaknesses and how each is handled here:
// - names, sizes, dates are in clear and unauthenticated: the zip holds ONE
//   entry, custody-package.tar, the same signed tar as an age package;
// - AE-1 stores the CRC-32 of the plaintext in clear, AE-2 does not:
//   libarchive writes AE-1, which Ae2Sink turns into AE-2 on its way out;
// - PBKDF2-SHA1 with 1000 rounds: only generated passwords of >= 100 bits
//   (the CLI's job; the library refuses short or non-ASCII ones);
// - an empty passphrase is silently accepted by libarchive: refused here;
// - a failed write can leave a broken archive that reports success: every
//   return value is checked, the sink's own error is kept, and the finished
//   file is read back and verified before it is renamed into place;
// - the directory is unauthenticated, and tools read different parts (7-Zip
//   the central directory, custody's reader the local header): the reader
//   refuses any layout but the one custody writes (ReadZipLayout).
#include "package/zip_io.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "common/time_util.h"
#include "custody/env.h"
#include "custody/package.h"
#if __has_include("custody/password.h")
#include "custody/password.h"
#endif
#include "package/package_internal.h"
#include "package/tar_writer.h"

namespace custody::package {

namespace {

// The zip records custody reads and patches (APPNOTE 6.3.9; WinZip's AES
// appendix for field 0x9901).
constexpr uint32_t kZipLocalSig = 0x04034b50, kZipCentralSig = 0x02014b50, kZipEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50,
                   kZipDescriptorSig = 0x08074b50;
constexpr size_t kZipLocalHeaderSize = 30, kZipCentralHeaderSize = 46, kZipEndSize = 22;
constexpr size_t kZip64EndSize = 56, kZip64LocatorSize = 20;
constexpr size_t kZipDescriptorSize = 16, kZipDescriptor64Size = 24;  // With their signature.
constexpr size_t kZipMaxCentralSize = 64 * 1024;  // custody's is about 100 bytes.
constexpr uint16_t kZipFlagEncrypted = 0x0001, kZipFlagDescriptor = 0x0008, kZipFlagUtf8 = 0x0800;
constexpr uint16_t kZipMethodAes = 99, kZipExtraAes = 0x9901, kZipExtraZip64 = 0x0001;
constexpr uint64_t kZipAesOverhead = 16 + 2 + 10;  // AES-256 salt, password verifier, HMAC.

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Le32(const uint8_t* p) { return Le16(p) | (static_cast<uint32_t>(Le16(p + 2)) << 16); }
uint64_t Le64(const uint8_t* p) { return Le32(p) | (static_cast<uint64_t>(Le32(p + 4)) << 32); }
void PutLe16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v & 0xFF);
  p[1] = static_cast<char>(v >> 8);
}

// Offset, within an extra block, of the data of the AES field (0x9901);
// npos if there is none or the block is malformed.
size_t FindAesField(std::string_view extra) {
  size_t at = 0;
  while (extra.size() - at >= 4) {
    const auto* p = reinterpret_cast<const uint8_t*>(extra.data() + at);
    const uint16_t id = Le16(p), size = Le16(p + 2);
    if (extra.size() - at - 4 < size) return std::string_view::npos;
    if (id == kZipExtraAes && size == 7) return at + 4;
    at += 4 + size;
  }
  return std::string_view::npos;
}

// Makes libarchive's zip AE-2 on its way to the file. libarchive 3.6.2
// writes AE-1 for any entry of 20 bytes or more (archive_write_set_format_zip.c:
// "we simulate what WinZip 11 does"), which keeps the CRC-32 of the
// plaintext in clear, and has no option for AE-2. AE-2 differs from AE-1
// only in the vendor version (2) and CRC fields of 0: the key derivation,
// the encryption and the HMAC (over the ciphertext) are the same. So the
// local header is held until it is complete and its AES field set to 2 (its
// CRC is 0 already: the entry is streamed), and the last bytes are held
// until the archive is closed, to zero the CRC in the data descriptor and
// the central directory and set the central AES field to 2. Nothing is
// written in place in the file, and the file is read back and checked
// (ReadZipLayout requires AE-2's zero CRC) before it is renamed.
class Ae2Sink final : public ByteSink {
 public:
  explicit Ae2Sink(ByteSink* out) : out_(out) {}

  Status Write(std::string_view data) override {
    if (!head_done_) {
      const size_t take = std::min(data.size(), HeadWanted() - head_.size());
      head_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (head_.size() < HeadWanted()) return Status::Ok();
      if (head_.size() == kZipLocalHeaderSize) {
        // The fixed part is in: now the name and extra fields.
        const auto* h = reinterpret_cast<const uint8_t*>(head_.data());
        head_size_ = kZipLocalHeaderSize + Le16(h + 26) + Le16(h + 28);
        if (head_.size() < head_size_) return Write(data);
      }
      CUSTODY_RETURN_IF_ERROR(PatchHead());
      CUSTODY_RETURN_IF_ERROR(out_->Write(head_));
      written_ = head_.size();
      head_done_ = true;
      if (data.empty()) return Status::Ok();
    }
    tail_.append(data);
    if (tail_.size() >= 2 * kHeld) {
      const size_t pass = tail_.size() - kHeld;
      CUSTODY_RETURN_IF_ERROR(out_->Write(std::string_view(tail_).substr(0, pass)));
      tail_.erase(0, pass);
      written_ += pass;
    }
    return Status::Ok();
  }

  // After libarchive closed the archive: patches and writes what is held.
  Status Finish() {
    if (!head_done_ || tail_.size() < kZipEndSize) {
      return InternalError("the zip ended before its end record");
    }
    auto at = [this](uint64_t offset) {
      return reinterpret_cast<uint8_t*>(tail_.data() + (offset - written_));
    };
    const uint64_t total = written_ + tail_.size();
    uint8_t* end = at(total - kZipEndSize);
    if (Le32(end) != kZipEndSig || Le16(end + 20) != 0 || Le16(end + 10) != 1) {
      return InternalError("libarchive's zip does not end with the expected end record");
    }
    uint64_t central_offset = Le32(end + 16);
    if (tail_.size() >= kZipEndSize + kZip64LocatorSize &&
        Le32(end - kZip64LocatorSize) == kZip64LocatorSig) {
      const uint64_t record = Le64(end - kZip64LocatorSize + 8);
      if (record < written_ || record + kZip64EndSize > total) {
        return InternalError("unexpected Zip64 end record");
      }
      central_offset = Le64(at(record) + 48);
    }
    const uint64_t descriptor_size = zip64_descriptor_ ? kZipDescriptor64Size : kZipDescriptorSize;
    if (central_offset < written_ + descriptor_size ||
        central_offset + kZipCentralHeaderSize > total) {
      return InternalError("libarchive's zip directory is not where it was expected");
    }
    uint8_t* descriptor = at(central_offset - descriptor_size);
    uint8_t* central = at(central_offset);
    if (Le32(descriptor) != kZipDescriptorSig || Le32(central) != kZipCentralSig) {
      return InternalError(
          "libarchive's zip data descriptor or directory is not where it was expected");
    }
    std::memset(descriptor + 4, 0, 4);  // CRC-32
    std::memset(central + 16, 0, 4);    // CRC-32
    const size_t name_len = Le16(central + 28), extra_len = Le16(central + 30);
    if (central_offset + kZipCentralHeaderSize + name_len + extra_len > total) {
      return InternalError("libarchive's zip directory entry is cut");
    }
    char* extra = reinterpret_cast<char*>(central) + kZipCentralHeaderSize + name_len;
    const size_t aes = FindAesField(std::string_view(extra, extra_len));
    if (aes == std::string_view::npos) {
      return InternalError("libarchive wrote no AES field in the zip directory");
    }
    PutLe16(extra + aes, 2);
    CUSTODY_RETURN_IF_ERROR(out_->Write(tail_));
    written_ = total;
    tail_.clear();
    return Status::Ok();
  }

 private:
  // More than the data descriptor, the central directory and the end
  // records that libarchive writes after the entry's data (about 200 bytes).
  static constexpr size_t kHeld = 64 * 1024;

  size_t HeadWanted() const { return head_size_ == 0 ? kZipLocalHeaderSize : head_size_; }

  Status PatchHead() {
    const auto* h = reinterpret_cast<const uint8_t*>(head_.data());
    const uint16_t flags = Le16(h + 6);
    if (Le32(h) != kZipLocalSig || Le16(h + 8) != kZipMethodAes ||
        (flags & kZipFlagEncrypted) == 0 || (flags & kZipFlagDescriptor) == 0 ||
        Le32(h + 14) != 0) {
      return InternalError("libarchive's zip entry header is not a streamed AES entry");
    }
    const size_t name_len = Le16(h + 26);
    std::string_view extra = std::string_view(head_).substr(kZipLocalHeaderSize + name_len);
    const size_t aes = FindAesField(extra);
    if (aes == std::string_view::npos) {
      return InternalError("libarchive wrote no AES field in the zip entry header");
    }
    PutLe16(head_.data() + kZipLocalHeaderSize + name_len + aes, 2);
    // libarchive writes a 64-bit data descriptor when the header has a
    // Zip64 field (it does for an entry of unknown size).
    for (size_t at = 0; extra.size() - at >= 4;) {
      const auto* p = reinterpret_cast<const uint8_t*>(extra.data() + at);
      if (Le16(p) == kZipExtraZip64) zip64_descriptor_ = true;
      at += 4 + Le16(p + 2);
    }
    return Status::Ok();
  }

  ByteSink* out_;
  std::string head_, tail_;
  size_t head_size_ = 0;
  bool head_done_ = false;
  bool zip64_descriptor_ = false;
  uint64_t written_ = 0;  // Bytes passed on: the offset of tail_[0].
};

// libarchive's seekable zip reader over a RandomAccessFile (the Env's), so
// the entry is read where the structure was checked. An error of the file
// is kept, to be returned as it is rather than as a damaged zip.
struct SeekableZipInput {
  RandomAccessFile* file = nullptr;
  int64_t position = 0;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(kIoBufferSize);
  Status error;

  static la_ssize_t Read(struct archive* a, void* ctx, const void** out) {
    auto* in = static_cast<SeekableZipInput*>(ctx);
    auto got =
        in->file->ReadAt(static_cast<uint64_t>(in->position), in->buffer.data(), in->buffer.size());
    if (!got.ok()) {
      in->error = got.status();
      archive_set_error(a, EIO, "%s", got.status().message().c_str());
      return -1;
    }
    in->position += static_cast<int64_t>(*got);
    *out = in->buffer.data();
    return static_cast<la_ssize_t>(*got);
  }
  static la_int64_t Seek(struct archive*, void* ctx, la_int64_t offset, int whence) {
    auto* in = static_cast<SeekableZipInput*>(ctx);
    const int64_t base = whence == SEEK_SET   ? 0
                         : whence == SEEK_CUR ? in->position
                                              : static_cast<int64_t>(in->file->size());
    if (base + offset < 0) return ARCHIVE_FATAL;
    in->position = base + offset;
    return in->position;
  }
};

// Writes into the single zip entry.
class ZipEntrySink final : public ByteSink {
 public:
  ZipEntrySink(struct archive* a, const Status* sink_error) : a_(a), sink_error_(sink_error) {}
  Status Write(std::string_view data) override {
    while (!data.empty()) {
      la_ssize_t n = archive_write_data(a_, data.data(), data.size());
      if (!sink_error_->ok()) return *sink_error_;
      if (n <= 0) {
        const char* m = archive_error_string(a_);
        return IoError(std::string("writing the zip failed: ") + (m ? m : "unknown libarchive error"));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

 private:
  struct archive* a_;
  const Status* sink_error_;
};

struct ZipWriteState {
  ByteSink* out;
  Status error;
  bool abandoned = false;  // Set when the archive is dropped unclosed: output is discarded.
};

la_ssize_t ZipWriteCallback(struct archive* a, void* self, const void* buf, size_t n) {
  auto* st = static_cast<ZipWriteState*>(self);
  if (st->abandoned) return static_cast<la_ssize_t>(n);
  Status s = st->out->Write(std::string_view(static_cast<const char*>(buf), n));
  if (!s.ok()) {
    st->error = s;
    archive_set_error(a, EIO, "%s", "output failed");
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

}  // namespace

#if __has_include("custody/password.h")
Result<GeneratedZipPassword> GenerateZipPassword(Env& env) {
  CUSTODY_ASSIGN_OR_RETURN(GeneratedPassword g, GeneratePassword(env));
  return GeneratedZipPassword{std::move(g.password), g.id};
}
#else
// Until custody/password.h is on main: the same construction (its alphabet,
// rejection sampling from the OS CSPRNG, 20 symbols = 100 bits, groups of 4).
Result<GeneratedZipPassword> GenerateZipPassword(Env& env) {
  static constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // 32 symbols
  auto draw = [&env](int symbols, int group) -> Result<SecretString> {
    SecretString out(size_t{0});
    std::string s;
    int n = 0;
    while (n < symbols) {
      uint8_t b[32];
      CUSTODY_RETURN_IF_ERROR(env.RandomBytes(b, sizeof b));
      for (uint8_t v : b) {
        if (n == symbols) break;
        // 256 is a multiple of 32, so v % 32 is already unbiased; kept as
        // rejection-free for this alphabet size only.
        if (group > 0 && n > 0 && n % group == 0) s.push_back('-');
        s.push_back(kAlphabet[v % kAlphabet.size()]);
        ++n;
      }
      WipeMemory(b, sizeof b);
    }
    SecretString r(s);
    WipeMemory(s.data(), s.size());
    return r;
  };
  CUSTODY_ASSIGN_OR_RETURN(SecretString password, draw(20, 4));
  CUSTODY_ASSIGN_OR_RETURN(SecretString id, draw(16, 0));
  return GeneratedZipPassword{std::move(password), "pw-" + std::string(id.view())};
}
#endif

Status CheckZipPassphrase(const SecretString& passphrase) {
  if (passphrase.size() < 16) {
    return InvalidArgumentError("a zip package needs a long generated password (at least 16 characters); "
                                "zip's key derivation is weak (PBKDF2-SHA1, 1000 rounds)");
  }
  for (unsigned char c : passphrase.view()) {
    // 7-Zip refuses non-ASCII passwords for AES zips; control characters
    // cannot be typed reliably.
    if (c < 0x21 || c > 0x7E) {
      return InvalidArgumentError("a zip package password must be printable ASCII without spaces (7-Zip refuses others)");
    }
  }
  return Status::Ok();
}

Result<WrittenTar> WriteZipPackage(Station& station, const PackageInput& input, PackageManifest& manifest,
                                   const SecretString& passphrase, ByteSink* out) {
  CUSTODY_RETURN_IF_ERROR(CheckZipPassphrase(passphrase));
  ScopedUtf8Locale locale;
  if (!locale.ok()) return InternalError("the C.UTF-8 locale is missing");
  Ae2Sink ae2(out);
  ZipWriteState state{&ae2, Status::Ok()};
  struct archive* a = archive_write_new();
  if (a == nullptr) return InternalError("libarchive: out of memory");
  bool closed = false;
  // An abandoned zip must not end like a complete one (closing writes the
  // central directory): its closing bytes are discarded. Not
  // archive_write_fail: libarchive 3.6.2 then skips the close that frees its
  // block buffer (the same leak LeakSanitizer found in the tar writer).
  struct Guard {
    struct archive* a;
    bool* closed;
    ZipWriteState* state;
    ~Guard() {
      if (!*closed) {
        state->abandoned = true;
        archive_write_close(a);
      }
      archive_write_free(a);
    }
  } guard{a, &closed, &state};
  auto fail = [&](const char* what) -> Status {
    if (!state.error.ok()) return state.error;
    const char* m = archive_error_string(a);
    return IoError(std::string("writing the zip failed while ") + what + ": " + (m ? m : "unknown libarchive error"));
  };
  if (archive_write_set_format_zip(a) != ARCHIVE_OK) return fail("selecting the zip format");
  // aes256 = WinZip AES-256 (AE-1, made AE-2 by Ae2Sink). Refuse anything
  // but OK: a WARN here would mean libarchive lacks the crypto and would
  // write the data in clear.
  if (archive_write_set_options(a, "zip:encryption=aes256") != ARCHIVE_OK) {
    return fail("enabling AES-256 encryption");
  }
  // Stored, not deflated: the inner tar is opaque data to the zip, and
  // compressing before encrypting would make the ciphertext size depend on
  // the content.
  if (archive_write_set_options(a, "zip:compression=store") != ARCHIVE_OK) return fail("selecting stored entries");
  // No padding after the end of the zip (libarchive pads to 10240 bytes by
  // default; unauthenticated bytes a reader would have to ignore).
  if (archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) return fail("setting the last block size");
  std::string pass(passphrase.view());
  int pr = archive_write_set_passphrase(a, pass.c_str());
  WipeMemory(pass.data(), pass.size());
  if (pr != ARCHIVE_OK) return fail("setting the password");
  if (archive_write_open2(a, &state, nullptr, &ZipWriteCallback, nullptr, nullptr) != ARCHIVE_OK) {
    return fail("starting the zip");
  }
  struct archive_entry* e = archive_entry_new();
  if (e == nullptr) return InternalError("libarchive: out of memory");
  archive_entry_set_pathname(e, std::string(kZipInnerName).c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0600);
  int64_t mtime = 0;
  if (auto t = timeutil::ParseTime(manifest.created); t.ok()) mtime = *t / 1000000;
  archive_entry_set_mtime(e, mtime, 0);
  // No size: the tar is streamed, so libarchive writes a data descriptor
  // (and Zip64 fields when needed) after the data.
  int hr = archive_write_header(a, e);
  archive_entry_free(e);
  if (hr != ARCHIVE_OK) return fail("writing the entry header");
  ZipEntrySink entry(a, &state.error);
  WrittenTar written;
  {
    CUSTODY_ASSIGN_OR_RETURN(auto tar, TarWriter::Create(&entry));
    CUSTODY_ASSIGN_OR_RETURN(written, WritePackageTar(station, input, manifest, *tar));
  }
  if (archive_write_finish_entry(a) != ARCHIVE_OK) return fail("finishing the entry");
  if (archive_write_close(a) != ARCHIVE_OK) return fail("closing the zip");
  closed = true;
  if (!state.error.ok()) return state.error;
  CUSTODY_RETURN_IF_ERROR(ae2.Finish());
  return written;
}

// ---- Reading

namespace {

// Bytes read from the package at an offset, with the bounds checked by the
// caller; a short read means the file is shorter than its records say.
Result<std::string> ReadExactly(RandomAccessFile& file, uint64_t offset, size_t n) {
  std::string out(n, '\0');
  CUSTODY_ASSIGN_OR_RETURN(size_t got,
                           file.ReadAt(offset, reinterpret_cast<uint8_t*>(out.data()), n));
  if (got != n) {
    return TruncatedError("the zip package is truncated (a record ends past the end of the file)");
  }
  return out;
}

Status BadZip(const std::string& why) {
  return CorruptionError("the zip package's structure is not the one custody writes (" + why +
                         "); refused: zip tools could show other content than custody checks");
}

struct AesField {
  uint16_t vendor_version = 0;
  uint8_t strength = 0;
  uint16_t inner_method = 0;
  bool operator==(const AesField&) const = default;
};

// The extra fields of a header that matter here. Each field's length is
// checked against the block, and no field may appear twice.
struct ExtraFields {
  std::optional<AesField> aes;
  std::optional<std::string_view> zip64;
};

Result<ExtraFields> ParseExtraFields(std::string_view extra, const char* where) {
  ExtraFields out;
  std::set<uint16_t> seen;
  size_t at = 0;
  while (at < extra.size()) {
    if (extra.size() - at < 4) {
      return BadZip(std::string("a malformed extra field in the ") + where);
    }
    const auto* p = reinterpret_cast<const uint8_t*>(extra.data() + at);
    const uint16_t id = Le16(p), size = Le16(p + 2);
    if (extra.size() - at - 4 < size) {
      return BadZip(std::string("an extra field overruns the ") + where);
    }
    if (!seen.insert(id).second) {
      return BadZip(std::string("a repeated extra field in the ") + where);
    }
    const std::string_view data = extra.substr(at + 4, size);
    if (id == kZipExtraAes) {
      if (size != 7 || data.substr(2, 2) != "AE") {
        return BadZip(std::string("a malformed AES field in the ") + where);
      }
      const auto* d = reinterpret_cast<const uint8_t*>(data.data());
      out.aes = AesField{Le16(d), d[4], Le16(d + 5)};
    } else if (id == kZipExtraZip64) {
      out.zip64 = data;
    }
    at += 4 + size;
  }
  return out;
}

}  // namespace

Result<ZipLayout> ReadZipLayout(RandomAccessFile& file) {
  ZipLayout z;
  z.file_size = file.size();
  const uint64_t size = z.file_size;
  if (size < kZipLocalHeaderSize + kZipEndSize) {
    return TruncatedError("the zip package is truncated (" + std::to_string(size) + " bytes)");
  }
  // The end record. custody writes no comment, so it is the last 22 bytes;
  // if it is found earlier, something was appended (which readers that
  // search for the record, 7-Zip and libarchive's, would read instead).
  const size_t tail_size =
      static_cast<size_t>(std::min<uint64_t>(size, kZipEndSize + 0xFFFF + 1024));
  CUSTODY_ASSIGN_OR_RETURN(std::string tail, ReadExactly(file, size - tail_size, tail_size));
  const auto* end = reinterpret_cast<const uint8_t*>(tail.data() + tail_size - kZipEndSize);
  if (Le32(end) != kZipEndSig) {
    const size_t found = tail.rfind(std::string_view("PK\x05\x06", 4));
    if (found == std::string::npos || tail_size - found < kZipEndSize) {
      return TruncatedError("the zip package is truncated (it has no end record)");
    }
    return BadZip(std::to_string(tail_size - found - kZipEndSize) +
                  " bytes after the end record, or a comment");
  }
  if (Le16(end + 20) != 0) return BadZip("a comment after the end record");
  uint64_t entries = Le16(end + 10), central_size = Le32(end + 12), central_offset = Le32(end + 16);
  if (Le16(end + 4) != 0 || Le16(end + 6) != 0 || Le16(end + 8) != Le16(end + 10)) {
    return BadZip("a multi-volume end record");
  }
  uint64_t central_end = size - kZipEndSize;
  // A Zip64 end record and its locator, right before the end record, when
  // libarchive needs one (an entry or offset past 4 GiB).
  if (tail_size >= kZipEndSize + kZip64LocatorSize &&
      Le32(end - kZip64LocatorSize) == kZip64LocatorSig) {
    const uint8_t* loc = end - kZip64LocatorSize;
    const uint64_t record = Le64(loc + 8);
    if (Le32(loc + 4) != 0 || Le32(loc + 16) != 1) return BadZip("a multi-volume Zip64 locator");
    if (central_end < kZip64LocatorSize + kZip64EndSize ||
        record != central_end - kZip64LocatorSize - kZip64EndSize) {
      return BadZip("the Zip64 end record is not right before its locator");
    }
    CUSTODY_ASSIGN_OR_RETURN(std::string r64, ReadExactly(file, record, kZip64EndSize));
    const auto* e64 = reinterpret_cast<const uint8_t*>(r64.data());
    if (Le32(e64) != kZip64EndSig || Le64(e64 + 4) != kZip64EndSize - 12) {
      return BadZip("a malformed Zip64 end record");
    }
    if (Le32(e64 + 16) != 0 || Le32(e64 + 20) != 0 || Le64(e64 + 24) != Le64(e64 + 32)) {
      return BadZip("a multi-volume Zip64 end record");
    }
    // The 32-bit fields hold either the value or the "see Zip64" mark.
    auto agree = [](uint64_t v32, uint64_t mark, uint64_t v64) {
      return v32 == mark || v32 == v64;
    };
    if (!agree(entries, 0xFFFF, Le64(e64 + 32)) ||
        !agree(central_size, 0xFFFFFFFF, Le64(e64 + 40)) ||
        !agree(central_offset, 0xFFFFFFFF, Le64(e64 + 48))) {
      return BadZip("the end record and the Zip64 end record disagree");
    }
    entries = Le64(e64 + 32);
    central_size = Le64(e64 + 40);
    central_offset = Le64(e64 + 48);
    central_end = record;
  } else if (entries == 0xFFFF || central_size == 0xFFFFFFFF || central_offset == 0xFFFFFFFF) {
    return BadZip("the end record refers to a Zip64 end record that is not there");
  }
  if (entries != 1) return BadZip(std::to_string(entries) + " entries instead of one");
  if (central_size < kZipCentralHeaderSize || central_size > kZipMaxCentralSize ||
      central_offset > central_end || central_end - central_offset != central_size) {
    return BadZip("the central directory does not end where the end record begins");
  }

  // The central directory's one entry: what 7-Zip lists and extracts.
  CUSTODY_ASSIGN_OR_RETURN(std::string cd,
                           ReadExactly(file, central_offset, static_cast<size_t>(central_size)));
  const auto* c = reinterpret_cast<const uint8_t*>(cd.data());
  if (Le32(c) != kZipCentralSig) {
    return BadZip("no central directory entry where the end record points");
  }
  const uint16_t flags = Le16(c + 8), method = Le16(c + 10);
  const size_t name_len = Le16(c + 28), extra_len = Le16(c + 30), comment_len = Le16(c + 32);
  if (kZipCentralHeaderSize + name_len + extra_len + comment_len != central_size) {
    return BadZip("the central directory holds more than one entry, or a malformed one");
  }
  const std::string_view name(cd.data() + kZipCentralHeaderSize, name_len);
  if (name != kZipInnerName) {
    return BadZip("its entry is \"" + std::string(name) + "\", not " + std::string(kZipInnerName));
  }
  if (comment_len != 0) return BadZip("an entry comment");
  if ((flags & kZipFlagEncrypted) == 0 || method != kZipMethodAes) {
    return BadZip("the central directory's entry is not WinZip AES encrypted");
  }
  if ((flags & ~(kZipFlagEncrypted | kZipFlagDescriptor | kZipFlagUtf8)) != 0 ||
      (flags & kZipFlagDescriptor) == 0) {
    return BadZip("unexpected entry flags");
  }
  CUSTODY_ASSIGN_OR_RETURN(
      ExtraFields central_extra,
      ParseExtraFields(std::string_view(cd).substr(kZipCentralHeaderSize + name_len, extra_len),
                       "central directory"));
  z.crc32 = Le32(c + 16);
  uint64_t compressed = Le32(c + 20), uncompressed = Le32(c + 24), local_offset = Le32(c + 42);
  uint64_t disk = Le16(c + 34);
  {
    // Zip64: the fields marked 0xFFFFFFFF (0xFFFF for the disk) follow in
    // this order, and nothing else.
    std::string_view z64 = central_extra.zip64.value_or(std::string_view());
    auto take = [&z64](uint64_t* v, size_t width) -> bool {
      if (z64.size() < width) return false;
      *v = width == 8 ? Le64(reinterpret_cast<const uint8_t*>(z64.data()))
                      : Le32(reinterpret_cast<const uint8_t*>(z64.data()));
      z64.remove_prefix(width);
      return true;
    };
    if ((uncompressed == 0xFFFFFFFF && !take(&uncompressed, 8)) ||
        (compressed == 0xFFFFFFFF && !take(&compressed, 8)) ||
        (local_offset == 0xFFFFFFFF && !take(&local_offset, 8)) ||
        (disk == 0xFFFF && !take(&disk, 4)) || !z64.empty()) {
      return BadZip("a malformed Zip64 field in the central directory");
    }
  }
  if (disk != 0) return BadZip("a multi-volume entry");
  if (local_offset != 0)
    return BadZip("the central directory's entry is at offset " + std::to_string(local_offset) +
                  ", not 0");
  if (!central_extra.aes) return BadZip("the central directory's entry has no AES field");
  const AesField aes = *central_extra.aes;
  if (aes.vendor_version != 1 && aes.vendor_version != 2) {
    return BadZip("an unknown AES vendor version");
  }
  if (aes.strength != 3) return BadZip("not AES-256");
  if (aes.inner_method != 0) return BadZip("the entry is compressed, not stored");
  if (aes.vendor_version == 2 && z.crc32 != 0) return BadZip("an AE-2 entry with a CRC");
  // AES-256: a 16-byte salt and a 2-byte password verifier before the
  // ciphertext, the 10-byte HMAC after it; stored, so no other difference.
  if (compressed < kZipAesOverhead || compressed - kZipAesOverhead != uncompressed) {
    return BadZip("the entry's sizes do not fit a stored AES-256 entry");
  }

  // The local header at offset 0: what custody's reader starts from.
  CUSTODY_ASSIGN_OR_RETURN(std::string lh, ReadExactly(file, 0, kZipLocalHeaderSize));
  const auto* l = reinterpret_cast<const uint8_t*>(lh.data());
  if (Le32(l) != kZipLocalSig) return BadZip("no entry at offset 0");
  const size_t local_name_len = Le16(l + 26), local_extra_len = Le16(l + 28);
  if (Le16(l + 6) != flags || Le16(l + 8) != method) {
    return BadZip("the local header's flags or method differ from the central directory's");
  }
  // Length-at-end (flag 3): the CRC and sizes are in the data descriptor,
  // the local header's are 0 (or the Zip64 mark).
  if (Le32(l + 14) != 0) return BadZip("a CRC in the local header of a streamed entry");
  z.data_offset = kZipLocalHeaderSize + local_name_len + local_extra_len;
  if (z.data_offset > central_offset) {
    return BadZip("the local header overlaps the central directory");
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string local_rest, ReadExactly(file, kZipLocalHeaderSize,
                                                               local_name_len + local_extra_len));
  if (std::string_view(local_rest).substr(0, local_name_len) != name) {
    return BadZip("the local header's name differs from the central directory's");
  }
  CUSTODY_ASSIGN_OR_RETURN(
      ExtraFields local_extra,
      ParseExtraFields(std::string_view(local_rest).substr(local_name_len), "local header"));
  if (!local_extra.aes || !(*local_extra.aes == aes)) {
    return BadZip("the local header's AES field differs from the central directory's");
  }
  // libarchive's readers expect a 64-bit data descriptor exactly when the
  // local header has a Zip64 field.
  const uint64_t descriptor_size = local_extra.zip64 ? kZipDescriptor64Size : kZipDescriptorSize;
  const uint64_t sizes_mark = local_extra.zip64 ? 0xFFFFFFFF : 0;
  if (Le32(l + 18) != sizes_mark || Le32(l + 22) != sizes_mark) {
    return BadZip("sizes in the local header of a streamed entry");
  }
  if (compressed > central_offset - z.data_offset ||
      central_offset - z.data_offset - compressed != descriptor_size) {
    return BadZip(
        "the central directory does not begin right after the entry's data and descriptor");
  }
  z.descriptor_offset = z.data_offset + compressed;
  CUSTODY_ASSIGN_OR_RETURN(
      std::string dd, ReadExactly(file, z.descriptor_offset, static_cast<size_t>(descriptor_size)));
  const auto* d = reinterpret_cast<const uint8_t*>(dd.data());
  const uint64_t d_compressed = local_extra.zip64 ? Le64(d + 8) : Le32(d + 8);
  const uint64_t d_uncompressed = local_extra.zip64 ? Le64(d + 16) : Le32(d + 12);
  if (Le32(d) != kZipDescriptorSig) return BadZip("no data descriptor after the entry's data");
  if (Le32(d + 4) != z.crc32 || d_compressed != compressed || d_uncompressed != uncompressed) {
    return BadZip("the data descriptor's CRC or sizes differ from the central directory's");
  }
  z.compressed_size = compressed;
  z.uncompressed_size = uncompressed;
  z.aes_vendor_version = aes.vendor_version;
  z.central_offset = central_offset;
  z.central_size = central_size;
  return z;
}

struct ZipSource::Impl {
  ScopedUtf8Locale locale;
  struct archive* a = nullptr;
  SeekableZipInput input;
  ZipLayout layout;
  bool done = false;
  ~Impl() {
    if (a != nullptr) archive_read_free(a);
  }
  Status Fail(const char* what) {
    if (!input.error.ok()) return input.error;
    const char* m = archive_error_string(a);
    std::string msg = m ? m : "unknown error";
    if (msg.find("ncorrect passphrase") != std::string::npos || msg.find("assphrase") != std::string::npos) {
      return WrongKeyError("wrong password: the zip package does not open with it (passwords are case-sensitive; "
                           "type the hyphens too)");
    }
    if (msg.find("runcat") != std::string::npos || msg.find("remature") != std::string::npos) {
      return TruncatedError("the zip package is truncated (" + msg + ")");
    }
    return CorruptionError(std::string("the zip package is damaged (") + what + ": " + msg + ")");
  }
};

ZipSource::ZipSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipSource::~ZipSource() = default;
const ZipLayout& ZipSource::layout() const { return impl_->layout; }

Result<std::unique_ptr<ZipSource>> ZipSource::Open(RandomAccessFile* file,
                                                   const SecretString& passphrase) {
  auto impl = std::make_unique<Impl>();
  if (!impl->locale.ok()) return InternalError("the C.UTF-8 locale is missing");
  if (passphrase.empty()) return WrongKeyError("a zip package needs its password");
  // The structure first: libarchive's reader below trusts the central
  // directory for where the entry is and how long; this makes sure it is
  // the one entry at offset 0 that every other zip tool sees too.
  CUSTODY_ASSIGN_OR_RETURN(impl->layout, ReadZipLayout(*file));
  impl->input.file = file;
  impl->a = archive_read_new();
  if (impl->a == nullptr) return InternalError("libarchive: out of memory");
  struct archive* a = impl->a;
  if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK) return impl->Fail("selecting zip");
  std::string pass(passphrase.view());
  int pr = archive_read_add_passphrase(a, pass.c_str());
  WipeMemory(pass.data(), pass.size());
  if (pr != ARCHIVE_OK) return impl->Fail("setting the password");
  if (archive_read_set_callback_data(a, &impl->input) != ARCHIVE_OK ||
      archive_read_set_read_callback(a, &SeekableZipInput::Read) != ARCHIVE_OK ||
      archive_read_set_seek_callback(a, &SeekableZipInput::Seek) != ARCHIVE_OK ||
      archive_read_open1(a) != ARCHIVE_OK) {
    return impl->Fail("opening");
  }
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a, &e);
  if (r == ARCHIVE_EOF) return CorruptionError("the zip package is empty");
  if (r != ARCHIVE_OK) return impl->Fail("reading the entry header");
  const char* name = archive_entry_pathname(e);
  if (name == nullptr || std::string_view(name) != kZipInnerName || archive_entry_filetype(e) != AE_IFREG) {
    return CorruptionError(std::string("this zip is not a custody package (its first entry is \"") +
                           (name ? name : "?") + "\", not " + std::string(kZipInnerName) + ")");
  }
  // An unencrypted entry would mean anyone could have replaced it (checked
  // in the structure too; this is libarchive's own view).
  if (archive_entry_is_data_encrypted(e) != 1) {
    return CorruptionError("the zip package's entry is not encrypted; refused");
  }
  return std::unique_ptr<ZipSource>(new ZipSource(std::move(impl)));
}

Result<size_t> ZipSource::Read(uint8_t* buf, size_t n) {
  if (impl_->done) return size_t{0};
  la_ssize_t r = archive_read_data(impl_->a, buf, n);
  if (r < 0) return impl_->Fail("reading the entry");
  if (r == 0) {
    // The entry ended; it must be the only one.
    struct archive_entry* e = nullptr;
    int next = archive_read_next_header(impl_->a, &e);
    if (next == ARCHIVE_OK) return CorruptionError("the zip package has more than one entry; refused");
    if (next != ARCHIVE_EOF) return impl_->Fail("reading the end of the zip");
    impl_->done = true;
  }
  return static_cast<size_t>(r);
}

bool LooksLikeZip(std::string_view first_bytes) { return first_bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

}  // namespace custody::package
