// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/byte_stream.h"

#include <algorithm>
#include <cstring>

#include "custody/env.h"

namespace custody {

Result<size_t> ReadFull(ByteSource& source, uint8_t* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    CUSTODY_ASSIGN_OR_RETURN(size_t r, source.Read(buf + got, n - got));
    if (r == 0) break;
    if (r > n - got) return InternalError("ByteSource::Read returned more bytes than asked");
    got += r;
  }
  return got;
}

Status StringSink::Write(std::string_view data) {
  out_->append(data);
  return Status::Ok();
}

Status WritableFileSink::Write(std::string_view data) { return file_->Append(data); }

Result<size_t> StringSource::Read(uint8_t* buf, size_t n) {
  size_t k = std::min({n, data_.size(), max_read_});
  if (k > 0) std::memcpy(buf, data_.data(), k);
  data_.remove_prefix(k);
  return k;
}

}  // namespace custody
