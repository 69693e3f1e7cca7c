// policy.c: cross-entropy updates of the shared skill, per-robot aim corrections, sampling.
#include "policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "rng.h"

double sf_policy_score(int success, double throws_ok_share, double closure, double trauma_mm2,
                       double entry_err_mm, double exit_err_mm, double tip_out_mm, double time_s,
                       int dropped) {
  double entry = isnan(entry_err_mm) ? 10 : fmin(entry_err_mm, 10);
  double exit = isnan(exit_err_mm) ? 10 : fmin(exit_err_mm, 10);
  double short_mm = isnan(tip_out_mm) ? 5 : fmax(0, 5 - tip_out_mm);
  double closed = isnan(closure) ? 0 : closure;
  return 10.0 * success + 3.0 * throws_ok_share + 3.0 * closed - 3.0 * log1p(trauma_mm2) -
         0.5 * (entry + exit) - short_mm - 0.1 * time_s - 5.0 * dropped;
}

// the time an episode is ranked by: its completion time; for one that ran out of time after
// pulling some throws through, the time all its throws would have taken at their pace, the
// limit or more (a pace slower than the limit allows ranks below a faster one: with the limit
// for every unfinished episode, a fleet settled on a drive too slow to finish,
// studies/results/handover.md, seed 4); an episode that ended otherwise (gave up, dropped, ...)
// keeps the limit
static double sf_policy_time(const sfEpisodeResult* r) {
  double sum = 0;
  for (int i = 0; i < r->throws_done && i < r->stitches; i++) sum += r->throw_time_s[i];
  if (r->completed || r->throws_done <= 0 || r->end_reason != SF_END_TIME) return r->time_s;
  return fmax(r->time_s, r->stitches * sum / r->throws_done);
}

double sf_policy_result_score(const sfEpisodeResult* r) {
  return sf_policy_score(r->success, (double)r->throws_ok / r->stitches, r->closure, r->trauma_mm2,
                         r->entry_err_mm, r->exit_err_mm, r->tip_out_mm, sf_policy_time(r),
                         r->dropped);
}

void sf_knowledge_prior(const sfSkillDef* def, sfKnowledge* k) {
  memset(k, 0, sizeof(*k));
  k->n = def->n;
  for (int i = 0; i < def->n; i++) {
    k->mean[i] = def->prior_mean[i];
    k->sd[i] = def->prior_sd[i];
  }
}

void sf_knowledge_update(const sfSkillDef* def, const sfKnowledge* prev,
                         const sfEpisodeRecord* recs, int m, long pooled, sfKnowledge* next) {
  *next = *prev;
  if (m <= 0) return;
  double n = (double)pooled;

  // rank the window's episodes, best first (ties: the later record first)
  double* score = SF_CALLOC(m, sizeof(double));
  int* rank = SF_CALLOC(m, sizeof(int));
  for (int i = 0; i < m; i++) score[i] = recs[i].score;
  sf_order_desc(score, m, rank);
  free(score);
  int ne = (int)ceil(SF_CEM_ELITE * m);
  if (ne < 1) ne = 1;

  // elite mean and SD of every shared value, blended into the previous knowledge
  for (int i = 0; i < def->n; i++) {
    if (sf_skill_is_aim(def, i)) continue;
    double mean = 0, var = 0;
    for (int e = 0; e < ne; e++) mean += recs[rank[e]].theta[i];
    mean /= ne;
    for (int e = 0; e < ne; e++) {
      double d = recs[rank[e]].theta[i] - mean;
      var += d * d;
    }
    double sd = ne > 1 ? sqrt(var / (ne - 1)) : prev->sd[i];
    double range = def->hi[i] - def->lo[i];
    double noise = SF_CEM_NOISE * range * exp(-n / SF_CEM_NOISE_EPISODES);
    double blend = (1 - SF_CEM_ALPHA_SD) * prev->sd[i] + SF_CEM_ALPHA_SD * sd;
    next->mean[i] = (1 - SF_CEM_ALPHA) * prev->mean[i] + SF_CEM_ALPHA * mean;
    double cap = def->prior_sd[i] * fmax(SF_CEM_ANNEAL_MIN, exp(-n / SF_CEM_ANNEAL));
    next->sd[i] = fmax(SF_CEM_MIN_SD * range, fmin(cap, sqrt(blend * blend + noise * noise)));
  }
  free(rank);
}

int sf_policy_aim(const sfSkillDef* def, const sfEpisodeRecord* recs, int n,
                  const double fallback[3], double aim[3]) {
  aim[0] = aim[1] = aim[2] = 0;
  if (!def->has_aim) return 0;

  // the correction each episode suggests: the one it used minus where the tip went
  int used = 0;
  for (int e = n - 1; e >= 0 && used < SF_AIM_WINDOW; e--) {
    const sfEpisodeRecord* r = &recs[e];
    if (!r->has_offsets) continue;
    double along = 0.5 * (r->entry_off_mm[0] + r->exit_off_mm[0]);
    double across = 0.5 * (r->entry_off_mm[1] + r->exit_off_mm[1]);
    double chord = r->exit_off_mm[1] - r->entry_off_mm[1];
    aim[0] += r->theta[def->aim[0]] - along;
    aim[1] += r->theta[def->aim[1]] - across;
    aim[2] += r->theta[def->aim[2]] + def->aim_z_per_chord * chord;
    used++;
  }
  for (int i = 0; i < 3; i++) aim[i] = used ? aim[i] / used : fallback[i];
  return used;
}

