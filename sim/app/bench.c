// bench.c: throughput of raw stepping and of the run pipeline, per thread count.
#include "bench.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dist.h"
#include "fleet.h"
#include "learner.h"
#include "rng.h"
#include "store.h"

#define SF_BENCH_WARMUP 4000  // steps per thread before measuring
#define SF_BENCH_REPS 3       // repetitions; the best of each kind is kept
#define SF_BENCH_EPISODE_S 9  // approximate simulated length of a reference episode (s)

const char* const kSfProfPartNames[SF_PROF_N] = {"physics", "controller", "tissue", "scoring",
                                                 "recording"};

// the motion raw stepping replays: one reference episode's trajectory (calibrated robot 0,
// round 0 of the bench seed), recorded at SF_TRAJ_HZ
static void sf_bench_motion(const sfScene* s, sfTraj* t) {
  sfController ctrl;
  sfError e;
  sfWorker w;
  SF_ASSERT(sf_controller_open("scripted-arc", &ctrl, &e) == SF_OK);
  SF_ASSERT(sf_worker_make(&w, s, &ctrl, &e) == SF_OK);
  sf_traj_make(t, s->m, 1);
  sfEpisodeSpec spec = {.seed = 12345,
                        .episode_id = 0,
                        .stitches = 1,
                        .calibrated = 1,
                        .theta = ctrl.skill.ref,
                        .traj = t};
  sfEpisodeResult res;
  sf_episode_run(s, &w, &spec, &res);
  sf_worker_free(&w);
  sf_controller_close(&ctrl);
  SF_ASSERT(t->n > 0);
}

// this thread's CPU time (s)
static double sf_thread_cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

sftStatus sf_bench_reference(const sfScene* s, const sfController* ctrl, int stitches, int n,
                             sfBenchEpisode* b, sfError* e) {
  sfWorker w;
  if (sf_worker_make(&w, s, ctrl, e) != SF_OK) return SF_ERR_RUN;
  memset(b, 0, sizeof(*b));
  b->stitches = stitches;
  double t0 = sf_thread_cpu_s();
  for (int i = 0; i < n; i++) {
    sfEpisodeSpec spec = {.seed = 12345,
                          .robot = i,
                          .episode_id = i,
                          .stitches = stitches,
                          .calibrated = 1,
                          .theta = ctrl->skill.ref,
                          .context_robot = i};
    sfEpisodeResult res;
    sf_episode_run(s, &w, &spec, &res);
    b->sim_s += res.sim_time_s / n;
    b->handovers += (double)res.handovers / n;
    b->success += (double)res.success / n;
  }
  b->cpu_s = (sf_thread_cpu_s() - t0) / n;
  sf_worker_free(&w);
  return SF_OK;
}

int sf_bench_episodes(const sfScene* s, sfBenchEpisode out[2]) {
  sfController ctrl;
  sfError e;
  SF_ASSERT(sf_controller_open("scripted-arc", &ctrl, &e) == SF_OK);
  int ntask = s->npair >= 4 ? 2 : 1;
  for (int k = 0; k < ntask; k++) {
    SF_ASSERT(sf_bench_reference(s, &ctrl, k ? 4 : 1, SF_BENCH_REF_EPISODES, &out[k], &e) == SF_OK);
  }
  sf_controller_close(&ctrl);
  return ntask;
}

