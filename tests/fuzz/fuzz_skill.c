// fuzz_skill.c: libFuzzer harness for the skill-file parser (sim/skill.c) with the built-in
// scripted-arc controller's skill definition.
//
// The input, cut to SF_FUZZ_SKILL_MAX bytes, is read as a skill file's text by sf_skill_read
// from a memory stream (the same code sf_skill_load runs on a file). Besides memory and UB
// errors the harness aborts when the contract is broken:
// - a failure is SF_ERR_INPUT with a message naming the file, and theta is untouched;
// - a success leaves no message and writes exactly def->n values, each within its bounds;
// - text with a NUL byte is refused (the rest of its line was once silently dropped).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "controller.h"
#include "skill.h"

#define SF_FUZZ_SKILL_MAX 65536  // longest input tried (bytes)
#define SF_FUZZ_PATH "fuzz-skill.txt"
#define SF_FUZZ_SENTINEL 12345.0  // theta before the call

// scripted-arc's skill definition (a built-in loads no file: opened once, never closed)
static const sfSkillDef* sf_fuzz_def(void) {
  static sfController c;
  sfError e = {{0}};
  if (!c.api) SF_ASSERT(sf_controller_open("scripted-arc", &c, &e) == SF_OK);
  return &c.skill;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // the input as a stream (fmemopen wants a buffer of at least one byte)
  const sfSkillDef* def = sf_fuzz_def();
  if (size > SF_FUZZ_SKILL_MAX) size = SF_FUZZ_SKILL_MAX;
  char* buf = malloc(size + 1);
  SF_ASSERT(buf);
  memcpy(buf, data, size);
  buf[size] = 0;
  FILE* f = size ? fmemopen(buf, size, "r") : fopen("/dev/null", "r");
  SF_ASSERT(f);

  // read, then check the contract
  double theta[SF_MAX_THETA + 1];
  for (int i = 0; i <= SF_MAX_THETA; i++) theta[i] = SF_FUZZ_SENTINEL;
  sfError e = {{0}};
  sftStatus st = sf_skill_read(def, f, SF_FUZZ_PATH, theta, &e);
  fclose(f);
  if (memchr(buf, 0, size)) SF_FUZZ_EXPECT(st != SF_OK);
  if (st != SF_OK) {
    SF_FUZZ_EXPECT(st == SF_ERR_INPUT && strstr(e.msg, "skill file '" SF_FUZZ_PATH "'"));
    for (int i = 0; i <= SF_MAX_THETA; i++) SF_FUZZ_EXPECT(theta[i] == SF_FUZZ_SENTINEL);
  } else {
    SF_FUZZ_EXPECT(!e.msg[0]);
    SF_FUZZ_EXPECT(sf_skill_check(def, theta, def->n, "theta", &e) == SF_OK);
    for (int i = def->n; i <= SF_MAX_THETA; i++) SF_FUZZ_EXPECT(theta[i] == SF_FUZZ_SENTINEL);
  }
  free(buf);
  return 0;
}
