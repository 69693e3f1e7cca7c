// study.c: study specs, their grid of cells, and the summary of a cell's store.
#include "study.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "controller.h"
#include "curves.h"
#include "dist.h"
#include "fleet.h"
#include "json.h"
#include "robots.h"
#include "scene.h"
#include "store_check.h"

// what the INI handler carries: the spec, the grid being read (NULL: the [study] section), the
// line, the first error
typedef struct sfStudyIni_ {
  sfIniLines in;  // the stream and its line count (first: sf_ini_read reads through it)
  sfStudySpec* s;
  sfStudyGrid* grid;
  sfError* e;
  int failed;
} sfStudyIni;

// trim leading and trailing blanks of s in place
static char* sf_trim(char* s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
  return s;
}

// add one value to an axis (NULL when the axis is full)
static char* sf_study_next_value(sfStudyIni* x, sfStudyAxis* a) {
  if (a->nvalue < SF_STUDY_MAX_VALUES) return a->value[a->nvalue++];
  sf_fail(x->e, SF_ERR_INPUT, "study '%s' line %d (%s): more than %d values", x->s->path,
          x->in.line, a->key, SF_STUDY_MAX_VALUES);
  return NULL;
}

// add one list item to an axis: a value, or for an integer setting a range "a-b" (a .. b)
static sftStatus sf_study_add_value(sfStudyIni* x, sfStudyAxis* a, char* v, int integer) {
  const sfStudySpec* s = x->s;
  char* dash = integer ? strchr(v + 1, '-') : NULL;
  if (!dash) {
    char* t = sf_trim(v);
    if (!t[0]) {
      return sf_fail(x->e, SF_ERR_INPUT,
                     "study '%s' line %d (%s): an empty value in the list; expected a value or "
                     "a list",
                     s->path, x->in.line, a->key);
    }
    char* slot = sf_study_next_value(x, a);
    if (!slot) return SF_ERR_INPUT;
    snprintf(slot, SF_STUDY_VALUE, "%s", t);
    return SF_OK;
  }
  int lo, hi;
  *dash = 0;
  if (sf_parse_int(sf_trim(v), 0, 1000000000, &lo) ||
      sf_parse_int(sf_trim(dash + 1), 0, 1000000000, &hi) || hi < lo) {
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d (%s): expected a range a-b of integers with a <= b", s->path,
                   x->in.line, a->key);
  }
  for (long k = lo; k <= hi; k++) {
    char* slot = sf_study_next_value(x, a);
    if (!slot) return SF_ERR_INPUT;
    snprintf(slot, SF_STUDY_VALUE, "%ld", k);
  }
  return SF_OK;
}

// the axis a setting of the section being read goes to: a new one, or in a grid the [study]
// section's of the same key, which it replaces (NULL: the section gives it twice)
static sfStudyAxis* sf_study_slot(sfStudyIni* x, const char* key) {
  sfStudySpec* s = x->s;
  int* naxis = x->grid ? &x->grid->naxis : &s->naxis;
  sfStudyAxis* axis = x->grid ? x->grid->axis : s->axis;
  for (int i = 0; i < *naxis; i++) {
    if (strcmp(axis[i].key, key)) continue;
    if (!x->grid || x->grid->own[i]) return NULL;
    x->grid->own[i] = 1;
    axis[i].nvalue = 0;
    return &axis[i];
  }
  if (x->grid) x->grid->own[*naxis] = 1;
  return &axis[(*naxis)++];
}

// an axis from its list text (commas, or '|' for join)
static sftStatus sf_study_axis(sfStudyIni* x, const char* key, const char* value) {
  sfStudySpec* s = x->s;
  sfStudyAxis* a = sf_study_slot(x, key);
  if (!a) {
    return sf_fail(x->e, SF_ERR_INPUT, "study '%s' line %d (%s): the setting is given twice",
                   s->path, x->in.line, key);
  }
  snprintf(a->key, sizeof(a->key), "%s", key);
  int integer = !strcmp(key, "robots") || !strcmp(key, "rounds") || !strcmp(key, "seed") ||
                !strcmp(key, "stitches");
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", value);
  char sep = !strcmp(key, "join") ? '|' : ',';
  for (char* v = buf; v;) {
    char* next = strchr(v, sep);
    if (next) *next++ = 0;
    sftStatus st = sf_study_add_value(x, a, v, integer);
    if (st != SF_OK) return st;
    v = next;
  }
  return SF_OK;
}

// value is a plain word of fewer than n characters (letters, digits, '.', '_', '-'): a study's
// or grid's name, which names files and stands in JSON and HTML
static int sf_study_plain(const char* value, size_t n) {
  size_t len = strlen(value);
  return len > 0 && len < n &&
         strspn(value,
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
                "NOPQRSTUVWXYZ0123456789._-") == len;
}

// the section of the next entry: [study] (before any grid) or [grid NAME], a new grid when the
// name changes (its settings start as the [study] section's)
static sftStatus sf_study_section(sfStudyIni* x, const char* section) {
  sfStudySpec* s = x->s;
  if (!strcmp(section, "study")) {
    if (!x->grid) return SF_OK;
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d: a [study] setting after a [grid] section (expected the "
                   "[study] section first)",
                   s->path, x->in.line);
  }
  const char* name = strncmp(section, "grid ", 5) ? NULL : section + 5;
  while (name && *name == ' ') name++;
  if (!name || !sf_study_plain(name, sizeof(x->grid->name))) {
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d: unknown section [%s] (expected [study] or [grid NAME], "
                   "NAME of letters, digits, '.', '_' or '-')",
                   s->path, x->in.line, section);
  }
  if (x->grid && !strcmp(x->grid->name, name)) return SF_OK;
  for (int g = 0; g < s->ngrid; g++) {
    if (!strcmp(s->grid[g].name, name)) {
      return sf_fail(x->e, SF_ERR_INPUT, "study '%s' line %d: [grid %s] is given twice", s->path,
                     x->in.line, name);
    }
  }
  if (s->ngrid == SF_STUDY_MAX_GRIDS) {
    return sf_fail(x->e, SF_ERR_INPUT, "study '%s' line %d: more than %d grids", s->path,
                   x->in.line, SF_STUDY_MAX_GRIDS);
  }
  x->grid = &s->grid[s->ngrid++];
  snprintf(x->grid->name, sizeof(x->grid->name), "%s", name);
  x->grid->naxis = s->naxis;
  memcpy(x->grid->axis, s->axis, sizeof(s->axis));
  return SF_OK;
}

// one INI entry of the [study] section or a [grid NAME] section
static sftStatus sf_study_entry(sfStudyIni* x, const char* section, const char* key,
                                const char* value) {
  sfStudySpec* s = x->s;
  sftStatus st = sf_study_section(x, section);
  if (st != SF_OK) return st;
  int study_key = !strcmp(key, "name") || !strcmp(key, "target") || !strcmp(key, "window");
  if (study_key && x->grid) {
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d (%s): a setting of the [study] section (a grid has run "
                   "settings only)",
                   s->path, x->in.line, key);
  }
  if (!strcmp(key, "name")) {
    if (sf_study_plain(value, sizeof(s->name))) {
      snprintf(s->name, sizeof(s->name), "%s", value);
      return SF_OK;
    }
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d (name): expected letters, digits, '.', '_' or '-' (at "
                   "most %zu), got '%s'",
                   s->path, x->in.line, sizeof(s->name) - 1, value);
  }
  if (!strcmp(key, "target") || !strcmp(key, "window")) {
    int bad = !strcmp(key, "target") ? sf_parse_double(value, 1e-9, 1, &s->target)
                                     : sf_parse_int(value, 1, 1000, &s->window);
    if (!bad) return SF_OK;
    return sf_fail(
        x->e, SF_ERR_INPUT, "study '%s' line %d (%s): expected %s, got '%s'", s->path, x->in.line,
        key, !strcmp(key, "target") ? "a success level in (0, 1]" : "a round count from 1 to 1000",
        value);
  }
  const char* setting = !strcmp(key, "seeds") ? "seed" : key;
  int k = sf_config_key_index(setting);
  if (k < 0 || !strcmp(setting, "threads") || !strcmp(setting, "store")) {
    return sf_fail(x->e, SF_ERR_INPUT,
                   "study '%s' line %d: unknown key '%s' (expected name, target, window, seeds or "
                   "a run setting: robots, rounds, seed, stitches, join, mode, from, record, "
                   "controller, learner, model)",
                   s->path, x->in.line, key);
  }
  return sf_study_axis(x, setting, value);
}

static int sf_study_ini_entry(void* user, const char* section, const char* key, const char* value) {
  sfStudyIni* x = user;
  if (x->failed) return 0;
  x->failed = sf_study_entry(x, section, key, value) != SF_OK;
  return !x->failed;
}

sftStatus sf_study_load(sfStudySpec* s, const char* path, sfError* e) {
  // the file, a regular one, parsed entry by entry
  memset(s, 0, sizeof(*s));
  snprintf(s->path, sizeof(s->path), "%s", path);
  s->target = 0.9;
  s->window = 3;
  FILE* f;
  sftStatus st =
      sf_file_open_regular(path, "study spec", "an INI file with a [study] section", &f, e);
  if (st != SF_OK) return st;
  sfStudyIni x = {{f, 0}, s, NULL, e, 0};
  int line = ini_parse_stream(sf_ini_read, &x, sf_study_ini_entry, &x);
  fclose(f);
  if (x.failed) return SF_ERR_INPUT;
  if (line != 0) {
    return sf_fail(e, SF_ERR_INPUT, "study '%s' line %d: expected 'key = value' or [study]", path,
                   line);
  }

  // the grids (the [study] section's alone when there is none) and every cell's configuration
  if (!s->name[0])
    return sf_fail(e, SF_ERR_INPUT, "study '%s': expected a 'name = ...' line", path);
  if (s->ngrid == 0) {
    s->ngrid = 1;
    s->grid[0].naxis = s->naxis;
    memcpy(s->grid[0].axis, s->axis, sizeof(s->axis));
  }
  s->ncell = 0;
  for (int g = 0; g < s->ngrid; g++) {
    sfStudyGrid* grid = &s->grid[g];
    grid->first = s->ncell;
    grid->ncell = 1;
    for (int i = 0; i < grid->naxis; i++) {
      grid->ncell *= grid->axis[i].nvalue;
      if (s->ncell + grid->ncell > SF_STUDY_MAX_CELLS) {
        return sf_fail(e, SF_ERR_INPUT, "study '%s': more than %d cells", path, SF_STUDY_MAX_CELLS);
      }
    }
    s->ncell += grid->ncell;
  }
  for (long k = 0; k < s->ncell; k++) {
    sfRunConfig c;
    st = sf_study_cell_config(s, k, &c, e);
    if (st != SF_OK) return st;
  }
  return SF_OK;
}

const sfStudyGrid* sf_study_cell_index(const sfStudySpec* s, long k, int idx[SF_STUDY_MAX_AXES]) {
  int g = 0;
  while (g + 1 < s->ngrid && k >= s->grid[g + 1].first) g++;
  const sfStudyGrid* grid = &s->grid[g];
  k -= grid->first;
  for (int i = grid->naxis - 1; i >= 0; i--) {
    idx[i] = (int)(k % grid->axis[i].nvalue);
    k /= grid->axis[i].nvalue;
  }
  return grid;
}

