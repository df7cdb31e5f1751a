// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// AES-256 zip packages (WinZip AE-2, written by libarchive) for recipients
// who only have 7-Zip. docs/formats/package.md, "Zip packages", lists the
// format's weaknesses and how each is handled here:
// - names, sizes, dates are in clear and unauthenticated: the zip holds ONE
//   entry, custody-package.tar, the same signed tar as an age package;
// - AE-2 stores no CRC-32 of the plaintext (AE-1 does): libarchive writes AE-2
//   when asked for "aes256";
// - PBKDF2-SHA1 with 1000 rounds: only generated passwords of >= 100 bits
//   (the CLI's job; the library refuses short or non-ASCII ones);
// - an empty passphrase is silently accepted by libarchive: refused here;
// - a failed write can leave a broken archive that reports success: every
//   return value is checked, the sink's own error is kept, and the finished
//   file is read back and verified before it is renamed into place.
#include "package/zip_io.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdio>
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
  ZipWriteState state{out, Status::Ok()};
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
  // aes256 = WinZip AE-2 with AES-256. Refuse anything but OK: a WARN here
  // would mean libarchive lacks the crypto and would write the data in clear.
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
  return written;
}

// ---- Reading

struct ZipSource::Impl {
  ScopedUtf8Locale locale;
  struct archive* a = nullptr;
  ByteSource* source = nullptr;
  Status source_error;
  std::unique_ptr<uint8_t[]> buf;
  bool done = false;
  ~Impl() {
    if (a != nullptr) archive_read_free(a);
  }
  Status Fail(const char* what) {
    if (!source_error.ok()) return source_error;
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

static la_ssize_t ZipReadCallback(struct archive* a, void* self, const void** out) {
  auto* impl = static_cast<ZipSource::Impl*>(self);
  auto n = impl->source->Read(impl->buf.get(), kIoBufferSize);
  if (!n.ok()) {
    impl->source_error = n.status();
    archive_set_error(a, EIO, "%s", "input failed");
    return -1;
  }
  *out = impl->buf.get();
  return static_cast<la_ssize_t>(*n);
}

ZipSource::ZipSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipSource::~ZipSource() = default;

Result<std::unique_ptr<ZipSource>> ZipSource::Open(ByteSource* source, const SecretString& passphrase) {
  auto impl = std::make_unique<Impl>();
  if (!impl->locale.ok()) return InternalError("the C.UTF-8 locale is missing");
  if (passphrase.empty()) return WrongKeyError("a zip package needs its password");
  impl->source = source;
  impl->buf = std::make_unique<uint8_t[]>(kIoBufferSize);
  impl->a = archive_read_new();
  if (impl->a == nullptr) return InternalError("libarchive: out of memory");
  // Streaming read: the zip reader then uses the local headers and data
  // descriptors, which is how the writer laid them out.
  if (archive_read_support_format_zip_streamable(impl->a) != ARCHIVE_OK) return impl->Fail("selecting zip");
  std::string pass(passphrase.view());
  int pr = archive_read_add_passphrase(impl->a, pass.c_str());
  WipeMemory(pass.data(), pass.size());
  if (pr != ARCHIVE_OK) return impl->Fail("setting the password");
  if (archive_read_open(impl->a, impl.get(), nullptr, &ZipReadCallback, nullptr) != ARCHIVE_OK) {
    return impl->Fail("opening");
  }
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(impl->a, &e);
  if (r == ARCHIVE_EOF) return CorruptionError("the zip package is empty");
  if (r != ARCHIVE_OK) return impl->Fail("reading the entry header");
  const char* name = archive_entry_pathname(e);
  if (name == nullptr || std::string_view(name) != kZipInnerName || archive_entry_filetype(e) != AE_IFREG) {
    return CorruptionError(std::string("this zip is not a custody package (its first entry is \"") +
                           (name ? name : "?") + "\", not " + std::string(kZipInnerName) + ")");
  }
  // An unencrypted entry would mean anyone could have replaced it.
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

namespace {

// libarchive's seekable zip reader over a RandomAccessFile (the Env's), so
// the central directory is read where the rest of the package was. An
// error of the file is kept, to be returned as it is rather than as a
// damaged zip.
struct SeekableZipInput {
  RandomAccessFile* file = nullptr;
  int64_t position = 0;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(64 * 1024);
  Status error;

  static la_ssize_t Read(struct archive* a, void* ctx, const void** out) {
    auto* in = static_cast<SeekableZipInput*>(ctx);
    auto got = in->file->ReadAt(static_cast<uint64_t>(in->position), in->buffer.data(), in->buffer.size());
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
    const int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? in->position
                                                                        : static_cast<int64_t>(in->file->size());
    if (base + offset < 0) return ARCHIVE_FATAL;
    in->position = base + offset;
    return in->position;
  }
};

}  // namespace

Status CheckZipDirectory(RandomAccessFile& file) {
  // The streaming read above never looks at the central directory, which is
  // what 7-Zip reads first: read it with the seekable reader so a package
  // custody accepts is one 7-Zip can open (one entry, our name).
  ScopedUtf8Locale locale;
  struct archive* a = archive_read_new();
  if (a == nullptr) return InternalError("libarchive: out of memory");
  struct Free {
    struct archive* a;
    ~Free() { archive_read_free(a); }
  } free_guard{a};
  SeekableZipInput input;
  input.file = &file;
  auto bad = [&](const std::string& what) {
    if (!input.error.ok()) return input.error;
    const char* m = archive_error_string(a);
    return CorruptionError("the zip package's directory is damaged or truncated (" + what +
                           (m ? std::string(": ") + m : std::string()) + ")");
  };
  if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK) return bad("selecting zip");
  if (archive_read_set_callback_data(a, &input) != ARCHIVE_OK ||
      archive_read_set_read_callback(a, &SeekableZipInput::Read) != ARCHIVE_OK ||
      archive_read_set_seek_callback(a, &SeekableZipInput::Seek) != ARCHIVE_OK ||
      archive_read_open1(a) != ARCHIVE_OK) {
    return bad("opening");
  }
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a, &e);
  if (r != ARCHIVE_OK) return bad("reading the directory");
  const char* name = archive_entry_pathname(e);
  if (name == nullptr || std::string_view(name) != kZipInnerName) return bad("unexpected entry");
  r = archive_read_next_header(a, &e);
  if (r != ARCHIVE_EOF) return bad("more than one entry");
  return Status::Ok();
}

bool LooksLikeZip(std::string_view first_bytes) { return first_bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

}  // namespace custody::package
