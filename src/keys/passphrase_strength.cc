// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// The strength estimate for passphrases an operator supplies
// (custody/password.h; spec: docs/formats/keystore.md, "Passwords").
//
// The model, after zxcvbn but small enough to explain in a refusal:
//
// 1. A passphrase in the generator's format (kPasswordAlphabet symbols,
//    optionally in hyphen-separated groups) is scored by the generator's
//    measure, symbols x log2 32 = 5 bits a symbol, so anything
//    `custody password generate --bits N` prints passes a threshold of N or
//    less. The hyphens count nothing. The patterns of 2. are still looked for
//    in its symbols (scored at 5 bits a symbol, each pattern also charged
//    log2(symbols) for where it starts): when they describe it in at least
//    kGeneratedSlackBits less, the pattern estimate applies instead:
//    "AAAA-AAAA-AAAA-AAAA" is 80 bits by its length but 9 by its pattern. A
//    uniformly random draw saves s bits this way with a frequency of about
//    2^-s (measured, docs/formats/keystore.md), so at 24 bits a generated
//    password is refused with a probability of the order of 1e-7.
// 2. Any other passphrase is split into Unicode code points, and its
//    estimate is the cost of the cheapest segmentation into pieces (a
//    dynamic programme over positions), each piece being one of:
//    - a character no pattern explains: log2 of the combined size of the
//      character classes present in the whole passphrase (lower case 26,
//      upper case 26, digits 10, ASCII punctuation and space 33, anything
//      else 100), the measure of a random draw from those classes;
//    - a repetition u^k, k >= 2: the unit's own estimate + log2 k;
//    - a sequence of 3 or more: by code point with a constant step of -5..5
//      (abcd, 9753, あいうえ), or along an ordering (digits 0-9 round the
//      circle, the generator's alphabet, the kana table in hiragana and
//      katakana, rows, columns and diagonals of US and JIS keyboards, also
//      with their punctuation or digit keys skipped): log2 of the possible
//      starts and steps + log2 length;
//    - two such sequences interleaved (a1b2c3, 1a2b3c), each 3 or longer;
//    - a common password, a common Japanese surname or given name (romaji
//      and kanji), a common word: log2 of the list size, +1 bit if reversed,
//      +1 bit per look-alike substitution (p@ssw0rd);
//    - a year 1900-2099 (log2 200), a date with a year (YYYYMMDD, DDMMYYYY,
//      MMDDYYYY with or without -/. separators: log2(200 x 366) + 2; YYMMDD:
//      log2(100 x 366) + 2), a month and day MMDD (log2 366).
//    A piece whose letters are not all lower case adds its case pattern: 1
//    bit for all upper case or only the first or last letter, else log2 of
//    the number of ways to place that many capitals (on a keyboard, shifted
//    symbols count as capitals).
//    Nothing is charged for where a piece starts or how the passphrase was
//    split, so the estimate errs low. It still cannot know that a long
//    sentence of ordinary words is predictable: a floor for refusing, not a
//    proof of strength.
// Only the first kMaxAnalyzedCodePoints code points count (the rest count
// nothing), which bounds the work (the matchers are quadratic at worst).
#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/wiping_allocator.h"
#include "custody/password.h"

