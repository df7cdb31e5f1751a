// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Strict reading of custody's signed JSON records into structs: every member
// present with its type, nothing unknown (an unknown member would be signed
// meaning the reader ignores). The first problem is kept, with its path
// ("certificate.body.content.devices[0].serial"). Shared by certificates,
// disposal records, profiles and receipts.
#ifndef CUSTODY_SRC_COMMON_JSON_READER_H_
#define CUSTODY_SRC_COMMON_JSON_READER_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace custody::json {

using Json = nlohmann::json;

class JsonReader {
 public:
  JsonReader(const Json& j, std::string path, std::string* error)
      : j_(j), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) Fail(path_, "is not an object");
  }
  ~JsonReader() {
    if (!j_.is_object()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) Fail(path_ + "." + it.key(), "is not a member of this format");
  }

  const Json* Get(const char* key, bool (Json::*is)() const noexcept, const char* what) {
    seen_.insert(key);
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end()) return Fail(Path(key), "is missing"), nullptr;
    if (!((*it).*is)()) return Fail(Path(key), std::string("is not ") + what), nullptr;
    return &*it;
  }
  // Whether optional member `key` is present (read it afterwards to mark it seen).
  bool Has(const char* key) const { return j_.is_object() && j_.contains(key); }
  std::string Str(const char* key) {
    const Json* v = Get(key, &Json::is_string, "a string");
    return v ? v->get<std::string>() : "";
  }
  int64_t Int(const char* key) {
    const Json* v = Get(key, &Json::is_number_integer, "an integer");
    return v ? v->get<int64_t>() : 0;
  }
  uint64_t Uint(const char* key) {
    const Json* v = Get(key, &Json::is_number_unsigned, "a non-negative integer");
    return v ? v->get<uint64_t>() : 0;
  }
  bool Bool(const char* key) {
    const Json* v = Get(key, &Json::is_boolean, "true or false");
    return v ? v->get<bool>() : false;
  }
  std::vector<std::string> Strings(const char* key) {
    std::vector<std::string> out;
    const Json* v = Get(key, &Json::is_array, "an array");
    if (!v) return out;
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Fail(Path(key) + "[" + std::to_string(i) + "]", "is not a string");
        continue;
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  // Calls fn(JsonReader&) for each object in the array `key`.
  template <typename F>
  void Objects(const char* key, F fn) {
    const Json* v = Get(key, &Json::is_array, "an array");
    if (!v) return;
    for (size_t i = 0; i < v->size(); ++i) {
      JsonReader r((*v)[i], Path(key) + "[" + std::to_string(i) + "]", error_);
      fn(r);
    }
  }
  JsonReader Sub(const char* key) {
    const Json* v = Get(key, &Json::is_object, "an object");
    static const Json kEmpty = Json::object();
    return JsonReader(v ? *v : kEmpty, Path(key), v ? error_ : &discard_);
  }
  // `table`: an array of terms with `.value` and `.json` (the JSON spelling).
  template <typename Term, size_t N>
  auto Enum(const char* key, const std::array<Term, N>& table) -> decltype(table[0].value) {
    std::string s = Str(key);
    const Term* e = nullptr;
    for (const Term& t : table)
      if (t.json == s) e = &t;
    if (!e) {
      std::string allowed;
      for (const auto& t : table) allowed += (allowed.empty() ? "" : ", ") + std::string(t.json);
      if (!s.empty() || error_->empty()) Fail(Path(key), "is \"" + s + "\", not one of " + allowed);
      return table[0].value;
    }
    return e->value;
  }

 private:
  std::string Path(const char* key) const { return path_ + "." + key; }
  void Fail(const std::string& where, const std::string& what) {
    if (error_->empty()) *error_ = where + " " + what;
  }
  const Json& j_;
  std::string path_;
  std::string* error_;
  std::string discard_;
  std::set<std::string> seen_;
};

}  // namespace custody::json

#endif  // CUSTODY_SRC_COMMON_JSON_READER_H_
