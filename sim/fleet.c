// fleet.c: rounds of parallel episodes; one writer hands results to the store in robot order.
#include "fleet.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

sftStatus sf_workers_make(sfWorker* workers, int n, const sfScene* s, const sfControllerDef* def,
                          sfError* e) {
  for (int i = 0; i < n; i++) {
    if (sf_worker_make(&workers[i], s, def, e) != SF_OK) {
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
                       int n, sfEpisodeResult* res) {
  // each thread owns workers[thread]; each slot is written by exactly one thread
#pragma omp parallel num_threads(nthread)
  {
    sfWorker* w = &workers[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) sf_episode_run(s, w, &specs[i], &res[i]);
  }
}

void sf_summary_add(sfRunSummary* sum, const sfEpisodeResult* res, int n) {
  for (int i = 0; i < n; i++) {
    const sfEpisodeResult* r = &res[i];
    sum->episodes++;
    sum->steps += r->steps;
    sum->successes += r->success;
    sum->diverged += r->diverged;
    sum->faults += r->fault;
    if (!isnan(r->entry_err_mm)) sum->entry_err_mm += r->entry_err_mm;
    if (!isnan(r->exit_err_mm)) sum->exit_err_mm += r->exit_err_mm;
    sum->trauma_mm2 += r->trauma_mm2;
    sum->peak_force_N += r->peak_force_N;
    sum->time_s += r->time_s;
  }
}

void sf_summary_finish(sfRunSummary* sum) {
  double n = sum->episodes ? (double)sum->episodes : 1;
  sum->entry_err_mm /= n;
  sum->exit_err_mm /= n;
  sum->trauma_mm2 /= n;
  sum->peak_force_N /= n;
  sum->time_s /= n;
}

sftStatus sf_fleet_run(const sfScene* s, const sfRunConfig* c, const double* theta, sfStore* st,
                       FILE* log, sfRunSummary* sum, sfError* e) {
  memset(sum, 0, sizeof(*sum));
  const sfControllerDef* def = sf_controller_find(c->controller);
  SF_ASSERT(def);
  sfWorker* workers = calloc((size_t)c->threads, sizeof(sfWorker));
  sfEpisodeSpec* specs = calloc((size_t)c->robots, sizeof(sfEpisodeSpec));
  sfEpisodeResult* res = calloc((size_t)c->robots, sizeof(sfEpisodeResult));
  SF_ASSERT(workers && specs && res);
  sftStatus status = sf_workers_make(workers, c->threads, s, def, e);
  double t0 = omp_get_wtime();

  // rounds: simulate in parallel, then store in robot order from this thread
  for (int round = 0; status == SF_OK && round < c->rounds; round++) {
    double tr = omp_get_wtime();
    for (int i = 0; i < c->robots; i++) {
      specs[i] = (sfEpisodeSpec){c->seed, i, round, (int64_t)round * c->robots + i, c->stitches,
                                 0, theta};
    }
    sf_fleet_parallel(s, workers, c->threads, specs, c->robots, res);
    status = sf_store_append(st, res, c->robots, def->name, e);
    if (status != SF_OK) break;
    sfRunSummary rsum = {0};
    sf_summary_add(&rsum, res, c->robots);
    sf_summary_add(sum, res, c->robots);
    sf_summary_finish(&rsum);
    if (log) {
      fprintf(log, "round %d/%d: %d episodes, success %.2f, entry %.2f mm, exit %.2f mm, "
              "trauma %.2f mm^2, %.2f s\n", round + 1, c->rounds, c->robots,
              (double)rsum.successes / c->robots, rsum.entry_err_mm, rsum.exit_err_mm,
              rsum.trauma_mm2, omp_get_wtime() - tr);
      fflush(log);
    }
  }

  // summary
  sf_summary_finish(sum);
  sum->wall_s = omp_get_wtime() - t0;
  sum->store_s = st->io_s;
  sf_workers_free(workers, c->threads);
  free(workers);
  free(specs);
  free(res);
  return status;
}
