// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// AES-256 zip packages (WinZip AE-2 via libarchive) for recipients who only
// have 7-Zip. See docs/formats/package.md, "Zip packages".
#include "custody/package.h"
#include "package/package_internal.h"
#include "package/tar_writer.h"

namespace custody::package {

Result<uint64_t> WriteZipPackage(Station&, const std::vector<SourceFile>&, PackageManifest&, const SecretString&,
                                 ByteSink*, std::string*) {
  return UnsupportedError("zip packages are not implemented yet");
}

}  // namespace custody::package
