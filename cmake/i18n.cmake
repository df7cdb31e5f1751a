# Message catalogs (gettext). po/ja.po is compiled into
# <build>/locale/ja/LC_MESSAGES/custody.mo, where the built binary finds it
# (src/cli/i18n.cc), and installed into share/locale. `cmake --build build
# --target pot` refreshes po/custody.pot from the marked strings (_("...")) and
# every help string of the command table.
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
find_program(MSGCAT msgcat)
if(XGETTEXT AND MSGCAT)
  # Relative paths, so the "#:" references do not name this checkout.
  set(CUSTODY_CLI_SOURCES_RELATIVE)
  foreach(source ${CUSTODY_CLI_SOURCES})
    file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${source})
    list(APPEND CUSTODY_CLI_SOURCES_RELATIVE ${relative})
  endforeach()
  # Library sentences the CLI translates at print time (marked N_ there:
  # constant patterns, values kept apart; see include/custody/doctor.h).
  list(APPEND CUSTODY_CLI_SOURCES_RELATIVE src/doctor/doctor.cc)
  # The same for the erase areas' sentences (custody/message_text.h): media
  # warnings, purge reasons and warnings, free-space limitations.
  list(APPEND CUSTODY_CLI_SOURCES_RELATIVE src/device/identify.cc src/purge/purge.cc
       src/purge/ata_purge.cc src/purge/nvme_purge.cc src/erase/free_space.cc
       src/erase/file_wipe.cc src/erase/wipe_engine.cc)
  # Two sources: the strings marked _() in src/cli (xgettext), and every help
  # string of the command table, which the built binary dumps
  # (src/cli/help_i18n.h, CUSTODY_DUMP_HELP_POT); msgcat merges them.
  add_custom_target(pot
    COMMAND ${XGETTEXT} --from-code=UTF-8 --language=C++ --keyword=_ --keyword=N_ --package-name=custody
            --output=${CMAKE_BINARY_DIR}/marked.pot ${CUSTODY_CLI_SOURCES_RELATIVE}
    COMMAND ${CMAKE_COMMAND} -E env CUSTODY_DUMP_HELP_POT=1 $<TARGET_FILE:custody> --lang en
            > ${CMAKE_BINARY_DIR}/help.pot
    COMMAND ${MSGCAT} --use-first --sort-output --output-file=${PROJECT_SOURCE_DIR}/po/custody.pot
            ${CMAKE_BINARY_DIR}/marked.pot ${CMAKE_BINARY_DIR}/help.pot
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Extracting translatable strings into po/custody.pot"
    VERBATIM)
  add_dependencies(pot custody)
endif()
