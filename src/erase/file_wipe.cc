// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// WipeFileTree (custody/wipe.h): overwrite files in place through the same
// engine as devices, then make their names disappear.
#include <algorithm>

#include "common/catalog_mark.h"
#include "common/path.h"
#include "common/time_util.h"
#include "custody/device.h"
#include "custody/env.h"
#include "custody/wipe.h"
#include "erase/wipe_state.h"

namespace custody {
namespace {

// Every access to the file system goes through the Env, so that tests inject
// EIO, short writes, EINTR, failed syncs and lost unsynced data
// (tests/erase/file_wipe_test.cc).
struct Entry {
  std::string path;
  FileStatus st;
};

std::string BaseName(const std::string& p) {
  const size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// Depth-first, children before their directory. Refuses what must not be
// touched before anything is written.
Status Collect(const std::string& path, uint64_t root_dev, bool allow_hard_links, Env* env,
               std::vector<Entry>* out, std::vector<std::string>* refused,
               std::vector<MessageText>* warnings) {
  CUSTODY_ASSIGN_OR_RETURN(FileStatus st, env->StatNoFollow(path));
  Entry e{path, st};
  if (st.type == FileStatus::Type::kDirectory) {
    if (st.device != root_dev) {
      refused->push_back(path + " is a mount point (another file system)");
      return Status::Ok();
    }
    CUSTODY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(path));
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      if (n == "." || n == "..") continue;
      CUSTODY_RETURN_IF_ERROR(
          Collect(path + "/" + n, root_dev, allow_hard_links, env, out, refused, warnings));
    }
  } else if (st.type == FileStatus::Type::kRegular) {
    if (st.links > 1) {
      const std::string what = path + " has " + std::to_string(st.links) +
                               " hard links: its other names still reach the data";
      if (allow_hard_links) {
        warnings->push_back(MessageText::Of(
            N_("%s has %s hard links: its other names still reach the data (the content is "
               "overwritten; those names stay)"),
            {MessageText::Value(path), MessageText::Value(std::to_string(st.links))}));
      } else {
        refused->push_back(what + " (remove them, or pass --allow-hard-links)");
      }
    }
  } else if (st.type != FileStatus::Type::kSymlink) {
    refused->push_back(path + " is a special file (device, FIFO or socket)");
  }
  out->push_back(std::move(e));
  return Status::Ok();
}

// The file's data extents, rounded out to `block` and clipped to `size`;
// empty when the file is dense (the engine's "whole").
Result<std::vector<ByteRange>> DataRegions(const std::string& path, uint64_t size, uint64_t block,
                                           Env* env, bool* any_data) {
  std::vector<ByteRange> out;
  *any_data = false;
  auto extents = env->DataExtents(path);
  if (extents.status().code() == StatusCode::kUnsupported) {
    extents = std::vector<FileExtent>{{0, size}};  // Cannot tell holes: dense.
  }
  if (!extents.ok()) return extents.status();
  for (const FileExtent& x : *extents) {
    const uint64_t b = x.offset / block * block;
    const uint64_t e = std::min<uint64_t>(size, (x.offset + x.length + block - 1) / block * block);
    if (e <= b) continue;
    if (!out.empty() && out.back().offset + out.back().length >= b) {
      out.back().length = std::max(out.back().offset + out.back().length, e) - out.back().offset;
    } else {
      out.push_back({b, e - b});
    }
  }
  *any_data = !out.empty();
  if (out.size() == 1 && out[0].offset == 0 && out[0].length == size) out.clear();
  return out;
}

std::string RandomName(size_t length, Env* env) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string name(std::max<size_t>(length, 1), 'x');
  std::vector<uint8_t> r(name.size());
  if (!env->RandomBytes(r.data(), r.size()).ok()) r.assign(r.size(), 0);
  for (size_t i = 0; i < name.size(); ++i) name[i] = kAlphabet[r[i] % 36];
  return name;
}

// Renames `path` to random names of the same length (so the new entry takes
// the old one's slot in the directory and overwrites the name's bytes),
// syncing the directory each time. Returns the final path.
Result<std::string> Scramble(const std::string& path, int renames, Env* env) {
  const std::string dir = ParentDir(path);
  const size_t length = BaseName(path).size();
  std::string current = path;
  for (int i = 0; i < renames; ++i) {
    std::string next;
    for (int attempt = 0; attempt < 8; ++attempt) {
      next = dir + "/" + RandomName(length, env);
      if (env->StatNoFollow(next).status().code() == StatusCode::kNotFound) break;
    }
    CUSTODY_RETURN_IF_ERROR(env->RenameFile(current, next));
    current = next;
    CUSTODY_RETURN_IF_ERROR(env->SyncDir(dir));
  }
  return current;
}

