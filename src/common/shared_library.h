// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// A shared library opened when it is first needed (dlopen), not at start-up.
// Why: every library the binary links is loaded, relocated and initialised
// before main() on every command, dependencies included. libcryptsetup
// alone pulls in ten more (OpenSSL's libcrypto, device-mapper, json-c, ...)
// and the PDF stack (pango, cairo, glib, fontconfig, ...) about forty: that
// was ~18 ms of each `custody package verify`, which uses none of them.
//
// Each area that uses such a library keeps one small table of the functions
// it calls (see src/purge/luks.cc) and loads it once, on its first use.
#ifndef CUSTODY_COMMON_SHARED_LIBRARY_H_
#define CUSTODY_COMMON_SHARED_LIBRARY_H_

#include <string>
#include <utility>

#include "custody/status.h"

namespace custody {

class SharedLibrary {
 public:
  // Opens `soname` (e.g. "libcryptsetup.so.12") with RTLD_NOW | RTLD_LOCAL.
  // kFailedPrecondition if it cannot be loaded; the message names what it is
  // needed for (`purpose`, e.g. "LUKS crypto-erase") and the Debian package
  // that installs it (`debian_package`, e.g. "libcryptsetup12"), with
  // dlerror()'s reason. The library stays loaded for the process's life
  // (the handle is never closed: function pointers taken from it stay valid).
  static Result<SharedLibrary> Open(const std::string& soname, const std::string& debian_package,
                                    const std::string& purpose);

  // The address of `symbol`, or kFailedPrecondition naming the symbol, the
  // library and the package (an older or different build of the library).
  Result<void*> Symbol(const char* symbol) const;

  // Sets `*function` to `symbol` with the type of the declaration it
  // replaces (use decltype(&::name)).
  template <typename F>
  Status Bind(const char* symbol, F* function) const {
    CUSTODY_ASSIGN_OR_RETURN(void* address, Symbol(symbol));
    *function = reinterpret_cast<F>(address);
    return Status::Ok();
  }

  const std::string& soname() const { return soname_; }

 private:
  SharedLibrary(void* handle, std::string soname, std::string debian_package)
      : handle_(handle), soname_(std::move(soname)), debian_package_(std::move(debian_package)) {}
  void* handle_;
  std::string soname_, debian_package_;
};

}  // namespace custody

#endif  // CUSTODY_COMMON_SHARED_LIBRARY_H_
