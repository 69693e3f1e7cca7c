// fleet.c: robots, cohorts and rounds; learning between rounds; parallel episodes; the store.
#include "fleet.h"

#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"

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

// observer calls (the observer and each of its functions may be NULL)
static void sf_obs_start(const sfRunObserver* o, long episodes, int rounds) {
  if (o && o->start) o->start(o->user, episodes, rounds);
}
static void sf_obs_round_start(const sfRunObserver* o, int round, int robots) {
  if (o && o->round_start) o->round_start(o->user, round, robots);
}
static void sf_obs_episode(const sfRunObserver* o, long steps) {
  if (o && o->episode) o->episode(o->user, steps);
}
static void sf_obs_round_end(const sfRunObserver* o, double fleet_rate, double solo_rate,
                             double wall_s) {
  if (o && o->round_end) o->round_end(o->user, fleet_rate, solo_rate, wall_s);
}
static void sf_obs_finish(const sfRunObserver* o) {
  if (o && o->finish) o->finish(o->user);
}

void sf_fleet_parallel(const sfScene* s, sfWorker* workers, int nthread, const sfEpisodeSpec* specs,
                       const int* idx, int n, sfEpisodeResult* res, const sfRunObserver* obs) {
  // each thread owns workers[thread]; each slot is written by exactly one thread
#pragma omp parallel num_threads(nthread)
  {
    sfWorker* w = &workers[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
    for (int j = 0; j < n; j++) {
      int i = idx ? idx[j] : j;
      sf_episode_run(s, w, &specs[i], &res[i]);
      sf_obs_episode(obs, res[i].steps);
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
  if (r->cut_through >= 0) {
    sum->nsuture++;
    sum->closure += r->wound_closure;
    sum->closure_min += r->wound_closure_min;
    sum->tension_max_N += r->thread_tension_max_N;
    sum->thread_used_mm += r->thread_used_mm;
    sum->cut_through += r->cut_through > 0;
  }
  sum->handovers += r->handovers;
  sum->handovers_failed += r->handovers_failed;
  if (r->handovers > 0) {
    sum->handover_s += r->handovers * r->handover_time_s;
    sum->nhandover += r->handovers;
  }
}

void sf_summary_add(sfRunSummary* sum, const sfEpisodeRow* rows, int n) {
  for (int i = 0; i < n; i++) sf_summary_count(sum, &rows[i]);
}

void sf_summary_finish(sfRunSummary* sum) {
  double n = sum->episodes ? (double)sum->episodes : 1;
  sum->entry_err_mm = sum->nentry ? sum->entry_err_mm / (double)sum->nentry : NAN;
  sum->exit_err_mm = sum->nexit ? sum->exit_err_mm / (double)sum->nexit : NAN;
  sum->trauma_mm2 /= n;
  sum->peak_force_N /= n;
  sum->time_s /= n;
  double ns = (double)sum->nsuture;
  sum->closure = ns ? sum->closure / ns : NAN;
  sum->closure_min = ns ? sum->closure_min / ns : NAN;
  sum->tension_max_N = ns ? sum->tension_max_N / ns : NAN;
  sum->thread_used_mm = ns ? sum->thread_used_mm / ns : NAN;
  sum->handovers /= n;
  sum->handover_s = sum->nhandover ? sum->handover_s / (double)sum->nhandover : NAN;
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
                          uint64_t seed, sfKnowledge* k, int* aim_reset, sfError* e) {
  const sfKnowledgeRow* best = NULL;
  for (long i = 0; i < d->nknowledge; i++) {
    const sfKnowledgeRow* r = &d->knowledge[i];
    if (r->cohort == SF_COHORT_FLEET && r->robot == -1 && (!best || r->round >= best->round))
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

  // the pooled aim is the systematic calibration error its robots share, drawn from their
  // experiment's seed (sf_calib_draw): another seed's robots have another, so theirs is not
  // taken; these robots start from the prior's aim and aim by their own episodes
  *aim_reset = def->has_aim && d->seed != seed;
  for (int j = 0; *aim_reset && j < 3; j++) {
    k->mean[def->aim[j]] = def->prior_mean[def->aim[j]];
    k->sd[def->aim[j]] = def->prior_sd[def->aim[j]];
  }
  return SF_OK;
}

// what learning remembers of the run so far
typedef struct sfMemory_ {
  const sfSkillDef* def;
  const sfLearner* lr;
  int nrobot;
  int rounds;
  const sfRobotRow* robots;
  sfEpisodeRecord* own;    // robot i's k-th episode at own[i * rounds + k]
  int* nown;               // episodes per robot
  int share;               // sftShare of the fleet cohort
  int delay;               // SF_SHARE_DELAY: rounds an episode takes to reach the pool
  int ngroup;              // fleet pools: K groups (SF_SHARE_GROUPS), else 1
  long* npooled;           // each fleet pool's episodes so far (ngroup)
  sfEpisodeRecord* round;  // the fleet's episodes of the round being learned from
  int has_fleet;           // the fleet pools exist
  sfPool* fleet;           // the fleet's pools (ngroup): group g's robots pool in fleet[g]
  sfPool* solo;            // each solo robot's own (made for solo robots only)
} sfMemory;

// the fleet pool robot i learns from and samples from
static int sf_memory_group(const sfMemory* M, int i) {
  return M->share == SF_SHARE_GROUPS ? i % M->ngroup : 0;
}

void sf_fleet_record(const sfEpisodeRow* row, sfEpisodeRecord* rec) {
  memset(rec, 0, sizeof(*rec));
  memcpy(rec->theta, row->theta, sizeof(rec->theta));
  rec->score = row->score;
  rec->has_offsets = row->has_offsets;
  memcpy(rec->entry_off_mm, row->entry_off_mm, sizeof(rec->entry_off_mm));
  memcpy(rec->exit_off_mm, row->exit_off_mm, sizeof(rec->exit_off_mm));
  rec->success = row->success, rec->robot = row->robot, rec->round = row->round;
  rec->trauma_mm2 = row->trauma_mm2, rec->time_s = row->time_s;
  rec->entry_err_mm = row->entry_err_mm, rec->exit_err_mm = row->exit_err_mm;
}

// remember an episode row
static void sf_memory_add(sfMemory* M, const sfEpisodeRow* row) {
  int i = row->robot;
  SF_ASSERT(i >= 0 && i < M->nrobot && M->nown[i] < M->rounds);
  sf_fleet_record(row, &M->own[(long)i * M->rounds + M->nown[i]++]);
}

// robot i's newest episode
static const sfEpisodeRecord* sf_memory_last(const sfMemory* M, int i) {
  return &M->own[(long)i * M->rounds + M->nown[i] - 1];
}

// robot i's episodes from rounds up to `upto` (it has one a round from its join round on)
static int sf_memory_upto(const sfMemory* M, int i, int upto) {
  int n = upto - M->robots[i].join_round + 1;
  return n < 0 ? 0 : n < M->nown[i] ? n : M->nown[i];
}

// a fleet pool's aim: the mean of its robots' own aim corrections from their episodes up to
// round upto (the calibration error they share), for robots that have none of their own yet
static void sf_memory_pool_aim(const sfMemory* M, int g, int upto, sfKnowledge* k) {
  const sfSkillDef* def = M->def;
  if (!def->has_aim) return;
  double sum[3] = {0, 0, 0}, zero[3] = {0, 0, 0}, aim[3];
  int n = 0;
  for (int i = 0; i < M->nrobot; i++) {
    if (M->robots[i].cohort != SF_COHORT_FLEET || sf_memory_group(M, i) != g) continue;
    int count = sf_memory_upto(M, i, upto);
    if (!sf_policy_aim(def, M->own + (long)i * M->rounds, count, zero, aim)) continue;
    for (int j = 0; j < 3; j++) sum[j] += aim[j];
    n++;
  }
  for (int j = 0; n && j < 3; j++) k->mean[def->aim[j]] = sum[j] / n;
}

// federated averaging (SF_SHARE_KNOWLEDGE): every robot of the round starts from the shared
// knowledge, learns from its own episode of the round alone, and the shared knowledge becomes
// the mean of the robots' knowledge (means and SDs averaged value by value); raw episodes never
// leave a robot. SF_ERR_RUN when the learner cannot make a state (the shared pool is then gone)
static sftStatus sf_memory_federate(sfMemory* M, const sfEpisodeRecord* recs, int n, int round,
                                    sfError* e) {
  sfPool* shared = &M->fleet[0];
  sfKnowledge avg = shared->k;
  for (int j = 0; j < avg.n; j++) avg.mean[j] = avg.sd[j] = 0;
  for (int a = 0; a < n; a++) {
    sfPool local;
    if (sf_pool_make(&local, M->lr, M->def, &shared->k, 1, 0, e) != SF_OK) return SF_ERR_RUN;
    sf_pool_update(&local, &recs[a], 1, M->npooled[0] + a + 1);
    for (int j = 0; j < avg.n; j++)
      avg.mean[j] += local.k.mean[j] / n, avg.sd[j] += local.k.sd[j] / n;
    sf_pool_free(&local);
  }
  M->npooled[0] += n;
  avg.episodes = M->npooled[0];

  // the shared pool restarts from the average (its learner state is only ever what it shares)
  sf_pool_free(shared);
  if (sf_pool_make(shared, M->lr, M->def, &avg, n, 0, e) != SF_OK) return SF_ERR_RUN;
  shared->k.episodes = avg.episodes;
  sf_memory_pool_aim(M, 0, round, &shared->k);
  return SF_OK;
}

// learn from round, just remembered: every active solo robot from its newest episode; each
// fleet pool from its robots' episodes that reach it now, in store (robot) order: those of the
// round (all, groups), of round - D (delay), or only the knowledge the robots learned from them
// (knowledge) (actives: the round's robot ids). SF_ERR_RUN when a learner state cannot be made
static sftStatus sf_memory_update(sfMemory* M, const int* active, int nactive, int round,
                                  sfError* e) {
  for (int a = 0; a < nactive; a++) {
    int i = active[a];
    if (M->robots[i].cohort == SF_COHORT_SOLO) {
      sf_pool_update(&M->solo[i], sf_memory_last(M, i), 1, M->nown[i]);
    }
  }
  int from = M->share == SF_SHARE_DELAY ? round - M->delay : round;
  if (!M->has_fleet || from < 0) return SF_OK;  // no fleet, or nothing has arrived yet
  for (int g = 0; g < M->ngroup; g++) {
    // the pool's episodes of round `from`, robot by robot
    int n = 0;
    for (int i = 0; i < M->nrobot; i++) {
      if (M->robots[i].cohort != SF_COHORT_FLEET || sf_memory_group(M, i) != g) continue;
      int k = from - M->robots[i].join_round;
      if (k >= 0 && k < M->nown[i]) M->round[n++] = M->own[(long)i * M->rounds + k];
    }
    if (!n) continue;
    if (M->share == SF_SHARE_KNOWLEDGE) {
      if (sf_memory_federate(M, M->round, n, round, e) != SF_OK) return SF_ERR_RUN;
      continue;
    }
    M->npooled[g] += n;
    sf_pool_update(&M->fleet[g], M->round, n, M->npooled[g]);
    sf_memory_pool_aim(M, g, from, &M->fleet[g].k);
  }
  return SF_OK;
}

// a knowledge row of round for a cohort's knowledge (robot -1: the fleet's)
static void sf_knowledge_row(int round, int cohort, int robot, const sfKnowledge* k,
                             sfKnowledgeRow* r) {
  memset(r, 0, sizeof(*r));
  *r = (sfKnowledgeRow){round, cohort, robot, k->episodes, k->n, {0}, {0}};
  memcpy(r->mean, k->mean, sizeof(r->mean));
  memcpy(r->sd, k->sd, sizeof(r->sd));
  for (int j = r->n_theta; j < SF_MAX_THETA; j++) r->mean[j] = r->sd[j] = NAN;
}

// knowledge rows after round (fleet pooled, then each solo robot in actives, or all solo
// robots when actives is NULL); returns the count written into rows
static int sf_memory_rows(const sfMemory* M, int round, const int* active, int nactive,
                          sfKnowledgeRow* rows) {
  int n = 0;
  for (int g = 0; M->has_fleet && g < M->ngroup; g++) {
    sf_knowledge_row(round, SF_COHORT_FLEET, -1 - g, &M->fleet[g].k, &rows[n++]);
  }
  int count = active ? nactive : M->nrobot;
  for (int a = 0; a < count; a++) {
    int i = active ? active[a] : a;
    if (M->robots[i].cohort != SF_COHORT_SOLO) continue;
    sf_knowledge_row(round, SF_COHORT_SOLO, i, &M->solo[i].k, &rows[n++]);
  }
  return n;
}

// the stored knowledge row of round for (cohort, robot), or NULL; the rows are in round order
// (sf_store_read checks it), so the round's first row is found by bisection
static const sfKnowledgeRow* sf_memory_stored(const sfStoreData* d, int round, int cohort,
                                              int robot) {
  long lo = 0, hi = d->nknowledge;
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (d->knowledge[mid].round < round) lo = mid + 1;
    if (d->knowledge[mid].round >= round) hi = mid;
  }
  for (long i = lo; i < d->nknowledge && d->knowledge[i].round == round; i++) {
    const sfKnowledgeRow* r = &d->knowledge[i];
    if (r->cohort == cohort && r->robot == robot) return r;
  }
  return NULL;
}

// the learning a resumed store's rounds give must be the knowledge it holds: SF_ERR_INPUT naming
// the first value that differs (the store was written by another learner, or another version
// of it)
static sftStatus sf_memory_check(const sfMemory* M, const sfStoreData* d, int round,
                                 const char* store, sfError* e) {
  sfKnowledgeRow* rows = SF_CALLOC(M->nrobot + M->ngroup, sizeof(sfKnowledgeRow));
  int n = sf_memory_rows(M, round, NULL, 0, rows);
  sftStatus st = SF_OK;
  for (int k = 0; k < n && st == SF_OK; k++) {
    const sfKnowledgeRow* r = &rows[k];
    const sfKnowledgeRow* s = sf_memory_stored(d, round, r->cohort, r->robot);
    for (int j = 0; s && j < r->n_theta && st == SF_OK; j++) {
      if (r->mean[j] == s->mean[j] && r->sd[j] == s->sd[j]) continue;
      st = sf_fail(e, SF_ERR_INPUT,
                   "--resume: store '%s' holds knowledge (round %d, %s, %s: mean %.17g, SD "
                   "%.17g) that learner '%s' does not give from its episodes (mean %.17g, SD "
                   "%.17g); it was written by another learner or another version of it",
                   store, round, r->robot < 0 ? "fleet" : "a solo robot", M->def->name[j],
                   s->mean[j], s->sd[j], M->lr->name, r->mean[j], r->sd[j]);
    }
  }
  free(rows);
  return st;
}

// the knowledge a cohort starts from in a resumed store (its round -1 row), else dflt
static sfKnowledge sf_memory_start(const sfStoreData* d, int cohort, int robot,
                                   const sfKnowledge* dflt) {
  const sfKnowledgeRow* r = d ? sf_memory_stored(d, -1, cohort, robot) : NULL;
  if (!r) return *dflt;
  sfKnowledge k;
  sf_knowledge_from_row(r, &k);
  return k;
}

// start learning: the prior (or the imported fleet knowledge), or the learning a store's
// completed rounds give (replayed from its episodes, then checked against its knowledge);
// SF_ERR_RUN when a learner state cannot be made, SF_ERR_INPUT when the replay differs
static sftStatus sf_memory_init(sfMemory* M, const sfSkillDef* def, const sfLearner* lr,
                                const sfRunConfig* c, const sfRobotRow* robots, int nrobot,
                                const sfKnowledge* from, const sfStoreData* resumed, int done,
                                long* kept, sfError* e) {
  memset(M, 0, sizeof(*M));
  M->def = def, M->lr = lr, M->nrobot = nrobot, M->rounds = c->rounds, M->robots = robots;
  M->share = c->share;
  M->delay = c->share == SF_SHARE_DELAY ? c->share_k : 0;
  M->ngroup = c->share == SF_SHARE_GROUPS ? c->share_k : 1;
  M->own = SF_CALLOC((size_t)nrobot * (size_t)c->rounds, sizeof(sfEpisodeRecord));
  M->nown = SF_CALLOC(nrobot, sizeof(int));
  M->round = SF_CALLOC(nrobot, sizeof(sfEpisodeRecord));
  M->solo = SF_CALLOC(nrobot, sizeof(sfPool));
  M->fleet = SF_CALLOC(M->ngroup, sizeof(sfPool));
  M->npooled = SF_CALLOC(M->ngroup, sizeof(long));
  *kept = 0;

  // the pools: the fleet's from the prior or the imported knowledge, each solo robot's from the
  // prior (a resumed store's round -1 rows hold exactly these)
  sfKnowledge prior, start;
  sf_knowledge_prior(def, &prior);
  M->has_fleet = c->mode != SF_MODE_SOLO;
  sftStatus st = SF_OK;
  for (int g = 0; M->has_fleet && st == SF_OK && g < M->ngroup; g++) {
    int members = 0;
    for (int i = 0; i < nrobot; i++) {
      members += robots[i].cohort == SF_COHORT_FLEET && sf_memory_group(M, i) == g;
    }
    start = sf_memory_start(resumed, SF_COHORT_FLEET, -1 - g, from ? from : &prior);
    st = sf_pool_make(&M->fleet[g], lr, def, &start, members, 0, e);
  }
  for (int i = 0; st == SF_OK && i < nrobot; i++) {
    if (robots[i].cohort != SF_COHORT_SOLO) continue;
    start = sf_memory_start(resumed, SF_COHORT_SOLO, i, &prior);
    st = sf_pool_make(&M->solo[i], lr, def, &start, 1, 1, e);
  }
  if (st != SF_OK || !resumed) return st;

  // resume: every episode of the completed rounds, learned from round by round as the run did
  int* active = SF_CALLOC(nrobot, sizeof(int));
  long next = 0;
  for (int round = 0; st == SF_OK && round <= done; round++) {
    int n = 0;
    for (; next < resumed->nepisodes && resumed->episodes[next].round == round; next++) {
      sf_memory_add(M, &resumed->episodes[next]);
      active[n++] = resumed->episodes[next].robot;
      (*kept)++;
    }
    st = sf_memory_update(M, active, n, round, e);
  }
  free(active);
  return st == SF_OK && done >= 0 ? sf_memory_check(M, resumed, done, c->store, e) : st;
}

static void sf_memory_free(sfMemory* M) {
  for (int g = 0; M->fleet && g < M->ngroup; g++) {
    if (M->fleet[g].state) sf_pool_free(&M->fleet[g]);
  }
  free(M->fleet);
  free(M->npooled);
  for (int i = 0; M->solo && i < M->nrobot; i++) {
    if (M->solo[i].state) sf_pool_free(&M->solo[i]);
  }
  free(M->own);
  free(M->nown);
  free(M->round);
  free(M->solo);
}

sftStatus sf_fleet_replay_check(const sfRunConfig* c, const sfSkillDef* def, const sfLearner* lr,
                                const sfKnowledge* from, const sfStoreData* resumed, sfError* e) {
  int n;
  sfRobotRow* robots = sf_robots_make(c, &n);
  sfMemory M;
  long kept;
  sftStatus st = sf_memory_init(&M, def, lr, c, robots, n, from, resumed,
                                sf_fleet_rounds_done(resumed), &kept, e);
  sf_memory_free(&M);
  free(robots);
  return st;
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

// what a run works with: its robots, one worker per thread, and one slot per robot for the
// round in progress (spec, result, stored row, trajectory)
typedef struct sfRunState_ {
  const sfScene* s;
  const sfRunConfig* c;
  const sfController* ctrl;
  const sfLearner* lr;       // the learner every pool uses
  sfStore* st;               // the store (NULL on ranks other than 0)
  const sfRunObserver* obs;  // who watches (may be NULL)
  int nrobot;
  int has_fleet;          // the run has a fleet cohort
  sfRobotRow* robots;     // every robot of the run, by id
  sfWorker* workers;      // one per thread
  sfEpisodeSpec* specs;   // the round's episodes, by active slot
  sfEpisodeResult* res;   // their results
  sfEpisodeRow* rows;     // their store rows
  sfKnowledgeRow* krows;  // the round's knowledge rows
  double* theta;          // the round's skill vectors (SF_MAX_THETA per slot)
  int* active;            // the robot ids active this round
  sfTraj* trajs;          // trajectory buffers (when recording): as many as a round records
  int ntraj;              //   at most, floor((robots - 1) / record_every) + 1
  sfTraj** traj_of;       // the slot's buffer if its episode is recorded, else NULL
  double* cost;           // predicted cost of each robot's next episode: its last one's steps
  double* slot_cost;      // the round's predicted costs, by slot
  int* order;             // the round's slots, costliest first
  int* owner;             // the rank that simulates each slot
  int* mine;              // this rank's slots, costliest first
  sfMemory L;             // what learning remembers
  long next_id;           // id of the round's first episode
} sfRunState;

// allocate the run's buffers and workers, and start learning (fresh or from the resumed store
// up to round done)
static sftStatus sf_run_open(sfRunState* R, const sfKnowledge* from, const sfStoreData* resumed,
                             int done, sfError* e) {
  const sfRunConfig* c = R->c;
  int n;
  R->robots = sf_robots_make(c, &n);
  R->nrobot = n;
  R->has_fleet = c->mode != SF_MODE_SOLO;
  R->workers = SF_CALLOC(c->threads, sizeof(sfWorker));
  R->specs = SF_CALLOC(n, sizeof(sfEpisodeSpec));
  R->res = SF_CALLOC(n, sizeof(sfEpisodeResult));
  R->rows = SF_CALLOC(n, sizeof(sfEpisodeRow));
  R->krows = SF_CALLOC(n + (c->share == SF_SHARE_GROUPS ? c->share_k : 1), sizeof(sfKnowledgeRow));
  R->theta = SF_CALLOC((size_t)n * SF_MAX_THETA, sizeof(double));
  R->active = SF_CALLOC(n, sizeof(int));
  R->traj_of = SF_CALLOC(n, sizeof(sfTraj*));
  R->cost = SF_CALLOC(n, sizeof(double));
  R->slot_cost = SF_CALLOC(n, sizeof(double));
  R->order = SF_CALLOC(n, sizeof(int));
  R->owner = SF_CALLOC(n, sizeof(int));
  R->mine = SF_CALLOC(n, sizeof(int));
  sftStatus status = sf_memory_init(&R->L, &R->ctrl->skill, R->lr, c, R->robots, n, from, resumed,
                                    done, &R->next_id, e);
  if (status == SF_OK) status = sf_workers_make(R->workers, c->threads, R->s, R->ctrl, e);
  for (int i = 0; status == SF_OK && R->obs && R->obs->profile && i < c->threads; i++) {
    R->workers[i].profiling = 1;
  }
  R->ntraj = c->record_every ? (n - 1) / c->record_every + 1 : 0;
  R->trajs = SF_CALLOC(R->ntraj > 0 ? R->ntraj : 1, sizeof(sfTraj));
  for (int i = 0; i < R->ntraj; i++) sf_traj_make(&R->trajs[i], R->s->m, c->stitches);
  return status;
}

static void sf_run_close(sfRunState* R) {
  // the workers' profiles, added up for whoever asked
  for (int i = 0; R->obs && R->obs->profile && i < R->c->threads; i++) {
    for (int p = 0; R->workers[i].profiling && p < SF_PROF_N; p++) {
      R->obs->profile->part_s[p] += R->workers[i].prof.part_s[p];
    }
  }
  sf_memory_free(&R->L);
  sf_workers_free(R->workers, R->c->threads);
  for (int i = 0; i < R->ntraj; i++) sf_traj_free(&R->trajs[i]);
  free(R->robots);
  free(R->workers);
  free(R->cost);
  free(R->slot_cost);
  free(R->order);
  free(R->owner);
  free(R->mine);
  free(R->specs);
  free(R->res);
  free(R->rows);
  free(R->krows);
  free(R->theta);
  free(R->active);
  free(R->trajs);
  free(R->traj_of);
}

// episodes the rounds after done will simulate
static long sf_run_total(const sfRunState* R, int done) {
  long total = 0;
  for (int round = done + 1; round < R->c->rounds; round++) {
    for (int i = 0; i < R->nrobot; i++) total += R->robots[i].join_round <= round;
  }
  return total;
}

// the robots active in round (into R->active); returns how many
static int sf_run_actives(sfRunState* R, int round) {
  int n = 0;
  for (int i = 0; i < R->nrobot; i++) {
    if (R->robots[i].join_round <= round) R->active[n++] = i;
  }
  return n;
}

// the round's episode specs: each active robot samples its skill from its cohort's knowledge,
// aimed by its own aim corrections (or the pooled ones before it has any)
static void sf_run_specs(sfRunState* R, int round, int n) {
  const sfRunConfig* c = R->c;
  const sfSkillDef* def = &R->ctrl->skill;
  sfMemory* L = &R->L;
  int ntraj = 0;  // recorded episodes have consecutive ids: at most R->ntraj of them
  for (int a = 0; a < n; a++) {
    int i = R->active[a];
    double aim[3], *th = R->theta + (long)a * SF_MAX_THETA;
    const sfPool* pool =
        R->robots[i].cohort == SF_COHORT_FLEET ? &L->fleet[sf_memory_group(L, i)] : &L->solo[i];
    const sfKnowledge* k = &pool->k;
    double pooled[3] = {0, 0, 0};
    for (int j = 0; def->has_aim && j < 3; j++) pooled[j] = k->mean[def->aim[j]];
    sf_policy_aim(def, L->own + (long)i * L->rounds, L->nown[i], pooled, aim);
    sf_pool_sample(pool, aim, c->seed, (uint32_t)i, (uint32_t)round, th);
    long id = R->next_id + a;
    R->traj_of[a] = c->record_every && id % c->record_every == 0 ? &R->trajs[ntraj++] : NULL;
    SF_ASSERT(ntraj <= R->ntraj);
    const sfRobotRow* robot = &R->robots[i];
    R->specs[a] = (sfEpisodeSpec){.seed = c->seed,
                                  .robot = i,
                                  .round = round,
                                  .episode_id = id,
                                  .stitches = c->stitches,
                                  .calibrated = 0,
                                  .theta = th,
                                  .context_robot = robot->context_robot,
                                  .cohort = robot->cohort,
                                  .join_round = robot->join_round,
                                  .traj = R->traj_of[a]};
  }
}

// plan the round's n slots over the ranks and threads by predicted cost: a robot's last
// episode's steps, the mean of those known for a robot without one (1 when none is known);
// the plan is the same on every rank and never changes a result
static int sf_run_plan(sfRunState* R, int n) {
  double known = 0;
  int nknown = 0;
  for (int a = 0; a < n; a++) {
    double c = R->cost[R->active[a]];
    if (c > 0) known += c, nknown++;
  }
  for (int a = 0; a < n; a++) {
    double c = R->cost[R->active[a]];
    R->slot_cost[a] = c > 0 ? c : nknown ? known / nknown : 1;
  }
  sf_dist_plan(R->slot_cost, n, sf_dist_size(), R->order, R->owner);
  int nmine = 0;
  for (int k = 0; k < n; k++) {
    if (R->owner[R->order[k]] == sf_dist_rank()) R->mine[nmine++] = R->order[k];
  }
  return nmine;
}

// simulate the round: this rank's slots in parallel, costliest first, then every rank gets
// every result (and the robots' costs from them) and rank 0 every recorded trajectory
static void sf_run_simulate(sfRunState* R, int n) {
  int nmine = sf_run_plan(R, n);
  sf_fleet_parallel(R->s, R->workers, R->c->threads, R->specs, R->mine, nmine, R->res, R->obs);
  sf_dist_share_results(R->res, n, R->owner);
  sf_dist_gather_trajs(R->traj_of, n, R->s->m, R->owner);
  for (int a = 0; a < n; a++) {
    if (R->owner[a] != sf_dist_rank()) sf_obs_episode(R->obs, R->res[a].steps);
    R->cost[R->active[a]] = R->res[a].steps + 1;
  }
}

// store the round (demos, episode rows, the knowledge learned from them) and learn from it;
// every rank learns, rank 0 writes
static sftStatus sf_run_store_and_learn(sfRunState* R, int round, int n, sfError* e) {
  sfStore* st = R->st;
  sftStatus status = SF_OK;
  if (st) status = sf_store_demos(st, R->res, R->traj_of, n, R->s->m, e);
  for (int a = 0; a < n; a++) {
    R->res[a].score = sf_policy_result_score(&R->res[a]);
    sf_store_episode_row(&R->res[a], R->ctrl->name, R->ctrl->file.hash, &R->rows[a]);
    sf_memory_add(&R->L, &R->rows[a]);
  }
  R->next_id += n;
  if (status == SF_OK && st) status = sf_store_append(st, SF_TABLE_EPISODES, R->rows, n, 0, e);
  sftStatus learned = sf_memory_update(&R->L, R->active, n, round, status == SF_OK ? e : NULL);
  if (status == SF_OK) status = learned;
  int nk = status == SF_OK ? sf_memory_rows(&R->L, round, R->active, n, R->krows) : 0;
  if (status == SF_OK && st) status = sf_store_append(st, SF_TABLE_KNOWLEDGE, R->krows, nk, 1, e);
  return sf_dist_agree(status, e);
}

// the success rate of a cohort in the round's rows (NaN if it has none)
static double sf_run_rate(const sfRunState* R, int n, int cohort) {
  int k = 0, ok = 0;
  for (int a = 0; a < n; a++) {
    if (R->rows[a].cohort == cohort) k++, ok += R->rows[a].success;
  }
  return k ? (double)ok / k : NAN;
}

sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, const sfController* ctrl,
                       const sfLearner* lr, const sfKnowledge* from, const sfStoreData* resumed,
                       sfStore* st, const sfRunObserver* obs, sfRunSummary* sum, sfError* e) {
  memset(sum, 0, sizeof(*sum));
  sfRunState R;
  memset(&R, 0, sizeof(R));
  R.s = s, R.c = c, R.ctrl = ctrl, R.lr = lr, R.st = st, R.obs = obs;

  // the robots, workers and learning state: fresh, or from the resumed store's complete rounds
  int done = resumed ? sf_fleet_rounds_done(resumed) : -1;
  sum->last_round = done;
  sftStatus status = sf_run_open(&R, from, resumed, done, e);

  // a new store gets the knowledge the run starts from (round -1)
  if (status == SF_OK && st && (!resumed || !sf_fleet_has_start(resumed))) {
    int nk = sf_memory_rows(&R.L, -1, NULL, 0, R.krows);
    status = sf_store_append(st, SF_TABLE_KNOWLEDGE, R.krows, nk, 1, e);
  }
  status = sf_dist_agree(status, e);
  double t0 = omp_get_wtime(), io0 = st ? st->io_s : 0;
  sf_obs_start(obs, sf_run_total(&R, done), c->rounds);

  // rounds: sample skills, simulate in parallel, store in robot order, learn, store knowledge
  for (int round = done + 1; status == SF_OK && round < c->rounds; round++) {
    double tr = omp_get_wtime();
    int n = sf_run_actives(&R, round);
    sf_obs_round_start(obs, round, n);
    sf_run_specs(&R, round, n);
    double ts = omp_get_wtime();
    sf_run_simulate(&R, n);
    sum->simulate_s += omp_get_wtime() - ts;
    status = sf_run_store_and_learn(&R, round, n, e);
    if (status != SF_OK) break;
    sf_summary_add(sum, R.rows, n);
    sum->last_round = round;
    sf_obs_round_end(obs, sf_run_rate(&R, n, SF_COHORT_FLEET), sf_run_rate(&R, n, SF_COHORT_SOLO),
                     omp_get_wtime() - tr);

    // a stop asked for (SIGINT, SIGTERM): the round is stored, the run ends here
    if (round + 1 < c->rounds && (sum->stopped = sf_fleet_stop()) != 0) break;
  }
  sf_obs_finish(obs);

  // summary
  sf_summary_finish(sum);
  sum->wall_s = omp_get_wtime() - t0;
  sum->store_s = st ? st->io_s - io0 : 0;
  sf_run_close(&R);
  return status;
}
