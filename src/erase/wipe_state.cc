// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "erase/wipe_state.h"

#include "crypto/encoding.h"
#include "device/device_json.h"

namespace custody::erase {

using nlohmann::json;

std::string DumpJson(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json RangesToJson(const std::vector<ByteRange>& ranges) {
  json a = json::array();
  for (const ByteRange& r : ranges) a.push_back({r.offset, r.length});
  return a;
}

std::vector<ByteRange> RangesFromJson(const json& j) {
  std::vector<ByteRange> out;
  for (const json& r : j) out.push_back({r.at(0).get<uint64_t>(), r.at(1).get<uint64_t>()});
  return out;
}

json EvidenceToJson(const std::vector<SectorEvidence>& evidence) {
  json a = json::array();
  for (const SectorEvidence& e : evidence) {
    json o = {{"lba", e.lba}, {"before_sha256", e.before_sha256}, {"after_sha256", e.after_sha256}};
    if (!e.before_error.empty()) o["before_error"] = e.before_error;
    if (!e.after_error.empty()) o["after_error"] = e.after_error;
    a.push_back(o);
  }
  return a;
}

static std::vector<SectorEvidence> EvidenceFromJson(const json& j) {
  std::vector<SectorEvidence> out;
  for (const json& o : j) {
    SectorEvidence e;
    e.lba = o.at("lba").get<uint64_t>();
    e.before_sha256 = o.value("before_sha256", "");
    e.after_sha256 = o.value("after_sha256", "");
    e.before_error = o.value("before_error", "");
    e.after_error = o.value("after_error", "");
    out.push_back(e);
  }
  return out;
}

json PassesToJson(const std::vector<WipePass>& passes) {
  json a = json::array();
  for (const WipePass& p : passes) a.push_back(p.Describe());
  return a;
}

json PlanToJson(const WipePlan& plan) {
  return {{"method", plan.method},
          {"repeat", plan.repeat},
          {"blank", plan.blank},
          {"verify", plan.verify.ToString()}};
}

std::string StatePath(const std::string& state_dir, const std::string& wipe_id) {
  return state_dir + "/" + wipe_id + ".json";
}

std::string SerializeState(const WipeState& s) {
  json passes = json::array();
  for (size_t i = 0; i < s.passes.size(); ++i) {
    json p = {{"pattern", s.passes[i].Describe()}};
    if (s.passes[i].kind == WipePass::Kind::kRandom) {
      p["generator"] = std::string(crypto::KeystreamGeneratorName(s.generator));
      p["key_hex"] = encoding::HexEncode(s.keys[i]);
    } else {
      p["bytes_hex"] = encoding::HexEncode(s.passes[i].pattern);
    }
    passes.push_back(p);
  }
  json verify = {{"sample_seed_hex", encoding::HexEncode(s.verify.sample_seed)},
                 {"bytes_checked", s.verify.bytes_checked},
                 {"mismatched_bytes", s.verify.mismatched_bytes},
                 {"mismatches", RangesToJson(s.verify.mismatches)},
                 {"unreadable", RangesToJson(s.verify.unreadable)},
                 {"duration_ms", s.verify.duration_ms}};
  json j = {{"format", kStateFormat},
            {"wipe_id", s.wipe_id},
            {"target", DeviceInfoToJson(s.target)},
            {"plan", PlanToJson(s.plan)},
            {"passes", passes},
            {"warnings", s.warnings},
            {"regions", RangesToJson(s.regions)},
            {"bytes", s.bytes},
            {"started_at", s.started_at},
            {"resume_count", s.resume_count},
            {"position", {{"pass", s.pass}, {"phase", s.phase}, {"offset", s.offset}}},
            {"pass_duration_ms", s.pass_duration_ms},
            {"verify_progress", verify},
            {"pass_write_errors", RangesToJson(s.pass_write_errors)},
            {"passes_completed", s.passes_completed},
            {"bytes_written", s.bytes_written},
            {"all_verified", s.all_verified},
            {"verifications", s.verifications},
            {"write_errors", RangesToJson(s.write_errors)},
            {"unreadable", RangesToJson(s.unreadable)},
            {"evidence", EvidenceToJson(s.evidence)},
            {"duration_ms", s.duration_ms}};
  if (!s.ended.result.empty()) {
    j["ended"] = {{"result", s.ended.result}, {"message", s.ended.message}, {"at", s.ended.at}};
  }
  return DumpJson(j, 1) + "\n";
}

Result<WipeState> ParseState(std::string_view text) {
  try {
    // Why: get<int>() and get<uint64_t>() convert a floating-point number
    // with a plain cast, undefined behaviour when it is out of range
    // ("repeat": 1e300). custody writes only integers here, so a state
    // holding any other number was not written by it and is refused.
    bool has_float = false;
    json j = json::parse(text, [&has_float](int, json::parse_event_t event, json& value) {
      if (event == json::parse_event_t::value && value.is_number_float()) has_float = true;
      return true;
    });
    if (has_float) {
      return CorruptionError("wipe state is not valid: it holds a number that is not an integer");
    }
    const std::string format = j.at("format").get<std::string>();
    if (format != kStateFormat && format != kStateFormatV1) {
      return CorruptionError("unknown wipe state format '" + format +
                             "' (written by a newer custody?)");
    }
    WipeState s;
    // Format /1 had no generator field: its random passes were AES-256-CTR.
    s.generator = crypto::KeystreamGenerator::kAes256Ctr;
    bool generator_seen = false;
    s.wipe_id = j.at("wipe_id").get<std::string>();
    s.target = DeviceInfoFromJson(j.at("target"));
    const json& plan = j.at("plan");
    s.plan.method = plan.at("method").get<std::string>();
    s.plan.repeat = plan.at("repeat").get<int>();
    s.plan.blank = plan.at("blank").get<bool>();
    CUSTODY_ASSIGN_OR_RETURN(s.plan.verify, ParseVerifyPolicy(plan.at("verify").get<std::string>()));
    for (const json& p : j.at("passes")) {
      WipePass pass;
      std::string key;
      if (p.contains("key_hex")) {
        crypto::KeystreamGenerator generator = crypto::KeystreamGenerator::kAes256Ctr;
        if (format != kStateFormatV1) {
          const std::string name = p.at("generator").get<std::string>();
          auto parsed = crypto::ParseKeystreamGenerator(name);
          if (!parsed) {
            return CorruptionError("wipe state: unknown random pass generator '" + name + "'");
          }
          generator = *parsed;
        }
        if (generator_seen && generator != s.generator) {
          return CorruptionError("wipe state: random passes name different generators");
        }
        s.generator = generator;
        generator_seen = true;
        CUSTODY_ASSIGN_OR_RETURN(key, encoding::HexDecode(p.at("key_hex").get<std::string>()));
        if (key.size() != crypto::KeystreamKeySize(generator)) {
          return CorruptionError("wipe state: a " +
                                 std::string(crypto::KeystreamGeneratorName(generator)) +
                                 " random pass key must be " +
                                 std::to_string(crypto::KeystreamKeySize(generator)) + " bytes");
        }
      } else {
        pass.kind = WipePass::Kind::kPattern;
        CUSTODY_ASSIGN_OR_RETURN(pass.pattern,
                                 encoding::HexDecode(p.at("bytes_hex").get<std::string>()));
        if (pass.pattern.empty() || pass.pattern.size() > 3) {
          return CorruptionError("wipe state: a pattern must be 1 to 3 bytes");
        }
      }
      s.passes.push_back(pass);
      s.keys.push_back(key);
    }
    s.warnings = j.at("warnings").get<std::vector<std::string>>();
    s.regions = RangesFromJson(j.at("regions"));
    s.bytes = j.at("bytes").get<uint64_t>();
    s.started_at = j.at("started_at").get<std::string>();
    s.resume_count = j.at("resume_count").get<int>();
    const json& pos = j.at("position");
    s.pass = pos.at("pass").get<int>();
    s.phase = pos.at("phase").get<std::string>();
    s.offset = pos.at("offset").get<uint64_t>();
    s.pass_duration_ms = j.at("pass_duration_ms").get<uint64_t>();
    const json& v = j.at("verify_progress");
    CUSTODY_ASSIGN_OR_RETURN(s.verify.sample_seed,
                             encoding::HexDecode(v.at("sample_seed_hex").get<std::string>()));
    s.verify.bytes_checked = v.at("bytes_checked").get<uint64_t>();
    s.verify.mismatched_bytes = v.at("mismatched_bytes").get<uint64_t>();
    s.verify.mismatches = RangesFromJson(v.at("mismatches"));
    s.verify.unreadable = RangesFromJson(v.at("unreadable"));
    s.verify.duration_ms = v.at("duration_ms").get<uint64_t>();
    s.pass_write_errors = RangesFromJson(j.at("pass_write_errors"));
    s.passes_completed = j.at("passes_completed").get<int>();
    s.bytes_written = j.at("bytes_written").get<uint64_t>();
    s.all_verified = j.at("all_verified").get<bool>();
    s.verifications = j.at("verifications").get<int>();
    s.write_errors = RangesFromJson(j.at("write_errors"));
    s.unreadable = RangesFromJson(j.at("unreadable"));
    s.evidence = EvidenceFromJson(j.at("evidence"));
    s.duration_ms = j.at("duration_ms").get<uint64_t>();
    // Optional: states written before it (or by a run that never ended) lack it.
    if (j.contains("ended")) {
      const json& e = j.at("ended");
      s.ended.result = e.at("result").get<std::string>();
      s.ended.message = e.at("message").get<std::string>();
      s.ended.at = e.at("at").get<std::string>();
      if (s.ended.result != "interrupted" && s.ended.result != "failed") {
        return CorruptionError("wipe state: unknown end '" + s.ended.result + "'");
      }
    }
    const bool valid_position =
        s.pass >= 0 && static_cast<size_t>(s.pass) <= s.passes.size() &&
        (s.phase == "write" || s.phase == "verify") && !s.regions.empty() &&
        s.offset <= s.regions.back().offset + s.regions.back().length &&
        (s.verify.sample_seed.empty() || s.verify.sample_seed.size() == 32);
    if (!valid_position || s.passes.empty()) {
      return CorruptionError("wipe state: the recorded position is impossible");
    }
    return s;
  } catch (const json::exception& e) {
    return CorruptionError(std::string("wipe state is not valid: ") + e.what());
  }
}

}  // namespace custody::erase
