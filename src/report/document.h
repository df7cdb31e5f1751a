// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The one document renderer of custody: certificates (src/cert), receipts and
// registers (src/receipt) build a Document and call RenderPdf. No other code
// talks to cairo or pango.
//
// A Document is a flow of blocks laid out top to bottom on A4 pages. Tables
// and key/value sections split between rows and repeat their header on the
// next page; other blocks move whole to the next page when they do not fit.
// Every page gets a footer: the fixed note line and "n / N".
//
// Text: UTF-8. Japanese is set in IPAex Mincho (body) and IPAex Gothic
// (headings and labels); pango breaks lines by the Unicode/Japanese rules
// (no 。 or 」 at the start of a line). Both fonts are embedded as subsets, so
// the PDF prints the same anywhere.
//
// Determinism: the same Document renders to the same bytes (same cairo,
// pango and font versions): the PDF dates come from `Document::created`, never
// the clock. That is what lets an auditor re-render a certificate and compare.
//
// Thread safety: RenderPdf may be called from several threads at once (each
// call builds its own cairo surface and pango context).
#ifndef CUSTODY_SRC_REPORT_DOCUMENT_H_
#define CUSTODY_SRC_REPORT_DOCUMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "custody/status.h"

namespace custody {
class Env;
}

namespace custody::report {

enum class Language { kJa, kEn, kJaEn };
enum class Orientation { kPortrait, kLandscape };  // A4 both; landscape for registers.
enum class Align { kLeft, kCenter, kRight };

// A piece of fixed text in both languages; the renderer shows the one the
// Document's language asks for (ja+en: Japanese with the English below it,
// smaller). An empty `en` falls back to `ja` and vice versa.
struct Label {
  std::string ja;
  std::string en;
};

// The text a Label shows in `lang`, for callers that compose values
// (ja+en: "ja / en", or just one if they are equal or one is empty).
std::string Pick(const Label& label, Language lang);

struct Paragraph {
  std::string text;
  Align align = Align::kLeft;
  double size_pt = 10.5;
};

// A two-column grid: label cell (shaded) | value cell. Values wrap.
struct Field {
  Label label;
  std::string value;
};
struct KeyValueSection {
  Label heading;  // May be empty (no heading line).
  std::vector<Field> fields;
};

struct Column {
  Label header;
  double weight = 1;  // Share of the table width.
  Align align = Align::kLeft;
};
struct Table {
  Label heading;
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;  // Each row has columns.size() cells.
  double size_pt = 9;
};

// A red-bordered box for things the reader must not miss (an erase that is
// weaker than the classification requires, 未完了).
struct WarningBox {
  Label heading;
  std::vector<std::string> lines;
};

// 押印欄: one box per person (role, printed name, a square for the seal or
// signature), and optionally the verification QR code on the same row.
struct Seal {
  Label role;        // e.g. {"作業責任者", "Responsible person"}
  std::string name;  // Printed under the stamp square; may be empty.
};
struct SignatureBlock {
  std::vector<Seal> seals;
  std::string qr_payload;  // Empty: no QR code. ASCII keeps the QR small.
  Label qr_caption;
};

// Vertical space in millimetres.
struct Spacer {
  double mm = 4;
};

// Photos (作業写真) as thumbnails, three to a row, each with a caption under
// it. `image` is PNG or JPEG bytes (told apart by their signature); it is
// decoded and scaled down to a thumbnail before it is embedded, so a 12 MP
// photo does not make a 12 MP PDF. An image that cannot be decoded (another
// format, damaged, too large) is drawn as a grey box saying so: a document
// never silently drops a photo it lists.
struct Photo {
  std::string image;
  std::string caption;
};
struct PhotoGrid {
  Label heading;
  std::vector<Photo> photos;
};

using Block =
    std::variant<Paragraph, KeyValueSection, Table, WarningBox, SignatureBlock, Spacer, PhotoGrid>;

struct Document {
  Language language = Language::kJa;
  Orientation orientation = Orientation::kPortrait;

  Label title;                            // Centered, large.
  Label subtitle;                         // Under the title; may be empty.
  std::string document_number;            // Top right ("No. ..."), and in the running header.
  std::vector<std::string> header_right;  // Lines under the number (issue date, ...).
  std::string addressee;                  // Top left ("新潟市 総務部 御中"); may be empty.
  std::vector<std::string> issuer;        // Right-aligned block under the title (issuer).

  std::vector<Block> blocks;

  std::string footer_note;  // One fixed line at the bottom of every page.

  // PDF metadata. `created` is RFC 3339 UTC ("2026-11-23T04:05:06Z"); it sets
  // both the creation and modification dates. Required: without it the
  // output would carry the clock and differ on every render.
  std::string created;
  std::string author;
  std::string subject;
  std::string keywords;  // Machine-readable (certificates: the QR payload).
  std::string creator = "custody";
};

// Renders `doc` to PDF bytes. kInvalidArgument for a malformed document (a
// row with the wrong number of cells, a bad `created`, a QR payload too long
// for a QR code); kUnsupported if the Japanese fonts are not installed
// (scripts/setup.sh installs them); kInternal if cairo fails.
Result<std::string> RenderPdf(const Document& doc);

// RenderPdf, then writes the file atomically (temporary file, fsync, rename):
// a crash never leaves a truncated PDF that looks like a document.
Status WritePdf(const Document& doc, const std::string& path, Env* env, uint32_t mode = 0644);

// The QR matrix libqrencode builds for `payload` (8-bit mode, error
// correction level M): `size` x `size` modules, row-major, true = dark.
struct QrMatrix {
  int size = 0;
  std::vector<bool> modules;
  bool dark(int x, int y) const { return modules[static_cast<size_t>(y * size + x)]; }
};
Result<QrMatrix> EncodeQr(const std::string& payload);

}  // namespace custody::report

#endif  // CUSTODY_SRC_REPORT_DOCUMENT_H_
