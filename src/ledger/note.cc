// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Specs: https://c2sp.org/signed-note@v1.0.0, https://c2sp.org/tlog-checkpoint@v1.0.0,
// https://c2sp.org/tlog-proof@v1. Our profile: docs/formats/checkpoint.md.
// Behaviour follows golang.org/x/mod/sumdb/note where the spec leaves room,
// and is stricter where a second spelling of the same value would be
// possible (canonical base64, lowercase key ID hex).
#include "ledger/note.h"

#include <cstdio>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "ledger/merkle.h"

namespace custody::note {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // Em dash (U+2014), space.
constexpr uint8_t kEd25519Type = 0x01;                    // signed-note signature type.
// The spec asks verifiers to cap signatures and accept at least 16; Go's
// sumdb/note caps at 100, and so do we.
constexpr size_t kMaxSignatures = 100;
constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
// A tree of at most 2^64 leaves has inclusion proofs of at most 64 hashes.
constexpr size_t kMaxProofHashes = 64;

// Decodes the UTF-8 code point at s[*i], advancing *i. False if invalid
// (overlong, surrogate, beyond U+10FFFF, truncated).
bool NextCodePoint(std::string_view s, size_t* i, char32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(*i);
  size_t n;
  char32_t c, min;
  if (b0 < 0x80) {
    *cp = b0;
    ++*i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (*i + n > s.size()) return false;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) return false;
    c = (c << 6) | (byte(*i + k) & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  *cp = c;
  *i += n;
  return true;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// signed-note: valid UTF-8 and no ASCII control character other than "\n".
// This is what refuses CRLF line endings.
Status CheckNoteCharacters(std::string_view s, std::string_view what) {
  for (size_t i = 0; i < s.size();) {
    char32_t c;
    if (!NextCodePoint(s, &i, &c))
      return InvalidArgumentError(std::string(what) + " is not valid UTF-8");
    if (c < 0x20 && c != '\n') {
      return InvalidArgumentError(std::string(what) +
                                  (c == '\r' ? " has a carriage return (CRLF line endings are "
                                               "not allowed; use LF)"
                                             : " has a control character"));
    }
  }
  return Status::Ok();
}

// Key names: non-empty, no Unicode space, no '+' (signed-note §Format).
bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    char32_t c;
    if (!NextCodePoint(name, &i, &c) || c < 0x20 || c == 0x7F || c == '+' || IsUnicodeSpace(c)) {
      return false;
    }
  }
  return true;
}

// ASCII decimal without sign or leading zeros ("0" itself is fine).
Result<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  if (s.empty()) return InvalidArgumentError(std::string(what) + " is empty");
  if (s.size() > 1 && s[0] == '0') {
    return InvalidArgumentError(std::string(what) + " \"" + std::string(s) +
                                "\" has a leading zero");
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return InvalidArgumentError(std::string(what) + " \"" + std::string(s) +
                                  "\" is not a plain decimal number");
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return InvalidArgumentError(std::string(what) + " overflows");
    v = v * 10 + d;
  }
  return v;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Splits off the next "\n"-terminated line; false if there is no "\n".
bool NextLine(std::string_view* rest, std::string_view* line) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

}  // namespace

uint32_t KeyId(std::string_view name, std::string_view public_key) {
  crypto::Sha256Hasher h;
  h.Update(name);
  h.Update(std::string_view("\n\x01", 2));
  h.Update(public_key);
  crypto::Sha256Digest d = h.Finish();
  return uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3];
}

std::string FormatVerifierKey(std::string_view name, std::string_view public_key) {
  return std::string(name) + "+" + Hex8(KeyId(name, public_key)) + "+" +
         encoding::Base64Encode(std::string(1, static_cast<char>(kEd25519Type)) +
                                std::string(public_key));
}

