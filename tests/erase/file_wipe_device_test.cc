// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// File, tree and free-space wipes on a real ext4 file system in an image
// attached to a loop device. After unmounting, an independent scan of the
// image proves the marker content is gone, and debugfs (which lists deleted
// directory entries too) proves the names are gone.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "custody/env.h"
#include "custody/wipe.h"
#include "support/loop_device.h"
#include "support/recording_wipe_sink.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::LoopDevice;
using testing::RecordingWipeSink;

constexpr uint64_t kImageSize = 24 * 1024 * 1024;
const std::string kMarker = "KOJIN-BANGO-MARKER-2718281828-";
const std::string kSecretName = "juminhyo-yamada-taro.csv";

std::string Marked(size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += kMarker;
  s.resize(bytes);
  return s;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class FileWipeDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    image_ = dir_.path() + "/fs.img";
    ASSERT_TRUE(testing::CreateSparseFile(image_, kImageSize));
    auto mkfs = RunCommand({"mkfs.ext4", "-q", "-F", image_});
    ASSERT_EQ(mkfs.exit_code, 0) << mkfs.err;
    std::string error;
    loop_ = LoopDevice::Attach(image_, &error);
    ASSERT_NE(loop_, nullptr) << error;
    mnt_ = dir_.path() + "/mnt";
    ASSERT_EQ(::mkdir(mnt_.c_str(), 0700), 0);
    ASSERT_TRUE(loop_->Mount(mnt_, "", &error)) << error;
  }
  void UnmountAndScan(std::string* image, std::string* listing) {
    std::string error;
    ASSERT_TRUE(loop_->Unmount(&error)) << error;
    auto ls = RunCommand({"debugfs", "-R", "ls -d -l /", image_});
    *listing = ls.out + ls.err;
    auto ls2 = RunCommand({"debugfs", "-R", "ls -d -l /tree", image_});
    *listing += ls2.out + ls2.err;
    *image = ReadFileOrDie(image_);
  }
  TempDir dir_;
  std::string image_, mnt_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(FileWipeDeviceTest, TreeContentAndNamesAreGone) {
  const std::string tree = mnt_ + "/tree";
  ASSERT_EQ(::mkdir(tree.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((tree + "/sub").c_str(), 0700), 0);
  WriteFileOrDie(tree + "/" + kSecretName, Marked(300 * 1024 + 17));
  WriteFileOrDie(tree + "/sub/small.txt", Marked(100));
  {  // Sparse: data at 0 and at 2 MiB, a hole between.
    int fd = ::open((tree + "/sub/sparse.bin").c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_GE(fd, 0);
    const std::string m = Marked(8192);
    ASSERT_EQ(::pwrite(fd, m.data(), m.size(), 0), 8192);
    ASSERT_EQ(::pwrite(fd, m.data(), m.size(), 2 << 20), 8192);
    ::close(fd);
  }
  // A symlink to a file outside the tree: removed, never followed.
  const std::string outside = dir_.path() + "/outside.txt";
  WriteFileOrDie(outside, "keep me");
  ASSERT_EQ(::symlink(outside.c_str(), (tree + "/sub/link").c_str()), 0);
  ::sync();

  RecordingWipeSink sink;
  FileWipeOptions o;
  o.wipe.plan.method = "random";
  o.wipe.sink = &sink;
  auto s = WipeFileTree(tree, o, Env::Default());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->result, WipeResult::kCompleted) << s->message;
  EXPECT_EQ(s->files, 3);
  EXPECT_EQ(s->directories, 2);
  EXPECT_EQ(s->symlinks, 1);
  EXPECT_EQ(sink.Count("wipe.completed"), 3);
  EXPECT_EQ(sink.Count("wipe.removed"), 6);
  // What the overwrite cannot reach on ext4 is said: the names stay in the
  // journal's copies of directory blocks (an image scan finds them there).
  bool journal_warned = false;
  for (const std::string& w : s->warnings) journal_warned |= w.starts_with("ext4 journals metadata");
  EXPECT_TRUE(journal_warned) << ::testing::PrintToString(s->warnings);
  // The sparse file: only its two data extents were written, not the hole.
  bool sparse_seen = false;
  for (const auto& r : s->results) {
    if (r.target.path == tree + "/sub/sparse.bin") {
      sparse_seen = true;
      EXPECT_EQ(r.bytes_written, 2u * 8192);
      EXPECT_TRUE(r.verified);
    }
  }
  EXPECT_TRUE(sparse_seen);
  EXPECT_EQ(ReadFileOrDie(outside), "keep me");
  struct stat st;
  EXPECT_NE(::lstat(tree.c_str(), &st), 0);

  std::string image, listing;
  UnmountAndScan(&image, &listing);
  EXPECT_FALSE(Contains(image, kMarker.substr(0, 20))) << "marker content survived in the image";
  ASSERT_THAT(listing, HasSubstr("lost+found")) << "debugfs could not list the image";
  EXPECT_THAT(listing, Not(HasSubstr(kSecretName)));
  EXPECT_THAT(listing, Not(HasSubstr("small.txt")));
}

TEST_F(FileWipeDeviceTest, HardLinksSpecialFilesAndSymlinksAreRefusedBeforeAnyWrite) {
  const std::string tree = mnt_ + "/tree";
  ASSERT_EQ(::mkdir(tree.c_str(), 0700), 0);
  const std::string a = tree + "/a.txt";
  WriteFileOrDie(a, Marked(5000));
  ASSERT_EQ(::link(a.c_str(), (mnt_ + "/other-name").c_str()), 0);
  RecordingWipeSink sink;
  FileWipeOptions o;
  o.wipe.sink = &sink;
  // A dry run (PlanFileWipe) refuses exactly as the wipe does, each time.
  auto plan = PlanFileWipe(tree, o, Env::Default());
  auto r = WipeFileTree(tree, o, Env::Default());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().ToString(), r.status().ToString());
  EXPECT_THAT(r.status().message(), HasSubstr("2 hard links"));
  EXPECT_THAT(r.status().message(), HasSubstr("nothing was touched"));
  EXPECT_EQ(ReadFileOrDie(a), Marked(5000));
  EXPECT_TRUE(sink.events.empty());

  // Allowed: the content is overwritten (the other name sees it), the name goes.
  o.allow_hard_links = true;
  auto planned = PlanFileWipe(a, o, Env::Default());
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_EQ(planned->files, 1);
  EXPECT_EQ(planned->bytes, 5000u);
  EXPECT_FALSE(planned->directory);
  EXPECT_EQ(ReadFileOrDie(a), Marked(5000));  // The plan touched nothing.
  auto ok = WipeFileTree(a, o, Env::Default());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->result, WipeResult::kCompleted);
  EXPECT_THAT(ok->warnings[0], HasSubstr("hard links"));
  EXPECT_EQ(planned->warnings, ok->warnings);
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/other-name").size(), 0u);  // Truncated through the inode.

  ASSERT_EQ(::mkfifo((tree + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(PlanFileWipe(tree + "/fifo", o, Env::Default()).status().ToString(),
            WipeFileTree(tree + "/fifo", o, Env::Default()).status().ToString());
  auto fifo_plan = PlanFileWipe(tree, o, Env::Default());
  auto fifo = WipeFileTree(tree, o, Env::Default());
  EXPECT_EQ(fifo_plan.status().ToString(), fifo.status().ToString());
  EXPECT_EQ(fifo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(fifo.status().message(), HasSubstr("special file"));
  ::unlink((tree + "/fifo").c_str());

  ASSERT_EQ(::symlink(tree.c_str(), (mnt_ + "/link").c_str()), 0);
  EXPECT_EQ(PlanFileWipe(mnt_ + "/link", o, Env::Default()).status().code(),
            StatusCode::kInvalidArgument);
  auto link = WipeFileTree(mnt_ + "/link", o, Env::Default());
  EXPECT_EQ(link.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(link.status().message(), HasSubstr("never follows"));
}

// ext4's reserved_clusters for the file system mounted from `dev` (e.g.
// /dev/loop3): /sys/fs/ext4/loop3/reserved_clusters.
std::string ReserveControl(const std::string& dev) {
  return "/sys/fs/ext4/" + dev.substr(dev.rfind('/') + 1) + "/reserved_clusters";
}

// Every free block of the file system holds the marker before the wipe: it
// is filled with marker files until ENOSPC, with ext4's reserved clusters
// lowered (as root) so that they are planted too, then the files are
// deleted. Afterwards no byte of the image may hold the marker (the one
// surviving file holds "kept"). This does not depend on where the
// allocator happens to put one deleted file (it left 113 markers in the
// reserved clusters while the wipe reported completed, verified).
TEST_F(FileWipeDeviceTest, FreeSpaceFillReachesEveryDeletedBlock) {
  const std::string control = ReserveControl(loop_->path());
  const std::string reserve_before = ReadFileOrDie(control);
  ASSERT_GT(std::stoull(reserve_before), 0u) << "ext4 without reserved clusters";
  WriteFileOrDie(mnt_ + "/kept.txt", "kept");
  WriteFileOrDie(control, "0\n");
  const std::string chunk = Marked(64 * 1024);
  for (int i = 0;; ++i) {
    const std::string path = mnt_ + "/marker-" + std::to_string(i);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) break;
    bool full = false;
    // Smaller writes as the file system fills: ext4 refuses a whole write
    // that does not fit.
    for (size_t n = chunk.size(); n >= 512 && !full;) {
      const ssize_t w = ::write(fd, chunk.data(), n);
      if (w < 0 && errno == ENOSPC) {
        if (n == 512) full = true;
        n /= 2;
      } else if (w <= 0) {
        full = true;
      }
    }
    ::fsync(fd);
    ::close(fd);
    if (full && i > 0) break;
  }
  ::sync();
  WriteFileOrDie(control, reserve_before);
  auto names = Env::Default()->ListDir(mnt_);
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) {
    if (n.starts_with("marker-")) {
      ASSERT_EQ(::unlink((mnt_ + "/" + n).c_str()), 0);
    }
  }
  ::sync();

  RecordingWipeSink sink;
  WipeOptions o;
  o.plan.method = "random";
  o.sink = &sink;
  auto ev = WipeFreeSpace(mnt_, o, Env::Default());
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->result, WipeResult::kCompleted) << ev->message;
  EXPECT_TRUE(ev->verified);
  EXPECT_EQ(ev->fs_type, "ext4");
  EXPECT_TRUE(ev->unreached_measured);
  EXPECT_EQ(ev->unreached_bytes, 0u);
  EXPECT_EQ(ev->reserve_control, control);
  EXPECT_EQ(ev->reserve_clusters, std::stoull(reserve_before));
  EXPECT_TRUE(ev->reserve_lowered) << ev->reserve_error;
  EXPECT_TRUE(ev->reserve_restored) << ev->reserve_error;
  EXPECT_EQ(ReadFileOrDie(control), reserve_before);
  EXPECT_GE(ev->bytes_filled + 64 * 1024, ev->free_bytes_total);
  for (const std::string& l : ev->limitations) EXPECT_THAT(l, Not(HasSubstr("filled as well")));
  EXPECT_EQ(sink.Count("wipe.free-space.started"), 1);
  EXPECT_EQ(sink.events.front().first, "wipe.free-space.started");
  EXPECT_EQ(sink.Count("wipe.free-space.completed"), 1);
  EXPECT_EQ(ReadFileOrDie(mnt_ + "/kept.txt"), "kept");
  EXPECT_EQ(Env::Default()->ListDir(mnt_)->size(), 2u);  // kept.txt, lost+found: no fill left.

  auto not_mount = WipeFreeSpace(dir_.path(), o, Env::Default());
  EXPECT_EQ(not_mount.status().code(), StatusCode::kInvalidArgument);

  std::string image, listing;
  UnmountAndScan(&image, &listing);
  size_t survivors = 0;
  for (size_t at = image.find(kMarker); at != std::string::npos; at = image.find(kMarker, at + 1)) {
    ++survivors;
  }
  EXPECT_EQ(survivors, 0u) << "deleted data survived the free-space wipe";
}

}  // namespace
}  // namespace custody
