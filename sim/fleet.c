// fleet.c: rounds of parallel episodes; one writer hands results to the store in robot order.
#include "fleet.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, sfError* e) {
  for (int i = 0; i < n; i++) {
    if (sf_worker_make(&workers[i], s, e) != SF_OK) {
      sf_workers_free(workers, i);
      return SF_ERR_RUN;
    }
  }
  return SF_OK;
}

void sf_workers_free(sfWorker* workers, int n) {
  for (int i = 0; i < n; i++) sf_worker_free(&workers[i]);
}

void sf_fleet_round(const sfScene* s, sfWorker* workers, int nthread, const sfRunConfig* c,
                    int round, int64_t first_id, sfEpisodeResult* res) {
  // each thread owns workers[thread]; each robot's slot is written by exactly one thread
#pragma omp parallel num_threads(nthread)
  {
    sfWorker* w = &workers[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
    for (int robot = 0; robot < c->robots; robot++) {
      sfEpisodeSpec spec = {c->seed, robot, round, first_id + robot, c->episode_s};
      sf_episode_run(s, w, &spec, &res[robot]);
    }
  }
}

sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, sfStore* st, FILE* log,
                       sfRunSummary* sum, sfError* e) {
  memset(sum, 0, sizeof(*sum));
  sfWorker* workers = calloc((size_t)c->threads, sizeof(sfWorker));
  sfEpisodeResult* res = calloc((size_t)c->robots, sizeof(sfEpisodeResult));
  SF_ASSERT(workers && res);
  sftStatus status = sf_workers_make(workers, c->threads, s, e);
  double t0 = omp_get_wtime(), tip_sum = 0;

  // rounds: simulate in parallel, then store in robot order from this thread
  for (int round = 0; status == SF_OK && round < c->rounds; round++) {
    double tr = omp_get_wtime();
    sf_fleet_round(s, workers, c->threads, c, round, (int64_t)round * c->robots, res);
    status = sf_store_append(st, res, c->robots, e);
    double round_tip = 0;
    for (int i = 0; i < c->robots; i++) {
      sum->steps += res[i].steps;
      sum->diverged += res[i].diverged;
      round_tip += res[i].tip_target_mm;
    }
    tip_sum += round_tip;
    sum->episodes += c->robots;
    if (log) {
      fprintf(log, "round %d/%d: %d episodes, mean tip-target %.3f mm, %.2f s\n", round + 1,
              c->rounds, c->robots, round_tip / c->robots, omp_get_wtime() - tr);
      fflush(log);
    }
  }

  // summary
  sum->wall_s = omp_get_wtime() - t0;
  sum->store_s = st->io_s;
  sum->tip_target_mm = sum->episodes ? tip_sum / (double)sum->episodes : 0;
  sf_workers_free(workers, c->threads);
  free(workers);
  free(res);
  return status;
}
