// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "custody/block_device.h"
#include "custody/passthrough.h"
#include "custody/purge.h"
#include "purge/ata_commands.h"

namespace custody {

OpenedPurgeTarget::~OpenedPurgeTarget() = default;

namespace {

// Whether a USB bridge passes ATA commands through (SAT): an SSD in a dock
// can then be sanitized; a USB stick cannot.
bool AnswersAtaIdentify(ScsiTransport& t) {
  std::vector<uint8_t> data(purge::ata::kSectorSize);
  const auto cdb = purge::ata::BuildPassThrough16(purge::ata::IdentifyDevice());
  auto out = t.Execute(cdb, DataDirection::kFromDevice, data, 10000);
  return out.ok() && out->status == 0 && purge::ata::ParseIdentifyDevice(data).ok() &&
         (data[0] | data[1]) != 0;
}

}  // namespace

Result<std::unique_ptr<OpenedPurgeTarget>> OpenPurgeTarget(const std::string& path,
                                                           std::string_view transport) {
  auto opened = std::make_unique<OpenedPurgeTarget>();
  BlockDeviceOptions o;
  o.writable = true;  // The verification markers are written through it.
  o.exclusive = true;
  CUSTODY_ASSIGN_OR_RETURN(opened->device, OpenBlockDevice(path, o));
  if (opened->device->is_regular_file()) {
    return InvalidArgumentError(path + " is a file: purge sends commands to a drive. Use custody "
                                "wipe for files and images");
  }
  PurgeTarget& t = opened->target;
  t.device = opened->device.get();
  if (transport == "nvme") {
    CUSTODY_ASSIGN_OR_RETURN(opened->nvme, OpenLinuxNvmeTransport(path));
    CUSTODY_ASSIGN_OR_RETURN(t.nvme_nsid, LinuxNvmeNamespaceId(path));
    t.interface = PurgeInterface::kNvme;
    t.nvme = opened->nvme.get();
  } else if (transport == "sata" || transport == "ata" || transport == "sas" ||
             transport == "scsi" || transport == "usb") {
    CUSTODY_ASSIGN_OR_RETURN(opened->scsi, OpenLinuxScsiTransport(path));
    t.scsi = opened->scsi.get();
    if (transport == "sas" || transport == "scsi") {
      t.interface = PurgeInterface::kScsi;
    } else if (transport == "usb") {
      t.interface = AnswersAtaIdentify(*t.scsi) ? PurgeInterface::kAta : PurgeInterface::kUsbFlash;
    } else {
      t.interface = PurgeInterface::kAta;
    }
  } else if (transport == "mmc") {
    t.interface = PurgeInterface::kMmc;
    // The BlockDevice above holds the O_EXCL claim; a second O_EXCL open
    // by this process would fail with EBUSY.
    t.secure_discard = [path] { return SecureDiscardBlockDevice(path, /*exclusive=*/false); };
  } else {
    t.interface = PurgeInterface::kUnknown;
  }
  return opened;
}

}  // namespace custody
