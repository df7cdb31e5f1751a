// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// Passwords for passphrase-encrypted packages (the managed fallback to
// public-key encryption) and for the keystore: generation, a strength check
// for passphrases an operator supplies, and the record that a password went
// out by a separate channel. Spec: docs/formats/keystore.md, "Passwords".
//
// Generated passwords use kPasswordAlphabet: 32 ASCII symbols with no
// look-alikes (no 0/O, 1/I; uppercase only, so nothing depends on case when
// read aloud), drawn from Env::RandomBytes by rejection sampling (unbiased for
// any alphabet size), and grouped by hyphens for reading aloud:
// "7KQ2-XC9R-T4HB-WNPZ-3LAE" (20 symbols, 100 bits). The hyphens are part of
// the password: type it exactly as printed. Every generated password gets a
// random password ID ("pw-" + 16 symbols) that is independent of it, so the
// ID can be recorded and printed without revealing anything about the
// password; custody never stores a password or a hash of one.
//
// Thread safety: the functions are reentrant.
#ifndef CUSTODY_PASSWORD_H_
#define CUSTODY_PASSWORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custody/ledger.h"
#include "custody/secret.h"
#include "custody/status.h"

namespace custody {

class Env;
class Station;

inline constexpr std::string_view kPasswordAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
inline constexpr int kDefaultPasswordBits = 100;
// Operator-supplied passphrases below this many bits (by the estimate below)
// are refused.
inline constexpr int kMinimumPassphraseBits = 80;

struct PasswordOptions {
  int min_bits = kDefaultPasswordBits;  // At least this much entropy; 64..512.
  int group_size = 4;                   // Symbols between hyphens; 0 = none.
};

struct GeneratedPassword {
  SecretString password;  // Grouped, e.g. "7KQ2-XC9R-T4HB-WNPZ-3LAE".
  std::string id;         // "pw-" + 16 alphabet symbols, random, not derived.
  int symbols = 0;        // Random symbols (hyphens not counted).
  int entropy_bits = 0;   // floor(symbols * log2(alphabet size)).
};

// kInvalidArgument for options out of range; kIoError if the OS CSPRNG fails.
Result<GeneratedPassword> GeneratePassword(Env& env, const PasswordOptions& options = {});

// A uniformly random index in [0, n) from env.RandomBytes, by rejection
// sampling of bytes (n in 1..256). Exposed for tests of the bias.
Result<uint32_t> UniformIndex(Env& env, uint32_t n);

// A fresh random password ID, for a passphrase the operator supplied.
Result<std::string> NewPasswordId(Env& env);
// True for "pw-" followed by 16 kPasswordAlphabet symbols.
bool ValidPasswordId(std::string_view id);

struct PassphraseStrength {
  int bits = 0;  // Estimated entropy (floor).
  // The weak patterns the estimate used, in order, each saying what the
  // passphrase does and where (character positions from 1), never which
  // characters: "repeats the piece at characters 1-2 12 times", "follows
  // the keyboard (characters 1-26)", "follows the kana table (characters
  // 1-13)", "contains a sequence (characters 1-26)", "alternates two
  // sequences (characters 1-24)", "contains a common password (characters
  // 1-8)", "contains a common Japanese surname (characters 1-6)", "contains
  // a year (characters 7-10)", "contains a date (characters 5-14)". Empty
  // for a passphrase in the generator's format that is scored by the
  // generator's measure.
  std::vector<std::string> weaknesses;
};

// A passphrase in the generator's format (kPasswordAlphabet symbols,
// optionally in hyphen-separated groups) counts the generator's measure,
// 5 bits a symbol (hyphens count nothing), so every password
// GeneratePassword makes scores its entropy_bits; unless repetitions,
// sequences, keyboard walks or common words describe it in at least 24 bits
// less, which a random draw does with a probability of the order of 1e-7,
// and then it is scored as below. Any other passphrase is scored by the
// cheapest split into characters that count the generator's measure
// (log2 of the combined size of the character classes present: lower case
// 26, upper case 26, digits 10, ASCII punctuation and space 33, anything
// else 100) and pieces that follow a pattern, which count only what it
// takes to pick them: repetitions (unit + log2 count), sequences by code
// point or along the digits, the generator's alphabet, the kana table, US
// and JIS keyboard rows, columns and diagonals, two interleaved sequences
// (a1b2c3), common passwords, Japanese names and words (also reversed, and
// with look-alike substitutions such as p@ssw0rd), years 1900-2099 and
// dates; letters not all lower case add their case pattern. The model is
// documented in src/keys/passphrase_strength.cc and docs/formats/keystore.md.
// It errs low, but it cannot see that a long sentence of ordinary words is
// predictable: a floor for refusing, not a proof of strength. Only the
// first 256 code points count.
PassphraseStrength EstimatePassphraseStrength(std::string_view passphrase);

// OK if the estimate reaches `min_bits`; else kInvalidArgument saying why
// (the weaknesses above, or that it is too short for the characters it
// uses) and suggesting `custody password generate`. Never echoes any of the
// passphrase: the weaknesses give positions only.
Status CheckPassphraseStrength(const SecretString& passphrase,
                               int min_bits = kMinimumPassphraseBits);

// ---- Delivery record

enum class DeliveryChannel { kPhone, kSms, kLetter, kInPerson };
// "phone", "sms", "letter", "in-person"; kInvalidArgument otherwise.
Result<DeliveryChannel> ParseDeliveryChannel(std::string_view text);
std::string_view DeliveryChannelName(DeliveryChannel channel);

struct PasswordDelivery {
  // The package: its ID, its digest, or the output path recorded in its
  // `package.created` entry. Looked up in the ledger (kNotFound if absent).
  std::string package;
  // The password ID; may be empty when `package.created` carries
  // `password_id` (kInvalidArgument if neither is available, or if both are
  // and differ).
  std::string password_id;
  DeliveryChannel channel = DeliveryChannel::kPhone;
  std::string recipient_person;  // Who received it (name, role).
  std::string operator_name;
};

// Records `password.delivered` (package ID and digest, password ID, channel,
// person; never the password).
Result<LedgerEntry> RecordPasswordDelivery(Station& station, const PasswordDelivery& delivery);

// Records `password.generated` (password ID, symbols, entropy bits).
Result<LedgerEntry> RecordPasswordGenerated(Station& station, const GeneratedPassword& password,
                                            const std::string& operator_name);

}  // namespace custody

#endif  // CUSTODY_PASSWORD_H_
