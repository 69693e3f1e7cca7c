// study.h: a study: a grid of runs from one spec (every combination of its axes), each cell an
// ordinary run into DIR/cells/<cell>.h5, and the summary of every cell and cohort.
//
// The spec is an INI file with a [study] section: `name` (letters, digits, '.', '_', '-'),
// `target` (success level, default 0.9) and `window` (rounds averaged to call it reached,
// default 3), and any run setting (robots, rounds, seed or seeds, stitches, join, mode, from,
// record, controller, model) as one value or a list: values separated by commas
// (`robots = 1,4,16`), an integer range for the integer settings (`seeds = 1-10`); a join list
// separates its alternatives by '|' (a join value itself has commas: `join = none | 4@12 |
// 2@6,2@12`). threads and store are not study settings (--threads applies to every cell; the
// cells' stores are the study's). Sections [grid NAME] after it make the study the union of
// several grids: each grid has the [study] section's settings, its own replacing or adding to
// them (e.g. a fleet grid over fleet sizes for 32 rounds and a solo grid for 300).
//
// Cells with fewer than SF_STUDY_SMALL_PER_THREAD episodes per round per thread run side by
// side in child processes, one thread each; the others run in this process with every thread.
// Under mpirun every rank runs each cell (its share of the robots) and rank 0 writes.
#ifndef SUTUREFLEET_SIM_APP_STUDY_H_
#define SUTUREFLEET_SIM_APP_STUDY_H_

#include <stdio.h>

#include "config.h"
#include "status.h"
#include "store.h"

#define SF_STUDY_MAX_AXES SF_CONFIG_NKEY  // at most one axis per run setting
#define SF_STUDY_MAX_VALUES 256           // most values one axis may take
#define SF_STUDY_MAX_CELLS 10000          // most cells a study may have
#define SF_STUDY_VALUE 200                // longest value (an INI line's limit)
#define SF_STUDY_MAX_GRIDS 8              // most [grid NAME] sections
#define SF_STUDY_MAX_SIDE 64              // most cells running side by side (one per thread)
#define SF_STUDY_SMALL_PER_THREAD \
  4  // a cell of fewer episodes per round per thread runs
     //   beside others: it cannot keep every thread busy

// one axis: a run setting and the values it takes, in the spec's order
typedef struct sfStudyAxis_ {
  char key[32];                                     // the run setting (sf_config_key)
  int nvalue;                                       // values
  char value[SF_STUDY_MAX_VALUES][SF_STUDY_VALUE];  // each as run would read it
} sfStudyAxis;

// one grid of cells: its settings (the [study] section's, then its own replacing or adding)
typedef struct sfStudyGrid_ {
  char name[32];                        // the [grid NAME] ("" when the spec has none)
  int naxis;                            // settings
  sfStudyAxis axis[SF_STUDY_MAX_AXES];  // in the spec's order (a replaced one keeps its place)
  int own[SF_STUDY_MAX_AXES];           // 1: given in the grid's section
  long ncell;                           // its cells: the product of the axes' value counts
  long first;                           // the study's index of its first cell
} sfStudyGrid;

// a loaded study spec
typedef struct sfStudySpec_ {
  char path[4096];                      // the spec file
  char name[64];                        // the study's name
  double target;                        // success level a cohort must reach (0 .. 1]
  int window;                           // rounds averaged when testing it (>= 1)
  int naxis;                            // settings of the [study] section
  sfStudyAxis axis[SF_STUDY_MAX_AXES];  // in the spec's order
  int ngrid;                            // grids (1 when the spec has no [grid] section)
  sfStudyGrid grid[SF_STUDY_MAX_GRIDS];
  long ncell;  // cells of all grids, grid by grid
} sfStudySpec;

// one cohort of one cell, summarised from its store
typedef struct sfStudyRow_ {
  int cohort;                     // 0 fleet, 1 solo
  int robots;                     // robots of the cohort practising from round 0
  int rounds;                     // rounds stored
  int rounds_to_target;           // first round count after which the window's mean success
                                  //   reaches the target (censored: the rounds stored)
  int censored;                   // 1: the target was not reached in the rounds stored
  long total_episodes_to_target;  // episodes of the cohort's initial robots up to then
  double final_success;           // success of the initial robots in the last window
  int joiners;                    // robots of the cohort joining later
  double joiner_first_success;    // their success in the round they joined (NaN: none)
  double fleet_success_at_join;   // the fleet's initial robots' success that round (NaN: none)
  double mean_trauma_mm2;         // over all of the cohort's episodes
  double mean_time_s;
} sfStudyRow;

