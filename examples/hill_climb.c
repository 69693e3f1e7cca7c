// hill_climb.c: an example learner plug-in, a (1 + lambda) evolution strategy with the 1/5
// success rule (Rechenberg 1973; Beyer & Schwefel 2002): robots sample around the best episode
// the pool has seen, and the search widens when a round beats it often and narrows when it
// rarely does. It needs only include/suturefleet/learner.h:
//
//   cc -shared -fPIC -O2 -I include examples/hill_climb.c -o hill_climb.so -lm
//   suturefleet run --learner ./hill_climb.so
//
// A learner is a pure function of the calls it sees: no clock, no random numbers of its own
// (the host hands sample its draws z), no global state (everything lives in the state).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <suturefleet/learner.h>

// a pool's state
typedef struct hcState_ {
  int n;                         // values learned
  double best[SFL_MAX_VALUES];   // the best episode's values so far (the prior mean at first)
  double best_score;             // its score (-inf before any)
  double sd[SFL_MAX_VALUES];     // search SD per value
  double floor[SFL_MAX_VALUES];  // the smallest SD (0.2 % of the range)
} hcState;

static void* hc_create(const sflSkill* skill) {
  hcState* s = calloc(1, sizeof(hcState));
  if (!s) return NULL;
  s->n = skill->n;
  s->best_score = -INFINITY;
  for (int i = 0; i < skill->n; i++) {
    s->best[i] = skill->mean[i];
    s->sd[i] = skill->sd[i];
    s->floor[i] = 0.002 * (skill->hi[i] - skill->lo[i]);
  }
  return s;
}

// around the best so far
static void hc_sample(const void* state, const double* z, double* x) {
  const hcState* s = state;
  for (int i = 0; i < s->n; i++) x[i] = s->best[i] + s->sd[i] * z[i];
}

// the round's best replaces the best so far if it beats it; the share of the round that did
// sets the step: more than 1/5 widens it, fewer narrows it
static void hc_update(void* state, const sflEpisode* ep, int n, long pooled) {
  (void)pooled;
  hcState* s = state;
  int better = 0, top = 0;
  for (int k = 0; k < n; k++) {
    if (ep[k].score > s->best_score) better++;
    if (ep[k].score > ep[top].score) top = k;
  }
  if (ep[top].score > s->best_score) {
    s->best_score = ep[top].score;
    memcpy(s->best, ep[top].x, sizeof(double) * (size_t)s->n);
  }
  double factor = exp(((double)better / n - 0.2) / 0.8 * 0.5);
  for (int i = 0; i < s->n; i++) s->sd[i] = fmax(s->floor[i], s->sd[i] * factor);
}

static void hc_describe(const void* state, double* mean, double* sd) {
  const hcState* s = state;
  memcpy(mean, s->best, sizeof(double) * (size_t)s->n);
  memcpy(sd, s->sd, sizeof(double) * (size_t)s->n);
}

static void hc_destroy(void* state) {
  free(state);
}

static const sflLearner kHillClimb = {
    .abi_version = SFL_ABI_VERSION,
    .size = sizeof(sflLearner),
    .name = "hill-climb",
    .description = "(1 + lambda) evolution strategy around the best episode so far, 1/5 rule",
    .create = hc_create,
    .sample = hc_sample,
    .update = hc_update,
    .describe = hc_describe,
    .destroy = hc_destroy,
};

SFL_EXPORT const sflLearner* suturefleet_learner_entry(void) {
  return &kHillClimb;
}
