// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Context strings for the Ed25519 signatures custody makes outside signed
// notes. Why: the station key also signs ledger checkpoints (C2SP signed
// notes); prefixing every other signed message with a fixed, distinct line
// means a signature made for one purpose can never be presented as one made
// for another (a certificate signature as a checkpoint, a receipt as a
// certificate).
#ifndef CUSTODY_SRC_CRYPTO_SIGNATURE_CONTEXT_H_
#define CUSTODY_SRC_CRYPTO_SIGNATURE_CONTEXT_H_

#include <string>
#include <string_view>

namespace custody::crypto {

inline constexpr std::string_view kDisposalCertificateContext = "custody-disposal-certificate-v1\n";
// custody/manifest.sig of a handover package (docs/formats/package.md).
inline constexpr std::string_view kPackageManifestContext = "custody-package-manifest-v1\n";
inline constexpr std::string_view kReceiptContext = "custody-receipt-v1\n";
inline constexpr std::string_view kPackageAckContext = "custody-package-ack-v1\n";

// context || payload: the bytes actually signed.
inline std::string ContextMessage(std::string_view context, std::string_view payload) {
  std::string m;
  m.reserve(context.size() + payload.size());
  m.append(context);
  m.append(payload);
  return m;
}

}  // namespace custody::crypto

#endif  // CUSTODY_SRC_CRYPTO_SIGNATURE_CONTEXT_H_
