// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The overwrite methods. Pass lists follow the published standards; where a
// standard leaves a choice (a "character" and its complement), the choice is
// fixed here so that two runs of a method write the same patterns and a
// certificate can name them.
#include <charconv>
#include <cstdio>

#include "custody/wipe.h"

namespace custody {
namespace {

WipePass P(std::initializer_list<uint8_t> bytes) {
  WipePass p;
  p.kind = WipePass::Kind::kPattern;
  for (uint8_t b : bytes) p.pattern.push_back(static_cast<char>(b));
  return p;
}
WipePass R() { return WipePass{}; }

std::vector<WipePass> Gutmann() {
  // Gutmann (1996), table 3: 4 random, 27 MFM/RLL patterns, 4 random. Kept in
  // the paper's order (not shuffled as shred does) so the record names exactly
  // what was written.
  std::vector<WipePass> v = {R(), R(), R(), R(), P({0x55}), P({0xAA}), P({0x92, 0x49, 0x24}),
                             P({0x49, 0x24, 0x92}), P({0x24, 0x92, 0x49})};
  for (int b = 0; b <= 0xFF; b += 0x11) v.push_back(P({static_cast<uint8_t>(b)}));
  for (auto p : {P({0x92, 0x49, 0x24}), P({0x49, 0x24, 0x92}), P({0x24, 0x92, 0x49}),
                 P({0x6D, 0xB6, 0xDB}), P({0xB6, 0xDB, 0x6D}), P({0xDB, 0x6D, 0xB6})}) {
    v.push_back(p);
  }
  for (int i = 0; i < 4; ++i) v.push_back(R());
  return v;
}

std::vector<WipeMethod> BuildMethods() {
  return {
      {"random", "One pass of an AES-128-CTR random stream", {R()}, false},
      {"zero", "One pass of 0x00", {P({0x00})}, false},
      {"one", "One pass of 0xFF", {P({0xFF})}, false},
      // SP 800-88 Rev.1 Table A: "at least a single write pass with a fixed
      // data value, such as all zeros", and the Clear is verified.
      {"nist-clear", "NIST SP 800-88 Clear: one pass of 0x00, verified", {P({0x00})}, true},
      // 5220.22-M 8-306 (c): a character, its complement, a random character, verify.
      {"dod-3", "DoD 5220.22-M (3 passes: 0x00, 0xFF, random)", {P({0x00}), P({0xFF}), R()}, true},
      // 8-306 (E, C and E): the 3-pass E, a single character C (0x96), E again.
      {"dod-7",
       "DoD 5220.22-M ECE (7 passes: 0x00, 0xFF, random, 0x96, 0x00, 0xFF, random)",
       {P({0x00}), P({0xFF}), R(), P({0x96}), P({0x00}), P({0xFF}), R()},
       true},
      // BSI VSITR: six alternating passes, then 0xAA.
      {"bsi-vsitr",
       "BSI VSITR (7 passes: 0x00/0xFF alternating six times, then 0xAA)",
       {P({0x00}), P({0xFF}), P({0x00}), P({0xFF}), P({0x00}), P({0xFF}), P({0xAA})},
       false},
      // HMG IS5 Enhanced: zeros, ones, random, verified.
      {"hmg-is5", "HMG IS5 Enhanced (3 passes: 0x00, 0xFF, random), verified",
       {P({0x00}), P({0xFF}), R()}, true},
      // RCMP TSSIT OPS-II: 0x00/0xFF alternating six times, random, verified.
      {"rcmp-ops2", "RCMP TSSIT OPS-II (7 passes: 0x00/0xFF alternating, then random), verified",
       {P({0x00}), P({0xFF}), P({0x00}), P({0xFF}), P({0x00}), P({0xFF}), R()},
       true},
      {"schneier", "Schneier (7 passes: 0xFF, 0x00, 5 x random)",
       {P({0xFF}), P({0x00}), R(), R(), R(), R(), R()}, false},
      {"gutmann", "Gutmann (35 passes)", Gutmann(), false},
  };
}

}  // namespace

std::string WipePass::Describe() const {
  if (kind == Kind::kRandom) return "random";
  std::string out;
  for (unsigned char c : pattern) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%s0x%02X", out.empty() ? "" : " ", c);
    out += buf;
  }
  return out;
}

