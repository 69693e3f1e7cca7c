// learner.c: the learner registry, table checks, plug-in loading, and pools.
#include "learner.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaes.h"
#include "elite.h"
#include "rng.h"

// the size of a version 1 table: everything up to and including destroy
#define SF_LEARNER_V1_SIZE (offsetof(sflLearner, destroy) + sizeof(void (*)(void*)))

// how learner plug-ins are loaded
static const sfPluginKind kLearnerKind = {"learner", "include/suturefleet/learner.h", SFL_ENTRY,
                                          "SFL_EXPORT const sflLearner* %s(void)"};

int sf_learner_builtin_count(void) {
  return 3;
}

const sflLearner* sf_learner_builtin(int i) {
  const sflLearner* (*table[])(void) = {sf_learner_elite, sf_learner_cmaes, sf_learner_cem};
  return i >= 0 && i < 3 ? table[i]() : NULL;
}

// check a learner table; SF_ERR_INPUT naming who and the first problem
static sftStatus sf_learner_check(const sflLearner* t, const char* who, sfError* e) {
  // version and size first: nothing else may be read before they are known
  if (t->abi_version != SFL_ABI_VERSION) {
    return sf_fail(e, SF_ERR_INPUT, "%s: learner ABI version %u; this suturefleet knows version %d",
                   who, (unsigned)t->abi_version, SFL_ABI_VERSION);
  }
  if (t->size < SF_LEARNER_V1_SIZE) {
    return sf_fail(e, SF_ERR_INPUT, "%s: learner table of %u bytes; version 1 needs at least %zu",
                   who, (unsigned)t->size, SF_LEARNER_V1_SIZE);
  }
  if (!sf_plugin_name_ok(t->name, "-_", SFL_NAME_MAX)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: learner name missing or not 1..%d letters, digits, '-' or '_'", who,
                   SFL_NAME_MAX);
  }

  // required functions
  const char* missing = !t->create     ? "create"
                        : !t->sample   ? "sample"
                        : !t->update   ? "update"
                        : !t->describe ? "describe"
                                       : NULL;
  if (missing) {
    return sf_fail(e, SF_ERR_INPUT, "%s: learner '%s' lacks the required function '%s'", who,
                   t->name, missing);
  }
  return SF_OK;
}

sftStatus sf_learner_use(const sflLearner* t, const char* who, sfLearner* l, sfError* e) {
  memset(l, 0, sizeof(*l));
  sf_plugin_builtin(&l->file);
  sftStatus st = sf_learner_check(t, who, e);
  if (st != SF_OK) return st;
  l->api = t;
  snprintf(l->name, sizeof(l->name), "%s", t->name);
  return SF_OK;
}

sftStatus sf_learner_open_expect(const char* spec, const char* expected, const char* origin,
                                 sfLearner* l, sfError* e) {
  memset(l, 0, sizeof(*l));
  sf_plugin_builtin(&l->file);
  char who[4200];

  // a plug-in file: checked against the expectation before it is loaded
  if (sf_plugin_is_path(spec)) {
    const void* table;
    sfPlugin file;
    sftStatus st = sf_plugin_load(&file, &kLearnerKind, spec, expected, origin, &table, e);
    if (st != SF_OK) return st;
    snprintf(who, sizeof(who), "learner plug-in '%s'", spec);
    st = sf_learner_use(table, who, l, e);
    if (st != SF_OK) {
      sf_plugin_close(&file);
      return st;
    }
    l->file = file;
    return SF_OK;
  }

  // a built-in, by name: it matches only a built-in's hash
  const char* names[8];
  int n = sf_learner_builtin_count();
  SF_ASSERT(n <= 8);
  for (int i = 0; i < n; i++) names[i] = sf_learner_builtin(i)->name;
  int i = sf_plugin_builtin_index(&kLearnerKind, "--learner", names, n, spec, expected, origin,
                                  "elite, cmaes or cem", e);
  if (i < 0) return SF_ERR_INPUT;
  snprintf(who, sizeof(who), "built-in learner '%s'", spec);
  return sf_learner_use(sf_learner_builtin(i), who, l, e);
}

sftStatus sf_learner_open(const char* spec, sfLearner* l, sfError* e) {
  return sf_learner_open_expect(spec, NULL, NULL, l, e);
}

sftStatus sf_learner_open_stored(const char* given, const char* stored_spec, const char* name,
                                 const char* hash, const char* store, sfLearner* l, sfError* e) {
  memset(l, 0, sizeof(*l));
  sf_plugin_builtin(&l->file);
  char origin[4200];
  const char* spec;
  sftStatus st = sf_plugin_stored_spec(&kLearnerKind, "--learner", given, stored_spec, name, hash,
                                       store, origin, sizeof(origin), &spec, e);
  if (st == SF_OK) st = sf_learner_open_expect(spec, hash, origin, l, e);
  if (st == SF_OK && strcmp(l->name, name)) {
    st = sf_fail(e, SF_ERR_INPUT, "learner '%s' is not the %s'%s' %s was written with", l->name,
                 strcmp(hash, SF_BUILTIN_HASH) ? "" : "built-in ", name, origin);
    sf_learner_close(l);
  }
  return st;
}