Result<Verifier> ParseVerifierKey(std::string_view vkey) {
  // name+hex8+base64: the name has no '+', the base64 may.
  size_t p1 = vkey.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return InvalidArgumentError("verifier key must look like name+keyid+base64key");
  }
  std::string_view name = vkey.substr(0, p1), id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  if (!IsValidKeyName(name)) {
    return InvalidArgumentError(
        "verifier key name is empty or has a space, '+' or control character");
  }
  bool lower_hex = id_hex.size() == 8;
  for (char c : id_hex) lower_hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  if (!lower_hex) return InvalidArgumentError("verifier key ID must be 8 lowercase hex digits");
  auto raw = encoding::Base64Decode(vkey.substr(p2 + 1));
  if (!raw.ok()) return raw.status().WithContext("verifier key");
  if (raw->empty() || static_cast<uint8_t>((*raw)[0]) != kEd25519Type) {
    return UnsupportedError("verifier key is not an Ed25519 (type 0x01) signed-note key");
  }
  if (raw->size() != 1 + crypto::kEd25519PublicKeySize) {
    return InvalidArgumentError("verifier key: an Ed25519 public key is 32 bytes");
  }
  Verifier v{std::string(name), 0, raw->substr(1)};
  v.key_id = KeyId(v.name, v.public_key);
  if (Hex8(v.key_id) != id_hex) {
    return InvalidArgumentError("verifier key ID " + std::string(id_hex) +
                                " does not match its name and public key (expected " +
                                Hex8(v.key_id) + ")");
  }
  return v;
}

Result<std::string> Sign(std::string_view text, std::string_view name, const SecretString& seed) {
  if (text.empty() || text.back() != '\n') {
    return InvalidArgumentError("note text must end in a newline");
  }
  CUSTODY_RETURN_IF_ERROR(CheckNoteCharacters(text, "note text"));
  if (!IsValidKeyName(name)) {
    return InvalidArgumentError("key name \"" + std::string(name) +
                                "\" is empty or has a space, '+' or control character");
  }
  CUSTODY_ASSIGN_OR_RETURN(std::string pub, crypto::Ed25519PublicKey(seed));
  CUSTODY_ASSIGN_OR_RETURN(std::string sig, crypto::Ed25519Sign(seed, text));
  return std::string(text) + "\n" + std::string(kSigPrefix) + std::string(name) + " " +
         encoding::Base64Encode(BigEndian32(KeyId(name, pub)) + sig) + "\n";
}

Result<std::string> Open(std::string_view note, const Verifier& verifier) {
  CUSTODY_RETURN_IF_ERROR(CheckNoteCharacters(note, "signed note"));
  if (note.empty() || note.back() != '\n') {
    return InvalidArgumentError("signed note does not end in a newline (truncated?)");
  }
  // The text ends at the last blank line; signature lines follow it.
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || split + 2 == note.size()) {
    return InvalidArgumentError("signed note has no signature lines after a blank line");
  }
  std::string_view text = note.substr(0, split + 1), sigs = note.substr(split + 2), line;
  size_t count = 0;
  bool verified = false;
  while (NextLine(&sigs, &line)) {
    if (++count > kMaxSignatures) {
      return InvalidArgumentError("signed note has more than 100 signatures");
    }
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return InvalidArgumentError(
          "signature line must start with an em dash (U+2014) and a space, not \"" +
          std::string(line.substr(0, 8)) + "...\"");
    }
    line.remove_prefix(kSigPrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return InvalidArgumentError("signature line has no space between key name and signature");
    }
    std::string_view name = line.substr(0, space);
    if (!IsValidKeyName(name))
      return InvalidArgumentError("signature line has an invalid key name");
    auto blob = encoding::Base64Decode(line.substr(space + 1));
    if (!blob.ok()) return blob.status().WithContext("signature of " + std::string(name));
    if (blob->size() < 5)
      return InvalidArgumentError("signature of " + std::string(name) + " is too short");
    const auto* b = reinterpret_cast<const uint8_t*>(blob->data());
    uint32_t id = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    // Unknown keys (name or ID differ) are ignored, as the spec requires.
    if (name != verifier.name || id != verifier.key_id) continue;
    if (verified) {
      return InvalidArgumentError("signed note has two signatures by " + verifier.name);
    }
    // A known key's signature must verify, else the whole note is refused.
    if (!crypto::Ed25519Verify(verifier.public_key, text, std::string_view(*blob).substr(4))) {
      return VerificationFailedError("the signature by " + verifier.name +
                                     " does not verify: the note was altered");
    }
    verified = true;
  }
  if (!sigs.empty()) return InvalidArgumentError("signed note has a malformed signature block");
  if (!verified) {
    return VerificationFailedError("the note carries no signature by " + verifier.name + "+" +
                                   Hex8(verifier.key_id) + " (wrong key?)");
  }
  return std::string(text);
}