void sf_study_cell_name(const sfStudySpec* s, long k, char* buf, size_t n) {
  int idx[SF_STUDY_MAX_AXES];
  const sfStudyGrid* g = sf_study_cell_index(s, k, idx);
  size_t len = (size_t)snprintf(buf, n, "%s", g->name);
  for (int i = 0; i < g->naxis && len + 1 < n; i++) {
    if (g->axis[i].nvalue < 2) continue;
    len += (size_t)snprintf(buf + len, n - len, "%s%s-", len ? "_" : "", g->axis[i].key);
    for (const char* v = g->axis[i].value[idx[i]]; *v && len + 1 < n; v++) {
      char ch = *v;
      int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '-';
      buf[len++] = keep ? ch : '-';
    }
    buf[len < n ? len : n - 1] = 0;
  }
  if (!buf[0]) snprintf(buf, n, "cell");
}

sftStatus sf_study_cell_config(const sfStudySpec* s, long k, sfRunConfig* c, sfError* e) {
  int idx[SF_STUDY_MAX_AXES];
  const sfStudyGrid* g = sf_study_cell_index(s, k, idx);
  sf_config_defaults(c);
  char name[512], origin[4400];
  sf_study_cell_name(s, k, name, sizeof(name));
  for (int i = 0; i < g->naxis; i++) {
    snprintf(origin, sizeof(origin), "study '%s' (%s = %s)", s->path, g->axis[i].key,
             g->axis[i].value[idx[i]]);
    sftStatus st = sf_config_set(c, g->axis[i].key, g->axis[i].value[idx[i]], origin, e);
    if (st != SF_OK) return st;
  }
  snprintf(c->store, sizeof(c->store), "%s.h5", name);
  sftStatus st = sf_config_check(c, e);
  if (st == SF_OK) st = sf_config_check_text(c, e);
  if (st != SF_OK) {
    char msg[sizeof(e->msg)];
    snprintf(msg, sizeof(msg), "%s", e->msg);
    return sf_fail(e, SF_ERR_INPUT, "study '%s', cell %s: %s", s->path, name, msg);
  }
  return SF_OK;
}

long sf_study_cell_episodes(const sfRunConfig* c) {
  int n;
  sfRobotRow* robots = sf_robots_make(c, &n);
  long episodes = 0;
  for (int i = 0; i < n; i++) episodes += c->rounds - robots[i].join_round;
  free(robots);
  return episodes;
}

int sf_study_rounds_to_target(const double* rate, int n, int window, double target) {
  for (int r = window; r <= n; r++) {
    double sum = 0;
    for (int i = r - window; i < r; i++) sum += rate[i];
    if (sum / window >= target - 1e-12) return r;
  }
  return 0;
}

// success per round of one cohort's robots that practise from round 0 (initial) or join later
static void sf_study_rates(const sfStoreData* d, int cohort, int joiners, int rounds, double* rate,
                           long* count) {
  long* ok = SF_CALLOC(rounds, sizeof(long));
  for (int r = 0; r < rounds; r++) count[r] = 0;
  for (long i = 0; i < d->nepisodes; i++) {
    const sfEpisodeRow* x = &d->episodes[i];
    if (x->cohort != cohort || (x->join_round > 0) != joiners || x->round >= rounds) continue;
    count[x->round]++;
    ok[x->round] += x->success;
  }
  for (int r = 0; r < rounds; r++) rate[r] = count[r] ? (double)ok[r] / (double)count[r] : NAN;
  free(ok);
}

// the cohort's robots: initial and joining, and the first join round (-1: none)
static void sf_study_cohort_robots(const sfStoreData* d, int cohort, int* initial, int* joiners,
                                   int* join) {
  *initial = *joiners = 0;
  *join = -1;
  for (long i = 0; i < d->nrobots; i++) {
    const sfRobotRow* r = &d->robots[i];
    if (r->cohort != cohort) continue;
    if (r->join_round == 0) {
      (*initial)++;
    } else {
      (*joiners)++;
      if (*join < 0 || r->join_round < *join) *join = r->join_round;
    }
  }
}

// one cohort's row
static void sf_study_row(const sfStudySpec* s, const sfStoreData* d, int cohort, int rounds,
                         sfStudyRow* row) {
  // the initial robots' success per round, and when it reached the target
  double* rate = SF_CALLOC(rounds, sizeof(double));
  double* fleet = SF_CALLOC(rounds, sizeof(double));
  long* count = SF_CALLOC(rounds, sizeof(long));
  int join;
  memset(row, 0, sizeof(*row));
  row->cohort = cohort;
  row->rounds = rounds;
  sf_study_cohort_robots(d, cohort, &row->robots, &row->joiners, &join);
  sf_study_rates(d, cohort, 0, rounds, rate, count);
  int reached = sf_study_rounds_to_target(rate, rounds, s->window, s->target);
  row->censored = reached == 0;
  row->rounds_to_target = reached ? reached : rounds;
  for (int r = 0; r < row->rounds_to_target; r++) row->total_episodes_to_target += count[r];
  int w = s->window < rounds ? s->window : rounds;
  for (int r = rounds - w; r < rounds; r++) row->final_success += rate[r] / w;

  // joiners: their first round's success against the fleet's initial robots' that round
  row->joiner_first_success = row->fleet_success_at_join = NAN;
  if (join >= 0 && join < rounds) {
    sf_study_rates(d, cohort, 1, rounds, rate, count);
    row->joiner_first_success = rate[join];
    sf_study_rates(d, 0, 0, rounds, fleet, count);
    row->fleet_success_at_join = fleet[join];
  }

  // means over all of the cohort's episodes
  sfRunSummary sum = {0};
  for (long i = 0; i < d->nepisodes; i++) {
    if (d->episodes[i].cohort == cohort) sf_summary_count(&sum, &d->episodes[i]);
  }
  sf_summary_finish(&sum);
  row->mean_trauma_mm2 = sum.episodes ? sum.trauma_mm2 : NAN;
  row->mean_time_s = sum.episodes ? sum.time_s : NAN;
  free(rate);
  free(fleet);
  free(count);
}

int sf_study_summarise(const sfStudySpec* s, const sfStoreData* d, sfStudyRow rows[2]) {
  int rounds = sf_fleet_rounds_done(d) + 1, n = 0, has[2] = {0, 0};
  for (long i = 0; i < d->nrobots; i++) has[d->robots[i].cohort ? 1 : 0] = 1;
  for (int c = 0; c < 2 && rounds > 0; c++) {
    if (has[c]) sf_study_row(s, d, c, rounds, &rows[n++]);
  }
  return n;
}

int sf_study_km_median(const int* time, const int* censored, int n) {
  // event times in order; the survival estimate falls at each
  double surv = 1;
  int last = -1;
  for (;;) {
    int t = -1;
    for (int i = 0; i < n; i++) {
      if (!censored[i] && time[i] > last && (t < 0 || time[i] < t)) t = time[i];
    }
    if (t < 0) return 0;
    int at_risk = 0, events = 0;
    for (int i = 0; i < n; i++) {
      at_risk += time[i] >= t;
      events += !censored[i] && time[i] == t;
    }
    surv *= 1 - (double)events / at_risk;
    if (surv <= 0.5 + 1e-12) return t;
    last = t;
  }
}

void sf_study_mean_ci(const double* v, int n, double* mean, double* lo, double* hi) {
  double sum = 0, var = 0;
  for (int i = 0; i < n; i++) sum += v[i];
  *mean = n ? sum / n : NAN;
  for (int i = 0; i < n; i++) var += (v[i] - *mean) * (v[i] - *mean);
  double half = n > 1 ? sf_t95(n - 1) * sqrt(var / (n - 1) / n) : 0;
  *lo = *mean - half;
  *hi = *mean + half;
}

// what a cell's episode costs, for --dry-run: the CPU time of one reference episode of its
// controller, model and stitches (sf_bench_reference), measured once for each distinct three;
// NAN, and the reason, when the model or the controller does not open or the controller cannot
// do the task (the cell's run will refuse it). A learning episode runs 0.4-1.0 times a reference
// episode's simulated time (failures end early, time-outs late) and pays the store and the learner
// on top: the figure is a guide within about a factor of two, not a bound
#define SF_STUDY_COST_CACHE 64
typedef struct sfStudyCost_ {
  char model[4096];
  char controller[4096];
  int stitches;
  double cpu_s;
  char why[sizeof(((sfError*)0)->msg)];  // why it has no estimate (cpu_s NAN)
} sfStudyCost;

static const sfStudyCost* sf_study_episode_cost(const sfRunConfig* c, sfStudyCost* cache, int* n) {
  for (int i = 0; i < *n; i++) {
    if (!strcmp(cache[i].model, c->model) && !strcmp(cache[i].controller, c->controller) &&
        cache[i].stitches == c->stitches) {
      return &cache[i];
    }
  }
  double cpu_s = NAN;
  sfScene sc;
  sfController ctrl;
  sfError e = {{0}};
  if (sf_scene_load(&sc, c->model, &e) == SF_OK) {
    if (sf_controller_open(c->controller, &ctrl, &e) == SF_OK) {
      if (sf_task_check(&sc, &ctrl, c->stitches, &e) == SF_OK) {
        sfBenchEpisode b;
        if (sf_bench_reference(&sc, &ctrl, c->stitches, 1, &b, &e) == SF_OK) cpu_s = b.cpu_s;
      }
      sf_controller_close(&ctrl);
    }
    sf_scene_free(&sc);
  }
  sfStudyCost* k = &cache[*n < SF_STUDY_COST_CACHE ? (*n)++ : SF_STUDY_COST_CACHE - 1];
  snprintf(k->model, sizeof(k->model), "%s", c->model);
  snprintf(k->controller, sizeof(k->controller), "%s", c->controller);
  k->stitches = c->stitches;
  k->cpu_s = cpu_s;
  snprintf(k->why, sizeof(k->why), "%s", e.msg);
  return k;
}

// an estimated time as listed: seconds, or unknown (NAN: "?", in JSON null)
static void sf_study_est_text(double est_s, int json, char* buf, size_t n) {
  if (isnan(est_s)) {
    snprintf(buf, n, "%s", json ? "null" : "?");
  } else {
    snprintf(buf, n, json ? "%.3f" : "%.0f", est_s);
  }
}

// the cells listed: name, episodes, estimated time (cells of one model and task run one after
// the other, each on a.threads threads)
static void sf_study_list(const sfStudySpec* s, const sfStudyArgs* a, FILE* out) {
  long total = 0;
  double total_s = 0;
  sfStudyCost* cache = SF_CALLOC(SF_STUDY_COST_CACHE, sizeof(sfStudyCost));
  int ncache = 0;
  if (a->json) {
    fputs("{\"study\": ", out);
    sf_json_str(out, s->name);
    fputs(", \"cells\": [", out);
  }
  if (!a->json) fprintf(out, "study %s: %ld cells\n", s->name, s->ncell);
  for (long k = 0; k < s->ncell; k++) {
    sfRunConfig c;
    char name[512], est_s[32];
    sf_study_cell_config(s, k, &c, NULL);
    sf_study_cell_name(s, k, name, sizeof(name));
    long n = sf_study_cell_episodes(&c);
    total += n;
    const sfStudyCost* cost = sf_study_episode_cost(&c, cache, &ncache);
    double est = n * cost->cpu_s / a->threads;
    total_s += est;
    sf_study_est_text(est, a->json, est_s, sizeof(est_s));
    if (a->json) {
      fprintf(out, "%s\n  {\"cell\": ", k ? "," : "");
      sf_json_str(out, name);
      fprintf(out, ", \"episodes\": %ld, \"estimated_s\": %s", n, est_s);
      if (isnan(est)) {
        fputs(", \"why\": ", out);
        sf_json_str(out, cost->why);
      }
      fputs("}", out);
    } else if (isnan(est)) {
      fprintf(out, "  %-40s %8ld episodes  no estimate: %s\n", name, n, cost->why);
    } else {
      fprintf(out, "  %-40s %8ld episodes  ~%s s\n", name, n, est_s);
    }
  }
  free(cache);
  char est_s[32];
  sf_study_est_text(total_s, a->json, est_s, sizeof(est_s));
  if (a->json) fprintf(out, "\n], \"episodes\": %ld, \"estimated_s\": %s}\n", total, est_s);
  if (!a->json && isnan(total_s)) {
    fprintf(out, "total %ld episodes; no estimate of the time (a cell has none)\n", total);
  } else if (!a->json) {
    fprintf(out, "total %ld episodes, about %s s on %d threads\n", total, est_s, a->threads);
  }
}

