// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody crypto-erase luks IMAGE|DEVICE: destroy every keyslot and token of a
// LUKS1/LUKS2 volume (custody/luks.h), recorded in the ledger.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/crypto_erase.h"
#include "cli/i18n.h"
#include "custody/device.h"
#include "custody/luks.h"

namespace custody::cli {
namespace {

struct LuksArgs {
  std::string path;
  bool wipe_header = false;
  bool dry_run = false;
  bool yes = false;
  std::string confirm_uuid;
  std::string asset_tag;
  SecretSource old_passphrase;
};

// What the record says the erased thing is. Block devices get their kernel
// name and size; the LUKS UUID and header digest (recorded with it) identify
// the volume itself.
Result<DeviceInfo> Describe(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return OwnError(StatusCode::kNotFound, N_("%s does not exist"), {path});
  }
  DeviceInfo d;
  // The record names the volume by its absolute path, whatever the operator typed.
  char resolved[PATH_MAX];
  d.path = ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
  if (S_ISREG(st.st_mode)) {
    d.kind = "file";
    d.transport = "file";
    d.size_bytes = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    // The drive's own identity (serial, model) where it answers.
    if (auto identified = IdentifyDevice(d.path); identified.ok()) return *identified;
    d.kind = "disk";
    const std::string::size_type slash = path.rfind('/');
    d.name = slash == std::string::npos ? path : path.substr(slash + 1);
    d.transport = "unknown";
  } else {
    return OwnError(StatusCode::kInvalidArgument,
                    N_("%s is neither a LUKS image file nor a block device"), {path});
  }
  return d;
}

std::string SlotList(const std::vector<std::pair<int, std::string>>& v) {
  std::string s;
  for (const auto& [n, what] : v) s += (s.empty() ? "" : ", ") + std::to_string(n) + " (" + what + ")";
  return s.empty() ? std::string(_("none")) : s;
}

// "label: value" on stderr, the labels padded to one column (translated
// labels may be kanji; the English lines are unchanged).
void Field(const std::string& indent, const char* label, const std::string& value) {
  static const size_t width =
      LabelColumn({_("volume:"), _("cipher:"), _("keyslots:"), _("tokens:"), _("header:")}, 10);
  std::fprintf(stderr, "%s%s%s\n", indent.c_str(), PadLabel(label, width).c_str(), value.c_str());
}

void PrintVolume(const LuksInfo& i) {
  Field("", _("volume:"), i.path + ", " + i.type);
  Field("  ", "uuid:", i.uuid);
  Field("  ", _("cipher:"),
        Format(_("%s-%s, %s-bit volume key"),
               {i.cipher, i.cipher_mode, std::to_string(i.volume_key_bits)}));
  Field("  ", _("keyslots:"), SlotList(i.keyslots));
  Field("  ", _("tokens:"), SlotList(i.tokens));
  Field("  ", _("header:"),
        Format(_("%s bytes, sha256 %s"), {std::to_string(i.header_bytes), i.header_sha256_hex}));
}

constexpr char kBackupWarning[] =
    N_("warning: a crypto-erase destroys only the key material in THIS header. Header backups "
       "(cryptsetup luksHeaderBackup), disk images, VM or file-system snapshots and copy-on-write "
       "copies made earlier still open the volume with the old passphrases: find them, destroy "
       "them, and record their destruction in the ledger before you certify the erase.");

// Interactive: the operator types the volume's UUID (or its first 8
// characters). Scripts: --yes with --confirm-uuid.
Status Confirm(const LuksInfo& info, const LuksArgs& a) {
  const std::string short_uuid = info.uuid.substr(0, 8);
  if (a.yes) {
    if (!a.confirm_uuid.empty() && (a.confirm_uuid == info.uuid || a.confirm_uuid == short_uuid)) {
      return Status::Ok();
    }
    return OwnError(StatusCode::kCancelled,
                    N_("--yes needs --confirm-uuid %s for %s; nothing was changed"),
                    {info.uuid, info.path});
  }
  if (::isatty(0) != 1) {
    return OwnError(StatusCode::kCancelled,
                    N_("not a terminal: to crypto-erase %s without a prompt pass --yes "
                       "--confirm-uuid %s; nothing was changed"),
                    {info.path, info.uuid});
  }
  std::fprintf(stderr, "%s",
               Format(_("This makes every byte encrypted in %s unreadable, for good. Type the "
                        "first 8 characters of its UUID (%s) to continue: "),
                      {info.path, short_uuid})
                   .c_str());
  std::fflush(stderr);
  std::string line;
  if (!std::getline(std::cin, line) || (line != short_uuid && line != info.uuid)) {
    return OwnError(StatusCode::kCancelled, N_("confirmation did not match; nothing was changed"),
                    {});
  }
  return Status::Ok();
}

Status RunLuks(const GlobalOptions& g, const LuksArgs& a) {
  CUSTODY_ASSIGN_OR_RETURN(DeviceInfo target, Describe(a.path));
  const std::string& path = target.path;
  CUSTODY_ASSIGN_OR_RETURN(LuksInfo info, InspectLuks(path));
  if (!g.json || a.dry_run) PrintVolume(info);
  std::fprintf(stderr, "%s\n", Tr(kBackupWarning));
  if (a.dry_run) {
    std::fprintf(stderr, "%s\n", _("dry run: nothing was changed"));
    return Status::Ok();
  }
  // The station first: an erase that cannot be recorded does not start.
  CUSTODY_ASSIGN_OR_RETURN(auto station, OpenStation(g));
  CUSTODY_ASSIGN_OR_RETURN(std::string operator_name, station->ResolveOperator(g.operator_));
  LuksEraseOptions options;
  options.wipe_header = a.wipe_header;
  options.identity = &target;
  options.asset_tag = a.asset_tag;
  options.env = station->env();
  if (!a.old_passphrase.file.empty() || a.old_passphrase.fd >= 0) {
    CUSTODY_ASSIGN_OR_RETURN(options.old_passphrase,
                             ReadSecret(a.old_passphrase, "old LUKS passphrase"));
  }
  CUSTODY_RETURN_IF_ERROR(Confirm(info, a));
  uint64_t last_seq = 0;
  options.record = [&](std::string_view type, std::string_view data) -> Status {
    CUSTODY_ASSIGN_OR_RETURN(LedgerEntry e, station->Record(type, operator_name, data));
    last_seq = e.seq;
    return Status::Ok();
  };
  CUSTODY_ASSIGN_OR_RETURN(LuksEraseReport report, CryptoEraseLuks(path, options));
  if (g.json) {
    nlohmann::json j = {{"path", path},
                        {"uuid", report.before.uuid},
                        {"type", report.before.type},
                        {"destroyed_keyslots", report.destroyed_keyslots},
                        {"removed_tokens", report.removed_tokens},
                        {"header_wiped", report.header_wiped},
                        {"old_passphrase_refused", report.old_passphrase_checked},
                        {"asset_tag", a.asset_tag},
                        {"ledger_seq", last_seq},
                        {"warning", report.warning}};
    PrintLine(j.dump());
    return Status::Ok();
  }
  std::string slots;
  for (int s : report.destroyed_keyslots) slots += (slots.empty() ? "" : " ") + std::to_string(s);
  const size_t width = LabelColumn({_("keyslots destroyed:"), _("tokens removed:"),
                                    _("header area:"), _("check:"), _("recorded:")},
                                   20);
  auto line = [width](const char* label, const std::string& value) {
    PrintLine("  " + PadLabel(label, width) + value);
  };
  PrintLine(Format(_("crypto-erased %s (%s %s)"), {path, report.before.type, report.before.uuid}));
  line(_("keyslots destroyed:"), slots.empty() ? std::string(_("none")) : slots);
  line(_("tokens removed:"), std::to_string(report.removed_tokens.size()));
  line(_("header area:"),
       report.header_wiped ? _("overwritten with zeros") : _("kept (no keyslot left)"));
  line(_("check:"),
       std::string(_("no keyslot, token or volume key left")) +
           (report.old_passphrase_checked ? _("; the old passphrase no longer opens it") : ""));
  line(_("recorded:"),
       Format(_("ledger entry %s (crypto-erase.luks.completed)"), std::to_string(last_seq)));
  return Status::Ok();
}

CommandRegistration reg(61, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  auto a = std::make_shared<LuksArgs>();
  CLI::App* cmd = CryptoEraseParent(app)->add_subcommand(
      "luks", "Destroy every keyslot and token of a LUKS1/LUKS2 volume (image file or device)");
  cmd->add_option("target", a->path, "LUKS image file or block device")->required();
  cmd->add_flag("--wipe-header", a->wipe_header,
                "Also overwrite the whole header area with zeros (no longer recognizable as LUKS)");
  cmd->add_flag("--dry-run", a->dry_run, "Show the volume and the warnings; change nothing");
  cmd->add_flag("-y,--yes", a->yes, "Do not prompt (needs --confirm-uuid)");
  cmd->add_option("--confirm-uuid", a->confirm_uuid,
                  "The volume's LUKS UUID (or its first 8 characters), as a check with --yes");
  cmd->add_option("--asset-tag", a->asset_tag,
                  "管理番号 (asset tag) of the volume, recorded so that a certificate can "
                  "identify an image or a device without a serial");
  cmd->add_option("--old-passphrase-file", a->old_passphrase.file,
                  "Check afterwards that the passphrase in FILE (first line) no longer opens it");
  cmd->add_option("--old-passphrase-fd", a->old_passphrase.fd,
                  "The same, reading the passphrase from file descriptor N");
  cmd->footer(
      "Example: custody crypto-erase luks /dev/sdb2 --yes --confirm-uuid 3f0c2a1e\n"
      "The volume must not be open (cryptsetup close it first). Header backups and snapshots made\n"
      "earlier still open it: destroy them and record that too.");
  AddJsonFlag(cmd, g);
  cmd->callback([&g, a, &inv] { inv.run = [&g, a] { return RunLuks(g, *a); }; });
});

}  // namespace
}  // namespace custody::cli
