// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
#include "common/shared_library.h"

#include <gtest/gtest.h>
#include <libcryptsetup.h>

#include <cerrno>
#include <string>

namespace custody {
namespace {

TEST(SharedLibraryTest, AMissingLibraryNamesItsPurposeAndDebianPackage) {
  auto lib = SharedLibrary::Open("libcustody-no-such-library.so.7", "libcustody-nothing7", "Testing the loader");
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), StatusCode::kFailedPrecondition);
  const std::string m = lib.status().message();
  EXPECT_NE(m.find("Testing the loader needs the shared library libcustody-no-such-library.so.7"), std::string::npos)
      << m;
  EXPECT_NE(m.find("apt-get install libcustody-nothing7"), std::string::npos) << m;
  EXPECT_NE(m.find("cannot open shared object file"), std::string::npos) << m;  // dlerror()'s reason.
}

// The library LUKS crypto-erase opens at run time: the table's way of
// binding gives a function that works, typed as the header declares it.
TEST(SharedLibraryTest, BindsAFunctionThatWorks) {
  auto lib = SharedLibrary::Open("libcryptsetup.so.12", "libcryptsetup12", "LUKS crypto-erase");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  decltype(&::crypt_keyslot_max) keyslot_max = nullptr;
  ASSERT_TRUE(lib->Bind("crypt_keyslot_max", &keyslot_max).ok());
  ASSERT_NE(keyslot_max, nullptr);
  EXPECT_EQ(keyslot_max(CRYPT_LUKS1), 8);  // Fixed by the LUKS1 on-disk format.
  EXPECT_EQ(keyslot_max("not a LUKS type"), -EINVAL);
  EXPECT_EQ(lib->soname(), "libcryptsetup.so.12");
}

TEST(SharedLibraryTest, AMissingFunctionNamesTheFunctionAndThePackage) {
  auto lib = SharedLibrary::Open("libcryptsetup.so.12", "libcryptsetup12", "LUKS crypto-erase");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  int (*missing)(int) = nullptr;
  Status s = lib->Bind("crypt_custody_no_such_function", &missing);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("libcryptsetup.so.12 has no function crypt_custody_no_such_function"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("apt-get install libcryptsetup12"), std::string::npos) << s.message();
  EXPECT_EQ(missing, nullptr);
}

}  // namespace
}  // namespace custody
