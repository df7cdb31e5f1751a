// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "report/image.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "report/pdf_libraries.h"  // jpeglib.h, and the loaded functions.

namespace custody::report {
namespace {

bool IsPng(std::string_view b) {
  return b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8);
}
bool IsJpeg(std::string_view b) { return b.size() > 3 && b.substr(0, 3) == "\xFF\xD8\xFF"; }

uint32_t Be32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

struct PngReader {
  std::string_view bytes;
  size_t at = 0;
};

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->bytes.size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, r->bytes.data() + r->at, length);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

cairo_surface_t* DecodePng(std::string_view bytes, std::string* error) {
  // IHDR comes first: check the size before cairo allocates the pixels.
  if (bytes.size() < 33 || bytes.substr(12, 4) != "IHDR") {
    *error = "damaged PNG";
    return nullptr;
  }
  const uint32_t w = Be32(bytes, 16), h = Be32(bytes, 20);
  if (w == 0 || h == 0 || w > kMaxImageSide || h > kMaxImageSide) {
    *error = "PNG of " + std::to_string(w) + "x" + std::to_string(h) + " pixels";
    return nullptr;
  }
  PngReader reader{bytes};
  cairo_surface_t* s = Pdf().cairo_image_surface_create_from_png_stream(ReadPng, &reader);
  if (Pdf().cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    *error = std::string("PNG: ") + Pdf().cairo_status_to_string(Pdf().cairo_surface_status(s));
    Pdf().cairo_surface_destroy(s);
    return nullptr;
  }
  return s;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void JpegErrorExit(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

void JpegSilence(j_common_ptr, int) {}  // Warnings (corrupt data recovered) are not fatal.

// Plain C-style on purpose: longjmp from libjpeg must not skip a C++
// destructor, so every resource here is released by hand.
cairo_surface_t* DecodeJpeg(std::string_view bytes, int max_side_px, char* message) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cairo_surface_t* volatile surface = nullptr;
  cinfo.err = Pdf().jpeg_std_error(&err.mgr);
  err.mgr.error_exit = JpegErrorExit;
  err.mgr.emit_message = JpegSilence;
  err.message[0] = '\0';
  if (setjmp(err.jump)) {
    Pdf().jpeg_destroy_decompress(&cinfo);
    if (surface) Pdf().cairo_surface_destroy(surface);
    std::snprintf(message, JMSG_LENGTH_MAX, "JPEG: %s", err.message);
    return nullptr;
  }
  Pdf().jpeg_CreateDecompress(&cinfo, JPEG_LIB_VERSION, sizeof(cinfo));  // jpeg_create_decompress, a macro.
  Pdf().jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  Pdf().jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width > kMaxImageSide || cinfo.image_height > kMaxImageSide) {
    std::snprintf(message, JMSG_LENGTH_MAX, "JPEG of %ux%u pixels", cinfo.image_width,
                  cinfo.image_height);
    Pdf().jpeg_destroy_decompress(&cinfo);
    return nullptr;
  }
  // The smallest of 1/1, 1/2, 1/4, 1/8 that still covers the thumbnail:
  // libjpeg scales in the DCT, far cheaper than decoding 12 MP to drop most.
  const unsigned longer =
      cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
  cinfo.scale_num = 1;
  cinfo.scale_denom = 1;
  while (cinfo.scale_denom < 8 &&
         longer / (cinfo.scale_denom * 2) >= static_cast<unsigned>(max_side_px))
    cinfo.scale_denom *= 2;
  cinfo.out_color_space = JCS_EXT_BGRX;  // = CAIRO_FORMAT_RGB24 on little-endian.
  Pdf().jpeg_start_decompress(&cinfo);
  surface = Pdf().cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(cinfo.output_width),
                                       static_cast<int>(cinfo.output_height));
  if (Pdf().cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    std::snprintf(message, JMSG_LENGTH_MAX, "out of memory");
    Pdf().jpeg_destroy_decompress(&cinfo);
    Pdf().cairo_surface_destroy(surface);
    return nullptr;
  }
  Pdf().cairo_surface_flush(surface);
  unsigned char* data = Pdf().cairo_image_surface_get_data(surface);
  const int stride = Pdf().cairo_image_surface_get_stride(surface);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = data + static_cast<size_t>(cinfo.output_scanline) * static_cast<size_t>(stride);
    Pdf().jpeg_read_scanlines(&cinfo, &row, 1);
  }
  Pdf().jpeg_finish_decompress(&cinfo);
  Pdf().jpeg_destroy_decompress(&cinfo);
  Pdf().cairo_surface_mark_dirty(surface);
  return surface;
}

}  // namespace

cairo_surface_t* DecodeThumbnail(std::string_view bytes, int max_side_px, std::string* error) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "JCS_EXT_BGRX matches CAIRO_FORMAT_RGB24 only on little-endian machines");
  if (const Result<PdfLibraries>& libraries = LoadPdfLibraries(); !libraries.ok()) {
    *error = libraries.status().message();
    return nullptr;
  }
  cairo_surface_t* full = nullptr;
  if (IsPng(bytes)) {
    full = DecodePng(bytes, error);
  } else if (IsJpeg(bytes)) {
    char message[JMSG_LENGTH_MAX] = "";
    full = DecodeJpeg(bytes, max_side_px, message);
    if (!full) *error = message;
  } else {
    *error = "not a PNG or JPEG image";
  }
  if (!full) return nullptr;
  const int w = Pdf().cairo_image_surface_get_width(full), h = Pdf().cairo_image_surface_get_height(full);
  const int longer = w > h ? w : h;
  if (longer <= max_side_px) return full;
  const double scale = static_cast<double>(max_side_px) / longer;
  const int tw = w > h ? max_side_px : static_cast<int>(w * scale + 0.5);
  const int th = w > h ? static_cast<int>(h * scale + 0.5) : max_side_px;
  const bool alpha = Pdf().cairo_image_surface_get_format(full) == CAIRO_FORMAT_ARGB32;
  cairo_surface_t* thumb = Pdf().cairo_image_surface_create(
      alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, tw > 0 ? tw : 1, th > 0 ? th : 1);
  cairo_t* cr = Pdf().cairo_create(thumb);
  Pdf().cairo_scale(cr, static_cast<double>(tw) / w, static_cast<double>(th) / h);
  Pdf().cairo_set_source_surface(cr, full, 0, 0);
  Pdf().cairo_pattern_set_filter(Pdf().cairo_get_source(cr), CAIRO_FILTER_GOOD);
  Pdf().cairo_paint(cr);
  Pdf().cairo_destroy(cr);
  Pdf().cairo_surface_destroy(full);
  if (Pdf().cairo_surface_status(thumb) != CAIRO_STATUS_SUCCESS) {
    *error = "out of memory";
    Pdf().cairo_surface_destroy(thumb);
    return nullptr;
  }
  return thumb;
}

}  // namespace custody::report