// load and check a spec: SF_ERR_INPUT naming the file, key and value (an unknown key, an empty
// or bad list, a bad range, too many cells); every cell's configuration is also checked by
// sf_study_cell_config
sftStatus sf_study_load(sfStudySpec* s, const char* path, sfError* e);

// cell k's grid (0 .. ncell - 1) and the value index of each of its axes (the last axis varies
// fastest)
const sfStudyGrid* sf_study_cell_index(const sfStudySpec* s, long k, int idx[SF_STUDY_MAX_AXES]);

// cell k's name: its grid's name (when the spec has grids), then "<key>-<value>" for each axis
// of more than one value, joined by '_' (value characters other than letters, digits, '.', '-'
// become '-'); "cell" for a one-cell study
void sf_study_cell_name(const sfStudySpec* s, long k, char* buf, size_t n);

// cell k's run configuration: the defaults, then each axis's value, checked as run checks it
// (sf_config_check, sf_config_check_text); SF_ERR_INPUT naming the spec, the key and the value
sftStatus sf_study_cell_config(const sfStudySpec* s, long k, sfRunConfig* c, sfError* e);

// the episodes cell configuration c runs (every robot from its join round to the last round)
long sf_study_cell_episodes(const sfRunConfig* c);

// summarise a cell's store for each of its cohorts into rows (2); returns how many (1 or 2)
int sf_study_summarise(const sfStudySpec* s, const sfStoreData* d, sfStudyRow rows[2]);

// the first round count r (window <= r <= n) at which the mean of rate[r - window .. r - 1]
// reaches target, or 0 when it never does (rate: success per round, n rounds)
int sf_study_rounds_to_target(const double* rate, int n, int window, double target);

// the Kaplan-Meier median of n times (time[i], right-censored where censored[i]): the first
// event time at which the estimated share not yet reached falls to 0.5 or below; 0 when it
// never does (more than half censored before)
int sf_study_km_median(const int* time, const int* censored, int n);

// mean and 95 % t interval of n values (lo = hi = mean for n = 1; NaN for n = 0)
void sf_study_mean_ci(const double* v, int n, double* mean, double* lo, double* hi);

// the ratio of the mean of solo (ns values) to the mean of fleet (nf values) and its 95 %
// interval by the delta method: ratio +- t(min(nf, ns) - 1) x ratio x sqrt(se_s^2 / m_s^2 +
// se_f^2 / m_f^2), se the standard error of each mean; NaN for fewer than 2 values of either
void sf_study_ratio(const double* fleet, int nf, const double* solo, int ns, double* ratio,
                    double* lo, double* hi);

// what `suturefleet study` was asked
typedef struct sfStudyArgs_ {
  const char* spec;  // the spec file
  const char* out;   // the study's directory (NULL: "<name>.study")
  int threads;       // OpenMP threads of every cell's run
  int resume;        // continue a study in out
  int dry_run;       // list the cells, run nothing
  int json;          // the listing as JSON
  int quiet;         // no progress lines
} sfStudyArgs;

// a command's entry (the app's `run`), called for each cell with the run's options
typedef int (*sfStudyRunFn)(int argc, char** argv, FILE* out, FILE* err);

// the study: load and check the spec (SF_ERR_INPUT, nothing written), then list the cells
// (dry run) or run every cell not yet complete into out/cells/<cell>.h5 through run (cells
// from an earlier, interrupted study are kept when complete and of the same configuration, an
// interrupted cell is resumed), then write out/summary.csv, out/summary.md, out/curves/,
// (with joiners) out/joiners.*, (a study of fleet sizes) out/scaling.*, out/surgeons.md and
// out/surgeons_time.*, and out/report.html; returns the exit code
int sf_study_main(const sfStudyArgs* a, sfStudyRunFn run, FILE* out, FILE* err);

#endif  // SUTUREFLEET_SIM_APP_STUDY_H_