WipeResult Worse(WipeResult a, WipeResult b) {
  auto rank = [](WipeResult r) {
    switch (r) {
      case WipeResult::kCompleted: return 0;
      case WipeResult::kCompletedWithErrors: return 1;
      case WipeResult::kInterrupted: return 2;
      case WipeResult::kFailed: return 3;
    }
    return 3;
  };
  return rank(a) >= rank(b) ? a : b;
}

// The checks before anything is touched, shared by the wipe and its dry run
// (PlanFileWipe) so that a dry run refuses and warns exactly as the wipe
// would: the entries depth-first, and the hard-link and media warnings.
Status Prepare(const std::string& path, const FileWipeOptions& options, Env* env,
               std::vector<Entry>* entries, std::vector<MessageText>* warning_texts) {
  CUSTODY_ASSIGN_OR_RETURN(FileStatus top, env->StatNoFollow(path));
  if (top.type == FileStatus::Type::kSymlink) {
    return InvalidArgumentError(path + " is a symbolic link; custody never follows links. Name "
                                       "the file it points to, or remove the link with rm.");
  }
  if (top.type != FileStatus::Type::kRegular && top.type != FileStatus::Type::kDirectory) {
    return InvalidArgumentError(path + " is neither a regular file nor a directory (wipe block "
                                       "devices by their /dev name; FIFOs and sockets hold no data)");
  }
  CUSTODY_RETURN_IF_ERROR(ExpandPlan(options.wipe.plan).status());
  std::vector<std::string> refused;
  CUSTODY_RETURN_IF_ERROR(
      Collect(path, top.device, options.allow_hard_links, env, entries, &refused, warning_texts));
  if (!refused.empty()) {
    std::string msg = "refusing to wipe " + path + ", nothing was touched: ";
    for (size_t i = 0; i < refused.size() && i < 5; ++i) msg += (i ? "; " : "") + refused[i];
    if (refused.size() > 5) msg += "; and " + std::to_string(refused.size() - 5) + " more";
    return InvalidArgumentError(msg);
  }
  for (MessageText& w : FileMediaWarningTexts(path)) warning_texts->push_back(std::move(w));
  return Status::Ok();
}

}  // namespace

Result<FileWipePlan> PlanFileWipe(const std::string& path, const FileWipeOptions& options,
                                  Env* env) {
  std::vector<Entry> entries;
  FileWipePlan plan;
  CUSTODY_RETURN_IF_ERROR(Prepare(path, options, env, &entries, &plan.warning_texts));
  plan.warnings = English(plan.warning_texts);
  for (const Entry& e : entries) {
    switch (e.st.type) {
      case FileStatus::Type::kDirectory:
        ++plan.directories;
        break;
      case FileStatus::Type::kSymlink:
        ++plan.symlinks;
        break;
      default:
        ++plan.files;
        plan.bytes += e.st.size;
        break;
    }
  }
  plan.directory = !entries.empty() && entries.back().st.type == FileStatus::Type::kDirectory;
  return plan;
}