namespace custody {
namespace {

constexpr size_t kMaxAnalyzedCodePoints = 256;
// See 1. above and PassphraseStrengthTest.GeneratedFormatFalseRefusalRate.
constexpr double kGeneratedSlackBits = 24;
constexpr int kMinimumPatternLength = 3;

// ---- Lists. Entries are lower case; passwords made only of a keyboard walk,
// a sequence or a repetition (qwerty, 123456, 111111) are left to the
// pattern matchers, which say better what is wrong with them.

enum class WordKind { kPassword, kSurname, kGivenName, kWord };

// The most common passwords of the public leak lists (after removing the
// patterns above).
constexpr std::string_view kCommonPasswords[] = {
    "password",  "passwd",      "iloveyou",   "admin",      "administrator", "welcome",
    "monkey",    "dragon",      "letmein",    "football",   "baseball",      "master",
    "sunshine",  "princess",    "shadow",     "superman",   "batman",        "trustno",
    "freedom",   "whatever",    "changeme",   "default",    "secret",        "login",
    "hello",     "guest",       "root",       "toor",       "test",          "testing",
    "michael",   "jennifer",    "jordan",     "hunter",     "ranger",        "buster",
    "soccer",    "harley",      "tigger",     "charlie",    "robert",        "thomas",
    "hockey",    "daniel",      "starwars",   "george",     "computer",      "michelle",
    "jessica",   "pepper",      "ginger",     "summer",     "winter",        "spring",
    "autumn",    "ashley",      "nicole",     "chelsea",    "biteme",        "matthew",
    "access",    "yankees",     "dallas",     "austin",     "thunder",       "taylor",
    "matrix",    "mustang",     "love",       "flower",     "cheese",        "lovely",
    "mother",    "father",      "purple",     "orange",     "banana",        "cookie",
    "chocolate", "maggie",      "killer",     "pokemon",    "pikachu",       "naruto",
    "doraemon",  "samsung",     "apple",      "google",     "internet",      "windows",
    "microsoft", "server",      "system",     "network",    "office",        "user",
    "manager",   "money",       "silver",     "golden",     "diamond",       "lucky",
    "angel",     "peanut",      "cowboy",     "eagle",      "tiger",         "lion",
    "bailey",    "sophie",      "andrea",     "amanda",     "joshua",        "ginger",
    "hannah",    "jasmine",     "justin",     "liverpool",  "arsenal",       "barcelona",
    "chelsea",   "madrid",      "england",    "america",    "canada",        "london",
    "paris",     "china",       "japan",      "tokyo",      "osaka",         "kyoto",
    "nagoya",    "niigata",     "sapporo",    "fukuoka",    "yokohama",      "kobe",
    "sendai",    "hiroshima",   "okinawa",    "hokkaido",   "nippon",        "nihon",
    "sakura",    "hello",       "kitty",      "hellokitty", "snoopy",        "mickey",
    "minnie",    "disney",      "starbucks",  "family",     "friend",        "friends",
    "forever",   "blessed",     "jesus",      "christ",     "heaven",        "blink",
    "soccer",    "football",    "basketball", "tennis",     "golf",          "baseball",
    "dolphin",   "butterfly",   "rainbow",    "purple",     "yellow",        "black",
    "white",     "secret",      "private",    "public",     "custody",       "security",
    "secure",    "passport",    "pass",       "word",       "phrase",        "passphrase",
    "key",       "keys",        "open",       "sesame",     "letmein",       "please",
    "thanks",    "qwer",        "abcd",       "asdf",       "zxcv",          "pussy",
    "fuck",      "shit",        "sexy",       "boobs",      "killer",        "ninja",
    "samurai",   "shogun",      "sushi",      "ramen",      "anime",         "manga",
    "otaku",     "gundam",      "totoro",     "ghibli",     "mario",         "zelda",
    "sonic",     "playstation", "nintendo",   "xbox",       "minecraft",     "fortnite",
    "roblox",    "facebook",    "twitter",    "instagram",  "youtube",       "line",
    "yahoo",     "gmail",       "hotmail",    "outlook",    "iphone",        "android",
    "linux",     "ubuntu",      "debian",     "oracle",     "cisco",         "juniper",
    "vmware",    "database",    "backup",     "support",    "service",       "station",
    "office",    "kanri",       "kanrisha",   "yakuba",     "yakusho",       "shiyakusho",
    "kuyakusho", "choyakuba",   "soumu",      "jouhou",     "joho",          "seisaku",
    "kojin",     "jyouhou",     "himitsu",    "kimitsu",    "pasuwado",      "pasuwaado",
    "aishiteru", "daisuki",     "arigatou",   "arigato",    "konnichiwa",    "sayonara",
    "ohayou",    "genki",       "kawaii",     "baka",       "neko",          "inu",
    "tanuki",    "kitsune",     "usagi",      "ringo",      "mikan",         "ichigo",
    "momo",      "hana",        "sora",       "umi",        "yama",          "kawa",
    "hoshi",     "tsuki",       "taiyou",     "kaze",       "yuki",          "ame",
    "natsu",     "haru",        "aki",        "fuyu",       "nekochan",      "wanko",
    "pochi",     "tama",        "shiro",      "kuro",       "hachi"};

constexpr std::string_view kSurnames[] = {
    "sato", "satou", "satoh", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "itou", "itoh",
    "yamamoto", "nakamura", "kobayashi", "kato", "katou", "katoh", "yoshida", "yamada", "sasaki",
    "yamaguchi", "saito", "saitou", "saitoh", "matsumoto", "inoue", "kimura", "hayashi", "shimizu",
    "yamazaki", "yamasaki", "mori", "abe", "ikeda", "hashimoto", "yamashita", "ishikawa",
    "nakajima", "nakashima", "maeda", "fujita", "ogawa", "goto", "gotou", "gotoh", "okada",
    "hasegawa", "murakami", "kondo", "kondou", "kondoh", "ishii", "sakamoto", "endo", "endou",
    "endoh", "aoki", "fujii", "nishimura", "fukuda", "ota", "oota", "ohta", "miura", "fujiwara",
    "okamoto", "matsuda", "nakagawa", "nakano", "harada", "ono", "ohno", "oono", "tamura",
    "takeuchi", "kaneko", "wada", "nakayama", "ishida", "ueda", "morita", "hara", "shibata",
    "sakai", "kudo", "kudou", "yokoyama", "miyazaki", "miyamoto", "uchida", "takagi", "ando",
    "andou", "taniguchi", "maruyama", "imai", "takada", "fujimoto", "takeda", "murata", "ueno",
    "sugiyama", "masuda", "sugawara", "hirano", "otsuka", "ootsuka", "chiba", "kubo", "matsui",
    "iwasaki", "sakurai", "kinoshita", "noguchi", "matsuo", "nomura", "kikuchi", "sano", "onishi",
    "oonishi", "sugimoto", "arai", "hamada", "ichikawa", "furukawa", "mizuno", "komatsu", "shimada",
    "kojima", "takayama", "tsuchiya", "kuwahara", "nishida", "hirata", "kawaguchi", "yoshikawa",
    "honda", "takano", "koyama", "kitamura", "miyata", "kawamura", "oyama", "ohyama", "nakata",
    "nagai", "watanabe", "hoshino", "nishikawa", "okubo", "oshima", "kawakami",
    // Kanji: the twenty most common.
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"};

constexpr std::string_view kGivenNames[] = {
    "taro",   "tarou", "jiro",   "hanako", "ichiro",  "hiroshi", "takashi", "makoto",  "akira",
    "kenji",  "kenta", "shota",  "shouta", "daiki",   "yuto",    "haruto",  "sota",    "souta",
    "ren",    "riku",  "takumi", "yusuke", "yuusuke", "kazuki",  "naoki",   "tomoko",  "yoko",
    "youko",  "keiko", "kyoko",  "yuko",   "yuuko",   "akiko",   "naoko",   "sachiko", "michiko",
    "megumi", "ayaka", "misaki", "yui",    "aoi",     "hina",    "sakura",  "yuna",    "haruka",
    "nanami", "mai",   "ai",     "emi",    "kaori",   "yumi",    "mayumi",  "yoshiko", "kazuko",
    "hiroko", "yuki",  "mika",   "rie",    "saki",    "miki"};

constexpr std::string_view kCommonWords[] = {
    "the",        "and",        "you",        "love",       "life",       "good",   "happy",
    "baby",       "girl",       "boy",        "king",       "queen",      "star",   "moon",
    "sun",        "blue",       "red",        "green",      "pink",       "dog",    "cat",
    "fish",       "bird",       "house",      "home",       "work",       "school", "city",
    "town",       "data",       "file",       "files",      "info",       "new",    "old",
    "one",        "two",        "three",      "four",       "five",       "six",    "seven",
    "eight",      "nine",       "ten",        "ichi",       "ni",         "san",    "yon",
    "shi",        "go",         "roku",       "nana",       "hachi",      "kyu",    "juu",
    "パスワード", "ぱすわーど", "あいしてる", "ありがとう", "こんにちは", "ひみつ", "秘密",
    "東京",       "大阪",       "新潟",       "日本",       "さくら",     "桜"};

struct Word {
  std::u32string text;
  WordKind kind;
};

std::u32string DecodeUtf8Simple(std::string_view s);

const std::vector<Word>& Dictionary() {
  static const std::vector<Word>* words = [] {
    auto* out = new std::vector<Word>;
    std::map<std::u32string, WordKind> seen;  // A word in two lists counts once.
    auto add = [&](std::string_view w, WordKind kind) {
      std::u32string u = DecodeUtf8Simple(w);
      // Two letters or fewer save nothing over counting the characters.
      if (u.size() < 2 || (u.size() < 3 && u[0] < 0x80)) return;
      if (seen.emplace(u, kind).second) out->push_back({u, kind});
    };
    for (auto w : kCommonPasswords) add(w, WordKind::kPassword);
    for (auto w : kSurnames) add(w, WordKind::kSurname);
    for (auto w : kGivenNames) add(w, WordKind::kGivenName);
    for (auto w : kCommonWords) add(w, WordKind::kWord);
    return out;
  }();
  return *words;
}

// ---- Text

// One code point per element; an invalid UTF-8 byte becomes U+DC00 + byte
// (a lone surrogate, which valid UTF-8 never yields), so it still counts.
//
// The code points are working copies of the passphrase: they live in memory
// that is wiped when freed (WipingAllocator), as are the repeat cache's units.
using CodePoints = std::vector<char32_t, WipingAllocator<char32_t>>;
using Unit = std::basic_string<char32_t, std::char_traits<char32_t>, WipingAllocator<char32_t>>;
using UnitCache =
    std::map<Unit, double, std::less<>, WipingAllocator<std::pair<const Unit, double>>>;

struct Text {
  CodePoints cps;
  CodePoints ascii;                   // Full-width ASCII (Ａ, ０) mapped to ASCII.
  CodePoints folded;                  // `ascii` with A-Z lowered.
  std::vector<std::string_view> raw;  // The bytes of each code point.
  size_t size() const { return cps.size(); }
};

void DecodeUtf8(std::string_view s, CodePoints& cps,
                std::vector<std::string_view>& raw) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80             ? 1
                 : (b & 0xE0) == 0xC0 ? 2
                 : (b & 0xF0) == 0xE0 ? 3
                 : (b & 0xF8) == 0xF0 ? 4
                                      : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      len = 1;
      cp = 0xDC00 + b;
    }
    cps.push_back(cp);
    raw.push_back(s.substr(i, len));
    i += len;
  }
}

