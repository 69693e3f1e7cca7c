// progress.c: the live status line and the plain progress lines of a run.
#include "progress.h"

#include <math.h>
#include <omp.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"

// seconds as "1h02m", "3m05s" or "12s"
static void sf_progress_hms(double s, char* out, size_t n) {
  long t = isfinite(s) && s > 0 ? lround(s) : 0;
  if (t >= 3600)
    snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60)
    snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
  else
    snprintf(out, n, "%lds", t);
}

// rate (steps/s) and the time left, from what is done so far
static void sf_progress_rates(const sfProgress* p, double now, double* sps, char* eta, size_t n) {
  long done, steps;
#pragma omp atomic read
  done = p->done;
#pragma omp atomic read
  steps = p->steps;
  double dt = now - p->t0;
  *sps = dt > 0 ? (double)steps / dt : 0;
  if (done > 0)
    sf_progress_hms(dt * (double)(p->total - done) / (double)done, eta, n);
  else
    snprintf(eta, n, "?");
}

// redraw the live line
static void sf_progress_draw(sfProgress* p, double now) {
  double sps;
  char eta[32], rate[16] = "-";
  sf_progress_rates(p, now, &sps, eta, sizeof(eta));
  if (isfinite(p->last_rate)) snprintf(rate, sizeof(rate), "%.2f", p->last_rate);
  long done;
#pragma omp atomic read
  done = p->done;
  fprintf(p->out,
          "\r\033[Kround %d/%d  %d robots  %ld/%ld episodes  last round success %s  "
          "%.0fk steps/s  ETA %s",
          p->round + 1, p->rounds, p->robots, done, p->total, rate, sps / 1000, eta);
  fflush(p->out);
  p->drawn = now;
}

void sf_progress_start(sfProgress* p, FILE* out, long total, int rounds) {
  memset(p, 0, sizeof(*p));
  p->out = out;
  p->live = out && isatty(fileno(out)) && sf_dist_size() == 1;  // no live line under mpirun
  p->t0 = omp_get_wtime();
  p->total = total;
  p->rounds = rounds;
  p->last_rate = NAN;
}

void sf_progress_round_start(sfProgress* p, int round, int robots) {
  p->round = round;
  p->robots = robots;
  if (p->out && p->live) sf_progress_draw(p, omp_get_wtime());
}

void sf_progress_episode(sfProgress* p, long steps) {
  if (!p || !p->out) return;
#pragma omp atomic
  p->done++;
#pragma omp atomic
  p->steps += steps;

  // only thread 0 draws, and not too often
  if (!p->live || omp_get_thread_num() != 0) return;
  double now = omp_get_wtime();
  if (now - p->drawn >= SF_PROGRESS_REDRAW_S) sf_progress_draw(p, now);
}

void sf_progress_round_end(sfProgress* p, double fleet_rate, double solo_rate, double wall_s) {
  if (!p->out) return;
  int have[2] = {!isnan(fleet_rate), !isnan(solo_rate)};
  p->last_rate = have[0] ? fleet_rate : solo_rate;
  double now = omp_get_wtime(), sps;
  char eta[32], elapsed[32];
  sf_progress_rates(p, now, &sps, eta, sizeof(eta));
  sf_progress_hms(now - p->t0, elapsed, sizeof(elapsed));

  // the round's line; on a terminal it replaces the live line, which is then drawn anew
  fprintf(p->out, "%sround %d/%d: %d episodes, success", p->live ? "\r\033[K" : "", p->round + 1,
          p->rounds, p->robots);
  if (have[0]) fprintf(p->out, " fleet %.2f", fleet_rate);
  if (have[1]) fprintf(p->out, " solo %.2f", solo_rate);
  fprintf(p->out, ", %.2f s; %.0fk steps/s, %s elapsed, ETA %s\n", wall_s, sps / 1000, elapsed,
          p->round + 1 < p->rounds ? eta : "0s");
  fflush(p->out);
}

void sf_progress_finish(sfProgress* p) {
  if (!p || !p->out || !p->live) return;
  fputs("\r\033[K", p->out);
  fflush(p->out);
}

// sfRunObserver's calls, onto the progress of the run
static void sf_progress_on_start(void* user, long episodes, int rounds) {
  sfProgress* p = user;
  sf_progress_start(p, p->out, episodes, rounds);
}
static void sf_progress_on_round_start(void* user, int round, int robots) {
  sf_progress_round_start(user, round, robots);
}
static void sf_progress_on_episode(void* user, long steps) {
  sf_progress_episode(user, steps);
}
static void sf_progress_on_round_end(void* user, double fleet, double solo, double wall_s) {
  sf_progress_round_end(user, fleet, solo, wall_s);
}
static void sf_progress_on_finish(void* user) {
  sf_progress_finish(user);
}

void sf_progress_observer(sfProgress* p, FILE* out, sfRunObserver* obs) {
  memset(p, 0, sizeof(*p));
  p->out = out;
  *obs = (sfRunObserver){p,
                         sf_progress_on_start,
                         sf_progress_on_round_start,
                         sf_progress_on_episode,
                         sf_progress_on_round_end,
                         sf_progress_on_finish,
                         NULL};
}
