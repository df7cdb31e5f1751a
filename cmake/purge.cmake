# The static NVMe probe that runs inside the QEMU guest of
# tests/purge/nvme_qemu_device_test.cc. Built from custody's own sources
# (not libcustody, whose other dependencies have no static archives) and
# linked -static so it runs in a bare busybox initramfs.
if(CUSTODY_BUILD_TESTS AND TARGET purge_nvme_qemu_device_test)
  add_executable(custody_nvme_qemu_guest
    tests/purge/nvme_qemu_guest.cc
    src/common/status.cc src/common/secret.cc src/common/message_text.cc
    src/crypto/encoding.cc src/crypto/hash.cc
    src/env/posix_env.cc src/env/posix_io.cc src/device/block_device.cc src/device/device_json.cc
    src/common/time_util.cc
    src/erase/sampling.cc src/erase/pattern_source.cc src/crypto/keystream.cc
    src/purge/nvme_commands.cc src/purge/ata_commands.cc src/purge/scsi_commands.cc
    src/purge/linux_passthrough.cc src/purge/purge.cc src/purge/nvme_purge.cc
    src/purge/ata_purge.cc src/purge/scsi_purge.cc)
  target_include_directories(custody_nvme_qemu_guest PRIVATE
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(custody_nvme_qemu_guest PRIVATE
    -static ${CRYPTOPP_STATIC_LDFLAGS} nlohmann_json::nlohmann_json)
  if(CUSTODY_SANITIZE OR CUSTODY_TSAN)
    # A static binary cannot carry the ASan or TSan runtime, and the guest
    # runs in a bare initramfs anyway: build it without sanitizers.
    target_compile_options(custody_nvme_qemu_guest PRIVATE -fno-sanitize=all)
    target_link_options(custody_nvme_qemu_guest PRIVATE -fno-sanitize=all)
  endif()
  add_dependencies(purge_nvme_qemu_device_test custody_nvme_qemu_guest)
  target_compile_definitions(purge_nvme_qemu_device_test PRIVATE
    CUSTODY_NVME_QEMU_GUEST="$<TARGET_FILE:custody_nvme_qemu_guest>")
endif()