std::u32string DecodeUtf8Simple(std::string_view s) {
  CodePoints cps;
  std::vector<std::string_view> raw;
  DecodeUtf8(s, cps, raw);
  return std::u32string(cps.begin(), cps.end());
}

char32_t LowerAscii(char32_t c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }
bool IsUpperAscii(char32_t c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerAscii(char32_t c) { return c >= 'a' && c <= 'z'; }
bool IsDigitAscii(char32_t c) { return c >= '0' && c <= '9'; }

Text MakeText(std::string_view s) {
  Text t;
  t.cps.reserve(std::min(s.size(), kMaxAnalyzedCodePoints + 1));
  DecodeUtf8(s, t.cps, t.raw);
  if (t.cps.size() > kMaxAnalyzedCodePoints) {
    t.cps.resize(kMaxAnalyzedCodePoints);
    t.raw.resize(kMaxAnalyzedCodePoints);
  }
  for (char32_t c : t.cps) {
    char32_t a = c >= 0xFF01 && c <= 0xFF5E ? c - 0xFF01 + 0x21 : c == 0x3000 ? U' ' : c;
    t.ascii.push_back(a);
    t.folded.push_back(LowerAscii(a));
  }
  return t;
}

Text Slice(const Text& t, size_t begin, size_t end) {
  Text s;
  s.cps.assign(t.cps.begin() + begin, t.cps.begin() + end);
  s.ascii.assign(t.ascii.begin() + begin, t.ascii.begin() + end);
  s.folded.assign(t.folded.begin() + begin, t.folded.begin() + end);
  s.raw.assign(t.raw.begin() + begin, t.raw.begin() + end);
  return s;
}

// The size of the character class of c (the generator's measure).
int ClassSize(char32_t c) {
  if (IsLowerAscii(c) || IsUpperAscii(c)) return 26;
  if (IsDigitAscii(c)) return 10;
  if (c < 0x80) return 33;  // Punctuation, space (and control characters).
  return 100;
}

double PoolBits(const Text& t) {
  bool lower = false, upper = false, digit = false, punct = false, other = false;
  for (char32_t c : t.cps) {
    if (IsLowerAscii(c)) {
      lower = true;
    } else if (IsUpperAscii(c)) {
      upper = true;
    } else if (IsDigitAscii(c)) {
      digit = true;
    } else if (c < 0x80) {
      punct = true;
    } else {
      other = true;
    }
  }
  int pool =
      (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (punct ? 33 : 0) + (other ? 100 : 0);
  return pool == 0 ? 0 : std::log2(static_cast<double>(pool));
}

// ---- Pieces

struct Piece {
  size_t begin = 0, end = 0;
  double bits = 0;
  std::string why;  // What the passphrase does there, for the message.
};

// Where a weak piece is, never what it is: a refused passphrase may be a
// near miss of one in use, and messages reach the terminal, --json output
// and logs. Positions count characters (code points) from 1.
std::string Quote(size_t begin, size_t end) {
  return end - begin == 1 ? "character " + std::to_string(begin + 1)
                          : "characters " + std::to_string(begin + 1) + "-" + std::to_string(end);
}

bool IsShiftedSymbol(char32_t c) {
  return std::u32string_view(U"~!@#$%^&*()_+{}|:\"<>?`'=").find(c) != std::u32string_view::npos;
}

// The capitals of a piece: 0 bits when all lower case, 1 when all upper or
// only the first or last letter, else log2 of the ways to choose them.
double CaseBits(const Text& t, size_t begin, size_t end, bool count_shifted) {
  int upper = 0, lower = 0;
  size_t first = end, last = end;
  for (size_t i = begin; i < end; ++i) {
    char32_t c = t.ascii[i];
    bool up = IsUpperAscii(c) || (count_shifted && IsShiftedSymbol(c));
    bool low = IsLowerAscii(c) || (count_shifted && c < 0x80 && !up && c != ' ');
    if (up || low) {
      if (first == end) first = i;
      last = i;
    }
    if (up) ++upper;
    if (low) ++lower;
  }
  if (upper == 0) return 0;
  if (lower == 0) return 1;
  if (upper == 1 && (IsUpperAscii(t.ascii[first]) || IsUpperAscii(t.ascii[last]))) return 1;
  double ways = 0, binom = 1;
  const int n = upper + lower;
  for (int k = 1; k <= std::min(upper, lower); ++k) {
    binom = binom * (n - k + 1) / k;
    ways += binom;
  }
  return std::log2(ways);
}

// ---- Dictionary

// Whether the (folded) character c may stand for the letter w.
bool LooksLike(char32_t c, char32_t w) {
  if (c == w) return true;
  switch (c) {
    case '4':
    case '@':
      return w == 'a';
    case '8':
      return w == 'b';
    case '(':
    case '[':
    case '{':
    case '<':
      return w == 'c';
    case '3':
      return w == 'e';
    case '6':
    case '9':
      return w == 'g';
    case '1':
    case '|':
      return w == 'i' || w == 'l';
    case '!':
      return w == 'i';
    case '0':
      return w == 'o';
    case '$':
    case '5':
      return w == 's';
    case '7':
      return w == 't' || w == 'l';
    case '+':
      return w == 't';
    case '%':
      return w == 'x';
    case '2':
      return w == 'z';
    default:
      return false;
  }
}

std::string_view KindName(WordKind kind) {
  switch (kind) {
    case WordKind::kPassword:
      return "a common password";
    case WordKind::kSurname:
      return "a common Japanese surname";
    case WordKind::kGivenName:
      return "a common Japanese given name";
    case WordKind::kWord:
      return "a common word";
  }
  return "a common word";
}

void MatchDictionary(const Text& t, std::vector<Piece>& out) {
  const std::vector<Word>& dict = Dictionary();
  const double list_bits = std::log2(static_cast<double>(dict.size()));
  const size_t n = t.size();
  for (size_t i = 0; i < n; ++i) {
    for (const Word& w : dict) {
      const size_t len = w.text.size();
      if (i + len > n) continue;
      for (bool reversed : {false, true}) {
        int substituted = 0;
        bool match = true;
        for (size_t j = 0; j < len && match; ++j) {
          char32_t want = reversed ? w.text[len - 1 - j] : w.text[j];
          char32_t have = t.folded[i + j];
          if (have != want) {
            match = LooksLike(have, want);
            ++substituted;
          }
        }
        if (!match) continue;
        std::string why =
            "contains " + std::string(KindName(w.kind)) + " (" + Quote(i, i + len) + ")";
        if (reversed) why += " reversed";
        if (substituted > 0) why += " with look-alike characters";
        out.push_back(
            {i, i + len,
             list_bits + CaseBits(t, i, i + len, false) + substituted + (reversed ? 1 : 0),
             std::move(why)});
        if (std::equal(w.text.begin(), w.text.end(), w.text.rbegin())) break;  // A palindrome.
      }
    }
  }
}

// ---- Years and dates

int Digits(const Text& t, size_t begin, size_t count) {
  int v = 0;
  for (size_t i = begin; i < begin + count; ++i) {
    if (i >= t.size() || !IsDigitAscii(t.ascii[i])) return -1;
    v = v * 10 + static_cast<int>(t.ascii[i] - '0');
  }
  return v;
}

bool ValidMonthDay(int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
bool ValidYear(int year) { return year >= 1900 && year <= 2099; }

// A year costs log2 200; a date with a year log2(200 x 366), +1 bit when
// the day may come first or second, +2 for a separator (-/. or space); a
// date with two-digit year log2(100 x 366); a month and day log2 366 + 1.
void MatchDates(const Text& t, std::vector<Piece>& out) {
  const size_t n = t.size();
  const double year_bits = std::log2(200.0);
  const double date_bits = std::log2(200.0 * 366);
  auto add = [&](size_t begin, size_t end, double bits, std::string_view what) {
    out.push_back({begin, end, bits,
                   "contains " + std::string(what) + " (" + Quote(begin, end) + ")"});
  };
  auto day_month = [](int a, int b) { return ValidMonthDay(a, b) || ValidMonthDay(b, a); };
  for (size_t i = 0; i < n; ++i) {
    if (ValidYear(Digits(t, i, 4))) add(i, i + 4, year_bits, "a year");
    // Without separators: YYYYMMDD, DDMMYYYY or MMDDYYYY, YYMMDD, MMDD or DDMM.
    if (Digits(t, i, 8) >= 0) {
      if (ValidYear(Digits(t, i, 4)) && ValidMonthDay(Digits(t, i + 4, 2), Digits(t, i + 6, 2))) {
        add(i, i + 8, date_bits, "a date");
      } else if (ValidYear(Digits(t, i + 4, 4)) &&
                 day_month(Digits(t, i, 2), Digits(t, i + 2, 2))) {
        add(i, i + 8, date_bits + 1, "a date");
      }
    }
    if (Digits(t, i, 6) >= 0 && ValidMonthDay(Digits(t, i + 2, 2), Digits(t, i + 4, 2))) {
      add(i, i + 6, std::log2(100.0 * 366), "a date");
    }
    if (Digits(t, i, 4) >= 0 && day_month(Digits(t, i, 2), Digits(t, i + 2, 2))) {
      add(i, i + 4, std::log2(366.0) + 1, "a month and day");
    }
    // With separators: Y-M-D, D-M-Y, M-D-Y (one or two digits for M and D).
    for (size_t a : {1u, 2u, 4u}) {
      int first = Digits(t, i, a);
      if (first < 0 || i + a >= n) continue;
      char32_t sep = t.ascii[i + a];
      if (sep != '-' && sep != '/' && sep != '.' && sep != ' ') continue;
      for (size_t b : {1u, 2u}) {
        int second = Digits(t, i + a + 1, b);
        size_t at = i + a + 1 + b;
        if (second < 0 || at >= n || t.ascii[at] != sep) continue;
        for (size_t c : (a == 4 ? std::vector<size_t>{1, 2} : std::vector<size_t>{4})) {
          int third = Digits(t, at + 1, c);
          if (third < 0) continue;
          if (a == 4 ? ValidYear(first) && ValidMonthDay(second, third)
                     : ValidYear(third) && day_month(first, second)) {
            add(i, at + 1 + c, date_bits + 2 + (a == 4 ? 0 : 1), "a date");
          }
        }
      }
    }
  }
}

// ---- Sequences and keyboard walks

enum class Layout { kNone, kUs, kJis };
enum class OrderKind { kSequence, kKana, kKeyboardRow, kKeyboard };

struct Ordering {
  OrderKind kind;
  Layout layout;
  std::u32string keys;
  bool circular;
  std::unordered_map<char32_t, int> index;
  std::array<int16_t, 128> ascii_index;  // The same for ASCII, -1 if absent.

  int IndexOf(char32_t c) const {
    if (c < 128) return ascii_index[c];
    auto it = index.find(c);
    return it == index.end() ? -1 : it->second;
  }
};

// The unshifted key of a (lower-cased ASCII) character on a layout.
char32_t BaseKey(Layout layout, char32_t c) {
  static constexpr std::u32string_view kUsShifted = U"~!@#$%^&*()_+{}|:\"<>?";
  static constexpr std::u32string_view kUsBase = U"`1234567890-=[]\\;',./";
  static constexpr std::u32string_view kJisShifted = U"!\"#$%&'()=~|`{+*}<>?_";
  static constexpr std::u32string_view kJisBase = U"123456789-^\\@[;:],./\\";
  if (layout == Layout::kUs) {
    size_t k = kUsShifted.find(c);
    return k == std::u32string_view::npos ? c : kUsBase[k];
  }
  if (layout == Layout::kJis) {
    if (c == U'¥') return '\\';
    size_t k = kJisShifted.find(c);
    return k == std::u32string_view::npos ? c : kJisBase[k];
  }
  return c;
}

const std::vector<Ordering>& Orderings() {
  static const std::vector<Ordering>* all = [] {
    auto* out = new std::vector<Ordering>;
    auto add = [&](OrderKind kind, Layout layout, std::u32string keys, bool circular) {
      for (const Ordering& o : *out) {
        if (o.keys == keys) return;  // A variant that equals another ordering.
      }
      Ordering o{kind, layout, keys, circular, {}, {}};
      o.ascii_index.fill(-1);
      for (size_t i = 0; i < keys.size(); ++i) {
        o.index.emplace(keys[i], static_cast<int>(i));
        if (keys[i] < 128) o.ascii_index[keys[i]] = static_cast<int16_t>(i);
      }
      out->push_back(std::move(o));
    };
    add(OrderKind::kSequence, Layout::kNone, U"0123456789", true);
    {
      std::u32string generator;
      for (char c : kPasswordAlphabet) generator.push_back(LowerAscii(static_cast<char32_t>(c)));
      add(OrderKind::kSequence, Layout::kNone, generator, false);
    }
    add(OrderKind::kKana, Layout::kNone,
        U"あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
        U"をん",
        false);
    add(OrderKind::kKana, Layout::kNone,
        U"アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
        U"ヲン",
        false);
    // Keyboard lines, each also with its punctuation keys skipped and with
    // only its letters: people walking the keys skip the odd ones.
    struct Line {
      OrderKind kind;
      Layout layout;
      std::u32string_view keys;
    };
    const Line lines[] = {
        {OrderKind::kKeyboardRow, Layout::kUs, U"`1234567890-="},
        {OrderKind::kKeyboardRow, Layout::kUs, U"qwertyuiop[]\\"},
        {OrderKind::kKeyboardRow, Layout::kUs, U"asdfghjkl;'"},
        {OrderKind::kKeyboardRow, Layout::kUs, U"zxcvbnm,./"},
        {OrderKind::kKeyboardRow, Layout::kJis, U"1234567890-^\\"},
        {OrderKind::kKeyboardRow, Layout::kJis, U"qwertyuiop@["},
        {OrderKind::kKeyboardRow, Layout::kJis, U"asdfghjkl;:]"},
        {OrderKind::kKeyboardRow, Layout::kJis, U"zxcvbnm,./"},
        // The letter rows one after the other.
        {OrderKind::kKeyboardRow, Layout::kUs, U"qwertyuiopasdfghjklzxcvbnm"},
        // Columns top to bottom, left to right (1qaz2wsx), and the other
        // diagonals (3wa4esz5rdx, walked up as zse4).
        {OrderKind::kKeyboard, Layout::kUs, U"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]"},
        {OrderKind::kKeyboard, Layout::kJis, U"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-@:\\^[]"},
        {OrderKind::kKeyboard, Layout::kUs, U"3wa4esz5rdx6tfc7ygv8uhb9ijn0okm-pl,=[;.]'/"},
        {OrderKind::kKeyboard, Layout::kJis, U"3wa4esz5rdx6tfc7ygv8uhb9ijn0okm-pl,^@;.\\[:/"},
    };
    for (const Line& line : lines) {
      std::u32string keys(line.keys), alnum, letters;
      for (char32_t c : keys) {
        if (IsLowerAscii(c) || IsDigitAscii(c)) alnum.push_back(c);
        if (IsLowerAscii(c)) letters.push_back(c);
      }
      add(line.kind, line.layout, keys, false);
      if (alnum.size() >= 3) add(line.kind, line.layout, alnum, false);
      if (letters.size() >= 3) add(line.kind, line.layout, letters, false);
    }
    return out;
  }();
  return *all;
}

// Step kinds: bit d + 5 for a code point step d in -5..5, then two bits
// (forwards, backwards) per ordering.
constexpr size_t kDeltaKinds = 11;
constexpr size_t kMaxKinds = 128;
using StepSet = std::bitset<kMaxKinds>;

StepSet Steps(const Text& t, size_t from, size_t to) {
  StepSet s;
  const char32_t a = t.folded[from], b = t.folded[to];
  const int64_t d = static_cast<int64_t>(b) - static_cast<int64_t>(a);
  if (d >= -5 && d <= 5) s.set(static_cast<size_t>(d + 5));
  const std::vector<Ordering>& orders = Orderings();
  for (size_t o = 0; o < orders.size(); ++o) {
    const Ordering& ord = orders[o];
    const int x = ord.IndexOf(BaseKey(ord.layout, a));
    const int y = ord.IndexOf(BaseKey(ord.layout, b));
    if (x < 0 || y < 0) continue;
    const int size = static_cast<int>(ord.keys.size());
    if (y == x + 1 || (ord.circular && x == size - 1 && y == 0)) s.set(kDeltaKinds + 2 * o);
    if (y == x - 1 || (ord.circular && x == 0 && y == size - 1)) s.set(kDeltaKinds + 2 * o + 1);
  }
  return s;
}

double OrderingStartBits() {
  static const double bits = [] {
    double starts = 0;
    for (const Ordering& o : Orderings()) starts += 2.0 * static_cast<double>(o.keys.size());
    return std::log2(starts);
  }();
  return bits;
}

// Interleaved runs are counted for plain sequences only (code points, the
// digits, the generator's alphabet): a1b2c3, 1a2b3c, a1a2a3. Allowing
// keyboard lines too would find pairs of them in random letters.
const StepSet& InterleavableSteps() {
  static const StepSet steps = [] {
    StepSet s;
    for (size_t k = 0; k < kDeltaKinds; ++k) s.set(k);
    const std::vector<Ordering>& orders = Orderings();
    for (size_t o = 0; o < orders.size(); ++o) {
      if (orders[o].kind == OrderKind::kSequence) {
        s.set(kDeltaKinds + 2 * o);
        s.set(kDeltaKinds + 2 * o + 1);
      }
    }
    return s;
  }();
  return steps;
}

struct SequenceKind {
  double bits = 0;                        // To choose the start and the kind of step.
  OrderKind kind = OrderKind::kSequence;  // The one the message names.
};

// The cheapest description of a run whose steps all lie in `steps` and
// whose first character is `first`. The message names the most telling
// kind: the kana table, else a plain code point sequence (abcd, 1234), else
// a keyboard row, else another keyboard line.
SequenceKind CheapestKind(const StepSet& steps, char32_t first) {
  SequenceKind best{std::numeric_limits<double>::infinity(), OrderKind::kSequence};
  bool delta = false;
  for (size_t k = 0; k < kDeltaKinds; ++k) delta = delta || steps.test(k);
  if (delta) best.bits = std::log2(static_cast<double>(ClassSize(first)) * kDeltaKinds);
  const std::vector<Ordering>& orders = Orderings();
  bool ordering = false, kana = false, row = false;
  for (size_t o = 0; o < orders.size(); ++o) {
    if (!steps.test(kDeltaKinds + 2 * o) && !steps.test(kDeltaKinds + 2 * o + 1)) continue;
    ordering = true;
    kana = kana || orders[o].kind == OrderKind::kKana;
    row = row || orders[o].kind == OrderKind::kKeyboardRow;
  }
  if (ordering) best.bits = std::min(best.bits, OrderingStartBits());
  if (kana) {
    best.kind = OrderKind::kKana;
  } else if (delta || !ordering) {
    best.kind = OrderKind::kSequence;
  } else {
    bool any_sequence_ordering = false;
    for (size_t o = 0; o < orders.size(); ++o) {
      if ((steps.test(kDeltaKinds + 2 * o) || steps.test(kDeltaKinds + 2 * o + 1)) &&
          orders[o].kind == OrderKind::kSequence) {
        any_sequence_ordering = true;
      }
    }
    best.kind = any_sequence_ordering ? OrderKind::kSequence
                : row                 ? OrderKind::kKeyboardRow
                                      : OrderKind::kKeyboard;
  }
  return best;
}

// Runs along a sequence (stride 1) and two interleaved runs (stride 2).
void MatchSequences(const Text& t, std::vector<Piece>& out) {
  const size_t n = t.size();
  for (size_t stride = 1; stride <= 2; ++stride) {
    // step[b]: the kinds of step from b - stride to b.
    std::vector<StepSet> step(n);
    for (size_t b = stride; b < n; ++b) {
      step[b] = Steps(t, b - stride, b);
      if (stride == 1) step[b].reset(5);  // A step of 0 is a repetition.
      if (stride == 2) step[b] &= InterleavableSteps();
    }
    for (size_t a = 0; a + kMinimumPatternLength * stride <= n; ++a) {
      std::array<StepSet, 2> phase;
      phase[0].set();
      phase[1].set();
      for (size_t b = a + stride; b < n; ++b) {
        StepSet& steps = phase[(b - a) % stride];
        steps &= step[b];
        if (steps.none()) break;
        const size_t len = b + 1 - a;
        if (len < kMinimumPatternLength * stride) continue;
        SequenceKind k0 = CheapestKind(phase[0], t.folded[a]);
        double bits = k0.bits + std::log2(static_cast<double>(len));
        std::string why;
        const bool keyboard = k0.kind == OrderKind::kKeyboard || k0.kind == OrderKind::kKeyboardRow;
        if (stride == 2) {
          bits += CheapestKind(phase[1], t.folded[a + 1]).bits;
          why = "alternates two sequences (" + Quote(a, b + 1) + ")";
        } else if (k0.kind == OrderKind::kKana) {
          why = "follows the kana table (" + Quote(a, b + 1) + ")";
        } else if (k0.kind == OrderKind::kKeyboardRow) {
          why = "follows a keyboard row (" + Quote(a, b + 1) + ")";
        } else if (k0.kind == OrderKind::kKeyboard) {
          why = "follows the keyboard (" + Quote(a, b + 1) + ")";
        } else {
          why = "contains a sequence (" + Quote(a, b + 1) + ")";
        }
        bits += CaseBits(t, a, b + 1, keyboard && stride == 1);
        out.push_back({a, b + 1, bits, std::move(why)});
      }
    }
  }
}

// ---- Segmentation

struct Estimate {
  double bits = 0;
  std::vector<Piece> pieces;  // The chosen pieces that are patterns.
};

// piece_overhead: bits added to every pattern piece (where it starts), for
// the generator's format only (see 1. above).
Estimate Segment(const Text& t, double char_bits, size_t whole, bool with_repeats,
                 double piece_overhead, UnitCache& unit_cache);

// u^k for every primitive unit u (not itself a repetition) and k >= 2.
void MatchRepeats(const Text& t, double char_bits, size_t whole, double piece_overhead,
                  UnitCache& unit_cache, std::vector<Piece>& out) {
  const size_t n = t.size();
  // common[m][i]: how many code points from i equal those m further on.
  std::vector<std::vector<uint16_t>> common(n / 2 + 1);
  for (size_t m = 1; m <= n / 2; ++m) {
    common[m].assign(n + 1, 0);
    for (size_t i = n - m; i-- > 0;) {
      common[m][i] = t.cps[i] == t.cps[i + m] ? static_cast<uint16_t>(common[m][i + 1] + 1) : 0;
    }
  }
  for (size_t m = 1; m <= n / 2; ++m) {
    for (size_t i = 0; i + 2 * m <= n; ++i) {
      if (common[m][i] < m) continue;
      bool primitive = true;
      for (size_t d = 1; d < m && primitive; ++d) {
        if (m % d == 0 && common[d][i] >= m - d) primitive = false;
      }
      if (!primitive) continue;
      const size_t copies = 1 + common[m][i] / m;
      Unit unit(t.cps.begin() + i, t.cps.begin() + i + m);
      auto cached = unit_cache.find(unit);
      double unit_bits;
      if (cached != unit_cache.end()) {
        unit_bits = cached->second;
      } else {
        unit_bits =
            Segment(Slice(t, i, i + m), char_bits, whole, false, piece_overhead, unit_cache).bits;
        unit_cache.emplace(unit, unit_bits);
      }
      for (size_t k = 2; k <= copies; ++k) {
        out.push_back(
            {i, i + m * k, unit_bits + std::log2(static_cast<double>(k)),
             "repeats the piece at " + Quote(i, i + m) + " " + std::to_string(k) + " times"});
      }
    }
  }
}

Estimate Segment(const Text& t, double char_bits, size_t whole, bool with_repeats,
                 double piece_overhead, UnitCache& unit_cache) {
  const size_t n = t.size();
  std::vector<Piece> found;
  MatchDictionary(t, found);
  MatchDates(t, found);
  MatchSequences(t, found);
  if (with_repeats) MatchRepeats(t, char_bits, whole, piece_overhead, unit_cache, found);
  std::vector<std::vector<const Piece*>> ending(n + 1);
  for (const Piece& p : found) ending[p.end].push_back(&p);
  // best[i]: the cheapest cost of the first i code points; via[i]: the piece
  // that ends there in that segmentation (nullptr: a single character).
  std::vector<double> best(n + 1, 0);
  std::vector<const Piece*> via(n + 1, nullptr);
  for (size_t i = 1; i <= n; ++i) {
    best[i] = best[i - 1] + char_bits;
    for (const Piece* p : ending[i]) {
      const double cost = best[p->begin] + p->bits + piece_overhead;
      if (cost < best[i] - 1e-9) {
        best[i] = cost;
        via[i] = p;
      }
    }
  }
  Estimate e;
  e.bits = best[n];
  for (size_t i = n; i > 0;) {
    if (via[i] == nullptr) {
      --i;
      continue;
    }
    e.pieces.push_back(*via[i]);
    i = via[i]->begin;
  }
  std::reverse(e.pieces.begin(), e.pieces.end());
  return e;
}

// The symbols of a passphrase in the generator's format (alphabet symbols,
// hyphens only between non-empty groups), or nothing.
std::optional<std::string> GeneratorSymbols(std::string_view p) {
  if (p.empty() || p.front() == '-' || p.back() == '-') return std::nullopt;
  for (size_t i = 0; i < p.size(); ++i) {
    const bool bad = p[i] == '-' ? p[i - 1] == '-'
                                 : kPasswordAlphabet.find(p[i]) == std::string_view::npos;
    if (bad) return std::nullopt;
  }
  // Copied only once the format is known: no partial copy is dropped unwiped,
  // and no reallocation leaves one behind (the caller wipes this one).
  std::string symbols;
  symbols.reserve(p.size());
  for (char c : p) {
    if (c != '-') symbols.push_back(c);
  }
  return symbols;
}

// The pattern estimate of the symbols of a passphrase in the generator's
// format, charging each pattern log2(symbols) for where it starts: the
// segmentation costs nothing in Segment, which is right for refusing but
// would credit a random draw with every short pattern it happens to hold.
double GeneratedFormatPatternBits(const Text& symbols) {
  UnitCache unit_cache;
  const double symbol_bits = std::log2(static_cast<double>(kPasswordAlphabet.size()));
  const double where = std::log2(static_cast<double>(std::max<size_t>(symbols.size(), 2)));
  return Segment(symbols, symbol_bits, symbols.size(), true, where, unit_cache).bits;
}

PassphraseStrength FromEstimate(const Estimate& e) {
  PassphraseStrength out;
  out.bits = static_cast<int>(std::floor(e.bits + 1e-9));
  for (const Piece& p : e.pieces) {
    if (std::find(out.weaknesses.begin(), out.weaknesses.end(), p.why) == out.weaknesses.end()) {
      out.weaknesses.push_back(p.why);
    }
  }
  return out;
}

}  // namespace

PassphraseStrength EstimatePassphraseStrength(std::string_view passphrase) {
  if (std::optional<std::string> symbols = GeneratorSymbols(passphrase)) {
    Text t = MakeText(*symbols);  // Refers to *symbols.
    const double symbol_bits = std::log2(static_cast<double>(kPasswordAlphabet.size()));
    const double measure = static_cast<double>(t.size()) * symbol_bits;
    PassphraseStrength out;
    if (measure - GeneratedFormatPatternBits(t) < kGeneratedSlackBits) {
      out.bits = static_cast<int>(std::floor(measure + 1e-9));
    } else {
      UnitCache unit_cache;
      out = FromEstimate(Segment(t, symbol_bits, t.size(), true, 0, unit_cache));
    }
    WipeMemory(symbols->data(), symbols->size());
    return out;
  }
  Text t = MakeText(passphrase);
  UnitCache unit_cache;
  return FromEstimate(Segment(t, PoolBits(t), t.size(), true, 0, unit_cache));
}

Status CheckPassphraseStrength(const SecretString& passphrase, int min_bits) {
  if (passphrase.empty()) return InvalidArgumentError("the passphrase is empty");
  PassphraseStrength s = EstimatePassphraseStrength(passphrase.view());
  if (s.bits >= min_bits) return Status::Ok();
  std::string why;
  if (s.weaknesses.empty()) {
    why = "; it is too short for the characters it uses";
  } else {
    why = "; it ";
    for (size_t i = 0; i < s.weaknesses.size(); ++i) {
      if (i > 0) why += i + 1 == s.weaknesses.size() ? " and " : ", ";
      why += s.weaknesses[i];
    }
  }
  return InvalidArgumentError(
      "this passphrase is too weak: about " + std::to_string(s.bits) +
      " bits by custody's estimate, at least " + std::to_string(min_bits) + " needed" + why +
      ". Use `custody password generate` for one that is strong and easy to read aloud");
}

}  // namespace custody
