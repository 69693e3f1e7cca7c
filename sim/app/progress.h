// progress.h: how far a run is: a live status line on a terminal, plain lines otherwise.
//
// Threads report finished episodes (atomically); only OpenMP thread 0 redraws the live line, at
// most every SF_PROGRESS_REDRAW_S, so reporting costs nothing in the step loop. Nothing here
// changes results: progress is only printed.
#ifndef SUTUREFLEET_SIM_PROGRESS_H_
#define SUTUREFLEET_SIM_PROGRESS_H_

#include <stdio.h>

#include "fleet.h"

#define SF_PROGRESS_REDRAW_S 0.25  // live line: shortest time between redraws (s)

// progress of one run
typedef struct sfProgress_ {
  FILE* out;         // where lines go (NULL: silent)
  int live;          // out is a terminal: one status line redrawn in place
  double t0;         // wall time at the start (s, omp_get_wtime)
  double drawn;      // wall time of the last redraw
  long total;        // episodes this run will simulate
  long done;         // episodes finished (updated atomically)
  long steps;        // physics steps of the finished episodes (updated atomically)
  int round;         // current round (0-based)
  int rounds;        // rounds in the run
  int robots;        // robots active in the current round
  double last_rate;  // success rate of the last completed round (NaN before the first)
} sfProgress;

// start reporting a run of `total` episodes over `rounds` rounds to out (NULL: silent);
// live mode when out is a terminal
void sf_progress_start(sfProgress* p, FILE* out, long total, int rounds);

// a round with `robots` active robots begins
void sf_progress_round_start(sfProgress* p, int round, int robots);

// an episode of `steps` physics steps finished (any thread; p may be NULL)
void sf_progress_episode(sfProgress* p, long steps);

// the round finished: its success rates per cohort (NaN: cohort absent) and wall time (s)
void sf_progress_round_end(sfProgress* p, double fleet_rate, double solo_rate, double wall_s);

// the run is over: end the live line (p may be NULL)
void sf_progress_finish(sfProgress* p);

// an observer for sf_fleet_run that reports the run to out (NULL: silent) through p
void sf_progress_observer(sfProgress* p, FILE* out, sfRunObserver* obs);

#endif  // SUTUREFLEET_SIM_PROGRESS_H_
