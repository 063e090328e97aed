/*
 * A file's word summary (see src/project/word-summary.ts, which also holds the
 * JavaScript fallback this must agree with bit for bit): a Bloom filter of the
 * words of a file the pre-filter skipped, made from its bytes in the same pass
 * that read them, so that later name searches need not read the file again.
 *
 * The words are what NameSearch's ASCII regex sees in the bytes read as
 * latin-1: maximal runs of [A-Za-z0-9_], and a run followed by blanks (JS `\s`
 * in latin-1: \t \n \v \f \r, space, 0xA0) and `(` also as a called word
 * (hashed with the `(`). Each distinct word sets K bits, by double hashing of
 * its FNV-1a hash. Byte 0 holds the flags: a star import (`import *`) and a
 * byte outside ASCII. Done in JavaScript, the scan cost more than reading the
 * file again; here it is a small part of the read.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_STAR_IMPORT 1
#define SUMMARY_NOT_ASCII 2
/* Bits per distinct word, and bits set per word: about 0.06% false positives per name searched (see word-summary.ts). */
#define SUMMARY_BITS_PER_WORD 16
#define SUMMARY_HASHES 8
#define SUMMARY_MIN_BITS 64

/* Each byte's class: a word character (`\w`: ASCII letters, digits, `_`), a blank (JavaScript's `\s` among latin-1 characters: \t \n \v \f \r, space, 0xA0). */
#define WORD_BYTE 1
#define BLANK_BYTE 2
#define W WORD_BYTE
#define B BLANK_BYTE
static const uint8_t byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, B, B, B, B, B, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
    W, W, W, W, W, W, W, W, W, W, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x40 */
    W, W, W, W, W, W, W, W, W, W, W, 0, 0, 0, 0, W, /* 0x50 */
    0, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* 0x60 */
    W, W, W, W, W, W, W, W, W, W, W, 0, 0, 0, 0, 0, /* 0x70 */
    [0xa0] = B,
};
#undef W
#undef B

static inline bool word_byte(uint8_t c) { return byte_class[c] & WORD_BYTE; }
static inline bool blank_byte(uint8_t c) { return byte_class[c] & BLANK_BYTE; }

/* A set of distinct 32-bit word hashes (0 marks an empty slot: a hash of 0 is taken as 1, in JavaScript too). */
typedef struct {
  uint32_t *slots;
  uint32_t mask;
  uint32_t count;
} HashSet;

static bool set_add(HashSet *set, uint32_t hash) {
  if ((set->count + 1) * 2 > set->mask + 1) {
    uint32_t capacity = (set->mask + 1) * 2;
    uint32_t *slots = calloc(capacity, sizeof(uint32_t));
    if (!slots) return false;
    for (uint32_t i = 0; i <= set->mask; i++) {
      uint32_t h = set->slots[i];
      if (!h) continue;
      uint32_t j = h & (capacity - 1);
      while (slots[j]) j = (j + 1) & (capacity - 1);
      slots[j] = h;
    }
    free(set->slots);
    set->slots = slots;
    set->mask = capacity - 1;
  }
  uint32_t j = hash & set->mask;
  while (set->slots[j]) {
    if (set->slots[j] == hash) return true;
    j = (j + 1) & set->mask;
  }
  set->slots[j] = hash;
  set->count++;
  return true;
}

static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static napi_value summary_fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* wordSummary(bytes: Uint8Array): string, one latin-1 character per byte of the summary. */
napi_value word_summary(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return summary_fail(env, "wordSummary: expected bytes");
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return summary_fail(env, "wordSummary: expected a Uint8Array");
  }
  const uint8_t *bytes = data;
  // Sized so that most files never grow it (about one distinct word per 40 bytes in the standard library).
  uint32_t capacity = 256;
  while (capacity < (1u << 20) && (size_t)capacity * 16 < length) capacity *= 2;
  HashSet set = {calloc(capacity, sizeof(uint32_t)), capacity - 1, 0};
  if (!set.slots) return summary_fail(env, "wordSummary: out of memory");
  uint8_t flags = 0;
  size_t i = 0;
  while (i < length) {
    uint8_t c = bytes[i];
    if (!word_byte(c)) {
      if (c >= 0x80) flags |= SUMMARY_NOT_ASCII;
      i++;
      continue;
    }
    size_t start = i;
    uint32_t h = 2166136261u;
    while (i < length && word_byte(bytes[i])) {
      h = (h ^ bytes[i]) * 16777619u;
      i++;
    }
    bool ok = set_add(&set, h ? h : 1);
    size_t j = i;
    while (j < length && blank_byte(bytes[j])) j++;
    if (j < length && bytes[j] == '(') {
      uint32_t called = (h ^ '(') * 16777619u;
      ok = ok && set_add(&set, called ? called : 1);
    }
    if (!ok) {
      free(set.slots);
      return summary_fail(env, "wordSummary: out of memory");
    }
    if (i - start == 6 && memcmp(bytes + start, "import", 6) == 0) {
      size_t k = i;
      while (k < length && (bytes[k] == ' ' || bytes[k] == '\t')) k++;
      if (k < length && bytes[k] == '*') flags |= SUMMARY_STAR_IMPORT;
    }
  }
  uint64_t wanted = (uint64_t)set.count * SUMMARY_BITS_PER_WORD;
  uint32_t bits = wanted < SUMMARY_MIN_BITS ? SUMMARY_MIN_BITS : (uint32_t)((wanted + 7) / 8 * 8);
  size_t size = 1 + bits / 8;
  char *summary = calloc(size, 1);
  if (!summary) {
    free(set.slots);
    return summary_fail(env, "wordSummary: out of memory");
  }
  summary[0] = (char)flags;
  uint8_t *filter = (uint8_t *)summary + 1;
  for (uint32_t s = 0; s <= set.mask; s++) {
    uint32_t h = set.slots[s];
    if (!h) continue;
    uint32_t a = fmix32(h), b = fmix32(h + 0x9e3779b9u) | 1u;
    for (uint32_t k = 0; k < SUMMARY_HASHES; k++) {
      uint32_t bit = (a + k * b) % bits;
      filter[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
  }
  free(set.slots);
  napi_value result;
  napi_status status = napi_create_string_latin1(env, summary, size, &result);
  free(summary);
  return status == napi_ok ? result : summary_fail(env, "wordSummary: could not make the string");
}
