// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Overwrite throughput of custody's wipe engine against the reference tools,
// in the same run, on the same loop devices (issue 4):
//   - loop device over a file on disk and over a file in tmpfs: custody's
//     random pass vs `dd if=/dev/zero bs=4M oflag=direct` and `shred -n1`
//     (and nwipe when installed); full read-back verification vs
//     `dd of=/dev/null bs=4M iflag=direct`;
//   - a regular file in tmpfs: custody's random pass vs `shred -n1`.
// Prints seconds, MB/s and ratios (custody speed / reference speed; > 1 is
// faster), and the peak RSS.
//
// Usage: wipe_bench WORK_DIR [SIZE_MIB=2048]   (needs root and losetup)
// CUSTODY_WIPE_BENCH_QUICK=1 skips shred and nwipe on the loop devices (they
// take minutes; nwipe took 15 min for 2 GiB here): the verification ratio
// and the write ratio against dd alone, for iterating on the engine.
//
// The dd read is timed right before AND right after custody's wipe and the
// faster of the two is the reference: on a shared machine a single run of
// either is noisy, and the better dd run is the stricter comparison.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "custody/block_device.h"
#include "custody/env.h"
#include "custody/wipe.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

double TimeCommand(const std::string& cmd) {
  const auto t = Clock::now();
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "command failed: %s\n", cmd.c_str());
    return -1;
  }
  return Seconds(t);
}

void DropCaches() { std::system("sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null"); }

struct Timing : custody::WipeEventSink {
  double write_s = 0, verify_s = 0;
  custody::Status OnPassCompleted(const custody::WipePassEvent& e) override {
    write_s += e.duration_ms / 1000.0;
    // Between the pass and its verification (not timed): without this, the
    // read-back of a file-backed loop device is served from the backing
    // file's page cache and "beats" a dd that reads the disk.
    DropCaches();
    return custody::Status::Ok();
  }
  custody::Status OnVerified(const custody::WipeVerifiedEvent& e) override {
    verify_s += e.duration_ms / 1000.0;
    return custody::Status::Ok();
  }
};

// One custody random pass with full verification; fills write/verify seconds.
bool CustodyWipe(const std::string& path, Timing* t) {
  auto dev = custody::OpenBlockDevice(path);
  if (!dev.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), dev.status().ToString().c_str());
    return false;
  }
  custody::WipeOptions o;
  o.plan.method = "random";
  o.plan.verify.mode = custody::VerifyMode::kLast;
  o.target.path = path;
  o.sink = t;
  auto r = custody::RunWipe(**dev, o, custody::Env::Default());
  if (!r.ok() || r->result != custody::WipeResult::kCompleted) {
    std::fprintf(stderr, "custody wipe of %s did not complete\n", path.c_str());
    return false;
  }
  return true;
}

void Row(const char* what, double seconds, double mib) {
  std::printf("  %-44s %7.2f s  %8.0f MB/s\n", what, seconds, mib * 1.048576 / seconds);
}