// path = dir/name (SF_ERR_INPUT when it does not fit)
static sftStatus sf_study_path(char* path, size_t n, const char* dir, const char* name,
                               sfError* e) {
  if ((size_t)snprintf(path, n, "%s/%s", dir, name) >= n) {
    return sf_fail(e, SF_ERR_INPUT, "study directory '%s': path too long", dir);
  }
  return SF_OK;
}

// cell k's file in the study directory: dir/cells/<cell><ext>
static sftStatus sf_study_cell_file(const sfStudySpec* s, const char* dir, long k, const char* ext,
                                    char* path, size_t n, sfError* e) {
  char name[512], base[600];
  sf_study_cell_name(s, k, name, sizeof(name));
  snprintf(base, sizeof(base), "cells/%s%s", name, ext);
  return sf_study_path(path, n, dir, base, e);
}

// cell k's state in the study directory: 0 no store, 1 interrupted (resume it), 2 complete;
// SF_ERR_INPUT when its store is of another configuration than the spec's, or of an older
// schema (its episodes are of another task: never kept, never extended)
static sftStatus sf_study_cell_state(const sfRunConfig* c, const char* store, int* state,
                                     sfError* e) {
  *state = 0;
  if (access(store, F_OK) != 0) return SF_OK;
  sfStoreData d;
  char text[8192];
  sftStatus st = sf_store_read(store, &d, e);
  if (st == SF_OK) st = sf_store_extendable(store, d.schema_version, e);
  if (st != SF_OK) {
    sf_store_data_free(&d);
    return st;
  }
  sf_config_text(c, text, sizeof(text));

  // the stored configuration in today's words (a store naming no learner was written by cem)
  sfRunConfig stored;
  char again[8192] = "";
  sfError why = {{0}};
  if (sf_store_config(&d, store, &stored, &why) == SF_OK) {
    sf_config_text(&stored, again, sizeof(again));
  }
  if (strcmp(text, again)) {
    sf_store_data_free(&d);
    return sf_fail(e, SF_ERR_INPUT,
                   "--resume: cell store '%s' was written with another configuration than the "
                   "spec gives it; expected:\n%sgot:\n%s",
                   store, text, d.configuration);
  }
  *state = sf_fleet_rounds_done(&d) + 1 == c->rounds ? 2 : 1;
  sf_store_data_free(&d);
  return SF_OK;
}

// a file's whole text (malloc'd, NUL-terminated), NULL when it cannot be read
static char* sf_slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char* buf = SF_CALLOC(cap, 1);
  for (size_t k; (k = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
    n += k;
    if (n + 1 == cap) buf = SF_REALLOC(buf, cap *= 2, 1);
  }
  buf[n] = 0;
  fclose(f);
  return buf;
}

// a cell running in a child process beside others
typedef struct sfStudyChild_ {
  pid_t pid;
  long episodes;
  char name[512];
  char log[8192];  // its output (removed when it succeeds)
} sfStudyChild;

// the study's progress: episodes of all cells, those finished so far, and the cells running
// side by side
typedef struct sfStudyProgress_ {
  long total;  // episodes of every cell
  long done;   // episodes of the cells this invocation finished
  long left;   // episodes not yet finished (kept cells count as finished)
  double t0;   // when this invocation started running cells
  int nchild;  // cells running side by side now
  sfStudyChild child[SF_STUDY_MAX_SIDE];
} sfStudyProgress;

// cell c runs side by side: more than one thread, one process (under mpirun the ranks share
// every cell's robots instead), and few episodes per round
static int sf_study_side_by_side(const sfRunConfig* c, int threads) {
  long per_round = sf_study_cell_episodes(c) / (c->rounds > 0 ? c->rounds : 1);
  return threads > 1 && sf_dist_size() == 1 && per_round < SF_STUDY_SMALL_PER_THREAD * threads;
}

// wait for side-by-side cells until fewer than `below` run (0: all); a failed one's output into
// the error (the first failure's), the others waited for all the same
static sftStatus sf_study_reap(const sfStudyArgs* a, sfStudyProgress* p, int below, sfError* e) {
  sftStatus st = SF_OK;
  while (p->nchild > 0 && p->nchild >= (below > 0 ? below : 1)) {
    int found = 0;
    for (int i = 0; i < p->nchild; i++) {
      int status = 0;
      sfStudyChild* ch = &p->child[i];
      if (waitpid(ch->pid, &status, WNOHANG) != ch->pid) continue;
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      p->done += ch->episodes;
      p->left -= ch->episodes;
      if (code == 0) {
        unlink(ch->log);
      } else if (st == SF_OK) {
        char* text = sf_slurp(ch->log);
        st = sf_fail(e, SF_ERR_RUN,
                     "cell %s: run failed (exit %d)%s%.600s; continue with: suturefleet study %s "
                     "--out DIR --resume",
                     ch->name, code, text && text[0] ? ": " : "", text ? text : "", a->spec);
        free(text);
      }
      p->child[i] = p->child[--p->nchild];
      found = 1;
      break;
    }
    if (!found) usleep(20000);
  }
  return st;
}

// run cell c (its INI ini, its store) in a child process with one thread, beside others
static sftStatus sf_study_fork(const sfStudyArgs* a, sfStudyProgress* p, const char* name,
                               const char* store, char** argv, int argc, long episodes,
                               sfStudyRunFn run, FILE* out, FILE* err, sfError* e) {
  sftStatus st =
      sf_study_reap(a, p, a->threads < SF_STUDY_MAX_SIDE ? a->threads : SF_STUDY_MAX_SIDE, e);
  if (st != SF_OK) return st;
  sfStudyChild* ch = &p->child[p->nchild];
  snprintf(ch->name, sizeof(ch->name), "%s", name);
  snprintf(ch->log, sizeof(ch->log), "%.8000s.log", store);
  ch->episodes = episodes;
  fflush(out), fflush(err), fflush(stdout), fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return sf_fail(e, SF_ERR_RUN, "cell %s: cannot start it (%s)", name, strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the study gone: stop at the round's end
    FILE* log = fopen(ch->log, "w");
    int code = log ? run(argc, argv, log, log) : SF_ERR_RUN;
    if (log) fclose(log);
    _exit(code);
  }
  ch->pid = pid;
  p->nchild++;
  return SF_OK;
}

// run cell k (unless complete): its INI beside its store, then `run` with it, in this process
// (under mpirun: every rank, rank 0 writing) or beside other small cells
static sftStatus sf_study_cell_run(const sfStudySpec* s, const sfStudyArgs* a, const char* dir,
                                   long k, sfStudyRunFn run, sfStudyProgress* p, FILE* out,
                                   FILE* err, sfError* e) {
  // the cell's configuration, INI and store paths, and its state (rank 0 reads it)
  sfRunConfig c;
  char name[512], ini[8192], store[8192], text[8192], threads[16];
  int writer = sf_dist_rank() == 0, state = 0;
  sf_study_cell_config(s, k, &c, NULL);
  sf_study_cell_name(s, k, name, sizeof(name));
  sftStatus st = sf_study_cell_file(s, dir, k, ".ini", ini, sizeof(ini), e);
  if (st == SF_OK) st = sf_study_cell_file(s, dir, k, ".h5", store, sizeof(store), e);
  if (st == SF_OK && writer) st = sf_study_cell_state(&c, store, &state, e);
  st = sf_dist_agree(st, e);
  state = (int)sf_dist_sum(writer ? state : 0);
  long episodes = sf_study_cell_episodes(&c);
  if (st != SF_OK || state == 2) {
    if (st == SF_OK && !a->quiet && writer)
      fprintf(out, "cell %ld/%ld %s: complete, kept\n", k + 1, s->ncell, name);
    if (st == SF_OK) p->left -= episodes;
    return st;
  }

  // the INI (the result-determining settings; rank 0 writes it, every rank reads it)
  if (writer) {
    sf_config_text(&c, text, sizeof(text));
    FILE* f = fopen(ini, "w");
    int written = f && fprintf(f, "[run]\n%s", text) >= 0;
    if (!f || fclose(f) != 0 || !written) st = sf_fail(e, SF_ERR_RUN, "cannot write '%s'", ini);
  }
  st = sf_dist_agree(st, e);
  if (st != SF_OK) return st;
  int side = sf_study_side_by_side(&c, a->threads);
  snprintf(threads, sizeof(threads), "%d", side ? 1 : a->threads);
  char* argv[] = {"--config", ini,       "--store",  store, "--threads",
                  threads,    "--quiet", "--resume", NULL};
  int argc = state == 1 ? 8 : 7;
  if (!a->quiet && writer) {
    // this cell, and the whole study: finished so far, and the time left at the rate so far
    char eta[64] = "";
    double elapsed = omp_get_wtime() - p->t0;
    if (p->done > 0) snprintf(eta, sizeof(eta), ", ETA %.0f s", elapsed / p->done * p->left);
    fprintf(out, "cell %ld/%ld %s: %ld episodes%s%s; study %.0f%% done%s\n", k + 1, s->ncell, name,
            episodes, state == 1 ? " (resumed)" : "", side ? " (side by side)" : "",
            100.0 * (double)(p->total - p->left) / (double)(p->total ? p->total : 1), eta);
    fflush(out);
  }
  if (side) return sf_study_fork(a, p, name, store, argv, argc, episodes, run, out, err, e);

  // a large cell: with every thread, once the side-by-side ones are done
  st = sf_study_reap(a, p, 0, e);
  if (st != SF_OK) return st;
  int code = run(argc, argv, out, err);
  p->done += episodes;
  p->left -= episodes;
  if (code != 0) return sf_fail(e, SF_ERR_RUN, "cell %s: run failed (exit %d)", name, code);
  return SF_OK;
}

// a summarised cohort of a cell, with the cell's group (its cell with the seed axis dropped)
typedef struct sfStudyCellRow_ {
  long group;
  sfStudyRow row;
} sfStudyCellRow;

// a grid's groups: its cells with the seed axis dropped
static long sf_study_grid_groups(const sfStudyGrid* g) {
  long n = 1;
  for (int i = 0; i < g->naxis; i++) {
    if (strcmp(g->axis[i].key, "seed")) n *= g->axis[i].nvalue;
  }
  return n;
}

