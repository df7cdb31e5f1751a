// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Photo thumbnails for documents: PNG (cairo's own reader) and JPEG
// (libjpeg-turbo, decoded at 1/2, 1/4 or 1/8 scale when the photo is large)
// into a cairo image surface no larger than the thumbnail asked for.
// Untrusted input: dimensions are checked before any pixel buffer is
// allocated, and libjpeg's fatal errors return here instead of exiting.
#ifndef CUSTODY_SRC_REPORT_IMAGE_H_
#define CUSTODY_SRC_REPORT_IMAGE_H_

#include <cairo.h>

#include <string>
#include <string_view>

namespace custody::report {

// Largest width or height accepted (a 64 MP camera is ~9000 px wide).
inline constexpr int kMaxImageSide = 16384;

// A new surface (caller destroys it) whose longer side is at most
// `max_side_px`, or nullptr with `*error` saying why (not PNG/JPEG, damaged,
// too large).
cairo_surface_t* DecodeThumbnail(std::string_view bytes, int max_side_px, std::string* error);

}  // namespace custody::report

#endif  // CUSTODY_SRC_REPORT_IMAGE_H_