void BenchLoop(const std::string& label, const std::string& backing, uint64_t mib) {
  const std::string dev = Capture("losetup --find --show " + backing);
  if (dev.empty()) {
    std::printf("%s: losetup failed (root and loop devices needed)\n", label.c_str());
    return;
  }
  std::printf("\n%s: %s over %s, %llu MiB\n", label.c_str(), dev.c_str(), backing.c_str(),
              static_cast<unsigned long long>(mib));
  DropCaches();
  // count=: without it dd runs into the end of the device and exits 1.
  const double dd = TimeCommand("dd if=/dev/zero of=" + dev + " bs=4M oflag=direct count=" +
                                std::to_string(mib / 4));
  const bool quick = std::getenv("CUSTODY_WIPE_BENCH_QUICK") != nullptr;
  DropCaches();
  const double shred = quick ? -2 : TimeCommand("shred -n1 " + dev);
  double nwipe = -1;
  // nwipe --autonuke wipes EVERY device when none is named: run it only with
  // a loop device named explicitly.
  const bool is_loop = dev.starts_with("/dev/loop") && dev.size() > 9 &&
                       dev.find_first_not_of("0123456789", 9) == std::string::npos;
  if (!quick && is_loop && !Capture("command -v nwipe").empty()) {
    DropCaches();
    nwipe = TimeCommand("nwipe --autonuke --nogui --nowait --method=random --verify=off "
                        "--noblank --rounds=1 " + dev);
  }
  const std::string dd_read_cmd = "dd if=" + dev + " of=/dev/null bs=4M iflag=direct";
  DropCaches();
  const double dd_read_before = TimeCommand(dd_read_cmd);
  DropCaches();
  Timing t;
  const bool ok = CustodyWipe(dev, &t);
  DropCaches();
  const double dd_read_after = TimeCommand(dd_read_cmd);
  std::system(("losetup -d " + dev).c_str());
  if (dd < 0 || shred == -1 || dd_read_before < 0 || dd_read_after < 0 || !ok) return;
  const double dd_read = std::min(dd_read_before, dd_read_after);
  Row("dd if=/dev/zero bs=4M oflag=direct", dd, mib);
  if (shred > 0) Row("shred -n1", shred, mib);
  if (nwipe > 0) Row("nwipe --method=random --rounds=1", nwipe, mib);
  Row("custody random pass (write)", t.write_s, mib);
  Row("dd of=/dev/null bs=4M iflag=direct (before)", dd_read_before, mib);
  Row("dd of=/dev/null bs=4M iflag=direct (after)", dd_read_after, mib);
  Row("custody full read-back verification", t.verify_s, mib);
  double best = shred > 0 ? std::min(dd, shred) : dd;
  if (nwipe > 0) best = std::min(best, nwipe);
  std::printf("  ratio write  custody / faster of dd%s%s: %.2f  (target >= 1.0)\n",
              shred > 0 ? ",shred" : "", nwipe > 0 ? ",nwipe" : "", best / t.write_s);
  std::printf("  ratio verify custody / faster dd iflag=direct read: %.2f  (target >= 1.0)\n",
              dd_read / t.verify_s);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s WORK_DIR [SIZE_MIB]\n", argv[0]);
    return 2;
  }
  const std::string work = argv[1];
  const uint64_t mib = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2048;
  const uint64_t bytes = mib << 20;
  const std::string disk_file = work + "/wipe-bench-disk.img";
  if (std::system(("fallocate -l " + std::to_string(bytes) + " " + disk_file).c_str()) == 0) {
    BenchLoop("file-backed loop device", disk_file, mib);
    ::unlink(disk_file.c_str());
  }
  const std::string shm = "/dev/shm/custody-wipe-bench.img";
  if (::access("/dev/shm", W_OK) == 0 &&
      std::system(("truncate -s " + std::to_string(bytes) + " " + shm).c_str()) == 0) {
    BenchLoop("tmpfs-backed loop device", shm, mib);
    // A regular file in tmpfs: no device limit, so this measures the
    // generator and the I/O engine.
    std::printf("\nregular file in tmpfs (%s), %llu MiB\n", shm.c_str(),
                static_cast<unsigned long long>(mib));
    std::system(("dd if=/dev/zero of=" + shm + " bs=4M count=" + std::to_string(mib / 4) +
                 " >/dev/null 2>&1").c_str());
    const double shred = TimeCommand("shred -n1 " + shm);
    Timing t;
    if (shred > 0 && CustodyWipe(shm, &t)) {
      Row("shred -n1", shred, mib);
      Row("custody random pass (write)", t.write_s, mib);
      Row("custody full read-back verification", t.verify_s, mib);
      std::printf("  ratio write custody / shred -n1: %.2f  (target >= 1.5)\n", shred / t.write_s);
    }
    ::unlink(shm.c_str());
  }
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  std::printf("\npeak RSS of this process: %ld MiB\n", ru.ru_maxrss / 1024);
  return 0;
}
