// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// ConcatSource: a MessageSource made of parts, each bytes in memory or
// another MessageSource, one after the other (a signing context, then a
// manifest held partly in a SealedSpill, ...). Nothing is copied.
#ifndef CUSTODY_SRC_COMMON_CONCAT_SOURCE_H_
#define CUSTODY_SRC_COMMON_CONCAT_SOURCE_H_

#include <string_view>
#include <vector>

#include "custody/message_source.h"

namespace custody {

class ConcatSource final : public MessageSource {
 public:
  // The bytes and sources must outlive the object.
  ConcatSource& Add(std::string_view bytes) {
    parts_.push_back({bytes, nullptr});
    return *this;
  }
  ConcatSource& Add(MessageSource& source) {
    parts_.push_back({{}, &source});
    return *this;
  }

  Status Rewind() override {
    next_ = 0;
    for (Part& p : parts_) {
      if (p.source != nullptr) CUSTODY_RETURN_IF_ERROR(p.source->Rewind());
    }
    return Status::Ok();
  }
  Result<std::string_view> Next() override {
    while (next_ < parts_.size()) {
      Part& p = parts_[next_];
      if (p.source == nullptr) {
        ++next_;
        if (!p.bytes.empty()) return p.bytes;
        continue;
      }
      CUSTODY_ASSIGN_OR_RETURN(std::string_view piece, p.source->Next());
      if (!piece.empty()) return piece;
      ++next_;
    }
    return std::string_view();
  }

 private:
  struct Part {
    std::string_view bytes;
    MessageSource* source;
  };
  std::vector<Part> parts_;
  size_t next_ = 0;
};

}  // namespace custody

#endif  // CUSTODY_SRC_COMMON_CONCAT_SOURCE_H_
