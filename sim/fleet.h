// fleet.h: the robots of a run, their cohorts and rounds, learning from the pooled store, in
// parallel under OpenMP; results go to the store in robot order from one thread.
#ifndef SUTUREFLEET_SIM_FLEET_H_
#define SUTUREFLEET_SIM_FLEET_H_

#include <stdio.h>

#include "config.h"
#include "episode.h"
#include "learner.h"
#include "policy.h"
#include "robots.h"
#include "scene.h"
#include "store.h"

// summary of finished episodes
typedef struct sfRunSummary_ {
  long episodes;          // episodes simulated
  long steps;             // physics steps over all episodes
  long successes;         // successful episodes
  long diverged;          // episodes flagged diverged
  long faults;            // episodes flagged controller fault
  double entry_err_mm;    // mean entry lateral error over episodes with an insertion (NaN: none)
  double exit_err_mm;     // mean exit lateral error over episodes with an exit (NaN: none)
  double trauma_mm2;      // mean tissue trauma
  double peak_force_N;    // mean peak needle-tissue force
  double time_s;          // mean completion time
  double closure;         // mean wound closure over the sutured span (NaN: no schema-4 episode)
  double closure_min;     // mean of its worst point
  double tension_max_N;   // mean largest thread tension at the needle
  double thread_used_mm;  // mean thread used
  long cut_through;       // episodes with a cut-through
  double handovers;       // mean handovers per episode
  long handovers_failed;  // failed handovers over all episodes
  double handover_s;      // mean time of a handover (NaN: none)
  long nhandover;         // handovers counted for it
  long nsuture;           // episodes with wound and thread columns (schema 4)
  long nentry;            // episodes with an insertion
  long nexit;             // episodes with an exit
  double wall_s;          // wall time (s)
  double store_s;         // part of it spent in the store (s)
  double simulate_s;      // part of it spent simulating the rounds' episodes (s)
  int stopped;            // the signal (SIGINT, SIGTERM) that stopped the run early (0: none)
  int last_round;         // the last round stored (-1: none)
} sfRunSummary;

// what a run reports as it goes, to whoever watches it (the app's progress line); every
// function may be NULL; nothing here changes results
typedef struct sfRunObserver_ {
  void* user;                                              // passed to each call
  void (*start)(void* user, long episodes, int rounds);    // before the first round
  void (*round_start)(void* user, int round, int robots);  // a round begins
  void (*episode)(void* user, long steps);                 // an episode ended (any thread)
  void (*round_end)(void* user, double fleet_rate, double solo_rate, double wall_s);  // stored
  void (*finish)(void* user);  // the run is over
  sfProfile* profile;          // optional: the workers time the parts of every episode (this
                               //   rank's) and add them here when the run is over
} sfRunObserver;

// make workers[0 .. n-1], one per thread, running controller ctrl; on failure frees what it
// made and returns SF_ERR_RUN
sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, const sfController* ctrl,
                          sfError* e);

// free workers[0 .. n-1]
void sf_workers_free(sfWorker* workers, int n);

// run n episodes in parallel with the given workers (one per thread): specs[idx[j]] ->
// res[idx[j]] for j = 0 .. n-1, handed out in that order as threads come free (idx NULL: 0 ..
// n-1); each finished episode is reported to obs (may be NULL)
void sf_fleet_parallel(const sfScene* s, sfWorker* workers, int nthread, const sfEpisodeSpec* specs,
                       const int* idx, int n, sfEpisodeResult* res, const sfRunObserver* obs);

// add one stored episode to a running summary (means are finalised by sf_summary_finish)
void sf_summary_count(sfRunSummary* sum, const sfEpisodeRow* r);

// add stored episode rows to a running summary (means are finalised by sf_summary_finish)
void sf_summary_add(sfRunSummary* sum, const sfEpisodeRow* rows, int n);

// turn the summary's sums into means
void sf_summary_finish(sfRunSummary* sum);

// run the rounds of configuration c with controller ctrl and learner lr into store st: each
// round every active robot samples its skill from its cohort's knowledge, all episodes run in
// parallel, the round is appended and flushed with the knowledge after it. `from` (may be NULL) is
// the fleet's starting knowledge. With `resumed` (may be NULL) the run continues after the rounds
// the store already holds: its completed rounds are learned from again (the learner replayed over
// their episodes) and must give the knowledge the store holds (SF_ERR_INPUT naming the first value
// that differs, nothing written). Progress is reported to obs (NULL: none). Under MPI each rank
// runs its planned share of every round (dist.h) and only rank 0 has the store (st is NULL on the
// others). SF_ERR_RUN on a store failure (completed rounds stay)
sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, const sfController* ctrl,
                       const sfLearner* lr, const sfKnowledge* from, const sfStoreData* resumed,
                       sfStore* st, const sfRunObserver* obs, sfRunSummary* sum, sfError* e);

// the learning a resumed store's completed rounds give with learner lr (replayed over its
// episodes, as sf_fleet_run does when it resumes) equals the knowledge the store holds: SF_OK,
// or SF_ERR_INPUT naming the first value that differs; nothing is written. Run before the store
// is reopened, so a refused --resume leaves it as it was
sftStatus sf_fleet_replay_check(const sfRunConfig* c, const sfSkillDef* def, const sfLearner* lr,
                                const sfKnowledge* from, const sfStoreData* resumed, sfError* e);

// from now on SIGINT and SIGTERM ask a run to stop after the round in progress is stored (a
// second one ends the process at once: the store is kill-safe); the run then returns SF_OK with
// sum->stopped set to the signal
void sf_fleet_catch_signals(void);

// the learning record of a stored episode row (the one conversion, for the run and its replays)
void sf_fleet_record(const sfEpisodeRow* row, sfEpisodeRecord* rec);

// the last round a store holds completely (its knowledge rows were written); -1 if none
int sf_fleet_rounds_done(const sfStoreData* d);

// the fleet's pooled knowledge at the end of a store, for a run of this seed; SF_ERR_INPUT naming
// path if it has none or it is for another skill vector than def's (other value names, or
// another count). The pooled aim is the calibration error shared by the store's robots, which
// are this run's only if the store's seed is this run's: otherwise the aim values are the
// prior's and *aim_reset is 1
sftStatus sf_fleet_pooled(const sfStoreData* d, const sfSkillDef* def, const char* path,
                          uint64_t seed, sfKnowledge* k, int* aim_reset, sfError* e);

#endif  // SUTUREFLEET_SIM_FLEET_H_
