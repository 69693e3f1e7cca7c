// fleet.c: robots, cohorts and rounds; learning between rounds; parallel episodes; the store.
#include "fleet.h"

#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"

#define SF_RAD2DEG (180.0 / 3.141592653589793)

// add one cohort's robots (initial ones, then join groups) from id `first`; twins: the context
// robots of a mirrored cohort (NULL: each robot is its own); returns the next id
static int sf_fleet_cohort(const sfRunConfig* c, int cohort, int first, const sfRobotRow* twins,
                           sfRobotRow* robots, int max) {
  int id = first, k = 0;
  for (int g = -1; g < c->njoin; g++) {
    int count = g < 0 ? c->robots : c->join_count[g];
    int join = g < 0 ? 0 : c->join_round[g];
    for (int i = 0; i < count; i++, id++, k++) {
      if (!robots || id >= max) continue;
      sfRobotRow* r = &robots[id];
      memset(r, 0, sizeof(*r));
      r->robot = id;
      r->cohort = cohort;
      r->join_round = join;
      r->context_robot = twins ? twins[k].robot : id;
      sfCalib cal;
      sf_calib_draw(c->seed, r->context_robot, &cal);
      for (int j = 0; j < 3; j++) {
        r->calib_bias_mm[j] = 1000 * cal.bias_m[j];
        r->calib_rot_deg[j] = SF_RAD2DEG * cal.rot_rad[j];
      }
    }
  }
  return id;
}

int sf_fleet_robots(const sfRunConfig* c, sfRobotRow* robots, int max) {
  int n = 0;
  if (c->mode != SF_MODE_SOLO) n = sf_fleet_cohort(c, SF_COHORT_FLEET, 0, NULL, robots, max);
  if (c->mode == SF_MODE_SOLO) return sf_fleet_cohort(c, SF_COHORT_SOLO, 0, NULL, robots, max);
  if (c->mode == SF_MODE_BOTH) {
    n = sf_fleet_cohort(c, SF_COHORT_SOLO, n, robots && max >= n ? robots : NULL, robots, max);
  }
  return n;
}

sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, const sfController* ctrl,
                          sfError* e) {
  for (int i = 0; i < n; i++) {
    if (sf_worker_make(&workers[i], s, ctrl, e) != SF_OK) {
      sf_workers_free(workers, i);
      return SF_ERR_RUN;
    }
  }
  return SF_OK;
}

void sf_workers_free(sfWorker* workers, int n) {
  for (int i = 0; i < n; i++) sf_worker_free(&workers[i]);
}

void sf_fleet_parallel(const sfScene* s, sfWorker* workers, int nthread, const sfEpisodeSpec* specs,
                       int n, sfEpisodeResult* res, sfProgress* prog) {
  // each thread owns workers[thread]; each slot is written by exactly one thread
#pragma omp parallel num_threads(nthread)
  {
    sfWorker* w = &workers[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
      sf_episode_run(s, w, &specs[i], &res[i]);
      sf_progress_episode(prog, res[i].steps);
    }
  }
}

void sf_summary_count(sfRunSummary* sum, const sfEpisodeRow* r) {
  sum->episodes++;
  sum->steps += r->steps;
  sum->successes += r->success;
  sum->diverged += r->diverged;
  sum->faults += r->fault;
  if (!isnan(r->entry_err_mm)) sum->entry_err_mm += r->entry_err_mm, sum->nentry++;
  if (!isnan(r->exit_err_mm)) sum->exit_err_mm += r->exit_err_mm, sum->nexit++;
  sum->trauma_mm2 += r->trauma_mm2;
  sum->peak_force_N += r->peak_force_N;
  sum->time_s += r->time_s;
}

void sf_summary_add(sfRunSummary* sum, const sfEpisodeResult* res, int n) {
  for (int i = 0; i < n; i++) {
    sfEpisodeRow row;
    sf_store_episode_row(&res[i], "", "", &row);
    sf_summary_count(sum, &row);
  }
}

void sf_summary_finish(sfRunSummary* sum) {
  double n = sum->episodes ? (double)sum->episodes : 1;
  sum->entry_err_mm = sum->nentry ? sum->entry_err_mm / (double)sum->nentry : NAN;
  sum->exit_err_mm = sum->nexit ? sum->exit_err_mm / (double)sum->nexit : NAN;
  sum->trauma_mm2 /= n;
  sum->peak_force_N /= n;
  sum->time_s /= n;
}

