# Libraries beyond the required core, found with pkg-config. Each area appends
# its imported targets to CUSTODY_EXTRA_LIBS, which libcustody links.

# Documents (src/report): cairo renders PDF, pango lays out and line-breaks
# Japanese text and picks the fonts, libqrencode builds the QR matrix.
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo)
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
list(APPEND CUSTODY_EXTRA_LIBS PkgConfig::CAIRO PkgConfig::PANGOCAIRO PkgConfig::QRENCODE)
# JPEG photo thumbnails on certificates (src/report/image.cc); cairo reads PNG itself.
pkg_check_modules(LIBJPEG REQUIRED IMPORTED_TARGET libjpeg)
list(APPEND CUSTODY_EXTRA_LIBS PkgConfig::LIBJPEG)

# LUKS crypto-erase (src/purge/luks.cc): libcryptsetup. Its header only: the
# library is opened when a LUKS command first needs it (src/common/shared_library.h),
# so other commands do not load it and its ten dependencies at start-up.
pkg_check_modules(CRYPTSETUP REQUIRED libcryptsetup)
add_library(custody_cryptsetup_headers INTERFACE)
target_include_directories(custody_cryptsetup_headers INTERFACE ${CRYPTSETUP_INCLUDE_DIRS})
list(APPEND CUSTODY_EXTRA_LIBS custody_cryptsetup_headers ${CMAKE_DL_LIBS})
