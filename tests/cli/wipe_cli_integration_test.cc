// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The real `custody` binary on loop devices and files: device list/info,
// the confirmation gate, a verified device wipe checked by scanning the
// backing file, refusal of a mounted device, file wipes, SIGINT then
// --resume, and the ledger entries each step leaves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "custody/env.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

namespace custody {
namespace {

using ::testing::HasSubstr;
using testing::LoopDevice;

const std::string kMarker = "TOKUTEI-KOJIN-JOHO-MARKER-1618033988";

class WipeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/station";
    auto r = Run({"init", "--organization", "株式会社サンプル", "--name", "bench-1", "--operator", "佐藤花子",
                "--default-operator", "佐藤花子"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", home_});
    return RunCustody(args);
  }
  // A loop device over a file full of the marker.
  void AttachMarked(uint64_t size) {
    if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
    backing_ = dir_.path() + "/disk.img";
    std::string image;
    while (image.size() < size) image += kMarker;
    image.resize(size);
    WriteFileOrDie(backing_, image);
    std::string error;
    loop_ = LoopDevice::Attach(backing_, &error);
    ASSERT_NE(loop_, nullptr) << error;
    name_ = loop_->path().substr(5);
  }
  std::vector<nlohmann::json> WipeEntries() {
    auto r = Run({"--json", "log", "show", "--type", "wipe"});
    std::vector<nlohmann::json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  TempDir dir_;
  std::string home_, backing_, name_;
  std::unique_ptr<LoopDevice> loop_;
};

TEST_F(WipeCliTest, DeviceListAndInfo) {
  AttachMarked(4 << 20);
  if (HasFailure() || IsSkipped()) return;
  auto list = Run({"--json", "device", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  bool found = false;
  for (const auto& d : nlohmann::json::parse(list.out)) {
    if (d["path"] == loop_->path()) {
      found = true;
      EXPECT_EQ(d["backing_file"], backing_);
      EXPECT_EQ(d["size_bytes"], 4 << 20);
    }
  }
  EXPECT_TRUE(found);
  auto text = Run({"device", "list"});
  EXPECT_THAT(text.out, HasSubstr(loop_->path()));
  auto info = Run({"device", "info", loop_->path()});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("backing file:   " + backing_));
  EXPECT_THAT(info.out, HasSubstr("in use:         no"));
  auto missing = Run({"device", "info", dir_.path() + "/nope"});
  EXPECT_EQ(missing.exit_code, 3);
}

TEST_F(WipeCliTest, ConfirmedDeviceWipeIsVerifiedAndRecorded) {
  AttachMarked((4 << 20) + 3 * 512);
  if (HasFailure() || IsSkipped()) return;
  // No confirmation, a wrong one, and a dry run: nothing written.
  auto no = Run({"wipe", loop_->path(), "--method", "zero", "--yes"});
  EXPECT_EQ(no.exit_code, 15) << no.err;
  EXPECT_THAT(no.err, HasSubstr("--confirm-serial " + name_));
  auto wrong = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", "WRONG"});
  EXPECT_EQ(wrong.exit_code, 15);
  // The path the operator already typed proves nothing about which drive it
  // is: only the serial (here, with none, the kernel name) confirms.
  auto path_only = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", loop_->path()});
  EXPECT_EQ(path_only.exit_code, 15) << path_only.err;
  auto dry = Run({"wipe", loop_->path(), "--method", "dod-3", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("dry run: nothing was written"));
  EXPECT_THAT(dry.out, HasSubstr("0x00, 0xFF, random"));
  EXPECT_NE(ReadFileOrDie(backing_).find(kMarker), std::string::npos);
  EXPECT_TRUE(WipeEntries().empty());

  auto r = Run({"wipe", loop_->path(), "--method", "zero", "--verify", "all", "--yes",
                "--confirm-serial", name_});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("completed"));
  const std::string image = ReadFileOrDie(backing_);
  EXPECT_EQ(image.size(), (4u << 20) + 3 * 512);
  EXPECT_EQ(image.find_first_not_of('\0'), std::string::npos) << "a non-zero byte survived";

  auto entries = WipeEntries();
  std::vector<std::string> types;
  for (const auto& e : entries) types.push_back(e["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"wipe.started", "wipe.pass.completed", "wipe.verified",
                                             "wipe.completed"}));
  const auto& done = entries.back()["data"];
  EXPECT_EQ(done["result"], "completed");
  EXPECT_EQ(done["target"]["path"], loop_->path());
  EXPECT_EQ(done["target"]["backing_file"], backing_);
  EXPECT_EQ(done["plan"]["method"], "zero");
  EXPECT_TRUE(done["verified"].get<bool>());
  EXPECT_EQ(entries.back()["operator"], "佐藤花子");

  const std::string id = done["wipe_id"];
  auto show = Run({"wipe", "show", id});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("wipe.completed"));
  EXPECT_EQ(Run({"wipe", "show", "no-such-id"}).exit_code, 3);
  EXPECT_EQ(Run({"log", "verify"}).exit_code, 0);
}

TEST_F(WipeCliTest, MountedDeviceIsRefusedWithTheHolderNamed) {
  AttachMarked(8 << 20);
  if (HasFailure() || IsSkipped()) return;
  ASSERT_EQ(RunCommand({"mkfs.ext4", "-q", "-F", loop_->path()}).exit_code, 0);
  const std::string mnt = dir_.path() + "/mnt";
  ::mkdir(mnt.c_str(), 0700);
  std::string error;
  ASSERT_TRUE(loop_->Mount(mnt, "", &error)) << error;
  auto r = Run({"wipe", loop_->path(), "--yes", "--confirm-serial", name_});
  EXPECT_EQ(r.exit_code, 12);
  EXPECT_THAT(r.err, HasSubstr("mounted at " + mnt));
  auto info = Run({"device", "info", loop_->path()});
  EXPECT_THAT(info.out, HasSubstr("mounted at " + mnt));
  EXPECT_TRUE(WipeEntries().empty());
}

TEST_F(WipeCliTest, FilesAreOverwrittenRenamedAndRemoved) {
  const std::string tree = dir_.path() + "/export";
  ::mkdir(tree.c_str(), 0700);
  WriteFileOrDie(tree + "/a.csv", kMarker + kMarker);
  WriteFileOrDie(tree + "/b.csv", kMarker);
  const std::string single = dir_.path() + "/single.txt";
  WriteFileOrDie(single, kMarker);
  auto no = Run({"wipe", single});
  EXPECT_EQ(no.exit_code, 15);  // Not a terminal, no --yes.
  auto r = Run({"wipe", single, tree, "--method", "dod-3", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 file(s) overwritten and removed"));
  struct stat st;
  EXPECT_NE(::lstat(single.c_str(), &st), 0);
  EXPECT_NE(::lstat(tree.c_str(), &st), 0);
  int completed = 0, removed = 0;
  for (const auto& e : WipeEntries()) {
    completed += e["type"] == "wipe.completed";
    removed += e["type"] == "wipe.removed";
    if (e["type"] == "wipe.completed") {
      EXPECT_EQ(e["data"]["target"]["kind"], "file");
    }
  }
  EXPECT_EQ(completed, 3);
  EXPECT_EQ(removed, 4);  // Three files and the directory.
  const std::string fifo = dir_.path() + "/fifo";
  ::mkfifo(fifo.c_str(), 0600);
  auto special = Run({"wipe", fifo, "--yes"});
  EXPECT_EQ(special.exit_code, 2);
  EXPECT_THAT(special.err, HasSubstr("neither a regular file nor a directory"));
}

TEST_F(WipeCliTest, InterruptedWipeResumesToCompletion) {
  AttachMarked(64 << 20);
  if (HasFailure() || IsSkipped()) return;
  // SIGINT once the wipe has started (its resume state exists): it stops at
  // the next buffer, saves its position and records wipe.interrupted.
  std::vector<std::string> args = {CUSTODY_BINARY, "--home", home_, "wipe", loop_->path(),
                                   "--method", "dod-7", "--verify", "all", "--buffer-mib", "1",
                                   "--yes", "--confirm-serial", name_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, CUSTODY_BINARY, nullptr, nullptr, argv.data(), environ), 0);
  bool started = false;
  for (int i = 0; i < 3000 && !started; ++i) {
    auto names = Env::Default()->ListDir(home_ + "/wipes");
    started = names.ok() && !names->empty();
    if (!started) ::usleep(10'000);
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(started) << "the wipe never started";
  ASSERT_TRUE(WIFEXITED(status)) << "custody died of signal " << WTERMSIG(status);
  ASSERT_EQ(WEXITSTATUS(status), 13) << "expected an interrupted wipe";
  auto entries = WipeEntries();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back()["type"], "wipe.interrupted");
  const std::string id = entries.back()["data"]["wipe_id"];
  auto list = Run({"wipe", "list"});
  EXPECT_THAT(list.out, HasSubstr(id));
  EXPECT_THAT(list.out, HasSubstr("ended: interrupted at "));

  // Resuming writes to a device: the same confirmation as a new wipe.
  auto unconfirmed = Run({"wipe", "--resume", id});
  EXPECT_EQ(unconfirmed.exit_code, 15) << unconfirmed.out << unconfirmed.err;
  EXPECT_THAT(unconfirmed.err, HasSubstr("--confirm-serial " + name_));
  // Another device of the same size at another path is not the wipe's
  // device (its backing file differs): refused, nothing written to it.
  const std::string other_backing = dir_.path() + "/other.img";
  std::string other_image;
  while (other_image.size() < (64u << 20)) other_image += kMarker;
  other_image.resize(64u << 20);
  WriteFileOrDie(other_backing, other_image);
  std::string error;
  auto other = LoopDevice::Attach(other_backing, &error);
  ASSERT_NE(other, nullptr) << error;
  const std::string other_name = other->path().substr(5);
  auto elsewhere = Run({"wipe", "--resume", id, other->path(), "--yes", "--confirm-serial", other_name});
  EXPECT_NE(elsewhere.exit_code, 0) << elsewhere.out;
  EXPECT_THAT(elsewhere.err, HasSubstr("refusing to resume on another device"));
  EXPECT_EQ(ReadFileOrDie(other_backing), other_image);
  other.reset();

  auto resumed = Run({"wipe", "--resume", id, "--yes", "--confirm-serial", name_});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  entries = WipeEntries();
  std::vector<std::string> ends;
  for (const auto& e : entries) {
    if (e["data"]["wipe_id"] != id) continue;
    const std::string t = e["type"];
    if (t != "wipe.pass.completed" && t != "wipe.verified") ends.push_back(t);
  }
  EXPECT_EQ(ends, (std::vector<std::string>{"wipe.started", "wipe.interrupted", "wipe.resumed",
                                            "wipe.completed"}));
  EXPECT_EQ(entries.back()["data"]["passes_completed"], 7);
  EXPECT_TRUE(entries.back()["data"]["verified"].get<bool>());
  for (const auto& e : entries) {  // The resumed-on device is recorded.
    if (e["type"] == "wipe.resumed") {
      EXPECT_EQ(e["data"]["target"]["backing_file"], backing_);
    }
  }
  EXPECT_EQ(ReadFileOrDie(backing_).find(kMarker.substr(0, 16)), std::string::npos);
  EXPECT_THAT(Run({"wipe", "list"}).out, HasSubstr("no unfinished wipes"));
}


// --dry-run --json carries the whole plan of every target (what the text
// form shows), for devices, files and trees, and free space; nothing written.
TEST_F(WipeCliTest, DryRunJsonCarriesThePlan) {
  AttachMarked(4 << 20);
  if (HasFailure() || IsSkipped()) return;
  auto dev = Run({"--json", "wipe", loop_->path(), "--method", "dod-3", "--passes", "2", "--blank",
                  "--verify", "sample:2.5", "--dry-run"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  const auto d = nlohmann::json::parse(dev.out);
  EXPECT_EQ(d["ok"], true);
  EXPECT_EQ(d["dry_run"], true);
  ASSERT_EQ(d["targets"].size(), 1u);
  const auto& t = d["targets"][0];
  // Checked first: a missing key read from a const json aborts the test,
  // which would leave the loop device attached.
  for (const char* key : {"path", "kind", "device", "plan", "warnings"}) {
    ASSERT_TRUE(t.contains(key)) << key << " missing: " << t.dump();
  }
  EXPECT_EQ(t["path"], loop_->path());
  EXPECT_EQ(t["kind"], "device");
  EXPECT_EQ(t["device"]["size_bytes"], 4 << 20);
  EXPECT_EQ(t["device"]["logical_sector_size"], 512);
  EXPECT_TRUE(t["device"]["physical_sector_size"].is_number());
  EXPECT_TRUE(t["device"].contains("serial"));
  EXPECT_TRUE(t["device"].contains("model"));
  EXPECT_EQ(t["device"]["backing_file"], backing_);
  EXPECT_EQ(t["plan"]["method"], "dod-3");
  EXPECT_EQ(t["plan"]["title"], "DoD 5220.22-M (3 passes: 0x00, 0xFF, random)");
  EXPECT_EQ(t["plan"]["repeat"], 2);
  EXPECT_EQ(t["plan"]["blank"], true);
  EXPECT_EQ(t["plan"]["verify"], "sample:2.5");
  std::vector<std::string> passes;
  for (const auto& p : t["plan"]["passes"]) {
    passes.push_back(p["kind"].get<std::string>() + " " + p["pattern"].get<std::string>());
  }
  EXPECT_EQ(passes, (std::vector<std::string>{"pattern 0x00", "pattern 0xFF", "random random",
                                              "pattern 0x00", "pattern 0xFF", "random random",
                                              "pattern 0x00"}));
  EXPECT_TRUE(t["warnings"].is_array());
  EXPECT_NE(ReadFileOrDie(backing_).find(kMarker), std::string::npos);

  const std::string tree = dir_.path() + "/export";
  ::mkdir(tree.c_str(), 0700);
  WriteFileOrDie(tree + "/a.csv", kMarker);
  const std::string single = dir_.path() + "/single.txt";
  WriteFileOrDie(single, kMarker);
  auto files = Run({"--json", "wipe", single, tree, "--method", "zero", "--dry-run"});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  const auto f = nlohmann::json::parse(files.out);
  ASSERT_EQ(f["targets"].size(), 2u);
  EXPECT_EQ(f["targets"][0]["path"], single);
  EXPECT_EQ(f["targets"][0]["kind"], "file");
  EXPECT_EQ(f["targets"][1]["path"], tree);
  EXPECT_EQ(f["targets"][1]["kind"], "directory");
  EXPECT_EQ(f["targets"][1]["plan"]["method"], "zero");
  EXPECT_EQ(f["targets"][1]["plan"]["passes"][0]["pattern"], "0x00");
  EXPECT_EQ(f["targets"][1]["plan"]["verify"], "last");
  EXPECT_EQ(ReadFileOrDie(single), kMarker);

  // A free-space dry run makes the real run's checks: a directory that is
  // not a mount point is refused; the root file system's plan carries its
  // file system, warnings and what the fill cannot reach.
  auto not_mount = Run({"--json", "wipe", "--free-space", dir_.path(), "--dry-run"});
  EXPECT_EQ(not_mount.exit_code, 2) << not_mount.out;
  EXPECT_THAT(not_mount.err, HasSubstr("is not a mount point"));
  auto free = Run({"--json", "wipe", "--free-space", "/", "--dry-run"});
  ASSERT_EQ(free.exit_code, 0) << free.err;
  const auto fs = nlohmann::json::parse(free.out);
  ASSERT_EQ(fs["targets"].size(), 1u);
  EXPECT_EQ(fs["targets"][0]["path"], "/");
  EXPECT_EQ(fs["targets"][0]["kind"], "free-space");
  EXPECT_FALSE(fs["targets"][0]["file_system"].get<std::string>().empty());
  EXPECT_TRUE(fs["targets"][0]["warnings"].is_array());
  ASSERT_TRUE(fs["targets"][0]["limitations"].is_array());
  EXPECT_GE(fs["targets"][0]["limitations"].size(), 4u);
  EXPECT_EQ(fs["targets"][0]["plan"]["method"], "random");
  EXPECT_EQ(fs["targets"][0]["plan"]["passes"][0]["kind"], "random");
  EXPECT_TRUE(WipeEntries().empty());
}

// A file dry run makes the wipe's own checks: what the wipe refuses (a file
// with another hard link, a FIFO) the dry run refuses with the same message,
// and with --allow-hard-links it shows the same warning; nothing is touched.
TEST_F(WipeCliTest, FileDryRunRefusesAndWarnsAsTheWipe) {
  const std::string file = dir_.path() + "/linked.csv";
  WriteFileOrDie(file, kMarker);
  ASSERT_EQ(::link(file.c_str(), (dir_.path() + "/second-name").c_str()), 0);
  auto dry = Run({"wipe", file, "--dry-run"});
  auto real = Run({"wipe", file, "--yes"});
  EXPECT_EQ(dry.exit_code, 2) << dry.out << dry.err;
  EXPECT_EQ(real.exit_code, 2) << real.out << real.err;
  EXPECT_THAT(dry.err, HasSubstr("2 hard links"));
  EXPECT_EQ(dry.err, real.err);
  EXPECT_THAT(dry.out, ::testing::Not(HasSubstr("dry run: nothing was written")));
  auto dry_json = Run({"--json", "wipe", file, "--dry-run"});
  EXPECT_EQ(dry_json.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(dry_json.out)["ok"], false);

  auto allowed = Run({"wipe", file, "--dry-run", "--allow-hard-links"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("has 2 hard links: its other names still reach the data"));
  auto allowed_json = Run({"--json", "wipe", file, "--dry-run", "--allow-hard-links"});
  ASSERT_EQ(allowed_json.exit_code, 0) << allowed_json.err;
  const auto t = nlohmann::json::parse(allowed_json.out)["targets"][0];
  EXPECT_EQ(t["files"], 1);
  EXPECT_EQ(t["bytes"], kMarker.size());
  EXPECT_THAT(t["warnings"][0].get<std::string>(), HasSubstr("2 hard links"));
  EXPECT_EQ(ReadFileOrDie(file), kMarker);

  const std::string fifo = dir_.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto dry_fifo = Run({"wipe", fifo, "--dry-run"});
  auto real_fifo = Run({"wipe", fifo, "--yes"});
  EXPECT_EQ(dry_fifo.exit_code, 2) << dry_fifo.out;
  EXPECT_EQ(dry_fifo.err, real_fifo.err);
  EXPECT_THAT(dry_fifo.err, HasSubstr("neither a regular file nor a directory"));
  const std::string tree = dir_.path() + "/tree";
  ASSERT_EQ(::mkdir(tree.c_str(), 0700), 0);
  WriteFileOrDie(tree + "/a.csv", kMarker);
  ASSERT_EQ(::mkfifo((tree + "/pipe").c_str(), 0600), 0);
  auto dry_tree = Run({"wipe", tree, "--dry-run"});
  auto real_tree = Run({"wipe", tree, "--yes"});
  EXPECT_EQ(dry_tree.exit_code, 2) << dry_tree.out;
  EXPECT_THAT(dry_tree.err, HasSubstr("special file"));
  EXPECT_EQ(dry_tree.err, real_tree.err);
  EXPECT_EQ(ReadFileOrDie(tree + "/a.csv"), kMarker);
  EXPECT_TRUE(WipeEntries().empty());
}

// A tree wipe has an id of its own: every file's wipe.started and every
// wipe.removed carry it, directories and symlinks (which have no content
// wipe) are removed under it, and `wipe show TREE_ID` lists the whole run.
TEST_F(WipeCliTest, ATreeWipeIsShownWithItsDirectoryAndSymlinkRemovals) {
  const std::string tree = dir_.path() + "/export";
  ASSERT_EQ(::mkdir(tree.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((tree + "/sub").c_str(), 0700), 0);
  WriteFileOrDie(tree + "/a.csv", kMarker);
  WriteFileOrDie(tree + "/sub/b.csv", kMarker + kMarker);
  ASSERT_EQ(::symlink("a.csv", (tree + "/link").c_str()), 0);
  auto r = Run({"--json", "wipe", tree, "--method", "zero", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Progress lines, then the result (the last line).
  std::string last;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) last = line;
  const auto result = nlohmann::json::parse(last);
  const std::string tree_id = result["tree_id"];
  ASSERT_FALSE(tree_id.empty());
  EXPECT_EQ(result["wipe_ids"].size(), 2u);

  auto show = Run({"--json", "wipe", "show", tree_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::istringstream lines(show.out);
  std::map<std::string, int> types;
  std::set<std::string> removed;
  for (std::string line; std::getline(lines, line);) {
    const auto e = nlohmann::json::parse(line);
    ++types[e["type"]];
    if (e["type"] == "wipe.removed") {
      EXPECT_EQ(e["data"]["tree_id"], tree_id);
      EXPECT_FALSE(e["data"]["wipe_id"].get<std::string>().empty());
      removed.insert(e["data"]["kind"].get<std::string>() + " " +
                     e["data"]["path"].get<std::string>());
    }
  }
  EXPECT_EQ(removed,
            (std::set<std::string>{"file " + tree + "/a.csv", "file " + tree + "/sub/b.csv",
                                   "directory " + tree + "/sub", "directory " + tree,
                                   "symlink " + tree + "/link"}));
  EXPECT_EQ(types["wipe.started"], 2);
  EXPECT_EQ(types["wipe.completed"], 2);
  auto text = Run({"wipe", "show", tree_id});
  EXPECT_THAT(text.out, HasSubstr("\"kind\": \"symlink\""));
  // Nothing in the ledger has an empty wipe_id any more.
  for (const auto& e : WipeEntries()) EXPECT_NE(e["data"]["wipe_id"], "") << e.dump();
  // The text result names the tree's id.
  const std::string other = dir_.path() + "/other";
  ASSERT_EQ(::mkdir(other.c_str(), 0700), 0);
  auto t = Run({"wipe", other, "--yes"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, ::testing::ContainsRegex("recorded as tree wipe [0-9TZ]+-[0-9a-f]+ \\(custody "
                                              "wipe show [0-9TZ]+-[0-9a-f]+\\)"));
}

// A wipe stopped because the device failed past max_error_bytes (a loop
// device over a sparse file on a 1 MiB tmpfs, so every write past the
// tmpfs's space fails) is not kept to resume: its error count would start
// again from zero and a resume could carry the dying device to
// completed-with-errors. `wipe list` offers nothing; --resume finds nothing.
// (A failed wipe that is kept, after an I/O or ledger failure, is listed as
// failed: WipeEngineTest and WipeStateTest.)
TEST_F(WipeCliTest, AWipeOfADyingDeviceIsNotOfferedForResume) {
  if (std::string why = testing::LoopDeviceUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string mnt = dir_.path() + "/small-tmpfs";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  testing::TmpfsMount tmpfs;
  std::string mount_error;
  ASSERT_TRUE(tmpfs.Mount(mnt, 1 << 20, &mount_error)) << mount_error;
  const std::string backing = mnt + "/disk.img";
  ASSERT_TRUE(testing::CreateSparseFile(backing, 70 << 20));
  std::string error;
  auto loop = LoopDevice::Attach(backing, &error);
  ASSERT_NE(loop, nullptr) << error;
  const std::string name = loop->path().substr(5);
  auto r = Run({"wipe", loop->path(), "--method", "zero", "--buffer-mib", "4", "--yes",
                "--confirm-serial", name});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  auto entries = WipeEntries();
  ASSERT_FALSE(entries.empty());
  ASSERT_EQ(entries.back()["type"], "wipe.failed");
  const auto& failed = entries.back()["data"];
  const std::string id = failed["wipe_id"];
  const std::string reason = failed["message"];
  EXPECT_THAT(reason, HasSubstr("the device is failing"));
  EXPECT_FALSE(failed.contains("state_file"));

  auto text = Run({"wipe", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, ::testing::Not(HasSubstr(id)));
  EXPECT_THAT(text.out, ::testing::Not(HasSubstr("--resume")));
  auto json = Run({"--json", "wipe", "list"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, ::testing::Not(HasSubstr(id)));
  auto resume = Run({"wipe", "--resume", id, "--yes", "--confirm-serial", name});
  EXPECT_NE(resume.exit_code, 0) << resume.out;
  loop.reset();  // Detach before the tmpfs is unmounted.
}

// Two devices at once: each progress line names its device, and a table at
// the end has one row per device. A link to a device (as /dev/disk/by-id/
// names are) is the device; naming one device twice is refused.
TEST_F(WipeCliTest, TwoDevicesInParallelEndWithASummaryTable) {
  AttachMarked(4 << 20);
  if (HasFailure() || IsSkipped()) return;
  const std::string second_backing = dir_.path() + "/second.img";
  WriteFileOrDie(second_backing, std::string(6 << 20, 'x'));
  std::string error;
  auto second = LoopDevice::Attach(second_backing, &error);
  ASSERT_NE(second, nullptr) << error;
  const std::string second_name = second->path().substr(5);
  const std::string link = dir_.path() + "/by-id-like";
  ASSERT_EQ(::symlink(second->path().c_str(), link.c_str()), 0);

  auto dry = Run({"wipe", link, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("plan: overwrite " + second->path()));
  auto twice = Run({"wipe", second->path(), link, "--yes", "--confirm-serial", second_name});
  EXPECT_EQ(twice.exit_code, 2) << twice.err;
  EXPECT_THAT(twice.err, HasSubstr(link + " is named twice"));

  auto r = Run({"wipe", loop_->path(), link, "--method", "zero", "--yes", "--confirm-serial", name_,
                "--confirm-serial", second_name});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr(loop_->path() + ": pass 1/1 (0x00) written"));
  EXPECT_THAT(r.err, HasSubstr(second->path() + ": pass 1/1 (0x00) written"));
  EXPECT_THAT(r.out, HasSubstr("device"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("\n" + loop_->path() + " +- +completed +1/1 +yes +0 +[0-9]+ s\n"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("\n" + second->path() + " +- +completed +1/1 +yes +0 +[0-9]+ s\n"));
  EXPECT_EQ(ReadFileOrDie(second_backing), std::string(6 << 20, '\0'));
  EXPECT_EQ(ReadFileOrDie(backing_).find(kMarker), std::string::npos);
}

}  // namespace
}  // namespace custody