void sf_learner_close(sfLearner* l) {
  if (!l) return;
  sf_plugin_close(&l->file);
  memset(l, 0, sizeof(*l));
  sf_plugin_builtin(&l->file);
}

sftStatus sf_pool_make(sfPool* p, const sfLearner* lr, const sfSkillDef* def,
                       const sfKnowledge* start, int robots, int solo, sfError* e) {
  memset(p, 0, sizeof(*p));
  p->lr = lr, p->def = def, p->k = *start;

  // the learned values and where they start
  const char* name[SF_MAX_THETA];
  double lo[SF_MAX_THETA], hi[SF_MAX_THETA], mean[SF_MAX_THETA], sd[SF_MAX_THETA];
  double prior_sd[SF_MAX_THETA];
  for (int i = 0; i < def->n; i++) {
    if (sf_skill_is_aim(def, i)) continue;
    int j = p->nx++;
    p->idx[j] = i;
    name[j] = def->name[i], lo[j] = def->lo[i], hi[j] = def->hi[i];
    mean[j] = start->mean[i], sd[j] = start->sd[i], prior_sd[j] = def->prior_sd[i];
  }
  sflSkill skill = {p->nx, name, lo, hi, mean, sd, prior_sd, robots, solo};
  p->state = lr->api->create(&skill);
  if (!p->state) {
    memset(p, 0, sizeof(*p));
    return sf_fail(e, SF_ERR_RUN, "learner '%s': create failed", lr->name);
  }
  return SF_OK;
}

void sf_pool_sample(const sfPool* p, const double aim[3], uint64_t seed, uint32_t key,
                    uint32_t round, double* theta) {
  const sfSkillDef* def = p->def;

  // a standard normal per value, in the skill's order (every value draws one)
  sfRng r;
  sf_rng_init(&r, seed, key, round, SF_STREAM_SKILL);
  double z[SF_MAX_THETA], zx[SF_MAX_THETA], x[SF_MAX_THETA];
  for (int i = 0; i < def->n; i++) z[i] = sf_rng_normal(&r);

  // the learned values from the learner, the aim values from the robot's aim
  for (int j = 0; j < p->nx; j++) zx[j] = z[p->idx[j]];
  p->lr->api->sample(p->state, zx, x);
  for (int j = 0; j < p->nx; j++) theta[p->idx[j]] = x[j];
  for (int a = 0; def->has_aim && a < 3; a++) theta[def->aim[a]] = aim[a];
  for (int i = 0; i < def->n; i++) {
    double v = isfinite(theta[i]) ? theta[i] : p->k.mean[i];  // a learner's NaN: its mean
    theta[i] = fmin(def->hi[i], fmax(def->lo[i], v));
  }
}

void sf_pool_update(sfPool* p, const sfEpisodeRecord* recs, int n, long pooled) {
  // what the learner sees of each episode
  sflEpisode* ep = SF_CALLOC(n, sizeof(sflEpisode));
  double* x = SF_CALLOC((size_t)n * (size_t)(p->nx ? p->nx : 1), sizeof(double));
  for (int k = 0; k < n; k++) {
    const sfEpisodeRecord* r = &recs[k];
    for (int j = 0; j < p->nx; j++) x[k * p->nx + j] = r->theta[p->idx[j]];
    ep[k] = (sflEpisode){x + k * p->nx, r->score,  r->success,      r->robot,      r->round,
                         r->trauma_mm2, r->time_s, r->entry_err_mm, r->exit_err_mm};
  }

  // learn, and describe the learned values
  p->lr->api->update(p->state, ep, n, pooled);
  double mean[SF_MAX_THETA], sd[SF_MAX_THETA];
  p->lr->api->describe(p->state, mean, sd);
  for (int j = 0; j < p->nx; j++) {  // a value that is not finite (or an SD <= 0) is kept
    int i = p->idx[j];
    if (isfinite(mean[j])) p->k.mean[i] = mean[j];
    if (isfinite(sd[j]) && sd[j] > 0) p->k.sd[i] = sd[j];
  }
  p->k.episodes = pooled;
  free(ep);
  free(x);
}

void sf_pool_free(sfPool* p) {
  if (p->state && p->lr->api->destroy) p->lr->api->destroy(p->state);
  memset(p, 0, sizeof(*p));
}