// does a store hold its round -1 knowledge rows
static int sf_fleet_has_start(const sfStoreData* d) {
  for (long i = 0; i < d->nknowledge; i++) {
    if (d->knowledge[i].round == -1) return 1;
  }
  return 0;
}

int sf_fleet_rounds_done(const sfStoreData* d) {
  int done = -1;
  for (long i = 0; i < d->nknowledge; i++) {
    if (d->knowledge[i].round > done) done = d->knowledge[i].round;
  }
  return done;
}

// knowledge from a stored row
static void sf_knowledge_from_row(const sfKnowledgeRow* r, sfKnowledge* k) {
  memset(k, 0, sizeof(*k));
  k->n = r->n_theta;
  k->episodes = r->episodes;
  memcpy(k->mean, r->mean, sizeof(k->mean));
  memcpy(k->sd, r->sd, sizeof(k->sd));
}

sftStatus sf_fleet_pooled(const sfStoreData* d, const sfSkillDef* def, const char* path,
                          sfKnowledge* k, sfError* e) {
  const sfKnowledgeRow* best = NULL;
  for (long i = 0; i < d->nknowledge; i++) {
    const sfKnowledgeRow* r = &d->knowledge[i];
    if (r->cohort == SF_COHORT_FLEET && r->robot < 0 && (!best || r->round >= best->round))
      best = r;
  }
  if (!best) {
    return sf_fail(e, SF_ERR_INPUT, "--from '%s': the store holds no pooled fleet knowledge", path);
  }
  char names[2048];
  sf_skill_names(def, names, sizeof(names));
  if (best->n_theta != def->n || strcmp(names, d->skill_names)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--from '%s': its knowledge is for the skill values (%s) of controller '%s'; "
                   "this controller's are (%s)",
                   path, d->skill_names, d->controller, names);
  }
  sf_knowledge_from_row(best, k);
  return SF_OK;
}

// what learning remembers of the run so far
typedef struct sfLearner_ {
  const sfSkillDef* def;
  int nrobot;
  int rounds;
  const sfRobotRow* robots;
  sfEpisodeRecord* own;     // robot i's k-th episode at own[i * rounds + k]
  int* nown;                // episodes per robot
  sfEpisodeRecord* pooled;  // the fleet cohort's episodes, in store order
  long npooled;
  sfKnowledge fleet;  // the fleet's pooled knowledge
  sfKnowledge* solo;  // each solo robot's own knowledge
} sfLearner;

// the learning record of a stored episode row
static void sf_record_from_row(const sfEpisodeRow* row, sfEpisodeRecord* rec) {
  memset(rec, 0, sizeof(*rec));
  memcpy(rec->theta, row->theta, sizeof(rec->theta));
  rec->score = row->score;
  rec->has_offsets = row->has_offsets;
  memcpy(rec->entry_off_mm, row->entry_off_mm, sizeof(rec->entry_off_mm));
  memcpy(rec->exit_off_mm, row->exit_off_mm, sizeof(rec->exit_off_mm));
}

// remember an episode row
static void sf_learner_add(sfLearner* L, const sfEpisodeRow* row) {
  int i = row->robot;
  SF_ASSERT(i >= 0 && i < L->nrobot && L->nown[i] < L->rounds);
  sfEpisodeRecord* rec = &L->own[(long)i * L->rounds + L->nown[i]++];
  sf_record_from_row(row, rec);
  if (row->cohort == SF_COHORT_FLEET) L->pooled[L->npooled++] = *rec;
}

// the fleet's pooled aim: the mean of its robots' own aim corrections (the calibration error
// they share), for robots that have no episodes of their own yet
static void sf_learner_pool_aim(const sfLearner* L, sfKnowledge* k) {
  const sfSkillDef* def = L->def;
  if (!def->has_aim) return;
  double sum[3] = {0, 0, 0}, zero[3] = {0, 0, 0}, aim[3];
  int n = 0;
  for (int i = 0; i < L->nrobot; i++) {
    if (L->robots[i].cohort != SF_COHORT_FLEET) continue;
    if (!sf_policy_aim(def, L->own + (long)i * L->rounds, L->nown[i], zero, aim)) continue;
    for (int j = 0; j < 3; j++) sum[j] += aim[j];
    n++;
  }
  for (int j = 0; n && j < 3; j++) k->mean[def->aim[j]] = sum[j] / n;
}