std::string FormatCheckpoint(const Checkpoint& c) {
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" + encoding::Base64Encode(c.root_hash) + "\n";
  for (const auto& e : c.extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  CUSTODY_RETURN_IF_ERROR(CheckNoteCharacters(text, "checkpoint"));
  if (text.empty() || text.back() != '\n') {
    return InvalidArgumentError("checkpoint text does not end in a newline");
  }
  std::vector<std::string_view> lines;
  std::string_view rest = text, line;
  while (NextLine(&rest, &line)) {
    if (line.empty()) return InvalidArgumentError("checkpoint has an empty line");
    lines.push_back(line);
  }
  if (lines.size() < 3) {
    return InvalidArgumentError("checkpoint needs origin, tree size and root hash lines");
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  CUSTODY_ASSIGN_OR_RETURN(c.size, ParseDecimal(lines[1], "checkpoint tree size"));
  auto root = encoding::Base64Decode(lines[2]);
  if (!root.ok()) return root.status().WithContext("checkpoint root hash");
  if (root->size() != crypto::kSha256Size) {
    return InvalidArgumentError("checkpoint root hash is " + std::to_string(root->size()) +
                                " bytes, not 32");
  }
  c.root_hash = std::move(*root);
  for (size_t i = 3; i < lines.size(); ++i) c.extensions.emplace_back(lines[i]);
  return c;
}

Result<Checkpoint> OpenCheckpoint(std::string_view signed_checkpoint, const Verifier& verifier) {
  CUSTODY_ASSIGN_OR_RETURN(std::string text, Open(signed_checkpoint, verifier));
  CUSTODY_ASSIGN_OR_RETURN(Checkpoint c, ParseCheckpoint(text));
  // Our profile: the log signs with a key named after its origin, so a key
  // for one ledger never vouches for another ledger's checkpoints.
  if (c.origin != verifier.name) {
    return VerificationFailedError("checkpoint origin \"" + c.origin +
                                   "\" is not the signer's name \"" + verifier.name + "\"");
  }
  return c;
}

std::string FormatTlogProof(const TlogProof& p) {
  std::string out = std::string(kTlogProofHeader) + "\n";
  if (!p.extra.empty()) out += "extra " + encoding::Base64Encode(p.extra) + "\n";
  out += "index " + std::to_string(p.index) + "\n";
  for (const auto& h : p.path) out += encoding::Base64Encode(h) + "\n";
  return out + "\n" + p.signed_checkpoint;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  CUSTODY_RETURN_IF_ERROR(CheckNoteCharacters(text, "tlog proof"));
  std::string_view rest = text, line;
  if (!NextLine(&rest, &line) || line != kTlogProofHeader) {
    return InvalidArgumentError("tlog proof must start with the line \"c2sp.org/tlog-proof@v1\"");
  }
  TlogProof p;
  if (!NextLine(&rest, &line)) return TruncatedError("tlog proof ends after its first line");
  if (line.substr(0, 6) == "extra ") {
    auto extra = encoding::Base64Decode(line.substr(6));
    if (!extra.ok()) return extra.status().WithContext("tlog proof extra data");
    p.extra = std::move(*extra);
    if (!NextLine(&rest, &line)) return TruncatedError("tlog proof ends after its extra line");
  }
  if (line.substr(0, 6) != "index ") return InvalidArgumentError("tlog proof has no index line");
  CUSTODY_ASSIGN_OR_RETURN(p.index, ParseDecimal(line.substr(6), "tlog proof index"));
  while (true) {
    if (!NextLine(&rest, &line)) {
      return TruncatedError("tlog proof ends before the blank line and the checkpoint");
    }
    if (line.empty()) break;
    if (p.path.size() == kMaxProofHashes) {
      return InvalidArgumentError("tlog proof has more than 64 inclusion proof hashes");
    }
    auto hash = encoding::Base64Decode(line);
    if (!hash.ok()) return hash.status().WithContext("tlog proof hash");
    if (hash->size() != crypto::kSha256Size) {
      return InvalidArgumentError("tlog proof hash is not 32 bytes");
    }
    p.path.push_back(std::move(*hash));
  }
  if (rest.empty()) return TruncatedError("tlog proof has no checkpoint");
  p.signed_checkpoint = std::string(rest);
  return p;
}

Result<Checkpoint> VerifyTlogProof(const TlogProof& proof, std::string_view leaf_hash,
                                   const Verifier& verifier) {
  CUSTODY_ASSIGN_OR_RETURN(Checkpoint c, OpenCheckpoint(proof.signed_checkpoint, verifier));
  Status s = merkle::VerifyInclusion(proof.index, c.size, leaf_hash, proof.path, c.root_hash);
  if (!s.ok()) {
    return VerificationFailedError("entry " + std::to_string(proof.index) +
                                   " is not in the signed tree of size " + std::to_string(c.size) +
                                   ": " + s.message());
  }
  return c;
}

}  // namespace custody::note
