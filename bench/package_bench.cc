// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Handover packages: `custody package create/verify/open` against
// `tar -c | age -r` and `age -d | tar -x` on the same data in the same run,
// with wall time, the ratio (reference time / custody time: > 1 means custody
// is faster) and peak RSS of each side (GNU time's %M; for the shell
// pipelines, the largest process of the pipeline).
//
//   package_bench WORKDIR [CUSTODY_BINARY=build/custody] [MiB=1024] [FILES=20000]
//                 [TINY_FILES=100000]
//
// Datasets: one file of MiB mebibytes, FILES files of 4 KiB in 100
// directories, and TINY_FILES files of 64 bytes in 100 directories (0: none;
// the shape that shows whether memory grows with the number of files). One
// X25519 recipient (the case).
//
// Each case runs CUSTODY_PACKAGE_BENCH_RUNS times (default 3), custody and
// the reference alternating; every run is printed, then the median ratio
// with its min and max. One run is not to be trusted on a shared VM.
//
// WORKDIR decides what is measured: on tmpfs (/dev/shm) the disk is out of
// the picture and the numbers compare the tools' CPU work and pipelines; on
// a disk directory (/var/tmp) they include the disk, where custody's fsync
// of its output (and syncfs after open) costs what the plain references
// skip: compare those with the like-for-like columns (reference + sync).
// The default run (1 GiB, 20,000 files, 3 runs) takes about 2 minutes on
// tmpfs.
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "package_bench: %s\n", what.c_str());
  std::exit(1);
}

int Shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  double seconds = 0;
  long peak_kib = 0;
};