void sf_policy_sample(const sfSkillDef* def, const sfKnowledge* k, const double aim[3],
                      uint64_t seed, uint32_t key, uint32_t round, double* theta) {
  sfRng r;
  sf_rng_init(&r, seed, key, round, SF_STREAM_SKILL);
  for (int i = 0; i < def->n; i++) {
    double z = sf_rng_normal(&r);
    double v = k->mean[i] + k->sd[i] * z;
    for (int a = 0; def->has_aim && a < 3; a++) {
      if (i == def->aim[a]) v = aim[a];
    }
    theta[i] = fmin(def->hi[i], fmax(def->lo[i], v));
  }
}

// the cem learner's state: the learned values as a skill of their own, the knowledge, and every
// episode's values and score (the window of a later round may reach back further than this
// round's: joiners widen it)
typedef struct sfCem_ {
  sfSkillDef def;  // the learned values (no aim values)
  sfKnowledge k;   // the knowledge so far
  int solo;        // the pool is one solo robot's
  double* x;       // every episode's values (n each), oldest first
  double* score;   //   and score
  long nrec, cap;  // episodes held, room
} sfCem;

static void* sf_cem_create(const sflSkill* skill) {
  sfCem* c = SF_CALLOC(1, sizeof(sfCem));
  c->def.n = c->k.n = skill->n;
  for (int i = 0; i < skill->n; i++) {
    c->def.lo[i] = skill->lo[i], c->def.hi[i] = skill->hi[i];
    c->def.prior_sd[i] = skill->prior_sd[i];
    c->k.mean[i] = skill->mean[i], c->k.sd[i] = skill->sd[i];
  }
  c->solo = skill->solo;
  return c;
}

static void sf_cem_sample(const void* state, const double* z, double* x) {
  const sfCem* c = state;
  for (int i = 0; i < c->k.n; i++) x[i] = c->k.mean[i] + c->k.sd[i] * z[i];
}

static void sf_cem_update(void* state, const sflEpisode* ep, int n, long pooled) {
  sfCem* c = state;
  int nx = c->k.n;

  // remember the round's episodes
  if (c->nrec + n > c->cap) {
    c->cap = 2 * (c->nrec + n);
    c->x = SF_REALLOC(c->x, (size_t)c->cap * (size_t)nx, sizeof(double));
    c->score = SF_REALLOC(c->score, c->cap, sizeof(double));
  }
  for (int j = 0; j < n; j++, c->nrec++) {
    memcpy(c->x + c->nrec * nx, ep[j].x, (size_t)nx * sizeof(double));
    c->score[c->nrec] = ep[j].score;
  }

  // the window (a solo robot's last episodes, or two per robot of the fleet's round) and the
  // CEM step over it
  long window = c->solo ? SF_SOLO_WINDOW : SF_FLEET_WINDOW_PER * (n > 2 ? n : 2);
  int m = (int)(c->nrec < window ? c->nrec : window);
  sfEpisodeRecord* recs = SF_CALLOC(m, sizeof(sfEpisodeRecord));
  for (int j = 0; j < m; j++) {
    long r = c->nrec - m + j;
    memcpy(recs[j].theta, c->x + r * nx, (size_t)nx * sizeof(double));
    recs[j].score = c->score[r];
  }
  sfKnowledge next;
  sf_knowledge_update(&c->def, &c->k, recs, m, pooled, &next);
  c->k = next;
  free(recs);
}

static void sf_cem_describe(const void* state, double* mean, double* sd) {
  const sfCem* c = state;
  memcpy(mean, c->k.mean, (size_t)c->k.n * sizeof(double));
  memcpy(sd, c->k.sd, (size_t)c->k.n * sizeof(double));
}

static void sf_cem_destroy(void* state) {
  sfCem* c = state;
  if (!c) return;
  free(c->x);
  free(c->score);
  free(c);
}

const sflLearner* sf_learner_cem(void) {
  static const sflLearner t = {
      .abi_version = SFL_ABI_VERSION,
      .size = sizeof(sflLearner),
      .name = "cem",
      .description =
          "cross-entropy method over the elite 20 % of a recent window, annealed by "
          "episodes pooled (the learner before issue 15)",
      .create = sf_cem_create,
      .sample = sf_cem_sample,
      .update = sf_cem_update,
      .describe = sf_cem_describe,
      .destroy = sf_cem_destroy,
  };
  return &t;
}
