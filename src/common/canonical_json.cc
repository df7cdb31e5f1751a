// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/canonical_json.h"

#include <set>
#include <vector>

namespace custody::json {
namespace {

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
// Why a limit: nlohmann's parser builds any depth without recursion, but
// what custody does with the value afterwards recurses once per level
// (CheckKeys and dump() in Canonicalize, copies, comparisons). 25,000 levels
// (50 KB of "[[[[...") in an untrusted entry (an evidence bundle) or receipt
// overflowed an 8 MiB stack; no custody record nests beyond ten levels.
constexpr size_t kMaxNesting = 128;

using nlohmann::json;

// Wraps nlohmann's DOM builder to refuse what canonical JSON cannot hold:
// duplicate keys (nlohmann would silently keep the last), floats and unsafe
// integers.
class StrictSax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<json>;
  explicit StrictSax(json& root) : Base(root, /*allow_exceptions=*/false) {}

  bool start_object(std::size_t n) {
    if (!Nest()) return false;
    if (depth_ == keys_.size()) keys_.emplace_back();
    keys_[depth_++].Clear();
    return Base::start_object(n);
  }
  bool end_object() {
    --nesting_;
    --depth_;
    return Base::end_object();
  }
  bool start_array(std::size_t n) { return Nest() && Base::start_array(n); }
  bool end_array() {
    --nesting_;
    return Base::end_array();
  }
  bool key(string_t& k) {
    if (!keys_[depth_ - 1].Insert(k)) return Fail("duplicate key \"" + k + "\"");
    return Base::key(k);
  }
  bool number_float(number_float_t v, const string_t& s) {
    (void)v;
    return Fail("floating-point number " + s + " (only integers are allowed)");
  }
  bool number_integer(number_integer_t v) {
    if (v > kMaxSafeInteger || v < -kMaxSafeInteger) return Fail("integer out of range");
    return Base::number_integer(v);
  }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<number_unsigned_t>(kMaxSafeInteger)) return Fail("integer out of range");
    return Base::number_unsigned(v);
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    if (error_.empty()) error_ = "at byte " + std::to_string(pos) + ": " + e.what();
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  // Enters an object or array; false beyond kMaxNesting levels.
  bool Nest() {
    if (++nesting_ > kMaxNesting) {
      return Fail("objects and arrays nested deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    return true;
  }
  // The keys seen in one open object. Why not just a std::set: objects have a
  // handful of keys, and a set per object was most of the cost of parsing a
  // package manifest listing 20,000 files. Large objects still get the set,
  // so a hostile document with many keys stays O(n log n).
  class KeySet {
   public:
    void Clear() {
      small_.clear();
      large_.clear();
    }
    bool Insert(const std::string& k) {
      if (large_.empty()) {
        for (const std::string& seen : small_) {
          if (seen == k) return false;
        }
        if (small_.size() < kSmall) {
          small_.push_back(k);
          return true;
        }
        large_.insert(small_.begin(), small_.end());
      }
      return large_.insert(k).second;
    }

   private:
    static constexpr size_t kSmall = 16;
    std::vector<std::string> small_;
    std::set<std::string> large_;
  };
  // Reused across objects at the same depth (no allocation per object).
  std::vector<KeySet> keys_;
  size_t depth_ = 0;    // Objects open.
  size_t nesting_ = 0;  // Objects and arrays open.
  std::string error_;
};

Status CheckKeys(const json& v) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) {
      for (unsigned char c : k) {
        if (c >= 0xEE) return InvalidArgumentError("JSON key \"" + k + "\" is not allowed in canonical JSON");
      }
      CUSTODY_RETURN_IF_ERROR(CheckKeys(child));
    }
  } else if (v.is_array()) {
    for (const auto& child : v) CUSTODY_RETURN_IF_ERROR(CheckKeys(child));
  } else if (v.is_number_float()) {
    return InvalidArgumentError("floating-point numbers are not allowed in canonical JSON");
  } else if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (!v.is_number_unsigned() && (i > kMaxSafeInteger || i < -kMaxSafeInteger)) {
      return InvalidArgumentError("integer out of range for canonical JSON");
    }
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger)) {
      return InvalidArgumentError("integer out of range for canonical JSON");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<nlohmann::json> ParseStrict(std::string_view text) {
  json root;
  StrictSax sax(root);
  bool ok = json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                            /*strict=*/true);
  if (!ok || !sax.error().empty()) {
    return InvalidArgumentError("invalid JSON: " + (sax.error().empty() ? "parse error" : sax.error()));
  }
  return root;
}

Result<std::string> Canonicalize(const nlohmann::json& value) {
  CUSTODY_RETURN_IF_ERROR(CheckKeys(value));
  try {
    // Compact, UTF-8 kept as is (ensure_ascii=false), invalid UTF-8 refused.
    return value.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("cannot canonicalize JSON: ") + e.what());
  }
}

Result<std::string> CanonicalizeText(std::string_view text) {
  CUSTODY_ASSIGN_OR_RETURN(json v, ParseStrict(text));
  return Canonicalize(v);
}

bool IsCanonical(std::string_view text) {
  auto c = CanonicalizeText(text);
  return c.ok() && *c == text;
}

}  // namespace custody::json
