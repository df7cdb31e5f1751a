// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Device identification without devices: a canned sysfs/procfs tree (a SATA
// disk with partitions, an NVMe disk in LVM, a USB stick, a RAID member, a
// loop device) for DescribeFromSysfs and InUseReasons; hand-built ATA
// IDENTIFY, DCO and SCSI VPD pages for the parsers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "custody/device.h"
#include "device/ata_identity.h"
#include "device/scsi_vpd.h"
#include "device/system_view.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class FakeSysfs {
 public:
  explicit FakeSysfs(const std::string& root) : root_(root) {
    roots.sys = root + "/sys";
    roots.proc = root + "/proc";
    roots.root = "";  // Real paths' devices must not match the fake disks' numbers.
    fs::create_directories(roots.sys + "/class/block");
    fs::create_directories(roots.proc + "/self");
    Write(roots.proc + "/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
    Write(roots.proc + "/self/mountinfo", "");
  }
  // A disk whose device directory is `devpath` (under /sys/devices).
  std::string AddDisk(const std::string& name, const std::string& devpath, const std::string& dev,
                      uint64_t sectors) {
    const std::string dir = roots.sys + "/devices/" + devpath + "/block/" + name;
    fs::create_directories(dir + "/queue");
    fs::create_directories(dir + "/device");  // Real sysfs: a link to the SCSI device.
    fs::create_directories(dir + "/holders");
    Write(dir + "/dev", dev + "\n");
    Write(dir + "/size", std::to_string(sectors) + "\n");
    Write(dir + "/queue/logical_block_size", "512\n");
    Write(dir + "/queue/physical_block_size", "4096\n");
    Write(dir + "/queue/rotational", "1\n");
    Write(dir + "/removable", "0\n");
    Write(dir + "/ro", "0\n");
    fs::create_directory_symlink(dir, roots.sys + "/class/block/" + name);
    return dir;
  }
  std::string AddPartition(const std::string& disk_dir, const std::string& name,
                           const std::string& dev, uint64_t sectors) {
    const std::string dir = disk_dir + "/" + name;
    fs::create_directories(dir + "/holders");
    Write(dir + "/dev", dev + "\n");
    Write(dir + "/size", std::to_string(sectors) + "\n");
    Write(dir + "/partition", "1\n");
    Write(dir + "/ro", "0\n");
    fs::create_directory_symlink(dir, roots.sys + "/class/block/" + name);
    return dir;
  }
  void AddMount(const std::string& dev, const std::string& point, const std::string& fstype,
                const std::string& source, const std::string& opts = "rw") {
    std::string escaped;
    for (char c : point) escaped += c == ' ' ? std::string("\\040") : std::string(1, c);
    mountinfo_ += std::to_string(++mount_id_) + " 1 " + dev + " / " + escaped + " rw,relatime - " +
                  fstype + " " + source + " " + opts + "\n";
    Write(roots.proc + "/self/mountinfo", mountinfo_);
  }
  void AddSwap(const std::string& line) {
    std::ofstream(roots.proc + "/swaps", std::ios::app) << line << "\n";
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }
  device::SystemRoots roots;

 private:
  std::string root_, mountinfo_;
  int mount_id_ = 20;
};

