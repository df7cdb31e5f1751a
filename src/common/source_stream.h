// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#ifndef CUSTODY_SRC_COMMON_SOURCE_STREAM_H_
#define CUSTODY_SRC_COMMON_SOURCE_STREAM_H_

#include <ios>
#include <streambuf>
#include <string_view>

#include "custody/message_source.h"

namespace custody {

// An std::istream buffer over a MessageSource, without copying its pieces,
// for readers that take streams (Crypto++'s SignStream and VerifyStream,
// nlohmann's parser). The first error of the source ends the stream (end of
// file) and is kept for the caller to return: a failed read must never pass
// for a shorter message.
class SourceStreamBuf final : public std::streambuf {
 public:
  explicit SourceStreamBuf(MessageSource& source) : source_(source) {}
  const Status& error() const { return error_; }

 protected:
  int_type underflow() override {
    while (gptr() == egptr()) {
      if (!error_.ok()) return traits_type::eof();
      Result<std::string_view> piece = source_.Next();
      if (!piece.ok()) {
        error_ = piece.status();
        return traits_type::eof();
      }
      if (piece->empty()) return traits_type::eof();
      shown_before_ += static_cast<off_type>(egptr() - eback());
      Show(*piece);
    }
    return traits_type::to_int_type(*gptr());
  }
  // Signing reads the message twice (RFC 8032: r = H(prefix || M), then
  // H(R || A || M)): Crypto++'s SignStream notes where the stream is with
  // tellg() and goes back there with seekg() between the passes. Telling is
  // always possible; the only position a source can go to is the start.
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    if (!(which & std::ios_base::in) || off_type(pos) != 0 || !error_.ok()) return pos_type(off_type(-1));
    error_ = source_.Rewind();
    setg(nullptr, nullptr, nullptr);
    shown_before_ = 0;
    return error_.ok() ? pos : pos_type(off_type(-1));
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    if (dir == std::ios_base::cur) {
      const off_type here = shown_before_ + static_cast<off_type>(gptr() - eback());
      if (off == 0) return pos_type(here);
      return seekpos(pos_type(here + off), which);
    }
    if (dir != std::ios_base::beg) return pos_type(off_type(-1));
    return seekpos(pos_type(off), which);
  }

 private:
  void Show(std::string_view s) {
    // streambuf wants char*; the buffer is only ever read (no putback area).
    char* p = const_cast<char*>(s.data());
    setg(p, p, p + s.size());
  }
  MessageSource& source_;
  Status error_;
  off_type shown_before_ = 0;  // Bytes of the pieces before the one shown.
};

}  // namespace custody

#endif  // CUSTODY_SRC_COMMON_SOURCE_STREAM_H_
