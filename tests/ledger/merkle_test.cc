// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <boost/filesystem.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "support/temp_dir.h"

namespace custody::merkle {
namespace {

std::string Hex(std::string_view h) { return encoding::HexDecode(h).value(); }
std::string B64(const nlohmann::json& j) {
  return encoding::Base64Decode(j.get<std::string>()).value();
}
std::vector<Hash> B64List(const nlohmann::json& j) {
  std::vector<Hash> out;
  if (j.is_array()) {
    for (const auto& e : j) out.push_back(B64(e));
  }
  return out;
}

// The standard test leaves of RFC 6962 implementations (transparency-dev/merkle
// testonly), and the roots of the trees of their first 1..8 leaves.
const std::vector<std::string> kLeaves = {
    "",
    std::string("\x00", 1),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
const std::vector<std::string> kRootsHex = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

// A node store built from CompactRange's completed nodes, counting reads.
struct NodeStore {
  std::map<NodeId, Hash> nodes;
  int calls = 0;
  size_t nodes_read = 0;
  NodeReader Reader() {
    return [this](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
      ++calls;
      nodes_read += ids.size();
      std::vector<Hash> out;
      for (const auto& id : ids) {
        auto it = nodes.find(id);
        if (it == nodes.end()) {
          return NotFoundError("node (" + std::to_string(id.level) + ", " +
                               std::to_string(id.index) + ") not stored");
        }
        out.push_back(it->second);
      }
      return out;
    };
  }
};

// Builds a tree of `n` leaves ("leaf i"); roots[s] is the root at size s.
struct Tree {
  NodeStore store;
  std::vector<Hash> leaf_hashes;
  std::vector<Hash> roots;
  explicit Tree(uint64_t n) {
    CompactRange cr;
    roots.push_back(cr.Root());
    std::vector<std::pair<NodeId, Hash>> completed;
    for (uint64_t i = 0; i < n; ++i) {
      leaf_hashes.push_back(HashLeaf("leaf " + std::to_string(i)));
      cr.Append(leaf_hashes.back(), &completed);
      roots.push_back(cr.Root());
    }
    for (auto& [id, h] : completed) EXPECT_TRUE(store.nodes.emplace(id, h).second);
  }
};

// RFC 9162 §2.1.1 / §2.1.3.1 / §2.1.4.1, written recursively from the text:
// the reference the O(log n) generators are compared with.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }  // Largest 2^k < n.
Hash RefMth(const Hash* leaves, uint64_t n) {
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[0];
  uint64_t k = SplitPoint(n);
  return HashChildren(RefMth(leaves, k), RefMth(leaves + k, n - k));
}
void RefPath(uint64_t m, const Hash* leaves, uint64_t n, std::vector<Hash>* out) {
  if (n == 1) return;
  uint64_t k = SplitPoint(n);
  if (m < k) {
    RefPath(m, leaves, k, out);
    out->push_back(RefMth(leaves + k, n - k));
  } else {
    RefPath(m - k, leaves + k, n - k, out);
    out->push_back(RefMth(leaves, k));
  }
}
void RefSubproof(uint64_t m, const Hash* leaves, uint64_t n, bool b, std::vector<Hash>* out) {
  if (m == n) {
    if (!b) out->push_back(RefMth(leaves, n));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    RefSubproof(m, leaves, k, b, out);
    out->push_back(RefMth(leaves + k, n - k));
  } else {
    RefSubproof(m - k, leaves + k, n - k, false, out);
    out->push_back(RefMth(leaves, k));
  }
}

TEST(MerkleTest, HashingMatchesRfc6962) {
  EXPECT_EQ(EmptyRoot(), Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_EQ(HashLeaf(""), Hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  EXPECT_EQ(HashChildren("a", "b"), crypto::Sha256Bytes("\x01"
                                                        "ab"));
}

TEST(MerkleTest, KnownRootsOfTheStandardLeaves) {
  CompactRange cr;
  NodeStore store;
  std::vector<std::pair<NodeId, Hash>> completed;
  EXPECT_EQ(cr.Root(), EmptyRoot());
  for (size_t i = 0; i < kLeaves.size(); ++i) {
    cr.Append(HashLeaf(kLeaves[i]), &completed);
    EXPECT_EQ(encoding::HexEncode(cr.Root()), kRootsHex[i]) << "size " << i + 1;
  }
  for (auto& [id, h] : completed) store.nodes[id] = h;
  EXPECT_EQ(store.nodes.size(), 15u);  // 8 leaves + 4 + 2 + 1.
  for (uint64_t size = 0; size <= 8; ++size) {
    auto root = RootHash(size, store.Reader());
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, size == 0 ? EmptyRoot() : Hex(kRootsHex[size - 1]));
  }
}

// The known proofs of transparency-dev/merkle proof/verify_test.go
// (inclusionProofs and consistencyProofs) for the standard leaves.
TEST(MerkleTest, KnownProofsOfTheStandardLeaves) {
  NodeStore store;
  CompactRange cr;
  std::vector<std::pair<NodeId, Hash>> completed;
  for (const auto& leaf : kLeaves) cr.Append(HashLeaf(leaf), &completed);
  for (auto& [id, h] : completed) store.nodes[id] = h;
  struct Known {
    uint64_t a, b;
    std::vector<const char*> proof;
  };
  const std::vector<Known> inclusion = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& k : inclusion) {
    auto proof = InclusionProof(k.a, k.b, store.Reader());
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    std::vector<Hash> want;
    for (const char* h : k.proof) want.push_back(Hex(h));
    EXPECT_EQ(*proof, want) << "inclusion " << k.a << " in " << k.b;
    EXPECT_TRUE(
        VerifyInclusion(k.a, k.b, HashLeaf(kLeaves[k.a]), want, Hex(kRootsHex[k.b - 1])).ok());
  }
  const std::vector<Known> consistency = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const auto& k : consistency) {
    auto proof = ConsistencyProof(k.a, k.b, store.Reader());
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    std::vector<Hash> want;
    for (const char* h : k.proof) want.push_back(Hex(h));
    EXPECT_EQ(*proof, want) << "consistency " << k.a << " -> " << k.b;
    EXPECT_TRUE(
        VerifyConsistency(k.a, k.b, Hex(kRootsHex[k.a - 1]), Hex(kRootsHex[k.b - 1]), want).ok());
  }
}

// Every vector of transparency-dev/merkle testdata (tests/data/merkle, see
// its LICENSE): verification must fail exactly when wantErr says so.
TEST(MerkleTest, TransparencyDevVectors) {
  namespace fs = boost::filesystem;
  int inclusion = 0, consistency = 0;
  for (fs::recursive_directory_iterator it(TestDataPath("merkle")), end; it != end; ++it) {
    if (it->path().extension() != ".json") continue;
    std::string name = it->path().string();
    auto v = nlohmann::json::parse(ReadFileOrDie(name));
    bool want_err = v.at("wantErr").get<bool>();
    Status s;
    if (v.contains("leafIdx")) {
      ++inclusion;
      s = VerifyInclusion(v.at("leafIdx").get<uint64_t>(), v.at("treeSize").get<uint64_t>(),
                          B64(v.at("leafHash")), B64List(v.at("proof")), B64(v.at("root")));
    } else {
      ++consistency;
      s = VerifyConsistency(v.at("size1").get<uint64_t>(), v.at("size2").get<uint64_t>(),
                            B64(v.at("root1")), B64(v.at("root2")), B64List(v.at("proof")));
    }
    EXPECT_EQ(!s.ok(), want_err) << name << ": " << s.ToString();
    if (!s.ok()) {
      EXPECT_TRUE(s.code() == StatusCode::kVerificationFailed ||
                  s.code() == StatusCode::kInvalidArgument)
          << name << ": " << s.ToString();
    }
  }
  EXPECT_EQ(inclusion, 98);
  EXPECT_EQ(consistency, 98);
}

TEST(MerkleTest, RangeNodes) {
  auto ids = [](uint64_t b, uint64_t e) {
    std::vector<std::pair<uint32_t, uint64_t>> out;
    for (const auto& id : RangeNodes(b, e)) out.push_back({id.level, id.index});
    return out;
  };
  using V = std::vector<std::pair<uint32_t, uint64_t>>;
  EXPECT_EQ(ids(0, 0), V{});
  EXPECT_EQ(ids(0, 1), (V{{0, 0}}));
  EXPECT_EQ(ids(0, 7), (V{{2, 0}, {1, 2}, {0, 6}}));
  EXPECT_EQ(ids(0, 8), (V{{3, 0}}));
  EXPECT_EQ(ids(4, 7), (V{{1, 2}, {0, 6}}));
  EXPECT_EQ(ids(3, 13), (V{{0, 3}, {2, 1}, {2, 2}, {0, 12}}));
  // Every range decomposes into disjoint perfect subtrees covering it exactly.
  for (uint64_t b = 0; b < 40; ++b) {
    for (uint64_t e = b; e < 80; ++e) {
      uint64_t next = b;
      for (const auto& id : RangeNodes(b, e)) {
        EXPECT_EQ(id.index << id.level, next);
        next += uint64_t{1} << id.level;
      }
      EXPECT_EQ(next, e);
    }
  }
}

// For every size 1..70 and every index, proofs generated from the stored
// nodes equal RFC 9162's recursive PATH / PROOF and verify; one reader call.
TEST(MerkleTest, GeneratedProofsMatchRfcAndVerifyForAllSmallTrees) {
  constexpr uint64_t kMax = 70;
  Tree tree(kMax);
  for (uint64_t size = 1; size <= kMax; ++size) {
    const Hash& root = tree.roots[size];
    ASSERT_EQ(root, RefMth(tree.leaf_hashes.data(), size));
    tree.store.calls = 0;
    ASSERT_EQ(RootHash(size, tree.store.Reader()).value(), root);
    EXPECT_EQ(tree.store.calls, 1);
    for (uint64_t i = 0; i < size; ++i) {
      tree.store.calls = 0;
      auto proof = InclusionProof(i, size, tree.store.Reader());
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_EQ(tree.store.calls, size == 1 ? 0 : 1);
      std::vector<Hash> want;
      RefPath(i, tree.leaf_hashes.data(), size, &want);
      EXPECT_EQ(*proof, want) << i << " in " << size;
      EXPECT_TRUE(VerifyInclusion(i, size, tree.leaf_hashes[i], *proof, root).ok());
      EXPECT_EQ(RootFromInclusionProof(i, size, tree.leaf_hashes[i], *proof).value(), root);
      // The proof is bound to its index and to its leaf.
      if (size > 1) {
        EXPECT_FALSE(VerifyInclusion((i + 1) % size, size, tree.leaf_hashes[i], *proof, root).ok());
        EXPECT_FALSE(VerifyInclusion(i, size, tree.leaf_hashes[(i + 1) % size], *proof, root).ok());
      }
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      tree.store.calls = 0;
      auto proof = ConsistencyProof(size1, size, tree.store.Reader());
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_LE(tree.store.calls, 1);
      std::vector<Hash> want;
      if (size1 < size) RefSubproof(size1, tree.leaf_hashes.data(), size, true, &want);
      EXPECT_EQ(*proof, want) << size1 << " -> " << size;
      EXPECT_TRUE(VerifyConsistency(size1, size, tree.roots[size1], root, *proof).ok())
          << size1 << " -> " << size;
      if (size1 < size) {
        // Bound to the old root.
        EXPECT_FALSE(VerifyConsistency(size1, size, tree.roots[size1 + 1], root, *proof).ok());
      }
    }
  }
}

// Proof generation reads O(log n) nodes: at most 2 per level, in one call,
// even for a tree of 2^50 + 12345 leaves (hashes are synthetic: this counts
// reads, the small trees above check the values).
TEST(MerkleTest, ProofGenerationReadsLogarithmicallyManyNodes) {
  int calls = 0;
  size_t max_read = 0;
  NodeReader counting = [&](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    ++calls;
    max_read = std::max(max_read, ids.size());
    std::vector<Hash> out;
    for (const auto& id : ids) {
      out.push_back(crypto::Sha256Bytes(std::to_string(id.level) + "/" + std::to_string(id.index)));
    }
    return out;
  };
  const uint64_t size = (uint64_t{1} << 50) + 12345;
  const size_t levels = std::bit_width(size);  // 51
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, size / 3, size - 12346, size - 2, size - 1}) {
    auto proof = InclusionProof(index, size, counting);
    ASSERT_TRUE(proof.ok());
    EXPECT_LE(proof->size(), levels);
  }
  for (uint64_t size1 : {uint64_t{1}, uint64_t{7}, size / 2, size - 1}) {
    auto proof = ConsistencyProof(size1, size, counting);
    ASSERT_TRUE(proof.ok());
    EXPECT_LE(proof->size(), levels + 1);
  }
  EXPECT_EQ(calls, 10);
  EXPECT_LE(max_read, 2 * levels);
  // The root of any size needs popcount(size) nodes.
  calls = 0;
  max_read = 0;
  ASSERT_TRUE(RootHash(size, counting).ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(max_read, static_cast<size_t>(std::popcount(size)));
}

TEST(MerkleTest, GenerationErrors) {
  Tree tree(5);
  EXPECT_EQ(InclusionProof(5, 5, tree.store.Reader()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(6, 5, tree.store.Reader()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(0, 5, tree.store.Reader()).status().code(),
            StatusCode::kInvalidArgument);
  // Nodes missing from the store: the reader's error is passed on.
  EXPECT_EQ(InclusionProof(0, 9, tree.store.Reader()).status().code(), StatusCode::kNotFound);
  // A store that returns the wrong number of hashes, or a short hash.
  NodeReader short_reader = [](const std::vector<NodeId>&) -> Result<std::vector<Hash>> {
    return std::vector<Hash>{};
  };
  EXPECT_EQ(InclusionProof(0, 4, short_reader).status().code(), StatusCode::kCorruption);
  NodeReader bad_hash = [](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    return std::vector<Hash>(ids.size(), Hash(31, 'x'));
  };
  EXPECT_EQ(RootHash(4, bad_hash).status().code(), StatusCode::kCorruption);
}

TEST(MerkleTest, VerificationErrorCodes) {
  Tree tree(6);
  auto proof = InclusionProof(2, 6, tree.store.Reader()).value();
  EXPECT_EQ(VerifyInclusion(6, 6, tree.leaf_hashes[2], proof, tree.roots[6]).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(2, 6, tree.leaf_hashes[3], proof, tree.roots[6]).code(),
            StatusCode::kVerificationFailed);
  std::vector<Hash> short_hash = proof;
  short_hash[0].pop_back();
  EXPECT_EQ(VerifyInclusion(2, 6, tree.leaf_hashes[2], short_hash, tree.roots[6]).code(),
            StatusCode::kVerificationFailed);
  EXPECT_EQ(VerifyConsistency(6, 5, tree.roots[6], tree.roots[5], {}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(3, 6, tree.roots[3], tree.roots[6], {}).code(),
            StatusCode::kVerificationFailed);
}

TEST(MerkleTest, CompactRangeReportsEveryNodeOnceAndRestores) {
  constexpr uint64_t kN = 37;
  Tree tree(kN);
  // Each append completes 1 + (trailing ones of the old size) nodes; in all,
  // every perfect subtree of the final tree, each exactly once.
  size_t perfect = 0;
  for (uint32_t level = 0; (uint64_t{1} << level) <= kN; ++level) perfect += kN >> level;
  EXPECT_EQ(tree.store.nodes.size(), perfect);
  for (uint64_t size = 0; size <= kN; ++size) {
    std::vector<Hash> nodes;
    for (const auto& id : RangeNodes(0, size)) nodes.push_back(tree.store.nodes.at(id));
    auto restored = CompactRange::Restore(size, nodes);
    ASSERT_TRUE(restored.ok());
    EXPECT_EQ(restored->size(), size);
    EXPECT_EQ(restored->Root(), tree.roots[size]);
    // Appending to a restored range continues the same tree.
    for (uint64_t i = size; i < std::min(kN, size + 5); ++i) restored->Append(tree.leaf_hashes[i]);
    EXPECT_EQ(restored->Root(), tree.roots[std::min(kN, size + 5)]);
  }
  EXPECT_EQ(CompactRange::Restore(5, {Hash(32, 'a')}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(CompactRange::Restore(1, {Hash(31, 'a')}).status().code(), StatusCode::kCorruption);
}

TEST(MerkleTest, AppendLeafDataEqualsAppendOfTheLeafHash) {
  // The verification path hashes entry bytes straight into the range; it
  // must build the same tree as Append(HashLeaf(...)), for leaves shorter
  // and longer than a SHA-256 block and at every size up to 70.
  CompactRange by_hash, by_data;
  for (uint64_t i = 0; i < 70; ++i) {
    std::string leaf(static_cast<size_t>(i * 7 % 150), static_cast<char>('a' + i % 26));
    by_hash.Append(HashLeaf(leaf));
    by_data.AppendLeafData(leaf);
    ASSERT_EQ(by_data.size(), by_hash.size());
    ASSERT_EQ(by_data.Root(), by_hash.Root()) << "size " << i + 1;
  }
  CompactRange standard;
  for (size_t i = 0; i < kLeaves.size(); ++i) {
    standard.AppendLeafData(kLeaves[i]);
    EXPECT_EQ(encoding::HexEncode(standard.Root()), kRootsHex[i]) << "size " << i + 1;
  }
}

TEST(MerkleTest, HashChildrenOfMalformedLengthsHashesTheConcatenation) {
  // A proof element of the wrong length (a damaged bundle) is hashed as the
  // RFC says and so cannot match; it is not an assertion failure.
  const Hash full(32, 'x');
  EXPECT_EQ(HashChildren(full, "short"), crypto::Sha256Bytes("\x01" + full + "short"));
  EXPECT_EQ(HashChildren(Hash(33, 'y'), full), crypto::Sha256Bytes("\x01" + Hash(33, 'y') + full));
  EXPECT_EQ(HashChildren(full, full), crypto::Sha256Bytes("\x01" + full + full));
}

}  // namespace
}  // namespace custody::merkle
