// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// age ASCII armor: strict PEM (RFC 7468 §3, Figure 3) with the label
// "AGE ENCRYPTED FILE", padded base64 in 64-column lines, no headers.
//
// Accepted leniency, exactly as age's armor package: LF or CRLF line ends,
// and up to 1 KiB of whitespace before the BEGIN line and after the END
// line. Everything else that would let two armorings carry the same file is
// refused: whitespace inside lines, empty lines, short lines before the last,
// lines over 64 columns, missing or misplaced padding, non-canonical base64,
// PEM headers, other labels, and data after the END line.
#include <algorithm>
#include <cstring>

#include "crypto/age_format.h"
#include "crypto/encoding.h"

namespace custody::age::internal {
namespace {

using encoding::Base64Padding;

Status ArmorError(std::string what) {
  return CorruptionError("invalid age ASCII armor: " + std::move(what));
}

// Drops one trailing CR (CRLF line ends are allowed).
std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool AllSpace(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiSpace); }

}  // namespace

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// ---- ArmorSink

Status ArmorSink::Start() {
  if (started_) return Status::Ok();
  started_ = true;
  std::string begin(kArmorBegin);
  begin.push_back('\n');
  return out_->Write(begin);
}

Status ArmorSink::Write(std::string_view data) {
  CUSTODY_RETURN_IF_ERROR(Start());
  std::string out;
  if (!pending_.empty()) {
    size_t k = std::min(data.size(), kBytesPerLine - pending_.size());
    pending_.append(data.substr(0, k));
    data.remove_prefix(k);
    if (pending_.size() < kBytesPerLine) return Status::Ok();
    out.append(encoding::Base64Encode(pending_)).push_back('\n');
    pending_.clear();
  }
  out.reserve(out.size() + data.size() / kBytesPerLine * (kColumnsPerLine + 1));
  while (data.size() >= kBytesPerLine) {
    out.append(encoding::Base64Encode(data.substr(0, kBytesPerLine))).push_back('\n');
    data.remove_prefix(kBytesPerLine);
  }
  pending_.assign(data);
  if (out.empty()) return Status::Ok();
  return out_->Write(out);
}

Status ArmorSink::Finish() {
  CUSTODY_RETURN_IF_ERROR(Start());
  std::string out;
  // The last line is shorter than 64 columns; when it would be empty it is
  // left out and END follows the last full line.
  if (!pending_.empty()) out.append(encoding::Base64Encode(pending_)).push_back('\n');
  pending_.clear();
  out.append(kArmorEnd).push_back('\n');
  return out_->Write(out);
}

// ---- ArmorSource

Status ArmorSource::DrainTrailing() {
  // Up to kMaxArmorWhitespace - 1 bytes of whitespace may follow END.
  CUSTODY_ASSIGN_OR_RETURN(std::string_view rest, in_->Peek(kMaxArmorWhitespace));
  if (!AllSpace(rest)) return ArmorError("data after the END line");
  if (rest.size() >= kMaxArmorWhitespace) return ArmorError("too much whitespace after END");
  std::vector<uint8_t> sink(rest.size() + 1);
  CUSTODY_ASSIGN_OR_RETURN(size_t n, ReadFull(*in_, sink.data(), rest.size()));
  (void)n;
  state_ = State::kDone;
  return Status::Ok();
}

Status ArmorSource::NextLine() {
  std::string line;
  using LineEnd = BufferedReader::LineEnd;
  if (state_ == State::kStart) {
    size_t skipped = 0;
    while (true) {
      CUSTODY_ASSIGN_OR_RETURN(auto end,
                               in_->ReadLine(&line, kMaxArmorWhitespace + kArmorBegin.size() + 1));
      if (end == LineEnd::kTooLong) return ArmorError("the first line is not the BEGIN line");
      if (AllSpace(line)) {
        if (end == LineEnd::kEndOfInput) return ArmorError("no BEGIN line");
        skipped += line.size() + 1;
        if (skipped > kMaxArmorWhitespace) return ArmorError("too much whitespace before BEGIN");
        continue;
      }
      if (StripCr(line) != kArmorBegin || end == LineEnd::kEndOfInput) {
        return ArmorError("the first line is not \"" + std::string(kArmorBegin) + "\"");
      }
      break;
    }
    state_ = State::kBody;
  }

  CUSTODY_ASSIGN_OR_RETURN(auto end, in_->ReadLine(&line, kColumnsPerLine + 1));
  if (end == LineEnd::kTooLong) return ArmorError("a line is longer than 64 columns");
  std::string_view l = StripCr(line);
  if (l == kArmorEnd) return DrainTrailing();
  if (end == LineEnd::kEndOfInput) {
    return ArmorError(l.empty() ? "no END line (the armored file is truncated)"
                                : "the last line has no line end and is not the END line");
  }
  if (l.size() > kColumnsPerLine) return ArmorError("a line is longer than 64 columns");
  if (l.empty()) return ArmorError("empty line");
  auto bytes = encoding::Base64Decode(l, Base64Padding::kPadded);
  if (!bytes.ok()) return ArmorError(bytes.status().message());
  decoded_ = std::move(*bytes);
  decoded_pos_ = 0;
  if (decoded_.size() < kBytesPerLine) {
    // A short line is the last one: END must follow.
    CUSTODY_ASSIGN_OR_RETURN(auto end2, in_->ReadLine(&line, kArmorEnd.size() + 1));
    if (end2 == LineEnd::kTooLong || StripCr(line) != kArmorEnd) {
      return ArmorError("a short line is not followed by the END line");
    }
    CUSTODY_RETURN_IF_ERROR(DrainTrailing());
  }
  return Status::Ok();
}

Result<size_t> ArmorSource::Read(uint8_t* buf, size_t n) {
  size_t total = 0;
  while (total < n) {
    if (decoded_pos_ < decoded_.size()) {
      size_t k = std::min(n - total, decoded_.size() - decoded_pos_);
      std::memcpy(buf + total, decoded_.data() + decoded_pos_, k);
      decoded_pos_ += k;
      total += k;
      continue;
    }
    if (!error_.ok()) break;
    if (state_ == State::kDone) break;
    Status s = NextLine();
    if (!s.ok()) {
      // Bytes decoded by the lines before the bad one are not handed out:
      // an armor error fails the whole read, as in age.
      decoded_.clear();
      decoded_pos_ = 0;
      error_ = s;
      return s;
    }
  }
  if (total == 0 && !error_.ok()) return error_;
  return total;
}

Result<bool> LooksArmored(BufferedReader& in) {
  CUSTODY_ASSIGN_OR_RETURN(std::string_view head,
                           in.Peek(kMaxArmorWhitespace + kArmorBegin.size()));
  size_t i = 0;
  while (i < head.size() && IsAsciiSpace(head[i])) ++i;
  return head.substr(i, kArmorBegin.size()) == kArmorBegin;
}

}  // namespace custody::age::internal