Result<FileWipeSummary> WipeFileTree(const std::string& path, const FileWipeOptions& options,
                                     Env* env) {
  FileWipeSummary summary;
  std::vector<Entry> entries;
  CUSTODY_RETURN_IF_ERROR(Prepare(path, options, env, &entries, &summary.warning_texts));
  summary.warnings = English(summary.warning_texts);
  summary.tree_id = erase::NewWipeId(env);

  WipeEventSink* sink = options.wipe.sink;
  // `id`: the content wipe's; what had none (a directory, a symlink, an
  // empty file) is the tree's own, so `wipe show` finds every removal.
  auto removed = [&](const std::string& id, const std::string& p, const char* kind) -> Status {
    WipeRemovedEvent ev;
    ev.wipe_id = id.empty() ? summary.tree_id : id;
    ev.tree_id = summary.tree_id;
    ev.path = p;
    ev.kind = kind;
    ev.renames = options.renames;
    ev.removed_at = timeutil::FormatRfc3339Utc(env->NowUnixMicros());
    return sink ? sink->OnRemoved(ev) : Status::Ok();
  };

  for (const Entry& e : entries) {
    if (options.wipe.stop && options.wipe.stop->load()) {
      summary.result = Worse(summary.result, WipeResult::kInterrupted);
      summary.message_text = MessageText::Of(N_("interrupted before %s; files not yet wiped are untouched"),
                                             {MessageText::Value(e.path)});
      summary.message = summary.message_text.English();
      return summary;
    }
    const std::string dir = ParentDir(e.path);
    if (e.st.type == FileStatus::Type::kDirectory) {
      CUSTODY_ASSIGN_OR_RETURN(std::string final_path, Scramble(e.path, options.renames, env));
      CUSTODY_RETURN_IF_ERROR(env->RemoveDir(final_path));
      CUSTODY_RETURN_IF_ERROR(env->SyncDir(dir));
      CUSTODY_RETURN_IF_ERROR(removed("", e.path, "directory"));
      ++summary.directories;
      continue;
    }
    if (e.st.type == FileStatus::Type::kSymlink) {
      CUSTODY_ASSIGN_OR_RETURN(std::string final_path, Scramble(e.path, options.renames, env));
      CUSTODY_RETURN_IF_ERROR(env->RemoveFile(final_path));
      CUSTODY_RETURN_IF_ERROR(env->SyncDir(dir));
      CUSTODY_RETURN_IF_ERROR(removed("", e.path, "symlink"));
      ++summary.symlinks;
      continue;
    }
    // A regular file: up to its allocated size (the slack after EOF in the
    // last block holds old data too).
    const uint64_t block = std::max<uint64_t>(e.st.block_size, 1);
    const uint64_t size = e.st.size;
    const uint64_t exposed = (size + block - 1) / block * block;
    bool any_data = false;
    CUSTODY_ASSIGN_OR_RETURN(auto regions, DataRegions(e.path, exposed, block, env, &any_data));
    std::string wipe_id;
    if (any_data && exposed > 0) {
      BlockDeviceOptions bo;
      bo.file_size = exposed;
      CUSTODY_ASSIGN_OR_RETURN(auto dev, env->OpenBlockDevice(e.path, bo));
      WipeOptions wo = options.wipe;
      // A file is not a disk with bad sectors to skip: a byte that cannot be
      // overwritten fails the file's wipe (and leaves the file in place).
      wo.max_error_bytes = 0;
      wo.wipe_id.clear();
      wo.tree_id = summary.tree_id;
      wo.state_dir.clear();
      wo.regions = regions;
      auto ident = IdentifyDevice(e.path);
      if (ident.ok()) wo.target = *ident;
      wo.target.path = e.path;
      wo.target.kind = "file";
      wo.target.size_bytes = size;
      wo.warnings = summary.warnings;
      if (!regions.empty()) {
        wo.warnings.push_back("sparse file: only its " + std::to_string(regions.size()) +
                              " data extents hold data and were overwritten");
      }
      CUSTODY_ASSIGN_OR_RETURN(WipeFinishedEvent fin, RunWipe(*dev, wo, env));
      dev.reset();
      wipe_id = fin.wipe_id;
      summary.bytes += fin.bytes_written / std::max(1, fin.passes_completed);
      const WipeResult r = fin.result;
      const std::string msg = fin.message;
      const MessageText msg_text = fin.message_text.empty() ? MessageText::Value(msg) : fin.message_text;
      summary.results.push_back(std::move(fin));
      if (r != WipeResult::kCompleted) {
        summary.result = Worse(summary.result, r);
        summary.message_text =
            MessageText::Of(N_("%s: %s (the file was left in place)"), {MessageText::Value(e.path), msg_text});
        summary.message = summary.message_text.English();
        return summary;
      }
    }
    // Truncate before the renames: the name that is unlinked holds nothing.
    CUSTODY_RETURN_IF_ERROR(env->TruncateFile(e.path, 0));
    CUSTODY_ASSIGN_OR_RETURN(std::string final_path, Scramble(e.path, options.renames, env));
    CUSTODY_RETURN_IF_ERROR(env->RemoveFile(final_path));
    CUSTODY_RETURN_IF_ERROR(env->SyncDir(dir));
    CUSTODY_RETURN_IF_ERROR(removed(wipe_id, e.path, "file"));
    ++summary.files;
  }
  return summary;
}

}  // namespace custody
