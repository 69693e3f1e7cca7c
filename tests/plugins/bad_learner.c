// bad_learner.c: a test learner plug-in whose table has one defect, chosen when it is built by
// defining one BAD_* macro (tests/CMakeLists.txt builds one plug-in per defect); with none it
// is a valid learner (learner_ok: the mean moves halfway to the round's best episode, the SD
// halves, down to a floor), so each refusal is caused by its defect alone. IMPURE builds a
// learner that is not a pure function of its calls: its mean drifts with the clock, as a
// learner reading the time or a random source of its own would, so a resumed run cannot replay
// it.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <suturefleet/learner.h>

typedef struct blState_ {
  int n;
  double mean[SFL_MAX_VALUES];
  double sd[SFL_MAX_VALUES];
} blState;

#ifdef IMPURE
#include <time.h>
#endif

__attribute__((unused)) static void* bl_create(const sflSkill* skill) {
  blState* s = calloc(1, sizeof(blState));
  if (!s) return NULL;
  s->n = skill->n;
  memcpy(s->mean, skill->mean, sizeof(double) * (size_t)skill->n);
  memcpy(s->sd, skill->sd, sizeof(double) * (size_t)skill->n);
  return s;
}

__attribute__((unused)) static void bl_sample(const void* state, const double* z, double* x) {
  const blState* s = state;
  for (int i = 0; i < s->n; i++) x[i] = s->mean[i] + s->sd[i] * z[i];
}

__attribute__((unused)) static void bl_update(void* state, const sflEpisode* ep, int n,
                                              long pooled) {
  (void)pooled;
  blState* s = state;
  int best = 0;
  for (int k = 1; k < n; k++) best = ep[k].score > ep[best].score ? k : best;
  for (int i = 0; i < s->n; i++) {
    s->mean[i] = 0.5 * (s->mean[i] + ep[best].x[i]);
    s->sd[i] = fmax(0.05 * s->sd[i] + 0.01, 0.5 * s->sd[i]);
  }
#ifdef IMPURE
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  s->mean[0] += 1e-6 * (double)(t.tv_nsec % 1000 + 1);
#endif
}

__attribute__((unused)) static void bl_describe(const void* state, double* mean, double* sd) {
  const blState* s = state;
  memcpy(mean, s->mean, sizeof(double) * (size_t)s->n);
  memcpy(sd, s->sd, sizeof(double) * (size_t)s->n);
}

__attribute__((unused)) static void bl_destroy(void* state) {
  free(state);
}

__attribute__((unused)) static const sflLearner kTable = {
#ifdef BAD_ABI_VERSION
    .abi_version = 99,
#else
    .abi_version = SFL_ABI_VERSION,
#endif
#ifdef BAD_SMALL_TABLE
    .size = 8,
#else
    .size = sizeof(sflLearner),
#endif
#ifdef BAD_NAME
    .name = "no spaces allowed",
#else
    .name = "learner-ok",
#endif
    .description = "a test learner",
#ifndef BAD_NO_CREATE
    .create = bl_create,
#endif
#ifndef BAD_NO_SAMPLE
    .sample = bl_sample,
#endif
#ifndef BAD_NO_UPDATE
    .update = bl_update,
#endif
#ifndef BAD_NO_DESCRIBE
    .describe = bl_describe,
#endif
    .destroy = bl_destroy,
};

SFL_EXPORT const sflLearner* suturefleet_learner_entry(void) {
#ifdef BAD_NULL_ENTRY
  return NULL;
#else
  return &kTable;
#endif
}