// update the knowledge of every cohort active this round (actives: robot ids)
static void sf_learner_update(sfLearner* L, const int* active, int nactive) {
  int nfleet = 0;
  for (int a = 0; a < nactive; a++) {
    int i = active[a];
    if (L->robots[i].cohort == SF_COHORT_FLEET) {
      nfleet++;
      continue;
    }
    sfKnowledge next;
    sf_knowledge_update(L->def, &L->solo[i], L->own + (long)i * L->rounds, L->nown[i],
                        SF_SOLO_WINDOW, &next);
    next.episodes = L->nown[i];
    L->solo[i] = next;
  }
  if (nfleet) {
    sfKnowledge next;
    int window = SF_FLEET_WINDOW_PER * (nfleet > 2 ? nfleet : 2);
    sf_knowledge_update(L->def, &L->fleet, L->pooled, (int)L->npooled, window, &next);
    next.episodes = L->npooled;
    sf_learner_pool_aim(L, &next);
    L->fleet = next;
  }
}

// knowledge rows after round (fleet pooled, then each solo robot in actives, or all solo
// robots when actives is NULL); returns the count written into rows
static int sf_learner_rows(const sfLearner* L, int round, const int* active, int nactive,
                           int has_fleet, sfKnowledgeRow* rows) {
  int n = 0;
  if (has_fleet) {
    sfKnowledgeRow* r = &rows[n++];
    memset(r, 0, sizeof(*r));
    *r = (sfKnowledgeRow){round, SF_COHORT_FLEET, -1, L->fleet.episodes, L->fleet.n, {0}, {0}};
    memcpy(r->mean, L->fleet.mean, sizeof(r->mean));
    memcpy(r->sd, L->fleet.sd, sizeof(r->sd));
  }
  int count = active ? nactive : L->nrobot;
  for (int a = 0; a < count; a++) {
    int i = active ? active[a] : a;
    if (L->robots[i].cohort != SF_COHORT_SOLO) continue;
    sfKnowledgeRow* r = &rows[n++];
    memset(r, 0, sizeof(*r));
    *r = (sfKnowledgeRow){round, SF_COHORT_SOLO, i, L->solo[i].episodes, L->solo[i].n, {0}, {0}};
    memcpy(r->mean, L->solo[i].mean, sizeof(r->mean));
    memcpy(r->sd, L->solo[i].sd, sizeof(r->sd));
  }
  for (int k = 0; k < n; k++) {
    for (int j = rows[k].n_theta; j < SF_MAX_THETA; j++) rows[k].mean[j] = rows[k].sd[j] = NAN;
  }
  return n;
}

// start learning: the prior (or the imported fleet knowledge), or the state a store holds
static void sf_learner_init(sfLearner* L, const sfSkillDef* def, const sfRunConfig* c,
                            const sfRobotRow* robots, int nrobot, const sfKnowledge* from,
                            const sfStoreData* resumed, int done, long* kept) {
  memset(L, 0, sizeof(*L));
  L->def = def;
  L->nrobot = nrobot;
  L->rounds = c->rounds;
  L->robots = robots;
  L->own = calloc((size_t)nrobot * (size_t)c->rounds, sizeof(sfEpisodeRecord));
  L->nown = calloc((size_t)nrobot, sizeof(int));
  L->pooled = calloc((size_t)nrobot * (size_t)c->rounds + 1, sizeof(sfEpisodeRecord));
  L->solo = calloc((size_t)nrobot, sizeof(sfKnowledge));
  SF_ASSERT(L->own && L->nown && L->pooled && L->solo);
  sf_knowledge_prior(def, &L->fleet);
  if (from) L->fleet = *from;
  for (int i = 0; i < nrobot; i++) sf_knowledge_prior(def, &L->solo[i]);
  *kept = 0;
  if (!resumed) return;

  // resume: every episode of the completed rounds, and the knowledge after the last of them
  for (long i = 0; i < resumed->nepisodes && resumed->episodes[i].round <= done; i++) {
    sf_learner_add(L, &resumed->episodes[i]);
    (*kept)++;
  }
  for (long i = 0; i < resumed->nknowledge && resumed->knowledge[i].round <= done; i++) {
    const sfKnowledgeRow* r = &resumed->knowledge[i];
    if (r->robot < 0) sf_knowledge_from_row(r, &L->fleet);
    if (r->robot >= 0 && r->robot < nrobot) sf_knowledge_from_row(r, &L->solo[r->robot]);
  }
}

