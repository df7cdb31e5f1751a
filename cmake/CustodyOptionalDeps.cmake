# Libraries beyond the required core, found with pkg-config. Each area appends
# its imported targets to CUSTODY_EXTRA_LIBS, which libcustody links.

# Documents (src/report): cairo renders PDF, pango lays out and line-breaks
# Japanese text and picks the fonts, libqrencode builds the QR matrix; JPEG
# photo thumbnails on certificates (src/report/image.cc; cairo reads PNG
# itself). Headers only: the libraries are opened when a PDF is first
# rendered (src/report/pdf_libraries.h), so other commands do not load them
# and their ~40 dependencies at start-up.
pkg_check_modules(CAIRO REQUIRED cairo)
pkg_check_modules(PANGOCAIRO REQUIRED pangocairo)
pkg_check_modules(QRENCODE REQUIRED libqrencode)
pkg_check_modules(LIBJPEG REQUIRED libjpeg)
add_library(custody_pdf_headers INTERFACE)
target_include_directories(custody_pdf_headers INTERFACE ${CAIRO_INCLUDE_DIRS} ${PANGOCAIRO_INCLUDE_DIRS}
                           ${QRENCODE_INCLUDE_DIRS} ${LIBJPEG_INCLUDE_DIRS})
list(APPEND CUSTODY_EXTRA_LIBS custody_pdf_headers)

# LUKS crypto-erase (src/purge/luks.cc): libcryptsetup. Its header only: the
# library is opened when a LUKS command first needs it (src/common/shared_library.h),
# so other commands do not load it and its ten dependencies at start-up.
pkg_check_modules(CRYPTSETUP REQUIRED libcryptsetup)
add_library(custody_cryptsetup_headers INTERFACE)
target_include_directories(custody_cryptsetup_headers INTERFACE ${CRYPTSETUP_INCLUDE_DIRS})
list(APPEND CUSTODY_EXTRA_LIBS custody_cryptsetup_headers ${CMAKE_DL_LIBS})
