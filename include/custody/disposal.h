// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Disposal records (docs/formats/disposal-record.md): destruction and
// degaussing custody did not perform itself, recorded in the ledger as
// `disposal.recorded` so that they get a certificate like a wipe.
//
// Thread safety: values and free functions.
#ifndef CUSTODY_DISPOSAL_H_
#define CUSTODY_DISPOSAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "custody/certificate.h"
#include "custody/ledger.h"
#include "custody/status.h"

namespace custody {

class Env;

inline constexpr std::string_view kDisposalRecordedType = "disposal.recorded";

struct DisposalRecord {
  CertificateDevice device;  // `sources` must be empty: the entry itself is the source.
  std::vector<std::string> operators;
  WorkPlace place = WorkPlace::kContractorFacility;
  std::string place_detail;
  bool witness_present = false;
  std::string witness_name, witness_department;
  std::string vendor_company, vendor_certificate_number;
  std::string remarks;
};

// The entry's data (canonical JSON). kInvalidArgument naming every missing
// or malformed field.
Result<std::string> DisposalRecordJson(const DisposalRecord& record);
// kCorruption if `data_json` is not a disposal record.
Result<DisposalRecord> ParseDisposalRecord(std::string_view data_json);

// Adds the record in `entry` (type disposal.recorded) to a certificate: one
// device row with sources = [entry], and operators, place and witness where
// `content` has none. kInvalidArgument for an entry of another type.
Status AddDisposalToContent(const LedgerEntry& entry, CertificateContent* content);

// Hashes the photo at `path` (SHA-256) and keeps a copy as
// <home>/photos/<sha256><.ext> (0600, written atomically), so the digest in the
// ledger can be checked against the file years later.
Result<HashedFile> StorePhoto(const std::string& home, const std::string& path, Env* env);

}  // namespace custody

#endif  // CUSTODY_DISPOSAL_H_
