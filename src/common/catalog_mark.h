// Copyright 2026 The custody Authors. SPDX-License-Identifier: Apache-2.0
//
// N_(pattern) marks a constant English sentence pattern for an interface's
// message catalog: xgettext --keyword=N_ extracts it from the library files
// that cmake/i18n.cmake lists. It expands to the pattern itself: the library
// has no gettext and no interface language; it keeps the pattern and its
// values apart (custody/message_text.h) so that an interface can translate.
// Internal: never include it from a public header (N_ is a common macro name).
#ifndef CUSTODY_SRC_COMMON_CATALOG_MARK_H_
#define CUSTODY_SRC_COMMON_CATALOG_MARK_H_

#define N_(pattern) pattern

#endif  // CUSTODY_SRC_COMMON_CATALOG_MARK_H_
