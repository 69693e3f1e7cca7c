// bench.c: throughput of raw stepping and of the run pipeline, per thread count.
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dist.h"
#include "fleet.h"
#include "store.h"

#define SF_BENCH_WARMUP 4000  // steps per thread before measuring
#define SF_BENCH_REPS 3       // repetitions; the best of each kind is kept
#define SF_BENCH_EPISODE_S 9  // approximate simulated length of a reference episode (s)

// raw stepping: each thread steps its own data from the home keyframe with the servos holding
// the home pose; returns steps per second over all threads
static double sf_bench_raw(const sfScene* s, int nthread, long steps) {
  const mjModel* m = s->m;
  double t0 = 0, t1 = 0;
  int started = nthread;
#pragma omp parallel num_threads(nthread)
  {
#pragma omp master
    started = omp_get_num_threads();  // OpenMP may start fewer threads than asked
    mjData* d = mj_makeData(m);
    SF_ASSERT(d);
    mj_resetDataKeyframe(m, d, s->home_key);
    for (int i = 0; i < SF_NJOINT; i++) d->ctrl[s->arm.act[i]] = d->qpos[s->arm.qadr[i]];
#pragma omp barrier
#pragma omp master
    t0 = omp_get_wtime();
    for (long k = 0; k < steps; k++) mj_step(m, d);
#pragma omp barrier
#pragma omp master
    t1 = omp_get_wtime();
    mj_deleteData(d);
  }
  return (double)steps * started / (t1 - t0);
}

// the pipeline: a real run (episodes, control, measurements, store) into a temporary store
static sftStatus sf_bench_pipeline(const sfScene* s, int nthread, long steps, sfBenchRow* row,
                                   sfError* e) {
  sfRunConfig c;
  sf_config_defaults(&c);
  long per_episode = lround(SF_BENCH_EPISODE_S / s->m->opt.timestep);
  long episodes = (steps * nthread * sf_dist_size() + per_episode - 1) / per_episode;
  c.threads = nthread;
  c.rounds = (int)((episodes + c.robots - 1) / c.robots);
  c.seed = 12345;

  // the controller, and a temporary store that rank 0 writes and removes; every rank goes
  // through each agreement, whatever failed where
  int writer = sf_dist_rank() == 0, created = 0;
  char path[] = "/tmp/suturefleet-bench-XXXXXX";
  sfController ctrl;
  sftStatus status = sf_controller_open(c.controller, &ctrl, e);
  int fd = status == SF_OK && writer ? mkstemp(path) : -1;
  if (status == SF_OK && writer && fd < 0) {
    status =
        sf_fail(e, SF_ERR_RUN, "cannot create a temporary store in /tmp (%s)", strerror(errno));
  }
  if (fd >= 0) close(fd);
  char text[8192], names[2048];
  sf_config_text(&c, text, sizeof(text));
  sf_skill_names(&ctrl.skill, names, sizeof(names));
  sfStoreMeta meta = {text,      c.seed,    s->model_hash, s->path, s->m->opt.timestep,
                      ctrl.name, ctrl.hash, names};
  sfStore st;
  c.mode = SF_MODE_FLEET;
  int nrobot;
  sfRobotRow* robots = sf_robots_make(&c, &nrobot);
  if (status == SF_OK && writer) {
    status = sf_store_create(&st, path, 1, &meta, robots, nrobot, e);
    created = status == SF_OK;
  }
  free(robots);
  sfRunSummary sum;
  status = sf_dist_agree(status, e);
  if (status == SF_OK) {
    status = sf_fleet_run(s, &c, &ctrl, NULL, NULL, writer ? &st : NULL, NULL, &sum, e);
  }
  sftStatus close_status = created ? sf_store_close(&st, e) : SF_OK;
  close_status = sf_dist_agree(close_status, e);
  sf_controller_close(&ctrl);
  if (fd >= 0) unlink(path);
  if (status != SF_OK) return status;
  if (close_status != SF_OK) return close_status;
  row->pipe_sps = (double)sum.steps / sum.wall_s;
  row->store_share = sum.store_s / sum.wall_s;
  row->pipe_steps = sum.steps;
  return SF_OK;
}

sftStatus sf_bench_run(const sfScene* s, int max_threads, long steps, sfBenchRow* rows,
                       sfError* e) {
  for (int t = 1; t <= max_threads; t++) {
    sfBenchRow* row = &rows[t - 1];
    memset(row, 0, sizeof(*row));
    row->threads = t;

    // warm up the cores and caches, then keep the best of a few interleaved repetitions
    sf_bench_raw(s, t, SF_BENCH_WARMUP);
    for (int rep = 0; rep < SF_BENCH_REPS; rep++) {
      sf_dist_barrier();  // all ranks step at once; their rates add up
      row->raw_sps = fmax(row->raw_sps, sf_dist_sum(sf_bench_raw(s, t, steps)));
      sfBenchRow pipe = *row;
      sftStatus status = sf_bench_pipeline(s, t, steps, &pipe, e);
      if (status != SF_OK) return status;
      if (pipe.pipe_sps > row->pipe_sps) {
        row->pipe_sps = pipe.pipe_sps;
        row->store_share = pipe.store_share;
        row->pipe_steps = pipe.pipe_steps;
      }
    }
    row->ratio = row->pipe_sps / row->raw_sps;
  }
  return SF_OK;
}
