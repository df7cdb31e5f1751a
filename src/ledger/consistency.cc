// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/consistency.h"

#include "crypto/encoding.h"
#include "ledger/merkle.h"

namespace custody::ledger {
namespace {

bool ParseSize(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// The root of the perfect subtree of `count` (a power of two) leaves at `begin`.
merkle::Hash PerfectRoot(const std::vector<merkle::Hash>& leaves, uint64_t begin, uint64_t count) {
  if (count == 1) return leaves[begin];
  return merkle::HashChildren(PerfectRoot(leaves, begin, count / 2),
                              PerfectRoot(leaves, begin + count / 2, count / 2));
}

}  // namespace

std::string FormatConsistencyProof(const ConsistencyProofFile& p) {
  std::string out(kConsistencyHeader);
  out += "old " + std::to_string(p.old_size) + "\nnew " + std::to_string(p.new_size) + "\n";
  for (const auto& h : p.hashes) out += encoding::Base64Encode(h) + "\n";
  return out;
}

Result<ConsistencyProofFile> ParseConsistencyProof(std::string_view text) {
  if (text.substr(0, kConsistencyHeader.size()) != kConsistencyHeader)
    return CorruptionError(
        "not a custody consistency proof (first line must be \"custody consistency proof v1\")");
  text.remove_prefix(kConsistencyHeader.size());
  if (text.find('\r') != std::string_view::npos)
    return CorruptionError("consistency proof: carriage return");
  if (!text.empty() && text.back() != '\n')
    return CorruptionError("consistency proof: no final newline");
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  ConsistencyProofFile p;
  if (lines.size() < 2 || lines[0].substr(0, 4) != "old " || lines[1].substr(0, 4) != "new " ||
      !ParseSize(lines[0].substr(4), &p.old_size) || !ParseSize(lines[1].substr(4), &p.new_size))
    return CorruptionError("consistency proof: expected \"old N\" and \"new M\" lines");
  if (p.old_size > p.new_size)
    return CorruptionError("consistency proof: old size is larger than new size");
  if (lines.size() - 2 > 64)
    return CorruptionError("consistency proof: more hashes than any tree needs");
  for (size_t i = 2; i < lines.size(); ++i) {
    auto h = encoding::Base64Decode(lines[i]);
    if (!h.ok() || h->size() != 32 || encoding::Base64Encode(*h) != lines[i])
      return CorruptionError("consistency proof: line " + std::to_string(i + 2) +
                             " is not the base64 of a 32-byte hash");
    p.hashes.push_back(std::move(*h));
  }
  return p;
}

Result<ConsistencyProofFile> ProveConsistency(Ledger& ledger, uint64_t old_size,
                                              uint64_t new_size) {
  if (old_size > new_size)
    return InvalidArgumentError("consistency proof from size " + std::to_string(old_size) +
                                " to the smaller size " + std::to_string(new_size));
  std::vector<merkle::Hash> leaves;
  leaves.reserve(new_size);
  CUSTODY_RETURN_IF_ERROR(ledger.Scan(0, [&](const LedgerEntry& e) {
    if (leaves.size() >= new_size) return false;
    leaves.push_back(merkle::HashLeaf(e.canonical));
    return true;
  }));
  if (leaves.size() < new_size)
    return NotFoundError("this ledger has " + std::to_string(leaves.size()) +
                         " entries, fewer than the " + std::to_string(new_size) +
                         " the proof needs");
  merkle::NodeReader read =
      [&](const std::vector<merkle::NodeId>& ids) -> Result<std::vector<merkle::Hash>> {
    std::vector<merkle::Hash> out;
    for (const merkle::NodeId& id : ids) {
      const uint64_t count = uint64_t{1} << id.level, begin = id.index * count;
      if (begin + count > leaves.size()) return InternalError("node outside the tree");
      out.push_back(PerfectRoot(leaves, begin, count));
    }
    return out;
  };
  ConsistencyProofFile p{old_size, new_size, {}};
  if (old_size == 0 || old_size == new_size) return p;  // RFC 9162: the empty proof.
  CUSTODY_ASSIGN_OR_RETURN(p.hashes, merkle::ConsistencyProof(old_size, new_size, read));
  return p;
}

Status VerifyConsistencyProof(const ConsistencyProofFile& p, std::string_view old_root,
                              std::string_view new_root) {
  if (p.old_size == p.new_size) {
    if (!p.hashes.empty()) return VerificationFailedError("a proof between equal sizes is empty");
    return old_root == new_root
               ? Status::Ok()
               : VerificationFailedError("two checkpoints of size " + std::to_string(p.old_size) +
                                         " with different roots");
  }
  if (p.old_size == 0) return Status::Ok();  // Every tree extends the empty tree.
  return merkle::VerifyConsistency(p.old_size, p.new_size, old_root, new_root, p.hashes);
}

}  // namespace custody::ledger