// Runs `cmd` under bash; each process of a pipeline is wrapped in GNU time
// by the caller through TIME_PREFIX, which appends its peak RSS to `rss`.
Run Timed(const std::string& cmd, const std::string& rss_file) {
  std::remove(rss_file.c_str());
  auto t0 = Clock::now();
  int rc = Shell("bash -o pipefail -c '" + cmd + "'");
  auto t1 = Clock::now();
  if (rc != 0) Die("command failed (" + std::to_string(rc) + "): " + cmd);
  Run r;
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  std::istringstream in(Slurp(rss_file));
  long v;
  while (in >> v) r.peak_kib = std::max(r.peak_kib, v);
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One case (create, verify or open of one dataset), run `runs` times. Each
// round runs custody, the reference and (when given) the like-for-like
// reference, alternating which of custody and the reference goes first, so
// a slow phase of the machine (this VM's page first-touch cost is bimodal)
// does not always land on the same side. Every run is printed; the summary
// is the median of the per-round ratios with their min and max.
struct Case {
  std::string name;
  double mib = 0;
  // Untimed, before every timed command: true before custody's, false
  // before the reference's (each side removes only its own output).
  std::function<void(bool custody_side)> prepare;
  std::function<Run()> custody, reference, synced;  // `synced` may be empty.
};

void RunCase(const Case& c, int runs) {
  std::vector<double> cs, rs, ss, ratio, sratio;
  long c_rss = 0, r_rss = 0;
  for (int i = 0; i < runs; ++i) {
    Run cr, rr, sr;
    auto custody = [&] {
      c.prepare(true);
      cr = c.custody();
    };
    auto reference = [&] {
      c.prepare(false);
      rr = c.reference();
    };
    if (i % 2 == 0) {
      custody();
      reference();
    } else {
      reference();
      custody();
    }
    cs.push_back(cr.seconds);
    rs.push_back(rr.seconds);
    ratio.push_back(rr.seconds / cr.seconds);
    c_rss = std::max(c_rss, cr.peak_kib);
    r_rss = std::max(r_rss, rr.peak_kib);
    std::printf("  %-40s run %d/%d: custody %7.3f s  rss %6.1f MiB | reference %7.3f s  rss %6.1f MiB | ratio %.2fx",
                c.name.c_str(), i + 1, runs, cr.seconds, cr.peak_kib / 1024.0, rr.seconds, rr.peak_kib / 1024.0,
                rr.seconds / cr.seconds);
    if (c.synced) {
      c.prepare(false);
      sr = c.synced();
      ss.push_back(sr.seconds);
      sratio.push_back(sr.seconds / cr.seconds);
      std::printf(" | like-for-like %7.3f s, ratio %.2fx", sr.seconds, sr.seconds / cr.seconds);
    }
    std::printf("\n");
  }
  const double mc = Median(cs);
  std::printf("%-42s custody %7.3f s %8.1f MiB/s  rss %6.1f MiB | reference %7.3f s  rss %6.1f MiB | "
              "ratio %.2fx (min %.2f, max %.2f, median of %d)",
              c.name.c_str(), mc, c.mib / mc, c_rss / 1024.0, Median(rs), r_rss / 1024.0, Median(ratio),
              *std::min_element(ratio.begin(), ratio.end()), *std::max_element(ratio.begin(), ratio.end()), runs);
  if (c.synced) {
    std::printf(" | like-for-like (reference + sync) %.3f s, ratio %.2fx (min %.2f, max %.2f)", Median(ss),
                Median(sratio), *std::min_element(sratio.begin(), sratio.end()),
                *std::max_element(sratio.begin(), sratio.end()));
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // Lines appear as they are measured.
  if (argc < 2) Die("usage: package_bench WORKDIR [CUSTODY_BINARY] [MiB] [FILES] [TINY_FILES]");
  const std::string work = argv[1];
  const std::string custody = argc > 2 ? argv[2] : "build/custody";
  const long mib = argc > 3 ? std::atol(argv[3]) : 1024;
  const long files = argc > 4 ? std::atol(argv[4]) : 20000;
  // Files of 64 bytes: the shape whose memory grew with the number of files
  // (batches bounded by bytes only); its peak RSS is the number to watch. 0
  // skips it.
  const long tiny_files = argc > 5 ? std::atol(argv[5]) : 100000;
  const char* runs_env = std::getenv("CUSTODY_PACKAGE_BENCH_RUNS");
  const int runs = runs_env != nullptr ? std::atoi(runs_env) : 3;
  if (runs < 1) Die("CUSTODY_PACKAGE_BENCH_RUNS must be at least 1");
  if (Shell("command -v age >/dev/null && command -v age-keygen >/dev/null && test -x /usr/bin/time") != 0) {
    Die("needs age, age-keygen and GNU time (/usr/bin/time)");
  }
  const std::string rss = work + "/rss.txt";
  const std::string T = "/usr/bin/time -a -o " + rss + " -f %M ";
  const std::string home = work + "/station";
  if (Shell(custody + " --home " + home + " init --organization bench --name bench --default-operator bench >/dev/null") != 0) {
    Die("custody init failed");
  }
  Shell("age-keygen -o " + work + "/id.key 2>/dev/null");
  std::string recipient = Slurp(work + "/id.key");
  size_t p = recipient.find("public key: ");
  if (p == std::string::npos) Die("cannot read the recipient");
  recipient = recipient.substr(p + 12, recipient.find('\n', p) - p - 12);

  // Datasets.
  const std::string big = work + "/big", small = work + "/small";
  Shell("mkdir -p " + big + "/one && head -c " + std::to_string(mib) + "M /dev/urandom > " + big + "/one/data.bin");
  // 100 directories of FILES/100 files each (one split per directory: a
  // shell loop moving 20,000 files took minutes on a loaded machine).
  const long per_dir = (files + 99) / 100;
  Shell("mkdir -p " + small + "/tree && cd " + small + "/tree && for d in $(seq 0 99); do mkdir d$d && "
        "head -c " + std::to_string(per_dir * 4096) + " /dev/urandom | split -b 4096 -a 6 - d$d/f || exit 1; done");
  const std::string tiny = work + "/tiny";
  const long tiny_per_dir = (tiny_files + 99) / 100;
  if (tiny_files > 0) {
    Shell("mkdir -p " + tiny + "/tree && cd " + tiny + "/tree && for d in $(seq 0 99); do mkdir d$d && "
          "head -c " + std::to_string(tiny_per_dir * 64) + " /dev/urandom | split -b 64 -a 6 - d$d/f || exit 1; done");
  }
  // syncfs of WORKDIR's file system only (not `sync`: on a shared machine a
  // global sync waits for everyone's dirty data).
  const std::string sync_work = "sync -f " + work;
  Shell(sync_work);
  std::printf("package_bench: %ld MiB file; %ld x 4 KiB files; 1 X25519 recipient; %s; %d runs per case in %s\n",
              mib, files, custody.c_str(), runs, work.c_str());

  struct Set {
    std::string name, dir, member;
    double mib;
  };
  std::vector<Set> sets = {{std::to_string(mib) + " MiB file", big, "one", static_cast<double>(mib)},
                           {std::to_string(files) + " x 4 KiB files", small, "tree", files * 4.0 / 1024}};
  if (tiny_files > 0) {
    sets.push_back({std::to_string(tiny_per_dir * 100) + " x 64 B files", tiny, "tree", tiny_per_dir * 100 * 64.0 / (1 << 20)});
  }
  const std::string C = custody + " --home " + home + " ";
  const std::string key = work + "/id.key", out_c = work + "/out-c", out_r = work + "/out-r";
  for (const Set& s : sets) {
    const std::string pkg = work + "/p.age", ref = work + "/r.age";
    const std::string tar_c = "tar -C " + s.dir + " -c " + s.member;
    Case create;
    create.name = s.name + ": create";
    create.mib = s.mib;
    // syncfs first: the previous run's dirty pages are not written back on
    // the next run's time.
    create.prepare = [&](bool custody_side) { Shell("rm -f " + (custody_side ? pkg : ref) + " && " + sync_work); };
    create.custody = [&] {
      return Timed(T + C + "package create " + s.dir + "/" + s.member + " -o " + pkg + " --to " + recipient +
                       " --recipient-org b --purpose b --classification b >/dev/null",
                   rss);
    };
    create.reference = [&] { return Timed(T + tar_c + " | " + T + "age -r " + recipient + " > " + ref, rss); };
    create.synced = [&] { return Timed(tar_c + " | age -r " + recipient + " > " + ref + " && sync " + ref, rss); };
    RunCase(create, runs);
    Shell(sync_work);  // The last round's packages are verified and opened.

    Case verify;
    verify.name = s.name + ": verify (vs age -d | tar -t)";
    verify.mib = s.mib;
    verify.prepare = [](bool) {};
    verify.custody = [&] { return Timed(T + C + "package verify " + pkg + " -i " + key + " >/dev/null", rss); };
    verify.reference = [&] {
      return Timed(T + "age -d -i " + key + " " + ref + " | " + T + "tar -t > /dev/null", rss);
    };
    RunCase(verify, runs);

    Case open;
    open.name = s.name + ": open (vs age -d | tar -x)";
    open.mib = s.mib;
    open.prepare = [&](bool custody_side) {
      Shell((custody_side ? "rm -rf " + out_c : "rm -rf " + out_r + " && mkdir -p " + out_r) + " && " + sync_work);
    };
    open.custody = [&] {
      return Timed(T + C + "package open " + pkg + " -d " + out_c + " -i " + key + " >/dev/null", rss);
    };
    open.reference = [&] {
      return Timed(T + "age -d -i " + key + " " + ref + " | " + T + "tar -x -C " + out_r, rss);
    };
    open.synced = [&] {
      return Timed("age -d -i " + key + " " + ref + " | tar -x -C " + out_r + " && sync -f " + out_r, rss);
    };
    RunCase(open, runs);
    Shell("rm -rf " + out_c + " " + out_r + " " + pkg + " " + ref);
  }
  return 0;
}
