// fuzz_config.c: libFuzzer harness for the INI configuration parser (sim/config.c).
//
// The input, cut to SF_FUZZ_CONFIG_MAX bytes and NUL-terminated, is applied to the defaults
// with sf_config_load_text, then checked with sf_config_check. Besides memory and UB errors the
// harness aborts when a contract is broken:
// - a failure is SF_ERR_INPUT with a message naming the origin; a success leaves no message;
// - loading the same text twice gives the same configuration (no hidden state);
// - a configuration that sf_config_check_text accepts reads back from its own text
//   (sf_config_text) to the same settings and the same text, and passes sf_config_check again.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config.h"

#define SF_FUZZ_CONFIG_MAX 65536  // longest input tried (bytes)
#define SF_FUZZ_ORIGIN "fuzz.ini"

// the settings that sf_config_text records agree
static int sf_fuzz_same(const sfRunConfig* a, const sfRunConfig* b) {
  if (a->robots != b->robots || a->rounds != b->rounds || a->seed != b->seed ||
      a->stitches != b->stitches || a->njoin != b->njoin || a->mode != b->mode ||
      a->record_every != b->record_every) {
    return 0;
  }
  for (int i = 0; i < a->njoin; i++) {
    if (a->join_count[i] != b->join_count[i] || a->join_round[i] != b->join_round[i]) return 0;
  }
  return !strcmp(a->controller, b->controller) && !strcmp(a->model, b->model) &&
         !strcmp(a->from, b->from);
}

// load text into fresh defaults; the status, with the error contract checked
static sftStatus sf_fuzz_load(const char* text, sfRunConfig* c) {
  sfError e = {{0}};
  sf_config_defaults(c);
  sftStatus st = sf_config_load_text(c, text, SF_FUZZ_ORIGIN, &e);
  if (st != SF_OK) {
    SF_FUZZ_EXPECT(st == SF_ERR_INPUT && strstr(e.msg, SF_FUZZ_ORIGIN));
  } else {
    SF_FUZZ_EXPECT(!e.msg[0]);
  }
  return st;
}

// a checked configuration's text reads back to itself
static void sf_fuzz_round_trip(const sfRunConfig* c) {
  sfError e = {{0}};
  if (sf_config_check_text(c, &e) != SF_OK) {
    SF_FUZZ_EXPECT(e.msg[0]);
    return;
  }
  size_t n = 4 * 4096 + 4096;
  char* text = malloc(n);
  char* again = malloc(n);
  SF_ASSERT(text && again);
  sf_config_text(c, text, n);
  sfRunConfig back;
  SF_FUZZ_EXPECT(sf_fuzz_load(text, &back) == SF_OK);
  SF_FUZZ_EXPECT(sf_fuzz_same(c, &back));
  SF_FUZZ_EXPECT(sf_config_check(&back, &e) == SF_OK);
  sf_config_text(&back, again, n);
  SF_FUZZ_EXPECT(!strcmp(text, again));
  free(text);
  free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // the input as NUL-terminated text
  if (size > SF_FUZZ_CONFIG_MAX) size = SF_FUZZ_CONFIG_MAX;
  char* text = malloc(size + 1);
  SF_ASSERT(text);
  memcpy(text, data, size);
  text[size] = 0;

  // load, load again, check, round trip
  sfRunConfig c, twice;
  sftStatus st = sf_fuzz_load(text, &c);
  SF_FUZZ_EXPECT(sf_fuzz_load(text, &twice) == st);
  if (st == SF_OK) {
    SF_FUZZ_EXPECT(sf_fuzz_same(&c, &twice));
    sfError e = {{0}};
    st = sf_config_check(&c, &e);
    SF_FUZZ_EXPECT(st == SF_OK ? !e.msg[0] : st == SF_ERR_INPUT && e.msg[0]);
  }
  if (st == SF_OK) sf_fuzz_round_trip(&c);
  free(text);
  return 0;
}