// raw stepping: each thread steps its own data from the home keyframe with mj_step alone,
// setting the recorded controls and needle pose of the motion (each sample held for its
// period, the motion repeated); returns steps per second over all threads
static double sf_bench_raw(const sfScene* s, const sfTraj* t, int nthread, long steps) {
  const mjModel* m = s->m;
  long every = lround(1.0 / (SF_TRAJ_HZ * m->opt.timestep));
  double t0 = 0, t1 = 0;
  int started = nthread;
#pragma omp parallel num_threads(nthread)
  {
#pragma omp master
    started = omp_get_num_threads();  // OpenMP may start fewer threads than asked
    mjData* d = mj_makeData(m);
    SF_ASSERT(d);
    mj_resetDataKeyframe(m, d, s->home_key);
#pragma omp barrier
#pragma omp master
    t0 = omp_get_wtime();
    for (long k = 0; k < steps; k++) {
      if (k % every == 0) {
        long i = (k / every) % t->n;
        mju_copy(d->ctrl, t->actions + i * m->nu, m->nu);
        mju_copy3(d->mocap_pos + 3 * s->needle_mocap, t->needle_pos + 3 * i);
        mju_copy4(d->mocap_quat + 4 * s->needle_mocap, t->needle_quat + 4 * i);
      }
      mj_step(m, d);
    }
#pragma omp barrier
#pragma omp master
    t1 = omp_get_wtime();
    mj_deleteData(d);
  }
  return (double)steps * started / (t1 - t0);
}

// the profiled run's shares of its wall time: the episode phase split over the parts in
// proportion to their thread time (what the threads did not spend in a part is set-up and
// waiting), then the store and everything else
static void sf_bench_shares(const sfProfile* prof, int nthread, const sfRunSummary* sum,
                            sfBenchRow* row) {
  double busy = nthread * sum->simulate_s, parts = 0;
  for (int p = 0; p < SF_PROF_N; p++) parts += prof->part_s[p];
  for (int p = 0; p < SF_PROF_N; p++) {
    row->part_share[p] = prof->part_s[p] / busy * sum->simulate_s / sum->wall_s;
  }
  row->setup_share = (busy - parts) / busy * sum->simulate_s / sum->wall_s;
  row->profile_store_share = sum->store_s / sum->wall_s;
  row->learn_share = 1 - (sum->simulate_s + sum->store_s) / sum->wall_s;
}

// the pipeline: a real run (episodes, control, measurements, store) into a temporary store
static sftStatus sf_bench_pipeline(const sfScene* s, int nthread, long steps, sfProfile* prof,
                                   sfBenchRow* row, sfError* e) {
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
  sfLearner lr;
  sftStatus status = sf_controller_open(c.controller, &ctrl, e);
  SF_ASSERT(sf_learner_open(c.learner, &lr, e) == SF_OK);  // the default, built in
  int fd = status == SF_OK && writer ? mkstemp(path) : -1;
  if (status == SF_OK && writer && fd < 0) {
    status =
        sf_fail(e, SF_ERR_RUN, "cannot create a temporary store in /tmp (%s)", strerror(errno));
  }
  if (fd >= 0) close(fd);
  char text[8192], names[2048];
  sf_config_text(&c, text, sizeof(text));
  sf_skill_names(&ctrl.skill, names, sizeof(names));
  sfStoreMeta meta = {text,      c.seed,         s->model_hash, s->path, s->m->opt.timestep,
                      ctrl.name, ctrl.file.hash, names,         lr.name, lr.file.hash};
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
    sfRunObserver obs = {.profile = prof};
    status = sf_fleet_run(s, &c, &ctrl, &lr, NULL, NULL, writer ? &st : NULL, &obs, &sum, e);
  }
  sftStatus close_status = created ? sf_store_close(&st, e) : SF_OK;
  close_status = sf_dist_agree(close_status, e);
  sf_controller_close(&ctrl);
  sf_learner_close(&lr);
  if (fd >= 0) unlink(path);
  if (status != SF_OK) return status;
  if (close_status != SF_OK) return close_status;
  row->pipe_sps = (double)sum.steps / sum.wall_s;
  row->store_share = sum.store_s / sum.wall_s;
  row->pipe_steps = sum.steps;
  row->sim_per_wall = row->pipe_sps * s->m->opt.timestep;
  row->episodes_ps = (double)sum.episodes / sum.wall_s;
  if (prof) sf_bench_shares(prof, nthread, &sum, row);
  return SF_OK;
}

