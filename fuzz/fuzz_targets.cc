// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "fuzz/fuzz_targets.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "common/byte_stream.h"
#include "common/concat_source.h"
#include "crypto/age.h"
#include "crypto/age_format.h"
#include "crypto/bech32.h"
#include "crypto/encoding.h"
#include "crypto/keystore_crypto.h"
#include "custody/acknowledgement.h"
#include "custody/certificate.h"
#include "custody/disposal.h"
#include "custody/ledger.h"
#include "custody/package.h"
#include "custody/receipt.h"
#include "erase/wipe_state.h"
#include "keys/keystore_internal.h"
#include "ledger/consistency.h"
#include "ledger/entry.h"
#include "ledger/evidence.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "package/package_internal.h"
#include "package/tar_writer.h"

namespace custody::fuzz {
namespace {

// Test keys only, published in tests/data: never for real data.
// The identity most C2SP age vectors are encrypted to (tests/data/age/x25519).
constexpr std::string_view kAgeIdentity =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
// The passphrase of the C2SP scrypt vectors (tests/data/age/scrypt).
constexpr std::string_view kAgePassphrase = "password";
// The vectors use 2^10; higher work factors are refused, which keeps one
// execution cheap.
constexpr int kMaxScryptLog2 = 10;
// The identity the golden package is encrypted to (tests/data/package/identity.txt).
constexpr std::string_view kPackageIdentity =
    "AGE-SECRET-KEY-1AMRUCTL4RMSARWHJ4RAL62QX8HFU8EFY0S9PLDD92X3JTCUK7VPSW6UUKD";
// The verifier of the signed-note test data (tests/data/note/verifier.vkey).
constexpr std::string_view kNoteVerifierKey =
    "custody.example/ledger/test+132e7559+AUXYqghdwQIk5kHMiHo1PIDBcw2WDCiCWEb5qVqigfBH";
// The station that signed the certificate test data (tests/data/cert/verifier-key).
constexpr std::string_view kCertVerifierKey =
    "custody/niigata-office-1/7e2bea95+1abcd680+AYqBBcE8wPpsS3J4SrWySupZSlcedpp1CdTOEBBkeDxr";

std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

void Add(Outcomes* out, const char* entry_point, Status s) { out->push_back({entry_point, std::move(s)}); }

template <typename T>
void Add(Outcomes* out, const char* entry_point, const Result<T>& r) {
  out->push_back({entry_point, r.ok() ? Status::Ok() : r.status()});
}

// Reads a ByteSource to its end (or first error) in odd-sized pieces.
Status Drain(ByteSource& source) {
  uint8_t buf[4093];
  while (true) {
    auto n = source.Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::Ok();
  }
}

// A file in a private temporary directory, removed at exit.
class ScratchPath {
 public:
  ScratchPath() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "custody-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("custody fuzz: mkdtemp");
      std::abort();
    }
    dir_ = tmpl;
  }
  ~ScratchPath() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string File(const char* name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

const ScratchPath& Scratch() {
  static const ScratchPath scratch;
  return scratch;
}

Status WriteWholeFile(const std::string& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IoError("fuzz: cannot create " + path);
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  return ok ? Status::Ok() : IoError("fuzz: cannot write " + path);
}

}  // namespace

Outcomes FuzzAgeDecrypt(const uint8_t* data, size_t size) {
  static const auto* identity = &**new auto(age::X25519Identity::Parse(kAgeIdentity));
  static const auto* passphrase =
      &**new auto(age::ScryptIdentity::Create(SecretString(kAgePassphrase), kMaxScryptLog2));
  Outcomes out;
  const std::string_view file = AsText(data, size);
  // Both identities at once: the decryptor tries each against every stanza.
  Add(&out, "age::Decrypt", age::Decrypt(file, {identity, passphrase}));
  // Through the streaming interface, with armor forced (strict armor decoding
  // in front of the header parser), reading in views.
  {
    StringSource source(file, 777);
    age::DecryptOptions options;
    options.armor = age::Armor::kArmored;
    auto dec = age::AgeDecryptor::Open(&source, {identity}, options);
    Add(&out, "AgeDecryptor::Open(armored)", dec);
    if (dec.ok()) {
      Status s;
      while (true) {
        auto view = (*dec)->ReadView();
        if (!view.ok()) {
          s = view.status();
          break;
        }
        if (view->empty()) break;
      }
      Add(&out, "AgeDecryptor::ReadView", s);
    }
  }
  return out;
}

Outcomes FuzzAgeEncodings(const uint8_t* data, size_t size) {
  Outcomes out;
  const std::string_view text = AsText(data, size);
  Add(&out, "X25519Identity::Parse", age::X25519Identity::Parse(text));
  Add(&out, "X25519Recipient::Parse", age::X25519Recipient::Parse(text));
  auto decoded = bech32::Decode(text);
  Add(&out, "bech32::Decode", decoded);
  if (decoded.ok()) {
    // What decodes must encode back to the same text (lowercased if it was).
    auto again = bech32::Encode(decoded->hrp, decoded->data.view());
    Add(&out, "bech32::Encode", again);
  }
  Add(&out, "Base64Decode(padded)", encoding::Base64Decode(text, encoding::Base64Padding::kPadded));
  Add(&out, "Base64Decode(unpadded)", encoding::Base64Decode(text, encoding::Base64Padding::kUnpadded));
  Add(&out, "HexDecode", encoding::HexDecode(text));
  {
    StringSource source(text, 100);
    age::internal::BufferedReader in(&source);
    age::internal::ArmorSource armor(&in);
    Add(&out, "ArmorSource::Read", Drain(armor));
  }
  {
    StringSource source(text);
    age::internal::BufferedReader in(&source);
    Add(&out, "LooksArmored", age::internal::LooksArmored(in));
    StringSource again(text, 300);
    age::internal::BufferedReader in2(&again);
    Add(&out, "ParseHeader", age::internal::ParseHeader(in2));
  }
  return out;
}

Outcomes FuzzManifest(const uint8_t* data, size_t size) {
  Outcomes out;
  const std::string_view text = AsText(data, size);
  Add(&out, "ParseManifest", ParseManifest(text));
  // The reader's way: pieces of any size. Cut in three where the size says.
  ConcatSource pieces;
  const size_t a = size / 3, b = size - size / 5;
  pieces.Add(text.substr(0, a)).Add(text.substr(a, b - a)).Add(text.substr(b));
  uint64_t files = 0;
  Add(&out, "ParseManifestStream",
      package::ParseManifestStream(pieces, [&files](const PackageFile&) {
        ++files;
        return Status::Ok();
      }));
  return out;
}

Outcomes FuzzPackageTar(const uint8_t* data, size_t size) {
  static const auto* identity = &**new auto(age::X25519Identity::Parse(kPackageIdentity));
  Outcomes out;
  const std::string_view tar = AsText(data, size);
  {
    StringSource source(tar, 1000);
    auto reader = package::TarReader::Open(&source);
    Add(&out, "TarReader::Open", reader);
    if (reader.ok()) {
      // A sparse member's holes read as zeros: a few bytes of tar can stand
      // for terabytes (the package reader refuses sparse members unread).
      // Read at most this much of the data, so an input cannot hang us.
      uint64_t budget = 8u << 20;
      Status s;
      for (int members = 0; s.ok() && budget > 0; ++members) {
        auto m = (*reader)->Next();
        if (!m.ok()) {
          s = m.status();
          break;
        }
        if (!*m) break;
        // Alternate the two ways of reading member data.
        while (true) {
          if (members % 2 == 0) {
            auto block = (*reader)->ReadBlock();
            if (!block.ok()) s = block.status();
            if (!block.ok() || block->empty()) break;
            budget -= std::min<uint64_t>(budget, block->size());
          } else {
            char buf[1000];
            auto n = (*reader)->Read(buf, sizeof buf);
            if (!n.ok()) s = n.status();
            if (!n.ok() || *n == 0) break;
            budget -= std::min<uint64_t>(budget, *n);
          }
          if (budget == 0) break;
        }
      }
      Add(&out, "TarReader::Next/Read", s);
    }
  }
  // The same bytes as the payload of an age package: the reader's member
  // checks, the manifest and signature handling, the comparison.
  auto encrypted = age::Encrypt(tar, {&identity->Recipient()});
  if (!encrypted.ok()) {
    Add(&out, "age::Encrypt", encrypted);
    return out;
  }
  const std::string path = Scratch().File("package.age");
  Status written = WriteWholeFile(path, *encrypted);
  if (!written.ok()) {
    Add(&out, "write package", written);
    return out;
  }
  PackageKeys keys;
  keys.identities.push_back(SecretString(kPackageIdentity));
  Add(&out, "VerifyPackage", VerifyPackage(path, keys));
  VerifyPackageOptions portable;
  portable.portable = true;
  Add(&out, "ReadManifest(portable)", ReadManifest(path, keys, portable));
  return out;
}

Outcomes FuzzLedger(const uint8_t* data, size_t size) {
  static const auto* verifier = new note::Verifier(*note::ParseVerifierKey(kNoteVerifierKey));
  Outcomes out;
  const std::string_view text = AsText(data, size);
  Add(&out, "ParseEntry", ledger::ParseEntry(text));
  Add(&out, "ParseVerifierKey", note::ParseVerifierKey(text));
  Add(&out, "note::Open", note::Open(text, *verifier));
  Add(&out, "OpenCheckpoint", note::OpenCheckpoint(text, *verifier));
  auto checkpoint = note::ParseCheckpoint(text);
  Add(&out, "ParseCheckpoint", checkpoint);
  const merkle::Hash leaf = merkle::HashLeaf(text);

  auto proof = note::ParseTlogProof(text);
  Add(&out, "ParseTlogProof", proof);
  if (proof.ok()) {
    Add(&out, "VerifyTlogProof", note::VerifyTlogProof(*proof, leaf, *verifier));
    // The inclusion check itself, with the unsigned checkpoint's size and
    // root: a forged signature is out of reach, the arithmetic is not.
    std::string_view cp = proof->signed_checkpoint;
    auto cp_text = note::ParseCheckpoint(cp.substr(0, cp.find("\n\n") + 1));
    if (cp_text.ok()) {
      Add(&out, "VerifyInclusion",
          merkle::VerifyInclusion(proof->index, cp_text->size, leaf, proof->path, cp_text->root_hash));
    }
  }

  auto bundle = ledger::ParseEvidenceBundle(text);
  Add(&out, "ParseEvidenceBundle", bundle);
  if (bundle.ok()) {
    Add(&out, "ParseEntry(bundle)", ledger::ParseEntry(bundle->entry_bytes));
    Add(&out, "ParseTlogProof(bundle)", note::ParseTlogProof(bundle->tlog_proof));
  }
  Add(&out, "VerifyEvidenceBundle", VerifyEvidenceBundle(text, kNoteVerifierKey));
  Add(&out, "VerifyEvidenceBundle(cert key)", VerifyEvidenceBundle(text, kCertVerifierKey));

  auto consistency = ledger::ParseConsistencyProof(text);
  Add(&out, "ParseConsistencyProof", consistency);
  if (consistency.ok()) {
    const merkle::Hash root1 = merkle::HashLeaf(leaf), root2 = merkle::HashChildren(leaf, root1);
    Add(&out, "VerifyConsistencyProof", ledger::VerifyConsistencyProof(*consistency, root1, root2));
    // With the roots the proof implies, so that the chain runs to the end.
    if (!consistency->hashes.empty()) {
      const std::string& h = consistency->hashes.front();
      Add(&out, "VerifyConsistencyProof(own roots)",
          ledger::VerifyConsistencyProof(*consistency, h, consistency->hashes.back()));
    }
  }
  return out;
}

Outcomes FuzzDocuments(const uint8_t* data, size_t size) {
  Outcomes out;
  const std::string_view text = AsText(data, size);
  auto receipt = ParseSignedReceipt(text);
  Add(&out, "ParseSignedReceipt", receipt);
  auto ack = ParseAck(text);
  Add(&out, "ParseAck", ack);
  if (ack.ok()) Add(&out, "VerifyAck", VerifyAck(*ack, ""));
  auto cert = ParseSignedCertificate(text);
  Add(&out, "ParseSignedCertificate", cert);
  Add(&out, "ParseCertificateQrPayload", ParseCertificateQrPayload(text));
  Add(&out, "ParseDisposalRecord", ParseDisposalRecord(text));
  Add(&out, "InfoFromJson", keys::InfoFromJson(text, "inbox"));
  std::string recipient;
  Add(&out, "ParseKeyFile", crypto::ParseKeyFile(text, &recipient));
  Add(&out, "erase::ParseState", erase::ParseState(text));
  return out;
}

const std::vector<Target>& Targets() {
  static const std::vector<Target> targets = {
      {"age_decrypt", FuzzAgeDecrypt}, {"age_encodings", FuzzAgeEncodings}, {"manifest", FuzzManifest},
      {"package_tar", FuzzPackageTar}, {"ledger", FuzzLedger},             {"documents", FuzzDocuments},
  };
  return targets;
}

const Outcome* FirstBadOutcome(const Outcomes& outcomes) {
  for (const Outcome& o : outcomes) {
    if (!o.status.ok() && o.status.message().empty()) return &o;
  }
  return nullptr;
}

}  // namespace custody::fuzz
