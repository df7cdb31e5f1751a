// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Handover packages: `custody package create/verify/open` against
// `tar -c | age -r` and `age -d | tar -x` on the same data in the same run,
// with wall time, the ratio (reference time / custody time: > 1 means custody
// is faster) and peak RSS of each side (GNU time's %M; for the shell
// pipelines, the largest process of the pipeline).
//
//   package_bench WORKDIR [CUSTODY_BINARY=build/custody] [MiB=1024] [FILES=20000]
//
// Datasets: one file of MiB mebibytes, and FILES files of 4 KiB in 100
// directories. One X25519 recipient (the case).
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

// `synced`: the reference followed by making its output durable, as custody
// does before it reports success (fsync + rename of the package; syncfs of
// the opened tree). Reported next to the plain ratio.
void Report(const std::string& what, const Run& custody, const Run& reference, double mib,
            const Run* synced = nullptr) {
  std::printf("%-34s custody %7.2f s %8.1f MiB/s  rss %6.1f MiB | reference %7.2f s  rss %6.1f MiB | ratio %.2fx",
              what.c_str(), custody.seconds, mib / custody.seconds, custody.peak_kib / 1024.0, reference.seconds,
              reference.peak_kib / 1024.0, reference.seconds / custody.seconds);
  if (synced != nullptr) {
    std::printf(" | like-for-like (reference + sync) %.2f s, ratio %.2fx", synced->seconds,
                synced->seconds / custody.seconds);
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // Lines appear as they are measured.
  if (argc < 2) Die("usage: package_bench WORKDIR [CUSTODY_BINARY] [MiB] [FILES]");
  const std::string work = argv[1];
  const std::string custody = argc > 2 ? argv[2] : "build/custody";
  const long mib = argc > 3 ? std::atol(argv[3]) : 1024;
  const long files = argc > 4 ? std::atol(argv[4]) : 20000;
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
  Shell("sync");
  std::printf("package_bench: %ld MiB file; %ld x 4 KiB files; 1 X25519 recipient; %s\n", mib, files, custody.c_str());

  struct Set {
    std::string name, dir, member;
    double mib;
  };
  std::vector<Set> sets = {{std::to_string(mib) + " MiB file", big, "one", static_cast<double>(mib)},
                           {std::to_string(files) + " x 4 KiB files", small, "tree", files * 4.0 / 1024}};
  const std::string C = custody + " --home " + home + " ";
  for (const Set& s : sets) {
    const std::string pkg = work + "/p.age", ref = work + "/r.age";
    Shell("rm -f " + pkg + " " + ref);
    Run c = Timed(T + C + "package create " + s.dir + "/" + s.member + " -o " + pkg + " --to " + recipient +
                      " --recipient-org b --purpose b --classification b >/dev/null",
                  rss);
    Run r = Timed(T + "tar -C " + s.dir + " -c " + s.member + " | " + T + "age -r " + recipient + " > " + ref, rss);
    Shell("sync");
    Shell("rm -f " + ref);
    Run rs = Timed("tar -C " + s.dir + " -c " + s.member + " | age -r " + recipient + " > " + ref + " && sync " + ref,
                   rss);
    Report(s.name + ": create", c, r, s.mib, &rs);

    Run cv = Timed(T + C + "package verify " + pkg + " -i " + work + "/id.key >/dev/null", rss);
    Run rv = Timed(T + "age -d -i " + work + "/id.key " + ref + " | " + T + "tar -t > /dev/null", rss);
    Report(s.name + ": verify (vs age -d | tar -t)", cv, rv, s.mib);

    Shell("rm -rf " + work + "/out-c " + work + "/out-r && mkdir -p " + work + "/out-r");
    Run co = Timed(T + C + "package open " + pkg + " -d " + work + "/out-c -i " + work + "/id.key >/dev/null", rss);
    Run ro = Timed(T + "age -d -i " + work + "/id.key " + ref + " | " + T + "tar -x -C " + work + "/out-r", rss);
    Shell("sync && rm -rf " + work + "/out-r && mkdir -p " + work + "/out-r");
    Run ros = Timed("age -d -i " + work + "/id.key " + ref + " | tar -x -C " + work + "/out-r && sync -f " + work +
                        "/out-r",
                    rss);
    Report(s.name + ": open (vs age -d | tar -x)", co, ro, s.mib, &ros);
    Shell("rm -rf " + work + "/out-c " + work + "/out-r " + pkg + " " + ref);
  }
  return 0;
}