sftStatus sf_bench_run(const sfScene* s, int max_threads, long steps, sfBenchRow* rows,
                       sfError* e) {
  sfTraj motion;
  sf_bench_motion(s, &motion);
  sftStatus status = SF_OK;
  for (int t = 1; status == SF_OK && t <= max_threads; t++) {
    sfBenchRow* row = &rows[t - 1];
    memset(row, 0, sizeof(*row));
    row->threads = t;

    // warm up the cores and caches, then keep the best of a few interleaved repetitions
    sf_bench_raw(s, &motion, t, SF_BENCH_WARMUP);
    for (int rep = 0; status == SF_OK && rep < SF_BENCH_REPS; rep++) {
      sf_dist_barrier();  // all ranks step at once; their rates add up
      row->raw_sps = fmax(row->raw_sps, sf_dist_sum(sf_bench_raw(s, &motion, t, steps)));
      sfBenchRow pipe = *row;
      status = sf_bench_pipeline(s, t, steps, NULL, &pipe, e);
      if (status == SF_OK && pipe.pipe_sps > row->pipe_sps) {
        pipe.raw_sps = row->raw_sps;
        *row = pipe;
      }
    }

    // the time split, from a run of its own (timing costs a little)
    sfProfile prof = {{0}};
    sfBenchRow split = *row;
    if (status == SF_OK) status = sf_bench_pipeline(s, t, steps, &prof, &split, e);
    memcpy(row->part_share, split.part_share, sizeof(row->part_share));
    row->setup_share = split.setup_share;
    row->profile_store_share = split.profile_store_share;
    row->learn_share = split.learn_share;
    row->ratio = row->pipe_sps / row->raw_sps;
  }
  sf_traj_free(&motion);
  return status;
}

void sf_bench_learners(sfBenchLearner* out) {
  sfController ctrl;
  sfError e;
  SF_ASSERT(sf_controller_open("scripted-arc", &ctrl, &e) == SF_OK);
  const sfSkillDef* def = &ctrl.skill;
  int n = SF_BENCH_LEARN_ROBOTS;
  sfEpisodeRecord* recs = SF_CALLOC(n, sizeof(sfEpisodeRecord));
  double zero[3] = {0, 0, 0};
  for (int l = 0; l < sf_learner_builtin_count(); l++) {
    sfLearner lr;
    SF_ASSERT(sf_learner_use(sf_learner_builtin(l), "bench", &lr, &e) == SF_OK);
    sfKnowledge prior;
    sf_knowledge_prior(def, &prior);
    size_t heap0 = mallinfo2().uordblks;
    sfPool pool;
    SF_ASSERT(sf_pool_make(&pool, &lr, def, &prior, n, 0, &e) == SF_OK);
    double total = 0, worst = 0;
    for (int round = 0; round < SF_BENCH_LEARN_ROUNDS; round++) {
      // the round's synthetic episodes
      for (int i = 0; i < n; i++) {
        sfEpisodeRecord* r = &recs[i];
        sf_pool_sample(&pool, zero, 12345, (uint32_t)i, (uint32_t)round, r->theta);
        double d2 = 0;
        for (int j = 0; j < def->n; j++) {
          double d = (r->theta[j] - def->ref[j]) / def->prior_sd[j];
          d2 += d * d;
        }
        r->score = -d2, r->success = d2 < 1, r->robot = i, r->round = round;
      }

      // its update, timed
      double t0 = omp_get_wtime();
      sf_pool_update(&pool, recs, n, (long)(round + 1) * n);
      double dt = omp_get_wtime() - t0;
      total += dt, worst = dt > worst ? dt : worst;
    }
    size_t heap1 = mallinfo2().uordblks;
    out[l] = (sfBenchLearner){sf_learner_builtin(l)->name, 1e3 * total / SF_BENCH_LEARN_ROUNDS,
                              1e3 * worst, heap1 > heap0 ? (double)(heap1 - heap0) : 0};
    sf_pool_free(&pool);
    sf_learner_close(&lr);
  }
  free(recs);
  sf_controller_close(&ctrl);
}