class SystemViewTest : public ::testing::Test {
 protected:
  SystemViewTest() : sys_(dir_.path()) {
    sda_ = sys_.AddDisk("sda", "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0", "8:0",
                        1953525168);
    FakeSysfs::Write(sda_ + "/device/model", "WDC WD10EZEX-08W\n");
    FakeSysfs::Write(sda_ + "/device/vendor", "ATA     \n");
    FakeSysfs::Write(sda_ + "/device/rev", "1A01\n");
    FakeSysfs::Write(sda_ + "/device/wwid", "naa.50014ee2b5a1c2d3\n");
    sys_.AddPartition(sda_, "sda1", "8:1", 1048576);
    sys_.AddPartition(sda_, "sda2", "8:2", 8388608);
    sys_.AddPartition(sda_, "sda3", "8:3", 1000000);
    sys_.AddMount("8:1", "/", "ext4", "/dev/sda1");
    sys_.AddSwap("/dev/sda2                               partition\t8388604\t\t0\t\t-2");

    nvme_ = sys_.AddDisk("nvme0n1", "pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0", "259:0",
                         2000409264);
    FakeSysfs::Write(nvme_ + "/queue/rotational", "0\n");
    const std::string p1 = sys_.AddPartition(nvme_, "nvme0n1p1", "259:1", 2000000000);
    fs::create_directories(p1 + "/holders/dm-0");
    const std::string dm = sys_.AddDisk("dm-0", "virtual/block/dm-0", "254:0", 2000000000);
    fs::create_directories(dm + "/dm");
    FakeSysfs::Write(dm + "/dm/uuid", "LVM-abcdef\n");
    FakeSysfs::Write(dm + "/dm/name", "vg0-data\n");
    sys_.AddMount("254:0", "/srv/data", "xfs", "/dev/mapper/vg0-data");

    usb_ = sys_.AddDisk("sdb", "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0",
                        "8:16", 60062500);
    FakeSysfs::Write(usb_ + "/removable", "1\n");
    sys_.AddPartition(usb_, "sdb1", "8:17", 60000000);
    sys_.AddMount("8:17", "/media/usb stick", "vfat", "/dev/sdb1");

    const std::string sdc = sys_.AddDisk(
        "sdc", "pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0", "8:32", 1000);
    fs::create_directories(sdc + "/holders/md0");

    const std::string loop = sys_.AddDisk("loop3", "virtual/block/loop3", "7:3", 2048);
    fs::create_directories(loop + "/loop");
    FakeSysfs::Write(loop + "/loop/backing_file", "/var/tmp/disk.img\n");
    FakeSysfs::Write(loop + "/queue/rotational", "1\n");
  }
  TempDir dir_;
  FakeSysfs sys_;
  std::string sda_, nvme_, usb_;
};

TEST_F(SystemViewTest, DescribesDisksPartitionsAndLoops) {
  DeviceInfo sda = device::DescribeFromSysfs(sys_.roots, "sda");
  EXPECT_EQ(sda.kind, "disk");
  EXPECT_EQ(sda.transport, "sata");
  EXPECT_EQ(sda.model, "WDC WD10EZEX-08W");
  EXPECT_EQ(sda.firmware, "1A01");
  EXPECT_EQ(sda.wwn, "naa.50014ee2b5a1c2d3");
  EXPECT_EQ(sda.size_bytes, 1953525168ull * 512);
  EXPECT_EQ(sda.logical_sector_size, 512u);
  EXPECT_EQ(sda.physical_sector_size, 4096u);
  EXPECT_TRUE(sda.rotational);

  DeviceInfo part = device::DescribeFromSysfs(sys_.roots, "sda3");
  EXPECT_EQ(part.kind, "partition");
  EXPECT_EQ(part.parent, "/dev/sda");
  EXPECT_EQ(part.size_bytes, 1000000ull * 512);
  EXPECT_EQ(part.model, "WDC WD10EZEX-08W");  // The disk's identity.
  EXPECT_EQ(part.physical_sector_size, 4096u);

  DeviceInfo nvme = device::DescribeFromSysfs(sys_.roots, "nvme0n1");
  EXPECT_EQ(nvme.transport, "nvme");
  EXPECT_FALSE(nvme.rotational);

  DeviceInfo usb = device::DescribeFromSysfs(sys_.roots, "sdb");
  EXPECT_EQ(usb.transport, "usb");  // Not "scsi", though a SCSI host sits below USB.
  EXPECT_TRUE(usb.removable);

  DeviceInfo loop = device::DescribeFromSysfs(sys_.roots, "loop3");
  EXPECT_EQ(loop.kind, "loop");
  EXPECT_EQ(loop.transport, "loop");
  EXPECT_EQ(loop.backing_file, "/var/tmp/disk.img");

  EXPECT_EQ(device::NameForDevNumber(sys_.roots, "259:1"), "nvme0n1p1");
  EXPECT_EQ(device::NameForDevNumber(sys_.roots, "9:9"), "");
}

