// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The senders a package reader knows: the keystore's sender keys, matched
// against a package's signer in read.cc (VerifyPackageOptions::known_senders).
#include <string>
#include <vector>

#include "custody/keystore.h"
#include "custody/package.h"

namespace custody {

Result<std::vector<KnownSender>> KnownSenders(Keystore& keystore) {
  CUSTODY_ASSIGN_OR_RETURN(std::vector<KeyInfo> senders, keystore.Senders());
  std::vector<KnownSender> out;
  out.reserve(senders.size());
  for (KeyInfo& k : senders) out.push_back({std::move(k.name), std::move(k.verifier_key)});
  return out;
}

}  // namespace custody
