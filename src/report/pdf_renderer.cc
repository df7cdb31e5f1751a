// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Document -> PDF with cairo (drawing, font subsetting) and pango (text
// layout, Japanese line breaking, font selection).
//
// Two passes: the first lays the document out on a discarded surface to count
// the pages, the second draws for real with "n / N" known. Layout depends only
// on the Document and the fonts, so both passes break pages identically.
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <functional>
#include <memory>
#include <regex>

#include "custody/env.h"
#include "report/document.h"
#include "report/image.h"
#include "report/pdf_libraries.h"

namespace custody::report {
namespace {

constexpr double kPtPerMm = 72.0 / 25.4;
constexpr double kA4ShortMm = 210, kA4LongMm = 297;
constexpr double kMarginSideMm = 18, kMarginTopMm = 16, kMarginBottomMm = 22;
constexpr double kCellPadPt = 3.5;

// Font families. One Mincho (body) and one Gothic (labels, headings): a
// Japanese official document's usual pair; both cover Latin, so English mode
// embeds the same two fonts.
constexpr const char* kMincho = "IPAexMincho";
constexpr const char* kGothic = "IPAexGothic";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.08, 0.08, 0.08};
constexpr Rgb kGrey{0.40, 0.40, 0.40};
constexpr Rgb kRule{0.25, 0.25, 0.25};
constexpr Rgb kLabelFill{0.92, 0.92, 0.92};
constexpr Rgb kHeaderFill{0.85, 0.85, 0.85};
constexpr Rgb kStripeFill{0.97, 0.97, 0.97};
constexpr Rgb kWarnInk{0.75, 0.0, 0.0};
constexpr Rgb kWarnFill{1.0, 0.94, 0.94};
constexpr Rgb kWhite{1, 1, 1};

double Mm(double mm) { return mm * kPtPerMm; }

// Deleters call through the loaded table (report/pdf_libraries.h).
struct UnrefObject {
  void operator()(void* p) const { Pdf().g_object_unref(p); }
};
struct DestroyCairo {
  void operator()(cairo_t* p) const { Pdf().cairo_destroy(p); }
};
struct DestroySurface {
  void operator()(cairo_surface_t* p) const { Pdf().cairo_surface_destroy(p); }
};
struct FreeQr {
  void operator()(QRcode* p) const { Pdf().QRcode_free(p); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, UnrefObject>;
using ContextPtr = std::unique_ptr<PangoContext, UnrefObject>;
using FontMapPtr = std::unique_ptr<PangoFontMap, UnrefObject>;
using CairoPtr = std::unique_ptr<cairo_t, DestroyCairo>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, DestroySurface>;
using QrPtr = std::unique_ptr<QRcode, FreeQr>;

std::string Escape(const std::string& s) {
  gchar* e = Pdf().g_markup_escape_text(s.data(), static_cast<gssize>(s.size()));
  std::string out(e);
  Pdf().g_free(e);
  return out;
}

// Pango markup for a label: in ja+en, the English line under the Japanese one,
// smaller and grey, so a bilingual form stays readable in Japanese first.
std::string LabelMarkup(const Label& l, Language lang, double size_pt) {
  const std::string& ja = l.ja.empty() ? l.en : l.ja;
  const std::string& en = l.en.empty() ? l.ja : l.en;
  if (lang == Language::kJa) return Escape(ja);
  if (lang == Language::kEn || ja == en) return Escape(en);
  char small[64];
  snprintf(small, sizeof small, "<span size=\"%d\" foreground=\"#555555\">",
           static_cast<int>(size_pt * 0.78 * PANGO_SCALE));
  return Escape(ja) + "\n" + small + Escape(en) + "</span>";
}

bool LabelEmpty(const Label& l) { return l.ja.empty() && l.en.empty(); }

// A laid-out piece of text in a cell, drawn possibly across pages: `consumed`
// is how much of its height earlier pages already showed.
struct CellText {
  LayoutPtr layout;
  double height = 0;
  std::vector<double> line_bottoms;  // Where the layout may be cut, in pt.
  double consumed = 0;
  double remaining() const { return height - consumed; }
};

struct CellStyle {
  Rgb fill = kWhite;
  Rgb border = kRule;
  double border_pt = 0.4;
  bool fill_cell = false;
};

struct RowCell {
  CellText text;
  double x = 0, width = 0;
  CellStyle style;
};

class Renderer {
 public:
  Renderer(const Document& doc, cairo_surface_t* surface, int total_pages)
      : doc_(doc), surface_(surface), total_pages_(total_pages) {
    landscape_ = doc.orientation == Orientation::kLandscape;
    page_w_ = Mm(landscape_ ? kA4LongMm : kA4ShortMm);
    page_h_ = Mm(landscape_ ? kA4ShortMm : kA4LongMm);
    left_ = Mm(kMarginSideMm);
    width_ = page_w_ - 2 * left_;
    top_ = Mm(kMarginTopMm);
    bottom_ = page_h_ - Mm(kMarginBottomMm);
    cr_.reset(Pdf().cairo_create(surface));
    // A font map of our own, released with the renderer: pango's per-thread
    // default map caches fonts for the life of the thread (reported as leaks
    // by LeakSanitizer, and never freed in a long-running process).
    font_map_.reset(Pdf().pango_cairo_font_map_new());
    ctx_.reset(Pdf().pango_font_map_create_context(font_map_.get()));
    Pdf().pango_cairo_update_context(cr_.get(), ctx_.get());
    // Unhinted metrics and unrounded positions: the layout must not depend on
    // a device resolution, and PDF has none.
    cairo_font_options_t* fo = Pdf().cairo_font_options_create();
    Pdf().cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    Pdf().cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    Pdf().pango_cairo_context_set_font_options(ctx_.get(), fo);
    Pdf().cairo_font_options_destroy(fo);
    Pdf().pango_context_set_round_glyph_positions(ctx_.get(), FALSE);
    // Japanese glyph forms and line-breaking rules (kinsoku).
    Pdf().pango_context_set_language(ctx_.get(), Pdf().pango_language_from_string("ja"));
  }

  Status CheckFonts() {
    for (const char* family : {kMincho, kGothic}) {
      PangoFontDescription* want = Pdf().pango_font_description_from_string(family);
      PangoFont* font = Pdf().pango_context_load_font(ctx_.get(), want);
      Pdf().pango_font_description_free(want);
      std::string got;
      if (font != nullptr) {
        PangoFontDescription* d = Pdf().pango_font_describe(font);
        got = Pdf().pango_font_description_get_family(d) ? Pdf().pango_font_description_get_family(d) : "";
        Pdf().pango_font_description_free(d);
        Pdf().g_object_unref(font);
      }
      if (Pdf().g_ascii_strcasecmp(got.c_str(), family) != 0) {
        return UnsupportedError(std::string("the Japanese font ") + family +
                                " is not installed (fontconfig offered '" + got +
                                "'); install fonts-ipaexfont-gothic and fonts-ipaexfont-mincho "
                                "(scripts/setup.sh)");
      }
    }
    return Status::Ok();
  }

  // Returns the number of pages drawn.
  Result<int> Run() {
    CUSTODY_RETURN_IF_ERROR(CheckFonts());
    StartPage();
    DrawFrontMatter();
    for (const Block& b : doc_.blocks) {
      std::visit([this](const auto& block) { Draw(block); }, b);
      if (!status_.ok()) return status_;
    }
    FinishPage();
    Pdf().cairo_surface_finish(surface_);
    if (Pdf().cairo_status(cr_.get()) != CAIRO_STATUS_SUCCESS)
      return InternalError(std::string("cairo: ") +
                           Pdf().cairo_status_to_string(Pdf().cairo_status(cr_.get())));
    if (Pdf().cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS)
      return InternalError(std::string("cairo: ") +
                           Pdf().cairo_status_to_string(Pdf().cairo_surface_status(surface_)));
    return page_;
  }

 private:
  // ---- text
  CellText Text(const std::string& text, bool markup, const char* family, double size_pt,
                double width, Align align = Align::kLeft, double letter_spacing_pt = 0) {
    CellText t;
    t.layout.reset(Pdf().pango_layout_new(ctx_.get()));
    PangoLayout* l = t.layout.get();
    PangoFontDescription* fd = Pdf().pango_font_description_from_string(family);
    Pdf().pango_font_description_set_absolute_size(fd, size_pt * PANGO_SCALE);
    Pdf().pango_layout_set_font_description(l, fd);
    Pdf().pango_font_description_free(fd);
    Pdf().pango_layout_set_width(l, static_cast<int>(std::max(width, 1.0) * PANGO_SCALE));
    // WORD_CHAR: break between words, and inside a word (a long serial or
    // digest) only when it does not fit; Japanese breaks between characters
    // by pango's UAX #14 rules.
    Pdf().pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    Pdf().pango_layout_set_alignment(l, align == Align::kCenter  ? PANGO_ALIGN_CENTER
                                  : align == Align::kRight ? PANGO_ALIGN_RIGHT
                                                           : PANGO_ALIGN_LEFT);
    if (letter_spacing_pt != 0) {
      PangoAttrList* attrs = Pdf().pango_attr_list_new();
      Pdf().pango_attr_list_insert(
          attrs, Pdf().pango_attr_letter_spacing_new(static_cast<int>(letter_spacing_pt * PANGO_SCALE)));
      Pdf().pango_layout_set_attributes(l, attrs);
      Pdf().pango_attr_list_unref(attrs);
    }
    if (markup) {
      Pdf().pango_layout_set_markup(l, text.c_str(), -1);
    } else {
      Pdf().pango_layout_set_text(l, text.data(), static_cast<int>(text.size()));
    }
    int w, h;
    Pdf().pango_layout_get_size(l, &w, &h);
    t.height = static_cast<double>(h) / PANGO_SCALE;
    PangoLayoutIter* it = Pdf().pango_layout_get_iter(l);
    do {
      int y0, y1;
      Pdf().pango_layout_iter_get_line_yrange(it, &y0, &y1);
      t.line_bottoms.push_back(static_cast<double>(y1) / PANGO_SCALE);
    } while (Pdf().pango_layout_iter_next_line(it));
    Pdf().pango_layout_iter_free(it);
    return t;
  }

  void Color(Rgb c) { Pdf().cairo_set_source_rgb(cr_.get(), c.r, c.g, c.b); }

  void Show(const CellText& t, double x, double y, Rgb color = kInk) {
    Color(color);
    Pdf().cairo_move_to(cr_.get(), x, y);
    Pdf().pango_cairo_show_layout(cr_.get(), t.layout.get());
  }

  // Draws the lines of `t` between t.consumed and `cut` with their top at
  // `y`. Line by line, not the whole layout under a clip: clipped-away glyphs
  // would still be in the PDF, and text extraction (search, pdftotext) would
  // find the split part of a row twice.
  void ShowLines(const CellText& t, double x, double y, double cut, Rgb color) {
    cairo_t* cr = cr_.get();
    Color(color);
    Pdf().cairo_save(cr);
    // Only matters for a single line taller than a page, drawn in parts.
    Pdf().cairo_rectangle(cr, x - kCellPadPt, y, 1e5, cut - t.consumed);
    Pdf().cairo_clip(cr);
    PangoLayoutIter* it = Pdf().pango_layout_get_iter(t.layout.get());
    do {
      int y0, y1;
      Pdf().pango_layout_iter_get_line_yrange(it, &y0, &y1);
      double top = static_cast<double>(y0) / PANGO_SCALE,
             bot = static_cast<double>(y1) / PANGO_SCALE;
      if (bot <= t.consumed + 0.01 || top >= cut - 0.01) continue;
      PangoRectangle logical;
      Pdf().pango_layout_iter_get_line_extents(it, nullptr, &logical);
      double baseline = static_cast<double>(Pdf().pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
      Pdf().cairo_move_to(cr, x + static_cast<double>(logical.x) / PANGO_SCALE,
                    y + baseline - t.consumed);
      Pdf().pango_cairo_show_layout_line(cr, Pdf().pango_layout_iter_get_line_readonly(it));
    } while (Pdf().pango_layout_iter_next_line(it));
    Pdf().pango_layout_iter_free(it);
    Pdf().cairo_restore(cr);
  }

  // ---- pages
  void StartPage() {
    ++page_;
    y_ = top_;
    if (page_ > 1) {
      // Running header: a continuation page must say what it continues.
      std::string head = Pick(doc_.title, doc_.language);
      if (!doc_.document_number.empty()) head += "  " + doc_.document_number;
      CellText t = Text(head, false, kGothic, 8, width_);
      Show(t, left_, y_ - Mm(6), kGrey);
      y_ += Mm(1);
    }
  }

  void FinishPage() {
    cairo_t* cr = cr_.get();
    double rule_y = page_h_ - Mm(kMarginBottomMm) + Mm(5);
    Pdf().cairo_set_line_width(cr, 0.4);
    Color(kRule);
    Pdf().cairo_move_to(cr, left_, rule_y);
    Pdf().cairo_line_to(cr, left_ + width_, rule_y);
    Pdf().cairo_stroke(cr);
    std::string n = std::to_string(page_) + " / " +
                    (total_pages_ > 0 ? std::to_string(total_pages_) : std::string("?"));
    CellText num = Text(n, false, kGothic, 8.5, Mm(25), Align::kRight);
    Show(num, left_ + width_ - Mm(25), rule_y + Mm(1.5));
    if (!doc_.footer_note.empty()) {
      CellText note = Text(doc_.footer_note, false, kGothic, 7, width_ - Mm(28));
      Show(note, left_, rule_y + Mm(1.5), kGrey);
    }
    Pdf().cairo_show_page(cr);
  }

  void NewPage() {
    FinishPage();
    StartPage();
  }

  double Available() const { return bottom_ - y_; }
  double PageBody() const { return bottom_ - top_ - Mm(1); }
  bool AtTop() const { return y_ <= top_ + Mm(1) + 0.01; }

  // Moves to a new page unless `h` fits (or the page is still empty: a block
  // taller than a page must start somewhere).
  void Reserve(double h) {
    if (h > Available() && !AtTop()) NewPage();
  }

  // ---- front matter: addressee, number, title, issuer
  void DrawFrontMatter() {
    double right_h = 0, left_h = 0;
    if (!doc_.document_number.empty() || !doc_.header_right.empty()) {
      std::string s = doc_.document_number;
      for (const std::string& line : doc_.header_right) s += (s.empty() ? "" : "\n") + line;
      CellText t = Text(s, false, kMincho, 9.5, width_ * 0.6, Align::kRight);
      Show(t, left_ + width_ * 0.4, y_);
      right_h = t.height;
    }
    if (!doc_.addressee.empty()) {
      CellText t = Text(doc_.addressee, false, kMincho, 12, width_ * 0.52);
      Show(t, left_, y_ + right_h + Mm(3));
      left_h = right_h + Mm(3) + t.height;
      // The addressee line is underlined, as on a paper form.
      Pdf().cairo_set_line_width(cr_.get(), 0.6);
      Color(kInk);
      double uy = y_ + left_h + 1.5;
      PangoRectangle ink, logical;
      Pdf().pango_layout_get_extents(t.layout.get(), &ink, &logical);
      Pdf().cairo_move_to(cr_.get(), left_, uy);
      Pdf().cairo_line_to(cr_.get(), left_ + static_cast<double>(logical.width) / PANGO_SCALE + Mm(2),
                    uy);
      Pdf().cairo_stroke(cr_.get());
    }
    y_ += std::max(left_h, right_h) + Mm(7);

    // Title: Japanese spaced out (証 明 書), as official documents set it.
    const Language lang = doc_.language;
    const std::string& ja = doc_.title.ja.empty() ? doc_.title.en : doc_.title.ja;
    const std::string& en = doc_.title.en.empty() ? doc_.title.ja : doc_.title.en;
    if (lang != Language::kEn) {
      CellText t = Text(ja, false, kGothic, 20, width_, Align::kCenter, 4);
      Show(t, left_, y_);
      y_ += t.height + Mm(1);
      if (lang == Language::kJaEn && en != ja) {
        CellText e = Text(en, false, kGothic, 11, width_, Align::kCenter, 0.5);
        Show(e, left_, y_, kGrey);
        y_ += e.height;
      }
    } else {
      CellText t = Text(en, false, kGothic, 18, width_, Align::kCenter, 0.5);
      Show(t, left_, y_);
      y_ += t.height;
    }
    if (!LabelEmpty(doc_.subtitle)) {
      CellText t =
          Text(LabelMarkup(doc_.subtitle, lang, 9.5), true, kMincho, 9.5, width_, Align::kCenter);
      Show(t, left_, y_ + Mm(1.5), kGrey);
      y_ += t.height + Mm(1.5);
    }
    y_ += Mm(5);
    if (!doc_.issuer.empty()) {
      std::string s;
      for (const std::string& line : doc_.issuer) s += (s.empty() ? "" : "\n") + line;
      CellText t = Text(s, false, kMincho, 10, width_ * 0.55, Align::kLeft);
      Show(t, left_ + width_ * 0.45, y_);
      y_ += t.height + Mm(5);
    }
  }

  // ---- rows: the unit of pagination for tables, key/value grids, boxes
  void StrokeRect(double x, double y, double w, double h, Rgb c, double lw) {
    Pdf().cairo_set_line_width(cr_.get(), lw);
    Color(c);
    Pdf().cairo_rectangle(cr_.get(), x, y, w, h);
    Pdf().cairo_stroke(cr_.get());
  }
  void FillRect(double x, double y, double w, double h, Rgb c) {
    Color(c);
    Pdf().cairo_rectangle(cr_.get(), x, y, w, h);
    Pdf().cairo_fill(cr_.get());
  }

  static double RowHeight(const std::vector<RowCell>& cells) {
    double h = 0;
    for (const RowCell& c : cells) h = std::max(h, c.text.remaining());
    return h + 2 * kCellPadPt;
  }

  // What a grid does at a page break: close its outer frame on the old page,
  // repeat its heading and header row on the new one.
  struct PageBreak {
    std::function<void()> close, reopen;
  };
  void Break(const PageBreak* pb) {
    if (pb) pb->close();
    NewPage();
    if (pb) pb->reopen();
  }

  // Draws one row, splitting it across pages at line boundaries when it is
  // taller than what is left (a long remark must not be cut off or run into
  // the footer).
  void DrawRow(std::vector<RowCell>& cells, const PageBreak* pb, Rgb text_color = kInk) {
    for (;;) {
      double h = RowHeight(cells);
      if (h > Available() && !AtTop() && h <= PageBody()) {
        Break(pb);
        continue;
      }
      if (h <= Available() + 0.01) {
        DrawRowPart(cells, h, /*limit=*/1e9, text_color);
        y_ += h;
        return;
      }
      // Taller than the rest of this page: draw what fits, continue overleaf.
      double room = Available() - 2 * kCellPadPt;
      DrawRowPart(cells, Available(), room, text_color);
      y_ = bottom_;
      Break(pb);
    }
  }

  void DrawRowPart(std::vector<RowCell>& cells, double h, double limit, Rgb text_color) {
    for (RowCell& c : cells) {
      if (c.style.fill_cell) FillRect(c.x, y_, c.width, h, c.style.fill);
      // Cut this cell at its last line boundary that fits, so no line is
      // drawn half on one page and half on the next.
      double cut = c.text.height;
      if (c.text.remaining() > limit) {
        cut = c.text.consumed;
        for (double b : c.text.line_bottoms)
          if (b > c.text.consumed && b - c.text.consumed <= limit) cut = b;
        // A single line taller than the page: show it clipped rather than loop.
        if (cut == c.text.consumed) cut = c.text.consumed + limit;
      }
      ShowLines(c.text, c.x + kCellPadPt, y_ + kCellPadPt, cut, text_color);
      c.text.consumed = cut;
      StrokeRect(c.x, y_, c.width, h, c.style.border, c.style.border_pt);
    }
  }

  void Heading(const Label& heading, bool continued = false) {
    if (LabelEmpty(heading)) return;
    std::string markup = LabelMarkup(heading, doc_.language, 10.5);
    if (continued) markup += doc_.language == Language::kEn ? " (continued)" : "（続き）";
    CellText t = Text(markup, true, kGothic, 10.5, width_);
    Show(t, left_, y_);
    y_ += t.height + Mm(1.2);
  }

  double HeadingHeight(const Label& heading) {
    if (LabelEmpty(heading)) return 0;
    return Text(LabelMarkup(heading, doc_.language, 10.5), true, kGothic, 10.5, width_).height +
           Mm(1.2);
  }

  // ---- blocks
  void Draw(const Paragraph& p) {
    std::vector<RowCell> cells(1);
    cells[0].text = Text(p.text, false, kMincho, p.size_pt, width_ - 2 * kCellPadPt, p.align);
    cells[0].x = left_;
    cells[0].width = width_;
    cells[0].style.border_pt = 0;
    cells[0].style.border = kWhite;
    DrawRow(cells, nullptr);
    y_ += Mm(1);
  }

  void Draw(const Spacer& s) {
    y_ += Mm(s.mm);
    if (y_ > bottom_) y_ = bottom_;
  }

  void Draw(const KeyValueSection& s) {
    const double label_w = width_ * (landscape_ ? 0.2 : 0.27);
    const double value_w = width_ - label_w;
    auto make_row = [&](const Field& f) {
      std::vector<RowCell> cells(2);
      cells[0].text =
          Text(LabelMarkup(f.label, doc_.language, 9), true, kGothic, 9, label_w - 2 * kCellPadPt);
      cells[0].x = left_;
      cells[0].width = label_w;
      cells[0].style.fill_cell = true;
      cells[0].style.fill = kLabelFill;
      cells[1].text = Text(f.value, false, kMincho, 10, value_w - 2 * kCellPadPt);
      cells[1].x = left_ + label_w;
      cells[1].width = value_w;
      return cells;
    };
    if (s.fields.empty()) return;
    std::vector<RowCell> first = make_row(s.fields[0]);
    Reserve(HeadingHeight(s.heading) + std::min(RowHeight(first), PageBody() / 3));
    Heading(s.heading);
    double frame_top = y_;
    auto frame = [&] { StrokeRect(left_, frame_top, width_, y_ - frame_top, kRule, 0.9); };
    auto continued = [&] {
      Heading(s.heading, true);
      frame_top = y_;
    };
    const PageBreak pb{frame, continued};
    for (size_t i = 0; i < s.fields.size(); ++i) {
      std::vector<RowCell> cells = i == 0 ? std::move(first) : make_row(s.fields[i]);
      DrawRow(cells, &pb);
    }
    frame();
    y_ += Mm(4);
  }

  void Draw(const Table& t) {
    if (t.columns.empty()) return;
    double total_weight = 0;
    for (const Column& c : t.columns) total_weight += c.weight > 0 ? c.weight : 1;
    std::vector<double> xs, ws;
    double x = left_;
    for (const Column& c : t.columns) {
      double w = width_ * (c.weight > 0 ? c.weight : 1) / total_weight;
      xs.push_back(x);
      ws.push_back(w);
      x += w;
    }
    auto header_row = [&] {
      std::vector<RowCell> cells(t.columns.size());
      for (size_t i = 0; i < cells.size(); ++i) {
        cells[i].text = Text(LabelMarkup(t.columns[i].header, doc_.language, t.size_pt), true,
                             kGothic, t.size_pt, ws[i] - 2 * kCellPadPt, Align::kCenter);
        cells[i].x = xs[i];
        cells[i].width = ws[i];
        cells[i].style.fill_cell = true;
        cells[i].style.fill = kHeaderFill;
      }
      return cells;
    };
    auto body_row = [&](size_t r) {
      std::vector<RowCell> cells(t.columns.size());
      for (size_t i = 0; i < cells.size(); ++i) {
        cells[i].text = Text(t.rows[r][i], false, kMincho, t.size_pt, ws[i] - 2 * kCellPadPt,
                             t.columns[i].align);
        cells[i].x = xs[i];
        cells[i].width = ws[i];
        // Light stripes: a reader follows a row across a wide register.
        if (r % 2 == 1) {
          cells[i].style.fill_cell = true;
          cells[i].style.fill = kStripeFill;
        }
      }
      return cells;
    };
    double frame_top = 0;
    auto frame = [&] { StrokeRect(left_, frame_top, width_, y_ - frame_top, kRule, 0.9); };
    auto draw_header = [&](bool continued) {
      Heading(t.heading, continued);
      frame_top = y_;
      std::vector<RowCell> h = header_row();
      DrawRow(h, nullptr);
    };
    // Keep the heading, the header row and the first data row together.
    double need = HeadingHeight(t.heading) + RowHeight(header_row());
    if (!t.rows.empty()) need += std::min(RowHeight(body_row(0)), PageBody() / 3);
    Reserve(need);
    draw_header(false);
    const PageBreak pb{frame, [&] { draw_header(true); }};
    for (size_t r = 0; r < t.rows.size(); ++r) {
      std::vector<RowCell> cells = body_row(r);
      DrawRow(cells, &pb);
    }
    frame();
    y_ += Mm(4);
  }

  void Draw(const WarningBox& w) {
    std::string markup = "<span font_family=\"" + std::string(kGothic) + "\">" +
                         LabelMarkup(w.heading, doc_.language, 10) + "</span>";
    for (const std::string& line : w.lines) markup += "\n" + Escape(line);
    std::vector<RowCell> cells(1);
    cells[0].text = Text(markup, true, kMincho, 10, width_ - 2 * kCellPadPt - Mm(2));
    cells[0].x = left_;
    cells[0].width = width_;
    cells[0].style = {kWarnFill, kWarnInk, 1.4, true};
    DrawRow(cells, nullptr, kWarnInk);
    y_ += Mm(4);
  }

  void Draw(const SignatureBlock& s) {
    const double box_w = Mm(34), role_h = Mm(9), stamp_h = Mm(24), name_h = Mm(8), gap = Mm(4);
    const double qr_mm = 38;  // Decodes from a 72-150 dpi rendering of a ~100-byte payload.
    const double seals_h = role_h + stamp_h + name_h;
    QrPtr qr;
    CellText caption;
    double qr_block_h = 0;
    if (!s.qr_payload.empty()) {
      qr.reset(Pdf().QRcode_encodeData(static_cast<int>(s.qr_payload.size()),
                                 reinterpret_cast<const unsigned char*>(s.qr_payload.data()), 0,
                                 QR_ECLEVEL_M));
      if (!qr) {
        status_ = InvalidArgumentError("the QR payload is too long for a QR code");
        return;
      }
      caption = Text(LabelMarkup(s.qr_caption, doc_.language, 7), true, kGothic, 7, Mm(48),
                     Align::kCenter);
      qr_block_h = Mm(qr_mm) + Mm(1) + caption.height;
    }
    Reserve(std::max(seals_h, qr_block_h) + Mm(2));
    double x = left_;
    for (const Seal& seal : s.seals) {
      // Role header, shaded.
      FillRect(x, y_, box_w, role_h, kLabelFill);
      CellText role = Text(LabelMarkup(seal.role, doc_.language, 8), true, kGothic, 8,
                           box_w - 2 * kCellPadPt, Align::kCenter);
      Show(role, x + kCellPadPt, y_ + (role_h - role.height) / 2);
      // Seal square: a faint dashed circle with 印 marks where to stamp.
      cairo_t* cr = cr_.get();
      double cx = x + box_w / 2, cy = y_ + role_h + stamp_h / 2, rad = Mm(8.5);
      double dash[] = {1.5, 1.5};
      Pdf().cairo_save(cr);
      Pdf().cairo_set_dash(cr, dash, 2, 0);
      Pdf().cairo_set_line_width(cr, 0.5);
      Pdf().cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
      Pdf().cairo_new_path(cr);  // No line from the role text's current point.
      Pdf().cairo_arc(cr, cx, cy, rad, 0, 2 * M_PI);
      Pdf().cairo_stroke(cr);
      Pdf().cairo_restore(cr);
      CellText mark = Text(doc_.language == Language::kEn ? "Seal" : "印", false, kMincho,
                           doc_.language == Language::kEn ? 9 : 14, rad * 2, Align::kCenter);
      Show(mark, cx - rad, cy - mark.height / 2, Rgb{0.72, 0.72, 0.72});
      // Printed name.
      CellText name = Text(seal.name, false, kMincho, 9, box_w - 2 * kCellPadPt, Align::kCenter);
      double ny = y_ + role_h + stamp_h;
      Pdf().cairo_save(cr);
      Pdf().cairo_rectangle(cr, x, ny, box_w, name_h);
      Pdf().cairo_clip(cr);
      Show(name, x + kCellPadPt, ny + std::max(0.0, (name_h - name.height) / 2));
      Pdf().cairo_restore(cr);
      // Grid lines.
      StrokeRect(x, y_, box_w, seals_h, kRule, 0.9);
      Pdf().cairo_set_line_width(cr, 0.4);
      Color(kRule);
      Pdf().cairo_move_to(cr, x, y_ + role_h);
      Pdf().cairo_line_to(cr, x + box_w, y_ + role_h);
      Pdf().cairo_move_to(cr, x, ny);
      Pdf().cairo_line_to(cr, x + box_w, ny);
      Pdf().cairo_stroke(cr);
      x += box_w + gap;
    }
    if (qr) {
      double side = Mm(qr_mm);
      double qx = left_ + width_ - Mm(48) + (Mm(48) - side) / 2;
      DrawQr(qr.get(), qx, y_, side);
      Show(caption, left_ + width_ - Mm(48), y_ + side + Mm(1), kGrey);
    }
    y_ += std::max(seals_h, qr_block_h) + Mm(4);
  }

  // Three thumbnails to a row, each in a 4:3 frame with its caption under it;
  // a row moves whole to the next page (with the heading repeated).
  void Draw(const PhotoGrid& g) {
    if (g.photos.empty()) return;
    constexpr int kPerRow = 3;
    // ~300 dpi at the printed size: sharp on paper, small in the file.
    constexpr int kThumbPx = 640;
    const double gap = Mm(4), cell_w = (width_ - gap * (kPerRow - 1)) / kPerRow,
                 frame_h = cell_w * 3 / 4;
    bool first_row = true;
    for (size_t row = 0; row < g.photos.size(); row += kPerRow) {
      std::vector<CellText> captions;
      double caption_h = 0;
      for (size_t i = row; i < std::min(g.photos.size(), row + kPerRow); ++i) {
        captions.push_back(Text(g.photos[i].caption, false, kMincho, 7, cell_w));
        caption_h = std::max(caption_h, captions.back().height);
      }
      const double row_h = frame_h + Mm(1) + caption_h + Mm(3);
      const double heading_h = first_row ? HeadingHeight(g.heading) : 0;
      const bool break_before = row_h + heading_h > Available() && !AtTop();
      if (break_before) NewPage();
      if (first_row || break_before) Heading(g.heading, !first_row);
      first_row = false;
      double x = left_;
      for (size_t i = row; i < std::min(g.photos.size(), row + kPerRow); ++i) {
        DrawThumbnail(g.photos[i].image, kThumbPx, x, y_, cell_w, frame_h);
        Show(captions[i - row], x, y_ + frame_h + Mm(1), kInk);
        x += cell_w + gap;
      }
      y_ += row_h;
    }
    y_ += Mm(1);
  }

  void DrawThumbnail(const std::string& image, int px, double x, double y, double w, double h) {
    cairo_t* cr = cr_.get();
    std::string error;
    SurfacePtr thumb(DecodeThumbnail(image, px, &error));
    if (!thumb) {
      FillRect(x, y, w, h, kLabelFill);
      CellText why = Text(
          (doc_.language == Language::kEn ? "Thumbnail not available: " : "サムネイル表示不可: ") +
              error,
          false, kGothic, 7.5, w - 2 * kCellPadPt, Align::kCenter);
      Show(why, x + kCellPadPt, y + (h - why.height) / 2, kGrey);
      StrokeRect(x, y, w, h, kRule, 0.4);
      return;
    }
    const double iw = Pdf().cairo_image_surface_get_width(thumb.get()),
                 ih = Pdf().cairo_image_surface_get_height(thumb.get());
    const double scale = std::min(w / iw, h / ih);
    const double dx = x + (w - iw * scale) / 2, dy = y + (h - ih * scale) / 2;
    Pdf().cairo_save(cr);
    Pdf().cairo_translate(cr, dx, dy);
    Pdf().cairo_scale(cr, scale, scale);
    Pdf().cairo_set_source_surface(cr, thumb.get(), 0, 0);
    Pdf().cairo_paint(cr);
    Pdf().cairo_restore(cr);
    StrokeRect(x, y, w, h, kRule, 0.4);
  }

  // Dark modules as one filled path of horizontal runs: one fill means no
  // anti-aliasing seams between modules for a scanner to trip on. The 4-module
  // quiet zone the standard requires is part of `side`.
  void DrawQr(const QRcode* qr, double x, double y, double side) {
    cairo_t* cr = cr_.get();
    const int n = qr->width, total = n + 8;
    const double m = side / total;
    FillRect(x, y, side, side, kWhite);
    Pdf().cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < n; ++row) {
      for (int col = 0; col < n;) {
        if (!(qr->data[row * n + col] & 1)) {
          ++col;
          continue;
        }
        int end = col;
        while (end < n && (qr->data[row * n + end] & 1)) ++end;
        Pdf().cairo_rectangle(cr, x + (col + 4) * m, y + (row + 4) * m, (end - col) * m, m);
        col = end;
      }
    }
    Pdf().cairo_fill(cr);
  }

  const Document& doc_;
  cairo_surface_t* surface_;
  int total_pages_;
  CairoPtr cr_;
  FontMapPtr font_map_;  // Declared before ctx_: the context refers to it.
  ContextPtr ctx_;
  bool landscape_ = false;
  double page_w_ = 0, page_h_ = 0, left_ = 0, width_ = 0, top_ = 0, bottom_ = 0, y_ = 0;
  int page_ = 0;
  Status status_;
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

bool ValidUtf8(const std::string& s) {
  return Pdf().g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr);
}

// Every string pango will see must be UTF-8 without NUL: pango would warn on
// stderr and draw replacement boxes, and a certificate must not silently
// show something other than its data.
Status ValidateText(const Document& doc) {
  std::vector<const std::string*> all;
  auto label = [&](const Label& l) {
    all.push_back(&l.ja);
    all.push_back(&l.en);
  };
  label(doc.title);
  label(doc.subtitle);
  for (const std::string* s : {&doc.document_number, &doc.addressee, &doc.footer_note, &doc.author,
                               &doc.subject, &doc.keywords, &doc.creator})
    all.push_back(s);
  for (const auto& s : doc.header_right) all.push_back(&s);
  for (const auto& s : doc.issuer) all.push_back(&s);
  for (const Block& b : doc.blocks) {
    if (auto* p = std::get_if<Paragraph>(&b)) all.push_back(&p->text);
    if (auto* kv = std::get_if<KeyValueSection>(&b)) {
      label(kv->heading);
      for (const Field& f : kv->fields) {
        label(f.label);
        all.push_back(&f.value);
      }
    }
    if (auto* t = std::get_if<Table>(&b)) {
      label(t->heading);
      for (const Column& c : t->columns) label(c.header);
      for (size_t r = 0; r < t->rows.size(); ++r) {
        if (t->rows[r].size() != t->columns.size())
          return InvalidArgumentError("table row " + std::to_string(r + 1) + " has " +
                                      std::to_string(t->rows[r].size()) + " cells for " +
                                      std::to_string(t->columns.size()) + " columns");
        for (const std::string& cell : t->rows[r]) all.push_back(&cell);
      }
    }
    if (auto* w = std::get_if<WarningBox>(&b)) {
      label(w->heading);
      for (const auto& s : w->lines) all.push_back(&s);
    }
    if (auto* g = std::get_if<PhotoGrid>(&b)) {
      label(g->heading);
      for (const Photo& p : g->photos) all.push_back(&p.caption);
    }
    if (auto* s = std::get_if<SignatureBlock>(&b)) {
      label(s->qr_caption);
      all.push_back(&s->qr_payload);
      for (const Seal& seal : s->seals) {
        label(seal.role);
        all.push_back(&seal.name);
      }
    }
  }
  for (const std::string* s : all)
    if (!ValidUtf8(*s))
      return InvalidArgumentError("document text is not valid UTF-8 (or contains NUL): '" +
                                  s->substr(0, 40) + "'");
  return Status::Ok();
}

// RFC 3339 UTC/offset -> the ISO 8601 form cairo writes as the PDF date
// (fractional seconds dropped: PDF dates have none).
Result<std::string> PdfDate(const std::string& rfc3339) {
  static const std::regex re(R"((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  std::smatch m;
  if (!std::regex_match(rfc3339, m, re))
    return InvalidArgumentError("document date '" + rfc3339 +
                                "' is not RFC 3339 (e.g. 2026-11-23T04:05:06Z)");
  return m[1].str() + m[3].str();
}

void SetMetadata(cairo_surface_t* s, const Document& doc, const std::string& date) {
  std::string title = Pick(doc.title, doc.language);
  if (!doc.document_number.empty()) title += " " + doc.document_number;
  Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title.c_str());
  if (!doc.author.empty())
    Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, doc.author.c_str());
  if (!doc.subject.empty())
    Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, doc.subject.c_str());
  if (!doc.keywords.empty())
    Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, doc.keywords.c_str());
  Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, doc.creator.c_str());
  Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  Pdf().cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
}

}  // namespace