TEST_F(SystemViewTest, NamesEveryHolder) {
  // The root disk: its root partition, its swap partition, and (for the
  // spare third partition) the fact that it shares the root file system's disk.
  auto sda = device::InUseReasons(sys_.roots, "sda");
  EXPECT_THAT(sda, Contains("partition /dev/sda1 holds the root file system (/)"));
  EXPECT_THAT(sda, Contains("partition /dev/sda2 active swap"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sda2"), Contains("active swap"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sda3"),
              ElementsAre("is on the disk of the root file system (/dev/sda1)"));

  // LVM over an NVMe partition: the partition and its disk are held.
  EXPECT_THAT(device::InUseReasons(sys_.roots, "nvme0n1p1"),
              ElementsAre("held by dm-0 (LVM vg0-data)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "nvme0n1"),
              ElementsAre("partition /dev/nvme0n1p1 held by dm-0 (LVM vg0-data)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "dm-0"),
              ElementsAre("mounted at /srv/data (xfs)"));

  // A mount point with a space (mountinfo escapes it as \040).
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sdb"),
              ElementsAre("partition /dev/sdb1 mounted at /media/usb stick (vfat)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sdc"), ElementsAre("held by md0 (software RAID)"));
  EXPECT_TRUE(device::InUseReasons(sys_.roots, "loop3").empty());
}

// Other processes that have a device open (found in /proc/PID/fd; injected
// here): named with PID and command for the device itself, for a disk whose
// partition is open, and for a partition whose whole disk is open.
TEST_F(SystemViewTest, NamesProcessesThatHaveADeviceOpen) {
  sys_.roots.open_devices = std::vector<device::OpenDevice>{
      {4242, "qemu-system-x86", "8:32"}, {777, "dd", "8:17"}, {31, "gparted", "259:0"}};
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sdc"),
              ElementsAre("held by md0 (software RAID)", "open by process 4242 (qemu-system-x86)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sdb"),
              Contains("partition /dev/sdb1 open by process 777 (dd)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "sdb1"), Contains("open by process 777 (dd)"));
  EXPECT_THAT(device::InUseReasons(sys_.roots, "nvme0n1p1"),
              Contains("its disk /dev/nvme0n1 is open by process 31 (gparted)"));
  EXPECT_TRUE(device::InUseReasons(sys_.roots, "loop3").empty());

  const auto open = device::OpenDevices(sys_.roots);
  auto sdb = device::OpenersOf(sys_.roots, "sdb", open);
  ASSERT_EQ(sdb.size(), 1u);
  EXPECT_EQ(sdb[0].pid, 777);
  EXPECT_EQ(sdb[0].command, "dd");
  EXPECT_EQ(sdb[0].device, "/dev/sdb1");
  EXPECT_TRUE(device::OpenersOf(sys_.roots, "loop3", open).empty());

  // The refusal says which process, in a clause of its own.
  DeviceInfo d = device::DescribeFromSysfs(sys_.roots, "sdb");
  d.in_use = device::InUseReasons(sys_.roots, "sdb");
  Status s = CheckWipeSafety(d);
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_THAT(s.message(), HasSubstr("its partition /dev/sdb1 is open by process 777 (dd)"));
  d = device::DescribeFromSysfs(sys_.roots, "loop3");
  d.in_use = device::InUseReasons(sys_.roots, "loop3", {{9, "cat", "7:3"}});
  EXPECT_THAT(CheckWipeSafety(d).message(), HasSubstr(": it is open by process 9 (cat). "));
}

// The scan of proc/PID/fd counts block devices only: a process with
// /dev/null (a character device) and a regular file open holds no device.
TEST_F(SystemViewTest, OpenFilesThatAreNotBlockDevicesAreNotHolders) {
  const std::string proc = sys_.roots.proc + "/4321";
  fs::create_directories(proc + "/fd");
  FakeSysfs::Write(proc + "/comm", "editor\n");
  fs::create_symlink("/dev/null", proc + "/fd/0");
  fs::create_symlink(proc + "/comm", proc + "/fd/1");
  EXPECT_TRUE(device::OpenDevices(sys_.roots).empty());
}

// In a chroot or container mountinfo lists only mounts inside the root, not
// the disk the root directory itself lives on: that disk is still refused,
// found by the root directory's device number.
TEST(SystemViewRootTest, TheRootDirectorysDiskIsRefusedWithoutItsMount) {
  TempDir dir;
  FakeSysfs sys(dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(dir.path().c_str(), &st), 0);
  const std::string dev = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  sys.AddDisk("vdz", "virtual/block/vdz", dev, 1000000);
  EXPECT_TRUE(device::InUseReasons(sys.roots, "vdz").empty());  // No check: roots.root is "".
  device::SystemRoots roots = sys.roots;
  roots.root = dir.path();  // Stands for "/" of a chroot on that disk.
  EXPECT_THAT(device::InUseReasons(roots, "vdz"), ElementsAre("holds the root file system (/)"));
  // Named once when mountinfo shows the root mount too.
  sys.AddMount(dev, "/", "ext4", "/dev/vdz");
  EXPECT_THAT(device::InUseReasons(roots, "vdz"), ElementsAre("holds the root file system (/)"));
}

TEST_F(SystemViewTest, MountinfoEscapesAreDecoded) {
  bool found = false;
  for (const auto& m : device::ReadMounts(sys_.roots)) {
    if (m.dev == "8:17") {
      found = true;
      EXPECT_EQ(m.mount_point, "/media/usb stick");
      EXPECT_EQ(m.fs_type, "vfat");
      EXPECT_EQ(m.source, "/dev/sdb1");
    }
  }
  EXPECT_TRUE(found);
}

// ---- ATA IDENTIFY, DCO, HPA

void PutWord(std::vector<uint8_t>& d, int w, uint16_t v) {
  d[2 * w] = static_cast<uint8_t>(v);
  d[2 * w + 1] = static_cast<uint8_t>(v >> 8);
}

std::vector<uint8_t> IdentifyData(uint64_t max_sectors, bool hpa, bool dco) {
  std::vector<uint8_t> d(512);
  PutWord(d, 82, hpa ? (1 << 10) : 0);
  PutWord(d, 83, 0x4000 | (1 << 10) | (dco ? (1 << 11) : 0));
  PutWord(d, 87, 0x4000 | (1 << 8));
  PutWord(d, 108, 0x5001);
  PutWord(d, 109, 0x4ee2);
  PutWord(d, 110, 0xb5a1);
  PutWord(d, 111, 0xc2d3);
  for (int i = 0; i < 4; ++i) PutWord(d, 100 + i, static_cast<uint16_t>(max_sectors >> (16 * i)));
  PutWord(d, 217, 1);
  return d;
}

// A device identified again after a pause (a confirmation, an interrupted
// wipe) must be the same drive: every identity known before is there again.
TEST(CheckSameDeviceTest, EveryKnownIdentityMustMatch) {
  DeviceInfo then;
  then.path = "/dev/sdb";
  then.serial = "WD-1234";
  then.model = "WDC WD10";
  then.size_bytes = 1000;
  DeviceInfo now = then;
  EXPECT_TRUE(CheckSameDevice(then, now).ok());
  now.vendor = "changed";  // Not an identity.
  EXPECT_TRUE(CheckSameDevice(then, now).ok());
  now.serial = "WD-9999";  // Another drive at the same path.
  Status other = CheckSameDevice(then, now);
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.message(), HasSubstr("serial WD-9999 but the device identified before had serial WD-1234"));
  now.serial.clear();  // Reports none now: not taken for the same one.
  EXPECT_THAT(CheckSameDevice(then, now).message(), HasSubstr("has no serial"));
  now = then;
  now.size_bytes = 2000;
  EXPECT_EQ(CheckSameDevice(then, now).code(), StatusCode::kFailedPrecondition);
  now = then;
  now.model = "Other";
  EXPECT_EQ(CheckSameDevice(then, now).code(), StatusCode::kFailedPrecondition);
  DeviceInfo loop_then;
  loop_then.path = "/dev/loop2";
  loop_then.backing_file = "/var/tmp/a.img";
  DeviceInfo loop_now = loop_then;
  loop_now.path = "/dev/loop5";  // Re-attached elsewhere: the same file is the same device.
  EXPECT_TRUE(CheckSameDevice(loop_then, loop_now).ok());
  loop_now.backing_file = "/var/tmp/b.img";
  EXPECT_THAT(CheckSameDevice(loop_then, loop_now).message(), HasSubstr("backing file /var/tmp/b.img"));
}

TEST(AtaIdentityTest, ParsesWwnRotationAndCapacity) {
  auto x = device::ParseAtaExtras(IdentifyData(1953525168, true, true));
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(x->wwn, "naa.50014ee2b5a1c2d3");
  EXPECT_EQ(x->rotation_rate, 1);
  EXPECT_TRUE(x->lba48);
  EXPECT_TRUE(x->hpa_supported);
  EXPECT_TRUE(x->dco_supported);
  EXPECT_EQ(x->current_max_sectors, 1953525168u);
  EXPECT_FALSE(device::ParseAtaExtras(std::vector<uint8_t>(100)).ok());

  // Word 87 not valid (bits 15:14 != 01b): no WWN.
  auto data = IdentifyData(1000, false, false);
  PutWord(data, 87, 0xFFFF);
  EXPECT_EQ(device::ParseAtaExtras(data)->wwn, "");
}

TEST(AtaIdentityTest, HiddenAreasAreReported) {
  auto x = *device::ParseAtaExtras(IdentifyData(1000000, true, true));
  auto none = device::AnalyzeHiddenArea(x, 999999, 999999);
  EXPECT_TRUE(none.checked);
  EXPECT_FALSE(none.hpa_present);
  EXPECT_FALSE(none.dco_present);

  auto hpa = device::AnalyzeHiddenArea(x, 1999999, 1999999);
  EXPECT_TRUE(hpa.hpa_present);
  EXPECT_FALSE(hpa.dco_present);
  EXPECT_EQ(hpa.native_max_sectors, 2000000u);
  EXPECT_THAT(hpa.note, HasSubstr("hides 1000000 sectors"));

  auto dco = device::AnalyzeHiddenArea(x, 999999, 1499999);
  EXPECT_FALSE(dco.hpa_present);
  EXPECT_TRUE(dco.dco_present);
  EXPECT_THAT(dco.note, HasSubstr("Device Configuration Overlay hides 500000"));

  auto unknown = device::AnalyzeHiddenArea(x, std::nullopt, std::nullopt);
  EXPECT_FALSE(unknown.hpa_present);
  EXPECT_THAT(unknown.note, HasSubstr("HPA unknown"));
  EXPECT_THAT(unknown.note, HasSubstr("DCO unknown"));

  std::vector<uint8_t> dco_page(512);
  PutWord(dco_page, 0, 2);
  PutWord(dco_page, 3, 0x1F);
  PutWord(dco_page, 4, 0x0010);
  EXPECT_EQ(*device::ParseDcoMaxLba(dco_page), 0x10001Fu);
  EXPECT_FALSE(device::ParseDcoMaxLba(std::vector<uint8_t>(512)).ok());

  auto rnm = device::ReadNativeMaxAddress(true);
  EXPECT_EQ(rnm.command, 0x27);
  EXPECT_TRUE(rnm.check_condition);
}

// ---- SCSI VPD

TEST(ScsiVpdTest, UnitSerialAndDeviceIdentification) {
  const std::vector<uint8_t> pg80 = {0x00, 0x80, 0x00, 0x0A, ' ', ' ', 'Z', 'A', '1', '2',
                                     'B', '3', ' ', ' '};
  EXPECT_EQ(*device::ParseUnitSerialPage(pg80), "ZA12B3");
  EXPECT_FALSE(device::ParseUnitSerialPage(std::vector<uint8_t>{0x00, 0x83, 0x00, 0x00}).ok());
  EXPECT_FALSE(device::ParseUnitSerialPage(std::vector<uint8_t>{0x00, 0x80, 0x00, 0x09, 'A'}).ok());

  // A T10 vendor designator, a target-port NAA (association 1, ignored), and
  // the logical unit's NAA (preferred).
  std::vector<uint8_t> pg83 = {0x00, 0x83, 0x00, 0x00};
  auto add = [&](uint8_t code_set, uint8_t assoc_type, std::vector<uint8_t> id) {
    pg83.insert(pg83.end(), {code_set, assoc_type, 0x00, static_cast<uint8_t>(id.size())});
    pg83.insert(pg83.end(), id.begin(), id.end());
  };
  add(0x02, 0x01, {'A', 'T', 'A', ' ', ' ', ' ', ' ', ' ', 'X', 'Y'});
  add(0x01, 0x13, {0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01});
  add(0x01, 0x03, {0x50, 0x01, 0x4e, 0xe2, 0xb5, 0xa1, 0xc2, 0xd3});
  pg83[3] = static_cast<uint8_t>(pg83.size() - 4);
  EXPECT_EQ(*device::ParseDeviceIdentificationPage(pg83), "naa.50014ee2b5a1c2d3");

  pg83.resize(pg83.size() - 3);  // The last designator now overruns.
  pg83[3] = static_cast<uint8_t>(pg83.size() - 4);
  EXPECT_FALSE(device::ParseDeviceIdentificationPage(pg83).ok());

  auto cdb = device::InquiryVpdCdb(0x80, 1024);
  EXPECT_THAT(cdb, ElementsAre(0x12, 0x01, 0x80, 0x04, 0x00, 0x00));
}

}  // namespace
}  // namespace custody
