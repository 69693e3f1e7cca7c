// fleet.h: robots practising in rounds, in parallel under OpenMP, results to the store.
#ifndef SUTUREFLEET_SIM_FLEET_H_
#define SUTUREFLEET_SIM_FLEET_H_

#include <stdio.h>

#include "config.h"
#include "episode.h"
#include "scene.h"
#include "store.h"

// summary of finished episodes
typedef struct sfRunSummary_ {
  long episodes;          // episodes simulated
  long steps;             // physics steps over all episodes
  long successes;         // successful episodes
  long diverged;          // episodes flagged diverged
  long faults;            // episodes flagged controller fault
  double entry_err_mm;    // mean entry lateral error (over episodes with an insertion)
  double exit_err_mm;     // mean exit lateral error (over episodes with an exit)
  double trauma_mm2;      // mean tissue trauma
  double peak_force_N;    // mean peak needle-tissue force
  double time_s;          // mean completion time
  double wall_s;          // wall time (s)
  double store_s;         // part of it spent in the store (s)
} sfRunSummary;

// make workers[0 .. n-1], one per thread, running controller def; on failure frees what it
// made and returns SF_ERR_RUN
sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, const sfControllerDef* def,
                          sfError* e);

// free workers[0 .. n-1]
void sf_workers_free(sfWorker* workers, int n);

// run n episodes in parallel with the given workers (one per thread); specs[i] -> res[i]
void sf_fleet_parallel(const sfScene* s, sfWorker* workers, int nthread, const sfEpisodeSpec* specs,
                       int n, sfEpisodeResult* res);

// add results to a running summary (means are finalised by sf_summary_finish)
void sf_summary_add(sfRunSummary* sum, const sfEpisodeResult* res, int n);

// turn the summary's sums into means
void sf_summary_finish(sfRunSummary* sum);

// run c->rounds rounds of c->robots robots with skill theta, appending each round to st;
// progress lines go to log (may be NULL); SF_ERR_RUN on a store failure (completed rounds stay
// in the store)
sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, const double* theta, sfStore* st,
                       FILE* log, sfRunSummary* sum, sfError* e);

#endif  // SUTUREFLEET_SIM_FLEET_H_
