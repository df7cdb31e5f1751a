// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/pdf_libraries.h"

#include "common/shared_library.h"

namespace custody::report {
namespace {

constexpr const char* kPurpose = "Writing PDF documents (certificates, receipts, registers)";

// One loader per library: its soname, its Debian package, its functions.
#define CUSTODY_BIND_FUNCTION(name) CUSTODY_RETURN_IF_ERROR(lib.Bind(#name, &p->name));
Status LoadCairo(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libcairo.so.2", "libcairo2", kPurpose));
  CUSTODY_CAIRO_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadPango(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libpango-1.0.so.0", "libpango-1.0-0", kPurpose));
  CUSTODY_PANGO_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadPangoCairo(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libpangocairo-1.0.so.0", "libpangocairo-1.0-0", kPurpose));
  CUSTODY_PANGOCAIRO_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadGObject(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libgobject-2.0.so.0", "libglib2.0-0", kPurpose));
  CUSTODY_GOBJECT_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadGlib(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libglib-2.0.so.0", "libglib2.0-0", kPurpose));
  CUSTODY_GLIB_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadQrEncode(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libqrencode.so.4", "libqrencode4", kPurpose));
  CUSTODY_QRENCODE_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
Status LoadJpeg(PdfLibraries* p) {
  CUSTODY_ASSIGN_OR_RETURN(SharedLibrary lib, SharedLibrary::Open("libjpeg.so.62", "libjpeg62-turbo", kPurpose));
  CUSTODY_JPEG_FUNCTIONS(CUSTODY_BIND_FUNCTION)
  return Status::Ok();
}
#undef CUSTODY_BIND_FUNCTION

}  // namespace

const Result<PdfLibraries>& LoadPdfLibraries() {
  static const Result<PdfLibraries> libraries = []() -> Result<PdfLibraries> {
    PdfLibraries p;
    // Dependencies first (glib before pango before pangocairo): a missing
    // library is then named itself, not through the one that needs it.
    CUSTODY_RETURN_IF_ERROR(LoadGlib(&p));
    CUSTODY_RETURN_IF_ERROR(LoadGObject(&p));
    CUSTODY_RETURN_IF_ERROR(LoadCairo(&p));
    CUSTODY_RETURN_IF_ERROR(LoadPango(&p));
    CUSTODY_RETURN_IF_ERROR(LoadPangoCairo(&p));
    CUSTODY_RETURN_IF_ERROR(LoadQrEncode(&p));
    CUSTODY_RETURN_IF_ERROR(LoadJpeg(&p));
    return p;
  }();
  return libraries;
}

}  // namespace custody::report
