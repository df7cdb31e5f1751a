// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 in the decomposed form
// of transparency-dev/merkle (proof/verify.go): a proof splits into an
// "inner" part (below the level where the paths to `index` and to `size - 1`
// meet) and a "border" part (left siblings along the right edge).
//
// Generation reads only stored perfect-subtree nodes. The single node that is
// not perfect is the right sibling at the meeting level when it is partly
// filled ("ephemeral"); it is rehashed from the perfect nodes covering it.
#include "ledger/merkle.h"

#include <bit>
#include <cassert>
#include <cstring>

#include "crypto/hash.h"

namespace custody::merkle {
namespace {

constexpr size_t kHashSize = crypto::kSha256Size;

// Number of proof hashes below the meeting level, and along the border.
struct Decomposition {
  int inner;
  int border;
};
Decomposition DecompInclusion(uint64_t index, uint64_t size) {
  int inner = std::bit_width(index ^ (size - 1));
  return {inner, std::popcount(index >> inner)};
}

// Hash chaining helpers from RFC 9162 §2.1.3.2 (see verify.go).
Hash ChainInner(Hash seed, const Hash* proof, int n, uint64_t index) {
  for (int i = 0; i < n; ++i) {
    seed = ((index >> i) & 1) == 0 ? HashChildren(seed, proof[i]) : HashChildren(proof[i], seed);
  }
  return seed;
}
// Like ChainInner but only left siblings: the root of the older, smaller tree.
Hash ChainInnerRight(Hash seed, const Hash* proof, int n, uint64_t index) {
  for (int i = 0; i < n; ++i) {
    if ((index >> i) & 1) seed = HashChildren(proof[i], seed);
  }
  return seed;
}
Hash ChainBorderRight(Hash seed, const Hash* proof, int n) {
  for (int i = 0; i < n; ++i) seed = HashChildren(proof[i], seed);
  return seed;
}

// The root of perfect subtrees laid left to right (a compact range).
Hash FoldRight(const Hash* nodes, size_t n) {
  assert(n > 0);
  Hash h = nodes[n - 1];
  for (size_t i = n - 1; i-- > 0;) h = HashChildren(nodes[i], h);
  return h;
}

// A proof as a list of elements, each the root of a run of stored nodes
// (one node, or several for the ephemeral node), so that all nodes of a proof
// are read in one call and then assembled.
struct ProofPlan {
  std::vector<NodeId> ids;
  std::vector<size_t> element_ends;  // Element i covers ids[ends[i-1], ends[i]).
  void AddRange(uint64_t begin, uint64_t end) {
    for (const NodeId& id : RangeNodes(begin, end)) ids.push_back(id);
    element_ends.push_back(ids.size());
  }
};

// Appends to `plan` the siblings on the path from node (level, index) to the
// root of a tree of `size` leaves: the inclusion proof of that node.
void PlanPath(uint32_t level, uint64_t index, uint64_t size, ProofPlan* plan) {
  for (uint32_t l = level; l < 64; ++l, index >>= 1) {
    uint64_t sibling = index ^ 1;
    uint64_t begin = sibling << l;
    if (begin >= size) {
      // No sibling on the right: we are on the right border at this level.
      // Stop once this node covers the whole tree.
      if (index == 0 && (uint64_t{1} << l) >= size) break;
      continue;
    }
    uint64_t end = std::min(size, begin + (uint64_t{1} << l));
    plan->AddRange(begin, end);  // One node unless the ephemeral right sibling.
  }
}

Result<std::vector<Hash>> Execute(const ProofPlan& plan, const NodeReader& read) {
  std::vector<Hash> proof;
  if (plan.ids.empty()) return proof;
  CUSTODY_ASSIGN_OR_RETURN(std::vector<Hash> nodes, read(plan.ids));
  if (nodes.size() != plan.ids.size()) {
    return CorruptionError("Merkle node store returned " + std::to_string(nodes.size()) +
                           " hashes for " + std::to_string(plan.ids.size()) + " nodes");
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].size() != kHashSize) {
      return CorruptionError("Merkle node (" + std::to_string(plan.ids[i].level) + ", " +
                             std::to_string(plan.ids[i].index) + ") is not a 32-byte hash");
    }
  }
  size_t begin = 0;
  for (size_t end : plan.element_ends) {
    proof.push_back(FoldRight(&nodes[begin], end - begin));
    begin = end;
  }
  return proof;
}

Status CheckProofHashes(const std::vector<Hash>& proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return VerificationFailedError("proof hash " + std::to_string(i) + " is " +
                                     std::to_string(proof[i].size()) + " bytes, not 32");
    }
  }
  return Status::Ok();
}

Status Match(std::string_view calculated, std::string_view expected, std::string_view what) {
  if (calculated != expected) {
    return VerificationFailedError(std::string(what) +
                                   ": the root computed from the proof does not match");
  }
  return Status::Ok();
}

}  // namespace