// cell k's group: the groups of the grids before its own, then its axis indices but the
// seed's, as one number
static long sf_study_group(const sfStudySpec* s, long k) {
  int idx[SF_STUDY_MAX_AXES];
  const sfStudyGrid* grid = sf_study_cell_index(s, k, idx);
  long g = 0, before = 0;
  for (const sfStudyGrid* x = s->grid; x != grid; x++) before += sf_study_grid_groups(x);
  for (int i = 0; i < grid->naxis; i++) {
    if (strcmp(grid->axis[i].key, "seed")) g = g * grid->axis[i].nvalue + idx[i];
  }
  return before + g;
}

// groups of all grids
static long sf_study_ngroup(const sfStudySpec* s) {
  long n = 0;
  for (int g = 0; g < s->ngrid; g++) n += sf_study_grid_groups(&s->grid[g]);
  return n;
}

// a group's name: its grid's name, then the values of its multi-valued axes but the seed
// ("fleet: robots 16"; "all" when it has neither)
static void sf_study_group_name(const sfStudySpec* s, long k, char* buf, size_t n) {
  int idx[SF_STUDY_MAX_AXES];
  const sfStudyGrid* g = sf_study_cell_index(s, k, idx);
  size_t len = (size_t)snprintf(buf, n, "%s", g->name);
  for (int i = 0, first = 1; i < g->naxis && len + 1 < n; i++) {
    if (g->axis[i].nvalue < 2 || !strcmp(g->axis[i].key, "seed")) continue;
    len += (size_t)snprintf(buf + len, n - len, "%s%s %s", first ? (len ? ": " : "") : ", ",
                            g->axis[i].key, g->axis[i].value[idx[i]]);
    first = 0;
  }
  if (!buf[0]) snprintf(buf, n, "all");
}

// a number or "–" for NaN, into buf
static const char* sf_study_num(char* buf, size_t n, const char* fmt, double v) {
  if (isnan(v)) return "–";
  snprintf(buf, n, fmt, v);
  return buf;
}

// "mean (lo–hi)" of n values (a share: the interval clipped to [0, 1]), "–" for none
static const char* sf_study_interval(char* buf, size_t n, const double* v, int nv, int share) {
  double m, lo, hi;
  sf_study_mean_ci(v, nv, &m, &lo, &hi);
  if (isnan(m)) return "–";
  if (share) lo = fmax(lo, 0), hi = fmin(hi, 1);
  snprintf(buf, n, share ? "%.2f (%.2f–%.2f)" : "%.1f (%.1f–%.1f)", m, lo, hi);
  return buf;
}

// one group and cohort's line of summary.md: seeds, final success, rounds to target (KM median
// and censored count; mean and CI over the seeds that reached it), joiners
static void sf_study_md_line(FILE* f, const char* group, int cohort, const sfStudyCellRow* all,
                             int nall, long g, int* median, int* rounds) {
  int n = 0, ncens = 0, nj = 0, time[SF_STUDY_MAX_VALUES], cens[SF_STUDY_MAX_VALUES];
  double fin[SF_STUDY_MAX_VALUES], reached[SF_STUDY_MAX_VALUES];
  double join[SF_STUDY_MAX_VALUES], fleet[SF_STUDY_MAX_VALUES];
  int nr = 0;
  for (int i = 0; i < nall && n < SF_STUDY_MAX_VALUES; i++) {  // a group: one cell per seed
    const sfStudyRow* r = &all[i].row;
    if (all[i].group != g || r->cohort != cohort) continue;
    time[n] = r->rounds_to_target, cens[n] = r->censored, fin[n] = r->final_success;
    *rounds = r->rounds;  // the group's cells differ only in their seed
    ncens += r->censored;
    if (!r->censored) reached[nr++] = r->rounds_to_target;
    if (!isnan(r->joiner_first_success)) {
      join[nj] = r->joiner_first_success, fleet[nj++] = r->fleet_success_at_join;
    }
    n++;
  }
  if (!n) return;
  *median = sf_study_km_median(time, cens, n);
  double fm, flo, fhi;
  char a[64], b[64], c[64], med[64], buf[64];
  if (*median) {
    snprintf(med, sizeof(med), "%d", *median);
  } else {
    snprintf(med, sizeof(med), "not reached (> %d)", *rounds);
  }
  fprintf(f, "| %s | %s | %d | %s | %s | %d of %d | ", group, cohort ? "solo" : "fleet", n,
          sf_study_interval(a, sizeof(a), fin, n, 1), med, ncens, n);
  fprintf(f, "%s | ", sf_study_interval(b, sizeof(b), reached, nr, 0));
  sf_study_mean_ci(fleet, nj, &fm, &flo, &fhi);
  fprintf(f, "%s | %s |\n", sf_study_interval(c, sizeof(c), join, nj, 1),
          sf_study_num(buf, sizeof(buf), "%.2f", fm));
}

void sf_study_ratio(const double* fleet, int nf, const double* solo, int ns, double* ratio,
                    double* lo, double* hi) {
  const double* v[2] = {fleet, solo};
  int nv[2] = {nf, ns};
  double m[2], var[2];
  *ratio = *lo = *hi = NAN;
  if (nf < 2 || ns < 2) return;
  for (int c = 0; c < 2; c++) {
    double l, h;
    sf_study_mean_ci(v[c], nv[c], &m[c], &l, &h);
    var[c] = 0;
    for (int i = 0; i < nv[c]; i++) var[c] += (v[c][i] - m[c]) * (v[c][i] - m[c]);
    var[c] /= (nv[c] - 1) * (double)nv[c];  // the variance of the mean
  }
  *ratio = m[1] / m[0];
  double half = sf_t95((nf < ns ? nf : ns) - 1) * *ratio *
                sqrt(var[1] / (m[1] * m[1]) + var[0] / (m[0] * m[0]));
  *lo = *ratio - half;
  *hi = *ratio + half;
}

// the solo cohort's (group sg) to the fleet's (group g) ratio of mean rounds to target with its
// interval (sf_study_ratio), "–" unless every seed of both reached the target
static const char* sf_study_ratio_ci(char* buf, size_t n, const sfStudyCellRow* all, int nall,
                                     long g, long sg) {
  double v[2][SF_STUDY_MAX_VALUES], ratio, lo, hi;
  int nv[2] = {0, 0};
  for (int i = 0; i < nall; i++) {
    const sfStudyRow* r = &all[i].row;
    int c = r->cohort;
    if (all[i].group != (c ? sg : g) || nv[c] == SF_STUDY_MAX_VALUES) continue;
    if (r->censored) return "–";
    v[c][nv[c]++] = r->rounds_to_target;
  }
  sf_study_ratio(v[0], nv[0], v[1], nv[1], &ratio, &lo, &hi);
  if (isnan(ratio)) return "–";
  snprintf(buf, n, "%.2f (%.2f–%.2f)", ratio, lo, hi);
  return buf;
}

// out/summary.md: per group of cells (every axis but the seed) and cohort, means and 95 %
// intervals over the seeds, the Kaplan-Meier median of the rounds to target, and the solo /
// fleet ratio of those medians (a lower bound when the solo median is not reached)
static sftStatus sf_study_write_md(const sfStudySpec* s, const char* dir, const sfStudyCellRow* all,
                                   int nall, sfError* e) {
  char path[8192], group[1024];
  sftStatus st = sf_study_path(path, sizeof(path), dir, "summary.md", e);
  FILE* f = st == SF_OK ? fopen(path, "w") : NULL;
  if (st == SF_OK && !f) return sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  if (st != SF_OK) return st;
  fprintf(f,
          "# Study %s\n\nSpec `%s`, %ld cells. Target: success %.2f averaged over %d rounds; "
          "rounds to target are counted in rounds (= episodes per robot), censored when the "
          "target was not reached in the rounds run. Intervals are 95 %% t intervals over the "
          "seeds; the median is Kaplan-Meier's, so censored seeds count.\n\n",
          s->name, s->path, s->ncell, s->target, s->window);
  fprintf(f,
          "| group | cohort | seeds | final success (95 %% CI) | rounds to target: KM median | "
          "censored | mean over seeds that reached it (95 %% CI) | joiners' first success (95 "
          "%% CI) | fleet that round |\n|---|---|---|---|---|---|---|---|---|\n");
  long ngroup = sf_study_ngroup(s);
  int* med = SF_CALLOC(2 * ngroup, sizeof(int));
  int* rounds = SF_CALLOC(ngroup, sizeof(int));
  int* seen = SF_CALLOC(ngroup, sizeof(int));
  for (long k = 0; k < s->ncell; k++) {
    long g = sf_study_group(s, k);
    if (seen[g]++) continue;
    sf_study_group_name(s, k, group, sizeof(group));
    for (int c = 0; c < 2; c++) {
      sf_study_md_line(f, group, c, all, nall, g, &med[2 * g + c], &rounds[g]);
    }
  }

  // the ratio of the medians and of the means, against the group's own solo cohort or, when it
  // has none, the study's one group that has
  fprintf(f,
          "\n| group | fleet median | solo median | solo / fleet (medians) | solo / fleet (means, "
          "95 %% CI) |\n|---|---|---|---|---|\n");
  long* first = SF_CALLOC(ngroup, sizeof(long));
  int* has = SF_CALLOC(2 * ngroup, sizeof(int));
  long solo_group = -1, nsolo = 0;
  for (long k = s->ncell - 1; k >= 0; k--) first[sf_study_group(s, k)] = k;
  for (int i = 0; i < nall; i++) has[2 * all[i].group + all[i].row.cohort] = 1;
  for (long g = 0; g < ngroup; g++) {
    if (has[2 * g + 1]) solo_group = g, nsolo++;
  }
  for (long g = 0; g < ngroup; g++) {
    long sg = has[2 * g + 1] ? g : nsolo == 1 ? solo_group : -1;
    if (!has[2 * g] || sg < 0) continue;
    char solo[1200] = "", mf[64], ms[64];
    sf_study_group_name(s, first[g], group, sizeof(group));
    if (sg != g) {
      char name[1024];
      sf_study_group_name(s, first[sg], name, sizeof(name));
      snprintf(solo, sizeof(solo), " (%s)", name);
    }
    int fm = med[2 * g], sm = med[2 * sg + 1];
    snprintf(mf, sizeof(mf), fm ? "%d" : "not reached (> %d)", fm ? fm : rounds[g]);
    snprintf(ms, sizeof(ms), sm ? "%d" : "not reached (> %d)", sm ? sm : rounds[sg]);
    fprintf(f, "| %s | %s | %s%s | ", group, mf, ms, solo);
    if (!fm) {
      fprintf(f, "– | ");
    } else if (sm) {
      fprintf(f, "%.2f | ", (double)sm / fm);
    } else {
      fprintf(f, "> %.2f (a lower bound) | ", (double)rounds[sg] / fm);
    }
    char ratio[96];
    fprintf(f, "%s |\n", sf_study_ratio_ci(ratio, sizeof(ratio), all, nall, g, sg));
  }
  free(first);
  free(has);
  free(med);
  free(rounds);
  free(seen);
  if (fclose(f) != 0) return sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  return SF_OK;
}