static void sf_learner_free(sfLearner* L) {
  free(L->own);
  free(L->nown);
  free(L->pooled);
  free(L->solo);
}

// the stop signal received (0: none)
static volatile sig_atomic_t sf_fleet_signal = 0;

// SIGINT / SIGTERM: remember it, say what happens next; the handler is reset (SA_RESETHAND)
static void sf_fleet_on_signal(int sig) {
  static const char msg[] =
      "\nsuturefleet run: stopping after the round in progress is stored (a second signal "
      "stops at once; --resume continues either way)\n";
  sf_fleet_signal = sig;
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
  (void)ignored;
}

void sf_fleet_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = sf_fleet_on_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sf_fleet_signal = 0;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

// a stop was asked for on any rank: the signal (SIGTERM if it was another rank's), or 0
static int sf_fleet_stop(void) {
  int sig = sf_fleet_signal;
  return sf_dist_sum(sig ? 1 : 0) > 0 ? (sig ? sig : SIGTERM) : 0;
}

// success rate of a cohort among a round's results (NaN if it has none)
static double sf_cohort_rate(const sfEpisodeResult* res, int n, int cohort) {
  int k = 0, ok = 0;
  for (int i = 0; i < n; i++) {
    if (res[i].cohort == cohort) k++, ok += res[i].success;
  }
  return k ? (double)ok / k : NAN;
}

sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, const sfController* ctrl,
                       const sfKnowledge* from, const sfStoreData* resumed, sfStore* st, FILE* log,
                       sfRunSummary* sum, sfError* e) {
  memset(sum, 0, sizeof(*sum));
  const sfSkillDef* def = &ctrl->skill;
  int nrobot = sf_fleet_robots(c, NULL, 0);
  sfRobotRow* robots = calloc((size_t)nrobot, sizeof(sfRobotRow));
  sfWorker* workers = calloc((size_t)c->threads, sizeof(sfWorker));
  sfEpisodeSpec* specs = calloc((size_t)nrobot, sizeof(sfEpisodeSpec));
  sfEpisodeResult* res = calloc((size_t)nrobot, sizeof(sfEpisodeResult));
  sfEpisodeRow* rows = calloc((size_t)nrobot, sizeof(sfEpisodeRow));
  sfKnowledgeRow* krows = calloc((size_t)nrobot + 1, sizeof(sfKnowledgeRow));
  double* theta = calloc((size_t)nrobot * SF_MAX_THETA, sizeof(double));
  int* active = calloc((size_t)nrobot, sizeof(int));
  sfTraj* trajs = calloc((size_t)nrobot, sizeof(sfTraj));
  sfTraj** traj_of = calloc((size_t)nrobot, sizeof(sfTraj*));
  SF_ASSERT(robots && workers && specs && res && rows && krows && theta && active && trajs &&
            traj_of);
  sf_fleet_robots(c, robots, nrobot);
  int has_fleet = c->mode != SF_MODE_SOLO;

  // learning state: fresh (knowledge rows of round -1), or from the resumed store
  sfLearner L;
  int done = resumed ? sf_fleet_rounds_done(resumed) : -1;
  sum->last_round = done;
  long next_id;
  sf_learner_init(&L, def, c, robots, nrobot, from, resumed, done, &next_id);
  sftStatus status = sf_workers_make(workers, c->threads, s, ctrl, e);
  for (int i = 0; status == SF_OK && c->record_every && i < nrobot; i++) {
    status = sf_traj_make(&trajs[i], s->m, c->stitches, e);
  }
  if (status == SF_OK && st && (!resumed || !sf_fleet_has_start(resumed))) {
    int nk = sf_learner_rows(&L, -1, NULL, 0, has_fleet, krows);
    status = sf_store_append(st, SF_TABLE_KNOWLEDGE, krows, nk, 1, e);
  }
  status = sf_dist_agree(status, e);
  double t0 = omp_get_wtime(), io0 = st ? st->io_s : 0;
  long total = 0;
  for (int round = done + 1; round < c->rounds; round++) {
    for (int i = 0; i < nrobot; i++) total += robots[i].join_round <= round;
  }
  sfProgress prog;
  sf_progress_start(&prog, log, total, c->rounds);

  // rounds: sample skills, simulate in parallel, store in robot order, learn, store knowledge
  for (int round = done + 1; status == SF_OK && round < c->rounds; round++) {
    double tr = omp_get_wtime();
    int n = 0;
    for (int i = 0; i < nrobot; i++) {
      if (robots[i].join_round <= round) active[n++] = i;
    }
    sf_progress_round_start(&prog, round, n);
    for (int a = 0; a < n; a++) {
      int i = active[a];
      double aim[3], *th = theta + (long)a * SF_MAX_THETA;
      const sfKnowledge* k = robots[i].cohort == SF_COHORT_FLEET ? &L.fleet : &L.solo[i];
      double pooled[3] = {0, 0, 0};
      for (int j = 0; def->has_aim && j < 3; j++) pooled[j] = k->mean[def->aim[j]];
      sf_policy_aim(def, L.own + (long)i * L.rounds, L.nown[i], pooled, aim);
      sf_policy_sample(def, k, aim, c->seed, (uint32_t)i, (uint32_t)round, th);
      long id = next_id + a;
      traj_of[a] = c->record_every && id % c->record_every == 0 ? &trajs[a] : NULL;
      specs[a] = (sfEpisodeSpec){
          c->seed, i, round, id, c->stitches, 0, th, i - robots[i].context_robot, traj_of[a]};
    }
    int lo, hi;
    sf_dist_block(n, sf_dist_rank(), sf_dist_size(), &lo, &hi);
    sf_fleet_parallel(s, workers, c->threads, specs + lo, hi - lo, res + lo, &prog);
    sf_dist_share_results(res, n);
    sf_dist_gather_trajs(traj_of, n, s->m);
    for (int a = 0; a < n; a++) {
      if (a < lo || a >= hi) sf_progress_episode(&prog, res[a].steps);
    }
    if (st) status = sf_store_demos(st, res, traj_of, n, s->m, e);
    for (int a = 0; a < n; a++) {
      res[a].cohort = robots[active[a]].cohort;
      res[a].join_round = robots[active[a]].join_round;
      sf_store_episode_row(&res[a], ctrl->name, ctrl->hash, &rows[a]);
      sf_learner_add(&L, &rows[a]);
    }
    next_id += n;
    if (status == SF_OK && st) status = sf_store_append(st, SF_TABLE_EPISODES, rows, n, 0, e);
    sf_learner_update(&L, active, n);
    int nk = sf_learner_rows(&L, round, active, n, has_fleet, krows);
    if (status == SF_OK && st) status = sf_store_append(st, SF_TABLE_KNOWLEDGE, krows, nk, 1, e);
    status = sf_dist_agree(status, e);
    if (status != SF_OK) break;
    sf_summary_add(sum, res, n);
    sum->last_round = round;
    sf_progress_round_end(&prog, sf_cohort_rate(res, n, SF_COHORT_FLEET),
                          sf_cohort_rate(res, n, SF_COHORT_SOLO), omp_get_wtime() - tr);

    // a stop asked for (SIGINT, SIGTERM): the round is stored, the run ends here
    if (round + 1 < c->rounds && (sum->stopped = sf_fleet_stop()) != 0) break;
  }
  sf_progress_finish(&prog);

  // summary
  sf_summary_finish(sum);
  sum->wall_s = omp_get_wtime() - t0;
  sum->store_s = st ? st->io_s - io0 : 0;
  sf_learner_free(&L);
  sf_workers_free(workers, c->threads);
  free(robots);
  free(workers);
  free(specs);
  free(res);
  free(rows);
  free(krows);
  free(theta);
  free(active);
  for (int i = 0; i < nrobot; i++) sf_traj_free(&trajs[i]);
  free(trajs);
  free(traj_of);
  return status;
}
