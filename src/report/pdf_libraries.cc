// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/pdf_libraries.h"

#include "common/shared_library.h"

namespace custody::report {
namespace {

constexpr const char* kPurpose = "Writing PDF documents (certificates, receipts, registers)";

}  // namespace

const Result<PdfLibraries>& LoadPdfLibraries() {
  static const Result<PdfLibraries> libraries = []() -> Result<PdfLibraries> {
    PdfLibraries p;
    // Each library: its soname, its Debian package, then every function of
    // its list (pdf_libraries.h) bound into `p`.
#define CUSTODY_BIND_FUNCTION(name) CUSTODY_RETURN_IF_ERROR(lib.Bind(#name, &p.name));
#define CUSTODY_LOAD_LIBRARY(soname, debian_package, FUNCTIONS)                      \
  {                                                                                  \
    CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib,                                      \
                             SharedLibrary::Open(soname, debian_package, kPurpose)); \
    FUNCTIONS(CUSTODY_BIND_FUNCTION)                                                 \
  }
    // Dependencies first (glib before pango before pangocairo): a missing
    // library is then named itself, not through the one that needs it.
    CUSTODY_LOAD_LIBRARY("libglib-2.0.so.0", "libglib2.0-0", CUSTODY_GLIB_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libgobject-2.0.so.0", "libglib2.0-0", CUSTODY_GOBJECT_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libcairo.so.2", "libcairo2", CUSTODY_CAIRO_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libpango-1.0.so.0", "libpango-1.0-0", CUSTODY_PANGO_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libpangocairo-1.0.so.0", "libpangocairo-1.0-0",
                         CUSTODY_PANGOCAIRO_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libqrencode.so.4", "libqrencode4", CUSTODY_QRENCODE_FUNCTIONS)
    CUSTODY_LOAD_LIBRARY("libjpeg.so.62", "libjpeg62-turbo", CUSTODY_JPEG_FUNCTIONS)
#undef CUSTODY_LOAD_LIBRARY
#undef CUSTODY_BIND_FUNCTION
    return p;
  }();
  return libraries;
}

}  // namespace custody::report