// the scaling figure's points: per fleet size, the fleet's Kaplan-Meier median of rounds to
// target (the rounds run when censored) and the t interval of the seeds that reached it; and
// the solo cohort's median over every cell (a solo robot learns alone whatever the fleet)
typedef struct sfScaling_ {
  int n;                               // fleet sizes
  int robots[SF_STUDY_MAX_VALUES];     // each size, ascending
  double median[SF_STUDY_MAX_VALUES];  // its median (rounds run when not reached)
  double lo[SF_STUDY_MAX_VALUES];      // interval over the seeds that reached the target
  double hi[SF_STUDY_MAX_VALUES];
  int censored[SF_STUDY_MAX_VALUES];  // the median was not reached
  double solo;                        // the solo median (rounds run when not reached)
  int solo_censored;
  int solo_rows;  // solo cohorts summarised
  int rounds;     // most rounds any cell ran
  const char* title;
} sfScaling;

// the Kaplan-Meier median of the rows of one cohort (and fleet size, robots > 0), the rounds
// run when it is not reached (*censored = 1); the t interval of the seeds that reached it
static int sf_scaling_median(const sfStudyCellRow* all, int nall, int cohort, int robots,
                             double* median, double* lo, double* hi, int* censored) {
  int* time = SF_CALLOC(2 * (size_t)nall, sizeof(int));
  int* cens = time + nall;
  double* reached = SF_CALLOC((size_t)nall, sizeof(double));
  int n = 0, nr = 0, rounds = 0;
  for (int i = 0; i < nall; i++) {
    const sfStudyRow* r = &all[i].row;
    if (r->cohort != cohort || (robots > 0 && r->robots != robots)) continue;
    time[n] = r->rounds_to_target, cens[n++] = r->censored;
    if (!r->censored) reached[nr++] = r->rounds_to_target;
    if (r->rounds > rounds) rounds = r->rounds;
  }
  int med = n ? sf_study_km_median(time, cens, n) : 0;
  double m;
  *censored = med == 0;
  *median = med ? med : rounds;
  sf_study_mean_ci(reached, nr, &m, lo, hi);
  if (!nr) *lo = *hi = *median;
  free(time);
  free(reached);
  return n;
}

// the points of the figure from the rows of a study whose grids vary only robots and the seed,
// over at least two fleet sizes; 0 when the study has no such shape
static int sf_scaling_points(const sfStudySpec* s, const sfStudyCellRow* all, int nall,
                             sfScaling* sc) {
  for (int g = 0; g < s->ngrid; g++) {
    for (int i = 0; i < s->grid[g].naxis; i++) {
      const sfStudyAxis* a = &s->grid[g].axis[i];
      if (a->nvalue > 1 && strcmp(a->key, "robots") && strcmp(a->key, "seed")) return 0;
    }
  }
  memset(sc, 0, sizeof(*sc));
  for (int i = 0; i < nall; i++) {  // the fleet sizes, ascending
    if (all[i].row.rounds > sc->rounds) sc->rounds = all[i].row.rounds;
    int r = all[i].row.robots, k = 0;
    if (all[i].row.cohort != 0) continue;
    while (k < sc->n && sc->robots[k] < r) k++;
    if ((k < sc->n && sc->robots[k] == r) || sc->n == SF_STUDY_MAX_VALUES) continue;
    memmove(&sc->robots[k + 1], &sc->robots[k], sizeof(int) * (size_t)(sc->n - k));
    sc->robots[k] = r;
    sc->n++;
  }
  for (int k = 0; k < sc->n; k++) {
    sf_scaling_median(all, nall, 0, sc->robots[k], &sc->median[k], &sc->lo[k], &sc->hi[k],
                      &sc->censored[k]);
  }
  double lo, hi;
  sc->solo_rows = sf_scaling_median(all, nall, 1, 0, &sc->solo, &lo, &hi, &sc->solo_censored);
  return sc->n > 1;
}

// the data blocks: the fleet sizes that reached the target, those that did not, the solo
// point; an empty block is left out (the script counts the blocks the same way)
static void sf_scaling_data(FILE* f, void* user) {
  const sfScaling* sc = user;
  for (int pass = 0; pass < 2; pass++) {
    int any = 0;
    for (int i = 0; i < sc->n; i++) {
      if (sc->censored[i] != pass) continue;
      any = 1;
      if (pass == 0)
        fprintf(f, "%d %g %g %g\n", sc->robots[i], sc->median[i], sc->lo[i], sc->hi[i]);
      if (pass == 1) fprintf(f, "%d %g\n", sc->robots[i], sc->median[i]);
    }
    if (any) fprintf(f, "\n\n");
  }
  if (sc->solo_rows) fprintf(f, "1 %g\n", sc->solo);
}

// a study figure's terminal (SVG or PNG, 960 x 600), output and title (no quotes in it)
static void sf_study_plot_head(FILE* g, const char* path, int svg, const char* title) {
  fprintf(g, "set terminal %s size 960,600 font 'sans,12'\n", svg ? "svg dynamic" : "pngcairo");
  fprintf(g, "set termoption noenhanced\nset output '%s'\nset title '%.300s'\n", path, title);
}

static void sf_scaling_script(FILE* g, const char* path, int svg, const char* data, void* user) {
  const sfScaling* sc = user;
  sf_study_plot_head(g, path, svg, sc->title);
  fprintf(g,
          "set logscale xy\nset grid\nset key below\nset xlabel 'robots pooling their "
          "experience (fleet size)'\nset ylabel 'practice episodes per robot to target'\n"
          "set xrange [0.7:%d]\nset yrange [0.5:%d]\n",
          sc->robots[sc->n - 1] * 2, sc->rounds * 4);
  int reached = 0, censored = 0;
  for (int i = 0; i < sc->n; i++) reached += !sc->censored[i], censored += sc->censored[i];
  fprintf(g, "set xtics (%s", sc->robots[0] == 1 ? "" : "1");
  for (int i = 0; i < sc->n; i++)
    fprintf(g, "%s%d", i || sc->robots[0] != 1 ? ", " : "", sc->robots[i]);
  fprintf(g, ")\nplot ");
  if (reached) {
    fprintf(g,
            "'%s' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' title "
            "'fleet: Kaplan-Meier median over seeds (bars: 95%% CI of the seeds that reached "
            "it)', ",
            data);
  }
  if (censored) {
    fprintf(g,
            "'%s' index %d using 1:2 with points pt 9 ps 1.5 lc rgb '#1f77b4' title 'fleet: not "
            "reached in the rounds run (a lower bound)', ",
            data, reached > 0);
  }
  if (sc->solo_rows) {
    fprintf(g,
            "'%s' index %d using 1:2 with points pt %d ps 2 lc rgb '#d62728' title 'solo "
            "robot%s', %g / x with lines dt 2 lc rgb 'black' title 'ideal pooling: solo / N'\n",
            data, (reached > 0) + (censored > 0), sc->solo_censored ? 9 : 5,
            sc->solo_censored ? " (not reached: a lower bound)" : "", sc->solo);
  } else {
    fprintf(g,
            "%g / x with lines dt 2 lc rgb 'black' title 'ideal pooling from %d robots: "
            "proportional to 1 / N'\n",
            sc->median[0] * sc->robots[0], sc->robots[0]);
  }
}

// out/scaling.svg and .png when the study varies the fleet size (and the seed) only
static sftStatus sf_study_scaling(const sfStudySpec* s, const char* dir, const sfStudyCellRow* all,
                                  int nall, sfError* e) {
  sfScaling* sc = SF_CALLOC(1, sizeof(sfScaling));
  sftStatus st = SF_OK;
  char title[256];
  snprintf(title, sizeof(title), "Study %.60s: episodes per robot to %.2f success (window %d)",
           s->name, s->target, s->window);
  if (sf_scaling_points(s, all, nall, sc)) {
    sc->title = title;
    static const char* ext[2] = {"scaling.svg", "scaling.png"};
    char path[8192];
    for (int i = 0; st == SF_OK && i < 2; i++) {
      st = sf_study_path(path, sizeof(path), dir, ext[i], e);
      if (st == SF_OK) st = sf_gnuplot(path, sf_scaling_data, sf_scaling_script, sc, e);
    }
  }
  free(sc);
  return st;
}

// a group's file name: its name with characters other than letters, digits, '.' and '-' as
// '-', runs of them as one
static void sf_study_group_file(const sfStudySpec* s, long k, char* buf, size_t n) {
  char name[1024];
  sf_study_group_name(s, k, name, sizeof(name));
  size_t len = 0;
  for (const char* c = name; *c && len + 1 < n; c++) {
    int keep = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
               *c == '.' || *c == '-';
    if (keep || (len > 0 && buf[len - 1] != '-')) buf[len++] = keep ? *c : '-';
  }
  buf[len] = 0;
}

// each group's first cell (first[g], ngroup of them)
static long* sf_study_group_first(const sfStudySpec* s) {
  long* first = SF_CALLOC(sf_study_ngroup(s), sizeof(long));
  for (long k = s->ncell - 1; k >= 0; k--) first[sf_study_group(s, k)] = k;
  return first;
}

// the curves of metric over group g's cells (its seeds) into *p, *n
static sftStatus sf_study_group_curves(const sfStudySpec* s, const sfStoreData* data, long g,
                                       int metric, sfCurvePoint** p, int* n, sfError* e) {
  sfStoreData* stores = SF_CALLOC(s->ncell, sizeof(sfStoreData));
  int nstore = 0;
  for (long k = 0; k < s->ncell; k++) {
    if (sf_study_group(s, k) == g) stores[nstore++] = data[k];  // shallow: read only
  }
  sftStatus st = sf_curves(stores, nstore, metric, p, n, e);
  free(stores);
  return st;
}

// out/curves/<group>.svg and .png: each group's success against practice episodes per robot,
// its cohorts and join waves, with the 95 % band over its seeds (over robots for one seed)
static sftStatus sf_study_learning(const sfStudySpec* s, const char* dir, const sfStoreData* data,
                                   sfError* e) {
  char path[8192], file[1024], group[1024], title[1400];
  sftStatus st = sf_study_path(path, sizeof(path), dir, "curves", e);
  if (st == SF_OK && mkdir(path, 0777) != 0 && errno != EEXIST) {
    st = sf_fail(e, SF_ERR_RUN, "cannot create '%s' (%s)", path, strerror(errno));
  }
  long ngroup = sf_study_ngroup(s), *first = sf_study_group_first(s);
  for (long g = 0; st == SF_OK && g < ngroup; g++) {
    sfCurvePoint* p = NULL;
    int n = 0;
    sf_study_group_file(s, first[g], file, sizeof(file));
    sf_study_group_name(s, first[g], group, sizeof(group));
    snprintf(title, sizeof(title), "Study %s, %s: success against practice episodes per robot",
             s->name, group);
    st = sf_study_group_curves(s, data, g, SF_METRIC_SUCCESS, &p, &n, e);
    static const char* ext[2] = {"svg", "png"};
    for (int i = 0; st == SF_OK && i < 2; i++) {
      char name[1100];
      snprintf(name, sizeof(name), "curves/%s.%s", file, ext[i]);
      st = sf_study_path(path, sizeof(path), dir, name, e);
      if (st == SF_OK) st = sf_curves_plot(path, SF_METRIC_SUCCESS, p, n, NULL, title, e);
    }
    free(p);
  }
  free(first);
  return st;
}

// the comparison figure: every group's founders (fleet and solo) on one axis, their mean success
// over seeds against practice episodes per robot
#define SF_COMPARE_MAX 24  // most series drawn
typedef struct sfCompare_ {
  int n;                            // series
  char label[SF_COMPARE_MAX][160];  // "group: fleet"
  sfCurvePoint* p[SF_COMPARE_MAX];  // each series' points (malloc'd)
  int np[SF_COMPARE_MAX];
  const char* title;
} sfCompare;

