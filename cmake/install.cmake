# Installation layout and the Debian package (CPack). scripts/package.sh runs
# `cpack -G DEB` in the build directory.
include(GNUInstallDirs)
# `cmake --install` and cpack package what is built instead of first building
# every target (tests, benchmarks): scripts/package.sh builds beforehand.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# The manual page and bash completion are generated from the command table by
# the built binary itself, so they always match the options it accepts.
set(CUSTODY_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${CUSTODY_GEN_DIR})
add_custom_command(
  OUTPUT ${CUSTODY_GEN_DIR}/custody.1.gz ${CUSTODY_GEN_DIR}/custody.bash-completion
  COMMAND sh -c "\"$<TARGET_FILE:custody>\" --lang en man | gzip -9n > custody.1.gz"
  COMMAND sh -c "\"$<TARGET_FILE:custody>\" --lang en completion bash > custody.bash-completion"
  WORKING_DIRECTORY ${CUSTODY_GEN_DIR}
  DEPENDS custody
  COMMENT "Generating custody(1) and the bash completion from the command table"
  VERBATIM)
add_custom_target(custody_generated ALL
  DEPENDS ${CUSTODY_GEN_DIR}/custody.1.gz ${CUSTODY_GEN_DIR}/custody.bash-completion)

install(FILES ${CUSTODY_GEN_DIR}/custody.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CUSTODY_GEN_DIR}/custody.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME custody)
# The auditor kit: the independent verifier and its bilingual README, usable
# without custody (Python 3 standard library plus cryptography or openssl).
install(PROGRAMS scripts/verify-evidence.py DESTINATION ${CMAKE_INSTALL_DATADIR}/custody/auditor)
install(FILES docs/auditor/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/custody/auditor OPTIONAL)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES LICENSE README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The demo, so `custody` installed from the .deb can be tried at once.
install(PROGRAMS scripts/demo.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/custody/examples)

set(CPACK_PACKAGE_NAME custody)
set(CPACK_PACKAGE_VENDOR "The custody Authors")
set(CPACK_PACKAGE_CONTACT "custody maintainers <custody@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "chain of custody for confidential data: encrypted handover, receipts, verified erasure, certificates")
set(CPACK_PACKAGE_DESCRIPTION
    "custody keeps the chain of custody of confidential data for municipalities and their contractors:\n\
age-encrypted handover packages with signed manifests, receipts and registers, verified overwrite,\n\
device sanitize and crypto-erase, disposal certificates, and a signed tamper-evident ledger.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared-library dependencies are computed by dpkg-shlibdeps from the binary.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Fonts for Japanese PDFs are needed at run time; the tools below are used when
# present (interop, LUKS, the auditor script) and explained by `custody doctor`.
# libcryptsetup and the PDF stack are opened at run time (dlopen, see
# src/common/shared_library.h), so dpkg-shlibdeps does not see them.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-ipaexfont-gothic, fonts-ipaexfont-mincho, libcryptsetup12, \
libcairo2, libpango-1.0-0, libpangocairo-1.0-0, libglib2.0-0, libqrencode4, libjpeg62-turbo")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "age, python3, python3-cryptography | openssl, cryptsetup-bin")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "p7zip-full, poppler-utils")
set(CPACK_GENERATOR DEB)
include(CPack)
