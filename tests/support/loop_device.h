// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Real loop devices for *_device_test.cc suites: a backing file attached with
// losetup and detached (and its mounts undone) in the destructor, on every
// path out of a test.
#ifndef CUSTODY_TESTS_SUPPORT_LOOP_DEVICE_H_
#define CUSTODY_TESTS_SUPPORT_LOOP_DEVICE_H_

#include <cstdint>
#include <memory>
#include <string>

namespace custody::testing {

// Empty when loop devices can be used here; otherwise why not (for
// GTEST_SKIP): not root, no /dev/loop-control, no losetup.
std::string LoopDeviceUnavailableReason();

class LoopDevice {
 public:
  // Attaches `backing_file` (which must exist). nullptr and `error` set on
  // failure.
  static std::unique_ptr<LoopDevice> Attach(const std::string& backing_file, std::string* error,
                                            bool direct_io = false);
  ~LoopDevice();  // Unmounts what Mount() mounted, then detaches.
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  const std::string& path() const { return path_; }  // e.g. /dev/loop3
  const std::string& backing_file() const { return backing_; }
  // mount DEV DIR [-o options]; false and `error` on failure.
  bool Mount(const std::string& dir, const std::string& options, std::string* error);
  bool Unmount(std::string* error);

 private:
  LoopDevice(std::string path, std::string backing) : path_(std::move(path)), backing_(std::move(backing)) {}
  std::string path_, backing_, mount_dir_;
};

// A tmpfs of `bytes` mounted for a test (mode 0700), unmounted in the
// destructor, on every way out of the test. Small ones make writes past their
// space fail, as a disk with bad sectors does, under a loop device.
class TmpfsMount {
 public:
  TmpfsMount() = default;
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  // false and `error` on failure.
  bool Mount(const std::string& dir, uint64_t bytes, std::string* error);

 private:
  std::string dir_;
};

// Creates (or truncates) a sparse file of `size` bytes.
bool CreateSparseFile(const std::string& path, uint64_t size);

}  // namespace custody::testing

#endif  // CUSTODY_TESTS_SUPPORT_LOOP_DEVICE_H_
