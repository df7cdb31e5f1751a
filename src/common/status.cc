// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/status.h"

namespace custody {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid-argument";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kAlreadyExists: return "already-exists";
    case StatusCode::kPermissionDenied: return "permission-denied";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIoError: return "io-error";
    case StatusCode::kVerificationFailed: return "verification-failed";
    case StatusCode::kWrongKey: return "wrong-key";
    case StatusCode::kTruncated: return "truncated";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kBusy: return "busy";
    case StatusCode::kInterrupted: return "interrupted";
    case StatusCode::kFailedPrecondition: return "failed-precondition";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kCancelled: return "cancelled";
  }
  return "unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s(code_, std::string(context) + ": " + message_);
  s.os_error_ = os_error_;
  return s;
}

Status Status::WithOsError(int err) const {
  Status s = *this;
  s.os_error_ = err;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

#define CUSTODY_DEFINE_ERROR_(fn, code) \
  Status fn(std::string message) { return Status(StatusCode::code, std::move(message)); }
CUSTODY_DEFINE_ERROR_(InvalidArgumentError, kInvalidArgument)
CUSTODY_DEFINE_ERROR_(NotFoundError, kNotFound)
CUSTODY_DEFINE_ERROR_(AlreadyExistsError, kAlreadyExists)
CUSTODY_DEFINE_ERROR_(PermissionDeniedError, kPermissionDenied)
CUSTODY_DEFINE_ERROR_(CorruptionError, kCorruption)
CUSTODY_DEFINE_ERROR_(IoError, kIoError)
CUSTODY_DEFINE_ERROR_(VerificationFailedError, kVerificationFailed)
CUSTODY_DEFINE_ERROR_(WrongKeyError, kWrongKey)
CUSTODY_DEFINE_ERROR_(TruncatedError, kTruncated)
CUSTODY_DEFINE_ERROR_(UnsupportedError, kUnsupported)
CUSTODY_DEFINE_ERROR_(BusyError, kBusy)
CUSTODY_DEFINE_ERROR_(InterruptedError, kInterrupted)
CUSTODY_DEFINE_ERROR_(FailedPreconditionError, kFailedPrecondition)
CUSTODY_DEFINE_ERROR_(InternalError, kInternal)
CUSTODY_DEFINE_ERROR_(CancelledError, kCancelled)
#undef CUSTODY_DEFINE_ERROR_

}  // namespace custody