static void sf_compare_data(FILE* f, void* user) {
  const sfCompare* c = user;
  for (int i = 0; i < c->n; i++) {
    for (int k = 0; k < c->np[i]; k++) fprintf(f, "%d %g\n", c->p[i][k].episode, c->p[i][k].mean);
    fprintf(f, "\n\n");
  }
}

static void sf_compare_script(FILE* g, const char* path, int svg, const char* data, void* user) {
  const sfCompare* c = user;
  sf_study_plot_head(g, path, svg, c->title);
  fprintf(g,
          "set grid\nset key below\nset xlabel 'practice episodes per robot'\n"
          "set ylabel 'success rate (mean over seeds)'\nset yrange [-0.02:1.02]\nplot ");
  for (int i = 0; i < c->n; i++) {
    fprintf(g, "%s'%s' index %d using 1:2 with lines lw 2 title '%s'", i ? ", " : "", data, i,
            c->label[i]);
  }
  fputs("\n", g);
}

// out/compare.svg and .png when the study has more than one group (learners, sharing models,
// tasks...): their founders' learning curves side by side
static sftStatus sf_study_compare(const sfStudySpec* s, const char* dir, const sfStoreData* data,
                                  sfError* e) {
  long ngroup = sf_study_ngroup(s), *first = sf_study_group_first(s);
  sfCompare* c = SF_CALLOC(1, sizeof(sfCompare));
  sftStatus st = SF_OK;
  for (long g = 0; ngroup > 1 && st == SF_OK && g < ngroup; g++) {
    sfCurvePoint* p = NULL;
    int n = 0;
    char group[1024];
    sf_study_group_name(s, first[g], group, sizeof(group));
    st = sf_study_group_curves(s, data, g, SF_METRIC_SUCCESS, &p, &n, e);
    for (int cohort = 0; st == SF_OK && cohort < 2 && c->n < SF_COMPARE_MAX; cohort++) {
      int m = 0;
      for (int k = 0; k < n; k++) m += p[k].cohort == cohort && p[k].join_round == 0;
      if (!m) continue;
      c->p[c->n] = SF_CALLOC(m, sizeof(sfCurvePoint));
      for (int k = 0; k < n; k++) {
        if (p[k].cohort == cohort && p[k].join_round == 0) c->p[c->n][c->np[c->n]++] = p[k];
      }
      snprintf(c->label[c->n], sizeof(c->label[0]), "%.140s: %s", group, cohort ? "solo" : "fleet");
      for (char* q = c->label[c->n]; *q; q++) *q = *q == '\'' ? ' ' : *q;
      c->n++;
    }
    free(p);
  }
  char title[256], path[8192];
  snprintf(title, sizeof(title),
           "Study %.60s: success against practice episodes, founders of each group", s->name);
  c->title = title;
  static const char* ext[2] = {"compare.svg", "compare.png"};
  for (int i = 0; c->n > 1 && st == SF_OK && i < 2; i++) {
    st = sf_study_path(path, sizeof(path), dir, ext[i], e);
    if (st == SF_OK) st = sf_gnuplot(path, sf_compare_data, sf_compare_script, c, e);
  }
  for (int i = 0; i < c->n; i++) free(c->p[i]);
  free(c);
  free(first);
  return st;
}

// the joiners figure: per group, the mean and 95 % interval over seeds of the fleet joiners'
// first-round success, of the fleet's initial robots' that round, and of the solo joiners'
typedef struct sfJoiners_ {
  int n;               // groups with joiners
  char label[64][64];  // each group's name
  double v[64][3][3];  // [group][series][mean, lo, hi]
  const char* title;
} sfJoiners;

static void sf_joiners_data(FILE* f, void* user) {
  const sfJoiners* j = user;
  for (int i = 0; i < j->n; i++) {
    fprintf(f, "%d", i);
    for (int k = 0; k < 3; k++) {
      for (int m = 0; m < 3; m++) {
        if (isnan(j->v[i][k][m])) fprintf(f, " NaN");
        if (!isnan(j->v[i][k][m])) fprintf(f, " %g", j->v[i][k][m]);
      }
    }
    fprintf(f, " \"%s\"\n", j->label[i]);
  }
}

static void sf_joiners_script(FILE* g, const char* path, int svg, const char* data, void* user) {
  const sfJoiners* j = user;
  sf_study_plot_head(g, path, svg, j->title);
  fprintf(g,
          "set grid ytics\nset key below\nset ylabel 'success in the round they joined'\n"
          "set yrange [-0.05:1.05]\nset xrange [-0.6:%g]\nset xtics rotate by -20\n"
          "plot '%s' using ($1-0.15):2:3:4:xtic(11) with yerrorbars pt 7 ps 1.5 lc rgb "
          "'#1f77b4' title 'fleet joiners: first episode (95%% CI over seeds)', "
          "'' using 1:5:6:7 with yerrorbars pt 5 ps 1.5 lc rgb 'black' title 'the fleet "
          "that round', '' using ($1+0.15):8:9:10 with yerrorbars pt 9 ps 1.5 lc rgb '#d62728' "
          "title 'solo joiners: first episode'\n",
          j->n - 0.4, data);
}

// out/joiners.svg and .png when the study's cells have joiners
static sftStatus sf_study_joiners(const sfStudySpec* s, const char* dir, const sfStudyCellRow* all,
                                  int nall, sfError* e) {
  sfJoiners* j = SF_CALLOC(1, sizeof(sfJoiners));
  long ngroup = sf_study_ngroup(s), *first = sf_study_group_first(s);
  double* v[3];
  int nv[3];
  for (int k = 0; k < 3; k++) v[k] = SF_CALLOC((size_t)nall + 1, sizeof(double));
  for (long g = 0; g < ngroup && j->n < 64; g++) {
    nv[0] = nv[1] = nv[2] = 0;
    for (int i = 0; i < nall; i++) {
      const sfStudyRow* r = &all[i].row;
      if (all[i].group != g || isnan(r->joiner_first_success)) continue;
      int k = r->cohort ? 2 : 0;
      v[k][nv[k]++] = r->joiner_first_success;
      if (!r->cohort) v[1][nv[1]++] = r->fleet_success_at_join;
    }
    if (!nv[0] && !nv[2]) continue;
    sf_study_group_name(s, first[g], j->label[j->n], sizeof(j->label[0]));
    for (int k = 0; k < 3; k++) {
      double* m = j->v[j->n][k];
      sf_study_mean_ci(v[k], nv[k], &m[0], &m[1], &m[2]);
      m[1] = fmax(m[1], 0), m[2] = fmin(m[2], 1);
    }
    j->n++;
  }
  char title[256], path[8192];
  snprintf(title, sizeof(title),
           "Study %.60s: success of joiners in their first round against the fleet that round",
           s->name);
  j->title = title;
  sftStatus st = SF_OK;
  static const char* ext[2] = {"joiners.svg", "joiners.png"};
  for (int i = 0; j->n > 0 && st == SF_OK && i < 2; i++) {
    st = sf_study_path(path, sizeof(path), dir, ext[i], e);
    if (st == SF_OK) st = sf_gnuplot(path, sf_joiners_data, sf_joiners_script, j, e);
  }
  for (int k = 0; k < 3; k++) free(v[k]);
  free(first);
  free(j);
  return st;
}

// one literature reference (datasets/literature/surgeons.csv)
typedef struct sfLitRow_ {
  char metric[40];
  int repetition;    // 0: not per repetition
  double value, sd;  // sd NaN when not stated
  char unit[32], who[128], task[160], source[320], differs[320];
} sfLitRow;

#define SF_LIT_FILE "literature/surgeons.csv"
#define SF_LIT_TIME_FILE "literature/robotic_suturing_time.csv"
#define SF_LIT_MAX 64

// the literature references: up to SF_LIT_MAX rows of path into rows; SF_ERR_INPUT naming the
// file and line for a row without its nine fields or with a bad number
static sftStatus sf_lit_read(const char* path, sfLitRow* rows, int* n, sfError* e) {
  FILE* f = fopen(path, "r");
  *n = 0;
  if (!f) return sf_fail(e, SF_ERR_INPUT, "literature '%s': cannot read it", path);
  char line[2048];
  sftStatus st = SF_OK;
  for (int ln = 1; st == SF_OK && fgets(line, sizeof(line), f) && *n < SF_LIT_MAX; ln++) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#' || !strncmp(line, "metric,", 7)) continue;
    char *field[9], *rest = line;
    int nf = 0;
    while (nf < 9 && rest) field[nf++] = strsep(&rest, ",");
    sfLitRow* r = &rows[*n];
    r->sd = NAN;
    r->repetition = 0;
    int bad = nf != 9 || rest != NULL || !field[0][0];
    if (!bad && field[1][0]) bad = sf_parse_int(field[1], 1, 1000000, &r->repetition);
    if (!bad) bad = sf_parse_double(field[2], -1e9, 1e9, &r->value);
    if (!bad && field[3][0]) bad = sf_parse_double(field[3], 0, 1e9, &r->sd);
    if (bad) {
      st = sf_fail(e, SF_ERR_INPUT,
                   "literature '%s' line %d: expected metric,repetition,value,sd,unit,who,task,"
                   "source,differs (repetition and sd may be empty; numbers where numbers go)",
                   path, ln);
      break;
    }
    snprintf(r->metric, sizeof(r->metric), "%s", field[0]);
    int i = 4;
    snprintf(r->unit, sizeof(r->unit), "%s", field[i++]);
    snprintf(r->who, sizeof(r->who), "%s", field[i++]);
    snprintf(r->task, sizeof(r->task), "%s", field[i++]);
    snprintf(r->source, sizeof(r->source), "%s", field[i++]);
    snprintf(r->differs, sizeof(r->differs), "%s", field[i++]);
    (*n)++;
  }
  fclose(f);
  return st;
}

// the fleet's spacing and bite over the study's episodes of several stitches: the fleet
// cohort's episodes of each cell's last window of rounds; spacing pooled over the episodes
// (mean of their means; SD from their within-episode variances and the variance of the means)
typedef struct sfStitchStats_ {
  long episodes;       // episodes with a spacing (2 or more stitches inserted)
  double spacing, sd;  // mm
  long nbite;
  double bite, bite_sd;  // mm
  int stitches;          // the most stitches a cell placed
} sfStitchStats;

static void sf_stitch_stats(const sfStudySpec* s, const sfStoreData* data, sfStitchStats* x) {
  double sm = 0, sm2 = 0, within = 0, bm = 0, bm2 = 0;
  memset(x, 0, sizeof(*x));
  for (long k = 0; k < s->ncell; k++) {
    const sfStoreData* d = &data[k];
    int last = sf_fleet_rounds_done(d);
    for (long i = 0; i < d->nepisodes; i++) {
      const sfEpisodeRow* r = &d->episodes[i];
      if (r->cohort != 0 || r->stitches < 2 || r->round <= last - s->window) continue;
      if (r->stitches > x->stitches) x->stitches = r->stitches;
      if (isfinite(r->spacing_mean_mm)) {
        x->episodes++;
        sm += r->spacing_mean_mm, sm2 += r->spacing_mean_mm * r->spacing_mean_mm;
        if (isfinite(r->spacing_sd_mm)) within += r->spacing_sd_mm * r->spacing_sd_mm;
      }
      if (isfinite(r->bite_mm)) x->nbite++, bm += r->bite_mm, bm2 += r->bite_mm * r->bite_mm;
    }
  }
  if (x->episodes) {
    x->spacing = sm / x->episodes;
    double between = fmax(sm2 / x->episodes - x->spacing * x->spacing, 0);
    x->sd = sqrt(within / x->episodes + between);
  }
  if (x->nbite) {
    x->bite = bm / x->nbite;
    x->bite_sd = sqrt(fmax(bm2 / x->nbite - x->bite * x->bite, 0));
  }
}

