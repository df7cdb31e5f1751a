// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// custody device list|info: what the kernel and the drives say about every
// block device (model, serial, firmware, WWN, capacity, sector sizes,
// rotational, transport, hidden areas) and whether it is in use.
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/cli_util.h"
#include "cli/help_i18n.h"
#include "cli/i18n.h"
#include "custody/device.h"

namespace custody::cli {
namespace {

std::string HumanSize(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

nlohmann::json AsJson(const DeviceInfo& d) {
  auto j = nlohmann::json::parse(d.ToJson());
  j["warnings"] = MediaWarnings(d);
  return j;
}

Status RunList(const GlobalOptions& g) {
  CUSTODY_ASSIGN_OR_RETURN(auto devices, ListBlockDevices());
  if (g.json) {
    nlohmann::json a = nlohmann::json::array();
    for (const DeviceInfo& d : devices) a.push_back(AsJson(d));
    PrintLine(a.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return Status::Ok();
  }
  char line[512];
  // Headers in the interface language, padded by display width (kanji
  // take two columns) to the columns of the rows below.
  std::string size_header = _("SIZE");
  size_t size_width = DisplayWidth(size_header);
  PrintLine(PadLabel(_("DEVICE"), 15) + PadLabel(_("KIND"), 10) + PadLabel(_("TRANSPORT"), 9) +
            std::string(size_width < 10 ? 10 - size_width : 0, ' ') + size_header + " " +
            PadLabel(_("MODEL"), 25) + PadLabel(_("SERIAL"), 21) + PadLabel(_("ROT"), 5) +
            _("IN USE"));
  for (const DeviceInfo& d : devices) {
    std::string model = d.model.empty() && !d.backing_file.empty() ? d.backing_file : d.model;
    std::snprintf(line, sizeof line, "%-14s %-9s %-8s %10s %-24s %-20s %-4s %s", d.path.c_str(),
                  d.kind.c_str(), d.transport.c_str(), HumanSize(d.size_bytes).c_str(),
                  OrDash(model).c_str(), OrDash(d.serial).c_str(), d.rotational ? "yes" : "no",
                  d.in_use.empty() ? "-" : d.in_use.front().c_str());
    PrintLine(line);
    for (size_t i = 1; i < d.in_use.size(); ++i) {
      PrintLine(std::string(std::strlen(line) - std::strlen(d.in_use.front().c_str()), ' ') +
                d.in_use[i]);
    }
  }
  return Status::Ok();
}

Status RunInfo(const GlobalOptions& g, const std::string& path) {
  CUSTODY_ASSIGN_OR_RETURN(DeviceInfo d, IdentifyDevice(path));
  if (g.json) {
    PrintLine(AsJson(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return Status::Ok();
  }
  auto row = [](const char* k, const std::string& v) {
    if (!v.empty()) PrintLine(PadLabel(Tr(k), 16) + v);
  };
  row(N_("device:"), d.path);
  row(N_("kind:"), d.parent.empty() ? d.kind : Format(_("%s of %s"), {d.kind, d.parent}));
  row(N_("transport:"), d.transport);
  row(N_("vendor:"), d.vendor);
  row(N_("model:"), d.model);
  row(N_("serial:"), d.serial.empty() ? std::string(_("(none reported)")) : d.serial);
  row(N_("firmware:"), d.firmware);
  row(N_("wwn:"), d.wwn);
  row(N_("backing file:"), d.backing_file);
  row(N_("size:"),
      Format(_("%s bytes (%s)"), {std::to_string(d.size_bytes), HumanSize(d.size_bytes)}));
  if (d.logical_sector_size) {
    row(N_("sectors:"),
        Format(_("%s logical, %s physical"),
               {std::to_string(d.logical_sector_size), std::to_string(d.physical_sector_size)}));
  }
  row(N_("rotational:"), d.rotational ? _("yes") : _("no"));
  if (d.removable) row(N_("removable:"), _("yes"));
  if (d.read_only) row(N_("read-only:"), _("yes"));
  if (d.hidden.checked) {
    row(N_("hidden areas:"),
        d.hidden.hpa_present || d.hidden.dco_present ? _("PRESENT") : _("none"));
  }
  // The drive's own account of its hidden areas is a value, except the
  // constant note for devices that have none (src/device/identify.cc).
  row(N_("hpa/dco:"), Word(d.hidden.note));
  if (d.in_use.empty()) {
    row(N_("in use:"), _("no"));
  } else {
    for (const std::string& why : d.in_use) row(N_("in use:"), why);
  }
  for (const MessageText& w : MediaWarningTexts(d)) row(N_("warning:"), Render(w));
  return Status::Ok();
}

CommandRegistration reg(40, [](CLI::App& app, GlobalOptions& g, Invocation& inv) {
  CLI::App* cmd = app.add_subcommand("device", "Identify block devices (model, serial, size, in use)");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "Every block device with its identity and holders");
  list->footer("Example: custody device list --json");
  AddJsonFlag(list, g);
  list->callback([&g, &inv] { inv.run = [&g] { return RunList(g); }; });
  static std::string path_storage;  // Outlives parsing, like the app.
  std::string* path = &path_storage;
  CLI::App* info = cmd->add_subcommand("info", "Everything known about one device or file");
  info->add_option("DEVICE", *path, "Block device (/dev/sdb) or file")->required();
  info->footer("Example: custody device info /dev/sdb --json");
  AddJsonFlag(info, g);
  info->callback([&g, &inv, path] { inv.run = [&g, path] { return RunInfo(g, *path); }; });
});

}  // namespace
}  // namespace custody::cli