// One hasher per thread, reused: Sha256Hasher allocates its state, and a
// full verification hashes two nodes per entry, so a fresh hasher per node
// cost more than the hashing itself. Finish() resets it.
namespace {

crypto::Sha256Hasher& NodeHasher() {
  thread_local crypto::Sha256Hasher hasher;
  return hasher;
}

// Each hash is one Update over one contiguous, heap- or stack-aligned buffer
// (prefix byte included): Crypto++ hashes an aligned input in one
// multi-block call, but a prefix byte passed separately leaves the rest of
// the input misaligned, and it then copies and hashes block by block.
crypto::Sha256Digest LeafDigest(std::string_view leaf) {
  thread_local std::string buffer;
  buffer.assign(1, '\x00');
  buffer.append(leaf);
  crypto::Sha256Hasher& h = NodeHasher();
  h.Update(buffer);
  return h.Finish();
}

crypto::Sha256Digest ChildrenDigest(const uint8_t* l, const uint8_t* r) {
  alignas(16) uint8_t buffer[1 + 2 * kHashSize];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, l, kHashSize);
  std::memcpy(buffer + 1 + kHashSize, r, kHashSize);
  crypto::Sha256Hasher& h = NodeHasher();
  h.Update(buffer, sizeof buffer);
  return h.Finish();
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

Hash HashLeaf(std::string_view leaf) { return crypto::DigestToString(LeafDigest(leaf)); }

Hash HashChildren(std::string_view l, std::string_view r) {
  if (l.size() == kHashSize && r.size() == kHashSize)
    return crypto::DigestToString(ChildrenDigest(Bytes(l), Bytes(r)));
  // Any other length (a malformed proof element) hashes as the RFC says;
  // the comparison with the root then fails.
  std::string buffer(1, '\x01');
  buffer.append(l);
  buffer.append(r);
  return crypto::Sha256Bytes(buffer);
}

Hash EmptyRoot() { return crypto::Sha256Bytes(""); }

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> out;
  while (begin < end) {
    // The largest perfect subtree that starts at `begin` and fits in the range.
    uint32_t level = std::bit_width(end - begin) - 1;
    if (begin != 0) level = std::min<uint32_t>(level, std::countr_zero(begin));
    out.push_back({level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return out;
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& read) {
  if (index >= size) {
    return InvalidArgumentError("inclusion proof for entry " + std::to_string(index) +
                                " requested from a tree of size " + std::to_string(size));
  }
  ProofPlan plan;
  PlanPath(0, index, size, &plan);
  return Execute(plan, read);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2, const NodeReader& read) {
  if (size1 > size2) {
    return InvalidArgumentError("consistency proof from size " + std::to_string(size1) +
                                " to the smaller size " + std::to_string(size2));
  }
  if (size1 == 0) {
    // RFC 9162 defines no proof from the empty tree; verifiers reject one.
    return InvalidArgumentError("a consistency proof from the empty tree is meaningless");
  }
  if (size1 == size2) return std::vector<Hash>{};
  ProofPlan plan;
  // The largest perfect subtree ending at size1, then its path in size2. The
  // subtree itself is omitted when it is the whole old tree (the verifier
  // knows it as root1): RFC 9162 SUBPROOF's "b" flag.
  uint32_t level = std::countr_zero(size1);
  uint64_t index = (size1 - 1) >> level;
  if (index != 0) {
    plan.ids.push_back({level, index});
    plan.element_ends.push_back(1);
  }
  PlanPath(level, index, size2, &plan);
  return Execute(plan, read);
}

Result<Hash> RootHash(uint64_t size, const NodeReader& read) {
  if (size == 0) return EmptyRoot();
  ProofPlan plan;
  plan.AddRange(0, size);
  CUSTODY_ASSIGN_OR_RETURN(std::vector<Hash> root, Execute(plan, read));
  return root[0];
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, std::string_view leaf_hash,
                                    const std::vector<Hash>& proof) {
  if (index >= size) {
    return InvalidArgumentError("entry index " + std::to_string(index) +
                                " is beyond the tree size " + std::to_string(size));
  }
  if (leaf_hash.size() != kHashSize) {
    return InvalidArgumentError("leaf hash is " + std::to_string(leaf_hash.size()) +
                                " bytes, not 32");
  }
  auto [inner, border] = DecompInclusion(index, size);
  if (proof.size() != static_cast<size_t>(inner + border)) {
    return VerificationFailedError("inclusion proof has " + std::to_string(proof.size()) +
                                   " hashes; a tree of size " + std::to_string(size) + " needs " +
                                   std::to_string(inner + border) + " for entry " +
                                   std::to_string(index));
  }
  CUSTODY_RETURN_IF_ERROR(CheckProofHashes(proof));
  Hash h = ChainInner(Hash(leaf_hash), proof.data(), inner, index);
  return ChainBorderRight(std::move(h), proof.data() + inner, border);
}

Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                       const std::vector<Hash>& proof, std::string_view root) {
  CUSTODY_ASSIGN_OR_RETURN(Hash calculated, RootFromInclusionProof(index, size, leaf_hash, proof));
  return Match(calculated, root, "inclusion proof");
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                         std::string_view root2, const std::vector<Hash>& proof) {
  // Same order of checks as transparency-dev/merkle's RootFromConsistencyProof.
  if (size2 < size1) {
    return InvalidArgumentError("tree size went backwards: " + std::to_string(size1) + " -> " +
                                std::to_string(size2));
  }
  if (size1 == 0) {
    return InvalidArgumentError("a consistency proof from the empty tree is meaningless");
  }
  if (size1 == size2) {
    if (!proof.empty()) return VerificationFailedError("equal tree sizes need an empty proof");
    return Match(root1, root2, "consistency (equal sizes)");
  }
  if (proof.empty()) return VerificationFailedError("consistency proof is empty");
  CUSTODY_RETURN_IF_ERROR(CheckProofHashes(proof));

  auto [inner, border] = DecompInclusion(size1 - 1, size2);
  int shift = std::countr_zero(size1);
  inner -= shift;  // shift < inner because size1 < size2.
  // The proof starts with the root of the largest perfect subtree ending at
  // size1, unless that subtree is the whole old tree (size1 a power of 2).
  size_t start = 1;
  Hash seed = proof[0];
  if (size1 == (uint64_t{1} << shift)) {
    seed = Hash(root1);
    start = 0;
  }
  if (proof.size() != start + inner + border) {
    return VerificationFailedError("consistency proof has " + std::to_string(proof.size()) +
                                   " hashes; " + std::to_string(start + inner + border) +
                                   " are needed from size " + std::to_string(size1) + " to " +
                                   std::to_string(size2));
  }
  const Hash* p = proof.data() + start;
  uint64_t mask = (size1 - 1) >> shift;
  Hash hash1 = ChainBorderRight(ChainInnerRight(seed, p, inner, mask), p + inner, border);
  CUSTODY_RETURN_IF_ERROR(Match(hash1, root1, "consistency proof (old root)"));
  Hash hash2 = ChainBorderRight(ChainInner(seed, p, inner, mask), p + inner, border);
  return Match(hash2, root2, "consistency proof (new root)");
}

void CompactRange::Append(std::string_view leaf_hash,
                          std::vector<std::pair<NodeId, Hash>>* completed) {
  assert(leaf_hash.size() == kHashSize);
  if (stack_.capacity() == 0) stack_.reserve(64);
  Digest& leaf = stack_.emplace_back();
  std::memcpy(leaf.data(), leaf_hash.data(), kHashSize);
  if (completed) completed->push_back({{0, size_}, std::string(leaf_hash)});
  Merge(completed);
}

void CompactRange::AppendLeafData(std::string_view leaf) {
  if (stack_.capacity() == 0) stack_.reserve(64);
  stack_.push_back(LeafDigest(leaf));
  Merge(nullptr);
}

void CompactRange::Merge(std::vector<std::pair<NodeId, Hash>>* completed) {
  // Each trailing 1 bit of the old size is a perfect subtree that the new
  // leaf completes into one twice as large.
  uint32_t level = 0;
  for (uint64_t s = size_; s & 1; s >>= 1) {
    const size_t top = stack_.size();
    stack_[top - 2] = ChildrenDigest(stack_[top - 2].data(), stack_[top - 1].data());
    stack_.pop_back();
    ++level;
    if (completed)
      completed->push_back({{level, size_ >> level}, crypto::DigestToString(stack_.back())});
  }
  ++size_;
}

Hash CompactRange::Root() const {
  if (stack_.empty()) return EmptyRoot();
  Digest h = stack_.back();
  for (size_t i = stack_.size() - 1; i-- > 0;) h = ChildrenDigest(stack_[i].data(), h.data());
  return crypto::DigestToString(h);
}

CompactRange CompactRange::FromNodes(uint64_t size, std::vector<Hash> nodes) {
  assert(nodes.size() == static_cast<size_t>(std::popcount(size)));
  CompactRange r;
  r.size_ = size;
  r.stack_.reserve(64);
  for (const Hash& h : nodes) {
    assert(h.size() == kHashSize);
    std::memcpy(r.stack_.emplace_back().data(), h.data(), kHashSize);
  }
  return r;
}

Result<CompactRange> CompactRange::Restore(uint64_t size, std::vector<Hash> nodes) {
  if (nodes.size() != static_cast<size_t>(std::popcount(size))) {
    return CorruptionError("a tree of size " + std::to_string(size) + " needs " +
                           std::to_string(std::popcount(size)) + " range nodes, got " +
                           std::to_string(nodes.size()));
  }
  for (const Hash& h : nodes) {
    if (h.size() != kHashSize) return CorruptionError("a Merkle range node is not 32 bytes");
  }
  return FromNodes(size, std::move(nodes));
}

}  // namespace custody::merkle