// the group the fleet's figures are taken from: the first whose fleet reached the target on a
// seed, else the first with a fleet cohort (-1: none)
static long sf_study_reference_group(const sfStudySpec* s, const sfStudyCellRow* all, int nall) {
  long first = -1;
  for (long g = 0; g < sf_study_ngroup(s); g++) {
    for (int i = 0; i < nall; i++) {
      if (all[i].group != g || all[i].row.cohort != 0) continue;
      if (first < 0) first = g;
      if (!all[i].row.censored) return g;
    }
  }
  return first;
}

// the fleet's value beside literature row r, into buf ("not measured in this study" when none)
static void sf_lit_fleet(const sfLitRow* r, const sfCurvePoint* time, int ntime, int window,
                         int median, int rounds, const sfStitchStats* st, double surgeon_sd,
                         char* buf, size_t n) {
  snprintf(buf, n, "not measured in this study");
  if (!strcmp(r->metric, "time_s") || !strcmp(r->metric, "plateau_time_s")) {
    int last = 0;
    for (int i = 0; i < ntime; i++) {
      const sfCurvePoint* p = &time[i];
      if (p->cohort == 0 && p->join_round == 0 && p->episode > last) last = p->episode;
    }
    double sum = 0;
    int k = 0;
    for (int i = 0; i < ntime; i++) {
      const sfCurvePoint* p = &time[i];
      if (p->cohort != 0 || p->join_round != 0) continue;
      if (!strcmp(r->metric, "time_s") && p->episode == r->repetition) {
        snprintf(buf, n, "%.2f s (95 %% CI %.2f–%.2f) at practice episode %d", p->mean, p->lo,
                 p->hi, p->episode);
      }
      if (p->episode > last - window) sum += p->mean, k++;
    }
    if (!strcmp(r->metric, "plateau_time_s") && k) {
      snprintf(buf, n, "%.2f s (mean of practice episodes %d–%d)", sum / k, last - k + 1, last);
    }
  } else if (!strcmp(r->metric, "repetitions_to_proficiency")) {
    if (median) snprintf(buf, n, "%d practice episodes per robot (Kaplan–Meier median)", median);
    if (!median) snprintf(buf, n, "not reached in %d practice episodes per robot", rounds);
  } else if (!strcmp(r->metric, "spacing_mm") && st->episodes) {
    snprintf(buf, n, "%.2f ± %.3f mm (%ld episodes of up to %d stitches)", st->spacing, st->sd,
             st->episodes, st->stitches);
  } else if (!strcmp(r->metric, "bite_mm") && st->nbite) {
    snprintf(buf, n, "%.2f ± %.2f mm (%ld episodes of up to %d stitches)", st->bite, st->bite_sd,
             st->nbite, st->stitches);
  } else if (!strcmp(r->metric, "spacing_consistency_x") && st->episodes && st->sd > 0 &&
             isfinite(surgeon_sd)) {
    snprintf(buf, n, "%.3g times the 20 surgeons' (spacing SD %.3f mm against %.1f mm)",
             surgeon_sd / st->sd, st->sd, surgeon_sd);
  }
}

// out/surgeons.md (the literature beside the fleet's figures on the same metric) and
// out/surgeons_time.svg and .png (the reference group's completion time against practice
// episodes, the novices' medians on their own axis)
static sftStatus sf_study_surgeons(const sfStudySpec* s, const char* dir, const sfStoreData* data,
                                   const sfStudyCellRow* all, int nall, sfError* e) {
  char buf[2][4096], path[8192], group[1024] = "", fleet[512];
  const char* lit = sf_data_path(buf[0], sizeof(buf[0]), SF_LIT_FILE, SF_DATA_DIR "/" SF_LIT_FILE);
  const char* lit_time =
      sf_data_path(buf[1], sizeof(buf[1]), SF_LIT_TIME_FILE, SF_DATA_DIR "/" SF_LIT_TIME_FILE);
  sfLitRow* rows = SF_CALLOC(SF_LIT_MAX, sizeof(sfLitRow));
  int nrow = 0;
  long g = sf_study_reference_group(s, all, nall), *first = sf_study_group_first(s);
  sftStatus st = sf_lit_read(lit, rows, &nrow, e);
  sfCurvePoint* time = NULL;
  int ntime = 0, median = 0, rounds = 0;
  if (st == SF_OK && g >= 0) {
    st = sf_study_group_curves(s, data, g, SF_METRIC_TIME, &time, &ntime, e);
    int* t = SF_CALLOC(2 * (size_t)nall + 2, sizeof(int));
    int n = 0;
    for (int i = 0; i < nall; i++) {
      if (all[i].group != g || all[i].row.cohort != 0) continue;
      t[2 * n] = all[i].row.rounds_to_target, t[2 * n + 1] = all[i].row.censored, n++;
      rounds = all[i].row.rounds;
    }
    int* time_to = SF_CALLOC((size_t)n + 1, sizeof(int));
    int* cens = SF_CALLOC((size_t)n + 1, sizeof(int));
    for (int i = 0; i < n; i++) time_to[i] = t[2 * i], cens[i] = t[2 * i + 1];
    median = sf_study_km_median(time_to, cens, n);
    free(t), free(time_to), free(cens);
    sf_study_group_name(s, first[g], group, sizeof(group));
  }
  sfStitchStats ss;
  sf_stitch_stats(s, data, &ss);
  double surgeon_sd = NAN;
  for (int i = 0; i < nrow; i++) {
    if (!strcmp(rows[i].metric, "spacing_mm")) surgeon_sd = rows[i].sd;
  }

  // the table
  if (st == SF_OK) st = sf_study_path(path, sizeof(path), dir, "surgeons.md", e);
  FILE* f = st == SF_OK ? fopen(path, "w") : NULL;
  if (st == SF_OK && !f) st = sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  if (f) {
    fprintf(f,
            "# Surgeons (literature)\n\nPublished values (`datasets/%s`), labelled as literature, "
            "beside "
            "the fleet's on the same metric where this study measures one. The fleet's times "
            "and practice episodes are its founders' in group '%s'; its spacing and bite are "
            "over the fleet's episodes of two or more stitches in each cell's last %d rounds "
            "(a study with `stitches = 4` measures them).\n\n",
            SF_LIT_FILE, g >= 0 ? group : "none", s->window);
    fprintf(f,
            "| metric | literature | who, task | the fleet (this study) | how they differ | "
            "source |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < nrow; i++) {
      const sfLitRow* r = &rows[i];
      char val[128], rep[48] = "";
      if (r->repetition) snprintf(rep, sizeof(rep), " at repetition %d", r->repetition);
      if (isnan(r->sd)) snprintf(val, sizeof(val), "%g %s%s", r->value, r->unit, rep);
      if (!isnan(r->sd)) snprintf(val, sizeof(val), "%g ± %g %s%s", r->value, r->sd, r->unit, rep);
      sf_lit_fleet(r, time, ntime, s->window, median, rounds, &ss, surgeon_sd, fleet,
                   sizeof(fleet));
      if (g < 0) snprintf(fleet, sizeof(fleet), "not measured in this study");
      fprintf(f, "| %s | %s | %s: %s | %s | %s | %s |\n", r->metric, val, r->who, r->task, fleet,
              r->differs, r->source);
    }
    if (fclose(f) != 0 && st == SF_OK) st = sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  }

  // the time figure
  char title[1400];
  snprintf(title, sizeof(title), "Study %s, %s: completion time against practice episodes", s->name,
           group);
  static const char* ext[2] = {"surgeons_time.svg", "surgeons_time.png"};
  for (int i = 0; st == SF_OK && g >= 0 && i < 2; i++) {
    st = sf_study_path(path, sizeof(path), dir, ext[i], e);
    const char* lt = access(lit_time, R_OK) == 0 ? lit_time : NULL;
    if (st == SF_OK) st = sf_curves_plot(path, SF_METRIC_TIME, time, ntime, lt, title, e);
  }
  free(time);
  free(first);
  free(rows);
  return st;
}

// text into f with HTML's special characters escaped
static void sf_html_text(FILE* f, const char* t) {
  for (; *t; t++) {
    if (*t == '<')
      fputs("&lt;", f);
    else if (*t == '>')
      fputs("&gt;", f);
    else if (*t == '&')
      fputs("&amp;", f);
    else if (*t == '"')
      fputs("&quot;", f);
    else
      fputc(*t, f);
  }
}