std::string Pick(const Label& label, Language lang) {
  if (label.ja.empty()) return label.en;
  if (label.en.empty()) return label.ja;
  switch (lang) {
    case Language::kJa:
      return label.ja;
    case Language::kEn:
      return label.en;
    case Language::kJaEn:
      return label.ja == label.en ? label.ja : label.ja + " / " + label.en;
  }
  return label.ja;
}

Result<QrMatrix> EncodeQr(const std::string& payload) {
  CUSTODY_RETURN_IF_ERROR(LoadPdfLibraries().status());
  QrPtr qr(Pdf().QRcode_encodeData(static_cast<int>(payload.size()),
                             reinterpret_cast<const unsigned char*>(payload.data()), 0,
                             QR_ECLEVEL_M));
  if (!qr) return InvalidArgumentError("the QR payload is too long for a QR code");
  QrMatrix m;
  m.size = qr->width;
  m.modules.resize(static_cast<size_t>(m.size * m.size));
  for (size_t i = 0; i < m.modules.size(); ++i) m.modules[i] = qr->data[i] & 1;
  return m;
}

Result<std::string> RenderPdf(const Document& doc) {
  CUSTODY_RETURN_IF_ERROR(LoadPdfLibraries().status());
  if (doc.created.empty())
    return InvalidArgumentError("a document needs its creation time (Document::created)");
  CUSTODY_ASSIGN_OR_RETURN(std::string date, PdfDate(doc.created));
  CUSTODY_RETURN_IF_ERROR(ValidateText(doc));
  const bool landscape = doc.orientation == Orientation::kLandscape;
  const double w = Mm(landscape ? kA4LongMm : kA4ShortMm),
               h = Mm(landscape ? kA4ShortMm : kA4LongMm);

  int pages = 0;
  {
    SurfacePtr s(Pdf().cairo_pdf_surface_create_for_stream(Discard, nullptr, w, h));
    Renderer r(doc, s.get(), 0);
    CUSTODY_ASSIGN_OR_RETURN(pages, r.Run());
  }
  std::string out;
  SurfacePtr s(Pdf().cairo_pdf_surface_create_for_stream(AppendToString, &out, w, h));
  SetMetadata(s.get(), doc, date);
  Renderer r(doc, s.get(), pages);
  CUSTODY_ASSIGN_OR_RETURN(int pages2, r.Run());
  if (pages2 != pages) return InternalError("document layout differed between passes");
  return out;
}

Status WritePdf(const Document& doc, const std::string& path, Env* env, uint32_t mode) {
  CUSTODY_ASSIGN_OR_RETURN(std::string pdf, RenderPdf(doc));
  return env->WriteFileAtomically(path, pdf, mode);
}

}  // namespace custody::report
