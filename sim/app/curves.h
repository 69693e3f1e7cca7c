// curves.h: learning curves from stores: a metric against practice episodes per robot, per
// cohort group, with a 95 % confidence band; tidy CSV and plots drawn by gnuplot.
//
// A robot's k-th practice episode is its k-th episode in the store (k from 0, in round order).
// Groups: the fleet's founders (robots of round 0) and each fleet join wave, the solo founders
// and each solo join wave. With one store the band is over robots (the Wilson interval for the
// success rate, mean +- t sd / sqrt(n) otherwise); with several stores (seeds) each store's
// robot mean is one sample and the band is over stores.
#ifndef SUTUREFLEET_SIM_CURVES_H_
#define SUTUREFLEET_SIM_CURVES_H_

#include <stdio.h>

#include "status.h"
#include "store.h"

// the metrics a curve can show
typedef enum sftMetric_ {
  SF_METRIC_SUCCESS = 0,  // success (0/1): the success rate
  SF_METRIC_TIME,         // time_s: completion time (the time limit when not completed)
  SF_METRIC_ENTRY,        // entry_err_mm: SRC entry error (episodes with an insertion)
  SF_METRIC_TRAUMA,       // trauma_mm2
  SF_METRIC_CLOSURE,      // wound_closure (schema-4 episodes; a schema-3 store has none)
  SF_NMETRIC
} sftMetric;

// one point of a curve
typedef struct sfCurvePoint_ {
  int cohort;      // 0 fleet, 1 solo
  int join_round;  // the group's first round (0: founders)
  int episode;     // practice episode per robot (1-based: a robot's first episode is 1)
  int stores;      // stores contributing
  int robots;      // robots contributing (over all stores)
  double mean;     // the metric's mean
  double lo, hi;   // its 95 % confidence band
} sfCurvePoint;

// the metric named s ("success", "time", "entry_err", "trauma"), or -1
int sf_metric_parse(const char* s);

// the metric's axis label with unit
const char* sf_metric_label(int metric);

// two-sided 95 % quantile of Student's t with dof degrees of freedom (dof >= 1)
double sf_t95(int dof);

// Wilson score interval (95 %) of k successes in n trials (n > 0) into [*lo, *hi]
void sf_wilson95(double k, double n, double* lo, double* hi);

// the curves of metric over stores[0 .. nstore-1], grouped and ordered by (cohort, join round,
// episode) into *points (malloc'd, *n of them); SF_ERR_INPUT when the stores hold no episodes
sftStatus sf_curves(const sfStoreData* stores, int nstore, int metric, sfCurvePoint** points,
                    int* n, sfError* e);

// write the points as tidy CSV (header: cohort,group,join_round,metric,episode,stores,robots,
// mean,ci_lo,ci_hi; episode 1-based), one row per group and episode
void sf_curves_csv(FILE* f, int metric, const sfCurvePoint* p, int n);

// a plot by gnuplot into path (.svg: SVG, else PNG): data(f, user) writes the data into a
// temporary file, then script(g, path, svg, data_path, user) writes the script to gnuplot;
// SF_ERR_RUN when the temporary file cannot be made or gnuplot is missing or fails
sftStatus sf_gnuplot(const char* path, void (*data)(FILE* f, void* user),
                     void (*script)(FILE* g, const char* path, int svg, const char* data,
                                    void* user),
                     void* user, sfError* e);

// draw the curves with their bands into path (.png or .svg, by gnuplot) under title (quotes and
// control characters not allowed: the caller replaces them); lit (may be NULL) is a literature
// reference CSV (repetition,time_s,...) drawn beside a time curve; SF_ERR_INPUT for another
// extension, a path with quotes or control characters, or one that cannot be written;
// SF_ERR_RUN when gnuplot is missing or fails
sftStatus sf_curves_plot(const char* path, int metric, const sfCurvePoint* p, int n,
                         const char* lit, const char* title, sfError* e);

#endif  // SUTUREFLEET_SIM_CURVES_H_