// summary.md's tables as HTML tables, its paragraphs as paragraphs
static void sf_html_markdown(FILE* f, const char* md) {
  char line[8192];
  int in_table = 0, header = 0;
  for (const char* p = md; *p;) {
    // one line
    size_t n = strcspn(p, "\n");
    snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
    p += n + (p[n] == '\n');
    if (line[0] != '|' && in_table) fputs("</table>\n", f), in_table = 0;
    if (!line[0] || line[0] == '#') continue;
    if (line[0] != '|') {
      fputs("<p>", f);
      sf_html_text(f, line);
      fputs("</p>\n", f);
      continue;
    }
    if (!strncmp(line, "|---", 4)) continue;

    // a table row: cells between the bars
    if (!in_table) fputs("<table>\n", f), in_table = 1, header = 1;
    fputs("<tr>", f);
    char* save = NULL;
    for (char* c = strtok_r(line + 1, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
      fputs(header ? "<th>" : "<td>", f);
      sf_html_text(f, sf_trim(c));
      fputs(header ? "</th>" : "</td>", f);
    }
    fputs("</tr>\n", f);
    header = 0;
  }
  if (in_table) fputs("</table>\n", f);
}

// an SVG file inline as a figure (under heading h2 when not NULL); nothing when it is missing
static void sf_html_svg(FILE* f, const char* path, const char* h2, const char* caption) {
  char* text = sf_slurp(path);
  char* start = text ? strstr(text, "<svg") : NULL;
  if (start) {
    if (h2) fprintf(f, "<h2>%s</h2>\n", h2);
    fputs("<figure>", f);
    fputs(start, f);
    fputs("<figcaption>", f);
    sf_html_text(f, caption);
    fputs("</figcaption></figure>\n", f);
  }
  free(text);
}

// out/report.html: one self-contained page: the spec and the command, the software, the
// summary's tables, the scaling figure inline (SVG), links to the cell stores
static sftStatus sf_study_write_html(const sfStudySpec* s, const char* dir, sfError* e) {
  char path[8192], md[8192], svg[8192], name[512];
  sftStatus st = sf_study_path(path, sizeof(path), dir, "report.html", e);
  if (st == SF_OK) st = sf_study_path(md, sizeof(md), dir, "summary.md", e);
  if (st == SF_OK) st = sf_study_path(svg, sizeof(svg), dir, "scaling.svg", e);
  FILE* f = st == SF_OK ? fopen(path, "w") : NULL;
  if (st == SF_OK && !f) return sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  if (st != SF_OK) return st;

  // head, title, what was run with what
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Study ", f);
  sf_html_text(f, s->name);
  fputs(
      "</title><style>body{font-family:sans-serif;max-width:70em;margin:2em auto;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .6em;"
      "text-align:right}th{background:#eee}pre{background:#f6f6f6;padding:1em}"
      "figure{margin:1em 0}</style></head><body>\n<h1>Study ",
      f);
  sf_html_text(f, s->name);
  fprintf(f, "</h1>\n<p>suturefleet %s, MuJoCo %s; %ld cells.</p>\n<p>Command: <code>", SF_VERSION,
          mj_versionString(), s->ncell);
  fputs("suturefleet study ", f);
  sf_html_text(f, s->path);
  fputs(" --out ", f);
  sf_html_text(f, dir);
  fputs("</code></p>\n<h2>Spec</h2>\n<pre>", f);
  char* text = sf_slurp(s->path);
  sf_html_text(f, text ? text : "(the spec file could not be read again)");
  free(text);

  // the summary's tables and the figure
  fputs("</pre>\n<h2>Summary</h2>\n", f);
  text = sf_slurp(md);
  if (text) sf_html_markdown(f, text);
  free(text);
  sf_html_svg(f, svg, "Scaling",
              "Practice episodes per robot to the target against fleet size (log-log), with the "
              "solo robot and the ideal 1/N line.");

  // the groups compared, the learning curves of each group, the joiners, the literature
  if (st == SF_OK) st = sf_study_path(svg, sizeof(svg), dir, "compare.svg", e);
  if (st == SF_OK) {
    sf_html_svg(f, svg, "Groups compared",
                "Each group's founders: mean success over seeds against practice episodes per "
                "robot.");
  }
  long ngroup = sf_study_ngroup(s), *first = sf_study_group_first(s);
  fputs("<h2>Learning curves</h2>\n", f);
  for (long g = 0; st == SF_OK && g < ngroup; g++) {
    char file[1024], fig[1200], group[1024], caption[1200];
    sf_study_group_file(s, first[g], file, sizeof(file));
    sf_study_group_name(s, first[g], group, sizeof(group));
    snprintf(fig, sizeof(fig), "curves/%s.svg", file);
    snprintf(caption, sizeof(caption),
             "%s: success against practice episodes per robot (95 %% "
             "band over seeds).",
             group);
    st = sf_study_path(svg, sizeof(svg), dir, fig, e);
    if (st == SF_OK) sf_html_svg(f, svg, NULL, caption);
  }
  free(first);
  if (st == SF_OK) st = sf_study_path(svg, sizeof(svg), dir, "joiners.svg", e);
  if (st == SF_OK) {
    sf_html_svg(f, svg, "Joiners",
                "Robots joining later: success in their first round against the fleet's "
                "that round (95 % intervals over seeds).");
  }
  fputs("<h2>Surgeons (literature)</h2>\n", f);
  if (st == SF_OK) st = sf_study_path(md, sizeof(md), dir, "surgeons.md", e);
  text = st == SF_OK ? sf_slurp(md) : NULL;
  if (text) sf_html_markdown(f, text);
  free(text);
  if (st == SF_OK) st = sf_study_path(svg, sizeof(svg), dir, "surgeons_time.svg", e);
  if (st == SF_OK) {
    sf_html_svg(f, svg, NULL,
                "The fleet's completion time against practice episodes, with human novices' "
                "medians (literature, right axis: a whole suture and knot, not one throw).");
  }

  // the cells' stores
  fputs("<h2>Cells</h2>\n<ul>\n", f);
  for (long k = 0; k < s->ncell; k++) {
    sf_study_cell_name(s, k, name, sizeof(name));
    fprintf(f,
            "<li><a href=\"cells/%s.h5\">cells/%s.h5</a> (<a "
            "href=\"cells/%s.ini\">settings</a>)</li>\n",
            name, name, name);
  }
  fputs("</ul>\n</body></html>\n", f);
  if (fclose(f) != 0) return sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  return SF_OK;
}

// the summary's axis columns: every grid's settings but seed and robots (which every row has),
// in the order they first appear; returns how many
static int sf_study_columns(const sfStudySpec* s, const char* key[SF_CONFIG_NKEY]) {
  int n = 0;
  for (int g = 0; g < s->ngrid; g++) {
    for (int i = 0; i < s->grid[g].naxis; i++) {
      const char* k = s->grid[g].axis[i].key;
      int seen = !strcmp(k, "seed") || !strcmp(k, "robots");
      for (int j = 0; j < n; j++) seen |= !strcmp(key[j], k);
      if (!seen && n < SF_CONFIG_NKEY) key[n++] = k;
    }
  }
  return n;
}

// one CSV row per cell and cohort into out/summary.csv
static sftStatus sf_study_write_summary(const sfStudySpec* s, const char* dir, sfError* e) {
  char path[8192], store[8192], name[512];
  sftStatus st = sf_study_path(path, sizeof(path), dir, "summary.csv", e);
  FILE* f = st == SF_OK ? fopen(path, "w") : NULL;
  if (st == SF_OK && !f) return sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  if (st != SF_OK) return st;

  // header: the grid (when there are grids), the axes, then the figures
  const char* key[SF_CONFIG_NKEY];
  int nkey = sf_study_columns(s, key);
  fprintf(f, "cell%s", s->grid[0].name[0] ? ",grid" : "");
  for (int j = 0; j < nkey; j++) fprintf(f, ",%s", key[j]);
  fprintf(f,
          ",seed,robots,cohort,rounds_to_target,episodes_per_robot_to_target,"
          "total_episodes_to_target,censored,final_success,joiners,joiner_first_success,"
          "fleet_success_at_join,mean_trauma_mm2,mean_time_s\n");
  sfStudyCellRow* all = SF_CALLOC(2 * s->ncell, sizeof(sfStudyCellRow));
  sfStoreData* data = SF_CALLOC(s->ncell, sizeof(sfStoreData));  // every cell's, for the figures
  int nall = 0;
  long nread = 0;
  for (long k = 0; st == SF_OK && k < s->ncell; k++) {
    sfRunConfig c;
    sfStoreData* d = &data[k];
    int idx[SF_STUDY_MAX_AXES];
    sf_study_cell_config(s, k, &c, NULL);
    sf_study_cell_name(s, k, name, sizeof(name));
    const sfStudyGrid* g = sf_study_cell_index(s, k, idx);
    st = sf_study_cell_file(s, dir, k, ".h5", store, sizeof(store), e);
    if (st == SF_OK) st = sf_store_read(store, d, e);
    if (st != SF_OK) break;
    nread++;
    sfStudyRow rows[2];
    int n = sf_study_summarise(s, d, rows);
    for (int r = 0; r < n; r++) {
      const sfStudyRow* x = &rows[r];
      all[nall++] = (sfStudyCellRow){sf_study_group(s, k), *x};
      fprintf(f, "%s", name);
      if (g->name[0]) fprintf(f, ",%s", g->name);
      for (int j = 0; j < nkey; j++) {
        const char* v = "";  // a setting the cell's grid does not give
        for (int i = 0; i < g->naxis; i++) {
          if (!strcmp(g->axis[i].key, key[j])) v = g->axis[i].value[idx[i]];
        }
        fprintf(f, strchr(v, ',') ? ",\"%s\"" : ",%s", v);
      }
      fprintf(f, ",%llu,%d,%s,%d,%d,%ld,%d,%.4f,%d,%.4f,%.4f,%.4f,%.4f\n",
              (unsigned long long)c.seed, x->robots, x->cohort ? "solo" : "fleet",
              x->rounds_to_target, x->rounds_to_target, x->total_episodes_to_target, x->censored,
              x->final_success, x->joiners, x->joiner_first_success, x->fleet_success_at_join,
              x->mean_trauma_mm2, x->mean_time_s);
    }
  }
  if (fclose(f) != 0 && st == SF_OK) st = sf_fail(e, SF_ERR_RUN, "cannot write '%s'", path);
  if (st == SF_OK) st = sf_study_write_md(s, dir, all, nall, e);
  if (st == SF_OK) st = sf_study_scaling(s, dir, all, nall, e);
  if (st == SF_OK) st = sf_study_learning(s, dir, data, e);
  if (st == SF_OK) st = sf_study_compare(s, dir, data, e);
  if (st == SF_OK) st = sf_study_joiners(s, dir, all, nall, e);
  if (st == SF_OK) st = sf_study_surgeons(s, dir, data, all, nall, e);
  if (st == SF_OK) st = sf_study_write_html(s, dir, e);
  for (long k = 0; k < nread; k++) sf_store_data_free(&data[k]);
  free(data);
  free(all);
  return st;
}

// the study directory and its cells/ (an existing one only with --resume)
static sftStatus sf_study_dir(const char* dir, int resume, sfError* e) {
  char cells[8192];
  sftStatus st = sf_study_path(cells, sizeof(cells), dir, "cells", e);
  if (st != SF_OK) return st;
  if (access(dir, F_OK) == 0 && !resume) {
    return sf_fail(e, SF_ERR_INPUT,
                   "study directory '%s' exists; expected a new one (or --resume to continue "
                   "the study in it)",
                   dir);
  }
  if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(cells, 0777) != 0 && errno != EEXIST)) {
    return sf_fail(e, SF_ERR_RUN, "cannot create the study directory '%s' (%s)", dir,
                   strerror(errno));
  }
  return SF_OK;
}

int sf_study_main(const sfStudyArgs* a, sfStudyRunFn run, FILE* out, FILE* err) {
  // the spec, checked whole before anything is written
  sfError e = {{0}};
  sfStudySpec* s = SF_CALLOC(1, sizeof(sfStudySpec));
  int writer = sf_dist_rank() == 0;  // under mpirun, rank 0 writes and speaks
  sftStatus st = sf_study_load(s, a->spec, &e);
  if (st == SF_OK && a->dry_run && writer) sf_study_list(s, a, out);
  if (st != SF_OK || a->dry_run) {
    if (st != SF_OK && writer) fprintf(err, "suturefleet study: %s\n", e.msg);
    free(s);
    return st;
  }

  // the directory, each cell in turn, the summary
  char dir[4096];
  if (a->out) {
    snprintf(dir, sizeof(dir), "%s", a->out);
  } else {
    snprintf(dir, sizeof(dir), "%s.study", s->name);
  }
  if (writer) st = sf_study_dir(dir, a->resume, &e);
  st = sf_dist_agree(st, &e);
  sfStudyProgress* p = SF_CALLOC(1, sizeof(sfStudyProgress));
  p->t0 = omp_get_wtime();
  for (long k = 0; k < s->ncell; k++) {
    sfRunConfig c;
    sf_study_cell_config(s, k, &c, NULL);
    p->total += sf_study_cell_episodes(&c);
  }
  p->left = p->total;
  for (long k = 0; st == SF_OK && k < s->ncell; k++) {
    st = sf_study_cell_run(s, a, dir, k, run, p, out, err, &e);
  }
  sftStatus reaped = sf_study_reap(a, p, 0, st == SF_OK ? &e : NULL);
  if (st == SF_OK) st = reaped;
  if (st == SF_OK && writer) st = sf_study_write_summary(s, dir, &e);
  st = sf_dist_agree(st, &e);
  if (st == SF_OK && !a->quiet && writer)
    fprintf(out, "study %s: %ld cells, summary in %s/summary.csv\n", s->name, s->ncell, dir);
  if (st != SF_OK && writer) fprintf(err, "suturefleet study: %s\n", e.msg);
  free(p);
  free(s);
  return st;
}
