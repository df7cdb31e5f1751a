# Message catalogs (gettext). po/ja.po is compiled into
# <build>/locale/ja/LC_MESSAGES/custody.mo, where the built binary finds it
# (src/cli/i18n.cc), and installed into share/locale. `cmake --build build
# --target pot` refreshes po/custody.pot from the marked strings (_("...")).
include(GNUInstallDirs)
find_program(MSGFMT msgfmt REQUIRED)
find_program(XGETTEXT xgettext)
set(CUSTODY_MO ${CMAKE_BINARY_DIR}/locale/ja/LC_MESSAGES/custody.mo)
add_custom_command(
  OUTPUT ${CUSTODY_MO}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/locale/ja/LC_MESSAGES
  COMMAND ${MSGFMT} --check --output-file=${CUSTODY_MO} ${PROJECT_SOURCE_DIR}/po/ja.po
  DEPENDS ${PROJECT_SOURCE_DIR}/po/ja.po
  COMMENT "Compiling the Japanese message catalog"
  VERBATIM)
add_custom_target(custody_catalogs ALL DEPENDS ${CUSTODY_MO})
add_dependencies(custody custody_catalogs)
target_compile_definitions(custody PRIVATE CUSTODY_LOCALEDIR="${CMAKE_INSTALL_FULL_LOCALEDIR}")
install(FILES ${CUSTODY_MO} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/ja/LC_MESSAGES)
if(XGETTEXT)
  add_custom_target(pot
    COMMAND ${XGETTEXT} --from-code=UTF-8 --language=C++ --keyword=_ --package-name=custody
            --output=${PROJECT_SOURCE_DIR}/po/custody.pot ${CUSTODY_CLI_SOURCES}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Extracting translatable strings into po/custody.pot")
endif()
