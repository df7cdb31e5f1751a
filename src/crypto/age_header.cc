// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The age header: buffered line reading, strict parsing, canonical
// serialization, and the keys derived from the file key.
#include <algorithm>
#include <cstring>

#include "crypto/age_format.h"
#include "crypto/encoding.h"

namespace custody::age::internal {
namespace {

using encoding::Base64Padding;

Status HeaderError(std::string what) {
  return CorruptionError("malformed age header: " + std::move(what));
}

Status HeaderTruncated() {
  return TruncatedError("the input ends inside the age header: the file is truncated");
}

// 1*VCHAR: the stanza argument alphabet.
bool IsVcharString(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126;
  });
}

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) {
      parts.push_back(line.substr(start));
      return parts;
    }
    parts.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
}

// Appends `body` as unpadded base64 in 64-column lines; the last line is
// always shorter than 64 columns, hence empty when the body fills its lines.
void AppendWrappedBody(std::string_view body, std::string* out) {
  std::string b64 = encoding::Base64Encode(body, Base64Padding::kUnpadded);
  for (size_t i = 0; i + kColumnsPerLine <= b64.size(); i += kColumnsPerLine) {
    out->append(b64, i, kColumnsPerLine);
    out->push_back('\n');
  }
  out->append(b64, b64.size() - b64.size() % kColumnsPerLine);
  out->push_back('\n');
}

}  // namespace

// ---- BufferedReader

BufferedReader::BufferedReader(ByteSource* source) : source_(source), buf_(kCapacity) {}

Status BufferedReader::Fill(size_t want) {
  want = std::min(want, kCapacity);
  if (end_ - pos_ >= want || eof_) return Status::Ok();
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  while (end_ < want && !eof_) {
    CUSTODY_ASSIGN_OR_RETURN(size_t n, source_->Read(buf_.data() + end_, kCapacity - end_));
    if (n == 0) eof_ = true;
    end_ += n;
  }
  return Status::Ok();
}

Result<size_t> BufferedReader::Read(uint8_t* buf, size_t n) {
  if (n == 0) return size_t{0};
  if (pos_ == end_) {
    if (eof_) return size_t{0};
    // Large reads bypass the buffer: the STREAM layer reads whole chunks.
    if (n >= kCapacity) {
      CUSTODY_ASSIGN_OR_RETURN(size_t got, source_->Read(buf, n));
      if (got == 0) eof_ = true;
      return got;
    }
    CUSTODY_RETURN_IF_ERROR(Fill(1));
    if (pos_ == end_) return size_t{0};
  }
  size_t k = std::min(n, end_ - pos_);
  std::memcpy(buf, buf_.data() + pos_, k);
  pos_ += k;
  return k;
}

Result<std::string_view> BufferedReader::Peek(size_t n) {
  CUSTODY_RETURN_IF_ERROR(Fill(n));
  return std::string_view(reinterpret_cast<const char*>(buf_.data()) + pos_,
                          std::min(n, end_ - pos_));
}

Result<BufferedReader::LineEnd> BufferedReader::ReadLine(std::string* line, size_t max_length) {
  line->clear();
  max_length = std::min(max_length, kCapacity - 1);
  size_t scanned = 0;
  while (true) {
    const uint8_t* start = buf_.data() + pos_;
    size_t avail = end_ - pos_;
    const void* lf = std::memchr(start + scanned, '\n', avail - scanned);
    if (lf != nullptr) {
      size_t len = static_cast<const uint8_t*>(lf) - start;
      if (len > max_length) return LineEnd::kTooLong;
      line->assign(reinterpret_cast<const char*>(start), len);
      pos_ += len + 1;
      return LineEnd::kNewline;
    }
    scanned = avail;
    if (avail > max_length) return LineEnd::kTooLong;
    if (eof_) {
      line->assign(reinterpret_cast<const char*>(start), avail);
      pos_ = end_;
      return LineEnd::kEndOfInput;
    }
    CUSTODY_RETURN_IF_ERROR(Fill(avail + 1));
  }
}

// ---- Header serialization

std::string SerializeHeaderWithoutMac(const std::vector<Stanza>& stanzas) {
  std::string out(kVersionLine);
  out.push_back('\n');
  for (const Stanza& s : stanzas) {
    out.append(kStanzaPrefix);
    out.push_back(' ');
    out.append(s.type);
    for (const std::string& a : s.args) {
      out.push_back(' ');
      out.append(a);
    }
    out.push_back('\n');
    AppendWrappedBody(s.body, &out);
  }
  out.append(kMacPrefix);
  return out;
}

std::string SerializeHeader(const std::vector<Stanza>& stanzas, std::string_view mac) {
  std::string out = SerializeHeaderWithoutMac(stanzas);
  out.push_back(' ');
  out.append(encoding::Base64Encode(mac, Base64Padding::kUnpadded));
  out.push_back('\n');
  return out;
}

// ---- Header parsing