const std::vector<WipeMethod>& WipeMethods() {
  static const auto* methods = new std::vector<WipeMethod>(BuildMethods());
  return *methods;
}

Result<WipeMethod> FindWipeMethod(std::string_view name) {
  std::string known;
  for (const WipeMethod& m : WipeMethods()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  return InvalidArgumentError("unknown wipe method '" + std::string(name) + "'; known: " + known);
}

std::string VerifyPolicy::ToString() const {
  switch (mode) {
    case VerifyMode::kNone: return "none";
    case VerifyMode::kLast: return "last";
    case VerifyMode::kAll: return "all";
    case VerifyMode::kSample: {
      std::string s = "sample:" + std::to_string(sample_basis_points / 100);
      if (uint32_t frac = sample_basis_points % 100; frac != 0) {
        s += '.';
        s += static_cast<char>('0' + frac / 10);
        if (frac % 10 != 0) s += static_cast<char>('0' + frac % 10);
      }
      return s;
    }
  }
  return "last";
}

Result<VerifyPolicy> ParseVerifyPolicy(std::string_view text) {
  VerifyPolicy p;
  if (text == "none") p.mode = VerifyMode::kNone;
  else if (text == "last") p.mode = VerifyMode::kLast;
  else if (text == "all") p.mode = VerifyMode::kAll;
  else if (text.starts_with("sample:")) {
    // A decimal with at most two fractional digits, parsed without floating
    // point: the value is recorded as an integer (basis points).
    std::string_view num = text.substr(7);
    const auto dot = num.find('.');
    std::string_view whole = num.substr(0, dot), frac = dot == num.npos ? "" : num.substr(dot + 1);
    uint32_t w = 0, f = 0;
    auto bad = [&] {
      return InvalidArgumentError("--verify sample:P needs a percentage 0 < P <= 100 with at most "
                                  "two decimals, e.g. sample:5 or sample:2.5; got '" +
                                  std::string(text) + "'");
    };
    if (whole.empty() || frac.size() > 2 || (dot != num.npos && frac.empty())) return bad();
    if (std::from_chars(whole.data(), whole.data() + whole.size(), w).ptr != whole.data() + whole.size()) return bad();
    if (!frac.empty()) {
      if (std::from_chars(frac.data(), frac.data() + frac.size(), f).ptr != frac.data() + frac.size()) return bad();
      if (frac.size() == 1) f *= 10;
    }
    if (w > 100) return bad();
    p.mode = VerifyMode::kSample;
    p.sample_basis_points = w * 100 + f;
    if (p.sample_basis_points == 0 || p.sample_basis_points > 10000) return bad();
  } else {
    return InvalidArgumentError("--verify must be last, all, none or sample:P; got '" +
                                std::string(text) + "'");
  }
  return p;
}

Result<std::vector<WipePass>> ExpandPlan(const WipePlan& plan) {
  CUSTODY_ASSIGN_OR_RETURN(WipeMethod method, FindWipeMethod(plan.method));
  if (plan.repeat < 1 || plan.repeat > 100) {
    return InvalidArgumentError("--passes must be between 1 and 100");
  }
  if (method.verification_required && plan.verify.mode == VerifyMode::kNone) {
    return InvalidArgumentError("method " + method.name +
                                " requires verification; use --verify last, all or sample:P");
  }
  std::vector<WipePass> passes;
  for (int i = 0; i < plan.repeat; ++i) {
    passes.insert(passes.end(), method.passes.begin(), method.passes.end());
  }
  if (plan.blank) passes.push_back(P({0x00}));
  return passes;
}

}  // namespace custody
