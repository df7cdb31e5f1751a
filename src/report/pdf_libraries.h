// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The PDF stack (cairo, pango, glib, libqrencode, libjpeg), opened when a
// document is first rendered (common/shared_library.h), not at start-up.
// Why: linked, these libraries and their ~40 dependencies (fontconfig,
// freetype, harfbuzz, pixman, X11, ...) were loaded, relocated and
// initialised before main() of every command, ~15 ms each time, though
// only the commands that write PDFs use them.
//
// One table per library of the functions src/report calls, typed from the
// libraries' own headers (decltype), so every call is checked as a direct
// call would be. To call a new function, add it to its library's list.
#ifndef CUSTODY_SRC_REPORT_PDF_LIBRARIES_H_
#define CUSTODY_SRC_REPORT_PDF_LIBRARIES_H_

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <cstdio>  // jpeglib.h needs FILE.

#include <jpeglib.h>

#include "custody/status.h"

namespace custody::report {

// libcairo.so.2 (Debian: libcairo2)
#define CUSTODY_CAIRO_FUNCTIONS(X) \
  X(cairo_arc) X(cairo_clip) X(cairo_create) X(cairo_destroy) X(cairo_fill) \
  X(cairo_font_options_create) X(cairo_font_options_destroy) X(cairo_font_options_set_hint_metrics) \
  X(cairo_font_options_set_hint_style) X(cairo_get_source) X(cairo_image_surface_create) \
  X(cairo_image_surface_create_from_png_stream) X(cairo_image_surface_get_data) \
  X(cairo_image_surface_get_format) X(cairo_image_surface_get_height) \
  X(cairo_image_surface_get_stride) X(cairo_image_surface_get_width) X(cairo_line_to) X(cairo_move_to) \
  X(cairo_new_path) X(cairo_paint) X(cairo_pattern_set_filter) X(cairo_pdf_surface_create_for_stream) \
  X(cairo_pdf_surface_set_metadata) X(cairo_rectangle) X(cairo_restore) X(cairo_save) X(cairo_scale) \
  X(cairo_set_dash) X(cairo_set_line_width) X(cairo_set_source_rgb) X(cairo_set_source_surface) \
  X(cairo_show_page) X(cairo_status) X(cairo_status_to_string) X(cairo_stroke) \
  X(cairo_surface_destroy) X(cairo_surface_finish) X(cairo_surface_flush) X(cairo_surface_mark_dirty) \
  X(cairo_surface_status) X(cairo_translate)

// libpango-1.0.so.0 (Debian: libpango-1.0-0)
#define CUSTODY_PANGO_FUNCTIONS(X) \
  X(pango_attr_letter_spacing_new) X(pango_attr_list_insert) X(pango_attr_list_new) \
  X(pango_attr_list_unref) X(pango_context_load_font) X(pango_context_set_language) \
  X(pango_context_set_round_glyph_positions) X(pango_font_describe) X(pango_font_description_free) \
  X(pango_font_description_from_string) X(pango_font_description_get_family) \
  X(pango_font_description_set_absolute_size) X(pango_font_map_create_context) \
  X(pango_language_from_string) X(pango_layout_get_extents) X(pango_layout_get_iter) \
  X(pango_layout_get_size) X(pango_layout_iter_free) X(pango_layout_iter_get_baseline) \
  X(pango_layout_iter_get_line_extents) X(pango_layout_iter_get_line_readonly) \
  X(pango_layout_iter_get_line_yrange) X(pango_layout_iter_next_line) X(pango_layout_new) \
  X(pango_layout_set_alignment) X(pango_layout_set_attributes) X(pango_layout_set_font_description) \
  X(pango_layout_set_markup) X(pango_layout_set_text) X(pango_layout_set_width) \
  X(pango_layout_set_wrap)

// libpangocairo-1.0.so.0 (Debian: libpangocairo-1.0-0)
#define CUSTODY_PANGOCAIRO_FUNCTIONS(X) \
  X(pango_cairo_context_set_font_options) X(pango_cairo_font_map_new) X(pango_cairo_show_layout) \
  X(pango_cairo_show_layout_line) X(pango_cairo_update_context)

// libgobject-2.0.so.0 (Debian: libglib2.0-0)
#define CUSTODY_GOBJECT_FUNCTIONS(X) \
  X(g_object_unref)

// libglib-2.0.so.0 (Debian: libglib2.0-0)
#define CUSTODY_GLIB_FUNCTIONS(X) \
  X(g_ascii_strcasecmp) X(g_free) X(g_markup_escape_text) X(g_utf8_validate)

// libqrencode.so.4 (Debian: libqrencode4)
#define CUSTODY_QRENCODE_FUNCTIONS(X) \
  X(QRcode_encodeData) X(QRcode_free)

// libjpeg.so.62 (Debian: libjpeg62-turbo)
#define CUSTODY_JPEG_FUNCTIONS(X) \
  X(jpeg_CreateDecompress) X(jpeg_destroy_decompress) X(jpeg_finish_decompress) X(jpeg_mem_src) \
  X(jpeg_read_header) X(jpeg_read_scanlines) X(jpeg_start_decompress) X(jpeg_std_error)

#define CUSTODY_DECLARE_FUNCTION(name) decltype(&::name) name = nullptr;
struct PdfLibraries {
  CUSTODY_CAIRO_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_PANGO_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_PANGOCAIRO_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_GOBJECT_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_GLIB_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_QRENCODE_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
  CUSTODY_JPEG_FUNCTIONS(CUSTODY_DECLARE_FUNCTION)
};
#undef CUSTODY_DECLARE_FUNCTION

// Opens the seven libraries once per process (thread-safe); after a
// failure, the same error every time: kFailedPrecondition naming the
// library and the Debian package to install.
const Result<PdfLibraries>& LoadPdfLibraries();

// The loaded tables. Only after LoadPdfLibraries() succeeded: the entry
// points (RenderPdf, EncodeQr) check that first.
inline const PdfLibraries& Pdf() { return *LoadPdfLibraries(); }

}  // namespace custody::report

#endif  // CUSTODY_SRC_REPORT_PDF_LIBRARIES_H_
