// fleet.h: robots practising in rounds, in parallel under OpenMP, results to the store.
#ifndef SUTUREFLEET_SIM_FLEET_H_
#define SUTUREFLEET_SIM_FLEET_H_

#include <stdio.h>

#include "config.h"
#include "episode.h"
#include "scene.h"
#include "store.h"

// summary of a finished run
typedef struct sfRunSummary_ {
  long episodes;          // episodes simulated and stored
  long steps;             // physics steps over all episodes
  long diverged;          // episodes flagged diverged
  double tip_target_mm;   // mean final needle-tip distance to the target (mm)
  double wall_s;          // wall time of the rounds (s)
  double store_s;         // part of it spent in the store (s)
} sfRunSummary;

// make workers[0 .. n-1], one per thread; on failure frees what it made and returns SF_ERR_RUN
sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, sfError* e);

// free workers[0 .. n-1]
void sf_workers_free(sfWorker* workers, int n);

// run every robot's episode of one round in parallel with the given workers (one per thread);
// res (robots) is filled in robot order; episode ids start at first_id
void sf_fleet_round(const sfScene* s, sfWorker* workers, int nthread, const sfRunConfig* c,
                    int round, int64_t first_id, sfEpisodeResult* res);

// run c->rounds rounds of c->robots robots, appending each round to st; progress lines go to
// log (may be NULL); SF_ERR_RUN on a store failure (completed rounds stay in the store)
sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, sfStore* st, FILE* log,
                       sfRunSummary* sum, sfError* e);

#endif  // SUTUREFLEET_SIM_FLEET_H_
