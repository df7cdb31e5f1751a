// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Status and Result<T>: how every libcustody function reports failure.
//
// Contract: library functions never throw across this boundary and never exit
// the process. Exceptions from third-party code (Crypto++, libarchive, JSON)
// are caught in the adapter that calls them and turned into a Status.
// Codes are stable: they map to the exit statuses documented in
// docs/exit-codes.md, and scripts depend on them. Append new codes; never
// renumber.
//
// Thread safety: Status and Result are values; distinct objects may be used
// from different threads.
#ifndef CUSTODY_STATUS_H_
#define CUSTODY_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace custody {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // The caller's input is malformed or out of range.
  kNotFound = 2,            // A named thing (file, key, entry, station) is absent.
  kAlreadyExists = 3,       // Refused to overwrite something that exists.
  kPermissionDenied = 4,    // The OS refused access, or file modes are unsafe.
  kCorruption = 5,          // Stored data is malformed or fails an integrity check.
  kIoError = 6,             // A read, write or sync failed.
  kVerificationFailed = 7,  // A signature, proof, hash or read-back did not match.
  kWrongKey = 8,            // Wrong passphrase, or not a recipient of this data.
  kTruncated = 9,           // Input ended early.
  kUnsupported = 10,        // Valid but not supported (format version, device command).
  kBusy = 11,               // The resource is in use (mounted, held open, locked).
  kInterrupted = 12,        // Stopped by a signal or the operator; may be resumed.
  kFailedPrecondition = 13, // The system is not in a state that allows the operation.
  kInternal = 14,           // A bug in custody.
  kCancelled = 15,          // The operator declined a confirmation.
};

// A short stable name for a code ("verification-failed"), for JSON output.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // A sentence for a person: what went wrong and, where possible, what to do.
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `context: ` (the OS error
  // number is kept).
  Status WithContext(std::string_view context) const;

  // The operating system's error number (errno) behind this failure, or 0.
  // Lets a caller tell conditions apart (a full file system: ENOSPC, EDQUOT)
  // without reading the message, whose wording is for people.
  int os_error() const { return os_error_; }
  // A copy carrying `err` as its OS error number.
  Status WithOsError(int err) const;

  // "<code-name>: <message>", or "ok".
  std::string ToString() const;

  // Explicitly discards a status whose failure is acceptable (best-effort
  // cleanup). Greppable, unlike a cast to void.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int os_error_ = 0;
};

// Constructors for each code, so call sites read as sentences.
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status CorruptionError(std::string message);
Status IoError(std::string message);
Status VerificationFailedError(std::string message);
Status WrongKeyError(std::string message);
Status TruncatedError(std::string message);
Status UnsupportedError(std::string message);
Status BusyError(std::string message);
Status InterruptedError(std::string message);
Status FailedPreconditionError(std::string message);
Status InternalError(std::string message);
Status CancelledError(std::string message);

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(Status status) : value_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(value_).ok() && "Result from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  // The failure, or OK when a value is held.
  Status status() const {
    return ok() ? Status::Ok() : std::get<Status>(value_);
  }

  // Precondition: ok().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace custody

// Propagates a failed Status from the enclosing function.
#define CUSTODY_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::custody::Status custody_status_ = (expr);       \
    if (!custody_status_.ok()) return custody_status_; \
  } while (0)

#define CUSTODY_CONCAT_INNER_(a, b) a##b
#define CUSTODY_CONCAT_(a, b) CUSTODY_CONCAT_INNER_(a, b)

// `CUSTODY_ASSIGN_OR_RETURN(auto x, F());` binds x to F()'s value or returns
// its Status.
#define CUSTODY_ASSIGN_OR_RETURN(lhs, expr) \
  CUSTODY_ASSIGN_OR_RETURN_IMPL_(CUSTODY_CONCAT_(custody_result_, __LINE__), lhs, expr)
#define CUSTODY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#endif  // CUSTODY_STATUS_H_