Result<Header> ParseHeader(BufferedReader& in) {
  Header h;
  std::string line;
  auto read_line = [&]() -> Result<BufferedReader::LineEnd> {
    CUSTODY_ASSIGN_OR_RETURN(auto end, in.ReadLine(&line, kMaxHeaderLineLength));
    if (end == BufferedReader::LineEnd::kTooLong) {
      return HeaderError("a header line is longer than " + std::to_string(kMaxHeaderLineLength) +
                         " bytes");
    }
    if (h.mac_input.size() + line.size() + 1 > kMaxHeaderSize) {
      return HeaderError("the header is larger than " + std::to_string(kMaxHeaderSize) + " bytes");
    }
    return end;
  };

  // Version line.
  CUSTODY_ASSIGN_OR_RETURN(auto end, in.ReadLine(&line, kMaxHeaderLineLength));
  if (end == BufferedReader::LineEnd::kTooLong) {
    return CorruptionError("not an age file: it does not start with \"age-encryption.org/\"");
  }
  if (end == BufferedReader::LineEnd::kEndOfInput) {
    if (line.empty()) return TruncatedError("the input is empty: it is not an age file");
    std::string_view want = kVersionLine;
    if (want.substr(0, line.size()) == line) return HeaderTruncated();
    return CorruptionError("not an age file: it does not start with \"age-encryption.org/\"");
  }
  if (line != kVersionLine) {
    std::string_view l = line;
    if (l.substr(0, kVersionPrefix.size()) == kVersionPrefix) {
      std::string_view version = l.substr(kVersionPrefix.size());
      if (IsVcharString(version)) {
        return UnsupportedError("unsupported age format version \"" + std::string(version) +
                                "\": custody reads age-encryption.org/v1 only");
      }
      return HeaderError("malformed version line");
    }
    return CorruptionError("not an age file: it does not start with \"age-encryption.org/\"");
  }
  h.mac_input.append(line).push_back('\n');

  while (true) {
    CUSTODY_ASSIGN_OR_RETURN(end, read_line());
    if (end == BufferedReader::LineEnd::kEndOfInput) return HeaderTruncated();
    std::string_view l = line;

    if (l.substr(0, kMacPrefix.size()) == kMacPrefix) {
      // "--- " + 43 base64 characters: exactly one space, one argument.
      std::vector<std::string_view> parts = SplitSpaces(l);
      if (parts.size() != 2 || parts[0] != kMacPrefix) return HeaderError("malformed MAC line");
      auto mac = encoding::Base64Decode(parts[1], Base64Padding::kUnpadded);
      if (!mac.ok() || mac->size() != kMacSize) return HeaderError("malformed MAC line");
      if (h.stanzas.empty()) return HeaderError("the header has no recipient stanza");
      h.mac = std::move(*mac);
      h.mac_input.append(kMacPrefix);
      return h;
    }

    if (l.substr(0, kStanzaPrefix.size()) != kStanzaPrefix) {
      return HeaderError("unexpected line (expected \"->\" or \"---\")");
    }
    std::vector<std::string_view> parts = SplitSpaces(l);
    if (parts[0] != kStanzaPrefix || parts.size() < 2) {
      return HeaderError("malformed stanza line");
    }
    Stanza s;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (!IsVcharString(parts[i])) return HeaderError("malformed stanza argument");
      if (i == 1) {
        s.type = std::string(parts[i]);
      } else {
        s.args.emplace_back(parts[i]);
      }
    }
    h.mac_input.append(line).push_back('\n');

    // Body: full 64-column lines, then one shorter (possibly empty) line.
    while (true) {
      CUSTODY_ASSIGN_OR_RETURN(end, read_line());
      if (end == BufferedReader::LineEnd::kEndOfInput) return HeaderTruncated();
      auto bytes = encoding::Base64Decode(line, Base64Padding::kUnpadded);
      if (!bytes.ok()) {
        std::string_view bl = line;
        if (bl.substr(0, 2) == kStanzaPrefix || bl.substr(0, 3) == kMacPrefix) {
          return HeaderError("a stanza body does not end with a short line");
        }
        return HeaderError("malformed stanza body line (" + bytes.status().message() + ")");
      }
      if (bytes->size() > kBytesPerLine) {
        return HeaderError("a stanza body line is longer than 64 columns");
      }
      s.body.append(*bytes);
      h.mac_input.append(line).push_back('\n');
      if (bytes->size() < kBytesPerLine) break;
    }
    h.stanzas.push_back(std::move(s));
  }
}

Result<std::string> ComputeHeaderMac(const SecretString& file_key, std::string_view mac_input) {
  CUSTODY_ASSIGN_OR_RETURN(
      SecretString mac_key,
      crypto::HkdfSha256(file_key.view(), "", kHeaderMacKeyInfo, crypto::kHmacSha256Size));
  return crypto::HmacSha256(mac_key.view(), mac_input);
}

Result<SecretString> DerivePayloadKey(const SecretString& file_key, std::string_view nonce) {
  return crypto::HkdfSha256(file_key.view(), nonce, kPayloadKeyInfo, crypto::kChaChaPolyKeySize);
}

}  // namespace custody::age::internal
