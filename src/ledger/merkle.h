// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The RFC 6962 / RFC 9162 Merkle tree: hashing, proof verification, and
// proof generation from stored perfect-subtree nodes.
//
// Node addressing: (level, index) names the perfect subtree of 2^level leaves
// starting at leaf index * 2^level. The ledger stores every such node once
// complete, so any proof needs O(log n) node reads.
#ifndef CUSTODY_SRC_LEDGER_MERKLE_H_
#define CUSTODY_SRC_LEDGER_MERKLE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "custody/status.h"

namespace custody::merkle {

using Hash = std::string;  // Always 32 bytes.

Hash HashLeaf(std::string_view leaf);                       // SHA-256(0x00 || leaf)
Hash HashChildren(std::string_view l, std::string_view r);  // SHA-256(0x01 || l || r)
Hash EmptyRoot();                                           // SHA-256("")

struct NodeId {
  uint32_t level;
  uint64_t index;
  bool operator<(const NodeId& o) const {
    return level != o.level ? level < o.level : index < o.index;
  }
  bool operator==(const NodeId& o) const = default;
};

// Reads the hashes of perfect-subtree nodes; returns them in the order asked.
// The ledger implements it with one batched SQL query.
using NodeReader = std::function<Result<std::vector<Hash>>(const std::vector<NodeId>&)>;

// The perfect-subtree nodes that cover [begin, end) (the binary decomposition
// of the range, left to right). begin must be aligned as in RFC 9162 ranges.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// The nodes needed for the inclusion proof of `index` in a tree of `size`,
// and the proof assembled from their hashes (ephemeral right-edge nodes are
// rehashed from their perfect parts).
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& read);
Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2, const NodeReader& read);
Result<Hash> RootHash(uint64_t size, const NodeReader& read);

// RFC 9162 §2.1.3.2 and §2.1.4.2 verification. Failures are
// kVerificationFailed (or kInvalidArgument for impossible indices/sizes) with a
// message saying what did not match.
Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                       const std::vector<Hash>& proof, std::string_view root);
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, std::string_view leaf_hash,
                                    const std::vector<Hash>& proof);
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                         std::string_view root2, const std::vector<Hash>& proof);

// Streaming root computation in O(log n) memory (a compact range from 0):
// append leaf hashes in order, read the root at any time. Also yields the
// perfect-subtree nodes completed by each append, for the ledger's node table.
class CompactRange {
 public:
  // Appends the next leaf hash (32 bytes). Every node completed by this
  // append, leaf first then upwards, is appended (not assigned) to
  // `*completed` if not null, as (id, hash): 1 + (trailing 1 bits of the old
  // size) nodes, so a caller may collect the nodes of a batch in one vector.
  void Append(std::string_view leaf_hash,
              std::vector<std::pair<NodeId, Hash>>* completed = nullptr);
  // Appends the leaf whose entry bytes are `leaf` (hashes it as HashLeaf
  // does). The full verification's path: no allocation per leaf or node.
  void AppendLeafData(std::string_view leaf);
  uint64_t size() const { return size_; }
  Hash Root() const;  // EmptyRoot() when size() == 0.
  // Restores the state for a tree of `size` from the hashes of the nodes
  // RangeNodes(0, size), in that order. Precondition (asserted): their count
  // is popcount(size). Use Restore() for nodes read from storage.
  static CompactRange FromNodes(uint64_t size, std::vector<Hash> nodes);
  // As FromNodes, but kCorruption if the count or a hash size is wrong.
  static Result<CompactRange> Restore(uint64_t size, std::vector<Hash> nodes);

 private:
  using Digest = std::array<uint8_t, 32>;
  // Merges the perfect subtrees the append of leaf `size_` completed.
  void Merge(std::vector<std::pair<NodeId, Hash>>* completed);

  uint64_t size_ = 0;
  // Perfect subtrees, largest (leftmost) first. Fixed-size digests, not Hash
  // strings: a full verification appends a million leaves, and a heap
  // allocation per leaf and per node cost a tenth of its time.
  std::vector<Digest> stack_;
};

}  // namespace custody::merkle

#endif  // CUSTODY_SRC_LEDGER_MERKLE_H_
