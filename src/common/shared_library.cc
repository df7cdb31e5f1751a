// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/shared_library.h"

#include <dlfcn.h>

namespace custody {
namespace {

// dlerror() is per thread but its text is only valid until the next dl*
// call on that thread; copy it at once.
std::string LastDlError() {
  const char* e = ::dlerror();
  return e != nullptr ? std::string(e) : std::string("unknown reason");
}

}  // namespace

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname, const std::string& debian_package,
                                          const std::string& purpose) {
  ::dlerror();  // Clears an earlier error.
  void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return FailedPreconditionError(purpose + " needs the shared library " + soname + ", which cannot be loaded (" +
                                   LastDlError() + "); install it with: apt-get install " + debian_package);
  }
  return SharedLibrary(handle, soname, debian_package);
}

Result<void*> SharedLibrary::Symbol(const char* symbol) const {
  ::dlerror();
  void* address = ::dlsym(handle_, symbol);
  if (address == nullptr) {
    return FailedPreconditionError("the shared library " + soname_ + " has no function " + symbol + " (" +
                                   LastDlError() + "); install the version custody was built for: apt-get install " +
                                   debian_package_);
  }
  return address;
}

}  // namespace custody
